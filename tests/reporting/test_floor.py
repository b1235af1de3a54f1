"""The floor screen: ``GET /restaurants/{id}/floor``, every table with the live service
state of its open order."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from brigade.auth.dependencies import Access, Actor
from brigade.auth.permissions import ROLE_PERMISSIONS, Role
from brigade.infra.errors import PermissionDenied
from brigade.reporting.floor import floor, service_state
from brigade.runtime import Runtime
from tests.orders.floor_support import (
    floor_tables,
    line,
    open_check,
    post_ok,
    send,
    station_step,
)
from tests.orders.support import World, make_world, open_order, problem_type


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    return await make_world(session, runtime)


async def new_table(
    client: AsyncClient, world: World, name: str, *, position: int = 0, area_id: int | None = None
) -> int:
    body = await post_ok(
        client,
        world.url("/tables"),
        world.owner.headers,
        json={"name": name, "position": position, "area_id": area_id},
    )
    table_id: int = body["id"]
    return table_id


class TestFloor:
    async def test_unauthenticated(self, client: AsyncClient, world: World) -> None:
        response = await client.get(world.url("/floor"))
        assert response.status_code == 401
        assert problem_type(response) == "not-authenticated"

    async def test_other_restaurant(self, client: AsyncClient, world: World) -> None:
        response = await client.get(world.url("/floor"), headers=world.stranger.headers)
        assert response.status_code == 404
        assert problem_type(response) == "not-found"

    async def test_role_without_permission(self, client: AsyncClient, world: World) -> None:
        # the kitchen reads tickets, not the floor
        response = await client.get(world.url("/floor"), headers=world.kitchen.headers)
        assert response.status_code == 403
        assert problem_type(response) == "permission-denied"

    async def test_free_tables_and_areas_in_order(self, client: AsyncClient, world: World) -> None:
        terrace = await post_ok(
            client,
            world.url("/areas"),
            world.owner.headers,
            json={"name": "Terrace", "position": 2},
        )
        inside = await post_ok(
            client, world.url("/areas"), world.owner.headers, json={"name": "Inside", "position": 1}
        )
        await new_table(client, world, "A1", position=-1, area_id=terrace["id"])
        response = await client.get(world.url("/floor"), headers=world.cashier.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["areas"] == [
            {"id": inside["id"], "name": "Inside", "position": 1},
            {"id": terrace["id"], "name": "Terrace", "position": 2},
        ]
        # by position, then name; the other restaurant's table X1 is not there
        assert [t["name"] for t in body["tables"]] == ["A1", "T1", "T2"]
        a1 = body["tables"][0]
        assert a1["area_id"] == terrace["id"]
        assert {k: a1[k] for k in a1 if k not in ("id", "area_id", "name", "position")} == {
            "seats": 4,
            "status": "free",
            "current_order_id": None,
            "seated_at": None,
            "version": 1,
            "service_state": "free",
            "order_id": None,
            "order_version": None,
            "covers": None,
            "order_subtotal": None,
            "currency": "EUR",
            "check_id": None,
            "lines_pending": 0,
            "lines_in_kitchen": 0,
            "lines_ready": 0,
            "waiter_id": None,
            "waiter_name": None,
            "opened_by": None,
            "opened_by_name": None,
            "held_course": None,
            "last_fired_at": None,
            "next_fire_course": None,
            "next_fire_at": None,
            "plan_x": None,
            "plan_y": None,
            "plan_width": 80,
            "plan_height": 80,
            "shape": "square",
        }

    async def test_every_state_with_its_counts(self, client: AsyncClient, world: World) -> None:
        t3 = await new_table(client, world, "T3")
        t4 = await new_table(client, world, "T4")
        t5 = await new_table(client, world, "T5")
        # T1 seated: a held course only (nothing fired), 3 covers
        seated = await client.post(
            world.orders_url,
            json={
                "kind": "dine_in",
                "table_id": world.table,
                "covers": 3,
                "items": [line(world, "soup", course=2, quantity=2)],
            },
            headers=world.waiter.headers,
        )
        assert seated.status_code == 201
        # T3 in the kitchen: pizza and cola fired, soup held for course 2
        cooking = await open_order(
            client,
            world,
            table=t3,
            items=[line(world), line(world, "cola"), line(world, "soup", course=2)],
        )
        await send(client, world, cooking["id"])
        # T4 ready: the bar's cola is ready, the pizza is still in the oven
        ready = await open_order(client, world, table=t4, items=[line(world), line(world, "cola")])
        await send(client, world, ready["id"])
        await station_step(client, world, ready["id"], "bar", "ready")
        await station_step(client, world, ready["id"], "pizza", "start")
        # T5 check requested, though a line is ready too
        paying = await open_order(client, world, table=t5, items=[line(world, "cola")])
        await send(client, world, paying["id"])
        await station_step(client, world, paying["id"], "bar", "bump")
        check = await open_check(client, world, paying["id"])

        tables = await floor_tables(client, world)
        states = {t["name"]: t["service_state"] for t in tables.values()}
        assert states == {
            "T1": "seated",
            "T2": "free",
            "T3": "in_kitchen",
            "T4": "ready",
            "T5": "check_requested",
        }
        t1 = tables[world.table]
        assert t1["order_id"] == seated.json()["id"]
        assert t1["current_order_id"] == t1["order_id"]
        assert (t1["covers"], t1["order_version"], t1["order_subtotal"]) == (3, 1, 1300)
        assert t1["seated_at"] is not None
        assert t1["status"] == "occupied"
        assert (t1["lines_pending"], t1["lines_in_kitchen"], t1["lines_ready"]) == (1, 0, 0)
        counts = {
            name: (t["lines_pending"], t["lines_in_kitchen"], t["lines_ready"])
            for t in tables.values()
            for name in [t["name"]]
        }
        assert counts["T3"] == (1, 2, 0)
        assert counts["T4"] == (0, 1, 1)
        assert counts["T5"] == (0, 0, 1)
        assert tables[t3]["order_subtotal"] == 1500 + 300 + 650
        assert tables[t3]["order_version"] == 2  # sent
        assert tables[t5]["check_id"] == check["id"]
        assert all(t["check_id"] is None for t in tables.values() if t["id"] != t5)
        assert {t["currency"] for t in tables.values()} == {"EUR"}

    async def test_voided_lines_count_nowhere(self, client: AsyncClient, world: World) -> None:
        order = await open_order(client, world, items=[line(world), line(world, "cola")])
        await send(client, world, order["id"])
        pizza = order["items"][0]["id"]
        await post_ok(
            client,
            f"{world.orders_url}/{order['id']}/items/{pizza}/void",
            world.waiter.headers,
            json={"reason": "burnt"},
        )
        await station_step(client, world, order["id"], "bar", "ready")
        t1 = (await floor_tables(client, world))[world.table]
        assert t1["service_state"] == "ready"
        assert (t1["lines_pending"], t1["lines_in_kitchen"], t1["lines_ready"]) == (0, 0, 1)
        assert t1["order_subtotal"] == 300

    async def test_served_lines_leave_the_table_seated(
        self, client: AsyncClient, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world, "cola")])
        await send(client, world, order["id"])
        await station_step(client, world, order["id"], "bar", "ready")
        await post_ok(client, f"{world.orders_url}/{order['id']}/serve", world.waiter.headers)
        t1 = (await floor_tables(client, world))[world.table]
        assert t1["service_state"] == "seated"
        assert (t1["lines_pending"], t1["lines_in_kitchen"], t1["lines_ready"]) == (0, 0, 0)
        assert t1["order_subtotal"] == 300

    async def test_paid_and_cancelled_orders_free_their_tables(
        self, client: AsyncClient, world: World
    ) -> None:
        paid = await open_order(client, world, items=[line(world, "cola")])
        check = await open_check(client, world, paid["id"])
        await post_ok(
            client,
            world.url(f"/checks/{check['id']}/payments"),
            world.cashier.headers,
            json={"method": "card"},
        )
        wrong = await open_order(client, world, table=world.table2, items=[line(world)])
        await post_ok(
            client,
            f"{world.orders_url}/{wrong['id']}/cancel",
            world.waiter.headers,
            json={"reason": "wrong table"},
        )
        tables = await floor_tables(client, world)
        for table_id in (world.table, world.table2):
            assert tables[table_id]["service_state"] == "free"
            assert tables[table_id]["order_id"] is None
            assert tables[table_id]["status"] == "free"

    async def test_takeaway_orders_are_not_on_the_floor(
        self, client: AsyncClient, world: World
    ) -> None:
        await post_ok(
            client,
            world.orders_url,
            world.waiter.headers,
            json={"kind": "takeaway", "items": [line(world, "cola")]},
        )
        tables = await floor_tables(client, world)
        assert {t["service_state"] for t in tables.values()} == {"free"}


async def test_the_floor_takes_two_queries_whatever_its_size(
    client: AsyncClient, session: AsyncSession, connection: AsyncConnection, world: World
) -> None:
    for n in range(6):
        table = await new_table(client, world, f"B{n}")
        order = await open_order(client, world, table=table, items=[line(world), line(world)])
        if n % 2:
            await send(client, world, order["id"])
    statements: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
            statements.append(statement)

    sync_conn = connection.sync_connection
    assert sync_conn is not None
    access = Access(
        actor=Actor(user_id=world.waiter.user.id),
        restaurant_id=world.rid,
        role=Role.waiter,
        permissions=ROLE_PERMISSIONS[Role.waiter],
    )
    event.listen(sync_conn, "before_cursor_execute", remember)
    try:
        result = await floor(session, access)
    finally:
        event.remove(sync_conn, "before_cursor_execute", remember)
    assert len(result.tables) == 8
    assert (
        sorted(t.service_state for t in result.tables)
        == ["free"] * 2 + ["in_kitchen"] * 3 + ["seated"] * 3
    )
    assert len(statements) == 2, statements


async def test_the_floor_needs_tables_read(session: AsyncSession, world: World) -> None:
    access = Access(
        actor=Actor(user_id=world.kitchen.user.id),
        restaurant_id=world.rid,
        role=Role.kitchen,
        permissions=ROLE_PERMISSIONS[Role.kitchen],
    )
    with pytest.raises(PermissionDenied):
        await floor(session, access)


@pytest.mark.parametrize(
    ("has_order", "check_open", "ready", "in_kitchen", "state"),
    [
        (False, False, 0, 0, "free"),
        (True, False, 0, 0, "seated"),
        (True, False, 0, 2, "in_kitchen"),
        (True, False, 1, 2, "ready"),
        (True, True, 1, 2, "check_requested"),
        (True, True, 0, 0, "check_requested"),
    ],
)
def test_service_state_precedence(
    has_order: bool, check_open: bool, ready: int, in_kitchen: int, state: str
) -> None:
    assert (
        service_state(
            has_order=has_order,
            check_open=check_open,
            lines_ready=ready,
            lines_in_kitchen=in_kitchen,
        )
        == state
    )
