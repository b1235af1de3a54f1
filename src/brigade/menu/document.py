"""The whole-menu document: :func:`build_menu` reads a restaurant's menu as one
:class:`~brigade.menu.schemas.MenuRead`; :func:`menu_bytes` serves it as JSON bytes from
the process's menu cache (:mod:`brigade.menu.cache`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.menu.cache import MenuCache
from brigade.menu.kinds import ModifierKind, modifier_label
from brigade.menu.models import (
    Category,
    ItemModifierGroup,
    MenuItem,
    Modifier,
    ModifierGroup,
    Variation,
)
from brigade.menu.schemas import (
    MenuEntry,
    MenuModifier,
    MenuModifierGroup,
    MenuRead,
    MenuSection,
    MenuVariation,
)
from brigade.restaurants.service import restaurant_profile
from brigade.tenancy import same_restaurant, scoped


async def build_menu(session: AsyncSession, restaurant_id: int) -> MenuRead:
    """The restaurant's whole menu: categories → items → variations and modifier groups →
    modifiers, each level in ``position`` order (then id). Five Core selects.

    Raises :class:`~brigade.infra.errors.NotFound` when the restaurant does not exist.
    """
    currency = (await restaurant_profile(session, None, restaurant_id)).currency  # or NotFound
    categories = await session.execute(
        scoped(select(Category.id, Category.name, Category.position), restaurant_id).order_by(
            Category.position, Category.id
        )
    )
    items = await session.execute(
        scoped(
            select(
                MenuItem.id,
                MenuItem.category_id,
                MenuItem.name,
                MenuItem.description,
                MenuItem.ingredients,
                MenuItem.station,
                MenuItem.is_available,
                MenuItem.remaining,
                MenuItem.position,
            ),
            restaurant_id,
        ).order_by(MenuItem.position, MenuItem.id)
    )
    variations = await session.execute(
        scoped(
            select(
                Variation.id,
                Variation.item_id,
                Variation.name,
                Variation.sku,
                Variation.price,
                Variation.is_available,
            ),
            restaurant_id,
        ).order_by(Variation.position, Variation.id)
    )
    # Scoped by the link table, named: the joins tie the groups and modifiers to its
    # restaurant; a WHERE condition on the outer-joined modifiers would drop the groups
    # that have none.
    offers = await session.execute(
        scoped(
            select(
                ItemModifierGroup.item_id,
                ModifierGroup.id.label("group_id"),
                ModifierGroup.name.label("group_name"),
                ModifierGroup.min_choices,
                ModifierGroup.max_choices,
                Modifier.id.label("modifier_id"),
                Modifier.name.label("modifier_name"),
                Modifier.price_delta,
                Modifier.is_available,
                Modifier.kind.label("modifier_kind"),
            )
            .select_from(ItemModifierGroup)
            .join(
                ModifierGroup,
                (ModifierGroup.id == ItemModifierGroup.group_id)
                & same_restaurant(ModifierGroup, ItemModifierGroup),
            )
            .outerjoin(
                Modifier,
                (Modifier.group_id == ModifierGroup.id) & same_restaurant(Modifier, ModifierGroup),
            ),
            restaurant_id,
            ItemModifierGroup,
        ).order_by(
            ItemModifierGroup.item_id,
            ItemModifierGroup.position,
            ModifierGroup.position,
            ModifierGroup.id,
            Modifier.position,
            Modifier.id,
        )
    )
    variations_of: dict[int, list[MenuVariation]] = {}
    for v in variations:
        variations_of.setdefault(v.item_id, []).append(
            MenuVariation(
                id=v.id, name=v.name, sku=v.sku, price=v.price, is_available=v.is_available
            )
        )
    groups_of: dict[int, dict[int, MenuModifierGroup]] = {}
    for o in offers:
        groups = groups_of.setdefault(o.item_id, {})
        group = groups.get(o.group_id)
        if group is None:
            group = groups[o.group_id] = MenuModifierGroup(
                id=o.group_id,
                name=o.group_name,
                min_choices=o.min_choices,
                max_choices=o.max_choices,
                modifiers=[],
            )
        if o.modifier_id is not None:
            group.modifiers.append(
                MenuModifier(
                    id=o.modifier_id,
                    name=o.modifier_name,
                    price_delta=o.price_delta,
                    is_available=o.is_available,
                    kind=ModifierKind(o.modifier_kind or "add"),
                    label=modifier_label(o.modifier_name, o.modifier_kind),
                )
            )
    items_of: dict[int, list[MenuEntry]] = {}
    for i in items:
        items_of.setdefault(i.category_id, []).append(
            MenuEntry(
                id=i.id,
                name=i.name,
                description=i.description,
                ingredients=list(i.ingredients or []),
                station=i.station,
                is_available=i.is_available,
                remaining=i.remaining,
                position=i.position,
                variations=variations_of.get(i.id, []),
                modifier_groups=list(groups_of.get(i.id, {}).values()),
            )
        )
    return MenuRead(
        restaurant_id=restaurant_id,
        currency=currency,
        categories=[
            MenuSection(id=c.id, name=c.name, position=c.position, items=items_of.get(c.id, []))
            for c in categories
        ],
    )


async def menu_bytes(session: AsyncSession, cache: MenuCache, restaurant_id: int) -> bytes:
    """The restaurant's :class:`MenuRead` as UTF-8 JSON bytes, from ``cache`` when
    fresh (no query), else built with :func:`build_menu` and stored."""
    body = cache.get(restaurant_id)
    if body is not None:
        return body
    generation = cache.generation(restaurant_id)
    body = (await build_menu(session, restaurant_id)).model_dump_json().encode()
    cache.put(restaurant_id, body, generation)
    return body
