"""The groups of the sales report (``group_by``): one SQL aggregate over the sold lines.

The sold lines are those :mod:`brigade.reporting.service` counts (not voided, of closed
orders whose business date lies in the range). Each ``group_by`` is a key (and, for
names, a label) computed in SQL; the statement groups and sums, and only the groups
come back. Temporal labels (a weekday's name, ``2015-W01``, ``January 2015``) are
written from the key.

An order paid with two methods belongs to both ``payment_method`` groups (with all its
lines): a split check by method counts in each.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    distinct,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.billing.models import Check, Payment
from brigade.menu.models import Category, MenuItem, Variation
from brigade.orders.models import Order, OrderItem
from brigade.reporting import timeparts
from brigade.reporting.schemas import SalesGroup, SalesGroupBy
from brigade.restaurants.api import staff_name_of
from brigade.tenancy import owned_by, scoped

VOIDED = "voided"
#: The key's name in the statement. A computed key (a local hour, a week) is grouped by
#: this name: written out again, its bound values (the time zone) would make it another
#: expression for PostgreSQL.
_KEY = "group_key"
_BY_KEY: ColumnElement[Any] = literal_column(_KEY)
#: A space, written inline in the SQL (so that a label grouped by is one expression).
_SPACE: ColumnElement[str] = literal_column("' '")


@dataclass(frozen=True, slots=True)
class Range:
    """The report's restaurant, local dates, time zone and database dialect."""

    restaurant_id: int
    start_date: date
    end_date: date
    time_zone: str
    dialect: str


def closed_orders(r: Range) -> list[ColumnElement[bool]]:
    """WHERE clauses selecting the restaurant's closed orders of the range."""
    return [
        owned_by(Order, r.restaurant_id),
        Order.status == "closed",
        Order.business_date >= r.start_date,
        Order.business_date <= r.end_date,
    ]


def sold_lines(r: Range, *columns: Any) -> Select[Any]:
    """``SELECT columns`` over the sold lines of the range joined with their order."""
    return scoped(
        select(*columns).select_from(OrderItem).join(Order, Order.id == OrderItem.order_id),
        r.restaurant_id,
        OrderItem,
    ).where(*closed_orders(r), OrderItem.status != VOIDED)


def _weekday_label(key: Any) -> str:
    return calendar.day_name[int(key) - 1]


def _week_label(key: Any) -> str:
    year, week, _ = date.fromisoformat(str(key)).isocalendar()
    return f"{year}-W{week:02d}"


def _month_label(key: Any) -> str:
    year, month = (int(part) for part in str(key).split("-"))
    return f"{calendar.month_name[month]} {year}"


def _iso(key: Any) -> str:
    return str(key)[:10]


async def _hour_bounds(session: AsyncSession, r: Range) -> tuple[datetime, datetime]:
    """The UTC instants around the range's orders (their first and last business
    dates), so that SQLite's offsets are computed only where orders are."""
    first, last = (
        await session.execute(
            select(func.min(Order.business_date), func.max(Order.business_date)).where(
                *closed_orders(r)
            )
        )
    ).one()
    if first is None:
        first = last = r.start_date
    return timeparts.day_bounds(_as_date(first), _as_date(last))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def sales_groups(session: AsyncSession, r: Range, group_by: SalesGroupBy) -> list[SalesGroup]:
    """The groups of the sold lines by ``group_by`` (see :class:`SalesGroupBy`), sorted
    by key (null last): ``orders`` counts the distinct orders with a line in the group,
    ``items_sold`` and ``net_sales`` (minor units) sum its lines. One statement (two
    for ``hour`` on SQLite, whose offsets depend on where the orders are)."""
    rid = r.restaurant_id
    # Columns of ORM attributes and SQL expressions alike.
    key: Any
    label: Any = None
    joins: list[tuple[Any, Any]] = []
    group: Sequence[Any]
    relabel: Callable[[Any], str] | None = None
    if group_by is SalesGroupBy.hour:
        bounds = await _hour_bounds(session, r) if r.dialect != "postgresql" else None
        key = timeparts.local_hour(r.dialect, Order.opened_at, r.time_zone, bounds)
        group, relabel = [_BY_KEY], (lambda k: f"{int(k):02d}:00")
    elif group_by is SalesGroupBy.weekday:
        key = timeparts.iso_weekday(r.dialect, Order.business_date)
        group, relabel = [_BY_KEY], _weekday_label
    elif group_by is SalesGroupBy.day:
        key = Order.business_date
        group, relabel = [_BY_KEY], _iso
    elif group_by is SalesGroupBy.week:
        key = timeparts.week_start(r.dialect, Order.business_date)
        group, relabel = [_BY_KEY], _week_label
    elif group_by is SalesGroupBy.month:
        key = timeparts.month_of(r.dialect, Order.business_date)
        group, relabel = [_BY_KEY], _month_label
    elif group_by is SalesGroupBy.category:
        joins = [
            (MenuItem, and_(MenuItem.id == OrderItem.menu_item_id, owned_by(MenuItem, rid))),
            (Category, and_(Category.id == MenuItem.category_id, owned_by(Category, rid))),
        ]
        # Lines whose item is gone keep their snapshot category name as the grouping.
        orphan = case((Category.id.is_(None), OrderItem.category_name), else_=None)
        key = Category.id
        label = func.coalesce(Category.name, orphan)
        group = [Category.id, Category.name, orphan]
    elif group_by is SalesGroupBy.item:
        joins = [(MenuItem, and_(MenuItem.id == OrderItem.menu_item_id, owned_by(MenuItem, rid)))]
        orphan = case((MenuItem.id.is_(None), OrderItem.name), else_=None)
        key = MenuItem.id
        label = func.coalesce(MenuItem.name, orphan)
        group = [MenuItem.id, MenuItem.name, orphan]
    elif group_by is SalesGroupBy.variation:
        joins = [
            (Variation, and_(Variation.id == OrderItem.variation_id, owned_by(Variation, rid))),
            (MenuItem, and_(MenuItem.id == Variation.item_id, owned_by(MenuItem, rid))),
        ]
        current = MenuItem.name + _SPACE + Variation.name
        orphan = case(
            (Variation.id.is_(None), OrderItem.name + _SPACE + OrderItem.variation_name),
            else_=None,
        )
        key = Variation.id
        label = func.coalesce(current, orphan)
        group = [Variation.id, Variation.name, MenuItem.name, orphan]
    elif group_by is SalesGroupBy.size:
        key = label = OrderItem.variation_name
        group = [key]
    elif group_by is SalesGroupBy.waiter:
        key = Order.opened_by
        label = func.coalesce(staff_name_of(Order.opened_by, literal(rid)), literal(""))
        group = [key]
    elif group_by is SalesGroupBy.station:
        key = label = OrderItem.station
        group = [key]
    else:  # payment_method
        methods = (
            scoped(select(Check.order_id, Payment.method), rid, Payment, Check)
            .join(Check, Check.id == Payment.check_id)
            .where(Payment.voided_at.is_(None))
            .distinct()
            .subquery("methods")
        )
        joins = [(methods, methods.c.order_id == Order.id)]
        key = label = methods.c.method
        group = [key]
        return await _run(session, r, key, label, group, joins, None, inner=True)
    return await _run(session, r, key, label, group, joins, relabel)


async def _run(
    session: AsyncSession,
    r: Range,
    key: Any,
    label: Any,
    group: Sequence[Any],
    joins: list[tuple[Any, Any]],
    relabel: Callable[[Any], str] | None,
    *,
    inner: bool = False,
) -> list[SalesGroup]:
    columns = [
        key.label(_KEY),
        (label if label is not None else literal("")).label("label"),
        func.count(distinct(OrderItem.order_id)).label("orders"),
        func.coalesce(func.sum(OrderItem.quantity), 0).label("items_sold"),
        func.coalesce(func.sum(OrderItem.line_total), 0).label("net_sales"),
    ]
    statement = sold_lines(r, *columns)
    for target, on in joins:
        statement = statement.join(target, on) if inner else statement.outerjoin(target, on)
    rows = (await session.execute(statement.group_by(*group))).all()
    groups = []
    for row in rows:
        value = row.group_key
        if isinstance(value, date):  # a day, or a week's Monday on PostgreSQL
            value = value.isoformat()
        groups.append(
            SalesGroup(
                key=value,
                label=relabel(value) if relabel is not None else (row.label or ""),
                orders=int(row.orders),
                items_sold=int(row.items_sold),
                net_sales=int(row.net_sales),
            )
        )
    # A few groups at most (days of the range, items of the menu): sorted here, null last
    # (the databases disagree on where NULL sorts).
    groups.sort(key=lambda g: (g.key is None, g.key if g.key is not None else 0))
    return groups
