"""SQLite's group commit, a property of the one unit of work (brigade.events.unit_of_work),
on a database file of its own (so it runs in both suite runs): units of work waiting for
the writer share one commit, each in its SAVEPOINT; one that never needs the database
never waits for the writer; a read gives the writer back before a long read; every
answer waits for the commit of what it wrote; commits are durable (synchronous=FULL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

import brigade.events.unit_of_work as uow
from brigade.events.bus import EventBus
from brigade.events.outbox import DomainEvent, NewEvent, record_many
from brigade.events.unit_of_work import end_if_read_only, unit_of_work
from brigade.infra.db import Database
from brigade.infra.migrate import upgrade
from brigade.restaurants.service import create_restaurant


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'group.db'}"
    await asyncio.to_thread(upgrade, url)
    database = Database(url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def commits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many units of work wrote in each commit."""
    sizes: list[int] = []
    real = uow._commit

    async def counting(lanes: Any, batch: Any, bus: Any) -> None:
        sizes.append(batch.writers)
        await real(lanes, batch, bus)

    monkeypatch.setattr(uow, "_commit", counting)
    return sizes


async def restaurant(db: Database) -> int:
    async with unit_of_work(db, None) as session:
        return (await create_restaurant(session, name="R", slug="r")).id


COUNTS = {
    "outbox_events": text("SELECT count(*) FROM outbox_events"),
    "floor_areas": text("SELECT count(*) FROM floor_areas"),
}
RENAME = text("UPDATE restaurants SET name = :name WHERE id = :id")


async def count(db: Database, table: str) -> int:
    async with db.sessionmaker() as session:
        return int((await session.execute(COUNTS[table])).scalar_one())


async def test_writers_waiting_together_share_one_commit_and_events_keep_their_order(
    db: Database, commits: list[int]
) -> None:
    rid = await restaurant(db)
    bus = EventBus()
    announced: list[DomainEvent] = []

    async def collect(events: Any) -> None:
        announced.extend(events)

    bus.subscribe(collect)
    commits.clear()

    async def write(n: int) -> None:
        async with unit_of_work(db, bus) as session:
            await session.execute(RENAME, {"name": str(n), "id": rid})
            await record_many(session, rid, [NewEvent("restaurant.updated", {"n": n})])

    await asyncio.gather(*(write(n) for n in range(10)))

    assert sum(commits) == 10
    assert len(commits) < 10  # they shared commits
    assert [e.seq for e in announced] == list(range(1, 11))  # numbered once, in order
    assert sorted(e.payload["n"] for e in announced) == list(range(10))
    assert await count(db, "outbox_events") == 10


async def test_a_failed_unit_of_work_is_undone_alone(db: Database, commits: list[int]) -> None:
    rid = await restaurant(db)
    commits.clear()

    async def write(n: int) -> None:
        async with unit_of_work(db, None) as session:
            await record_many(session, rid, [NewEvent("x", {"n": n})])
            await session.execute(
                text("INSERT INTO floor_areas (restaurant_id, name, position) VALUES (:r, :n, 0)"),
                {"r": rid, "n": f"area {n}"},
            )
            if n == 3:
                raise RuntimeError("this request failed")

    results = await asyncio.gather(*(write(n) for n in range(6)), return_exceptions=True)

    assert [isinstance(r, RuntimeError) for r in results] == [False] * 3 + [True] + [False] * 2
    assert await count(db, "floor_areas") == 5
    async with db.sessionmaker() as session:
        seqs = (await session.execute(text("SELECT seq FROM outbox_events"))).scalars().all()
    assert sorted(seqs) == [1, 2, 3, 4, 5]  # the failed one took no seq


async def test_a_unit_of_work_without_statements_never_waits_for_the_writer(
    db: Database,
) -> None:
    await restaurant(db)
    gate = asyncio.Event()
    holding = asyncio.Event()

    async def hold_the_writer() -> None:
        async with unit_of_work(db, None) as session:
            await session.execute(text("SELECT 1"))
            holding.set()
            await gate.wait()

    holder = asyncio.create_task(hold_the_writer())
    await asyncio.wait_for(holding.wait(), 5)
    async with asyncio.timeout(2), unit_of_work(db, None):
        pass  # a cached answer: nothing to read or write
    gate.set()
    await holder


async def test_a_read_gives_the_writer_back_before_its_long_read(db: Database) -> None:
    rid = await restaurant(db)
    reading_done = asyncio.Event()
    wrote = asyncio.Event()

    async def long_read() -> None:
        async with unit_of_work(db, None) as session:
            await session.execute(text("SELECT count(*) FROM restaurants"))  # access check
            assert await end_if_read_only(session) is True
            await asyncio.wait_for(wrote.wait(), 5)  # the writer is free meanwhile
            reading_done.set()

    async def write() -> None:
        async with unit_of_work(db, None) as session:
            await session.execute(RENAME, {"name": "busy", "id": rid})
        wrote.set()

    reader = asyncio.create_task(long_read())
    await asyncio.sleep(0.05)
    await asyncio.wait_for(write(), 5)
    await asyncio.wait_for(reader, 5)
    assert reading_done.is_set()
    async with unit_of_work(db, None) as session:
        await session.execute(
            text("UPDATE restaurants SET name = 'again' WHERE id = :id"), {"id": rid}
        )
        assert await end_if_read_only(session) is False  # it wrote: it keeps the writer


async def test_an_answer_waits_for_the_commit_and_commits_are_durable(db: Database) -> None:
    rid = await restaurant(db)
    async with unit_of_work(db, None) as session:
        synchronous = (await session.execute(text("PRAGMA synchronous"))).scalar_one()
        await session.execute(
            text("UPDATE restaurants SET name = 'new' WHERE id = :id"), {"id": rid}
        )
    assert synchronous == 2  # FULL: the WAL is on disk before a commit returns
    # committed when the unit of work returned: another connection sees it
    import sqlite3

    path = db.engine.url.database
    assert path is not None
    other = sqlite3.connect(path)
    try:
        assert other.execute("SELECT name FROM restaurants").fetchall() == [("new",)]
    finally:
        other.close()
