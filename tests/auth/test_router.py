"""HTTP tests of /auth: login (with failed-login limiting), refresh, logout, me."""

from __future__ import annotations

from datetime import timedelta

import jwt
from httpx import AsyncClient, Response
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.models import RefreshToken, User
from brigade.auth.permissions import Role
from brigade.auth.ratelimit import ADDRESS_FACTOR
from brigade.auth.security import JWT_ALGORITHM, token_digest
from brigade.infra.db import utcnow
from brigade.runtime import Runtime
from tests.factories import PASSWORD, make_restaurant, make_user, unique

API = "/api/v1"


def problem_type(response: Response) -> str:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return str(response.json()["type"]).rsplit("/", 1)[-1]


async def login(client: AsyncClient, username: str, password: str = PASSWORD) -> Response:
    return await client.post(f"{API}/auth/login", json={"username": username, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestLogin:
    async def test_returns_access_and_refresh_tokens(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        user = (await make_user(session, runtime)).user

        response = await login(client, user.username)

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == runtime.settings.access_token_ttl_seconds == 15 * 60
        assert body["user"] == {
            "id": user.id,
            "username": user.username,
            "full_name": "",
            "is_admin": False,
        }
        claims = jwt.decode(
            body["access_token"], runtime.settings.signing_key, algorithms=[JWT_ALGORITHM]
        )
        assert claims["sub"] == str(user.id)
        assert claims["exp"] - claims["iat"] == 15 * 60
        me = await client.get(f"{API}/auth/me", headers=bearer(body["access_token"]))
        assert me.status_code == 200
        assert me.json()["username"] == user.username

    async def test_refresh_token_is_stored_hashed(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        user = (await make_user(session, runtime)).user

        refresh_token = (await login(client, user.username)).json()["refresh_token"]

        stored = (
            await session.scalars(
                select(RefreshToken.token_hash).where(RefreshToken.user_id == user.id)
            )
        ).all()
        assert stored == [token_digest(refresh_token)]
        assert refresh_token not in stored

    async def test_wrong_password(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        user = (await make_user(session, runtime)).user

        response = await login(client, user.username, "not the password")

        assert response.status_code == 401
        assert problem_type(response) == "invalid-credentials"
        assert "access_token" not in response.json()

    async def test_unknown_user_looks_like_wrong_password(self, client: AsyncClient) -> None:
        response = await login(client, unique("nobody"))

        assert response.status_code == 401
        assert problem_type(response) == "invalid-credentials"

    async def test_inactive_user_cannot_log_in(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        user = (await make_user(session, runtime)).user
        await session.execute(update(User).where(User.id == user.id).values(is_active=False))

        response = await login(client, user.username)

        assert response.status_code == 401
        assert problem_type(response) == "invalid-credentials"

    async def test_missing_password_is_a_validation_problem(self, client: AsyncClient) -> None:
        response = await client.post(f"{API}/auth/login", json={"username": "x"})

        assert response.status_code == 422
        assert problem_type(response) == "validation-error"


class TestFailedLoginLimit:
    async def test_sixth_wrong_attempt_gets_429_with_retry_after(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        user = (await make_user(session, runtime)).user

        for _ in range(5):
            assert (await login(client, user.username, "wrong")).status_code == 401
        response = await login(client, user.username, "wrong")

        assert response.status_code == 429
        assert problem_type(response) == "too-many-requests"
        retry_after = int(response.headers["Retry-After"])
        assert 1 <= retry_after <= 60
        assert response.json()["retry_after"] == retry_after

    async def test_correct_password_while_limited_is_still_429(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        user = (await make_user(session, runtime)).user
        for _ in range(5):
            await login(client, user.username, "wrong")

        response = await login(client, user.username)

        assert response.status_code == 429
        assert "access_token" not in response.json()

    async def test_other_usernames_are_not_affected(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        victim = (await make_user(session, runtime)).user
        other = (await make_user(session, runtime)).user
        for _ in range(6):
            await login(client, victim.username, "wrong")

        response = await login(client, other.username)

        assert response.status_code == 200, response.text

    async def test_successful_logins_are_not_counted(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        user = (await make_user(session, runtime)).user

        for _ in range(7):
            assert (await login(client, user.username)).status_code == 200

    async def test_one_address_trying_many_usernames_is_limited(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        user = (await make_user(session, runtime)).user
        per_address = 5 * ADDRESS_FACTOR
        for i in range(per_address):
            response = await login(client, f"guess-{i}", "wrong")
            assert response.status_code == 401, i

        response = await login(client, user.username)

        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) >= 1


class TestRefresh:
    async def test_rotates_the_refresh_token(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        user = (await make_user(session, runtime)).user
        first = (await login(client, user.username)).json()

        response = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )

        assert response.status_code == 200, response.text
        second = response.json()
        assert second["refresh_token"] != first["refresh_token"]
        assert second["user"]["id"] == user.id
        me = await client.get(f"{API}/auth/me", headers=bearer(second["access_token"]))
        assert me.status_code == 200
        third = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": second["refresh_token"]}
        )
        assert third.status_code == 200

    async def test_reuse_of_a_rotated_token_revokes_the_whole_login(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        user = (await make_user(session, runtime)).user
        stolen = (await login(client, user.username)).json()["refresh_token"]
        other_login = (await login(client, user.username)).json()["refresh_token"]
        rotated = (await client.post(f"{API}/auth/refresh", json={"refresh_token": stolen})).json()[
            "refresh_token"
        ]

        reuse = await client.post(f"{API}/auth/refresh", json={"refresh_token": stolen})

        assert reuse.status_code == 401
        assert problem_type(reuse) == "refresh-token-reused"
        # The legitimate holder's newer token of that login is dead too (committed).
        after = await client.post(f"{API}/auth/refresh", json={"refresh_token": rotated})
        assert after.status_code == 401
        assert problem_type(after) == "invalid-refresh-token"
        # Another login of the same user is untouched.
        untouched = await client.post(f"{API}/auth/refresh", json={"refresh_token": other_login})
        assert untouched.status_code == 200

    async def test_unknown_token(self, client: AsyncClient) -> None:
        response = await client.post(f"{API}/auth/refresh", json={"refresh_token": "nope"})

        assert response.status_code == 401
        assert problem_type(response) == "invalid-refresh-token"

    async def test_expired_token(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        user = (await make_user(session, runtime)).user
        token = (await login(client, user.username)).json()["refresh_token"]
        await session.execute(
            update(RefreshToken)
            .where(RefreshToken.token_hash == token_digest(token))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )

        response = await client.post(f"{API}/auth/refresh", json={"refresh_token": token})

        assert response.status_code == 401
        assert problem_type(response) == "invalid-refresh-token"

    async def test_inactive_user_cannot_refresh(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        user = (await make_user(session, runtime)).user
        token = (await login(client, user.username)).json()["refresh_token"]
        await session.execute(update(User).where(User.id == user.id).values(is_active=False))

        response = await client.post(f"{API}/auth/refresh", json={"refresh_token": token})

        assert response.status_code == 401


class TestLogout:
    async def test_revokes_the_login(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        user = (await make_user(session, runtime)).user
        first = (await login(client, user.username)).json()["refresh_token"]
        current = (await client.post(f"{API}/auth/refresh", json={"refresh_token": first})).json()[
            "refresh_token"
        ]
        other_login = (await login(client, user.username)).json()["refresh_token"]

        response = await client.post(f"{API}/auth/logout", json={"refresh_token": current})

        assert response.status_code == 204
        refused = await client.post(f"{API}/auth/refresh", json={"refresh_token": current})
        assert refused.status_code == 401
        assert (
            await client.post(f"{API}/auth/refresh", json={"refresh_token": other_login})
        ).status_code == 200

    async def test_unknown_token_is_harmless(self, client: AsyncClient) -> None:
        response = await client.post(f"{API}/auth/logout", json={"refresh_token": "nope"})

        assert response.status_code == 204


class TestMe:
    async def test_unauthenticated(self, client: AsyncClient) -> None:
        response = await client.get(f"{API}/auth/me")

        assert response.status_code == 401
        assert problem_type(response) == "not-authenticated"
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_bad_token(self, client: AsyncClient) -> None:
        response = await client.get(f"{API}/auth/me", headers=bearer("not-a-jwt"))

        assert response.status_code == 401

    async def test_expired_token(self, client: AsyncClient, runtime: Runtime) -> None:
        now = utcnow()
        token = jwt.encode(
            {
                "sub": "1",
                "typ": "access",
                "iat": int((now - timedelta(hours=1)).timestamp()),
                "exp": int((now - timedelta(minutes=1)).timestamp()),
            },
            runtime.settings.signing_key,
            algorithm=JWT_ALGORITHM,
        )

        response = await client.get(f"{API}/auth/me", headers=bearer(token))

        assert response.status_code == 401

    async def test_lists_memberships(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        a = await make_restaurant(session, name="Alpha")
        b = await make_restaurant(session, name="Bravo")
        await make_restaurant(session, name="Charlie")
        waiter = await make_user(session, runtime, restaurant=a, role=Role.waiter)
        from brigade.restaurants.service import add_member

        await add_member(session, b.id, waiter.user.id, Role.manager)

        response = await client.get(f"{API}/auth/me", headers=waiter.headers)

        assert response.status_code == 200
        body = response.json()
        assert body["id"] == waiter.user.id
        assert body["is_admin"] is False
        assert body["memberships"] == [
            {"restaurant_id": a.id, "restaurant_name": "Alpha", "role": "waiter"},
            {"restaurant_id": b.id, "restaurant_name": "Bravo", "role": "manager"},
        ]

    async def test_api_token_has_no_user(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        created = await client.post(
            f"{API}/restaurants/{restaurant.id}/api-tokens",
            json={"name": "board", "scopes": ["menu:read"]},
            headers=owner.headers,
        )

        response = await client.get(f"{API}/auth/me", headers=bearer(created.json()["token"]))

        assert response.status_code == 403
        assert problem_type(response) == "user-required"
