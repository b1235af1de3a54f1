"""Service-level tests of the auth context: scopes, the login limiter, hash upgrades."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from pwdlib.hashers.bcrypt import BcryptHasher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.exceptions import InvalidScope, WeakPassword
from brigade.auth.models import User
from brigade.auth.ratelimit import LIMITER_KEY, LoginLimiter, get_login_limiter
from brigade.auth.service import create_user, set_password, validate_password, validate_scopes
from brigade.infra.db import Database, utcnow
from brigade.infra.errors import TooManyRequests
from brigade.infra.settings import Settings
from brigade.runtime import Runtime
from tests.factories import PASSWORD, unique


def test_validate_scopes_orders_and_deduplicates() -> None:
    assert validate_scopes(["kitchen:bump", "menu:read", "kitchen:bump"]) == [
        "menu:read",
        "kitchen:bump",
    ]


def test_validate_scopes_names_the_unknown_ones() -> None:
    with pytest.raises(InvalidScope) as raised:
        validate_scopes(["menu:read", "root", "admin"])
    assert raised.value.extensions["unknown"] == ["admin", "root"]


def test_validate_password() -> None:
    assert validate_password("a 2nd good passphrase") == "a 2nd good passphrase"
    for weak in ("12345678", "1234567", "        "):
        with pytest.raises(WeakPassword):
            validate_password(weak)


async def test_limiter_is_created_once_per_process(runtime: Runtime) -> None:
    limiter = get_login_limiter(runtime)

    assert get_login_limiter(runtime) is limiter
    assert runtime.extras[LIMITER_KEY] is limiter
    assert limiter.per_pair.amount == 5
    assert limiter.per_account.amount > limiter.per_address.amount > limiter.per_pair.amount


async def test_limiter_counts_per_username_and_address_case_insensitively() -> None:
    limiter = get_login_limiter(
        Runtime(settings=Settings(login_rate_limit="2/minute"), db=Database("sqlite+aiosqlite://"))
    )
    await limiter.record_failure("Anna", "10.0.0.1")
    await limiter.record_failure("anna", "10.0.0.1")

    with pytest.raises(TooManyRequests) as raised:
        await limiter.check("ANNA", "10.0.0.1")
    assert 1 <= int(raised.value.headers["Retry-After"]) <= 60
    await limiter.check("anna", "10.0.0.3")  # the account's owner elsewhere
    await limiter.check("bob", "10.0.0.1")


async def test_limiter_on_redis_is_shared_between_processes() -> None:
    """Two limiters (two workers) on the same Redis see each other's failures."""
    settings = Settings(redis_url="redis://127.0.0.1:6379/0", login_rate_limit="3/minute")
    first = get_login_limiter(Runtime(settings=settings, db=Database("sqlite+aiosqlite://")))
    second = get_login_limiter(Runtime(settings=settings, db=Database("sqlite+aiosqlite://")))
    assert first is not second
    username = unique("redis-user")
    address = unique("addr")
    for _ in range(3):
        await first.record_failure(username, address)

    with pytest.raises(TooManyRequests):
        await second.check(username, address)
    await second.check(unique("someone-else"), unique("addr"))


async def test_reset_forgets_counters() -> None:
    from limits import parse

    limiter = LoginLimiter(parse("1/minute"), parse("10/minute"))
    await limiter.record_failure("x", "addr")
    with pytest.raises(TooManyRequests):
        await limiter.check("x", "addr")

    await limiter.reset()

    await limiter.check("x", "addr")


async def test_login_upgrades_a_bcrypt_hash_to_argon2(
    client: AsyncClient, session: AsyncSession
) -> None:
    user = User(
        username=unique("legacy"),
        password_hash=BcryptHasher().hash(PASSWORD),
        full_name="",
        created_at=utcnow(),
    )
    session.add(user)
    await session.flush()

    response = await client.post(
        "/api/v1/auth/login", json={"username": user.username, "password": PASSWORD}
    )

    assert response.status_code == 200, response.text
    stored = await session.scalar(
        select(User.password_hash)
        .where(User.id == user.id)
        .execution_options(populate_existing=True)
    )
    assert stored is not None
    assert stored.startswith("$argon2")


async def test_set_password_replaces_the_password_and_ends_every_login(
    client: AsyncClient, session: AsyncSession
) -> None:
    user = await create_user(session, username="rita", password="first password")
    await session.commit()
    first = await client.post(
        "/api/v1/auth/login", json={"username": "rita", "password": "first password"}
    )
    assert first.status_code == 200, first.text
    await set_password(session, user.id, "second password")
    await session.commit()
    old = await client.post(
        "/api/v1/auth/login", json={"username": "rita", "password": "first password"}
    )
    assert old.status_code == 401
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first.json()["refresh_token"]}
    )
    assert refreshed.status_code == 401
    new = await client.post(
        "/api/v1/auth/login", json={"username": "rita", "password": "second password"}
    )
    assert new.status_code == 200
