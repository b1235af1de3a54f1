"""Moving orders through HTTP: transfer to another free table, merge two tables' orders
(the floor follows; the kitchen's history stays, nothing is sent again)."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.kitchen.models import Ticket, TicketItem
from brigade.runtime import Runtime
from tests.factories import make_table
from tests.orders.support import (
    World,
    count,
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


def cola(world: World) -> dict[str, Any]:
    return {"menu_item_id": world.cola.id}


async def table(client: AsyncClient, world: World, table_id: int) -> dict[str, Any]:
    response = await client.get(world.url(f"/tables/{table_id}"), headers=world.owner.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def post(client: AsyncClient, world: World, path: str, body: dict[str, Any], **h: str) -> Any:
    return await client.post(
        world.orders_url + path, json=body, headers={**world.waiter.headers, **h}
    )


class TestTransfer:
    async def test_to_a_free_table_the_floor_follows(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[cola(world)])
        before = await last_seq(session, world.rid)
        moved = await post(client, world, f"/{order['id']}/transfer", {"table_id": world.table2})
        assert moved.status_code == 200, moved.text
        assert moved.json()["table_id"] == world.table2
        assert moved.json()["version"] == order["version"] + 1
        old, new = await table(client, world, world.table), await table(client, world, world.table2)
        assert (old["status"], old["current_order_id"]) == ("free", None)
        assert (new["status"], new["current_order_id"]) == ("occupied", order["id"])
        assert await event_types(session, world.rid, before) == [
            "table.updated",
            "table.updated",
            "order.transferred",
        ]

    async def test_to_an_occupied_table_and_other_restaurants(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[cola(world)])
        await open_order(client, world, table=world.table2, items=[cola(world)])
        before = await snapshot(session, world.rid)
        taken = await post(client, world, f"/{order['id']}/transfer", {"table_id": world.table2})
        assert taken.status_code == 409
        assert problem_type(taken) == "table-occupied"
        other = await post(
            client, world, f"/{order['id']}/transfer", {"table_id": world.other_table}
        )
        assert other.status_code == 404
        stranger = await client.post(
            world.orders_url + f"/{order['id']}/transfer",
            json={"table_id": world.table2},
            headers=world.stranger.headers,
        )
        assert stranger.status_code == 404
        assert (
            await client.post(world.orders_url + f"/{order['id']}/transfer", json={"table_id": 1})
        ).status_code == 401
        assert await snapshot(session, world.rid) == before

    async def test_idempotency_key(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[cola(world)])
        third = await make_table(session, world.restaurant, name="T3")
        await session.commit()
        key = {"Idempotency-Key": "move-1"}
        first = await post(
            client, world, f"/{order['id']}/transfer", {"table_id": world.table2}, **key
        )
        again = await post(
            client, world, f"/{order['id']}/transfer", {"table_id": world.table2}, **key
        )
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
        moved = await post(client, world, f"/{order['id']}/transfer", {"table_id": third})
        assert moved.status_code == 200
        assert (await table(client, world, world.table2))["status"] == "free"


class TestMerge:
    async def test_lines_move_with_their_kitchen_history(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        into = await open_order(client, world, items=[cola(world)])
        away = await open_order(client, world, table=world.table2, items=[cola(world), cola(world)])
        sent = await client.post(
            world.orders_url + f"/{away['id']}/send", headers=world.waiter.headers
        )
        assert sent.status_code == 200, sent.text
        tickets = await count(session, Ticket, restaurant_id=world.rid)
        ticket_items = await count(session, TicketItem, restaurant_id=world.rid)
        assert tickets >= 1
        before = await last_seq(session, world.rid)
        merged = await post(client, world, f"/{into['id']}/merge", {"order_id": away["id"]})
        assert merged.status_code == 200, merged.text
        body = merged.json()
        moved = {i["id"]: i["status"] for i in sent.json()["items"]}
        assert {i["id"]: i["status"] for i in body["items"] if i["id"] in moved} == moved
        assert len(body["items"]) == 3
        assert body["subtotal"] == 900
        gone = await client.get(world.orders_url + f"/{away['id']}", headers=world.waiter.headers)
        assert gone.json()["status"] == "cancelled"
        assert gone.json()["cancel_reason"] == f"merged into order {into['id']}"
        assert (await table(client, world, world.table2))["status"] == "free"
        assert (await table(client, world, world.table))["current_order_id"] == into["id"]
        # Nothing sent to the kitchen again.
        assert await count(session, Ticket, restaurant_id=world.rid) == tickets
        assert await count(session, TicketItem, restaurant_id=world.rid) == ticket_items
        events = await event_types(session, world.rid, before)
        assert events == ["table.updated", "order.cancelled", "order.merged"]
        # The merged lines are billed on the order's check.
        check = await client.post(
            world.url(f"/orders/{into['id']}/check"), headers=world.cashier.headers
        )
        assert check.json()["subtotal"] == 900

    async def test_errors(self, client: AsyncClient, session: AsyncSession, world: World) -> None:
        into = await open_order(client, world, items=[cola(world)])
        away = await open_order(client, world, table=world.table2, items=[cola(world)])
        billed = await client.post(
            world.url(f"/orders/{away['id']}/check"), headers=world.cashier.headers
        )
        assert billed.status_code == 201
        before = await snapshot(session, world.rid)
        has_check = await post(client, world, f"/{into['id']}/merge", {"order_id": away["id"]})
        assert has_check.status_code == 409
        assert problem_type(has_check) == "order-has-check"
        itself = await post(client, world, f"/{into['id']}/merge", {"order_id": into["id"]})
        assert itself.status_code == 409
        assert problem_type(itself) == "cannot-merge-order"
        unknown = await post(client, world, f"/{into['id']}/merge", {"order_id": 999_999})
        assert unknown.status_code == 404
        stale = await post(
            client, world, f"/{into['id']}/merge", {"order_id": away["id"], "version": 99}
        )
        assert stale.status_code == 409
        stranger = await client.post(
            world.orders_url + f"/{into['id']}/merge",
            json={"order_id": away["id"]},
            headers=world.stranger.headers,
        )
        assert stranger.status_code == 404
        assert await snapshot(session, world.rid) == before
