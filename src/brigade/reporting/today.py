"""Today's figures: the dashboard's live read model of the restaurant's business day.

A read model of the read side, beside the reports and the floor: it reads the orders',
order lines' and kitchen tickets' tables in two statements and writes nothing. Served
at ``GET /restaurants/{restaurant_id}/reports/today`` (:mod:`brigade.reporting.router`,
permission ``reports:read``). The web app's dashboard reads it again on every
``order.*``, ``check.*``, ``payment.*`` and ``ticket.*`` event (docs/realtime.md), and
at ``next_late_at``, when a ticket becomes late without any event.

What each figure counts (``business_date`` is the restaurant's local date now, as an
order fixes its own when it is opened):

================== ==================================================================
``net_sales``      the non-voided line totals of the day's ``closed`` orders: the sales
                   report's ``net_sales`` of today (:mod:`brigade.reporting.service`)
``orders``         the day's ``closed`` orders (paid); ``average_check`` is
                   ``net_sales / orders``
``covers``         the covers of the day's orders, open or closed (not ``cancelled``)
``open_checks``    the orders still ``open``, whatever their date: checks the guests
                   have not settled (a check may not be printed yet)
``open_sales``     the non-voided line totals of those open orders
``tickets_open``   kitchen tickets being prepared: ``new`` or ``preparing``
``tickets_late``   those of them older than their station's prep target
================== ==================================================================

Prep targets are the prep-time report's (:func:`brigade.reporting.analyses.prep_targets`:
the restaurant's per station, else
:data:`~brigade.reporting.analyses.DEFAULT_PREP_TARGET_SECONDS`), and so is lateness: a
ticket is late when ``now - created_at`` (fired → now) is more than its station's
target, as a line over target in that report; ``ready`` and ``bumped`` tickets are done.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, literal, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.infra.db import UTCDateTime, utcnow
from brigade.kitchen.models import Ticket
from brigade.money import round_half_up_div
from brigade.orders.models import Order, OrderItem
from brigade.reporting.analyses import DEFAULT_PREP_TARGET_SECONDS, prep_targets
from brigade.reporting.schemas import StationToday, TodayFigures
from brigade.restaurants.service import restaurant_profile
from brigade.tenancy import scoped

CLOSED = "closed"
OPEN = "open"
CANCELLED = "cancelled"
VOIDED = "voided"
#: Ticket statuses of a ticket the kitchen has not finished.
IN_PREPARATION = ("new", "preparing")


def _lines_total(restaurant_id: int, *conditions: Any) -> Any:
    """The non-voided line totals (minor units) of the restaurant's orders matching
    ``conditions``, as a scalar sub-select (0 without lines)."""
    return (
        scoped(
            select(func.coalesce(func.sum(OrderItem.line_total), 0)).join(
                Order, Order.id == OrderItem.order_id
            ),
            restaurant_id,
        )
        .where(OrderItem.status != VOIDED, *conditions)
        .scalar_subquery()
    )


async def today_figures(
    session: AsyncSession,
    restaurant_id: int,
    *,
    now: datetime | None = None,
    targets: Mapping[str, int] | None = None,
) -> TodayFigures:
    """Today's figures of ``restaurant_id`` at ``now`` (default: the current time, UTC),
    as the module's table defines them; money in minor units. ``targets`` (station →
    seconds) replaces the restaurant's prep targets (tests; default: read them).

    ``stations`` lists every station with a ticket in preparation (by name) with its
    target, open and late tickets; ``next_late_at`` is when the next ticket that is on
    time now becomes late (``None``: none will without a new ticket). Three queries (the
    restaurant's profile, the orders' figures, the tickets per station), and the
    targets'. Raises
    :class:`~brigade.infra.errors.NotFound` for an unknown restaurant.
    """
    now = now or utcnow()
    profile = await restaurant_profile(session, None, restaurant_id)
    business_date: date = now.astimezone(ZoneInfo(profile.time_zone)).date()

    today = Order.business_date == business_date
    closed_today = (today, Order.status == CLOSED)
    orders = (
        scoped(select(func.count()).select_from(Order), restaurant_id)
        .where(*closed_today)
        .scalar_subquery()
    )
    covers = (
        scoped(select(func.coalesce(func.sum(Order.covers), 0)), restaurant_id)
        .where(today, Order.status != CANCELLED)
        .scalar_subquery()
    )
    open_checks = (
        scoped(select(func.count()).select_from(Order), restaurant_id)
        .where(Order.status == OPEN)
        .scalar_subquery()
    )
    figures = (
        await session.execute(
            select(
                orders,
                _lines_total(restaurant_id, *closed_today),
                covers,
                open_checks,
                _lines_total(restaurant_id, Order.status == OPEN),
            )
        )
    ).one()
    n_orders, net_sales, n_covers, n_open, open_sales = (int(value) for value in figures)
    if targets is None:
        targets = await prep_targets(session, restaurant_id)

    # A ticket is late once created_at < now - target of its station.
    def cutoff(seconds: int) -> ColumnElement[datetime]:
        return literal(now - timedelta(seconds=seconds), UTCDateTime())

    station_cutoff: ColumnElement[datetime] = (
        case(
            {station: cutoff(seconds) for station, seconds in targets.items()},
            value=Ticket.station,
            else_=cutoff(DEFAULT_PREP_TARGET_SECONDS),
        )
        if targets
        else cutoff(DEFAULT_PREP_TARGET_SECONDS)
    )
    is_late = Ticket.created_at < station_cutoff
    rows = await session.execute(
        scoped(
            select(
                Ticket.station,
                func.count().label("open"),
                func.coalesce(func.sum(case((is_late, 1), else_=0)), 0).label("late"),
                type_coerce(
                    func.min(case((~is_late, Ticket.created_at), else_=None)), UTCDateTime()
                ).label("oldest_on_time"),
            ),
            restaurant_id,
        )
        .where(Ticket.status.in_(IN_PREPARATION))
        .group_by(Ticket.station)
        .order_by(Ticket.station)
    )
    stations: list[StationToday] = []
    next_late: list[datetime] = []
    for row in rows:
        target = targets.get(row.station, DEFAULT_PREP_TARGET_SECONDS)
        stations.append(
            StationToday(
                station=row.station,
                target_seconds=target,
                tickets_open=int(row.open),
                tickets_late=int(row.late),
            )
        )
        if row.oldest_on_time is not None:
            next_late.append(row.oldest_on_time + timedelta(seconds=target))
    return TodayFigures(
        business_date=business_date,
        as_of=now,
        currency=profile.currency,
        net_sales=net_sales,
        orders=n_orders,
        average_check=round_half_up_div(net_sales, n_orders) if n_orders else 0,
        covers=n_covers,
        open_checks=n_open,
        open_sales=open_sales,
        tickets_open=sum(s.tickets_open for s in stations),
        tickets_late=sum(s.tickets_late for s in stations),
        next_late_at=min(next_late, default=None),
        stations=stations,
    )
