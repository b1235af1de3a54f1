"""A real uvicorn server on 127.0.0.1 with its own database, and Socket.IO test clients.

The server runs in the tests' event loop (pytest-asyncio's session loop), so tests seed
data through the server's own runtime (services inside ``unit_of_work``) or through HTTP.
Its database is a SQLite file in a temporary folder, or on
``BRIGADE_TEST_DATABASE=postgresql`` the database ``brigade_realtime_test`` on the local
PostgreSQL server (created when missing, its schema dropped and migrated at start), so
it never clashes with the main suite's database.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.app import create_app
from brigade.auth.dependencies import Access, Actor
from brigade.auth.models import User
from brigade.auth.permissions import ROLE_PERMISSIONS, Role
from brigade.auth.security import create_access_token, hash_password
from brigade.auth.service import create_api_token
from brigade.events.unit_of_work import unit_of_work
from brigade.infra.db import utcnow
from brigade.infra.migrate import upgrade
from brigade.infra.settings import Settings
from brigade.realtime.delivery import NAMESPACE
from brigade.restaurants.service import add_member
from brigade.runtime import Runtime
from tests.factories import PASSWORD, make_menu_item, make_restaurant, make_table, unique

POSTGRES_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
#: The realtime server's own database; engineers sharing one PostgreSQL each set their own.
POSTGRES_DB = os.environ.get("BRIGADE_TEST_REALTIME_POSTGRES_DB", "brigade_realtime_test")
#: Upper bound of every wait for an event (seconds); waits end as soon as it arrives.
WAIT = 5.0


async def _prepare_postgres() -> str:
    import asyncpg

    admin = await asyncpg.connect(
        os.environ.get("BRIGADE_TEST_POSTGRES_ADMIN_DSN", POSTGRES_ADMIN_DSN), timeout=5
    )
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
    return dsn.replace("postgresql://", "postgresql+asyncpg://")


@pytest.fixture(scope="session")
def realtime_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database for the realtime server only."""
    if os.environ.get("BRIGADE_TEST_DATABASE", "sqlite") == "postgresql":
        url = asyncio.run(_prepare_postgres())
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('realtime') / 'realtime.db'}"
    upgrade(url)
    return url


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """The running server: its base URL and runtime."""

    url: str
    runtime: Runtime


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[LiveServer]:
    """Brigade for ``settings`` served by uvicorn on 127.0.0.1 (a free port), in this
    event loop, until the block ends."""
    app = create_app(settings)
    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", runtime=app.state.runtime)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=30)


def server_settings(data_dir: Path, database_url: str, **extra: Any) -> Settings:
    """Settings of a test server on ``database_url``."""
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key="realtime-test-secret-key-long-enough-for-hs256-0000",
        **extra,
    )


@pytest.fixture(scope="session")
async def live_server(
    realtime_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LiveServer]:
    """Brigade on uvicorn (in-memory Socket.IO manager) for the whole session."""
    settings = server_settings(tmp_path_factory.mktemp("realtime-data"), realtime_database_url)
    async with serve(settings) as live:
        yield live


@dataclass
class Seeded:
    """A restaurant with one member per role (access tokens), a grill item, a bar item
    (one variation each, 1500 and 600 minor units) and a free table."""

    restaurant_id: int
    owner: str
    waiter: str
    kitchen: str
    cashier: str
    grill_item: int
    bar_item: int
    table_id: int

    def headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


_PASSWORD_HASH: list[str] = []


async def _member(session: AsyncSession, runtime: Runtime, restaurant_id: int, role: Role) -> str:
    """A member of ``restaurant_id`` with ``role``; returns an access token.

    The users share one password hash computed once: argon2 costs about half a second
    per hash on a loaded machine, and these users never log in with a password.
    """
    if not _PASSWORD_HASH:
        _PASSWORD_HASH.append(hash_password(PASSWORD))
    user = User(username=unique("rt-user"), password_hash=_PASSWORD_HASH[0], created_at=utcnow())
    session.add(user)
    await session.flush()
    await add_member(session, restaurant_id, user.id, role)
    token, _ = create_access_token(
        user.id,
        is_admin=False,
        key=runtime.settings.signing_key,
        ttl_seconds=runtime.settings.access_token_ttl_seconds,
    )
    return token


@pytest.fixture
async def seed(live_server: LiveServer) -> Any:
    """``await seed()`` makes a new restaurant with its staff on the live server (or on
    the server of ``runtime``)."""

    async def make(runtime: Runtime | None = None) -> Seeded:
        runtime = runtime or live_server.runtime
        async with unit_of_work(runtime.db, runtime.bus) as session:
            restaurant = await make_restaurant(session)
            tokens = {
                role: await _member(session, runtime, restaurant.id, role)
                for role in (Role.owner, Role.waiter, Role.kitchen, Role.cashier)
            }
            grill = await make_menu_item(session, restaurant, station="grill")
            bar = await make_menu_item(
                session, restaurant, category="Drinks", station="bar", prices={"Glass": 600}
            )
            table_id = await make_table(session, restaurant, name="T1")
        return Seeded(
            restaurant_id=restaurant.id,
            owner=tokens[Role.owner],
            waiter=tokens[Role.waiter],
            kitchen=tokens[Role.kitchen],
            cashier=tokens[Role.cashier],
            grill_item=grill.id,
            bar_item=bar.id,
            table_id=table_id,
        )

    return make


async def make_api_token(live_server: LiveServer, restaurant_id: int, scopes: list[str]) -> str:
    """An API token of ``restaurant_id`` with ``scopes`` (granted by an owner)."""
    runtime = live_server.runtime
    owner = Access(Actor(user_id=None), restaurant_id, Role.owner, ROLE_PERMISSIONS[Role.owner])
    async with unit_of_work(runtime.db, runtime.bus) as session:
        created = await create_api_token(session, owner, name="screen", scopes=scopes)
    return created.token


@dataclass
class Screen:
    """A Socket.IO client that records every event of the namespace it receives."""

    url: str
    client: socketio.AsyncClient = field(
        default_factory=lambda: socketio.AsyncClient(reconnection=False)
    )
    events: asyncio.Queue[tuple[str, Any]] = field(default_factory=asyncio.Queue)
    connect_error: Any = None

    def __post_init__(self) -> None:
        @self.client.on("*", namespace=NAMESPACE)
        async def _any(event: str, data: Any = None) -> None:
            self.events.put_nowait((event, data))

        @self.client.on("connect_error", namespace=NAMESPACE)
        async def _refused(data: Any = None) -> None:
            self.connect_error = data

    async def connect(
        self, auth: dict[str, Any], *, wait_ready: bool = True, transport: str = "websocket"
    ) -> dict[str, Any] | None:
        """Connect with ``auth``; with ``wait_ready`` return the ``ready`` event's data."""
        await self.client.connect(
            self.url,
            namespaces=[NAMESPACE],
            auth=auth,
            transports=[transport],
            wait_timeout=WAIT,
        )
        if wait_ready:
            name, data = await self.next()
            assert name == "ready", (name, data)
            ready: dict[str, Any] = data
            return ready
        return None

    async def next(self, within: float = WAIT) -> tuple[str, Any]:
        """The next event received (fails after ``within`` seconds)."""
        async with asyncio.timeout(within):
            return await self.events.get()

    async def call(self, command: str, payload: Any = None) -> Any:
        """Emit ``command`` with ``payload`` and return its acknowledgement."""
        return await self.client.call(command, payload, namespace=NAMESPACE, timeout=WAIT)

    def pending(self) -> list[tuple[str, Any]]:
        """Events received and not yet taken by :meth:`next`."""
        out = []
        while not self.events.empty():
            out.append(self.events.get_nowait())
        return out

    async def close(self) -> None:
        if self.client.connected:
            await self.client.disconnect()


@pytest.fixture
async def screens(live_server: LiveServer) -> AsyncIterator[Any]:
    """``screens()`` makes a new :class:`Screen`; all are disconnected afterwards."""
    made: list[Screen] = []

    def make() -> Screen:
        screen = Screen(live_server.url)
        made.append(screen)
        return screen

    yield make
    for screen in made:
        await screen.close()


@pytest.fixture
async def http(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client to the live server over the network."""
    async with httpx.AsyncClient(base_url=live_server.url, timeout=WAIT) as client:
        yield client
