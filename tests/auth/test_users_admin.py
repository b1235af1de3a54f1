"""The platform admin's logins across restaurants through HTTP (SQLite and
PostgreSQL): ``GET /users`` lists and searches them with paging; deactivating one ends
it at once (its access token is refused on the very next request, its refresh token
too) and is on the audit trail; only the platform admin may."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.models import User
from brigade.auth.permissions import Role
from brigade.restaurants.models import Restaurant
from brigade.restaurants.service import add_member
from brigade.runtime import Runtime
from tests.factories import PASSWORD, Login, make_restaurant, make_user, unique
from tests.orders.support import problem_type

API = "/api/v1"


@pytest.fixture
async def admin(session: AsyncSession, runtime: Runtime) -> Login:
    login = await make_user(session, runtime, is_admin=True, username=unique("zz-admin"))
    await session.commit()
    return login


@pytest.fixture
async def place(session: AsyncSession) -> Restaurant:
    restaurant = await make_restaurant(session, name="Trattoria")
    await session.commit()
    return restaurant


async def member(
    session: AsyncSession, runtime: Runtime, place: Restaurant, name: str, role: Role
) -> Login:
    login = await make_user(session, runtime, restaurant=place, role=role, username=name)
    login.user.full_name = f"Full {name}"
    await session.commit()
    return login


class TestListUsers:
    async def test_only_the_platform_admin(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime, place: Restaurant
    ) -> None:
        owner = await member(session, runtime, place, unique("owner"), Role.owner)
        assert (await client.get(f"{API}/users")).status_code == 401
        denied = await client.get(f"{API}/users", headers=owner.headers)
        assert denied.status_code == 403
        assert problem_type(denied) == "platform-admin-only"

    async def test_search_by_username_or_full_name_with_pages(
        self,
        client: AsyncClient,
        session: AsyncSession,
        runtime: Runtime,
        place: Restaurant,
        admin: Login,
    ) -> None:
        tag = unique("giulia").replace("-", "")
        names = [f"{tag}_a", f"{tag}_b", f"{tag}_c"]
        for name in names:
            await member(session, runtime, place, name, Role.waiter)
        other = await make_restaurant(session, name="Osteria")
        await session.commit()
        shared = await member(session, runtime, other, f"{tag}_d", Role.cashier)
        await add_member(session, place.id, shared.user.id, Role.manager)
        await session.commit()

        first = await client.get(
            f"{API}/users", params={"q": tag.upper(), "limit": 2}, headers=admin.headers
        )
        assert first.status_code == 200, first.text
        body = first.json()
        assert body["total"] == 4
        assert [u["username"] for u in body["items"]] == names[:2]
        rest = await client.get(
            f"{API}/users", params={"q": tag, "limit": 2, "offset": 2}, headers=admin.headers
        )
        items = rest.json()["items"]
        assert [u["username"] for u in items] == [names[2], f"{tag}_d"]
        assert items[1]["memberships"] == [
            {"restaurant_id": other.id, "restaurant_name": "Osteria", "role": "cashier"},
            {"restaurant_id": place.id, "restaurant_name": "Trattoria", "role": "manager"},
        ]
        assert items[1]["is_active"] is True
        by_full_name = await client.get(
            f"{API}/users", params={"q": f"full {tag}_b"}, headers=admin.headers
        )
        assert [u["username"] for u in by_full_name.json()["items"]] == [names[1]]
        # LIKE's wildcards are taken literally
        wild = await client.get(f"{API}/users", params={"q": "%"}, headers=admin.headers)
        assert wild.json()["total"] == 0
        too_long = await client.get(
            f"{API}/users", params={"limit": 100_000}, headers=admin.headers
        )
        assert too_long.status_code == 422


class TestDeactivate:
    async def test_a_deactivated_login_ends_at_once_and_is_audited(
        self,
        client: AsyncClient,
        session: AsyncSession,
        runtime: Runtime,
        place: Restaurant,
        admin: Login,
    ) -> None:
        waiter = await member(session, runtime, place, unique("waiter"), Role.waiter)
        manager = await member(session, runtime, place, unique("manager"), Role.manager)
        pair = await client.post(
            f"{API}/auth/login", json={"username": waiter.user.username, "password": PASSWORD}
        )
        assert pair.status_code == 200
        token = {"Authorization": f"Bearer {pair.json()['access_token']}"}
        here = f"{API}/restaurants/{place.id}"
        # the login is alive, and remembered as such by the access cache
        assert (await client.get(here, headers=token)).status_code == 200
        assert (await client.get(f"{API}/auth/me", headers=token)).status_code == 200

        done = await client.post(f"{API}/users/{waiter.user.id}/deactivate", headers=admin.headers)
        assert done.status_code == 200, done.text
        assert done.json()["is_active"] is False

        refused = await client.get(here, headers=token)
        assert refused.status_code == 401
        assert problem_type(refused) == "session-ended"
        assert (await client.get(f"{API}/auth/me", headers=token)).status_code == 401
        again = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": pair.json()["refresh_token"]}
        )
        assert again.status_code == 401
        login = await client.post(
            f"{API}/auth/login", json={"username": waiter.user.username, "password": PASSWORD}
        )
        assert login.status_code == 401

        platform = (
            await client.get(
                f"{API}/audit", params={"kind": "user.deactivated"}, headers=admin.headers
            )
        ).json()["items"]
        assert [(e["user_id"], e["subject"]) for e in platform] == [
            (admin.user.id, f"user:{waiter.user.id}")
        ]
        restaurant = (
            await client.get(
                f"{here}/audit", params={"kind": "user.deactivated"}, headers=manager.headers
            )
        ).json()["items"]
        assert [(e["user_id"], e["subject"]) for e in restaurant] == [
            (admin.user.id, f"user:{waiter.user.id}")
        ]

        # idempotent: no second entry
        twice = await client.post(f"{API}/users/{waiter.user.id}/deactivate", headers=admin.headers)
        assert twice.status_code == 200
        back = await client.post(f"{API}/users/{waiter.user.id}/reactivate", headers=admin.headers)
        assert back.json()["is_active"] is True
        kinds = [
            e["kind"]
            for e in (await client.get(f"{API}/audit", headers=admin.headers)).json()["items"]
            if e["subject"] == f"user:{waiter.user.id}"
        ]
        assert kinds == ["user.reactivated", "user.deactivated", "login"]
        # the old login stays ended; a new one works
        assert (await client.get(here, headers=token)).status_code == 401
        fresh = await client.post(
            f"{API}/auth/login", json={"username": waiter.user.username, "password": PASSWORD}
        )
        assert fresh.status_code == 200

    async def test_errors(
        self,
        client: AsyncClient,
        session: AsyncSession,
        runtime: Runtime,
        place: Restaurant,
        admin: Login,
    ) -> None:
        owner = await member(session, runtime, place, unique("owner"), Role.owner)
        waiter = await member(session, runtime, place, unique("waiter"), Role.waiter)
        url = f"{API}/users/{waiter.user.id}/deactivate"
        assert (await client.post(url)).status_code == 401
        denied = await client.post(url, headers=owner.headers)
        assert denied.status_code == 403
        assert problem_type(denied) == "platform-admin-only"
        missing = await client.post(f"{API}/users/999999999/deactivate", headers=admin.headers)
        assert missing.status_code == 404
        me = await client.post(f"{API}/users/{admin.user.id}/deactivate", headers=admin.headers)
        assert me.status_code == 409
        assert problem_type(me) == "cannot-deactivate-self"
        user = await session.get(User, waiter.user.id)
        assert user is not None
        await session.refresh(user)
        assert user.is_active is True
