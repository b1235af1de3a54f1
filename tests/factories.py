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


# --- menu and tables (menu+tables engineer) ---------------------------------------------


async def make_menu_item(
    session: AsyncSession,
    restaurant: Restaurant,
    *,
    name: str | None = None,
    category: str = "Pizza",
    station: str = "kitchen",
    prices: dict[str, int] | None = None,
    is_available: bool = True,
) -> MenuItemFixture:
    """A menu item in ``category`` (created if needed) with one variation per entry of
    ``prices`` (``{"M": 1500}``, the default; SKUs are unique)."""
    from sqlalchemy import select

    from brigade.infra.db import utcnow
    from brigade.menu.models import Category, MenuItem, Variation

    category_id = await session.scalar(
        select(Category.id).where(
            Category.restaurant_id == restaurant.id, Category.name == category
        )
    )
    if category_id is None:
        row = Category(restaurant_id=restaurant.id, name=category, position=0)
        session.add(row)
        await session.flush()
        category_id = row.id
    item = MenuItem(
        restaurant_id=restaurant.id,
        category_id=category_id,
        name=name or unique("Item"),
        description="",
        ingredients=[],
        station=station,
        is_available=is_available,
        position=0,
        updated_at=utcnow(),
    )
    session.add(item)
    await session.flush()
    variations: dict[str, int] = {}
    for position, (size, price) in enumerate(
        (prices if prices is not None else {"M": 1500}).items()
    ):
        variation = Variation(
            restaurant_id=restaurant.id,
            item_id=item.id,
            name=size,
            sku=unique(f"sku-{size}"),
            price=price,
            position=position,
            is_available=True,
        )
        session.add(variation)
        await session.flush()
        variations[size] = variation.id
    return MenuItemFixture(id=item.id, category_id=category_id, variations=variations)


@dataclass
class MenuItemFixture:
    """Ids of a menu item made by :func:`make_menu_item`; ``variations`` maps name → id."""

    id: int
    category_id: int
    variations: dict[str, int]


async def make_modifier_group(
    session: AsyncSession,
    restaurant: Restaurant,
    *,
    items: list[int],
    modifiers: dict[str, int],
    name: str = "Extras",
    min_choices: int = 0,
    max_choices: int = 3,
) -> dict[str, int]:
    """A modifier group offered by ``items`` with ``modifiers`` (name → price delta);
    returns modifier name → id."""
    from brigade.menu.models import ItemModifierGroup, Modifier, ModifierGroup

    group = ModifierGroup(
        restaurant_id=restaurant.id,
        name=name,
        min_choices=min_choices,
        max_choices=max_choices,
        position=0,
    )
    session.add(group)
    await session.flush()
    ids: dict[str, int] = {}
    for position, (mod_name, delta) in enumerate(modifiers.items()):
        modifier = Modifier(
            restaurant_id=restaurant.id,
            group_id=group.id,
            name=mod_name,
            price_delta=delta,
            position=position,
            is_available=True,
        )
        session.add(modifier)
        await session.flush()
        ids[mod_name] = modifier.id
    for item_id in items:
        session.add(
            ItemModifierGroup(
                item_id=item_id, group_id=group.id, restaurant_id=restaurant.id, position=0
            )
        )
    await session.flush()
    return ids


async def make_table(
    session: AsyncSession, restaurant: Restaurant, *, name: str | None = None, seats: int = 4
) -> int:
    """A free dining table; returns its id."""
    from brigade.tables.models import DiningTable

    table = DiningTable(
        restaurant_id=restaurant.id,
        name=name or unique("T"),
        seats=seats,
        status="free",
        version=1,
        position=0,
    )
    session.add(table)
    await session.flush()
    return table.id
