"""Fixtures of the menu tests: a restaurant with a member of every relevant role."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.models import ApiToken, User
from brigade.auth.permissions import Role
from brigade.auth.security import (
    API_TOKEN_PREFIX,
    create_access_token,
    new_opaque_token,
    token_digest,
)
from brigade.events.models import OutboxEvent
from brigade.infra.db import utcnow
from brigade.restaurants.models import Restaurant
from brigade.restaurants.service import add_member
from brigade.runtime import Runtime
from tests.factories import make_restaurant, unique


@dataclass
class Staff:
    """A restaurant, the headers of its staff and of the owner of ``other``."""

    restaurant: Restaurant
    other: Restaurant
    owner: dict[str, str]
    waiter: dict[str, str]
    kitchen: dict[str, str]
    cashier: dict[str, str]
    stranger: dict[str, str]

    @property
    def base(self) -> str:
        return f"/api/v1/restaurants/{self.restaurant.id}"


async def api_token_headers(
    session: AsyncSession, restaurant: Restaurant, scopes: Sequence[str]
) -> dict[str, str]:
    """Headers of a fresh API token of ``restaurant`` with ``scopes``."""
    secret = new_opaque_token(API_TOKEN_PREFIX)
    session.add(
        ApiToken(
            restaurant_id=restaurant.id,
            name="board",
            prefix=secret[:8],
            token_hash=token_digest(secret),
            scopes=list(scopes),
            created_at=utcnow(),
        )
    )
    await session.flush()
    return {"Authorization": f"Bearer {secret}"}


async def events_of(
    session: AsyncSession, restaurant_id: int, type_prefix: str = ""
) -> list[dict[str, Any]]:
    """The restaurant's outbox events (``{"type", **payload}``), oldest first."""
    rows = await session.execute(
        select(OutboxEvent.type, OutboxEvent.payload)
        .where(OutboxEvent.restaurant_id == restaurant_id)
        .order_by(OutboxEvent.seq)
    )
    return [{"type": t, **p} for t, p in rows if t.startswith(type_prefix)]


async def member(
    session: AsyncSession,
    runtime: Runtime,
    restaurant: Restaurant,
    role: Role,
    *,
    ttl_seconds: int = 600,
) -> tuple[int, dict[str, str]]:
    """A new member with ``role``: ``(user_id, headers)``. The user cannot log in (no
    password hash: argon2 would cost most of these tests' time); its access token is
    signed directly, valid ``ttl_seconds``."""
    user = User(username=unique("member"), password_hash="!", created_at=utcnow())
    session.add(user)
    await session.flush()
    await add_member(session, restaurant.id, user.id, role)
    token, _ = create_access_token(
        user.id, is_admin=False, key=runtime.settings.signing_key, ttl_seconds=ttl_seconds
    )
    return user.id, {"Authorization": f"Bearer {token}"}


async def member_headers(
    session: AsyncSession, runtime: Runtime, restaurant: Restaurant, role: Role
) -> dict[str, str]:
    """Headers of a new member with ``role`` (see :func:`member`)."""
    return (await member(session, runtime, restaurant, role))[1]


@pytest.fixture
async def staff(session: AsyncSession, runtime: Runtime) -> Staff:
    resto = await make_restaurant(session, currency="EUR")
    other = await make_restaurant(session)
    staff = Staff(
        resto,
        other,
        owner=await member_headers(session, runtime, resto, Role.owner),
        waiter=await member_headers(session, runtime, resto, Role.waiter),
        kitchen=await member_headers(session, runtime, resto, Role.kitchen),
        cashier=await member_headers(session, runtime, resto, Role.cashier),
        stranger=await member_headers(session, runtime, other, Role.owner),
    )
    await session.commit()
    return staff
