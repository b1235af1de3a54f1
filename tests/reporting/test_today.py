"""``GET R/reports/today``: the dashboard's figures of the day so far, through HTTP.

Service goes through the API as it would on a night: a waiter opens orders with covers
and lines, sends them, the kitchen starts and readies tickets, the cashier takes the
payment. Lateness is checked by moving a ticket's firing time back (the clock of a
request is the real one) and, at the second, through :func:`today_figures` with ``now``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.infra.db import utcnow
from brigade.kitchen.models import Ticket
from brigade.orders.models import Order
from brigade.reporting.analyses import DEFAULT_PREP_TARGET_SECONDS
from brigade.reporting.today import today_figures
from brigade.runtime import Runtime
from brigade.tables.models import DiningTable
from tests.kitchen.support import Line, fire_direct
from tests.orders.floor_support import line, open_check, post_ok, send, station_step, tickets_of
from tests.orders.support import World, make_world, open_order, problem_type


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    return await make_world(session, runtime)


async def today(client: AsyncClient, world: World, headers: dict[str, str] | None = None) -> Any:
    response = await client.get(world.url("/reports/today"), headers=headers or world.owner.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def pay(client: AsyncClient, world: World, order_id: int) -> None:
    """The cashier opens the order's check and settles it by card."""
    check = await open_check(client, world, order_id)
    await post_ok(
        client,
        world.url(f"/checks/{check['id']}/payments"),
        world.cashier.headers,
        json={"method": "card"},
    )


async def seat(client: AsyncClient, world: World, table: int, covers: int, *items: Any) -> Any:
    response = await client.post(
        world.orders_url,
        json={"kind": "dine_in", "table_id": table, "covers": covers, "items": list(items)},
        headers=world.waiter.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


class TestToday:
    async def test_unauthenticated(self, client: AsyncClient, world: World) -> None:
        response = await client.get(world.url("/reports/today"))
        assert response.status_code == 401
        assert problem_type(response) == "not-authenticated"

    async def test_other_restaurant(self, client: AsyncClient, world: World) -> None:
        response = await client.get(world.url("/reports/today"), headers=world.stranger.headers)
        assert response.status_code == 404
        assert problem_type(response) == "not-found"

    @pytest.mark.parametrize("role", ["waiter", "kitchen", "cashier"])
    async def test_staff_without_reports_read(
        self, client: AsyncClient, world: World, role: str
    ) -> None:
        login = getattr(world, role)
        response = await client.get(world.url("/reports/today"), headers=login.headers)
        assert response.status_code == 403
        assert problem_type(response) == "permission-denied"

    async def test_unknown_restaurant(self, client: AsyncClient, world: World) -> None:
        response = await client.get(
            "/api/v1/restaurants/999999/reports/today", headers=world.owner.headers
        )
        assert response.status_code == 404
        assert problem_type(response) == "not-found"

    async def test_a_quiet_day_is_all_zeros(self, client: AsyncClient, world: World) -> None:
        before = utcnow()
        body = await today(client, world)
        local = before.astimezone(ZoneInfo("America/New_York"))
        assert body["business_date"] == local.date().isoformat()
        assert datetime.fromisoformat(body["as_of"]) >= before
        assert body["currency"] == "EUR"
        figures = {k: v for k, v in body.items() if k not in {"business_date", "as_of", "currency"}}
        assert figures == {
            "net_sales": 0,
            "orders": 0,
            "average_check": 0,
            "covers": 0,
            "open_checks": 0,
            "open_sales": 0,
            "tickets_open": 0,
            "tickets_late": 0,
            "next_late_at": None,
            "stations": [],
        }

    async def test_a_service_moves_the_figures(self, client: AsyncClient, world: World) -> None:
        # table 1: two covers, a large pizza (1500) and two colas (2 x 300)
        first = await seat(
            client, world, world.table, 2, line(world), line(world, "cola", quantity=2)
        )
        # table 2: three covers, a soup (650) and a pizza voided before it went out
        second = await seat(
            client, world, world.table2, 3, line(world, "soup"), line(world, "pizza")
        )
        pizza_line = next(i for i in second["items"] if i["name"] == "Margherita")
        response = await client.post(
            f"{world.orders_url}/{second['id']}/items/{pizza_line['id']}/void",
            json={"reason": "guest changed their mind"},
            headers=world.waiter.headers,
        )
        assert response.status_code == 200, response.text
        body = await today(client, world)
        assert (body["covers"], body["open_checks"], body["open_sales"]) == (5, 2, 2100 + 650)
        assert (body["orders"], body["net_sales"], body["tickets_open"]) == (0, 0, 0)

        await send(client, world, first["id"])
        body = await today(client, world, world.owner.headers)
        assert body["tickets_open"] == 2  # the pizza oven's and the bar's
        assert body["tickets_late"] == 0
        stations = [
            (s["station"], s["tickets_open"], s["target_seconds"]) for s in body["stations"]
        ]
        assert stations == [
            ("bar", 1, DEFAULT_PREP_TARGET_SECONDS),
            ("pizza", 1, DEFAULT_PREP_TARGET_SECONDS),
        ]
        tickets = await tickets_of(client, world, first["id"])
        fired = min(datetime.fromisoformat(t["created_at"]) for t in tickets)
        assert datetime.fromisoformat(body["next_late_at"]) == fired + timedelta(seconds=900)

        # the bar pours the colas: its ticket is done, the pizza is still in the oven
        await station_step(client, world, first["id"], "bar", "ready")
        await station_step(client, world, first["id"], "pizza", "start")
        body = await today(client, world)
        assert [(s["station"], s["tickets_open"]) for s in body["stations"]] == [("pizza", 1)]

        await pay(client, world, first["id"])
        body = await today(client, world)
        assert (body["orders"], body["net_sales"], body["average_check"]) == (1, 2100, 2100)
        assert (body["open_checks"], body["open_sales"], body["covers"]) == (1, 650, 5)

        await pay(client, world, second["id"])
        body = await today(client, world)
        # 2100 + 650 over two orders: 1375
        assert (body["orders"], body["net_sales"], body["average_check"]) == (2, 2750, 1375)
        assert (body["open_checks"], body["open_sales"]) == (0, 0)

    async def test_a_ticket_past_its_target_is_late(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await seat(client, world, world.table, 2, line(world), line(world, "soup"))
        await send(client, world, order["id"])
        tickets = {t["station"]: t for t in await tickets_of(client, world, order["id"])}
        long_ago = utcnow() - timedelta(seconds=DEFAULT_PREP_TARGET_SECONDS + 60)
        await session.execute(
            update(Ticket).where(Ticket.id == tickets["pizza"]["id"]).values(created_at=long_ago)
        )
        await session.commit()
        body = await today(client, world)
        assert (body["tickets_open"], body["tickets_late"]) == (2, 1)
        by_station = {s["station"]: s for s in body["stations"]}
        assert by_station["pizza"]["tickets_late"] == 1
        assert by_station["kitchen"]["tickets_late"] == 0
        # the soup is the next to be late; the pizza is late already
        soup_fired = datetime.fromisoformat(tickets["kitchen"]["created_at"])
        assert datetime.fromisoformat(body["next_late_at"]) == soup_fired + timedelta(seconds=900)

        # a late ticket being cooked is still late; once ready it is no longer counted
        await station_step(client, world, order["id"], "pizza", "start")
        assert (await today(client, world))["tickets_late"] == 1
        await station_step(client, world, order["id"], "pizza", "ready")
        body = await today(client, world)
        assert (body["tickets_open"], body["tickets_late"]) == (1, 0)

    async def test_other_days_and_cancelled_orders(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        # yesterday's order, paid, and yesterday's tab left open
        paid = await seat(client, world, world.table, 4, line(world))
        await pay(client, world, paid["id"])
        tab = await seat(client, world, world.table, 2, line(world, "cola"))
        yesterday = utcnow().astimezone(ZoneInfo("America/New_York")).date() - timedelta(days=1)
        await session.execute(
            update(Order)
            .where(Order.id.in_([paid["id"], tab["id"]]))
            .values(business_date=yesterday)
        )
        await session.commit()
        # today's order, cancelled before anything was sent
        cancelled = await seat(client, world, world.table2, 6, line(world, "soup"))
        response = await client.post(
            f"{world.orders_url}/{cancelled['id']}/cancel",
            json={"reason": "walked out"},
            headers=world.waiter.headers,
        )
        assert response.status_code == 200, response.text
        body = await today(client, world)
        assert (body["orders"], body["net_sales"], body["covers"]) == (0, 0, 0)
        # an open check stays open, whatever day it was opened
        assert (body["open_checks"], body["open_sales"]) == (1, 300)

    async def test_other_restaurants_do_not_count(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        stranger_rid = await session.scalar(
            select(DiningTable.restaurant_id).where(DiningTable.id == world.other_table)
        )
        assert stranger_rid is not None
        await fire_direct(session, stranger_rid, [Line("burger"), Line("fries")])
        await session.commit()
        await open_order(client, world)
        body = await today(client, world)
        assert (body["open_checks"], body["tickets_open"], body["stations"]) == (1, 0, [])


class TestTodayFigures:
    """The lateness rule at the second (over the target, as the prep-time report counts
    a line over target), and stations with their own target."""

    async def test_late_at_the_target_and_per_station_targets(
        self, session: AsyncSession, world: World
    ) -> None:
        (grill,) = await fire_direct(session, world.rid, [Line("steak", station="grill")])
        (bar,) = await fire_direct(session, world.rid, [Line("mojito", station="bar")])
        fired = max(grill.created_at, bar.created_at)
        await session.execute(
            update(Ticket).where(Ticket.id.in_([grill.id, bar.id])).values(created_at=fired)
        )
        on_the_dot = await today_figures(session, world.rid, now=fired + timedelta(seconds=900))
        assert (on_the_dot.tickets_open, on_the_dot.tickets_late) == (2, 0)
        assert on_the_dot.next_late_at == fired + timedelta(seconds=900)
        past = await today_figures(session, world.rid, now=fired + timedelta(seconds=901))
        assert (past.tickets_late, past.next_late_at) == (2, None)

        # the bar's drinks are due in two minutes, the grill keeps the default
        targets = {"bar": 120, "pastry": 1800}
        figures = await today_figures(
            session, world.rid, now=fired + timedelta(seconds=130), targets=targets
        )
        assert [(s.station, s.target_seconds, s.tickets_late) for s in figures.stations] == [
            ("bar", 120, 1),
            ("grill", DEFAULT_PREP_TARGET_SECONDS, 0),
        ]
        assert figures.next_late_at == fired + timedelta(seconds=900)
