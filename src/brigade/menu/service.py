"""Rules of the menu context.

Cross-context API (for orders): :func:`resolve_lines` turns the choices of order lines
into priced, validated snapshots in two queries, whatever the number of lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.errors import NotFound
from brigade.menu.exceptions import ItemUnavailable, ModifierChoiceInvalid, VariationRequired
from brigade.menu.models import (
    Category,
    ItemModifierGroup,
    MenuItem,
    Modifier,
    ModifierGroup,
    Variation,
)

# --------------------------------------------------------------------------------------
# Resolving order lines (hot path: Core selects, two round trips)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineChoice:
    """What a waiter picked for one order line: the item, its variation (size) and
    modifiers. ``variation_id`` may be ``None`` when the item has exactly one variation."""

    menu_item_id: int
    variation_id: int | None = None
    modifier_ids: Sequence[int] = ()


@dataclass(frozen=True, slots=True)
class ResolvedLine:
    """A validated line, priced from the menu at this moment (the order's snapshot).

    ``unit_price`` is the variation's price and ``modifiers_total`` the sum of the chosen
    modifiers' ``price_delta``, both in minor units, per unit of quantity. ``modifiers``
    is JSON-ready: ``[{"id": int, "name": str, "price_delta": int}]`` in menu order
    (group position, then modifier position).
    """

    menu_item_id: int
    variation_id: int
    name: str
    variation_name: str
    sku: str
    category_name: str
    station: str
    unit_price: int
    modifiers: list[dict[str, Any]] = field(default_factory=list)
    modifiers_total: int = 0


@dataclass(slots=True)
class _Item:
    id: int
    name: str
    station: str
    is_available: bool
    category_name: str
    variations: dict[int, tuple[str, str, int, bool]] = field(default_factory=dict)


@dataclass(slots=True)
class _Group:
    id: int
    name: str
    min_choices: int
    max_choices: int


@dataclass(slots=True)
class _Offer:
    """One modifier an item offers, with its group and sort key."""

    group_id: int
    name: str
    price_delta: int
    is_available: bool
    sort_key: tuple[int, int, int, int]


async def resolve_lines(
    session: AsyncSession, restaurant_id: int, choices: Sequence[LineChoice]
) -> list[ResolvedLine]:
    """Validate and price ``choices`` against the restaurant's current menu.

    Returns one :class:`ResolvedLine` per choice, in the same order. Costs two queries
    (items with their category and variations; offered modifier groups with their
    modifiers), plus one more only when a modifier is not offered, to tell an unknown
    modifier from one the item does not offer.

    Raises :class:`~brigade.errors.NotFound` (an item, variation or modifier that is not
    in this restaurant, or a variation of another item), :class:`ItemUnavailable`
    (409: the item, variation or a modifier is 86'd, or the item has no variation to
    price it), :class:`VariationRequired` (422: the item has several variations and
    none was chosen) and :class:`ModifierChoiceInvalid` (422: a modifier chosen twice,
    not offered by the item, or a group's min/max choices broken).
    """
    if not choices:
        return []
    item_ids = {c.menu_item_id for c in choices}

    item_rows = await session.execute(
        select(
            MenuItem.id,
            MenuItem.name,
            MenuItem.station,
            MenuItem.is_available,
            Category.name.label("category_name"),
            Variation.id.label("variation_id"),
            Variation.name.label("variation_name"),
            Variation.sku,
            Variation.price,
            Variation.is_available.label("variation_available"),
        )
        .select_from(MenuItem)
        .join(Category, Category.id == MenuItem.category_id)
        .outerjoin(
            Variation,
            (Variation.item_id == MenuItem.id) & (Variation.restaurant_id == restaurant_id),
        )
        .where(MenuItem.restaurant_id == restaurant_id, MenuItem.id.in_(item_ids))
    )
    items: dict[int, _Item] = {}
    for row in item_rows:
        item = items.get(row.id)
        if item is None:
            item = items[row.id] = _Item(
                row.id, row.name, row.station, row.is_available, row.category_name
            )
        if row.variation_id is not None:
            item.variations[row.variation_id] = (
                row.variation_name,
                row.sku,
                row.price,
                row.variation_available,
            )
    missing = item_ids - items.keys()
    if missing:
        raise NotFound(f"menu item {min(missing)} not found")

    offer_rows = await session.execute(
        select(
            ItemModifierGroup.item_id,
            ItemModifierGroup.position.label("link_position"),
            ModifierGroup.id.label("group_id"),
            ModifierGroup.name.label("group_name"),
            ModifierGroup.min_choices,
            ModifierGroup.max_choices,
            ModifierGroup.position.label("group_position"),
            Modifier.id.label("modifier_id"),
            Modifier.name.label("modifier_name"),
            Modifier.price_delta,
            Modifier.is_available,
            Modifier.position.label("modifier_position"),
        )
        .select_from(ItemModifierGroup)
        .join(ModifierGroup, ModifierGroup.id == ItemModifierGroup.group_id)
        .outerjoin(Modifier, Modifier.group_id == ModifierGroup.id)
        .where(
            ItemModifierGroup.restaurant_id == restaurant_id,
            ItemModifierGroup.item_id.in_(item_ids),
        )
    )
    groups_of: dict[int, dict[int, _Group]] = {}
    offers_of: dict[int, dict[int, _Offer]] = {}
    for o in offer_rows:
        groups_of.setdefault(o.item_id, {})[o.group_id] = _Group(
            o.group_id, o.group_name, o.min_choices, o.max_choices
        )
        if o.modifier_id is not None:
            offers_of.setdefault(o.item_id, {})[o.modifier_id] = _Offer(
                o.group_id,
                o.modifier_name,
                o.price_delta,
                o.is_available,
                (o.link_position, o.group_position, o.modifier_position, o.modifier_id),
            )

    resolved: list[ResolvedLine] = []
    for choice in choices:
        item = items[choice.menu_item_id]
        if not item.is_available:
            raise ItemUnavailable(f"{item.name!r} is 86'd", menu_item_id=item.id)
        variation_id = _pick_variation(item, choice.variation_id)
        variation_name, sku, price, _ = item.variations[variation_id]
        chosen = await _check_modifiers(
            session,
            restaurant_id,
            item,
            choice.modifier_ids,
            groups_of.get(item.id, {}),
            offers_of.get(item.id, {}),
        )
        modifiers = [{"id": mid, "name": o.name, "price_delta": o.price_delta} for mid, o in chosen]
        resolved.append(
            ResolvedLine(
                menu_item_id=item.id,
                variation_id=variation_id,
                name=item.name,
                variation_name=variation_name,
                sku=sku,
                category_name=item.category_name,
                station=item.station,
                unit_price=price,
                modifiers=modifiers,
                modifiers_total=sum(o.price_delta for _, o in chosen),
            )
        )
    return resolved


def _pick_variation(item: _Item, variation_id: int | None) -> int:
    """The variation to price ``item`` with; raises as :func:`resolve_lines` says."""
    if variation_id is None:
        if not item.variations:
            raise ItemUnavailable(f"{item.name!r} has no price yet", menu_item_id=item.id)
        if len(item.variations) > 1:
            raise VariationRequired(
                f"{item.name!r} comes in {len(item.variations)} variations; choose one",
                menu_item_id=item.id,
            )
        variation_id = next(iter(item.variations))
    variation = item.variations.get(variation_id)
    if variation is None:
        raise NotFound(f"variation {variation_id} of menu item {item.id} not found")
    if not variation[3]:
        raise ItemUnavailable(
            f"{item.name!r} ({variation[0]}) is 86'd",
            menu_item_id=item.id,
            variation_id=variation_id,
        )
    return variation_id


async def _check_modifiers(
    session: AsyncSession,
    restaurant_id: int,
    item: _Item,
    modifier_ids: Sequence[int],
    groups: dict[int, _Group],
    offers: dict[int, _Offer],
) -> list[tuple[int, _Offer]]:
    """The chosen modifiers of one line, validated, in menu order."""
    if len(set(modifier_ids)) != len(modifier_ids):
        raise ModifierChoiceInvalid("a modifier is chosen more than once", menu_item_id=item.id)
    not_offered = [mid for mid in modifier_ids if mid not in offers]
    if not_offered:
        known = await session.scalar(
            select(Modifier.id).where(
                Modifier.restaurant_id == restaurant_id, Modifier.id.in_(not_offered)
            )
        )
        if known is None:
            raise NotFound(f"modifier {not_offered[0]} not found")
        raise ModifierChoiceInvalid(
            f"{item.name!r} does not offer modifier {known}", menu_item_id=item.id
        )
    counts = dict.fromkeys(groups, 0)
    for mid in modifier_ids:
        offer = offers[mid]
        if not offer.is_available:
            raise ItemUnavailable(
                f"modifier {offer.name!r} is 86'd", menu_item_id=item.id, modifier_id=mid
            )
        counts[offer.group_id] += 1
    for group_id, count in counts.items():
        group = groups[group_id]
        if not group.min_choices <= count <= group.max_choices:
            raise ModifierChoiceInvalid(
                f"{group.name!r} needs {group.min_choices} to {group.max_choices} "
                f"choices, got {count}",
                menu_item_id=item.id,
                modifier_group_id=group_id,
            )
    return sorted(((mid, offers[mid]) for mid in modifier_ids), key=lambda p: p[1].sort_key)
