"""Order placement's fast path (brigade.orders.fastpath): it serves the valid requests,
answers exactly as the route does, and hands everything else to the route."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

import brigade.orders.fastpath as fastpath
import brigade.orders.group_commit as group_commit
from brigade.db import Database
from brigade.events.outbox import DomainEvent
from brigade.orders.models import Order
from brigade.prepared import DriverTransaction
from brigade.runtime import Runtime
from tests.factories import unique
from tests.orders.support import World, count, make_world, problem_type, snapshot

PROBLEM = "https://brigade.dev/problems/"


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    return await make_world(session, runtime)


@pytest.fixture
def fast_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the transactions (or, on PostgreSQL for an order without a table, the
    autocommit connections) the fast path opens: one per request it serves, these
    requests coming one at a time (SQLite's group commit writes one at a time alone)."""
    calls: list[int] = []

    def counted(real: Any) -> Any:
        @asynccontextmanager
        async def counting(db: Database, *bus: Any) -> AsyncIterator[DriverTransaction]:
            calls.append(1)
            async with real(db, *bus) as tx:
                yield tx

        return counting

    for module, name in (
        (fastpath, "driver_unit_of_work"),
        (fastpath, "driver_autocommit"),
        (group_commit, "driver_unit_of_work"),
    ):
        monkeypatch.setattr(module, name, counted(getattr(module, name)))
    return calls


def order_body(world: World) -> dict[str, Any]:
    return {
        "kind": "dine_in",
        "table_id": world.table,
        "covers": 3,
        "items": [
            {
                "menu_item_id": world.pizza.id,
                "variation_id": world.pizza.variations["S"],
                "quantity": 2,
                "modifier_ids": [world.extras["olives"]],
            },
            {"menu_item_id": world.cola.id},
        ],
    }


class TestServedByTheFastPath:
    async def test_unauthenticated_is_the_routes_401(
        self, client: AsyncClient, world: World, fast_calls: list[int]
    ) -> None:
        response = await client.post(world.orders_url, json={"kind": "takeaway"})
        assert fast_calls == [1]
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json() == {
            "type": PROBLEM + "not-authenticated",
            "title": "Authentication required",
            "status": 401,
            "detail": "send an access token or API token as 'Authorization: Bearer'",
            "instance": world.orders_url,
        }

    async def test_other_restaurant_and_role_without_permission(
        self, client: AsyncClient, world: World, fast_calls: list[int]
    ) -> None:
        stranger = await client.post(
            world.orders_url, json={"kind": "takeaway"}, headers=world.stranger.headers
        )
        kitchen = await client.post(
            world.orders_url, json={"kind": "takeaway"}, headers=world.kitchen.headers
        )
        assert fast_calls == [1, 1]
        assert stranger.status_code == 404
        assert stranger.json() == {
            "type": PROBLEM + "not-found",
            "title": "Not found",
            "status": 404,
            "detail": "restaurant not found",
            "instance": world.orders_url,
        }
        assert kitchen.status_code == 403
        assert kitchen.json()["detail"] == "this action needs the 'orders:write' permission"
        assert problem_type(kitchen) == "permission-denied"

    async def test_answer_is_the_order_as_read_back_and_seats_the_table(
        self, client: AsyncClient, session: AsyncSession, world: World, fast_calls: list[int]
    ) -> None:
        response = await client.post(
            world.orders_url, json=order_body(world), headers=world.waiter.headers
        )
        assert fast_calls == [1]
        assert response.status_code == 201, response.text
        assert response.headers["content-type"] == "application/json"
        assert "idempotent-replayed" not in response.headers
        order = response.json()
        assert order["subtotal"] == 2 * (1000 + 75) + 300
        read = await client.get(f"{world.orders_url}/{order['id']}", headers=world.waiter.headers)
        assert read.json() == order
        table = await client.get(world.url(f"/tables/{world.table}"), headers=world.waiter.headers)
        assert table.json()["status"] == "occupied"
        assert table.json()["current_order_id"] == order["id"]

    async def test_events_reach_the_bus_after_commit_numbered(
        self, client: AsyncClient, runtime: Runtime, world: World, fast_calls: list[int]
    ) -> None:
        seen: list[DomainEvent] = []

        async def listen(events: Sequence[DomainEvent]) -> None:
            seen.extend(events)

        runtime.bus.subscribe(listen)
        try:
            response = await client.post(
                world.orders_url, json=order_body(world), headers=world.waiter.headers
            )
        finally:
            runtime.bus._subscribers.remove(listen)
        assert fast_calls == [1]
        assert [e.type for e in seen] == ["table.updated", "order.created"]
        assert seen[1].seq == seen[0].seq + 1
        assert seen[1].payload == {"order": response.json()}

    async def test_idempotent_retry_replays_the_answer(
        self, client: AsyncClient, session: AsyncSession, world: World, fast_calls: list[int]
    ) -> None:
        headers = {**world.waiter.headers, "Idempotency-Key": "fast-1"}
        first = await client.post(world.orders_url, json=order_body(world), headers=headers)
        before = await snapshot(session, world.rid)
        again = await client.post(world.orders_url, json=order_body(world), headers=headers)
        assert fast_calls == [1, 1]
        assert again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        assert again.content == first.content
        assert await snapshot(session, world.rid) == before

    async def test_a_rule_broken_is_the_routes_problem_and_writes_nothing(
        self, client: AsyncClient, session: AsyncSession, world: World, fast_calls: list[int]
    ) -> None:
        before = await snapshot(session, world.rid)
        body = {"kind": "takeaway", "items": [{"menu_item_id": world.gone.id}]}
        response = await client.post(
            world.orders_url,
            json=body,
            headers={**world.waiter.headers, "Idempotency-Key": "gone-1"},
        )
        assert fast_calls == [1]
        assert response.status_code == 409
        assert problem_type(response) == "item-unavailable"
        assert response.json()["instance"] == world.orders_url
        assert await snapshot(session, world.rid) == before

    async def test_statements_of_a_keyed_takeaway(
        self, client: AsyncClient, connection: AsyncConnection, world: World
    ) -> None:
        # Every statement a keyed takeaway placement runs (besides the tests'
        # SAVEPOINTs), once the process has the menu snapshot (the first order with lines
        # read it) and, on PostgreSQL, a block of ids.
        first = {"kind": "takeaway", "items": [{"menu_item_id": world.cola.id}]}
        await client.post(world.orders_url, json=first, headers=world.waiter.headers)
        seen: list[str] = []

        def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
                seen.append(" ".join(statement.split()[:3]).upper())

        body = {
            "kind": "takeaway",
            "items": [
                {"menu_item_id": world.soup.id, "quantity": 2},
                {"menu_item_id": world.cola.id},
            ],
        }
        sync_conn = connection.sync_connection
        assert sync_conn is not None
        event.listen(sync_conn, "before_cursor_execute", remember)
        try:
            response = await client.post(
                world.orders_url,
                json=body,
                headers={**world.waiter.headers, "Idempotency-Key": "count-1"},
            )
        finally:
            event.remove(sync_conn, "before_cursor_execute", remember)
        assert response.status_code == 201
        if connection.dialect.name == "postgresql":
            # one statement: the key's record with its answer, the order, its lines, the
            # sequence and the event
            assert seen == ["WITH BATCH AS"]
        else:
            assert seen == [
                "INSERT INTO IDEMPOTENCY_RECORDS",
                "INSERT INTO ORDERS",
                "INSERT INTO ORDER_ITEMS",
                "UPDATE IDEMPOTENCY_RECORDS SET",
                "UPDATE EVENT_SEQUENCES SET",
                "INSERT INTO OUTBOX_EVENTS",
            ]
        replay = await client.post(
            world.orders_url,
            json=body,
            headers={**world.waiter.headers, "Idempotency-Key": "count-1"},
        )
        assert replay.headers["idempotent-replayed"] == "true"
        assert replay.content == response.content


class TestPricedFromTheMenuSnapshot:
    """The fast path prices lines from the process's menu snapshot; a menu change made
    through this process applies to the very next order."""

    async def test_an_86_and_a_price_change_apply_to_the_next_order(
        self, client: AsyncClient, world: World
    ) -> None:
        soup = {"kind": "takeaway", "items": [{"menu_item_id": world.soup.id}]}
        menu = f"/api/v1/restaurants/{world.rid}/menu/items/{world.soup.id}"
        first = await client.post(world.orders_url, json=soup, headers=world.waiter.headers)
        assert first.json()["subtotal"] == 650

        gone = await client.put(
            f"{menu}/availability", json={"is_available": False}, headers=world.owner.headers
        )
        assert gone.status_code == 200
        refused = await client.post(world.orders_url, json=soup, headers=world.waiter.headers)
        assert refused.status_code == 409
        assert problem_type(refused) == "item-unavailable"

        back = await client.put(
            f"{menu}/availability", json={"is_available": True}, headers=world.owner.headers
        )
        assert back.status_code == 200
        (variation,) = world.soup.variations.values()
        priced = await client.patch(
            f"{menu}/variations/{variation}", json={"price": 720}, headers=world.owner.headers
        )
        assert priced.status_code == 200
        again = await client.post(world.orders_url, json=soup, headers=world.waiter.headers)
        assert again.status_code == 201
        assert again.json()["subtotal"] == 720

    async def test_an_item_newer_than_the_snapshot_can_be_ordered(
        self, client: AsyncClient, world: World
    ) -> None:
        first = {"kind": "takeaway", "items": [{"menu_item_id": world.cola.id}]}
        assert (
            await client.post(world.orders_url, json=first, headers=world.waiter.headers)
        ).status_code == 201
        made = await client.post(
            f"/api/v1/restaurants/{world.rid}/menu/items",
            json={
                "category_id": world.cola.category_id,
                "name": "Lemonade",
                "station": "bar",
                "variations": [{"name": "Glass", "sku": unique("lemonade"), "price": 350}],
            },
            headers=world.owner.headers,
        )
        assert made.status_code == 201
        body = {"kind": "takeaway", "items": [{"menu_item_id": made.json()["id"]}]}
        response = await client.post(world.orders_url, json=body, headers=world.waiter.headers)
        assert response.status_code == 201
        assert [(i["name"], i["unit_price"]) for i in response.json()["items"]] == [
            ("Lemonade", 350)
        ]


class TestHandedToTheRoute:
    async def test_invalid_body_gets_the_routes_validation_error(
        self, client: AsyncClient, session: AsyncSession, world: World, fast_calls: list[int]
    ) -> None:
        before = await snapshot(session, world.rid)
        response = await client.post(
            world.orders_url,
            json={"kind": "takeaway", "items": [{"menu_item_id": 0}]},
            headers=world.waiter.headers,
        )
        assert fast_calls == []
        assert response.status_code == 422
        assert problem_type(response) == "validation-error"
        assert response.json()["errors"][0]["loc"] == ["body", "items", 0, "menu_item_id"]
        assert await snapshot(session, world.rid) == before

    async def test_body_that_is_not_json_is_a_422_even_unauthenticated(
        self, client: AsyncClient, world: World, fast_calls: list[int]
    ) -> None:
        response = await client.post(
            world.orders_url, content=b"{not json", headers={"content-type": "application/json"}
        )
        assert fast_calls == []
        assert response.status_code == 422
        assert response.json()["errors"][0]["type"] == "json_invalid"

    @pytest.mark.parametrize("key", ["", "k" * 256])
    async def test_idempotency_key_out_of_bounds(
        self,
        client: AsyncClient,
        session: AsyncSession,
        world: World,
        fast_calls: list[int],
        key: str,
    ) -> None:
        response = await client.post(
            world.orders_url,
            json={"kind": "takeaway"},
            headers={**world.waiter.headers, "Idempotency-Key": key},
        )
        assert fast_calls == []
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]

    async def test_other_content_type_is_read_by_the_route(
        self, client: AsyncClient, world: World, fast_calls: list[int]
    ) -> None:
        response = await client.post(
            world.orders_url,
            content=json.dumps({"kind": "takeaway"}).encode(),
            headers={**world.waiter.headers, "content-type": "text/plain"},
        )
        assert fast_calls == []
        assert response.status_code == 422

    async def test_json_suffix_and_charset_are_json(
        self, client: AsyncClient, world: World, fast_calls: list[int]
    ) -> None:
        for content_type in ("application/json; charset=utf-8", "application/vnd.x+json"):
            response = await client.post(
                world.orders_url,
                content=json.dumps({"kind": "takeaway"}).encode(),
                headers={**world.waiter.headers, "content-type": content_type},
            )
            assert response.status_code == 201
        assert fast_calls == [1, 1]

    async def test_database_without_driver_transactions_uses_the_route(
        self,
        client: AsyncClient,
        session: AsyncSession,
        world: World,
        fast_calls: list[int],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(Database, "driver_transactions", property(lambda _db: False))
        response = await client.post(
            world.orders_url, json=order_body(world), headers=world.waiter.headers
        )
        assert fast_calls == []
        assert response.status_code == 201
        assert await count(session, Order, restaurant_id=world.rid) == 1
