"""The floor's steps on an order through HTTP: serve ready lines, cancel an order opened
by mistake."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.orders.models import OrderItem
from brigade.runtime import Runtime
from brigade.tables.models import DiningTable
from tests.orders.floor_support import (
    get_order,
    line,
    open_check,
    post_ok,
    send,
    station_step,
)
from tests.orders.support import (
    World,
    event_types,
    last_seq,
    make_world,
    open_order,
    problem_type,
    snapshot,
)


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    return await make_world(session, runtime)


async def stranger_orders_url(session: AsyncSession, world: World) -> str:
    """The orders URL of the stranger's own restaurant."""
    rid = await session.scalar(
        select(DiningTable.restaurant_id).where(DiningTable.id == world.other_table)
    )
    return f"/api/v1/restaurants/{rid}/orders"


def statuses(order: dict[str, Any]) -> list[str]:
    return [i["status"] for i in order["items"]]


async def ready_pizza_and_cola(client: AsyncClient, world: World) -> dict[str, Any]:
    """An order at T1 whose pizza is ready, cola fired and soup held (course 2)."""
    order = await open_order(
        client,
        world,
        items=[line(world), line(world, "cola"), line(world, "soup", course=2)],
    )
    await send(client, world, order["id"])
    await station_step(client, world, order["id"], "pizza", "ready")
    return await get_order(client, world, order["id"])


class TestServe:
    async def test_unauthenticated_other_restaurant_and_role(
        self, client: AsyncClient, world: World
    ) -> None:
        order = await ready_pizza_and_cola(client, world)
        url = f"{world.orders_url}/{order['id']}/serve"
        response = await client.post(url)
        assert (response.status_code, problem_type(response)) == (401, "not-authenticated")
        response = await client.post(url, headers=world.stranger.headers)
        assert (response.status_code, problem_type(response)) == (404, "not-found")
        # the kitchen bumps tickets; serving is the floor's step
        response = await client.post(url, headers=world.kitchen.headers)
        assert (response.status_code, problem_type(response)) == (403, "permission-denied")
        assert statuses(await get_order(client, world, order["id"]))[0] == "ready"

    async def test_serves_every_ready_line(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await ready_pizza_and_cola(client, world)
        assert statuses(order) == ["ready", "fired", "pending"]
        before = await last_seq(session, world.rid)
        response = await client.post(
            f"{world.orders_url}/{order['id']}/serve", headers=world.waiter.headers
        )
        assert response.status_code == 200, response.text
        served = response.json()
        assert statuses(served) == ["served", "fired", "pending"]
        assert served["version"] == order["version"] + 1
        assert served["subtotal"] == order["subtotal"]
        assert statuses(await get_order(client, world, order["id"])) == statuses(served)
        assert await event_types(session, world.rid, before) == ["order.served"]

    async def test_serves_only_the_chosen_lines_with_the_version(
        self, client: AsyncClient, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world), line(world)])
        await send(client, world, order["id"])
        await station_step(client, world, order["id"], "pizza", "ready")
        order = await get_order(client, world, order["id"])
        first, second = (i["id"] for i in order["items"])
        served = await post_ok(
            client,
            f"{world.orders_url}/{order['id']}/serve",
            world.waiter.headers,
            json={"order_item_ids": [second, second], "version": order["version"]},
        )
        assert statuses(served) == ["ready", "served"]
        # the cashier may write orders too
        served = await post_ok(
            client,
            f"{world.orders_url}/{order['id']}/serve",
            world.cashier.headers,
            json={"order_item_ids": [first]},
        )
        assert statuses(served) == ["served", "served"]

    async def test_event_names_the_served_lines(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        from brigade.events.models import OutboxEvent
        from brigade.events.outbox import number_queued

        order = await ready_pizza_and_cola(client, world)
        await post_ok(client, f"{world.orders_url}/{order['id']}/serve", world.waiter.headers)
        await number_queued(session)
        data = await session.scalar(
            select(OutboxEvent.payload)
            .where(OutboxEvent.restaurant_id == world.rid, OutboxEvent.type == "order.served")
            .order_by(OutboxEvent.seq.desc())
        )
        assert data is not None
        assert data["item_ids"] == [order["items"][0]["id"]]
        assert data["order"]["id"] == order["id"]
        assert [i["status"] for i in data["order"]["items"]] == ["served", "fired", "pending"]

    async def test_a_later_bump_or_recall_does_not_unserve(
        self, client: AsyncClient, world: World
    ) -> None:
        order = await ready_pizza_and_cola(client, world)
        await post_ok(client, f"{world.orders_url}/{order['id']}/serve", world.waiter.headers)
        await station_step(client, world, order["id"], "pizza", "bump")
        assert statuses(await get_order(client, world, order["id"]))[0] == "served"
        await station_step(client, world, order["id"], "pizza", "recall")
        assert statuses(await get_order(client, world, order["id"]))[0] == "served"

    async def test_bumped_lines_are_ready_to_serve(self, client: AsyncClient, world: World) -> None:
        order = await open_order(client, world, items=[line(world, "cola")])
        await send(client, world, order["id"])
        await station_step(client, world, order["id"], "bar", "bump")
        served = await post_ok(
            client, f"{world.orders_url}/{order['id']}/serve", world.waiter.headers
        )
        assert statuses(served) == ["served"]

    async def test_nothing_ready_is_a_conflict_and_writes_nothing(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world)])
        await send(client, world, order["id"])
        before = await snapshot(session, world.rid)
        response = await client.post(
            f"{world.orders_url}/{order['id']}/serve", headers=world.waiter.headers
        )
        assert (response.status_code, problem_type(response)) == (409, "nothing-to-serve")
        assert await snapshot(session, world.rid) == before

    async def test_a_chosen_line_not_ready_serves_nothing(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await ready_pizza_and_cola(client, world)
        pizza, cola, soup = (i["id"] for i in order["items"])
        before = await snapshot(session, world.rid)
        response = await client.post(
            f"{world.orders_url}/{order['id']}/serve",
            json={"order_item_ids": [pizza, cola, soup]},
            headers=world.waiter.headers,
        )
        assert (response.status_code, problem_type(response)) == (409, "item-not-ready")
        assert response.json()["item_ids"] == [cola, soup]
        # the ready pizza was not served either
        assert await snapshot(session, world.rid) == before

    async def test_served_lines_cannot_be_served_again(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await ready_pizza_and_cola(client, world)
        url = f"{world.orders_url}/{order['id']}/serve"
        await post_ok(client, url, world.waiter.headers)
        before = await snapshot(session, world.rid)
        response = await client.post(url, headers=world.waiter.headers)
        assert (response.status_code, problem_type(response)) == (409, "nothing-to-serve")
        pizza = order["items"][0]["id"]
        response = await client.post(
            url, json={"order_item_ids": [pizza]}, headers=world.waiter.headers
        )
        assert (response.status_code, problem_type(response)) == (409, "item-not-ready")
        assert await snapshot(session, world.rid) == before

    async def test_unknown_line_stale_version_and_bad_bodies(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await ready_pizza_and_cola(client, world)
        other = await open_order(client, world, table=world.table2, items=[line(world)])
        url = f"{world.orders_url}/{order['id']}/serve"
        before = await snapshot(session, world.rid)
        # a line of another order
        response = await client.post(
            url, json={"order_item_ids": [other["items"][0]["id"]]}, headers=world.waiter.headers
        )
        assert (response.status_code, problem_type(response)) == (404, "not-found")
        response = await client.post(url, json={"version": 1}, headers=world.waiter.headers)
        assert (response.status_code, problem_type(response)) == (409, "stale-version")
        assert response.json()["current_version"] == order["version"]
        for body in ({"order_item_ids": []}, {"order_item_ids": [0]}, {"served": True}):
            response = await client.post(url, json=body, headers=world.waiter.headers)
            assert response.status_code == 422, body
        assert await snapshot(session, world.rid) == before

    async def test_another_restaurants_order_is_not_found(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await ready_pizza_and_cola(client, world)
        # the stranger, in their own restaurant, names this restaurant's order
        url = f"{await stranger_orders_url(session, world)}/{order['id']}"
        response = await client.post(f"{url}/serve", headers=world.stranger.headers)
        assert (response.status_code, problem_type(response)) == (404, "not-found")
        response = await client.post(
            f"{url}/cancel", json={"reason": "mine"}, headers=world.stranger.headers
        )
        assert (response.status_code, problem_type(response)) == (404, "not-found")
        assert statuses(await get_order(client, world, order["id"]))[0] == "ready"

    async def test_closed_order_is_a_conflict(self, client: AsyncClient, world: World) -> None:
        order = await open_order(client, world, items=[line(world)])
        await post_ok(
            client,
            f"{world.orders_url}/{order['id']}/cancel",
            world.waiter.headers,
            json={"reason": "wrong table"},
        )
        response = await client.post(
            f"{world.orders_url}/{order['id']}/serve", headers=world.waiter.headers
        )
        assert (response.status_code, problem_type(response)) == (409, "order-closed")


async def table_state(session: AsyncSession, table_id: int) -> tuple[str, int | None, int]:
    row = (
        await session.execute(
            select(DiningTable.status, DiningTable.current_order_id, DiningTable.version).where(
                DiningTable.id == table_id
            )
        )
    ).one()
    return row.status, row.current_order_id, row.version


class TestCancel:
    async def test_unauthenticated_other_restaurant_and_role(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world)])
        url = f"{world.orders_url}/{order['id']}/cancel"
        body = {"reason": "wrong table"}
        before = await snapshot(session, world.rid)
        response = await client.post(url, json=body)
        assert (response.status_code, problem_type(response)) == (401, "not-authenticated")
        response = await client.post(url, json=body, headers=world.stranger.headers)
        assert (response.status_code, problem_type(response)) == (404, "not-found")
        response = await client.post(url, json=body, headers=world.kitchen.headers)
        assert (response.status_code, problem_type(response)) == (403, "permission-denied")
        assert await snapshot(session, world.rid) == before

    async def test_cancel_frees_the_table(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world), line(world, "cola")])
        _, _, table_version = await table_state(session, world.table)
        before = await last_seq(session, world.rid)
        response = await client.post(
            f"{world.orders_url}/{order['id']}/cancel",
            json={"reason": "  wrong table ", "version": 1},
            headers=world.waiter.headers,
        )
        assert response.status_code == 200, response.text
        cancelled = response.json()
        assert cancelled["status"] == "cancelled"
        assert cancelled["cancel_reason"] == "wrong table"
        assert cancelled["closed_at"] is not None
        assert cancelled["version"] == 2
        assert statuses(cancelled) == ["pending", "pending"]
        assert await table_state(session, world.table) == ("free", None, table_version + 1)
        assert await event_types(session, world.rid, before) == [
            "table.updated",
            "order.cancelled",
        ]
        assert await get_order(client, world, order["id"]) == cancelled
        listed = await client.get(
            world.orders_url, params={"status": "cancelled"}, headers=world.waiter.headers
        )
        assert [o["id"] for o in listed.json()["items"]] == [order["id"]]
        # the table takes the right order now
        again = await open_order(client, world, items=[line(world)])
        assert await table_state(session, world.table) == (
            "occupied",
            again["id"],
            table_version + 2,
        )

    async def test_cancel_a_takeaway_without_lines(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await post_ok(
            client, world.orders_url, world.cashier.headers, json={"kind": "takeaway"}
        )
        before = await last_seq(session, world.rid)
        cancelled = await post_ok(
            client,
            f"{world.orders_url}/{order['id']}/cancel",
            world.cashier.headers,
            json={"reason": "guest left"},
        )
        assert (cancelled["status"], cancelled["items"]) == ("cancelled", [])
        assert await event_types(session, world.rid, before) == ["order.cancelled"]

    async def test_a_fired_line_voided_since_does_not_stop_it(
        self, client: AsyncClient, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world), line(world, "soup", course=2)])
        await send(client, world, order["id"])
        pizza = order["items"][0]["id"]
        await post_ok(
            client,
            f"{world.orders_url}/{order['id']}/items/{pizza}/void",
            world.waiter.headers,
            json={"reason": "wrong table"},
        )
        cancelled = await post_ok(
            client,
            f"{world.orders_url}/{order['id']}/cancel",
            world.waiter.headers,
            json={"reason": "wrong table"},
        )
        assert statuses(cancelled) == ["voided", "pending"]

    async def test_a_fired_order_cannot_be_cancelled(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world), line(world, "soup", course=2)])
        await send(client, world, order["id"])
        before = await snapshot(session, world.rid)
        response = await client.post(
            f"{world.orders_url}/{order['id']}/cancel",
            json={"reason": "wrong table"},
            headers=world.waiter.headers,
        )
        assert (response.status_code, problem_type(response)) == (409, "order-already-fired")
        assert response.json()["item_ids"] == [order["items"][0]["id"]]
        assert await snapshot(session, world.rid) == before
        assert await session.scalar(
            select(OrderItem.status).where(OrderItem.id == order["items"][0]["id"])
        ) == ("fired")

    async def test_an_order_with_a_check_cannot_be_cancelled(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world)])
        check = await open_check(client, world, order["id"])
        before = await snapshot(session, world.rid)
        response = await client.post(
            f"{world.orders_url}/{order['id']}/cancel",
            json={"reason": "wrong table"},
            headers=world.waiter.headers,
        )
        assert (response.status_code, problem_type(response)) == (409, "order-has-check")
        assert response.json()["check_id"] == check["id"]
        assert await snapshot(session, world.rid) == before

    async def test_twice_stale_and_bad_bodies(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world)])
        url = f"{world.orders_url}/{order['id']}/cancel"
        before = await snapshot(session, world.rid)
        for body in ({}, {"reason": "   "}, {"reason": "x" * 501}, {"reason": "ok", "x": 1}):
            response = await client.post(url, json=body, headers=world.waiter.headers)
            assert response.status_code == 422, body
        response = await client.post(
            url, json={"reason": "wrong table", "version": 7}, headers=world.waiter.headers
        )
        assert (response.status_code, problem_type(response)) == (409, "stale-version")
        response = await client.post(
            f"{world.orders_url}/999999/cancel",
            json={"reason": "wrong table"},
            headers=world.waiter.headers,
        )
        assert (response.status_code, problem_type(response)) == (404, "not-found")
        assert await snapshot(session, world.rid) == before
        await post_ok(client, url, world.waiter.headers, json={"reason": "wrong table"})
        after = await snapshot(session, world.rid)
        response = await client.post(url, json={"reason": "again"}, headers=world.waiter.headers)
        assert (response.status_code, problem_type(response)) == (409, "order-closed")
        assert await snapshot(session, world.rid) == after

    async def test_a_cancelled_order_takes_no_more_writes(
        self, client: AsyncClient, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world)])
        await post_ok(
            client,
            f"{world.orders_url}/{order['id']}/cancel",
            world.waiter.headers,
            json={"reason": "wrong table"},
        )
        response = await client.post(
            f"{world.orders_url}/{order['id']}/items",
            json={"items": [line(world)]},
            headers=world.waiter.headers,
        )
        assert (response.status_code, problem_type(response)) == (409, "order-closed")
        response = await client.post(
            f"{world.orders_url}/{order['id']}/send", headers=world.waiter.headers
        )
        assert (response.status_code, problem_type(response)) == (409, "order-closed")
        response = await client.post(
            f"{world.orders_url}/{order['id']}/check", headers=world.cashier.headers
        )
        assert (response.status_code, problem_type(response)) == (409, "order-closed")
