"""The floor screen's view: every table with the live service state of its open order.

A read model of the read side (beside the reports): it reads the tables', orders',
order lines', checks', users' and restaurant's tables in two statements and writes
none of them; the rules of those stay in their contexts. Served at ``GET
/restaurants/{restaurant_id}/floor`` (:mod:`brigade.reporting.router`, permission
``tables:read``).

:func:`floor` reads the restaurant's areas, then every table joined with its open order
(``current_order_id``), that order's lines summed per status, its open check, the
table's waiter and the order's opener, and the course still held: two queries
whatever the size of the floor.

How a table's ``service_state`` is chosen (the first that holds):

================== ================================================================
``free``           no open order at the table
``check_requested`` the order has an open check (a waiter requested it, or the till opened it)
``ready``          a line is ``ready``: the kitchen marked it ready or bumped it
                   (``brigade.kitchen.service``), nobody served it yet
``in_kitchen``     a line is ``fired`` or ``preparing``
``seated``         otherwise: lines only ``pending`` (held courses), ``served`` or
                   ``voided``, or no line yet
================== ================================================================

A floor stays live by re-reading (or patching) on ``table.*``, ``order.*``,
``ticket.*`` and ``check.*`` events; see docs/realtime.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import BindParameter, Column, Table, and_, bindparam, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.models import User
from brigade.auth.permissions import Permission
from brigade.billing.models import Check
from brigade.orders.models import Order, OrderItem
from brigade.restaurants.models import Restaurant
from brigade.tables.models import Area, DiningTable
from brigade.tables.schemas import AreaRead, Floor, FloorTable, ServiceState, TableRead
from brigade.tenancy import same_restaurant, scoped

if TYPE_CHECKING:
    from brigade.auth.dependencies import Access

_areas = cast(Table, Area.__table__)
_tables = cast(Table, DiningTable.__table__)
_orders = cast(Table, Order.__table__)
_lines = cast(Table, OrderItem.__table__)
_checks = cast(Table, Check.__table__)
_restaurants = cast(Table, Restaurant.__table__)
_users = cast(Table, User.__table__)
_waiters = _users.alias("waiters")
_openers = _users.alias("openers")
_R: BindParameter[int] = bindparam("r")

#: The columns of :class:`TableRead`, in its field order.
_TABLE_COLUMNS: tuple[Column[Any], ...] = tuple(_tables.c[name] for name in TableRead.model_fields)


def _lines_with(*statuses: str) -> Any:
    """How many lines have one of ``statuses`` (0 for none), for the lines' GROUP BY."""
    matches = or_(*(_lines.c.status == status for status in statuses))
    return func.coalesce(func.sum(case((matches, 1), else_=0)), 0)


# Both statements are built once and executed with ``{"r": restaurant_id}``.
_FLOOR_AREAS = scoped(select(_areas.c.id, _areas.c.name, _areas.c.position), _R).order_by(
    _areas.c.position, _areas.c.id
)
#: The lines of the orders seated at the restaurant's tables, summed per order.
_FLOOR_LINES = (
    scoped(
        select(
            _lines.c.order_id,
            func.coalesce(
                func.sum(case((_lines.c.status != "voided", _lines.c.line_total), else_=0)), 0
            ).label("subtotal"),
            _lines_with("pending").label("pending"),
            _lines_with("fired", "preparing").label("in_kitchen"),
            _lines_with("ready").label("ready"),
            func.max(_lines.c.fired_at).label("last_fired_at"),
            func.max(
                case(
                    (
                        and_(_lines.c.fired_at.is_not(None), _lines.c.status != "voided"),
                        _lines.c.course,
                    )
                )
            ).label("top_fired"),
        ),
        _R,
        _lines,
    )
    .where(
        _lines.c.order_id.in_(
            scoped(select(_tables.c.current_order_id), _R).where(
                _tables.c.current_order_id.is_not(None)
            )
        ),
    )
    .group_by(_lines.c.order_id)
    .subquery("floor_lines")
)


def _display_name(users: Any) -> Any:
    """A user's full name, else their username (staff see each other's usernames on the
    staff screen already)."""
    return func.coalesce(func.nullif(func.trim(users.c.full_name), ""), users.c.username)


#: The open check of the outer query's order (the latest, should there be several).
_FLOOR_OPEN_CHECK = (
    scoped(select(func.max(_checks.c.id)), _R, _checks)
    .where(_checks.c.order_id == _orders.c.id, _checks.c.status == "open")
    .correlate(_orders)
    .scalar_subquery()
)
_held_lines = _lines.alias("held_lines")
#: The held course of the outer query's order: the lowest course with lines not fired
#: yet above both the highest course fired and 1 (the course that *send* fires).
_FLOOR_HELD_COURSE = (
    scoped(select(func.min(_held_lines.c.course)), _R, _held_lines)
    .where(
        _held_lines.c.order_id == _orders.c.id,
        _held_lines.c.status == "pending",
        _held_lines.c.course > func.coalesce(_FLOOR_LINES.c.top_fired, 1),
    )
    .correlate(_orders, _FLOOR_LINES)
    .scalar_subquery()
)
#: Every table with its open order (when it holds one), the order's line counts, its open
#: check and the restaurant's currency: one row per table. Scoped by the tables, named:
#: the outer-joined order is tied to its table's restaurant in the join.
_FLOOR_TABLES = scoped(
    select(
        *_TABLE_COLUMNS,
        _orders.c.id.label("order_id"),
        _orders.c.version.label("order_version"),
        _orders.c.covers.label("covers"),
        _FLOOR_LINES.c.subtotal,
        _FLOOR_LINES.c.pending,
        _FLOOR_LINES.c.in_kitchen,
        _FLOOR_LINES.c.ready,
        _FLOOR_OPEN_CHECK.label("check_id"),
        scoped(select(_restaurants.c.currency), _R).scalar_subquery().label("currency"),
        _FLOOR_LINES.c.last_fired_at,
        _FLOOR_HELD_COURSE.label("held_course"),
        _orders.c.next_fire_course,
        _orders.c.next_fire_at,
        _orders.c.opened_by,
        _display_name(_waiters).label("waiter_name"),
        _display_name(_openers).label("opened_by_name"),
    ).select_from(
        _tables.outerjoin(
            _orders,
            and_(
                _orders.c.id == _tables.c.current_order_id,
                same_restaurant(_orders, _tables),
                _orders.c.status == "open",
            ),
        )
        .outerjoin(_FLOOR_LINES, _FLOOR_LINES.c.order_id == _orders.c.id)
        .outerjoin(_waiters, _waiters.c.id == _tables.c.waiter_id)
        .outerjoin(_openers, _openers.c.id == _orders.c.opened_by)
    ),
    _R,
    _tables,
).order_by(_tables.c.position, _tables.c.name)


def service_state(
    *, has_order: bool, check_open: bool, lines_ready: int, lines_in_kitchen: int
) -> ServiceState:
    """The floor state of a table (see the module's table): ``free`` without an open
    order, else the first of ``check_requested`` > ``ready`` > ``in_kitchen`` that
    holds, else ``seated``."""
    if not has_order:
        return "free"
    if check_open:
        return "check_requested"
    if lines_ready > 0:
        return "ready"
    if lines_in_kitchen > 0:
        return "in_kitchen"
    return "seated"


def _floor_table(row: Any) -> FloorTable:
    """A :class:`FloorTable` from a row of :data:`_FLOOR_TABLES`."""
    has_order = row.order_id is not None
    pending, in_kitchen, ready = (int(n or 0) for n in (row.pending, row.in_kitchen, row.ready))
    return FloorTable(
        **{column.key: row._mapping[column.key] for column in _TABLE_COLUMNS},
        service_state=service_state(
            has_order=has_order,
            check_open=row.check_id is not None,
            lines_ready=ready,
            lines_in_kitchen=in_kitchen,
        ),
        order_id=row.order_id,
        order_version=row.order_version,
        covers=row.covers,
        # SUM of a BIGINT is a NUMERIC on PostgreSQL: back to an int of minor units.
        order_subtotal=int(row.subtotal or 0) if has_order else None,
        currency=row.currency,
        check_id=row.check_id,
        lines_pending=pending,
        lines_in_kitchen=in_kitchen,
        lines_ready=ready,
        waiter_name=row.waiter_name,
        opened_by=row.opened_by if has_order else None,
        opened_by_name=row.opened_by_name if has_order else None,
        held_course=row.held_course if has_order else None,
        last_fired_at=row.last_fired_at if has_order else None,
        next_fire_course=row.next_fire_course if has_order else None,
        next_fire_at=row.next_fire_at if has_order else None,
    )


async def floor(session: AsyncSession, access: Access) -> Floor:
    """The floor screen: ``{"areas": [AreaRead], "tables": [FloorTable]}``, areas by
    position then id, tables by position then name, each table with the service state of
    its open order (:class:`~brigade.tables.schemas.FloorTable`).

    Two queries whatever the number of tables and orders. Raises ``PermissionDenied``
    without ``tables:read``.
    """
    access.check(Permission.tables_read)
    params = {"r": access.restaurant_id}
    areas = [
        AreaRead(id=row.id, name=row.name, position=row.position)
        for row in await session.execute(_FLOOR_AREAS, params)
    ]
    tables = [_floor_table(row) for row in await session.execute(_FLOOR_TABLES, params)]
    return Floor(areas=areas, tables=tables)
