"""Small async factories for tests: ``await make_restaurant(session)`` and friends."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.models import User
from brigade.auth.permissions import Role
from brigade.auth.security import create_access_token
from brigade.auth.service import create_user
from brigade.restaurants.models import Restaurant
from brigade.restaurants.service import add_member, create_restaurant
from brigade.runtime import Runtime

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple"


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}"


async def make_restaurant(
    session: AsyncSession,
    *,
    name: str | None = None,
    currency: str = "USD",
    time_zone: str = "America/New_York",
    tax_rate_bp: int = 0,
    tax_inclusive: bool = False,
) -> Restaurant:
    slug = unique("resto")
    return await create_restaurant(
        session,
        name=name or slug,
        slug=slug,
        currency=currency,
        time_zone=time_zone,
        tax_rate_bp=tax_rate_bp,
        tax_inclusive=tax_inclusive,
    )


@dataclass
class Login:
    """A user with a ready ``Authorization`` header."""

    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def make_user(
    session: AsyncSession,
    runtime: Runtime,
    *,
    restaurant: Restaurant | None = None,
    role: Role | None = None,
    is_admin: bool = False,
    username: str | None = None,
    password: str = PASSWORD,
) -> Login:
    """A user (optionally a member of ``restaurant`` with ``role``) and an access token."""
    user = await create_user(
        session, username=username or unique("user"), password=password, is_admin=is_admin
    )
    if restaurant is not None and role is not None:
        await add_member(session, restaurant.id, user.id, role)
    token, _ = create_access_token(
        user.id,
        is_admin=is_admin,
        key=runtime.settings.signing_key,
        ttl_seconds=runtime.settings.access_token_ttl_seconds,
    )
    return Login(user=user, token=token)
