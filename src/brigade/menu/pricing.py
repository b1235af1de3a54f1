"""Pricing order lines against the menu: the menu context's API for orders.

:func:`resolve_lines` turns the choices of order lines (:class:`LineChoice`) into
priced, validated snapshots (:class:`ResolvedLine`) in one query (two when modifiers are
involved), whatever the number of lines; with the process's menu cache it prices them
from a :class:`MenuSnapshot` of the whole menu instead (:func:`cached_menu_snapshot`).
Hot path: Core selects built once on the tables, run straight on the driver
(:class:`brigade.infra.prepared.Prepared`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    Table,
    bindparam,
    exists,
    or_,
    select,
)

from brigade.infra.errors import NotFound
from brigade.infra.prepared import Executor, Prepared
from brigade.menu.cache import MenuCache
from brigade.menu.exceptions import (
    ItemUnavailable,
    ModifierChoiceInvalid,
    VariationRequired,
)
from brigade.menu.models import (
    Category,
    ItemModifierGroup,
    MenuItem,
    Modifier,
    ModifierGroup,
    Variation,
)
from brigade.tenancy import owned_by, scoped


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
    is JSON-ready: ``[{"id": int, "name": str, "price_delta": int, "kind": str}]`` (kind:
    :class:`~brigade.menu.kinds.ModifierKind`) in menu order
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
    kind: str = "add"


_menu_items = cast(Table, MenuItem.__table__)
_categories = cast(Table, Category.__table__)
_variations = cast(Table, Variation.__table__)
_groups = cast(Table, ModifierGroup.__table__)
_modifiers = cast(Table, Modifier.__table__)
_item_groups = cast(Table, ItemModifierGroup.__table__)


# The statements of resolve_lines, built once; executed with parameter dicts
# (``restaurant_id``, and ``item_ids`` / ``modifier_ids`` lists).
_R: BindParameter[int] = bindparam("restaurant_id")

#: Whether the item offers a group that zero choices would break (``min_choices > 0``):
#: only then are its groups needed for a line without modifiers.
# ``owned_by(..., indexed=False)`` (``restaurant_id + 0``) below: the condition still
# scopes the row to the restaurant, but no index can serve it, so SQLite's planner
# (which has no statistics) takes the item's own index instead of the restaurant's, which
# visited every variation / modifier link of the restaurant for each line (pizza place,
# 3 lines: 150-250 -> 80-95 us per query).

_GROUPS_NEED_CHOICE = (
    exists()
    .where(
        _item_groups.c.item_id == _menu_items.c.id,
        owned_by(_item_groups, _R, indexed=False),
        _groups.c.id == _item_groups.c.group_id,
        owned_by(_groups, _R, indexed=False),
        or_(_groups.c.min_choices > 0, _groups.c.max_choices < 0),
    )
    .label("groups_need_choice")
)

# _RESOLVE_ITEMS and _RESOLVE_OFFERS run on every order line write: straight on the
# driver (brigade.infra.prepared; compiled once per number of item ids). A database error
# there is a bug (500), never an answer.
_ITEMS_OF_MENU = (
    select(
        _menu_items.c.id,
        _menu_items.c.name,
        _menu_items.c.station,
        _menu_items.c.is_available,
        _categories.c.name.label("category_name"),
        _variations.c.id.label("variation_id"),
        _variations.c.name.label("variation_name"),
        _variations.c.sku,
        _variations.c.price,
        _variations.c.is_available.label("variation_available"),
        _GROUPS_NEED_CHOICE,
    )
    .select_from(
        _menu_items.join(
            _categories,
            (_categories.c.id == _menu_items.c.category_id)
            & owned_by(_categories, _R, indexed=False),
        ).outerjoin(
            _variations,
            (_variations.c.item_id == _menu_items.c.id) & owned_by(_variations, _R, indexed=False),
        )
    )
    .where(owned_by(_menu_items, _R))
)
_RESOLVE_ITEMS = Prepared(
    _ITEMS_OF_MENU.where(_menu_items.c.id.in_(bindparam("item_ids", expanding=True)))
)
#: The whole menu at once, for a :class:`MenuSnapshot`.
_SNAPSHOT_ITEMS = Prepared(_ITEMS_OF_MENU)

_OFFERS_OF_MENU = (
    select(
        _item_groups.c.item_id,
        _item_groups.c.position.label("link_position"),
        _groups.c.id.label("group_id"),
        _groups.c.name.label("group_name"),
        _groups.c.min_choices,
        _groups.c.max_choices,
        _groups.c.position.label("group_position"),
        _modifiers.c.id.label("modifier_id"),
        _modifiers.c.name.label("modifier_name"),
        _modifiers.c.price_delta,
        _modifiers.c.is_available,
        _modifiers.c.position.label("modifier_position"),
        _modifiers.c.kind.label("modifier_kind"),
    )
    .select_from(
        _item_groups.join(
            _groups,
            (_groups.c.id == _item_groups.c.group_id) & owned_by(_groups, _R, indexed=False),
        ).outerjoin(
            _modifiers,
            (_modifiers.c.group_id == _groups.c.id) & owned_by(_modifiers, _R, indexed=False),
        )
    )
    .where(owned_by(_item_groups, _R, indexed=False))
)
_RESOLVE_OFFERS = Prepared(
    _OFFERS_OF_MENU.where(_item_groups.c.item_id.in_(bindparam("item_ids", expanding=True)))
)
_SNAPSHOT_OFFERS = Prepared(_OFFERS_OF_MENU)

_KNOWN_MODIFIER = Prepared(
    scoped(select(_modifiers.c.id), _R).where(
        _modifiers.c.id.in_(bindparam("modifier_ids", expanding=True))
    )
)


@dataclass(slots=True)
class MenuSnapshot:
    """What pricing a line needs of a restaurant's menu, read at once: its items with
    their category and variations, and the modifier groups and modifiers each item
    offers (:func:`menu_snapshot`). Kept per process in the menu cache
    (:func:`cached_menu_snapshot`) and dropped with the menu document."""

    items: dict[int, _Item]
    groups_of: dict[int, dict[int, _Group]]
    offers_of: dict[int, dict[int, _Offer]]


def _items_from(rows: Sequence[Any]) -> tuple[dict[int, _Item], set[int]]:
    """Items from ``_ITEMS_OF_MENU`` rows, and the ids of those whose groups a line
    without modifiers must still satisfy."""
    items: dict[int, _Item] = {}
    need_offers: set[int] = set()
    for (
        iid,
        name,
        station,
        is_available,
        category_name,
        variation_id,
        variation_name,
        sku,
        price,
        variation_available,
        groups_need_choice,
    ) in rows:
        item = items.get(iid)
        if item is None:
            item = items[iid] = _Item(iid, name, station, is_available, category_name)
            if groups_need_choice:
                need_offers.add(iid)
        if variation_id is not None:
            item.variations[variation_id] = (variation_name, sku, price, variation_available)
    return items, need_offers


def _offers_from(
    rows: Sequence[Any],
) -> tuple[dict[int, dict[int, _Group]], dict[int, dict[int, _Offer]]]:
    """The groups and modifiers each item offers, from ``_OFFERS_OF_MENU`` rows."""
    groups_of: dict[int, dict[int, _Group]] = {}
    offers_of: dict[int, dict[int, _Offer]] = {}
    for (
        item_id,
        link_position,
        group_id,
        group_name,
        min_choices,
        max_choices,
        group_position,
        modifier_id,
        modifier_name,
        price_delta,
        modifier_available,
        modifier_position,
        modifier_kind,
    ) in rows:
        groups_of.setdefault(item_id, {})[group_id] = _Group(
            group_id, group_name, min_choices, max_choices
        )
        if modifier_id is not None:
            offers_of.setdefault(item_id, {})[modifier_id] = _Offer(
                group_id,
                modifier_name,
                price_delta,
                modifier_available,
                (link_position, group_position, modifier_position, modifier_id),
                modifier_kind or "add",
            )
    return groups_of, offers_of


async def menu_snapshot(session: Executor, restaurant_id: int) -> MenuSnapshot:
    """The restaurant's :class:`MenuSnapshot`, read now (two queries)."""
    params = {"restaurant_id": restaurant_id}
    items, _ = _items_from(await _SNAPSHOT_ITEMS.fetchall(session, params))
    groups_of, offers_of = _offers_from(await _SNAPSHOT_OFFERS.fetchall(session, params))
    return MenuSnapshot(items, groups_of, offers_of)


async def cached_menu_snapshot(
    session: Executor, cache: MenuCache, restaurant_id: int
) -> MenuSnapshot:
    """The restaurant's :class:`MenuSnapshot` from ``cache`` (the process's menu cache),
    read and remembered there when absent. It is dropped with the menu document: at once
    when a ``menu.*``, ``restaurant.*`` or ``import.*`` event of the restaurant passes on
    this process's bus, after the cache's ``ttl`` (5 s) for a change made by another
    worker process."""
    snapshot = cache.snapshot(restaurant_id)
    if isinstance(snapshot, MenuSnapshot):
        return snapshot
    generation = cache.generation(restaurant_id)
    snapshot = await menu_snapshot(session, restaurant_id)
    cache.put_snapshot(restaurant_id, snapshot, generation)
    return snapshot


async def resolve_lines(
    session: Executor,
    restaurant_id: int,
    choices: Sequence[LineChoice],
    *,
    menus: MenuCache | None = None,
) -> list[ResolvedLine]:
    """Validate and price ``choices`` against the restaurant's current menu.

    Returns one :class:`ResolvedLine` per choice, in the same order. Costs one query
    (items with their category and variations, and whether each item has a modifier group
    that zero choices would break) plus, only when a modifier was chosen or such a group
    exists, a second one (the offered modifier groups with their modifiers), plus one
    more only when a modifier is not offered, to tell an unknown modifier from one the
    item does not offer. With ``menus`` (the process's menu cache, as order placement
    passes it) the menu comes from its :class:`MenuSnapshot` instead
    (:func:`cached_menu_snapshot`: no query while it is cached); an item the snapshot
    does not know is looked up with the queries.

    Raises :class:`~brigade.infra.errors.NotFound` (an item, variation or modifier that is not
    in this restaurant, or a variation of another item), :class:`ItemUnavailable`
    (409: the item, variation or a modifier is 86'd, or the item has no variation to
    price it), :class:`VariationRequired` (422: the item has several variations and
    none was chosen) and :class:`ModifierChoiceInvalid` (422: a modifier chosen twice,
    not offered by the item, or a group's min/max choices broken).
    """
    if not choices:
        return []
    item_ids = {c.menu_item_id for c in choices}
    snapshot = None
    if menus is not None:
        snapshot = await cached_menu_snapshot(session, menus, restaurant_id)
        if not _knows(snapshot, choices):
            snapshot = None  # an item, size or modifier newer than the snapshot: ask
    if snapshot is not None:
        items, groups_of, offers_of = snapshot.items, snapshot.groups_of, snapshot.offers_of
    else:
        params = {"restaurant_id": restaurant_id, "item_ids": list(item_ids)}
        items, need_offers = _items_from(await _RESOLVE_ITEMS.fetchall(session, params))
        missing = item_ids - items.keys()
        if missing:
            raise NotFound(f"menu item {min(missing)} not found")
        need_offers |= {c.menu_item_id for c in choices if c.modifier_ids}
        groups_of, offers_of = {}, {}
        if need_offers:
            params["item_ids"] = list(need_offers)
            groups_of, offers_of = _offers_from(await _RESOLVE_OFFERS.fetchall(session, params))

    resolved: list[ResolvedLine] = []
    for choice in choices:
        item = items[choice.menu_item_id]
        if not item.is_available:
            raise ItemUnavailable(f"{item.name!r} is 86'd", menu_item_id=item.id)
        variation_id = _pick_variation(item, choice.variation_id)
        variation_name, sku, price, _ = item.variations[variation_id]
        if choice.modifier_ids or item.id in groups_of:
            chosen = await _check_modifiers(
                session,
                restaurant_id,
                item,
                choice.modifier_ids,
                groups_of.get(item.id, {}),
                offers_of.get(item.id, {}),
            )
            modifiers = [
                {"id": mid, "name": o.name, "price_delta": o.price_delta, "kind": o.kind}
                for mid, o in chosen
            ]
            modifiers_total = sum(o.price_delta for _, o in chosen)
        else:
            modifiers, modifiers_total = [], 0
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
                modifiers_total=modifiers_total,
            )
        )
    return resolved


def _knows(snapshot: MenuSnapshot, choices: Sequence[LineChoice]) -> bool:
    """Whether every item, variation and modifier of ``choices`` is in ``snapshot``."""
    for choice in choices:
        item = snapshot.items.get(choice.menu_item_id)
        if item is None:
            return False
        if choice.variation_id is not None and choice.variation_id not in item.variations:
            return False
        offers = snapshot.offers_of.get(item.id, {})
        if any(mid not in offers for mid in choice.modifier_ids):
            return False
    return True


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
    session: Executor,
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
        known = await _KNOWN_MODIFIER.scalar(
            session, {"restaurant_id": restaurant_id, "modifier_ids": not_offered}
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
