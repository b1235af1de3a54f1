"""Fixtures of the kitchen tests: a restaurant with a cook, a waiter, a cashier and an
outsider (a cook of another restaurant)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.models import User
from brigade.auth.permissions import Role
from brigade.auth.security import create_access_token
from brigade.infra.db import utcnow
from brigade.restaurants.models import Restaurant
from brigade.restaurants.service import add_member
from brigade.runtime import Runtime
from tests.factories import Login, make_restaurant, unique

#: These users never log in with a password (they get an access token directly), so
#: they skip the deliberately slow argon2 hash that ``make_user`` computes.
NO_PASSWORD = "!no-password-login"


async def member(
    session: AsyncSession, runtime: Runtime, restaurant: Restaurant, role: Role
) -> Login:
    """A member of ``restaurant`` with ``role`` and an access token."""
    user = User(username=unique("cook"), password_hash=NO_PASSWORD, created_at=utcnow())
    session.add(user)
    await session.flush()
    await add_member(session, restaurant.id, user.id, role)
    token, _ = create_access_token(
        user.id,
        is_admin=False,
        key=runtime.settings.signing_key,
        ttl_seconds=runtime.settings.access_token_ttl_seconds,
    )
    return Login(user=user, token=token)


@dataclass
class Kitchen:
    """A restaurant and logins of several roles; ``other`` is a second restaurant."""

    restaurant: Restaurant
    other: Restaurant
    cook: Login
    waiter: Login
    cashier: Login
    outsider: Login

    def url(self, path: str = "", *, restaurant_id: int | None = None) -> str:
        """``/api/v1/restaurants/{id}/kitchen/tickets{path}``."""
        rid = restaurant_id or self.restaurant.id
        return f"/api/v1/restaurants/{rid}/kitchen/tickets{path}"


@pytest.fixture
async def kit(session: AsyncSession, runtime: Runtime) -> Kitchen:
    restaurant = await make_restaurant(session)
    other = await make_restaurant(session)
    return Kitchen(
        restaurant=restaurant,
        other=other,
        cook=await member(session, runtime, restaurant, Role.kitchen),
        waiter=await member(session, runtime, restaurant, Role.waiter),
        cashier=await member(session, runtime, restaurant, Role.cashier),
        outsider=await member(session, runtime, other, Role.kitchen),
    )
