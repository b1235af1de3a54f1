"""Test harness.

The database is chosen by ``BRIGADE_TEST_DATABASE``: ``sqlite`` (default, a file in a
temporary folder) or ``postgresql`` (the local server, ``BRIGADE_TEST_POSTGRES_URL``,
default ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``). Its schema comes from the
real Alembic migrations, once per run. Each test runs inside an outer transaction that
is rolled back at the end; the app's session factories (``sessionmaker`` and
``read_sessionmaker``) are bound to that connection, so requests made through ``client``
see and undo the same data.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from brigade.app import create_app
from brigade.infra.migrate import upgrade
from brigade.infra.prepared import PreparedSession
from brigade.infra.settings import Settings
from brigade.runtime import Runtime

#: Every statement the app runs on a tenant table names the restaurant (a test fails
#: otherwise): see tests/tenancy_check.py.
pytest_plugins = ["tests.tenancy_check"]

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def test_database_kind() -> str:
    """``sqlite`` or ``postgresql``."""
    return os.environ.get("BRIGADE_TEST_DATABASE", "sqlite")


def postgres_url() -> str:
    return os.environ.get("BRIGADE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


async def reset_postgres(url: str) -> None:
    """Drop and recreate the public schema of the PostgreSQL database at ``url``."""
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    try:
        connection = await asyncpg.connect(dsn, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.exit(f"PostgreSQL at {dsn} cannot be reached: {exc}", returncode=3)
    try:
        await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("brigade-data")


@pytest.fixture(scope="session")
def database_url(data_dir: Path) -> str:
    """A freshly migrated database for this run."""
    if test_database_kind() == "postgresql":
        url = postgres_url()
        asyncio.run(reset_postgres(url))
    else:
        url = f"sqlite+aiosqlite:///{data_dir / 'test.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def settings(data_dir: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key="test-secret-key-that-is-long-enough-for-hs256-000000",
        login_rate_limit="5/minute",
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[object]:
    return create_app(settings)


@pytest.fixture(scope="session")
def runtime(app: object) -> Runtime:
    rt: Runtime = app.state.runtime  # type: ignore[attr-defined]
    return rt


@pytest.fixture
async def connection(runtime: Runtime) -> AsyncIterator[AsyncConnection]:
    """One connection in an outer transaction, rolled back after the test."""
    async with runtime.db.engine.connect() as conn:
        outer = await conn.begin()
        original = runtime.db.sessionmaker, runtime.db.read_sessionmaker
        runtime.db.sessionmaker = async_sessionmaker(
            bind=conn,
            class_=PreparedSession,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )
        # long reads (brigade.reads) on the same connection, to see the test's rows
        runtime.db.read_sessionmaker = runtime.db.sessionmaker
        try:
            yield conn
        finally:
            runtime.db.sessionmaker, runtime.db.read_sessionmaker = original
            runtime.extras.pop("test_reset", None)
            runtime.extras.pop("menu_cache", None)  # ids are reused after a rollback
            runtime.extras.pop("auth.access_cache", None)
            runtime.extras.pop("restaurants.profile_cache", None)
            if outer.is_active:
                await outer.rollback()


@pytest.fixture
async def session(connection: AsyncConnection, runtime: Runtime) -> AsyncIterator[AsyncSession]:
    """A session on the test's connection, for factories and direct checks.

    Factories flush; call ``await session.commit()`` (releases a savepoint only) before
    requests that must see the data when in doubt.
    """
    async with runtime.db.sessionmaker() as s:
        yield s


@pytest.fixture
async def client(app: object, connection: AsyncConnection) -> AsyncIterator[AsyncClient]:
    """An HTTP client calling the app in-process (no network)."""
    transport = ASGITransport(app=app)  # type: ignore[arg-type]
    async with AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture(autouse=True)
def _check_loop() -> None:
    """Tests share one event loop (pyproject's asyncio_default_test_loop_scope)."""
    return None


async def execute(conn: AsyncConnection, sql: str) -> None:
    await conn.execute(text(sql))
