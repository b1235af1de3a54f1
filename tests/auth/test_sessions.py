"""Sessions end when they end: after a logout, a refresh token's reuse, a deactivation,
a membership's removal or a password change, the access tokens of that login are
refused on a REST route, on the menu's cached read, on order placement and on the
routes without a restaurant, at once in this process (the committed event drops
the access cache) and within the cache's ``ttl`` in another (simulated: the change is
committed without reaching this process's bus)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth import service
from brigade.auth.access_cache import get_access_cache
from brigade.auth.models import RefreshToken, User
from brigade.auth.permissions import Role
from brigade.events.models import OutboxEvent
from brigade.events.unit_of_work import unit_of_work
from brigade.orders.models import Order
from brigade.restaurants.models import Membership
from brigade.restaurants.service import add_member
from brigade.runtime import Runtime
from tests.factories import PASSWORD, make_restaurant, make_user
from tests.orders.support import World, make_world, problem_type

NEW_PASSWORD = "a brand new passphrase"


@dataclass
class Member:
    """A waiter of the world's restaurant who logs in with a password."""

    user_id: int
    username: str


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    return await make_world(session, runtime)


@pytest.fixture
async def waiter(session: AsyncSession, runtime: Runtime, world: World) -> Member:
    made = await make_user(session, runtime, restaurant=world.restaurant, role=Role.waiter)
    await session.commit()
    return Member(user_id=made.user.id, username=made.user.username)


async def log_in(client: AsyncClient, username: str, password: str = PASSWORD) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    pair: dict[str, Any] = response.json()
    return pair


def bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


def order_body(world: World) -> dict[str, Any]:
    return {"kind": "takeaway", "items": [{"menu_item_id": world.cola.id}]}


async def orders(session: AsyncSession, world: World) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(Order).where(Order.restaurant_id == world.rid)
        )
        or 0
    )


async def serves(client: AsyncClient, world: World, headers: dict[str, str]) -> None:
    """The token is honoured everywhere (and its grant is now remembered)."""
    for _ in range(2):  # the second menu read is answered from the cache
        assert (await client.get(world.url("/menu"), headers=headers)).status_code == 200
    assert (await client.get(world.url(""), headers=headers)).status_code == 200
    placed = await client.post(world.orders_url, json=order_body(world), headers=headers)
    assert placed.status_code == 201, placed.text
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200


def refused(response: Response, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert problem_type(response) == slug


async def refuses(
    client: AsyncClient,
    session: AsyncSession,
    world: World,
    headers: dict[str, str],
    *,
    status: int = 401,
    slug: str = "session-ended",
) -> None:
    """The token gets ``status`` ``slug`` on the menu, a REST route and order placement
    (writing no order), and ``/auth/me`` (``status`` 401 there)."""
    refused(await client.get(world.url("/menu"), headers=headers), status, slug)
    refused(await client.get(world.url(""), headers=headers), status, slug)
    before = await orders(session, world)
    placed = await client.post(world.orders_url, json=order_body(world), headers=headers)
    refused(placed, status, slug)
    assert await orders(session, world) == before
    if status == 401:
        refused(await client.get("/api/v1/auth/me", headers=headers), 401, slug)


class TestLogout:
    async def test_refuses_the_logins_access_tokens_at_once(
        self,
        client: AsyncClient,
        session: AsyncSession,
        world: World,
        waiter: Member,
    ) -> None:
        pair, other_device = (
            await log_in(client, waiter.username),
            await log_in(client, waiter.username),
        )
        await serves(client, world, bearer(pair))
        await serves(client, world, bearer(other_device))
        r = await client.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
        assert r.status_code == 204
        await refuses(client, session, world, bearer(pair))
        # the user's other login goes on
        await serves(client, world, bearer(other_device))

    async def test_records_the_event_in_the_users_restaurants(
        self, client: AsyncClient, session: AsyncSession, world: World, waiter: Member
    ) -> None:
        second = await make_restaurant(session)
        await add_member(session, second.id, waiter.user_id, Role.cashier)
        await session.commit()
        pair = await log_in(client, waiter.username)
        await client.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
        rows = (
            await session.execute(
                select(OutboxEvent.restaurant_id, OutboxEvent.payload).where(
                    OutboxEvent.type == "auth.session.revoked",
                    OutboxEvent.restaurant_id.in_([world.rid, second.id]),
                )
            )
        ).all()
        assert sorted(rid for rid, _ in rows) == sorted([world.rid, second.id])
        assert all(p == {"user_id": waiter.user_id, "reason": "logout"} for _, p in rows)

    async def test_twice_or_with_a_bad_token_is_harmless(
        self, client: AsyncClient, world: World, waiter: Member
    ) -> None:
        pair = await log_in(client, waiter.username)
        for token in (pair["refresh_token"], pair["refresh_token"], "nonsense"):
            r = await client.post("/api/v1/auth/logout", json={"refresh_token": token})
            assert r.status_code == 204


class TestRefreshReuse:
    async def test_refuses_every_access_token_of_the_login(
        self,
        client: AsyncClient,
        session: AsyncSession,
        world: World,
        waiter: Member,
    ) -> None:
        first = await log_in(client, waiter.username)
        await serves(client, world, bearer(first))
        rotated = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )
        assert rotated.status_code == 200
        second = rotated.json()
        await serves(client, world, bearer(second))
        reused = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )
        refused(reused, 401, "refresh-token-reused")
        for pair in (first, second):
            await refuses(client, session, world, bearer(pair))


class TestDeactivation:
    async def test_refuses_every_token_and_login(
        self,
        client: AsyncClient,
        session: AsyncSession,
        world: World,
        waiter: Member,
    ) -> None:
        pair = await log_in(client, waiter.username)
        await serves(client, world, bearer(pair))
        r = await client.patch(
            world.url(f"/staff/{waiter.user_id}"),
            json={"is_active": False},
            headers=world.owner.headers,
        )
        assert r.status_code == 200, r.text
        assert r.json()["is_active"] is False
        await refuses(client, session, world, bearer(pair))
        login = await client.post(
            "/api/v1/auth/login", json={"username": waiter.username, "password": PASSWORD}
        )
        refused(login, 401, "invalid-credentials")
        refresh = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
        )
        refused(refresh, 401, "invalid-refresh-token")

    async def test_reactivated_account_logs_in_but_old_logins_stay_ended(
        self, client: AsyncClient, session: AsyncSession, world: World, waiter: Member
    ) -> None:
        pair = await log_in(client, waiter.username)
        for active in (False, True):
            r = await client.patch(
                world.url(f"/staff/{waiter.user_id}"),
                json={"is_active": active},
                headers=world.owner.headers,
            )
            assert r.status_code == 200, r.text
        refused(await client.get(world.url(""), headers=bearer(pair)), 401, "session-ended")
        await serves(client, world, bearer(await log_in(client, waiter.username)))

    async def test_a_login_of_other_restaurants_is_the_admins_to_deactivate(
        self,
        client: AsyncClient,
        session: AsyncSession,
        runtime: Runtime,
        world: World,
        waiter: Member,
    ) -> None:
        elsewhere = await make_restaurant(session)
        await add_member(session, elsewhere.id, waiter.user_id, Role.waiter)
        admin = await make_user(session, runtime, is_admin=True)
        await session.commit()
        pair = await log_in(client, waiter.username)
        r = await client.patch(
            world.url(f"/staff/{waiter.user_id}"),
            json={"is_active": False},
            headers=world.owner.headers,
        )
        refused(r, 403, "admin-only")
        # nothing written: the account is active and its login goes on
        assert await session.scalar(select(User.is_active).where(User.id == waiter.user_id))
        assert (await client.get(world.url(""), headers=bearer(pair))).status_code == 200
        r = await client.patch(
            world.url(f"/staff/{waiter.user_id}"), json={"is_active": False}, headers=admin.headers
        )
        assert r.status_code == 200, r.text
        refused(await client.get(world.url(""), headers=bearer(pair)), 401, "session-ended")

    async def test_waiter_may_not_and_last_owner_stays(
        self, client: AsyncClient, session: AsyncSession, world: World, waiter: Member
    ) -> None:
        pair = await log_in(client, waiter.username)
        r = await client.patch(
            world.url(f"/staff/{world.owner.user.id}"),
            json={"is_active": False},
            headers=bearer(pair),
        )
        refused(r, 403, "permission-denied")
        r = await client.patch(
            world.url(f"/staff/{world.owner.user.id}"),
            json={"is_active": False},
            headers=world.owner.headers,
        )
        refused(r, 409, "last-owner")
        assert await session.scalar(select(User.is_active).where(User.id == world.owner.user.id))
        assert (await client.get(world.url(""), headers=world.owner.headers)).status_code == 200

    async def test_a_bad_body_is_a_422(
        self, client: AsyncClient, world: World, waiter: Member
    ) -> None:
        r = await client.patch(
            world.url(f"/staff/{waiter.user_id}"),
            json={"is_active": "perhaps"},
            headers=world.owner.headers,
        )
        refused(r, 422, "validation-error")


class TestMembershipRemoval:
    async def test_refuses_the_restaurant_only(
        self,
        client: AsyncClient,
        session: AsyncSession,
        world: World,
        waiter: Member,
    ) -> None:
        pair = await log_in(client, waiter.username)
        await serves(client, world, bearer(pair))
        r = await client.delete(world.url(f"/staff/{waiter.user_id}"), headers=world.owner.headers)
        assert r.status_code == 204
        # not a member any more: 404, as for any restaurant one does not belong to
        await refuses(client, session, world, bearer(pair), status=404, slug="not-found")
        # the login itself goes on
        assert (await client.get("/api/v1/auth/me", headers=bearer(pair))).status_code == 200


class TestPasswordChange:
    async def test_ends_every_login_and_returns_a_new_one(
        self,
        client: AsyncClient,
        session: AsyncSession,
        world: World,
        waiter: Member,
    ) -> None:
        pair, other_device = (
            await log_in(client, waiter.username),
            await log_in(client, waiter.username),
        )
        await serves(client, world, bearer(pair))
        await serves(client, world, bearer(other_device))
        r = await client.post(
            "/api/v1/auth/password",
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers=bearer(pair),
        )
        assert r.status_code == 200, r.text
        fresh = r.json()
        for old in (pair, other_device):
            await refuses(client, session, world, bearer(old))
            refresh = await client.post(
                "/api/v1/auth/refresh", json={"refresh_token": old["refresh_token"]}
            )
            refused(refresh, 401, "invalid-refresh-token")
        await serves(client, world, bearer(fresh))
        refused(
            await client.post(
                "/api/v1/auth/login", json={"username": waiter.username, "password": PASSWORD}
            ),
            401,
            "invalid-credentials",
        )
        await log_in(client, waiter.username, NEW_PASSWORD)

    async def test_refuses_tokens_minted_outside_a_login_too(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime, world: World
    ) -> None:
        # a token of no login (no sid), as scripts and tests mint them: refused because
        # it was issued before the change (users.tokens_not_before, whole seconds)
        minted = await make_user(session, runtime, restaurant=world.restaurant, role=Role.waiter)
        await session.commit()
        assert (await client.get(world.url(""), headers=minted.headers)).status_code == 200
        pair = await log_in(client, minted.user.username)
        await asyncio.sleep(1.05 - time.time() % 1)  # into the next second
        r = await client.post(
            "/api/v1/auth/password",
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers=bearer(pair),
        )
        assert r.status_code == 200, r.text
        refused(await client.get(world.url(""), headers=minted.headers), 401, "session-ended")
        assert (await client.get(world.url(""), headers=bearer(r.json()))).status_code == 200

    async def test_wrong_current_password_changes_nothing(
        self, client: AsyncClient, session: AsyncSession, world: World, waiter: Member
    ) -> None:
        pair = await log_in(client, waiter.username)
        r = await client.post(
            "/api/v1/auth/password",
            json={"current_password": "not the password", "new_password": NEW_PASSWORD},
            headers=bearer(pair),
        )
        refused(r, 403, "wrong-password")
        await serves(client, world, bearer(pair))
        await log_in(client, waiter.username)  # the old password still works
        assert await _live_families(session, waiter.user_id) == 2

    async def test_weak_new_password_changes_nothing(
        self, client: AsyncClient, session: AsyncSession, world: World, waiter: Member
    ) -> None:
        pair = await log_in(client, waiter.username)
        for weak in ("short", "        ", "12345678"):
            r = await client.post(
                "/api/v1/auth/password",
                json={"current_password": PASSWORD, "new_password": weak},
                headers=bearer(pair),
            )
            refused(r, 422, "weak-password")
        await serves(client, world, bearer(pair))

    async def test_needs_a_user_and_a_body(
        self, client: AsyncClient, world: World, waiter: Member
    ) -> None:
        body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
        refused(await client.post("/api/v1/auth/password", json=body), 401, "not-authenticated")
        token = await client.post(
            world.url("/api-tokens"),
            json={"name": "board", "scopes": ["menu:read"]},
            headers=world.owner.headers,
        )
        assert token.status_code == 201, token.text
        headers = {"Authorization": f"Bearer {token.json()['token']}"}
        refused(
            await client.post("/api/v1/auth/password", json=body, headers=headers),
            403,
            "user-required",
        )
        pair = await log_in(client, waiter.username)
        refused(
            await client.post(
                "/api/v1/auth/password", json={"new_password": "x"}, headers=bearer(pair)
            ),
            422,
            "validation-error",
        )


# --- another worker process: no event reaches this one; the cache's ttl bounds it ----


async def _end_by_logout(session: AsyncSession, runtime: Runtime, m: Member, pair: Any) -> None:
    await service.logout(session, pair["refresh_token"])


async def _end_by_reuse(session: AsyncSession, runtime: Runtime, m: Member, pair: Any) -> None:
    assert await service.refresh(session, runtime.settings, pair["refresh_token"]) is not None
    assert await service.refresh(session, runtime.settings, pair["refresh_token"]) is None


async def _end_by_deactivation(
    session: AsyncSession, runtime: Runtime, m: Member, pair: Any
) -> None:
    assert await service.set_active(session, m.user_id, active=False)


async def _end_by_password(session: AsyncSession, runtime: Runtime, m: Member, pair: Any) -> None:
    await service.set_password(session, m.user_id, NEW_PASSWORD)


async def _end_by_removal(session: AsyncSession, runtime: Runtime, m: Member, pair: Any) -> None:
    from sqlalchemy import delete

    await session.execute(delete(Membership).where(Membership.user_id == m.user_id))


Ending = Callable[[AsyncSession, Runtime, Member, Any], Awaitable[None]]


@pytest.mark.parametrize(
    ("end", "status", "slug"),
    [
        (_end_by_logout, 401, "session-ended"),
        (_end_by_reuse, 401, "session-ended"),
        (_end_by_deactivation, 401, "session-ended"),
        (_end_by_password, 401, "session-ended"),
        (_end_by_removal, 404, "not-found"),
    ],
    ids=["logout", "refresh-reuse", "deactivation", "password", "membership-removal"],
)
async def test_another_process_refuses_within_the_cache_ttl(
    client: AsyncClient,
    session: AsyncSession,
    runtime: Runtime,
    world: World,
    waiter: Member,
    end: Ending,
    status: int,
    slug: str,
) -> None:
    pair = await log_in(client, waiter.username)
    await serves(client, world, bearer(pair))
    # committed as by another worker: its events never reach this process's bus
    async with unit_of_work(runtime.db, None) as other:
        await end(other, runtime, waiter, pair)
    # remembered for at most the ttl ...
    assert (await client.get(world.url(""), headers=bearer(pair))).status_code == 200
    # ... then read again
    with _clock_at(runtime, time.monotonic() + get_access_cache(runtime).ttl + 0.5):
        await refuses(client, session, world, bearer(pair), status=status, slug=slug)


class _clock_at:  # noqa: N801 - used as a context manager
    """Run the process's access cache at monotonic time ``at`` onwards (moving with the
    real clock), restoring its clock afterwards."""

    def __init__(self, runtime: Runtime, at: float) -> None:
        self.cache = get_access_cache(runtime)
        self.offset = at - time.monotonic()

    def __enter__(self) -> None:
        self.saved = self.cache.clock
        offset = self.offset
        self.cache.clock = lambda: time.monotonic() + offset

    def __exit__(self, *exc: object) -> None:
        self.cache.clock = self.saved


async def _live_families(session: AsyncSession, user_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count(func.distinct(RefreshToken.family_id))).where(
                RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None)
            )
        )
        or 0
    )
