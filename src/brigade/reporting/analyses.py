"""The manager's analyses beside the sales report: best and worst sellers, average
check and revenue per cover, table turn times, discounts / comps / voids / refunds,
tips by waiter and kitchen prep times against the stations' targets.

Each is one SQL aggregate (``GROUP BY`` in the database, only the groups come back),
scoped by ``restaurant_id`` on every table it reads, over the range's business dates
(:class:`brigade.reporting.grouping.Range`). Amounts in minor units, times in seconds;
averages rounded half-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    distinct,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.billing.models import Check, CheckDiscount, Payment, PaymentReversal
from brigade.kitchen.models import TicketItem
from brigade.menu.models import MenuItem, Variation
from brigade.money import round_half_up_div
from brigade.orders.models import Order, OrderItem
from brigade.reporting import timeparts
from brigade.reporting.grouping import VOIDED, Range, closed_orders, sold_lines
from brigade.reporting.schemas import (
    Adjustment,
    AdjustmentBy,
    AdjustmentKind,
    AdjustmentsReport,
    ChecksReport,
    PrepBy,
    PrepTime,
    PrepTimesReport,
    ProductSort,
    Ranking,
    Seller,
    SellersReport,
    SellerUnit,
    TableTurn,
    TableTurnsReport,
    TipsReport,
    WaiterTips,
)
from brigade.restaurants.api import staff_name_of
from brigade.restaurants.models import Restaurant
from brigade.tables.models import DiningTable
from brigade.tenancy import owned_by, scoped

#: A station's target prep time (seconds) when the restaurant sets none. The
#: restaurant's ``station_prep_targets`` setting ({station: seconds}) replaces it per
#: station (see :func:`prep_targets`).
DEFAULT_PREP_TARGET_SECONDS = 900

_SPACE: ColumnElement[str] = literal_column("' '")


def _round(value: Any) -> int:
    """A database average (float, Decimal or None) as whole units, half-up."""
    if value is None:
        return 0
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


async def sellers(
    session: AsyncSession,
    r: Range,
    currency: str,
    *,
    per: SellerUnit,
    sort: ProductSort,
    ranking: Ranking,
    limit: int,
) -> SellersReport:
    """The ``limit`` best (largest first) or worst (smallest first) sellers by
    ``sort`` among the items (or sizes) sold in the range; ties by label, then key.
    Lines of a deleted item or size are grouped by their snapshot names (key null)."""
    rid = r.restaurant_id
    if per is SellerUnit.item:
        joined = and_(MenuItem.id == OrderItem.menu_item_id, owned_by(MenuItem, rid))
        orphan = case((MenuItem.id.is_(None), OrderItem.name), else_=None)
        key: Any = MenuItem.id
        label: Any = func.coalesce(MenuItem.name, orphan)
        group: list[Any] = [MenuItem.id, MenuItem.name, orphan]
        statement = sold_lines(r, key.label("key"), label.label("label"), *_figures())
        statement = statement.outerjoin(MenuItem, joined)
    else:
        orphan = case(
            (Variation.id.is_(None), OrderItem.name + _SPACE + OrderItem.variation_name),
            else_=None,
        )
        key = Variation.id
        label = func.coalesce(MenuItem.name + _SPACE + Variation.name, orphan)
        group = [Variation.id, Variation.name, MenuItem.name, orphan]
        statement = (
            sold_lines(r, key.label("key"), label.label("label"), *_figures())
            .outerjoin(
                Variation,
                and_(Variation.id == OrderItem.variation_id, owned_by(Variation, rid)),
            )
            .outerjoin(MenuItem, and_(MenuItem.id == Variation.item_id, owned_by(MenuItem, rid)))
        )
    measure: ColumnElement[Any] = literal_column(
        "quantity" if sort is ProductSort.quantity else "net_sales"
    )
    order = measure.desc() if ranking is Ranking.best else measure.asc()
    statement = (
        statement.group_by(*group)
        .order_by(order, literal_column("label"), literal_column("key"))
        .limit(limit)
    )
    rows = (await session.execute(statement)).all()
    return SellersReport(
        start_date=r.start_date,
        end_date=r.end_date,
        currency=currency,
        per=per,
        sort=sort,
        ranking=ranking,
        sellers=[
            Seller(
                key=row.key,
                label=row.label or "",
                quantity=int(row.quantity),
                net_sales=int(row.net_sales),
                orders=int(row.orders),
            )
            for row in rows
        ],
    )


def _sortable(key: int | str | None) -> tuple[int, str]:
    """A key of ints or texts (or null) in its natural order."""
    return (key, "") if isinstance(key, int) else (0, key or "")


def _figures() -> list[Any]:
    return [
        func.sum(OrderItem.quantity).label("quantity"),
        func.sum(OrderItem.line_total).label("net_sales"),
        func.count(distinct(OrderItem.order_id)).label("orders"),
    ]


async def checks(session: AsyncSession, r: Range, currency: str) -> ChecksReport:
    """Orders, covers, net sales, average check (net sales / orders) and revenue per
    cover (net sales of the orders with covers / their covers) of the closed orders in
    the range. One statement: the orders' lines summed per order, then over the
    orders."""
    per_order = (
        sold_lines(r, OrderItem.order_id, func.sum(OrderItem.line_total).label("net"))
        .group_by(OrderItem.order_id)
        .subquery("per_order")
    )
    orders = (
        scoped(
            select(
                func.count().label("orders"),
                func.coalesce(func.sum(Order.covers), 0).label("covers"),
                func.coalesce(func.sum(per_order.c.net), 0).label("net"),
                func.coalesce(
                    func.sum(case((Order.covers > 0, per_order.c.net), else_=0)), 0
                ).label("covered_net"),
            ).select_from(Order),
            r.restaurant_id,
            Order,
        )
        .outerjoin(per_order, per_order.c.order_id == Order.id)
        .where(*closed_orders(r))
    )
    row = (await session.execute(orders)).one()
    n, covers, net, covered = (int(v) for v in row)
    return ChecksReport(
        start_date=r.start_date,
        end_date=r.end_date,
        currency=currency,
        orders=n,
        covers=covers,
        net_sales=net,
        average_check=round_half_up_div(net, n) if n else 0,
        revenue_per_cover=round_half_up_div(covered, covers) if covers else 0,
    )


async def table_turns(session: AsyncSession, r: Range) -> TableTurnsReport:
    """Closed dine-in orders seated at a table in the range, per table: how many, their
    covers and the mean seconds from opening to closing. One statement (grouped by
    table, ``ROLLUP``-free: the overall figures are summed from the groups)."""
    rid = r.restaurant_id
    seconds = timeparts.seconds_between(r.dialect, Order.opened_at, Order.closed_at)
    statement = (
        scoped(
            select(
                Order.table_id,
                func.coalesce(DiningTable.name, literal("")).label("name"),
                func.count().label("turns"),
                func.coalesce(func.sum(Order.covers), 0).label("covers"),
                func.coalesce(func.sum(seconds), 0).label("seconds"),
            ),
            rid,
            Order,
        )
        .outerjoin(DiningTable, and_(DiningTable.id == Order.table_id, owned_by(DiningTable, rid)))
        .where(*closed_orders(r), Order.table_id.is_not(None), Order.closed_at.is_not(None))
        .group_by(Order.table_id, DiningTable.name)
    )
    rows = (await session.execute(statement)).all()
    tables = [
        TableTurn(
            table_id=row.table_id if row.name else None,
            table_name=row.name,
            turns=int(row.turns),
            covers=int(row.covers),
            average_seconds=_round(Decimal(str(row.seconds)) / int(row.turns)),
        )
        for row in rows
    ]
    tables.sort(key=lambda t: (t.table_name, t.table_id or 0))
    turns = sum(t.turns for t in tables)
    total = sum(Decimal(str(row.seconds)) for row in rows)
    return TableTurnsReport(
        start_date=r.start_date,
        end_date=r.end_date,
        turns=turns,
        average_seconds=_round(total / turns) if turns else 0,
        tables=tables,
    )


async def adjustments(
    session: AsyncSession, r: Range, currency: str, by: AdjustmentBy
) -> AdjustmentsReport:
    """Discounts and comps (not removed) on the checks of the range's closed orders,
    lines voided on the range's orders, refunds dated in the range: per kind and
    ``reason`` or ``person`` (who made them: created the discount, voided the line,
    made the refund), with their count and amount. One statement (a ``UNION ALL`` of
    three grouped selects)."""
    rid = r.restaurant_id
    in_range = [
        Order.business_date >= r.start_date,
        Order.business_date <= r.end_date,
    ]
    # Inline constants: grouped by, bound values would make it another expression for
    # PostgreSQL.
    kind = case(
        (CheckDiscount.kind == literal_column("'comp'"), literal_column("'comp'")),
        else_=literal_column("'discount'"),
    )
    discount_key = CheckDiscount.reason if by is AdjustmentBy.reason else CheckDiscount.created_by
    discounts = (
        scoped(
            select(
                kind.label("kind"),
                discount_key.label("key"),
                func.count().label("n"),
                func.coalesce(func.sum(CheckDiscount.amount), 0).label("amount"),
            ),
            rid,
            CheckDiscount,
            Check,
            Order,
        )
        .join(Check, Check.id == CheckDiscount.check_id)
        .join(Order, Order.id == Check.order_id)
        .where(*in_range, Order.status == "closed", CheckDiscount.removed_at.is_(None))
        .group_by(kind, discount_key)
    )
    void_key = OrderItem.void_reason if by is AdjustmentBy.reason else OrderItem.voided_by
    voids = (
        scoped(
            select(
                literal("void").label("kind"),
                void_key.label("key"),
                func.count().label("n"),
                func.coalesce(func.sum(OrderItem.line_total), 0).label("amount"),
            ),
            rid,
            OrderItem,
            Order,
        )
        .join(Order, Order.id == OrderItem.order_id)
        .where(*in_range, OrderItem.status == VOIDED)
        .group_by(void_key)
    )
    refund_key = PaymentReversal.reason if by is AdjustmentBy.reason else PaymentReversal.created_by
    refunds = (
        scoped(
            select(
                literal("refund").label("kind"),
                refund_key.label("key"),
                func.count().label("n"),
                func.coalesce(func.sum(PaymentReversal.amount), 0).label("amount"),
            ),
            rid,
            PaymentReversal,
        )
        .where(
            PaymentReversal.kind == "refund",
            PaymentReversal.business_date >= r.start_date,
            PaymentReversal.business_date <= r.end_date,
        )
        .group_by(refund_key)
    )
    every = union_all(discounts, voids, refunds).subquery("adjustments")
    label: Any = (
        func.coalesce(every.c.key, literal(""))
        if by is AdjustmentBy.reason
        else func.coalesce(staff_name_of(every.c.key, literal(rid)), literal(""))
    )
    rows = (await session.execute(select(every, label.label("label")))).all()
    found = [
        Adjustment(
            kind=AdjustmentKind(row.kind),
            key=row.key,
            label=row.label,
            count=int(row.n),
            amount=int(row.amount),
        )
        for row in rows
    ]
    order = list(AdjustmentKind)
    found.sort(key=lambda a: (order.index(a.kind), a.key is None, str(a.key or "")))
    return AdjustmentsReport(
        start_date=r.start_date, end_date=r.end_date, currency=currency, by=by, adjustments=found
    )


async def tips(session: AsyncSession, r: Range, currency: str) -> TipsReport:
    """Tips of the payments (not voided) on the range's closed orders, per waiter (who
    opened the order): how many payments had a tip, and their sum. One statement."""
    rid = r.restaurant_id
    name = func.coalesce(staff_name_of(Order.opened_by, literal(rid)), literal(""))
    statement = (
        scoped(
            select(
                Order.opened_by.label("key"),
                name.label("label"),
                func.coalesce(func.sum(case((Payment.tip > 0, 1), else_=0)), 0).label("n"),
                func.coalesce(func.sum(Payment.tip), 0).label("tips"),
            ),
            rid,
            Payment,
            Check,
        )
        .join(Check, Check.id == Payment.check_id)
        .join(Order, Order.id == Check.order_id)
        .where(*closed_orders(r), Payment.voided_at.is_(None))
        .group_by(Order.opened_by)
    )
    rows = (await session.execute(statement)).all()
    waiters = [
        WaiterTips(key=row.key, label=row.label or "", payments=int(row.n), tips=int(row.tips))
        for row in rows
    ]
    waiters.sort(key=lambda w: (w.key is None, w.key or 0))
    return TipsReport(
        start_date=r.start_date,
        end_date=r.end_date,
        currency=currency,
        tips=sum(w.tips for w in waiters),
        waiters=waiters,
    )


async def prep_targets(session: AsyncSession, restaurant_id: int) -> Mapping[str, int]:
    """The restaurant's target prep time per station (seconds), its setting
    ``station_prep_targets``; a station not named has
    :data:`DEFAULT_PREP_TARGET_SECONDS`."""
    targets = await session.scalar(scoped(select(Restaurant.station_prep_targets), restaurant_id))
    return dict(targets or {})


async def prep_times(session: AsyncSession, r: Range, by: PrepBy) -> PrepTimesReport:
    """Seconds from an order line's firing (``fired_at``) to its being ready on its
    kitchen ticket (the ticket line's ``ready_at``), for the lines of the range's
    orders that were both (voided ticket lines left out), per station or per item
    (and its station): count, mean, longest, and how many took longer than the
    station's target (:func:`prep_targets`). One statement."""
    rid = r.restaurant_id
    targets = await prep_targets(session, rid)
    seconds = timeparts.seconds_between(r.dialect, OrderItem.fired_at, TicketItem.ready_at)
    target: Any = literal(DEFAULT_PREP_TARGET_SECONDS)
    if targets:
        target = case(
            *((OrderItem.station == station, literal(s)) for station, s in sorted(targets.items())),
            else_=literal(DEFAULT_PREP_TARGET_SECONDS),
        )
    if by is PrepBy.station:
        key: Any = OrderItem.station
        label: Any = OrderItem.station
        group: list[Any] = [OrderItem.station]
    else:
        key = OrderItem.menu_item_id
        label = func.max(OrderItem.name)
        group = [OrderItem.menu_item_id, OrderItem.station]
    statement = (
        scoped(
            select(
                key.label("key"),
                label.label("label"),
                OrderItem.station.label("station"),
                func.count().label("n"),
                func.avg(seconds).label("average"),
                func.max(seconds).label("longest"),
                func.sum(case((seconds > target, 1), else_=0)).label("over"),
            ),
            rid,
            TicketItem,
            OrderItem,
            Order,
        )
        .select_from(TicketItem)
        .join(OrderItem, OrderItem.id == TicketItem.order_item_id)
        .join(Order, Order.id == OrderItem.order_id)
        .where(
            Order.business_date >= r.start_date,
            Order.business_date <= r.end_date,
            TicketItem.status != VOIDED,
            TicketItem.ready_at.is_not(None),
            OrderItem.fired_at.is_not(None),
        )
        .group_by(*group)
    )
    rows = (await session.execute(statement)).all()
    found = [
        PrepTime(
            key=row.key,
            label=row.label or "",
            station=row.station,
            lines=int(row.n),
            average_seconds=_round(row.average),
            longest_seconds=_round(row.longest),
            target_seconds=targets.get(row.station, DEFAULT_PREP_TARGET_SECONDS),
            over_target=int(row.over or 0),
        )
        for row in rows
    ]
    found.sort(
        key=lambda p: (p.key is None, str(p.key) if by is PrepBy.station else p.key or 0, p.station)
    )
    return PrepTimesReport(start_date=r.start_date, end_date=r.end_date, by=by, prep_times=found)
