"""Rules of the tables context.

Cross-context API (for orders and billing): :func:`occupy_table` and
:func:`release_table`, Core updates on the hot path. Admin CRUD of areas and tables uses
the ORM and takes the caller's :class:`~brigade.auth.dependencies.Access`.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.db import utcnow
from brigade.errors import NotFound
from brigade.events.outbox import record
from brigade.tables.exceptions import TableOccupied
from brigade.tables.models import DiningTable
from brigade.tables.schemas import TableRead

#: The columns of :class:`TableRead`, for Core ``RETURNING`` and selects.
_TABLE_COLUMNS = (
    DiningTable.id,
    DiningTable.area_id,
    DiningTable.name,
    DiningTable.seats,
    DiningTable.status,
    DiningTable.current_order_id,
    DiningTable.seated_at,
    DiningTable.version,
    DiningTable.position,
)


async def _record_table(
    session: AsyncSession, restaurant_id: int, kind: str, table: TableRead
) -> None:
    """Record ``table.<kind>`` with ``{"table": TableRead}`` as its data."""
    await record(session, restaurant_id, f"table.{kind}", {"table": table.model_dump(mode="json")})


async def occupy_table(
    session: AsyncSession, restaurant_id: int, table_id: int, order_id: int
) -> None:
    """Seat open order ``order_id`` at the table: status ``occupied``,
    ``current_order_id``, ``seated_at`` now (UTC), ``version`` + 1, event ``table.updated``.

    Does nothing when the table already holds ``order_id``. One ``UPDATE ... RETURNING``
    on success. Raises :class:`~brigade.errors.NotFound` (no such table in this
    restaurant) and :class:`TableOccupied` (409: the table holds another open order).
    """
    result = await session.execute(
        update(DiningTable)
        .where(
            DiningTable.restaurant_id == restaurant_id,
            DiningTable.id == table_id,
            DiningTable.current_order_id.is_(None),
        )
        .values(
            status="occupied",
            current_order_id=order_id,
            seated_at=utcnow(),
            version=DiningTable.version + 1,
        )
        .returning(*_TABLE_COLUMNS)
        .execution_options(synchronize_session=False)
    )
    row = result.first()
    if row is None:
        current = (
            await session.execute(
                select(DiningTable.current_order_id).where(
                    DiningTable.restaurant_id == restaurant_id, DiningTable.id == table_id
                )
            )
        ).first()
        if current is None:
            raise NotFound(f"table {table_id} not found")
        if current.current_order_id == order_id:
            return
        raise TableOccupied(
            f"table {table_id} has open order {current.current_order_id}",
            table_id=table_id,
            current_order_id=current.current_order_id,
        )
    await _record_table(session, restaurant_id, "updated", TableRead(**row._mapping))


async def release_table(
    session: AsyncSession, restaurant_id: int, table_id: int, order_id: int
) -> None:
    """Free the table of ``order_id`` (closed or moved): status ``free``, no current
    order, no ``seated_at``, ``version`` + 1, event ``table.updated``.

    Does nothing when the table does not hold ``order_id`` (already freed, or reseated
    with another order). Raises :class:`~brigade.errors.NotFound` when there is no such
    table in this restaurant.
    """
    result = await session.execute(
        update(DiningTable)
        .where(
            DiningTable.restaurant_id == restaurant_id,
            DiningTable.id == table_id,
            DiningTable.current_order_id == order_id,
        )
        .values(
            status="free",
            current_order_id=None,
            seated_at=None,
            version=DiningTable.version + 1,
        )
        .returning(*_TABLE_COLUMNS)
        .execution_options(synchronize_session=False)
    )
    row = result.first()
    if row is None:
        exists = await session.scalar(
            select(DiningTable.id).where(
                DiningTable.restaurant_id == restaurant_id, DiningTable.id == table_id
            )
        )
        if exists is None:
            raise NotFound(f"table {table_id} not found")
        return
    await _record_table(session, restaurant_id, "updated", TableRead(**row._mapping))
