"""A server's SQLite WAL is checkpointed by a background thread, not inside commits."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import text

from brigade.events.unit_of_work import unit_of_work
from brigade.infra.db import Database
from brigade.infra.migrate import upgrade
from brigade.restaurants.service import create_restaurant
from tests.factories import unique


async def test_checkpoints_leave_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "server.db"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    try:
        await db.start(checkpoint_interval=0.05)
        assert db.checkpointer is not None
        async with db.sessionmaker() as session:
            interval = (await session.execute(text("PRAGMA wal_autocheckpoint"))).scalar()
        assert interval == 0  # no checkpoint (and its fsync) inside a request's COMMIT
        await asyncio.sleep(0.2)
        size_before = path.stat().st_size
        for n in range(20):
            async with unit_of_work(db, None) as session:
                for k in range(20):
                    await create_restaurant(session, name=f"R{n}-{k}" * 8, slug=f"r-{n}-{k}")
        done = db.checkpointer.checkpoints
        for _ in range(100):  # bounded: at most 5 s
            if db.checkpointer.checkpoints >= done + 2:
                break
            await asyncio.sleep(0.05)
        assert db.checkpointer.checkpoints >= done + 2
        # the rows reached the database file itself, copied there by the checkpointer
        assert path.stat().st_size > size_before
    finally:
        await db.dispose()
    assert db.checkpointer is None


async def test_no_checkpointer_for_a_server_database() -> None:
    db = Database("postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    await db.start()
    assert db.checkpointer is None
    await db.dispose()


async def test_after_a_background_checkpoint_the_next_write_starts_the_wal_over(
    tmp_path: Path,
) -> None:
    # Under a steady stream of writes a checkpoint in another thread never finds the WAL
    # fully copied, so the WAL was never started over and grew with every write (400 MB
    # in 10 s of order placement, commits 3x slower). After a background checkpoint the
    # server's connection copies the rest when it is given back between transactions.
    path = tmp_path / "busy.db"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    try:
        await db.start(checkpoint_interval=3600)  # the test says when it has run
        assert db.checkpointer is not None

        async def write(transactions: int) -> None:
            for k in range(transactions):
                async with unit_of_work(db, None) as session:
                    await create_restaurant(session, name=f"Busy {k}" * 8, slug=unique("b"))

        def wal_frames() -> tuple[int, int]:
            """(frames in the WAL, frames copied), from a connection of the test's."""
            with closing(sqlite3.connect(path)) as other:
                _, log, copied = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            return log, copied

        await write(50)  # nothing copied yet: as under load, the WAL goes on growing
        written = (path.with_name("busy.db-wal").stat().st_size - 32) // (4096 + 24)
        assert written > 100

        db.checkpointer.tail_due = True  # a background checkpoint has just finished
        await write(1)  # its connection, given back, copies what is left of the WAL
        assert db.checkpointer.tails == 1
        await write(1)  # so this write starts the WAL over from its beginning
        frames, _ = wal_frames()
        assert frames < written / 4
    finally:
        await db.dispose()
