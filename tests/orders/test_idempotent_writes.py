"""``Idempotency-Key`` on the waiter's writes to an existing order (add lines, void,
send, fire a course, serve, cancel), through HTTP.

A retry with the same key returns the first answer with ``Idempotent-Replayed: true``
and writes nothing; the same key on another body, order or route is a 422; keys belong
to one actor in one restaurant; an error answer is never stored, so its key stays
usable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.idempotency import service as idempotency
from brigade.idempotency.models import IdempotencyRecord
from brigade.infra.db import utcnow
from brigade.kitchen.models import Ticket
from brigade.orders.models import OrderItem
from brigade.runtime import Runtime
from brigade.tables.models import DiningTable
from tests.factories import Login
from tests.orders.floor_support import get_order, line, send, station_step, tickets_of
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

REPLAYED = "Idempotent-Replayed"


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    return await make_world(session, runtime)


def keyed(login: Login, key: str) -> dict[str, str]:
    """``login``'s headers with ``Idempotency-Key: key``."""
    return {**login.headers, "Idempotency-Key": key}


@dataclass(frozen=True)
class Write:
    """One of the routes under test, ready to succeed: its URL, body (``None``: no
    body) and the events its first call records, in order."""

    url: str
    body: dict[str, Any] | None
    events: list[str]


async def prepare_items(client: AsyncClient, world: World) -> Write:
    order = await open_order(client, world, items=[line(world)])
    return Write(
        f"{world.orders_url}/{order['id']}/items",
        {"items": [line(world, "cola", quantity=2)], "version": 1},
        ["order.items.added"],
    )


async def prepare_void(client: AsyncClient, world: World) -> Write:
    order = await open_order(client, world, items=[line(world), line(world, "cola")])
    return Write(
        f"{world.orders_url}/{order['id']}/items/{order['items'][0]['id']}/void",
        {"reason": "guest changed mind"},
        ["order.item.voided"],
    )


async def prepare_send(client: AsyncClient, world: World) -> Write:
    order = await open_order(client, world, items=[line(world), line(world, "cola")])
    return Write(
        f"{world.orders_url}/{order['id']}/send",
        None,
        ["ticket.created", "ticket.created", "order.sent"],
    )


async def prepare_fire(client: AsyncClient, world: World) -> Write:
    order = await open_order(client, world, items=[line(world), line(world, "soup", course=2)])
    await send(client, world, order["id"])
    return Write(
        f"{world.orders_url}/{order['id']}/courses/2/fire",
        {"version": 2, "confirm": True},
        ["ticket.created", "order.course.fired"],
    )


async def prepare_serve(client: AsyncClient, world: World) -> Write:
    order = await open_order(client, world, items=[line(world), line(world, "cola")])
    await send(client, world, order["id"])
    await station_step(client, world, order["id"], "pizza", "ready")
    return Write(f"{world.orders_url}/{order['id']}/serve", None, ["order.served"])


async def prepare_cancel(client: AsyncClient, world: World) -> Write:
    order = await open_order(client, world, items=[line(world)])
    return Write(
        f"{world.orders_url}/{order['id']}/cancel",
        {"reason": "wrong table"},
        ["table.updated", "order.cancelled"],
    )


PREPARE: dict[str, Callable[[AsyncClient, World], Awaitable[Write]]] = {
    "items": prepare_items,
    "void": prepare_void,
    "send": prepare_send,
    "fire": prepare_fire,
    "serve": prepare_serve,
    "cancel": prepare_cancel,
}
ROUTES = list(PREPARE)


async def idempotency_rows(session: AsyncSession, world: World) -> list[tuple[str, str, int]]:
    """``(actor, key, status_code)`` of the restaurant's stored answers."""
    rows = await session.execute(
        select(IdempotencyRecord.actor, IdempotencyRecord.key, IdempotencyRecord.status_code)
        .where(IdempotencyRecord.restaurant_id == world.rid)
        .order_by(IdempotencyRecord.id)
    )
    return [(r.actor, r.key, r.status_code) for r in rows]


class TestReplay:
    @pytest.mark.parametrize("route", ROUTES)
    async def test_retry_returns_the_first_answer_and_writes_nothing(
        self, route: str, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        write = await PREPARE[route](client, world)
        headers = keyed(world.waiter, f"{route}-1")
        seq = await last_seq(session, world.rid)
        first = await client.post(write.url, json=write.body, headers=headers)
        assert first.status_code == 200, first.text
        assert REPLAYED not in first.headers
        assert await event_types(session, world.rid, seq) == write.events
        # the first answer is the order as it now is
        assert first.json() == await get_order(client, world, first.json()["id"])
        assert await idempotency_rows(session, world) == [
            (f"user:{world.waiter.user.id}", f"{route}-1", 200)
        ]
        after = await snapshot(session, world.rid)

        again = await client.post(write.url, json=write.body, headers=headers)
        assert again.status_code == 200
        assert again.headers[REPLAYED] == "true"
        assert again.headers["content-type"] == "application/json"
        assert again.json() == first.json()
        # no second effect: no row, status, version, ticket or event changed
        assert await snapshot(session, world.rid) == after
        assert await event_types(session, world.rid, seq) == write.events

    async def test_send_retry_reaches_the_kitchen_once(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world), line(world, "cola")])
        url = f"{world.orders_url}/{order['id']}/send"
        headers = keyed(world.waiter, "send-table-1")
        seq = await last_seq(session, world.rid)
        first = await client.post(url, headers=headers)
        assert first.status_code == 200
        assert [i["status"] for i in first.json()["items"]] == ["fired", "fired"]
        # the waiter's connection dropped before the answer: the tablet retries
        for _ in range(2):
            again = await client.post(url, headers=headers)
            assert again.status_code == 200
            assert again.headers[REPLAYED] == "true"
            assert again.json() == first.json()
        tickets = await tickets_of(client, world, order["id"])
        assert sorted(t["station"] for t in tickets) == ["bar", "pizza"]
        assert await count(session, Ticket, restaurant_id=world.rid) == 2
        assert (await event_types(session, world.rid, seq)).count("order.sent") == 1

    async def test_send_replay_fires_nothing_added_since(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        # The replay is the stored answer, not a new send: a line added after the first
        # send stays pending until a send with a new key.
        order = await open_order(client, world, items=[line(world)])
        url = f"{world.orders_url}/{order['id']}/send"
        first = await client.post(url, headers=keyed(world.waiter, "s-1"))
        assert first.status_code == 200
        added = await client.post(
            f"{world.orders_url}/{order['id']}/items",
            json={"items": [line(world, "cola")]},
            headers=world.waiter.headers,
        )
        assert added.status_code == 200
        again = await client.post(url, headers=keyed(world.waiter, "s-1"))
        assert again.headers[REPLAYED] == "true"
        assert again.json() == first.json()
        assert again.json()["version"] == 2
        current = await get_order(client, world, order["id"])
        assert [i["status"] for i in current["items"]] == ["fired", "pending"]
        assert await count(session, Ticket, restaurant_id=world.rid) == 1
        fresh = await client.post(url, headers=keyed(world.waiter, "s-2"))
        assert fresh.status_code == 200
        assert REPLAYED not in fresh.headers
        assert [i["status"] for i in fresh.json()["items"]] == ["fired", "fired"]

    async def test_items_retry_adds_the_lines_once(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world)
        url = f"{world.orders_url}/{order['id']}/items"
        body = {"items": [line(world, quantity=2), line(world, "cola")]}
        headers = keyed(world.waiter, "round-2")
        first = await client.post(url, json=body, headers=headers)
        again = await client.post(url, json=body, headers=headers)
        assert (first.status_code, again.status_code) == (200, 200)
        assert again.json() == first.json()
        assert len(first.json()["items"]) == 2
        assert await count(session, OrderItem, order_id=order["id"]) == 2
        assert (await get_order(client, world, order["id"]))["subtotal"] == 2 * 1500 + 300

    async def test_same_request_spelled_differently_is_a_replay(
        self, client: AsyncClient, world: World
    ) -> None:
        # The fingerprint is of the validated body: no body, {} and {"version": null}
        # are one request to send; so are two spellings of the same lines.
        order = await open_order(client, world, items=[line(world)])
        url = f"{world.orders_url}/{order['id']}/send"
        headers = keyed(world.waiter, "same")
        assert (await client.post(url, headers=headers)).status_code == 200
        for body in ({}, {"version": None}):
            again = await client.post(url, json=body, headers=headers)
            assert again.status_code == 200, again.text
            assert again.headers[REPLAYED] == "true"
        url = f"{world.orders_url}/{order['id']}/items"
        headers = keyed(world.waiter, "lines")
        first = await client.post(url, json={"items": [line(world, "cola")]}, headers=headers)
        again = await client.post(
            url,
            content=b'{ "items" : [ { "quantity": 1, "menu_item_id": %d } ] }' % world.cola.id,
            headers={**headers, "content-type": "application/json"},
        )
        assert again.headers[REPLAYED] == "true"
        assert again.json() == first.json()


class TestKeyReused:
    @pytest.mark.parametrize("route", ROUTES)
    async def test_same_key_other_body_is_422_and_writes_nothing(
        self, route: str, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        write = await PREPARE[route](client, world)
        headers = keyed(world.waiter, "k")
        first = await client.post(write.url, json=write.body, headers=headers)
        assert first.status_code == 200, first.text
        before = await snapshot(session, world.rid)
        other = {**(write.body or {}), "version": 99}
        response = await client.post(write.url, json=other, headers=headers)
        assert response.status_code == 422
        assert problem_type(response) == "idempotency-key-reused"
        assert await snapshot(session, world.rid) == before

    async def test_same_key_on_another_order_or_route_is_422(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        a = await open_order(client, world, items=[line(world)])
        b = await open_order(client, world, table=world.table2, items=[line(world)])
        headers = keyed(world.waiter, "tablet-7-0042")
        sent = await client.post(f"{world.orders_url}/{a['id']}/send", headers=headers)
        assert sent.status_code == 200
        before = await snapshot(session, world.rid)
        for url, body in (
            (f"{world.orders_url}/{b['id']}/send", None),  # another order
            (f"{world.orders_url}/{a['id']}/courses/1/fire", None),  # another route
            (f"{world.orders_url}/{a['id']}/serve", None),
            (f"{world.orders_url}/{a['id']}/items", {"items": [line(world)]}),
        ):
            response = await client.post(url, json=body, headers=headers)
            assert response.status_code == 422, url
            assert problem_type(response) == "idempotency-key-reused"
        # order creation shares the keys of the same actor
        response = await client.post(world.orders_url, json={"kind": "takeaway"}, headers=headers)
        assert response.status_code == 422
        assert problem_type(response) == "idempotency-key-reused"
        assert await snapshot(session, world.rid) == before


class TestKeyScope:
    async def test_keys_are_per_actor(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world)
        url = f"{world.orders_url}/{order['id']}/items"
        body = {"items": [line(world, "cola")]}
        waiter = await client.post(url, json=body, headers=keyed(world.waiter, "k"))
        owner = await client.post(url, json=body, headers=keyed(world.owner, "k"))
        assert (waiter.status_code, owner.status_code) == (200, 200)
        assert REPLAYED not in owner.headers
        assert len(owner.json()["items"]) == 2
        assert await count(session, OrderItem, order_id=order["id"]) == 2

    async def test_keys_are_per_restaurant(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world)])
        url = f"{world.orders_url}/{order['id']}/send"
        ours = await client.post(url, headers=keyed(world.waiter, "k"))
        assert ours.status_code == 200
        # another restaurant's member with the same key gets its tenant's 404, never the
        # stored answer
        response = await client.post(url, headers=keyed(world.stranger, "k"))
        assert response.status_code == 404
        assert problem_type(response) == "not-found"
        # and the same key works in its own restaurant
        other_rid = await session.scalar(
            select(DiningTable.restaurant_id).where(DiningTable.id == world.other_table)
        )
        other_orders = f"/api/v1/restaurants/{other_rid}/orders"
        theirs = await client.post(
            other_orders,
            json={"kind": "takeaway", "items": []},
            headers=world.stranger.headers,
        )
        assert theirs.status_code == 201
        response = await client.post(
            f"{other_orders}/{theirs.json()['id']}/cancel",
            json={"reason": "test"},
            headers=keyed(world.stranger, "k"),
        )
        assert response.status_code == 200
        assert REPLAYED not in response.headers
        assert response.json()["status"] == "cancelled"


class TestErrorsAreNotStored:
    async def test_failed_send_keeps_the_key_free(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world)
        url = f"{world.orders_url}/{order['id']}/send"
        headers = keyed(world.waiter, "send-1")
        before = await snapshot(session, world.rid)
        failed = await client.post(url, headers=headers)
        assert failed.status_code == 409
        assert problem_type(failed) == "nothing-to-fire"
        assert REPLAYED not in failed.headers
        assert await snapshot(session, world.rid) == before  # no stored answer either
        # the retry is not answered with the error: it runs again, and now succeeds
        added = await client.post(
            f"{world.orders_url}/{order['id']}/items",
            json={"items": [line(world)]},
            headers=world.waiter.headers,
        )
        assert added.status_code == 200
        retried = await client.post(url, headers=headers)
        assert retried.status_code == 200
        assert REPLAYED not in retried.headers
        assert [i["status"] for i in retried.json()["items"]] == ["fired"]
        assert await idempotency_rows(session, world) == [
            (f"user:{world.waiter.user.id}", "send-1", 200)
        ]

    async def test_stale_version_is_not_stored(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world)])
        url = f"{world.orders_url}/{order['id']}/items"
        body = {"items": [line(world, "cola")], "version": 1}
        bump = await client.post(url, json={"items": [line(world)]}, headers=world.owner.headers)
        assert bump.json()["version"] == 2
        before = await snapshot(session, world.rid)
        headers = keyed(world.waiter, "stale")
        for _ in range(2):  # the retry gets the same 409 again, computed afresh
            response = await client.post(url, json=body, headers=headers)
            assert response.status_code == 409
            assert problem_type(response) == "stale-version"
            assert REPLAYED not in response.headers
        assert await snapshot(session, world.rid) == before

    async def test_cancel_refused_then_allowed_with_the_same_key(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world)])
        await send(client, world, order["id"])
        url = f"{world.orders_url}/{order['id']}/cancel"
        headers = keyed(world.waiter, "cancel-1")
        body = {"reason": "wrong table"}
        refused = await client.post(url, json=body, headers=headers)
        assert refused.status_code == 409
        assert problem_type(refused) == "order-already-fired"
        assert await idempotency_rows(session, world) == []
        void = await client.post(
            f"{world.orders_url}/{order['id']}/items/{order['items'][0]['id']}/void",
            json={"reason": "wrong table"},
            headers=world.waiter.headers,
        )
        assert void.status_code == 200
        cancelled = await client.post(url, json=body, headers=headers)
        assert cancelled.status_code == 200
        assert REPLAYED not in cancelled.headers
        again = await client.post(url, json=body, headers=headers)
        assert again.headers[REPLAYED] == "true"
        assert again.json() == cancelled.json()

    async def test_invalid_body_is_not_stored(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world)])
        url = f"{world.orders_url}/{order['id']}/items/{order['items'][0]['id']}/void"
        before = await snapshot(session, world.rid)
        response = await client.post(url, json={"reason": ""}, headers=keyed(world.waiter, "v"))
        assert response.status_code == 422
        assert problem_type(response) == "validation-error"
        assert await snapshot(session, world.rid) == before

    async def test_auth_errors_come_first(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world)])
        url = f"{world.orders_url}/{order['id']}/items/{order['items'][0]['id']}/void"
        body = {"reason": "x"}
        before = await snapshot(session, world.rid)
        response = await client.post(url, json=body, headers={"Idempotency-Key": "a"})
        assert (response.status_code, problem_type(response)) == (401, "not-authenticated")
        # the cashier may not void: 403, and the key is not taken
        response = await client.post(url, json=body, headers=keyed(world.cashier, "a"))
        assert (response.status_code, problem_type(response)) == (403, "permission-denied")
        assert await snapshot(session, world.rid) == before

    async def test_request_in_progress_is_409(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        # A claimed key whose answer is not stored yet (the first request has not
        # finished) is answered 409 and the request does nothing.
        order = await open_order(client, world, items=[line(world)])
        url = f"{world.orders_url}/{order['id']}/send"
        session.add(
            IdempotencyRecord(
                restaurant_id=world.rid,
                actor=f"user:{world.waiter.user.id}",
                key="busy",
                fingerprint=idempotency.fingerprint("POST", url, {"version": None}),
                status_code=0,
                body=None,
                created_at=utcnow(),
            )
        )
        await session.commit()
        before = await snapshot(session, world.rid)
        response = await client.post(url, headers=keyed(world.waiter, "busy"))
        assert response.status_code == 409
        assert problem_type(response) == "idempotent-request-in-progress"
        assert await snapshot(session, world.rid) == before


class TestHeader:
    async def test_without_a_key_nothing_is_stored_and_nothing_replayed(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world)])
        url = f"{world.orders_url}/{order['id']}/send"
        first = await client.post(url, headers=world.waiter.headers)
        assert first.status_code == 200
        assert REPLAYED not in first.headers
        second = await client.post(url, headers=world.waiter.headers)
        assert second.status_code == 409
        assert problem_type(second) == "nothing-to-fire"
        assert await idempotency_rows(session, world) == []

    @pytest.mark.parametrize("key", ["", "k" * 256])
    async def test_key_out_of_bounds_is_422(
        self, key: str, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world)])
        before = await snapshot(session, world.rid)
        response = await client.post(
            f"{world.orders_url}/{order['id']}/send", headers=keyed(world.waiter, key)
        )
        assert response.status_code == 422
        assert problem_type(response) == "validation-error"
        assert response.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
        assert await snapshot(session, world.rid) == before

    async def test_longest_key_is_accepted(self, client: AsyncClient, world: World) -> None:
        order = await open_order(client, world, items=[line(world)])
        url = f"{world.orders_url}/{order['id']}/send"
        headers = keyed(world.waiter, "k" * 255)
        assert (await client.post(url, headers=headers)).status_code == 200
        assert (await client.post(url, headers=headers)).headers[REPLAYED] == "true"
