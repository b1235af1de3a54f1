"""Many waiters placing orders at once, on a real server: every order is written once,
each gets its own answer, and a screen receives every ``order.created`` once, in
``seq`` order with no gap, what the outbox holds.

These orders are written by group commit (PostgreSQL: ``brigade.orders.placement``,
one statement; SQLite: ``brigade.orders.group_commit``, one transaction): the tests also
show that orders arriving together share a write, that an ``Idempotency-Key`` sent twice
at once places one order, and that an order whose write fails fails alone while the
others of its batch are placed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from brigade.db import unit_of_work
from brigade.events.models import OutboxEvent
from brigade.idempotency import IdempotencyRecord
from brigade.orders import group_commit, placement, service
from brigade.orders.models import Order
from tests.realtime.conftest import LiveServer

BURST = 24


def order(seeded: Any, quantity: int = 1) -> dict[str, Any]:
    return {
        "kind": "takeaway",
        "items": [
            {"menu_item_id": seeded.grill_item, "quantity": quantity},
            {"menu_item_id": seeded.bar_item},
        ],
    }


async def place_all(
    http: httpx.AsyncClient, seeded: Any, keys: list[str], bodies: list[dict[str, Any]]
) -> list[httpx.Response]:
    url = f"/api/v1/restaurants/{seeded.restaurant_id}/orders"
    headers = seeded.headers(seeded.waiter)
    return list(
        await asyncio.gather(
            *(
                http.post(url, json=body, headers={**headers, "Idempotency-Key": key})
                for key, body in zip(keys, bodies, strict=True)
            )
        )
    )


async def counts(live_server: LiveServer, restaurant_id: int) -> tuple[int, int, list[int]]:
    """Orders, idempotency records and outbox seqs (ascending) of the restaurant."""
    runtime = live_server.runtime
    async with unit_of_work(runtime.db, None) as session:
        orders = await session.scalar(
            select(func.count()).select_from(Order).where(Order.restaurant_id == restaurant_id)
        )
        records = await session.scalar(
            select(func.count())
            .select_from(IdempotencyRecord)
            .where(IdempotencyRecord.restaurant_id == restaurant_id)
        )
        seqs = (
            await session.scalars(
                select(OutboxEvent.seq)
                .where(OutboxEvent.restaurant_id == restaurant_id)
                .order_by(OutboxEvent.seq)
            )
        ).all()
    return int(orders or 0), int(records or 0), list(seqs)


def batcher(live_server: LiveServer) -> Any:
    """The class writing batches of orders on the live server's database."""
    if live_server.runtime.db.engine.dialect.name == "postgresql":
        return placement._Batcher
    return group_commit.SqliteGroupCommit


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch, live_server: LiveServer) -> list[int]:
    """The size of every group-commit write run (a statement on PostgreSQL, a
    transaction on SQLite), failed ones too."""
    sizes: list[int] = []
    cls = batcher(live_server)
    real = cls._write

    async def counting(self: Any, *args: Any) -> Any:
        sizes.append(len(args[-1]))  # the batch is the last argument of both
        return await real(self, *args)

    monkeypatch.setattr(cls, "_write", counting)
    return sizes


async def test_a_burst_of_orders_reaches_the_screen_once_each_in_seq_order(
    http: httpx.AsyncClient, seed: Any, screens: Any, live_server: LiveServer, batches: list[int]
) -> None:
    r = await seed()
    screen = screens()
    ready = await screen.connect({"token": r.kitchen, "restaurant_id": r.restaurant_id})
    assert ready is not None
    _, _, before = await counts(live_server, r.restaurant_id)

    responses = await place_all(
        http, r, [f"burst-{i}" for i in range(BURST)], [order(r, 1 + i % 3) for i in range(BURST)]
    )

    assert [response.status_code for response in responses] == [201] * BURST
    answers = {response.json()["id"]: response.json() for response in responses}
    assert len(answers) == BURST  # each its own order
    got = [await screen.next() for _ in range(BURST)]
    assert all(name == "order.created" for name, _ in got)
    seqs = [data["seq"] for _, data in got]
    assert seqs == list(range(seqs[0], seqs[0] + BURST))  # in order, no gap, no repeat
    assert {data["data"]["order"]["id"]: data["data"]["order"] for _, data in got} == answers
    assert screen.pending() == []
    orders, records, after = await counts(live_server, r.restaurant_id)
    assert orders == BURST
    assert records == BURST
    assert after == before + seqs
    assert sum(batches) == BURST
    assert len(batches) < BURST  # orders that arrived together shared a write


async def test_the_same_key_sent_at_once_places_one_order(
    http: httpx.AsyncClient, seed: Any, live_server: LiveServer
) -> None:
    r = await seed()
    keys = ["same-key"] * 6 + [f"other-{i}" for i in range(6)]
    responses = await place_all(http, r, keys, [order(r)] * len(keys))

    same = [response for key, response in zip(keys, responses, strict=True) if key == "same-key"]
    assert [response.status_code for response in responses] == [201] * len(keys)
    assert len({response.content for response in same}) == 1  # one answer, replayed
    assert sorted(response.headers.get("idempotent-replayed", "") for response in same) == [
        "",
        *["true"] * 5,
    ]
    orders, records, _ = await counts(live_server, r.restaurant_id)
    assert (orders, records) == (7, 7)


async def test_an_order_whose_write_fails_fails_alone(
    http: httpx.AsyncClient,
    seed: Any,
    live_server: LiveServer,
    batches: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r = await seed()
    real = service.line_values

    def poisoned(*args: Any) -> list[dict[str, Any]]:
        lines = real(*args)
        if lines and lines[0]["quantity"] == 7:  # the poisoned order: a variation that
            lines[0]["variation_id"] = 2**62  # does not exist, refused by its foreign key
        return lines

    monkeypatch.setattr(service, "line_values", poisoned)
    # A first order's write is held until the twelve below wait behind it, so they are
    # written by one statement (PostgreSQL) or transaction (SQLite), the poisoned one
    # among them.
    gate, holding, arrived = asyncio.Event(), asyncio.Event(), asyncio.Event()
    cls = batcher(live_server)
    counting, placing = cls._write, cls.place
    waiting: list[int] = []

    async def held(self: Any, *args: Any) -> Any:
        holding.set()
        await asyncio.wait_for(gate.wait(), 5)
        return await counting(self, *args)

    async def place(self: Any, *args: Any) -> Any:
        waiting.append(1)
        if len(waiting) == 13:  # the first and the twelve (queued when this yields)
            arrived.set()
        return await placing(self, *args)

    monkeypatch.setattr(cls, "_write", held)
    monkeypatch.setattr(cls, "place", place)
    _, _, before = await counts(live_server, r.restaurant_id)
    first = asyncio.create_task(place_all(http, r, ["mixed-first"], [order(r)]))
    await asyncio.wait_for(holding.wait(), 5)
    keys = [f"mixed-{i}" for i in range(12)]
    bodies = [order(r, 7 if i == 5 else 1) for i in range(12)]
    rest = asyncio.create_task(place_all(http, r, keys, bodies))
    await asyncio.wait_for(arrived.wait(), 5)
    gate.set()
    responses = await first + await rest

    statuses = [response.status_code for response in responses]
    assert statuses[6] == 500
    assert statuses[:6] + statuses[7:] == [201] * 12
    assert responses[6].headers["content-type"] == "application/problem+json"
    orders, records, after = await counts(live_server, r.restaurant_id)
    assert (orders, records) == (12, 12)  # nothing of the failed order
    assert after == before + list(range(after[len(before)], after[len(before)] + 12))
    if live_server.runtime.db.engine.dialect.name == "postgresql":
        # the twelve shared a statement that failed, then were written one by one
        assert batches == [1, 12, *[1] * 12]
    else:  # the poisoned one was rolled back to its SAVEPOINT, the others committed
        assert batches == [1, 12]
