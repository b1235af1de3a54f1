"""Rules of the tables context.

Cross-context API (for orders and billing): :func:`occupy_table` and
:func:`release_table`, Core updates built once on the table (hot path). Admin CRUD of
areas and tables uses the ORM and takes the caller's
:class:`~brigade.auth.dependencies.Access`; table events (``table.created``,
``table.updated``, ``table.deleted``) carry ``{"table": TableRead}``.

Guest links and QR codes: see :mod:`brigade.tables.qr`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, cast

from sqlalchemy import BindParameter, Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.permissions import Permission
from brigade.events.outbox import record
from brigade.infra.db import utcnow
from brigade.infra.errors import NotFound, StaleVersion
from brigade.infra.integrity import unique_constraint, unique_guard
from brigade.infra.prepared import Executor, Prepared
from brigade.infra.settings import Settings
from brigade.tables import hooks
from brigade.tables.exceptions import (
    InvalidTableToken,
    TableNameTaken,
    TableOccupied,
    TableOffPlan,
    WaiterNotOnStaff,
)
from brigade.tables.models import Area, DiningTable
from brigade.tables.qr import guest_url, table_token
from brigade.tables.schemas import (
    PLAN_HEIGHT,
    PLAN_WIDTH,
    AreaCreate,
    AreaList,
    AreaRead,
    AreaUpdate,
    GuestLink,
    TableCreate,
    TableList,
    TableRead,
    TableUpdate,
)
from brigade.tenancy import scoped

if TYPE_CHECKING:
    from brigade.auth.dependencies import Access

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
    DiningTable.waiter_id,
    DiningTable.plan_x,
    DiningTable.plan_y,
    DiningTable.plan_width,
    DiningTable.plan_height,
    DiningTable.shape,
)


_tables = cast(Table, DiningTable.__table__)
_TABLE_RETURNING = tuple(_tables.c[column.key] for column in _TABLE_COLUMNS)

#: One name per table of a restaurant (checked first; the constraint settles a race,
#: see :func:`brigade.infra.integrity.unique_guard`).
_NAME_UNIQUE = unique_constraint(_tables, "uq_floor_tables_restaurant_id_name")

# The statements of occupy_table / release_table, built once; executed with parameter
# dicts: ``r`` (restaurant id), ``t`` (table id), ``o`` (order id), ``now`` (UTC).
# Seating runs on the order-placement path (brigade.infra.prepared statements).
_R: BindParameter[int] = bindparam("r")
_OCCUPY = Prepared(
    scoped(update(_tables), _R)
    .where(_tables.c.id == bindparam("t"), _tables.c.current_order_id.is_(None))
    .values(
        status="occupied",
        current_order_id=bindparam("o"),
        seated_at=bindparam("now"),
        version=_tables.c.version + 1,
    )
    .returning(*_TABLE_RETURNING)
)
_OCCUPY_STATE = Prepared(
    scoped(select(_tables.c.current_order_id), _R).where(_tables.c.id == bindparam("t"))
)
_RELEASE = (
    scoped(update(_tables), _R)
    .where(_tables.c.id == bindparam("t"), _tables.c.current_order_id == bindparam("o"))
    .values(status="free", current_order_id=None, seated_at=None, version=_tables.c.version + 1)
    .returning(*_TABLE_RETURNING)
)
_CURRENT_ORDER = scoped(select(_tables.c.current_order_id), _R).where(
    _tables.c.id == bindparam("t")
)


async def _record_table(session: Executor, restaurant_id: int, kind: str, table: TableRead) -> None:
    """Record ``table.<kind>`` with ``{"table": TableRead}`` as its data."""
    await record(session, restaurant_id, f"table.{kind}", {"table": table.model_dump(mode="json")})


async def occupy_table(session: Executor, restaurant_id: int, table_id: int, order_id: int) -> None:
    """Seat open order ``order_id`` at the table: status ``occupied``,
    ``current_order_id``, ``seated_at`` now (UTC), ``version`` + 1, event ``table.updated``.

    Does nothing when the table already holds ``order_id``. One ``UPDATE ... RETURNING``
    on success. Raises :class:`~brigade.infra.errors.NotFound` (no such table in this
    restaurant) and :class:`TableOccupied` (409: the table holds another open order).
    """
    params = {"r": restaurant_id, "t": table_id, "o": order_id, "now": utcnow()}
    row = await _OCCUPY.fetchone(session, params)
    if row is None:
        current = await _OCCUPY_STATE.fetchone(session, params)
        if current is None:
            raise NotFound(f"table {table_id} not found")
        if current.current_order_id == order_id:
            return
        raise TableOccupied(
            f"table {table_id} has open order {current.current_order_id}",
            table_id=table_id,
            current_order_id=current.current_order_id,
        )
    await _record_table(session, restaurant_id, "updated", TableRead(**row._asdict()))


async def release_table(
    session: AsyncSession, restaurant_id: int, table_id: int, order_id: int
) -> None:
    """Free the table of ``order_id`` (closed or moved): status ``free``, no current
    order, no ``seated_at``, ``version`` + 1, event ``table.updated``.

    Does nothing when the table does not hold ``order_id`` (already freed, or reseated
    with another order). One ``UPDATE ... RETURNING`` on success. Raises
    :class:`~brigade.infra.errors.NotFound` when there is no such table in this restaurant.
    """
    params = {"r": restaurant_id, "t": table_id, "o": order_id}
    row = (await session.execute(_RELEASE, params)).first()
    if row is None:
        if (await session.execute(_CURRENT_ORDER, params)).first() is None:
            raise NotFound(f"table {table_id} not found")
        return
    await _record_table(session, restaurant_id, "updated", TableRead(**row._mapping))


# --------------------------------------------------------------------------------------
# Areas
# --------------------------------------------------------------------------------------


async def _get_area(session: AsyncSession, restaurant_id: int, area_id: int) -> Area:
    area = await session.scalar(scoped(select(Area), restaurant_id).where(Area.id == area_id))
    if area is None:
        raise NotFound(f"area {area_id} not found")
    return area


async def list_areas(session: AsyncSession, access: Access) -> AreaList:
    """The restaurant's floor areas by position, then id."""
    rows = (
        await session.scalars(
            scoped(select(Area), access.restaurant_id).order_by(Area.position, Area.id)
        )
    ).all()
    return AreaList(items=[AreaRead.model_validate(a) for a in rows], total=len(rows))


async def get_area(session: AsyncSession, access: Access, area_id: int) -> AreaRead:
    """One area; raises :class:`NotFound`."""
    return AreaRead.model_validate(await _get_area(session, access.restaurant_id, area_id))


async def create_area(session: AsyncSession, access: Access, body: AreaCreate) -> AreaRead:
    """Create a floor area."""
    area = Area(restaurant_id=access.restaurant_id, name=body.name, position=body.position)
    session.add(area)
    await session.flush()
    return AreaRead.model_validate(area)


async def update_area(
    session: AsyncSession, access: Access, area_id: int, body: AreaUpdate
) -> AreaRead:
    """Rename or move an area; raises :class:`NotFound`."""
    area = await _get_area(session, access.restaurant_id, area_id)
    for key, value in body.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(area, key, value)
    await session.flush()
    return AreaRead.model_validate(area)


async def delete_area(session: AsyncSession, access: Access, area_id: int) -> None:
    """Delete an area; its tables stay, without an area (each gets ``version`` + 1 and a
    ``table.updated`` event). Raises :class:`NotFound`."""
    rid = access.restaurant_id
    area = await _get_area(session, rid, area_id)
    result = await session.execute(
        scoped(update(DiningTable), rid)
        .where(DiningTable.area_id == area.id)
        .values(area_id=None, version=DiningTable.version + 1)
        .returning(*_TABLE_COLUMNS)
        .execution_options(synchronize_session=False)
    )
    moved = [TableRead(**row._mapping) for row in result]
    await session.delete(area)
    await session.flush()
    for table in moved:
        await _record_table(session, rid, "updated", table)


# --------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------


async def _get_table(session: AsyncSession, restaurant_id: int, table_id: int) -> DiningTable:
    table = await session.scalar(
        scoped(select(DiningTable), restaurant_id).where(DiningTable.id == table_id)
    )
    if table is None:
        raise NotFound(f"table {table_id} not found")
    return table


async def _check_name(
    session: AsyncSession, restaurant_id: int, name: str, except_id: int | None = None
) -> None:
    query = scoped(select(DiningTable.id), restaurant_id).where(DiningTable.name == name)
    if except_id is not None:
        query = query.where(DiningTable.id != except_id)
    if await session.scalar(query) is not None:
        raise _name_taken(name)()


def _name_taken(name: str) -> Callable[[], TableNameTaken]:
    """The :class:`TableNameTaken` for ``name`` (raised by :func:`_check_name`, or when a
    concurrent request took the name between that check and the write)."""
    return lambda: TableNameTaken(f"a table named {name!r} exists", name=name)


def _check_version(table: DiningTable, version: int | None) -> None:
    if version is not None and version != table.version:
        raise StaleVersion(
            f"table {table.id} is at version {table.version}, not {version}",
            current_version=table.version,
        )


async def _check_waiter(session: AsyncSession, restaurant_id: int, waiter_id: int | None) -> None:
    """Raise :class:`WaiterNotOnStaff` unless ``waiter_id`` is ``None`` or on the staff."""
    from brigade.restaurants.service import is_staff_member

    if waiter_id is not None and not await is_staff_member(session, restaurant_id, waiter_id):
        raise WaiterNotOnStaff(
            f"user {waiter_id} is not on the restaurant's staff", waiter_id=waiter_id
        )


#: Fields of a table that only the floor plan's editors set (``floor:plan``).
_PLAN_FIELDS = frozenset({"waiter_id", "plan_x", "plan_y", "plan_width", "plan_height", "shape"})


def _check_plan_access(access: Access, changed: set[str]) -> None:
    """Raise ``PermissionDenied`` when ``changed`` names a plan or section field and
    ``access`` lacks ``floor:plan`` (a waiter may rename a table, not move it or give it
    to another waiter)."""
    if changed & _PLAN_FIELDS:
        access.check(Permission.floor_plan)


def _check_plan(x: int | None, y: int | None, width: int, height: int) -> None:
    """Raise :class:`TableOffPlan` when the box at ``x``, ``y`` (``None``: not placed)
    reaches past the plan's :data:`PLAN_WIDTH` × :data:`PLAN_HEIGHT` units."""
    if (x is not None and x + width > PLAN_WIDTH) or (y is not None and y + height > PLAN_HEIGHT):
        raise TableOffPlan(
            f"a {width}×{height} table at ({x}, {y}) reaches past the"
            f" {PLAN_WIDTH}×{PLAN_HEIGHT} plan",
            plan_width=PLAN_WIDTH,
            plan_height=PLAN_HEIGHT,
        )


async def list_tables(
    session: AsyncSession,
    access: Access,
    *,
    area_id: int | None = None,
    status: Literal["free", "occupied"] | None = None,
) -> TableList:
    """The restaurant's tables (of ``area_id`` / with ``status`` when given) by position,
    then name."""
    query = scoped(select(*_TABLE_COLUMNS), access.restaurant_id)
    if area_id is not None:
        query = query.where(DiningTable.area_id == area_id)
    if status is not None:
        query = query.where(DiningTable.status == status)
    rows = await session.execute(query.order_by(DiningTable.position, DiningTable.name))
    items = [TableRead(**row._mapping) for row in rows]
    return TableList(items=items, total=len(items))


async def get_table(session: AsyncSession, access: Access, table_id: int) -> TableRead:
    """One table; raises :class:`NotFound`."""
    return TableRead.model_validate(await _get_table(session, access.restaurant_id, table_id))


async def create_table(session: AsyncSession, access: Access, body: TableCreate) -> TableRead:
    """Create a free table (version 1); event ``table.created``.

    The plan and section fields need ``floor:plan`` (``PermissionDenied`` otherwise).
    Raises :class:`NotFound` (unknown area), :class:`TableOffPlan` and
    :class:`WaiterNotOnStaff` (422) and :class:`TableNameTaken` (409, also when a
    concurrent request takes the name first: the insert is rolled back to its savepoint
    and the transaction goes on).
    """
    rid = access.restaurant_id
    if body.area_id is not None:
        await _get_area(session, rid, body.area_id)
    _check_plan_access(access, set(body.model_fields_set))
    _check_plan(body.plan_x, body.plan_y, body.plan_width, body.plan_height)
    await _check_waiter(session, rid, body.waiter_id)
    await _check_name(session, rid, body.name)
    table = DiningTable(
        restaurant_id=rid,
        area_id=body.area_id,
        name=body.name,
        seats=body.seats,
        position=body.position,
        waiter_id=body.waiter_id,
        plan_x=body.plan_x,
        plan_y=body.plan_y,
        plan_width=body.plan_width,
        plan_height=body.plan_height,
        shape=body.shape,
        status="free",
        version=1,
    )
    async with unique_guard(session, _NAME_UNIQUE, _name_taken(body.name)):
        session.add(table)
        await session.flush()
    read = TableRead.model_validate(table)
    await _record_table(session, rid, "created", read)
    return read


async def update_table(
    session: AsyncSession, access: Access, table_id: int, body: TableUpdate
) -> TableRead:
    """Change a table's name, seats, area, position, waiter (its section) or box on the
    plan (``plan_x``, ``plan_y``, ``plan_width``, ``plan_height``, ``shape``); ``version``
    + 1; event ``table.updated``.

    The plan and section fields need ``floor:plan`` (``PermissionDenied`` otherwise).
    Raises :class:`NotFound` (table or area), :class:`StaleVersion` (409: ``version``
    given and not current), :class:`TableOffPlan` and :class:`WaiterNotOnStaff` (422)
    and :class:`TableNameTaken` (409, also when a concurrent request takes the name
    first: the change is rolled back to its savepoint).
    """
    rid = access.restaurant_id
    table = await _get_table(session, rid, table_id)
    _check_version(table, body.version)
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    # These may be set to null (out of the area, of every section, off the plan); a null
    # for the others means "leave as is".
    nullable = {"area_id", "waiter_id", "plan_x", "plan_y"}
    changes = {k: v for k, v in changes.items() if v is not None or k in nullable}
    _check_plan_access(access, set(changes))
    if changes.get("area_id") is not None:
        await _get_area(session, rid, changes["area_id"])
    _check_plan(
        changes.get("plan_x", table.plan_x),
        changes.get("plan_y", table.plan_y),
        changes.get("plan_width", table.plan_width),
        changes.get("plan_height", table.plan_height),
    )
    if changes.get("waiter_id") is not None:
        await _check_waiter(session, rid, changes["waiter_id"])
    if changes.get("name") is not None and changes["name"] != table.name:
        await _check_name(session, rid, changes["name"], except_id=table.id)
    async with unique_guard(session, _NAME_UNIQUE, _name_taken(changes.get("name") or table.name)):
        for key, value in changes.items():
            setattr(table, key, value)
        table.version += 1
        await session.flush()
    read = TableRead.model_validate(table)
    await _record_table(session, rid, "updated", read)
    return read


async def delete_table(
    session: AsyncSession, access: Access, table_id: int, version: int | None = None
) -> None:
    """Delete a table (past orders keep their lines, without the table); event
    ``table.deleted`` with its last state. Its guest link stops working.

    Raises :class:`NotFound`, :class:`StaleVersion` and :class:`TableOccupied` (409: it
    has an open order).
    """
    rid = access.restaurant_id
    table = await _get_table(session, rid, table_id)
    _check_version(table, version)
    if table.current_order_id is not None or await _has_open_order(session, rid, table.id):
        raise TableOccupied(
            f"table {table.name!r} has an open order; close or move it first",
            table_id=table.id,
            current_order_id=table.current_order_id,
        )
    read = TableRead.model_validate(table)
    await session.delete(table)
    await session.flush()
    await _record_table(session, rid, "deleted", read)


async def _has_open_order(session: AsyncSession, restaurant_id: int, table_id: int) -> bool:
    """Whether an open order sits at the table (even one not seated through
    :func:`occupy_table`): asked of the orders context (:mod:`brigade.tables.hooks`)."""
    return await hooks.has_open_order(session, restaurant_id, table_id)


# --------------------------------------------------------------------------------------
# Guest links and QR codes
# --------------------------------------------------------------------------------------


async def guest_link(
    session: AsyncSession, access: Access, settings: Settings, table_id: int
) -> GuestLink:
    """The table's guest menu link and token; raises :class:`NotFound`."""
    table = await _get_table(session, access.restaurant_id, table_id)
    token = table_token(settings, access.restaurant_id, table.id)
    return GuestLink(url=guest_url(settings, access.restaurant_id, token), token=token)


async def guest_table(session: AsyncSession, restaurant_id: int, table_id: int) -> tuple[int, str]:
    """``(id, name)`` of the table a guest token names; raises :class:`InvalidTableToken`
    (401) when the table is gone."""
    row = (
        await session.execute(
            scoped(select(DiningTable.id, DiningTable.name), restaurant_id).where(
                DiningTable.id == table_id
            )
        )
    ).first()
    if row is None:
        raise InvalidTableToken("this table no longer exists")
    return row.id, row.name
