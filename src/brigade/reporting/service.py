"""Reports: sales and product sales over a range of the restaurant's business dates.

Every figure is one SQL aggregate (``COUNT``/``SUM`` ... ``GROUP BY``) scoped by
``restaurant_id``; no rows are brought into Python. What counts: orders with status
``closed`` whose ``business_date`` (the local date in the restaurant's time zone, fixed
when the order was opened) lies in the range, and their lines that are not ``voided``.
Net sales are the sum of those lines' ``line_total`` (minor units).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.billing.models import Check
from brigade.infra.errors import NotFound
from brigade.infra.prepared import dialect_name
from brigade.menu.models import Category, MenuItem
from brigade.money import round_half_up_div
from brigade.orders.models import Order, OrderItem
from brigade.reporting.exceptions import InvalidDateRange
from brigade.reporting.grouping import Range, sales_groups
from brigade.reporting.schemas import (
    ProductReport,
    ProductSales,
    ProductSort,
    SalesGroupBy,
    SalesReport,
)
from brigade.restaurants.models import Restaurant
from brigade.tenancy import owned_by, scoped

CLOSED = "closed"
VOIDED = "voided"
PAID = "paid"


def _check_range(start_date: date, end_date: date) -> None:
    if end_date < start_date:
        raise InvalidDateRange(
            f"end_date {end_date.isoformat()} is before start_date {start_date.isoformat()}"
        )


def _closed_orders(restaurant_id: int, start_date: date, end_date: date) -> list[Any]:
    """WHERE clauses selecting the restaurant's closed orders of the range."""
    return [
        owned_by(Order, restaurant_id),
        Order.status == CLOSED,
        Order.business_date >= start_date,
        Order.business_date <= end_date,
    ]


async def _currency(session: AsyncSession, restaurant_id: int) -> str:
    return (await restaurant_of(session, restaurant_id))[0]


async def restaurant_of(session: AsyncSession, restaurant_id: int) -> tuple[str, str]:
    """``(currency, time_zone)`` of the restaurant; raises :class:`NotFound`."""
    row = (
        await session.execute(
            scoped(select(Restaurant.currency, Restaurant.time_zone), restaurant_id)
        )
    ).first()
    if row is None:
        raise NotFound("restaurant not found")
    return str(row[0]), str(row[1])


async def report_range(
    session: AsyncSession, restaurant_id: int, start_date: date, end_date: date
) -> tuple[str, Range]:
    """The restaurant's currency and the :class:`~brigade.reporting.grouping.Range` of a
    report; raises :class:`InvalidDateRange` and :class:`NotFound`."""
    _check_range(start_date, end_date)
    currency, time_zone = await restaurant_of(session, restaurant_id)
    return currency, Range(restaurant_id, start_date, end_date, time_zone, dialect_name(session))


async def sales_report(
    session: AsyncSession,
    restaurant_id: int,
    start_date: date,
    end_date: date,
    group_by: SalesGroupBy | None = None,
) -> SalesReport:
    """Orders, items sold, net sales, tax and average order value of the closed orders
    with a business date in ``start_date..end_date`` (inclusive). Amounts in minor
    units; the average is ``net_sales / orders`` rounded half-up (0 without orders).
    With ``group_by``, ``groups`` splits the sold lines
    (:func:`brigade.reporting.grouping.sales_groups`).

    One statement (the orders counted, their lines summed in one pass, the paid
    checks' tax; one more for the groups). Raises
    :class:`InvalidDateRange` when ``end_date < start_date``, :class:`NotFound` for an
    unknown restaurant.
    """
    currency, span = await report_range(session, restaurant_id, start_date, end_date)
    closed = _closed_orders(restaurant_id, start_date, end_date)
    lines = (
        scoped(
            select(OrderItem.quantity, OrderItem.line_total)
            .join(Order, Order.id == OrderItem.order_id)
            .where(*closed),
            restaurant_id,
            OrderItem,
        )
        .where(OrderItem.status != VOIDED)
        .subquery()
    )
    orders = select(func.count()).select_from(Order).where(*closed).scalar_subquery()
    # Items and net sales in one pass over the lines (a derived table of one row).
    sold = select(
        func.coalesce(func.sum(lines.c.quantity), 0).label("items_sold"),
        func.coalesce(func.sum(lines.c.line_total), 0).label("net_sales"),
    ).subquery("sold")
    # Checks are reached through their order only (scoped by the order's restaurant) and
    # their status is tested inside the sum: with a ``checks.restaurant_id`` or
    # ``checks.status`` predicate, a planner without fresh statistics (SQLite never has
    # them; PostgreSQL right after a bulk import) walks the checks' (restaurant_id,
    # status) index once per order, quadratic in a year of orders.
    paid_tax = case((Check.status == PAID, Check.tax_total), else_=0)
    tax = (
        select(func.coalesce(func.sum(paid_tax), 0))
        .join(Order, Order.id == Check.order_id)
        .where(*closed)
        .scalar_subquery()
    )
    row = (await session.execute(select(orders, sold.c.items_sold, sold.c.net_sales, tax))).one()
    n_orders, n_items, net, tax_total = (int(value) for value in row)
    return SalesReport(
        start_date=start_date,
        end_date=end_date,
        currency=currency,
        orders=n_orders,
        items_sold=n_items,
        net_sales=net,
        tax=tax_total,
        average_order_value=round_half_up_div(net, n_orders) if n_orders else 0,
        group_by=group_by,
        groups=None if group_by is None else await sales_groups(session, span, group_by),
    )


async def product_report(
    session: AsyncSession,
    restaurant_id: int,
    start_date: date,
    end_date: date,
    *,
    sort: ProductSort = ProductSort.revenue,
    limit: int = 100,
    offset: int = 0,
) -> ProductReport:
    """Quantity and net sales (minor units) per menu item over the closed orders with a
    business date in ``start_date..end_date``, largest first by ``sort``, ties by name
    then id; ``limit``/``offset`` page the items, ``total`` counts them all.

    Lines of a deleted menu item (``menu_item_id`` null) are grouped by their snapshot
    name. Raises :class:`InvalidDateRange`, :class:`NotFound` as :func:`sales_report`.
    """
    _check_range(start_date, end_date)
    currency = await _currency(session, restaurant_id)
    closed = _closed_orders(restaurant_id, start_date, end_date)
    # Lines whose item was deleted keep their snapshot name as the grouping key.
    orphan_name = case((OrderItem.menu_item_id.is_(None), OrderItem.name), else_=None)
    name = func.coalesce(MenuItem.name, orphan_name).label("name")
    category = func.coalesce(Category.name, func.max(OrderItem.category_name)).label("category")
    quantity = func.sum(OrderItem.quantity).label("quantity")
    net_sales = func.sum(OrderItem.line_total).label("net_sales")
    # Scoped by the lines, named: the outer-joined item and category are scoped in their
    # joins (a WHERE condition on them would drop the lines of deleted items).
    grouped = (
        scoped(
            select(OrderItem.menu_item_id, name, category, quantity, net_sales)
            .join(Order, Order.id == OrderItem.order_id)
            .outerjoin(
                MenuItem,
                and_(MenuItem.id == OrderItem.menu_item_id, owned_by(MenuItem, restaurant_id)),
            )
            .outerjoin(
                Category,
                and_(Category.id == MenuItem.category_id, owned_by(Category, restaurant_id)),
            )
            .where(*closed),
            restaurant_id,
            OrderItem,
        )
        .where(OrderItem.status != VOIDED)
        .group_by(OrderItem.menu_item_id, orphan_name, MenuItem.name, Category.name)
    )
    key: ColumnElement[Any] = net_sales if sort is ProductSort.revenue else quantity
    page = grouped.order_by(key.desc(), name, OrderItem.menu_item_id).limit(limit).offset(offset)
    rows = (await session.execute(page)).all()
    if offset == 0 and len(rows) < limit:
        total: int | None = len(rows)  # the whole list fit in the page: no second pass
    else:
        total = await session.scalar(select(func.count()).select_from(grouped.subquery()))
    return ProductReport(
        start_date=start_date,
        end_date=end_date,
        currency=currency,
        sort=sort,
        items=[
            ProductSales(
                menu_item_id=row.menu_item_id,
                name=row.name,
                category=row.category or "",
                quantity=int(row.quantity),
                net_sales=int(row.net_sales),
            )
            for row in rows
        ],
        total=int(total or 0),
    )
