"""A migrated database of a test's own, and an app serving it: for races that need
committed data and several real connections (the suite's ``session`` fixture runs each
test in one rolled-back transaction, which a race cannot use).

On SQLite, a file in the test's temporary folder. On PostgreSQL, the database
``<the suite's database>_<suffix>`` on the suite's server, dropped and created afresh,
and dropped afterwards: each module passes its own ``suffix``, so modules (and two
suites on two databases) never share one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from httpx import ASGITransport, AsyncClient

from brigade.app import create_app
from brigade.infra.migrate import upgrade
from brigade.infra.settings import Settings
from brigade.runtime import Runtime
from tests.conftest import postgres_url
from tests.conftest import test_database_kind as database_kind

SECRET = "test-secret-key-that-is-long-enough-for-hs256-000000"


async def _admin(statement: str) -> None:
    """Run ``statement`` on the suite's PostgreSQL server, outside any database's
    transaction (``CREATE``/``DROP DATABASE``)."""
    import asyncpg

    admin = await asyncpg.connect(postgres_url().replace("+asyncpg", ""), timeout=5)
    try:
        await admin.execute(statement)
    finally:
        await admin.close()


@asynccontextmanager
async def own_database(tmp_path: Path, suffix: str) -> AsyncIterator[str]:
    """The URL of a fresh database migrated to the newest revision, removed on exit."""
    assert suffix.replace("_", "").isalnum(), suffix
    if database_kind() != "postgresql":
        url = f"sqlite+aiosqlite:///{tmp_path / f'{suffix}.db'}"
        await asyncio.to_thread(upgrade, url)
        yield url
        return
    name = postgres_url().rsplit("/", 1)[1] + "_" + suffix
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        url = postgres_url().rsplit("/", 1)[0] + "/" + name
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True, slots=True)
class Served:
    """An app on a database of its own: its runtime (``runtime.db`` opens sessions on
    that database) and an HTTP client of it."""

    runtime: Runtime
    client: AsyncClient


@asynccontextmanager
async def served_on_own_database(
    tmp_path: Path, suffix: str, *, pool_size: int
) -> AsyncIterator[Served]:
    """The app (``create_app``) on :func:`own_database` with ``pool_size`` connections
    (enough for every concurrent request of the race), and an ``httpx`` client of it."""
    async with own_database(tmp_path, suffix) as url:
        settings = Settings(
            data_dir=tmp_path, database_url=url, database_pool_size=pool_size, secret_key=SECRET
        )
        app = create_app(settings)
        runtime: Runtime = app.state.runtime
        try:
            transport = ASGITransport(app=app)
            async with AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
                yield Served(runtime, client)
        finally:
            await runtime.db.dispose()
