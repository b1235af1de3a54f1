"""Moving orders on the floor (issue 9, "Splitting and moving"): an order transferred to
another free table, and two tables' orders merged into one.

Both run on the order rows' locks (:func:`brigade.orders.service._write_head`) and on
the tables context's :func:`~brigade.tables.service.occupy_table` /
:func:`~brigade.tables.service.release_table`, so the floor follows (both tables'
state, ``table.updated`` for each). Lines keep their ids and statuses when they move:
the kitchen's tickets and ticket items keep their history and nothing is sent to the
kitchen again.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, Text, bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access
from brigade.auth.permissions import Permission
from brigade.infra.db import UTCDateTime, utcnow
from brigade.orders import hooks
from brigade.orders.exceptions import CannotMergeOrder
from brigade.orders.models import Order, OrderItem
from brigade.orders.schemas import OrderMerge, OrderRead, OrderStatus, OrderTransfer
from brigade.orders.service import (
    _B_RID,
    _ORDER_COLUMNS,
    ORDER_CANCELLED,
    _currency,
    _items_of,
    _record,
    _table_name,
    _write_head,
    order_read,
)
from brigade.tables.service import occupy_table, release_table
from brigade.tenancy import scoped

ORDER_TRANSFERRED = "order.transferred"
ORDER_MERGED = "order.merged"

_orders = cast(Table, Order.__table__)
_items = cast(Table, OrderItem.__table__)

_SET_TABLE = (
    scoped(update(_orders), _B_RID)
    .where(_orders.c.id == bindparam("b_order_id"))
    .values(table_id=bindparam("b_table_id"))
    .returning(*_ORDER_COLUMNS, _currency, _table_name)
)
_MOVE_LINES = (
    scoped(update(_items), _B_RID)
    .where(_items.c.order_id == bindparam("b_from"))
    .values(order_id=bindparam("b_to"))
)
_MERGED_AWAY = (
    scoped(update(_orders), _B_RID)
    .where(_orders.c.id == bindparam("b_order_id"))
    .values(
        status=OrderStatus.cancelled.value,
        closed_at=bindparam("b_now", type_=UTCDateTime()),
        cancel_reason=bindparam("b_reason", type_=Text()),
    )
    .returning(*_ORDER_COLUMNS, _currency, _table_name)
)


async def transfer_order(
    session: AsyncSession, access: Access, order_id: int, data: OrderTransfer
) -> OrderRead:
    """Move open dine-in order ``order_id`` to free table ``data.table_id``: the new
    table is occupied, the old one freed (``table.updated`` for each), the order's
    ``table_id`` and ``version`` (+ 1) change; event ``order.transferred`` ``{"order",
    "from_table_id"}``. A takeaway order gets a table so (it becomes seated). The same
    table is no move (answered as is).

    Raises ``PermissionDenied`` (no ``orders:write``), ``NotFound`` (order or table),
    ``OrderClosed``, ``StaleVersion`` and ``TableOccupied`` (409: the table holds
    another open order); on an error nothing is written.
    """
    access.check(Permission.orders_write)
    restaurant_id = access.restaurant_id
    head = await _write_head(session, restaurant_id, order_id, data.version)
    before = head.row.table_id
    items = await _items_of(session, restaurant_id, order_id)
    if before == data.table_id:
        return order_read(head.row, head.currency, items)
    await occupy_table(session, restaurant_id, data.table_id, order_id)
    if before is not None:
        await release_table(session, restaurant_id, before, order_id)
    row = (
        await session.execute(
            _SET_TABLE,
            {"b_order_id": order_id, "b_rid": restaurant_id, "b_table_id": data.table_id},
        )
    ).one()
    order = order_read(row, row.currency, items)
    await _record(session, restaurant_id, ORDER_TRANSFERRED, order, from_table_id=before)
    return order


async def merge_orders(
    session: AsyncSession, access: Access, order_id: int, data: OrderMerge
) -> OrderRead:
    """Merge open order ``data.order_id`` into open order ``order_id`` (two tables pushed
    together): its lines move, with their ids, statuses and kitchen history (nothing is
    fired again); it is ``cancelled`` with reason ``merged into order N`` and its table
    freed (``table.updated``). ``order_id``'s ``version`` + 1; events ``order.merged``
    ``{"order", "merged_order_id"}`` (and ``order.cancelled`` of the other). The order
    merged away may have no check (billing's cancel guard: 409 ``order-has-check``);
    an open check of ``order_id`` bills the lines on its next read.

    Raises ``PermissionDenied`` (no ``orders:write``), ``NotFound``, ``OrderClosed``,
    ``StaleVersion`` (of ``order_id``), ``CannotMergeOrder`` (409: with itself) and
    ``OrderHasCheck`` (409); on an error nothing is written.
    """
    access.check(Permission.orders_write)
    restaurant_id = access.restaurant_id
    if data.order_id == order_id:
        await _write_head(session, restaurant_id, order_id, data.version)  # 404 first
        raise CannotMergeOrder("an order cannot be merged into itself")
    # Both rows taken in id order, so two merges of the same pair cannot deadlock.
    first, second = sorted((order_id, data.order_id))
    heads = {
        first: await _write_head(
            session, restaurant_id, first, data.version if first == order_id else None
        ),
        second: await _write_head(
            session, restaurant_id, second, data.version if second == order_id else None
        ),
    }
    into, away = heads[order_id], heads[data.order_id]
    await hooks.before_cancel(session, restaurant_id, data.order_id)  # billing: no check
    await session.execute(
        _MOVE_LINES, {"b_rid": restaurant_id, "b_from": data.order_id, "b_to": order_id}
    )
    gone = (
        await session.execute(
            _MERGED_AWAY,
            {
                "b_order_id": data.order_id,
                "b_rid": restaurant_id,
                "b_now": utcnow(),
                "b_reason": f"merged into order {order_id}",
            },
        )
    ).one()
    if away.row.table_id is not None:
        await release_table(session, restaurant_id, away.row.table_id, data.order_id)
    items = await _items_of(session, restaurant_id, order_id)
    await _record(session, restaurant_id, ORDER_CANCELLED, order_read(gone, gone.currency, []))
    order = order_read(into.row, into.currency, items)
    await _record(session, restaurant_id, ORDER_MERGED, order, merged_order_id=data.order_id)
    return order
