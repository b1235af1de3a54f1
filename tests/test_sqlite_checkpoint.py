"""A server's SQLite WAL is checkpointed by a background thread, not inside commits."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from brigade.db import Database, unit_of_work
from brigade.migrate import upgrade
from brigade.restaurants.service import create_restaurant


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
