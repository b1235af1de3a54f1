"""The demo restaurant behind ``brigade demo``: the pizza place, a floor and staff logins.

:func:`setup_demo` migrates the database, imports the pizza place (the great-tables
file of the installed package when no path is given), creates a floor of two areas and
twelve tables (``"1"`` … ``"12"``) and one login per role: the platform ``admin`` and
``owner``, ``manager``, ``waiter``, ``kitchen``, ``cashier`` members of the restaurant.
Their generated passwords are kept in ``<data_dir>/demo-logins.json`` (mode 0600) and
reused, so running the demo again changes nothing and shows the same logins.

It also gives the pizzas their stock and recipes (:mod:`brigade.imports.pizza_stock`:
ingredients from the published lists, quantities per size, an opening delivery) and
what a real pizza place offers: the modifier groups of
:data:`DEMO_MODIFIER_GROUPS` ("Extra toppings": up to three, +$1.00 or +$1.50 each;
"Crust": at most one), offered by every imported pizza, and to each pizza with
ingredients its own "Hold or light" group (:func:`ingredient_modifiers`): every
ingredient can be left out ("NO Red Onions"), cheeses and sauces lightened ("LIGHT
Mozzarella Cheese"), at no charge. They change nothing of the import's orders or the
reports.

Everything is found before it is created (restaurant by slug, areas and tables by name,
modifier groups by name, users by username, memberships by user), so the setup is
idempotent; a pizza keeps the groups it offers and gets the missing demo ones appended.
When the logins file is lost but the users exist, their passwords are reset to new
generated ones and the file is written again, so the logins printed always work.

Areas and tables are created through ``brigade.tables.service``, modifier groups and
their links through ``brigade.menu.service``, each with a system
:class:`~brigade.auth.dependencies.Access` holding only that context's permissions;
users and memberships (and resetting a lost password) through the auth and restaurants
services.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access, Actor
from brigade.auth.permissions import Permission, Role
from brigade.auth.service import create_user, get_user_by_username, set_password
from brigade.events.unit_of_work import unit_of_work
from brigade.imports.history import ProgressCallback
from brigade.imports.pizza_place import (
    DEFAULT_SLUG,
    ImportReport,
    PizzaPlaceData,
    import_pizza_place,
    load_pizza_place,
)
from brigade.imports.pizza_stock import ensure_pizza_stock
from brigade.infra.db import Database
from brigade.infra.migrate import upgrade
from brigade.infra.settings import Settings
from brigade.menu.kinds import ModifierKind
from brigade.menu.models import ItemModifierGroup, MenuItem, Modifier, ModifierGroup
from brigade.menu.schemas import MAX_MODIFIERS_PER_GROUP, ModifierCreate, ModifierGroupCreate
from brigade.restaurants.models import Membership
from brigade.restaurants.service import add_member
from brigade.tables.models import Area, DiningTable
from brigade.tenancy import scoped

LOGINS_FILE = "demo-logins.json"
ADMIN = "admin"
#: Every login of the demo, in the order they are shown: (role, username, full name).
DEMO_STAFF: tuple[tuple[str, str, str], ...] = (
    (ADMIN, "admin", "Platform Admin"),
    (Role.owner.value, "owner", "Olivia Owner"),
    (Role.manager.value, "manager", "Marco Manager"),
    (Role.waiter.value, "waiter", "Wendy Waiter"),
    (Role.kitchen.value, "kitchen", "Kenji Kitchen"),
    (Role.cashier.value, "cashier", "Carla Cashier"),
)
#: The floor: area name and its tables as (name, seats).
DEMO_FLOOR: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = (
    (
        "Dining room",
        (("1", 2), ("2", 2), ("3", 4), ("4", 4), ("5", 4), ("6", 4), ("7", 6), ("8", 6)),
    ),
    ("Terrace", (("9", 2), ("10", 2), ("11", 4), ("12", 4))),
)

#: The pizzas' modifier groups: (name, min_choices, max_choices, ((modifier, price delta
#: in minor units of the restaurant's currency, USD), ...)). Every imported pizza offers
#: them, in this order.
DEMO_MODIFIER_GROUPS: tuple[tuple[str, int, int, tuple[tuple[str, int], ...]], ...] = (
    (
        "Extra toppings",
        0,
        3,
        (("Extra cheese", 150), ("Pepperoni", 150), ("Mushrooms", 100), ("Jalapeños", 100)),
    ),
    ("Crust", 0, 1, (("Thin crust", 0), ("Gluten-free crust", 250))),
)

#: The name of a pizza's own group of ingredients to hold or lighten.
INGREDIENT_GROUP = "Hold or light"
#: Ingredients that can be lightened as well as left out (matched in their name).
_LIGHTENABLE = ("cheese", "sauce", "mozzarella", "oil")


def ingredient_modifiers(ingredients: list[str]) -> list[ModifierCreate]:
    """The modifiers of a pizza's :data:`INGREDIENT_GROUP`: for each ingredient (in the
    menu's order, duplicates dropped) a ``remove`` one, and for cheeses, sauces and oils
    a ``light`` one too; all at no charge. ``[]`` for an item without ingredients."""
    seen: set[str] = set()
    modifiers: list[ModifierCreate] = []
    for raw in ingredients:
        name = raw.strip()[:100]
        if not name or name.casefold() in seen:
            continue
        seen.add(name.casefold())
        modifiers.append(ModifierCreate(name=name, kind=ModifierKind.remove))
        if any(word in name.casefold() for word in _LIGHTENABLE):
            modifiers.append(ModifierCreate(name=name, kind=ModifierKind.light))
    return modifiers[:MAX_MODIFIERS_PER_GROUP]


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """A demo account: ``role`` (``admin`` for the platform admin), username, password."""

    role: str
    username: str
    password: str


@dataclass(slots=True)
class DemoSetup:
    """What :func:`setup_demo` found or made."""

    restaurant_id: int
    logins: list[DemoLogin]
    logins_file: Path
    import_report: ImportReport
    areas_created: int = 0
    tables_created: int = 0
    modifier_groups_created: int = 0
    items_linked: int = 0
    users_created: int = 0
    memberships_created: int = 0
    passwords_reset: int = 0
    ingredients_created: int = 0
    recipes_set: int = 0

    @property
    def changed(self) -> bool:
        """Whether this run wrote anything to the database or the logins file."""
        return bool(
            self.import_report.changed
            or self.areas_created
            or self.tables_created
            or self.modifier_groups_created
            or self.items_linked
            or self.users_created
            or self.memberships_created
            or self.passwords_reset
            or self.ingredients_created
            or self.recipes_set
        )


def read_logins(path: Path) -> dict[str, str]:
    """Username → password of the logins file at ``path`` (empty if missing/unreadable)."""
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    logins = raw.get("logins") if isinstance(raw, dict) else None
    if not isinstance(logins, list):
        return {}
    return {
        str(entry["username"]): str(entry["password"])
        for entry in logins
        if isinstance(entry, dict) and "username" in entry and "password" in entry
    }


def write_logins(path: Path, restaurant_id: int, logins: list[DemoLogin]) -> None:
    """Write the logins file with mode 0600 (created so, never world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "restaurant_id": restaurant_id,
        "logins": [
            {"role": x.role, "username": x.username, "password": x.password} for x in logins
        ],
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(body, handle, indent=2)
        handle.write("\n")
    path.chmod(0o600)


async def _ensure_floor(session: AsyncSession, restaurant_id: int, result: DemoSetup) -> None:
    """Create the missing areas and tables through ``brigade.tables.service`` (so each
    new table records its ``table.created`` event), acting as the system."""
    from brigade.tables import service as tables
    from brigade.tables.schemas import AreaCreate, TableCreate

    system = Access(
        actor=Actor(),
        restaurant_id=restaurant_id,
        role=None,
        permissions=frozenset({Permission.tables_read, Permission.tables_write}),
    )
    areas = {
        row.name: row.id
        for row in await session.execute(scoped(select(Area.id, Area.name), restaurant_id))
    }
    existing = set((await session.scalars(scoped(select(DiningTable.name), restaurant_id))).all())
    position = 0
    for area_position, (area_name, area_tables) in enumerate(DEMO_FLOOR):
        if area_name not in areas:
            area = await tables.create_area(
                session, system, AreaCreate(name=area_name, position=area_position)
            )
            areas[area_name] = area.id
            result.areas_created += 1
        for name, seats in area_tables:
            position += 1
            if name in existing:
                continue
            await tables.create_table(
                session,
                system,
                TableCreate(name=name, seats=seats, area_id=areas[area_name], position=position),
            )
            result.tables_created += 1


async def _ensure_modifiers(session: AsyncSession, restaurant_id: int, result: DemoSetup) -> None:
    """Create the missing groups of :data:`DEMO_MODIFIER_GROUPS` and make every imported
    pizza (an item with an ``external_ref``) offer them, through ``brigade.menu.service``
    (so each change records its ``menu.updated`` event), acting as the system. A pizza
    keeps the groups it offers, in their order; the missing demo groups are appended."""
    from brigade.menu import service as menu

    system = Access(
        actor=Actor(),
        restaurant_id=restaurant_id,
        role=None,
        permissions=frozenset({Permission.menu_read, Permission.menu_write}),
    )
    groups: dict[str, int] = {}
    for row in await session.execute(
        scoped(select(ModifierGroup.id, ModifierGroup.name), restaurant_id).order_by(
            ModifierGroup.id
        )
    ):
        groups.setdefault(row.name, row.id)
    for position, (name, min_choices, max_choices, choices) in enumerate(DEMO_MODIFIER_GROUPS):
        if name in groups:
            continue
        created = await menu.create_modifier_group(
            session,
            system,
            ModifierGroupCreate(
                name=name,
                min_choices=min_choices,
                max_choices=max_choices,
                position=position,
                modifiers=[ModifierCreate(name=m, price_delta=delta) for m, delta in choices],
            ),
        )
        groups[name] = created.id
        result.modifier_groups_created += 1
    wanted = [groups[name] for name, *_ in DEMO_MODIFIER_GROUPS]
    pizzas = (
        await session.execute(
            scoped(select(MenuItem.id, MenuItem.ingredients), restaurant_id)
            .where(MenuItem.external_ref.is_not(None))
            .order_by(MenuItem.id)
        )
    ).all()
    offered: dict[int, list[int]] = {pizza.id: [] for pizza in pizzas}
    for link in await session.execute(
        scoped(
            select(ItemModifierGroup.item_id, ItemModifierGroup.group_id), restaurant_id
        ).order_by(ItemModifierGroup.item_id, ItemModifierGroup.position)
    ):
        if link.item_id in offered:
            offered[link.item_id].append(link.group_id)
    # a group holding a "remove" modifier is an item's own ingredient group
    with_removals = set(
        (
            await session.scalars(
                scoped(select(Modifier.group_id), restaurant_id).where(
                    Modifier.kind == ModifierKind.remove
                )
            )
        ).all()
    )
    for pizza in pizzas:
        current = offered[pizza.id]
        missing = [g for g in wanted if g not in current]
        holds = ingredient_modifiers(list(pizza.ingredients or []))
        if holds and not with_removals.intersection(current):
            created = await menu.create_modifier_group(
                session,
                system,
                ModifierGroupCreate(
                    name=INGREDIENT_GROUP,
                    min_choices=0,
                    max_choices=len(holds),
                    position=len(DEMO_MODIFIER_GROUPS),
                    modifiers=holds,
                ),
            )
            result.modifier_groups_created += 1
            missing.append(created.id)
        if missing:
            await menu.set_item_modifier_groups(session, system, pizza.id, current + missing)
            result.items_linked += 1


async def _ensure_staff(
    session: AsyncSession, restaurant_id: int, known: dict[str, str], result: DemoSetup
) -> None:
    for role, username, full_name in DEMO_STAFF:
        password = known.get(username)
        user = await get_user_by_username(session, username)
        if user is None:
            password = password or secrets.token_urlsafe(12)
            user = await create_user(
                session,
                username=username,
                password=password,
                full_name=full_name,
                is_admin=role == ADMIN,
            )
            result.users_created += 1
        elif password is None:
            # The logins file was lost: give the account a new password we can show.
            password = secrets.token_urlsafe(12)
            await set_password(session, user.id, password)
            result.passwords_reset += 1
        if role != ADMIN:
            member = await session.scalar(
                scoped(select(Membership.id), restaurant_id).where(Membership.user_id == user.id)
            )
            if member is None:
                await add_member(session, restaurant_id, user.id, Role(role))
                result.memberships_created += 1
        result.logins.append(DemoLogin(role, username, password))


async def _setup(
    settings: Settings, data: PizzaPlaceData, progress: ProgressCallback | None
) -> DemoSetup:
    db = Database(settings.resolved_database_url)
    logins_file = settings.data_dir / LOGINS_FILE
    try:
        async with unit_of_work(db, None) as session:
            report = await import_pizza_place(session, data, slug=DEFAULT_SLUG, progress=progress)
        result = DemoSetup(report.restaurant_id, [], logins_file, report)
        async with unit_of_work(db, None) as session:
            await _ensure_floor(session, report.restaurant_id, result)
            await _ensure_modifiers(session, report.restaurant_id, result)
            stock = await ensure_pizza_stock(session, report.restaurant_id)
            result.ingredients_created = stock.ingredients_created
            result.recipes_set = stock.recipes_set
            await _ensure_staff(session, report.restaurant_id, read_logins(logins_file), result)
    finally:
        await db.dispose()
    if result.changed or read_logins(logins_file) != {
        x.username: x.password for x in result.logins
    }:
        write_logins(logins_file, result.restaurant_id, result.logins)
    return result


def setup_demo(
    settings: Settings, path: Path | None = None, *, progress: ProgressCallback | None = None
) -> DemoSetup:
    """Migrate, import the pizza place, give its pizzas the demo modifier groups, create
    the floor and the staff logins (blocking).

    ``path`` is what ``brigade import pizza-place`` takes (``None``: the great-tables
    file). Must not be called from a running event loop (migrations run their own).
    Raises :class:`~brigade.imports.exceptions.ImportSourceError` when the data cannot
    be read.
    """
    data = load_pizza_place(path)  # a bad path fails before anything is created
    upgrade(settings.resolved_database_url)
    return asyncio.run(_setup(settings, data, progress))
