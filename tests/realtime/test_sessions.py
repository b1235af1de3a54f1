"""A connected socket of a login that ends (logout, refresh-token reuse, deactivation,
password change) or of a member removed from the restaurant is sent ``revoked`` and
disconnected; connecting again with its token is refused. At once when the change is
committed by this server; within the access cache's ttl and a recheck when another
process committed it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx
import pytest
import socketio
from sqlalchemy import delete

from brigade.auth import service
from brigade.auth.access_cache import get_access_cache
from brigade.auth.models import User
from brigade.auth.permissions import Role
from brigade.auth.security import hash_password
from brigade.events.unit_of_work import unit_of_work
from brigade.infra.db import utcnow
from brigade.realtime.delivery import NAMESPACE
from brigade.restaurants.models import Membership
from brigade.restaurants.service import add_member
from brigade.runtime import Runtime
from tests.factories import PASSWORD, unique
from tests.realtime.conftest import WAIT, LiveServer, Screen

NEW_PASSWORD = "a brand new passphrase"


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass
class Waiter:
    user_id: int
    username: str
    pair: dict[str, Any]

    @property
    def token(self) -> str:
        return str(self.pair["access_token"])

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def waiter_of(live_server: LiveServer, http: httpx.AsyncClient, restaurant_id: int) -> Waiter:
    """A waiter of ``restaurant_id`` logged in with a password (a real login)."""
    runtime = live_server.runtime
    async with unit_of_work(runtime.db, runtime.bus) as session:
        user = User(
            username=unique("rt-waiter"), password_hash=_password_hash(), created_at=utcnow()
        )
        session.add(user)
        await session.flush()
        await add_member(session, restaurant_id, user.id, Role.waiter)
        user_id, username = user.id, user.username
    response = await http.post(
        "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return Waiter(user_id, username, response.json())


async def connected(screens: Any, token: str, restaurant_id: int) -> tuple[Screen, asyncio.Event]:
    """A ready screen, and an event set when the server disconnects it."""
    screen: Screen = screens()
    gone = asyncio.Event()

    async def on_disconnect(*_: Any) -> None:
        gone.set()

    screen.client.on("disconnect", on_disconnect, namespace=NAMESPACE)
    await screen.connect({"token": token, "restaurant_id": restaurant_id})
    return screen, gone


async def revoked(screen: Screen, gone: asyncio.Event, status: int, slug: str) -> None:
    """The screen is told ``revoked`` with the problem, then disconnected."""
    while True:
        name, data = await screen.next()
        if name == "revoked":
            break
    assert data["status"] == status
    assert data["type"].endswith("/" + slug)
    async with asyncio.timeout(WAIT):
        await gone.wait()


async def refused_to_connect(screens: Any, token: str, restaurant_id: int, status: int) -> str:
    screen: Screen = screens()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await screen.connect({"token": token, "restaurant_id": restaurant_id}, wait_ready=False)
    assert screen.connect_error["data"]["status"] == status
    slug: str = screen.connect_error["data"]["type"].rsplit("/", 1)[-1]
    return slug


# --- the five ways, each through HTTP on this server ---------------------------------


async def _logout(http: httpx.AsyncClient, owner: str, rid: int, w: Waiter) -> None:
    r = await http.post("/api/v1/auth/logout", json={"refresh_token": w.pair["refresh_token"]})
    assert r.status_code == 204


async def _reuse(http: httpx.AsyncClient, owner: str, rid: int, w: Waiter) -> None:
    body = {"refresh_token": w.pair["refresh_token"]}
    assert (await http.post("/api/v1/auth/refresh", json=body)).status_code == 200
    assert (await http.post("/api/v1/auth/refresh", json=body)).status_code == 401


async def _deactivate(http: httpx.AsyncClient, owner: str, rid: int, w: Waiter) -> None:
    r = await http.patch(
        f"/api/v1/restaurants/{rid}/staff/{w.user_id}",
        json={"is_active": False},
        headers={"Authorization": f"Bearer {owner}"},
    )
    assert r.status_code == 200, r.text


async def _remove(http: httpx.AsyncClient, owner: str, rid: int, w: Waiter) -> None:
    r = await http.delete(
        f"/api/v1/restaurants/{rid}/staff/{w.user_id}",
        headers={"Authorization": f"Bearer {owner}"},
    )
    assert r.status_code == 204, r.text


async def _change_password(http: httpx.AsyncClient, owner: str, rid: int, w: Waiter) -> None:
    r = await http.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=w.headers,
    )
    assert r.status_code == 200, r.text


Ending = Callable[[httpx.AsyncClient, str, int, Waiter], Awaitable[None]]
WAYS = [
    pytest.param(_logout, 401, "session-ended", id="logout"),
    pytest.param(_reuse, 401, "session-ended", id="refresh-reuse"),
    pytest.param(_deactivate, 401, "session-ended", id="deactivation"),
    pytest.param(_change_password, 401, "session-ended", id="password"),
    pytest.param(_remove, 404, "not-found", id="membership-removal"),
]


@pytest.mark.parametrize(("end", "status", "slug"), WAYS)
async def test_connected_socket_is_disconnected_and_reconnect_refused(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    seed: Any,
    screens: Any,
    end: Ending,
    status: int,
    slug: str,
) -> None:
    r = await seed()
    waiter = await waiter_of(live_server, http, r.restaurant_id)
    screen, gone = await connected(screens, waiter.token, r.restaurant_id)
    bystander, bystander_gone = await connected(screens, r.cashier, r.restaurant_id)
    assert (await screen.call("table.create", {"name": "Bar 1"}))["ok"] is True

    await end(http, r.owner, r.restaurant_id, waiter)

    await revoked(screen, gone, status, slug)
    assert await refused_to_connect(screens, waiter.token, r.restaurant_id, status) == slug
    # the REST side agrees
    rest = await http.get(f"/api/v1/restaurants/{r.restaurant_id}", headers=waiter.headers)
    assert rest.status_code == status
    # another member's socket of the same restaurant stays
    assert not bystander_gone.is_set()
    assert (await bystander.call("sync", {"last_seq": 0}))["ok"] is True


async def test_the_users_other_login_keeps_its_socket(
    live_server: LiveServer, http: httpx.AsyncClient, seed: Any, screens: Any
) -> None:
    r = await seed()
    waiter = await waiter_of(live_server, http, r.restaurant_id)
    login = await http.post(
        "/api/v1/auth/login", json={"username": waiter.username, "password": PASSWORD}
    )
    other_token = login.json()["access_token"]
    screen, gone = await connected(screens, waiter.token, r.restaurant_id)
    other, other_gone = await connected(screens, other_token, r.restaurant_id)

    await _logout(http, r.owner, r.restaurant_id, waiter)

    await revoked(screen, gone, 401, "session-ended")
    await asyncio.sleep(0.2)
    assert not other_gone.is_set()
    assert (await other.call("table.create", {"name": "Bar 3"}))["ok"] is True


# --- committed by another process: no event here; the cache's ttl and the recheck ----


async def _logout_elsewhere(runtime: Runtime, w: Waiter) -> None:
    async with unit_of_work(runtime.db, None) as session:
        await service.logout(session, w.pair["refresh_token"])


async def _deactivate_elsewhere(runtime: Runtime, w: Waiter) -> None:
    async with unit_of_work(runtime.db, None) as session:
        await service.set_active(session, w.user_id, active=False)


async def _remove_elsewhere(runtime: Runtime, w: Waiter) -> None:
    async with unit_of_work(runtime.db, None) as session:
        await session.execute(delete(Membership).where(Membership.user_id == w.user_id))


@pytest.mark.parametrize(
    ("end", "status", "slug"),
    [
        pytest.param(_logout_elsewhere, 401, "session-ended", id="logout"),
        pytest.param(_deactivate_elsewhere, 401, "session-ended", id="deactivation"),
        pytest.param(_remove_elsewhere, 404, "not-found", id="membership-removal"),
    ],
)
async def test_a_change_committed_elsewhere_disconnects_within_the_ttl(
    live_server: LiveServer,
    http: httpx.AsyncClient,
    seed: Any,
    screens: Any,
    end: Callable[[Runtime, Waiter], Awaitable[None]],
    status: int,
    slug: str,
) -> None:
    r = await seed()
    runtime = live_server.runtime
    waiter = await waiter_of(live_server, http, r.restaurant_id)
    screen, gone = await connected(screens, waiter.token, r.restaurant_id)

    await end(runtime, waiter)

    await asyncio.sleep(1.5)  # a recheck or more: the grant is still remembered
    assert not gone.is_set()
    access_cache = get_access_cache(runtime)
    saved = access_cache.clock
    ahead = access_cache.ttl + 0.5
    access_cache.clock = lambda: time.monotonic() + ahead  # the ttl has passed
    try:
        await revoked(screen, gone, status, slug)
        assert await refused_to_connect(screens, waiter.token, r.restaurant_id, status) == slug
    finally:
        access_cache.clock = saved
