"""Events are numbered when their transaction commits, in commit order."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from brigade.events.bus import EventBus
from brigade.events.models import OutboxEvent
from brigade.events.outbox import DomainEvent, NewEvent, record_many
from brigade.events.unit_of_work import unit_of_work
from brigade.infra.db import Database
from brigade.restaurants.service import create_restaurant
from tests.factories import unique


async def test_seq_follows_commit_order_not_record_order(database_url: str) -> None:
    db = Database(database_url)
    announced: list[DomainEvent] = []
    bus = EventBus()

    async def collect(events: object) -> None:
        announced.extend(events)  # type: ignore[arg-type]

    bus.subscribe(collect)
    try:
        async with unit_of_work(db, None) as session:
            restaurant_id = (await create_restaurant(session, name="R", slug=unique("seq"))).id
        async with unit_of_work(db, bus) as first:
            await record_many(first, restaurant_id, [NewEvent("order.created", {"n": 1})])
            # a second transaction records and commits while the first is still open; it
            # must not wait for the first (bounded, so a regression fails instead of hanging)
            async with asyncio.timeout(10), unit_of_work(db, bus) as second:
                await record_many(
                    second,
                    restaurant_id,
                    [NewEvent("order.created", {"n": 2}), NewEvent("order.sent", {"n": 2})],
                )
        assert [(e.seq, e.payload["n"]) for e in announced] == [(1, 2), (2, 2), (3, 1)]
        async with db.sessionmaker() as session:
            rows = (
                await session.execute(
                    select(OutboxEvent.seq, OutboxEvent.type, OutboxEvent.payload)
                    .where(OutboxEvent.restaurant_id == restaurant_id)
                    .order_by(OutboxEvent.seq)
                )
            ).all()
        assert [(r.seq, r.type, r.payload["n"]) for r in rows] == [
            (1, "order.created", 2),
            (2, "order.sent", 2),
            (3, "order.created", 1),
        ]
    finally:
        await db.dispose()


async def test_a_failed_transaction_takes_no_seq(database_url: str) -> None:
    db = Database(database_url)
    try:
        async with unit_of_work(db, None) as session:
            restaurant_id = (await create_restaurant(session, name="R", slug=unique("seq"))).id
        try:
            async with unit_of_work(db, None) as session:
                await record_many(session, restaurant_id, [NewEvent("order.created", {})])
                raise RuntimeError("the request failed")
        except RuntimeError:
            pass
        async with unit_of_work(db, None) as session:
            await record_many(session, restaurant_id, [NewEvent("order.created", {})])
        async with db.sessionmaker() as session:
            seqs = list(
                await session.scalars(
                    select(OutboxEvent.seq).where(OutboxEvent.restaurant_id == restaurant_id)
                )
            )
        assert seqs == [1]
    finally:
        await db.dispose()
