"""A database that cannot be reached answers 503 ``service-unavailable`` with
``Retry-After`` (not 500 ``internal-error``), and service comes back by itself, without
a restart, once the database is back.

PostgreSQL is reached through a TCP proxy on 127.0.0.1 that the test cuts (listener and
live connections closed) and restores; the server's database is ``brigade_unavailable_test``
(``BRIGADE_TEST_UNAVAILABLE_POSTGRES_DB``), created when missing and migrated at start, so
the test runs in both suite runs and never touches the main suite's database. SQLite's
case is a database file whose folder is missing, then created and migrated.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy.exc import DBAPIError, IntegrityError, ProgrammingError

from brigade.app import create_app
from brigade.auth.permissions import Role
from brigade.auth.security import create_access_token
from brigade.events.unit_of_work import unit_of_work
from brigade.infra.errors import RETRY_AFTER_SECONDS, unavailable_from
from brigade.infra.migrate import upgrade
from brigade.infra.settings import Settings
from brigade.menu.cache import get_menu_cache
from brigade.runtime import Runtime
from tests.factories import PASSWORD, make_menu_item, make_restaurant, make_user

POSTGRES_ADMIN_DSN = os.environ.get(
    "BRIGADE_TEST_POSTGRES_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)
POSTGRES_DB = os.environ.get("BRIGADE_TEST_UNAVAILABLE_POSTGRES_DB", "brigade_unavailable_test")
SECRET = "unavailable-test-secret-key-long-enough-for-hs256-00"
LOGIN = "/api/v1/auth/login"


class TcpProxy:
    """A TCP proxy on 127.0.0.1 (a free port, :attr:`port`) to ``target``, that
    :meth:`cut` closes (listener and every live connection) and :meth:`restore` opens
    again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._server: asyncio.Server | None = None
        self._live: set[asyncio.StreamWriter] = set()

    async def restore(self) -> None:
        """Listen (again) on :attr:`port`."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Stop listening (connections are refused) and drop every live connection."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._live):
            writer.transport.abort()
        self._live.clear()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        pair = {writer, upstream_writer}
        self._live |= pair
        await asyncio.gather(
            self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
        )
        self._live -= pair

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.transport.abort()


async def _prepare_postgres() -> str:
    """The migrated test database's DSN (plain ``postgresql://``), reset at start."""
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=5)
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", POSTGRES_DB)
        if not exists:
            await admin.execute(f'CREATE DATABASE "{POSTGRES_DB}"')
    finally:
        await admin.close()
    dsn = f"postgresql://postgres@127.0.0.1:5432/{POSTGRES_DB}"
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        await connection.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()
    return dsn


@pytest.fixture(scope="module")
def postgres_database() -> str:
    """``brigade_unavailable_test`` on the local PostgreSQL, migrated (skips when the
    server cannot be reached)."""
    try:
        dsn = asyncio.run(_prepare_postgres())
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.skip(f"no local PostgreSQL at {POSTGRES_ADMIN_DSN}: {exc}")
    upgrade(dsn.replace("postgresql://", "postgresql+asyncpg://"))
    return dsn


def _assert_unavailable(response: Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    body = response.json()
    assert body["type"] == "https://brigade.dev/problems/service-unavailable"
    assert body["status"] == 503
    assert body["reason"] == "database-unreachable"
    assert body["retry_after"] == RETRY_AFTER_SECONDS


async def _seed(runtime: Runtime) -> tuple[int, str, str, int]:
    """A restaurant with a menu item and a waiter: ``(restaurant id, username, access
    token, menu item id)``."""
    async with unit_of_work(runtime.db, None) as session:
        restaurant = await make_restaurant(session)
        item = await make_menu_item(session, restaurant)
        waiter = await make_user(session, runtime, restaurant=restaurant, role=Role.waiter)
        return restaurant.id, waiter.user.username, waiter.token, item.id


@contextlib.asynccontextmanager
async def _clients(app: FastAPI) -> AsyncIterator[tuple[AsyncClient, AsyncClient]]:
    """Two in-process clients: one raising what the app raises (routes must answer
    without raising), one that only sees responses (an ASGI middleware's errors pass
    Starlette's outermost handler, which answers and then raises them again)."""
    async with (
        AsyncClient(transport=ASGITransport(app=app), base_url="http://127.0.0.1") as strict,
        AsyncClient(
            transport=ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://127.0.0.1",
        ) as lenient,
    ):
        yield strict, lenient


async def test_postgresql_cut_answers_503_and_recovers(
    postgres_database: str, tmp_path: Path
) -> None:
    proxy = TcpProxy(("127.0.0.1", 5432))
    await proxy.restore()
    url = postgres_database.replace(
        "postgresql://postgres@127.0.0.1:5432/",
        f"postgresql+asyncpg://postgres@127.0.0.1:{proxy.port}/",
    )
    app = create_app(
        Settings(data_dir=tmp_path, database_url=url, secret_key=SECRET, database_pool_size=2)
    )
    runtime: Runtime = app.state.runtime
    try:
        restaurant_id, username, token, item_id = await _seed(runtime)
        auth = {"Authorization": f"Bearer {token}"}
        menu = f"/api/v1/restaurants/{restaurant_id}/menu"
        orders = f"/api/v1/restaurants/{restaurant_id}/orders"
        order = {"kind": "takeaway", "items": [{"menu_item_id": item_id}]}
        login = {"username": username, "password": PASSWORD}
        async with _clients(app) as (client, lenient):
            assert (await client.get("/readyz")).status_code == 200
            assert (await client.get(menu, headers=auth)).status_code == 200
            assert (await client.post(LOGIN, json=login)).status_code == 200
            assert (await lenient.post(orders, json=order, headers=auth)).status_code == 201

            await proxy.cut()
            get_menu_cache(runtime).clear()  # a cached menu would be served without it
            for _ in range(2):  # pooled connections dead, then new ones refused
                _assert_unavailable(await lenient.post(orders, json=order, headers=auth))
                _assert_unavailable(await client.get(menu, headers=auth))
                _assert_unavailable(await client.post(LOGIN, json=login))
            ready = await client.get("/readyz")
            assert ready.status_code == 503
            assert ready.headers["content-type"] == "application/problem+json"
            assert "retry-after" in ready.headers
            assert ready.json()["reason"] == "database-unreachable"

            await proxy.restore()  # same app, same process: no restart
            assert (await client.get("/readyz")).status_code == 200
            assert (await client.get(menu, headers=auth)).status_code == 200
            assert (await client.post(LOGIN, json=login)).status_code == 200
            placed = await lenient.post(orders, json=order, headers=auth)
            assert placed.status_code == 201, placed.text
    finally:
        await proxy.cut()
        await runtime.db.dispose()


async def test_sqlite_file_that_cannot_be_opened_answers_503_and_recovers(
    tmp_path: Path,
) -> None:
    path = tmp_path / "not-yet" / "brigade.db"
    url = f"sqlite+aiosqlite:///{path}"
    app = create_app(Settings(data_dir=tmp_path, database_url=url, secret_key=SECRET))
    runtime: Runtime = app.state.runtime
    login = {"username": "nobody-yet", "password": PASSWORD}
    try:
        async with _clients(app) as (client, _lenient):
            _assert_unavailable(await client.post(LOGIN, json=login))
            # a valid access token: who may read the menu is a database question
            token, _ = create_access_token(1, is_admin=False, key=SECRET, ttl_seconds=60)
            menu = "/api/v1/restaurants/1/menu"
            auth = {"Authorization": f"Bearer {token}"}
            _assert_unavailable(await client.get(menu, headers=auth))
            ready = await client.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["reason"] == "database-unreachable"

            await asyncio.to_thread(upgrade, url)  # the folder and schema appear
            restaurant_id, username, token, _ = await _seed(runtime)
            assert (await client.get("/readyz")).status_code == 200
            login = {"username": username, "password": PASSWORD}
            assert (await client.post(LOGIN, json=login)).status_code == 200
            menu = f"/api/v1/restaurants/{restaurant_id}/menu"
            response = await client.get(menu, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200
    finally:
        await runtime.db.dispose()


async def test_database_bugs_stay_500(settings: Settings) -> None:
    """A database error that is not the connection failing is a bug: 500."""
    app = create_app(settings)

    @app.get("/broken")
    async def broken() -> None:
        raise ProgrammingError("SELECT nope", {}, Exception("syntax error"))

    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        response = await client.get("/broken")
    assert response.status_code == 500
    assert response.json()["type"] == "https://brigade.dev/problems/internal-error"
    assert "retry-after" not in response.headers


def _raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as caught:  # noqa: BLE001 - returned for inspection
        return caught


def test_unavailable_from_tells_connection_failures_from_bugs() -> None:
    refused = ConnectionRefusedError(111, "Connect call failed")
    assert unavailable_from(DBAPIError("SELECT 1", {}, refused, connection_invalidated=True))
    assert unavailable_from(asyncpg.ConnectionDoesNotExistError("closed mid-operation"))
    assert unavailable_from(asyncpg.CannotConnectNowError("the database system is starting"))
    cantopen = sqlite3.OperationalError("unable to open database file")
    cantopen.sqlite_errorcode = 14
    assert unavailable_from(cantopen)
    assert unavailable_from(IntegrityError("INSERT", {}, Exception("duplicate key"))) is None
    assert unavailable_from(asyncpg.UniqueViolationError("duplicate key")) is None
    assert unavailable_from(sqlite3.OperationalError("no such table: x")) is None
    # an OSError outside database code (a file, a socket of its own) is a bug
    assert unavailable_from(_raised(FileNotFoundError(2, "No such file"))) is None
    assert unavailable_from(_raised(refused)) is None
