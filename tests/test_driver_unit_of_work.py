"""brigade.db.driver_unit_of_work on the engine's own pool (not the tests' bound
connection): statements run on the driver, errors roll back and give the connection
back, and a connection the server closed is replaced (PostgreSQL), as a ping would."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Integer, bindparam, func, select, text

from brigade.db import IDLE_PING_SECONDS, Database, driver_autocommit, driver_unit_of_work
from brigade.prepared import Prepared

_ECHO = Prepared(select(bindparam("x", type_=Integer())))
_BACKEND = Prepared(select(func.pg_backend_pid()))
POSTGRES = os.environ.get("BRIGADE_TEST_DATABASE", "sqlite") == "postgresql"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    try:
        yield database
    finally:
        await database.dispose()


async def test_runs_on_the_driver_and_gives_the_connection_back(db: Database) -> None:
    async with driver_unit_of_work(db, None) as tx:
        assert await _ECHO.scalar(tx, {"x": 41}) == 41
    assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_an_error_rolls_back_and_gives_the_connection_back(db: Database) -> None:
    async def failing() -> None:
        async with driver_unit_of_work(db, None) as tx:
            await _ECHO.scalar(tx, {"x": 1})
            raise LookupError("boom")

    with pytest.raises(LookupError):
        await failing()
    assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    async with driver_unit_of_work(db, None) as tx:  # the connection is usable again
        assert await _ECHO.scalar(tx, {"x": 2}) == 2


async def terminate(db: Database, pid: int) -> None:
    """End backend ``pid`` from a connection outside the pool."""
    import asyncpg

    admin = await asyncpg.connect(db.url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL's connections")
async def test_a_connection_closed_by_the_server_is_replaced(db: Database) -> None:
    async with driver_unit_of_work(db, None) as tx:
        first = await _BACKEND.scalar(tx, {})
    await terminate(db, first)
    # the pooled connection is dead now; the next unit of work gets another one
    async with driver_unit_of_work(db, None) as tx:
        second = await _BACKEND.scalar(tx, {})
    assert second != first
    # and a session's checkout still pings: terminate again, a session still works
    await terminate(db, second)
    async with db.sessionmaker() as session:
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1


@pytest.mark.skipif(not POSTGRES, reason="autocommit driver connections are PostgreSQL's")
async def test_autocommit_commits_each_statement_and_replaces_a_closed_connection(
    db: Database,
) -> None:
    import asyncpg

    dsn = db.url.replace("postgresql+asyncpg://", "postgresql://")
    other = await asyncpg.connect(dsn)
    try:
        await other.execute("CREATE TABLE IF NOT EXISTS autocommit_probe (n integer)")
        async with driver_autocommit(db) as tx:
            first = await _BACKEND.scalar(tx, {})
            await tx.driver.execute("INSERT INTO autocommit_probe VALUES (1)")
            # committed already: another connection sees it before the block ends
            assert await other.fetchval("SELECT count(*) FROM autocommit_probe") == 1
        assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        # a connection the server ended is replaced at checkout, or, when that is not
        # known yet, fails its statement and is dropped instead of given back
        await terminate(db, first)
        for _ in range(2):
            try:
                async with driver_autocommit(db) as tx:
                    second = await _BACKEND.scalar(tx, {})
                break
            except (
                asyncpg.ConnectionDoesNotExistError,
                asyncpg.InterfaceError,
                asyncpg.InternalClientError,
                ConnectionError,
            ):
                continue
        assert second != first
        # one that died while idle in the pool (a restart) is found by the ping
        await terminate(db, second)
        await asyncio.sleep(IDLE_PING_SECONDS + 0.1)
        async with driver_autocommit(db) as tx:
            assert await _BACKEND.scalar(tx, {}) not in {first, second}
    finally:
        await other.execute("DROP TABLE IF EXISTS autocommit_probe")
        await other.close()
