"""Many waiters placing orders at once, on a real server: every order is written once,
each gets its own answer, and a screen receives every ``order.created`` once, in
``seq`` order with no gap, what the outbox holds.

On SQLite these orders are written by the unit of work's group commit
(:mod:`brigade.events.unit_of_work`: the units of work waiting for the writer share one
transaction, each in its SAVEPOINT); the tests also show that orders arriving together
share a commit, that an ``Idempotency-Key`` sent twice at once places one order, and
that an order whose write fails fails alone while the others of its batch are placed.
On PostgreSQL every order is a transaction of its own, with the same outcomes.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

import brigade.events.unit_of_work as unit_of_work_module
from brigade.events.models import OutboxEvent
from brigade.events.unit_of_work import unit_of_work
from brigade.idempotency.models import IdempotencyRecord
from brigade.orders import service
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


def grouped(live_server: LiveServer) -> bool:
    """Whether the live server commits by group commit (SQLite)."""
    return live_server.runtime.db.engine.dialect.name == "sqlite"


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of units of work that wrote in every group commit (SQLite), failed
    ones too."""
    sizes: list[int] = []
    real = unit_of_work_module._commit

    async def counting(lanes: Any, batch: Any, bus: Any) -> None:
        if batch.writers:
            sizes.append(batch.writers)
        await real(lanes, batch, bus)

    monkeypatch.setattr(unit_of_work_module, "_commit", counting)
    return sizes


async def test_a_burst_of_orders_reaches_the_screen_once_each_in_seq_order(
    http: httpx.AsyncClient, seed: Any, screens: Any, live_server: LiveServer, batches: list[int]
) -> None:
    r = await seed()
    screen = screens()
    ready = await screen.connect({"token": r.kitchen, "restaurant_id": r.restaurant_id})
    assert ready is not None
    _, _, before = await counts(live_server, r.restaurant_id)
    batches.clear()  # the burst's commits only

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
    if grouped(live_server):
        assert sum(batches) == BURST
        assert len(batches) < BURST  # orders that arrived together shared a commit


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
    # A first order's commit is held until the twelve below wait for the writer, so
    # that on SQLite they run one after another in one transaction, the poisoned one
    # among them.
    gate, holding = asyncio.Event(), asyncio.Event()
    counting = unit_of_work_module._commit
    held_once: list[int] = []

    async def held(lanes: Any, batch: Any, bus: Any) -> None:
        if batch.writers and not held_once:
            held_once.append(1)
            holding.set()
            await asyncio.wait_for(gate.wait(), 5)
        await counting(lanes, batch, bus)

    monkeypatch.setattr(unit_of_work_module, "_commit", held)
    _, _, before = await counts(live_server, r.restaurant_id)
    batches.clear()  # the commits of these orders only
    first = asyncio.create_task(place_all(http, r, ["mixed-first"], [order(r)]))
    if grouped(live_server):
        await asyncio.wait_for(holding.wait(), 5)
    keys = [f"mixed-{i}" for i in range(12)]
    bodies = [order(r, 7 if i == 5 else 1) for i in range(12)]
    rest = asyncio.create_task(place_all(http, r, keys, bodies))
    if grouped(live_server):
        lanes = unit_of_work_module._lanes(live_server.runtime.db)
        for _ in range(500):  # until the twelve wait for the writer
            if lanes.waiting == 12:
                break
            await asyncio.sleep(0.01)
        assert lanes.waiting == 12, lanes.waiting
    gate.set()
    responses = await first + await rest

    statuses = [response.status_code for response in responses]
    assert statuses[6] == 500
    assert statuses[:6] + statuses[7:] == [201] * 12
    assert responses[6].headers["content-type"] == "application/problem+json"
    orders, records, after = await counts(live_server, r.restaurant_id)
    assert (orders, records) == (12, 12)  # nothing of the failed order
    assert after == before + list(range(after[len(before)], after[len(before)] + 12))
    if grouped(live_server):  # the poisoned one was rolled back to its SAVEPOINT and
        assert batches == [1, 11]  # the other eleven committed together
