"""Rules of the menu context.

Cross-context API (for orders): :func:`resolve_lines` turns the choices of order lines
into priced, validated snapshots in one query (two when modifiers are involved),
whatever the number of lines.

Admin CRUD (categories, items, variations, modifier groups, 86) takes the caller's
:class:`~brigade.auth.dependencies.Access` (permission already checked by the route),
scopes every query by ``access.restaurant_id`` (another restaurant's record is a
:class:`~brigade.errors.NotFound`) and records ``menu.updated`` (or
``menu.item.availability``) with data ``{"entity", "action", "id", <entity>: XRead}``.

:func:`menu_bytes` serves the whole menu document from :mod:`brigade.menu.cache`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from pydantic import BaseModel
from sqlalchemy import (
    BindParameter,
    Integer,
    Table,
    bindparam,
    delete,
    exists,
    insert,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.db import Base, utcnow
from brigade.errors import InvalidInput, NotFound
from brigade.events.outbox import record
from brigade.integrity import unique_constraint, unique_guard
from brigade.menu.cache import MenuCache
from brigade.menu.exceptions import (
    CategoryNotEmpty,
    ItemUnavailable,
    ModifierChoiceInvalid,
    ModifierGroupRangeInvalid,
    SkuTaken,
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
from brigade.menu.schemas import (
    CategoryCreate,
    CategoryList,
    CategoryRead,
    CategoryUpdate,
    MenuEntry,
    MenuItemCreate,
    MenuItemList,
    MenuItemRead,
    MenuItemUpdate,
    MenuModifier,
    MenuModifierGroup,
    MenuRead,
    MenuSection,
    MenuVariation,
    ModifierGroupCreate,
    ModifierGroupList,
    ModifierGroupRead,
    ModifierGroupUpdate,
    ModifierRead,
    VariationCreate,
    VariationList,
    VariationRead,
    VariationUpdate,
)
from brigade.prepared import Executor, Prepared
from brigade.restaurants.models import Restaurant

if TYPE_CHECKING:
    from brigade.auth.dependencies import Access

_M = TypeVar("_M", bound=Base)

# --------------------------------------------------------------------------------------
# Resolving order lines (hot path: Core selects built once, one or two round trips)
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


_menu_items = cast(Table, MenuItem.__table__)
_categories = cast(Table, Category.__table__)
_variations = cast(Table, Variation.__table__)
_groups = cast(Table, ModifierGroup.__table__)
_modifiers = cast(Table, Modifier.__table__)
_item_groups = cast(Table, ItemModifierGroup.__table__)

#: One SKU per restaurant (checked first; the constraint settles a race, see
#: :func:`brigade.integrity.unique_guard`).
_SKU_UNIQUE = unique_constraint(_variations, "uq_menu_variations_restaurant_id_sku")

# The statements of resolve_lines, built once; executed with parameter dicts
# (``restaurant_id``, and ``item_ids`` / ``modifier_ids`` lists).
_R: BindParameter[int] = bindparam("restaurant_id")

#: Whether the item offers a group that zero choices would break (``min_choices > 0``):
#: only then are its groups needed for a line without modifiers.
# ``restaurant_id + 0`` below: the condition still scopes the row to the restaurant, but
# no index can serve it, so SQLite's planner (which has no statistics) takes the item's
# own index instead of the restaurant's, which visited every variation / modifier link
# of the restaurant for each line (pizza place, 3 lines: 150-250 -> 80-95 us per query).
_UNINDEXED = literal_column("0", Integer())

_GROUPS_NEED_CHOICE = (
    exists()
    .where(
        _item_groups.c.item_id == _menu_items.c.id,
        _item_groups.c.restaurant_id + _UNINDEXED == _R,
        _groups.c.id == _item_groups.c.group_id,
        or_(_groups.c.min_choices > 0, _groups.c.max_choices < 0),
    )
    .label("groups_need_choice")
)

# _RESOLVE_ITEMS and _RESOLVE_OFFERS run on every order line write: straight on the
# driver (brigade.prepared; compiled once per number of item ids). A database error
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
        _menu_items.join(_categories, _categories.c.id == _menu_items.c.category_id).outerjoin(
            _variations,
            (_variations.c.item_id == _menu_items.c.id)
            & (_variations.c.restaurant_id + _UNINDEXED == _R),
        )
    )
    .where(_menu_items.c.restaurant_id == _R)
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
    )
    .select_from(
        _item_groups.join(_groups, _groups.c.id == _item_groups.c.group_id).outerjoin(
            _modifiers, _modifiers.c.group_id == _groups.c.id
        )
    )
    .where(_item_groups.c.restaurant_id + _UNINDEXED == _R)
)
_RESOLVE_OFFERS = Prepared(
    _OFFERS_OF_MENU.where(_item_groups.c.item_id.in_(bindparam("item_ids", expanding=True)))
)
_SNAPSHOT_OFFERS = Prepared(_OFFERS_OF_MENU)

_KNOWN_MODIFIER = Prepared(
    select(_modifiers.c.id).where(
        _modifiers.c.restaurant_id == _R,
        _modifiers.c.id.in_(bindparam("modifier_ids", expanding=True)),
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
    item does not offer. With ``menus`` (the process's menu cache, order placement's
    fast path) the menu comes from its :class:`MenuSnapshot` instead
    (:func:`cached_menu_snapshot`: no query while it is cached); an item the snapshot
    does not know is looked up with the queries.

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
                {"id": mid, "name": o.name, "price_delta": o.price_delta} for mid, o in chosen
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


# --------------------------------------------------------------------------------------
# The whole menu (one document, cached as bytes)
# --------------------------------------------------------------------------------------


async def build_menu(session: AsyncSession, restaurant_id: int) -> MenuRead:
    """The restaurant's whole menu: categories → items → variations and modifier groups →
    modifiers, each level in ``position`` order (then id). Five Core selects.

    Raises :class:`~brigade.errors.NotFound` when the restaurant does not exist.
    """
    currency = await session.scalar(
        select(Restaurant.currency).where(Restaurant.id == restaurant_id)
    )
    if currency is None:
        raise NotFound("restaurant not found")
    categories = await session.execute(
        select(Category.id, Category.name, Category.position)
        .where(Category.restaurant_id == restaurant_id)
        .order_by(Category.position, Category.id)
    )
    items = await session.execute(
        select(
            MenuItem.id,
            MenuItem.category_id,
            MenuItem.name,
            MenuItem.description,
            MenuItem.ingredients,
            MenuItem.station,
            MenuItem.is_available,
            MenuItem.position,
        )
        .where(MenuItem.restaurant_id == restaurant_id)
        .order_by(MenuItem.position, MenuItem.id)
    )
    variations = await session.execute(
        select(
            Variation.id,
            Variation.item_id,
            Variation.name,
            Variation.sku,
            Variation.price,
            Variation.is_available,
        )
        .where(Variation.restaurant_id == restaurant_id)
        .order_by(Variation.position, Variation.id)
    )
    offers = await session.execute(
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
        )
        .select_from(ItemModifierGroup)
        .join(ModifierGroup, ModifierGroup.id == ItemModifierGroup.group_id)
        .outerjoin(Modifier, Modifier.group_id == ModifierGroup.id)
        .where(ItemModifierGroup.restaurant_id == restaurant_id)
        .order_by(
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


# --------------------------------------------------------------------------------------
# Admin CRUD (ORM)
# --------------------------------------------------------------------------------------


async def _menu_event(
    session: AsyncSession,
    restaurant_id: int,
    entity: str,
    action: str,
    entity_id: int,
    data: BaseModel,
    *,
    type: str = "menu.updated",  # noqa: A002 - the event type
) -> None:
    await record(
        session,
        restaurant_id,
        type,
        {"entity": entity, "action": action, "id": entity_id, entity: data.model_dump(mode="json")},
    )


async def _get(
    session: AsyncSession, model: type[_M], restaurant_id: int, entity_id: int, label: str
) -> _M:
    """The ``model`` row ``entity_id`` of the restaurant, or :class:`NotFound`."""
    result = await session.execute(
        select(model).where(
            model.id == entity_id,  # type: ignore[attr-defined]
            model.restaurant_id == restaurant_id,  # type: ignore[attr-defined]
        )
    )
    row: _M | None = result.scalar_one_or_none()
    if row is None:
        raise NotFound(f"{label} {entity_id} not found")
    return row


# --- categories -------------------------------------------------------------------------


async def list_categories(session: AsyncSession, access: Access) -> CategoryList:
    """The restaurant's categories by position, then id."""
    rows = (
        await session.scalars(
            select(Category)
            .where(Category.restaurant_id == access.restaurant_id)
            .order_by(Category.position, Category.id)
        )
    ).all()
    return CategoryList(items=[CategoryRead.model_validate(r) for r in rows], total=len(rows))


async def get_category(session: AsyncSession, access: Access, category_id: int) -> CategoryRead:
    """One category; raises :class:`NotFound`."""
    row = await _get(session, Category, access.restaurant_id, category_id, "category")
    return CategoryRead.model_validate(row)


async def create_category(
    session: AsyncSession, access: Access, body: CategoryCreate
) -> CategoryRead:
    """Create a category; event ``menu.updated``."""
    row = Category(restaurant_id=access.restaurant_id, name=body.name, position=body.position)
    session.add(row)
    await session.flush()
    read = CategoryRead.model_validate(row)
    await _menu_event(session, access.restaurant_id, "category", "created", row.id, read)
    return read


async def update_category(
    session: AsyncSession, access: Access, category_id: int, body: CategoryUpdate
) -> CategoryRead:
    """Change a category; raises :class:`NotFound`; event ``menu.updated``."""
    row = await _get(session, Category, access.restaurant_id, category_id, "category")
    for key, value in body.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(row, key, value)
    await session.flush()
    read = CategoryRead.model_validate(row)
    await _menu_event(session, access.restaurant_id, "category", "updated", row.id, read)
    return read


async def delete_category(session: AsyncSession, access: Access, category_id: int) -> None:
    """Delete an empty category; raises :class:`NotFound` and :class:`CategoryNotEmpty`
    (409, it still holds items); event ``menu.updated``."""
    row = await _get(session, Category, access.restaurant_id, category_id, "category")
    has_items = await session.scalar(
        select(MenuItem.id)
        .where(MenuItem.restaurant_id == access.restaurant_id, MenuItem.category_id == row.id)
        .limit(1)
    )
    if has_items is not None:
        raise CategoryNotEmpty(f"category {row.name!r} still has items; move or delete them")
    read = CategoryRead.model_validate(row)
    await session.delete(row)
    await session.flush()
    await _menu_event(session, access.restaurant_id, "category", "deleted", read.id, read)


# --- items ------------------------------------------------------------------------------


async def _item_reads(
    session: AsyncSession, restaurant_id: int, items: Sequence[MenuItem]
) -> list[MenuItemRead]:
    """Reads of ``items`` with their variations and group ids (two more selects)."""
    ids = [i.id for i in items]
    variations: dict[int, list[VariationRead]] = {i: [] for i in ids}
    groups: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        for v in await session.scalars(
            select(Variation)
            .where(Variation.restaurant_id == restaurant_id, Variation.item_id.in_(ids))
            .order_by(Variation.position, Variation.id)
        ):
            variations[v.item_id].append(VariationRead.model_validate(v))
        links = await session.execute(
            select(ItemModifierGroup.item_id, ItemModifierGroup.group_id)
            .where(
                ItemModifierGroup.restaurant_id == restaurant_id,
                ItemModifierGroup.item_id.in_(ids),
            )
            .order_by(ItemModifierGroup.position, ItemModifierGroup.group_id)
        )
        for link in links:
            groups[link.item_id].append(link.group_id)
    return [
        MenuItemRead(
            id=i.id,
            category_id=i.category_id,
            name=i.name,
            description=i.description,
            ingredients=list(i.ingredients or []),
            station=i.station,
            is_available=i.is_available,
            position=i.position,
            variations=variations[i.id],
            modifier_group_ids=groups[i.id],
        )
        for i in items
    ]


async def _item_read(session: AsyncSession, restaurant_id: int, item: MenuItem) -> MenuItemRead:
    (read,) = await _item_reads(session, restaurant_id, [item])
    return read


async def _check_category(session: AsyncSession, restaurant_id: int, category_id: int) -> None:
    await _get(session, Category, restaurant_id, category_id, "category")


async def _check_skus(
    session: AsyncSession, restaurant_id: int, skus: Sequence[str], *, except_id: int | None = None
) -> None:
    """Raise :class:`SkuTaken` if a SKU repeats in ``skus`` or another variation has it."""
    if len(set(skus)) != len(skus):
        raise SkuTaken("the same SKU is given twice")
    query = select(Variation.sku).where(
        Variation.restaurant_id == restaurant_id, Variation.sku.in_(skus)
    )
    if except_id is not None:
        query = query.where(Variation.id != except_id)
    taken = await session.scalar(query.limit(1))
    if taken is not None:
        raise SkuTaken(f"SKU {taken!r} is taken", sku=taken)


def _sku_race(skus: Sequence[str]) -> Callable[[], SkuTaken]:
    """The :class:`SkuTaken` to raise when another request took one of ``skus`` between
    :func:`_check_skus` and the write."""

    def error() -> SkuTaken:
        if len(skus) == 1:
            return SkuTaken(f"SKU {skus[0]!r} is taken", sku=skus[0])
        return SkuTaken("one of these SKUs is taken", skus=list(skus))

    return error


async def list_items(
    session: AsyncSession, access: Access, category_id: int | None = None
) -> MenuItemList:
    """The restaurant's items (of ``category_id`` when given) by position, then id."""
    query = select(MenuItem).where(MenuItem.restaurant_id == access.restaurant_id)
    if category_id is not None:
        query = query.where(MenuItem.category_id == category_id)
    rows = (await session.scalars(query.order_by(MenuItem.position, MenuItem.id))).all()
    reads = await _item_reads(session, access.restaurant_id, rows)
    return MenuItemList(items=reads, total=len(reads))


async def get_item(session: AsyncSession, access: Access, item_id: int) -> MenuItemRead:
    """One item with its variations and group ids; raises :class:`NotFound`."""
    row = await _get(session, MenuItem, access.restaurant_id, item_id, "menu item")
    return await _item_read(session, access.restaurant_id, row)


async def create_item(session: AsyncSession, access: Access, body: MenuItemCreate) -> MenuItemRead:
    """Create an item and its variations; event ``menu.updated``.

    Raises :class:`NotFound` (unknown category) and :class:`SkuTaken` (409, also when a
    concurrent request takes a SKU first: the item and its variations are rolled back to
    their savepoint and the transaction goes on).
    """
    rid = access.restaurant_id
    await _check_category(session, rid, body.category_id)
    if body.variations:
        await _check_skus(session, rid, [v.sku for v in body.variations])
    item = MenuItem(
        restaurant_id=rid,
        category_id=body.category_id,
        name=body.name,
        description=body.description,
        ingredients=body.ingredients,
        station=body.station,
        is_available=body.is_available,
        position=body.position,
        updated_at=utcnow(),
    )
    async with unique_guard(session, _SKU_UNIQUE, _sku_race([v.sku for v in body.variations])):
        session.add(item)
        await session.flush()
        session.add_all(
            Variation(restaurant_id=rid, item_id=item.id, **v.model_dump()) for v in body.variations
        )
        await session.flush()
    read = await _item_read(session, rid, item)
    await _menu_event(session, rid, "item", "created", item.id, read)
    return read


async def update_item(
    session: AsyncSession, access: Access, item_id: int, body: MenuItemUpdate
) -> MenuItemRead:
    """Change an item; raises :class:`NotFound` (item or new category); event
    ``menu.updated`` (``menu.item.availability`` too when ``is_available`` changes)."""
    rid = access.restaurant_id
    item = await _get(session, MenuItem, rid, item_id, "menu item")
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    if "category_id" in changes:
        await _check_category(session, rid, changes["category_id"])
    availability_changed = changes.get("is_available", item.is_available) != item.is_available
    for key, value in changes.items():
        setattr(item, key, value)
    item.updated_at = utcnow()
    await session.flush()
    read = await _item_read(session, rid, item)
    await _menu_event(session, rid, "item", "updated", item.id, read)
    if availability_changed:
        await _availability_event(session, rid, read)
    return read


async def delete_item(session: AsyncSession, access: Access, item_id: int) -> None:
    """Delete an item with its variations and group links (orders keep their snapshots);
    raises :class:`NotFound`; event ``menu.updated``."""
    rid = access.restaurant_id
    item = await _get(session, MenuItem, rid, item_id, "menu item")
    read = await _item_read(session, rid, item)
    await session.execute(
        delete(ItemModifierGroup).where(
            ItemModifierGroup.restaurant_id == rid, ItemModifierGroup.item_id == item.id
        )
    )
    await session.execute(
        delete(Variation).where(Variation.restaurant_id == rid, Variation.item_id == item.id)
    )
    await session.delete(item)
    await session.flush()
    await _menu_event(session, rid, "item", "deleted", read.id, read)


async def _availability_event(
    session: AsyncSession, restaurant_id: int, read: MenuItemRead
) -> None:
    await record(
        session,
        restaurant_id,
        "menu.item.availability",
        {
            "menu_item_id": read.id,
            "name": read.name,
            "is_available": read.is_available,
            "item": read.model_dump(mode="json"),
        },
    )


async def set_item_availability(
    session: AsyncSession, access: Access, item_id: int, is_available: bool
) -> MenuItemRead:
    """86 (``False``) or un-86 (``True``) an item; raises :class:`NotFound`; event
    ``menu.item.availability`` (data: ``menu_item_id``, ``name``, ``is_available``,
    ``item``), only when it changes."""
    rid = access.restaurant_id
    item = await _get(session, MenuItem, rid, item_id, "menu item")
    changed = item.is_available != is_available
    if changed:
        item.is_available = is_available
        item.updated_at = utcnow()
        await session.flush()
    read = await _item_read(session, rid, item)
    if changed:
        await _availability_event(session, rid, read)
    return read


async def set_item_modifier_groups(
    session: AsyncSession, access: Access, item_id: int, group_ids: Sequence[int]
) -> MenuItemRead:
    """Make the item offer exactly ``group_ids``, in that order (repeats ignored).

    Raises :class:`NotFound` (item or a group not in this restaurant); event
    ``menu.updated``.
    """
    rid = access.restaurant_id
    item = await _get(session, MenuItem, rid, item_id, "menu item")
    wanted = list(dict.fromkeys(group_ids))
    if wanted:
        found = set(
            await session.scalars(
                select(ModifierGroup.id).where(
                    ModifierGroup.restaurant_id == rid, ModifierGroup.id.in_(wanted)
                )
            )
        )
        missing = [g for g in wanted if g not in found]
        if missing:
            raise NotFound(f"modifier group {missing[0]} not found")
    await session.execute(
        delete(ItemModifierGroup).where(
            ItemModifierGroup.restaurant_id == rid, ItemModifierGroup.item_id == item.id
        )
    )
    if wanted:
        await session.execute(
            insert(ItemModifierGroup),
            [
                {"item_id": item.id, "group_id": g, "restaurant_id": rid, "position": n}
                for n, g in enumerate(wanted)
            ],
        )
    item.updated_at = utcnow()
    await session.flush()
    read = await _item_read(session, rid, item)
    await _menu_event(session, rid, "item", "updated", item.id, read)
    return read


# --- variations -------------------------------------------------------------------------


async def list_variations(session: AsyncSession, access: Access, item_id: int) -> VariationList:
    """The item's variations by position; raises :class:`NotFound`."""
    read = await get_item(session, access, item_id)
    return VariationList(items=read.variations, total=len(read.variations))


async def _get_variation(
    session: AsyncSession, restaurant_id: int, item_id: int, variation_id: int
) -> Variation:
    row = await session.scalar(
        select(Variation).where(
            Variation.restaurant_id == restaurant_id,
            Variation.item_id == item_id,
            Variation.id == variation_id,
        )
    )
    if row is None:
        raise NotFound(f"variation {variation_id} of menu item {item_id} not found")
    return row


async def get_variation(
    session: AsyncSession, access: Access, item_id: int, variation_id: int
) -> VariationRead:
    """One variation of the item; raises :class:`NotFound`."""
    row = await _get_variation(session, access.restaurant_id, item_id, variation_id)
    return VariationRead.model_validate(row)


async def create_variation(
    session: AsyncSession, access: Access, item_id: int, body: VariationCreate
) -> VariationRead:
    """Add a variation (size) to an item; raises :class:`NotFound` and
    :class:`SkuTaken` (409, also when a concurrent request takes the SKU first: the
    insert is rolled back to its savepoint and the transaction goes on); event
    ``menu.updated``."""
    rid = access.restaurant_id
    await _get(session, MenuItem, rid, item_id, "menu item")
    await _check_skus(session, rid, [body.sku])
    row = Variation(restaurant_id=rid, item_id=item_id, **body.model_dump())
    async with unique_guard(session, _SKU_UNIQUE, _sku_race([body.sku])):
        session.add(row)
        await session.flush()
    read = VariationRead.model_validate(row)
    await _menu_event(session, rid, "variation", "created", row.id, read)
    return read


async def update_variation(
    session: AsyncSession, access: Access, item_id: int, variation_id: int, body: VariationUpdate
) -> VariationRead:
    """Change a variation; raises :class:`NotFound` and :class:`SkuTaken` (409, also when
    a concurrent request takes the SKU first: the change is rolled back to its savepoint);
    event ``menu.updated``."""
    rid = access.restaurant_id
    row = await _get_variation(session, rid, item_id, variation_id)
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    if "sku" in changes and changes["sku"] != row.sku:
        await _check_skus(session, rid, [changes["sku"]], except_id=row.id)
    async with unique_guard(session, _SKU_UNIQUE, _sku_race([changes.get("sku", row.sku)])):
        for key, value in changes.items():
            setattr(row, key, value)
        await session.flush()
    read = VariationRead.model_validate(row)
    await _menu_event(session, rid, "variation", "updated", row.id, read)
    return read


async def delete_variation(
    session: AsyncSession, access: Access, item_id: int, variation_id: int
) -> None:
    """Delete a variation (orders keep their snapshots); raises :class:`NotFound`; event
    ``menu.updated``."""
    rid = access.restaurant_id
    row = await _get_variation(session, rid, item_id, variation_id)
    read = VariationRead.model_validate(row)
    await session.delete(row)
    await session.flush()
    await _menu_event(session, rid, "variation", "deleted", read.id, read)


# --- modifier groups --------------------------------------------------------------------


def _check_range(min_choices: int, max_choices: int) -> None:
    """Raise :class:`ModifierGroupRangeInvalid` unless ``0 <= min <= max`` and ``max >= 1``."""
    if not (0 <= min_choices <= max_choices and max_choices >= 1):
        raise ModifierGroupRangeInvalid(
            f"min_choices {min_choices} and max_choices {max_choices}: need "
            "0 <= min_choices <= max_choices and max_choices >= 1"
        )


async def _group_reads(
    session: AsyncSession, restaurant_id: int, groups: Sequence[ModifierGroup]
) -> list[ModifierGroupRead]:
    ids = [g.id for g in groups]
    modifiers: dict[int, list[ModifierRead]] = {i: [] for i in ids}
    if ids:
        for m in await session.scalars(
            select(Modifier)
            .where(Modifier.restaurant_id == restaurant_id, Modifier.group_id.in_(ids))
            .order_by(Modifier.position, Modifier.id)
        ):
            modifiers[m.group_id].append(ModifierRead.model_validate(m))
    return [
        ModifierGroupRead(
            id=g.id,
            name=g.name,
            min_choices=g.min_choices,
            max_choices=g.max_choices,
            position=g.position,
            modifiers=modifiers[g.id],
        )
        for g in groups
    ]


async def list_modifier_groups(session: AsyncSession, access: Access) -> ModifierGroupList:
    """The restaurant's modifier groups with their modifiers, by position."""
    rows = (
        await session.scalars(
            select(ModifierGroup)
            .where(ModifierGroup.restaurant_id == access.restaurant_id)
            .order_by(ModifierGroup.position, ModifierGroup.id)
        )
    ).all()
    reads = await _group_reads(session, access.restaurant_id, rows)
    return ModifierGroupList(items=reads, total=len(reads))


async def get_modifier_group(
    session: AsyncSession, access: Access, group_id: int
) -> ModifierGroupRead:
    """One modifier group with its modifiers; raises :class:`NotFound`."""
    row = await _get(session, ModifierGroup, access.restaurant_id, group_id, "modifier group")
    (read,) = await _group_reads(session, access.restaurant_id, [row])
    return read


async def create_modifier_group(
    session: AsyncSession, access: Access, body: ModifierGroupCreate
) -> ModifierGroupRead:
    """Create a group with its modifiers (in the given order); raises
    :class:`ModifierGroupRangeInvalid` (422) and :class:`InvalidInput` (a modifier
    ``id`` given on create); event ``menu.updated``."""
    rid = access.restaurant_id
    _check_range(body.min_choices, body.max_choices)
    if any(m.id is not None for m in body.modifiers):
        raise InvalidInput("new modifiers have no id")
    group = ModifierGroup(
        restaurant_id=rid,
        name=body.name,
        min_choices=body.min_choices,
        max_choices=body.max_choices,
        position=body.position,
    )
    session.add(group)
    await session.flush()
    session.add_all(
        Modifier(
            restaurant_id=rid,
            group_id=group.id,
            name=m.name,
            price_delta=m.price_delta,
            is_available=m.is_available,
            position=n,
        )
        for n, m in enumerate(body.modifiers)
    )
    await session.flush()
    (read,) = await _group_reads(session, rid, [group])
    await _menu_event(session, rid, "modifier_group", "created", group.id, read)
    return read


async def update_modifier_group(
    session: AsyncSession, access: Access, group_id: int, body: ModifierGroupUpdate
) -> ModifierGroupRead:
    """Change a group and, when ``modifiers`` is given, replace its modifier list
    (see :class:`ModifierGroupUpdate`). Raises :class:`NotFound` (group, or a modifier
    ``id`` not in this group) and :class:`ModifierGroupRangeInvalid` (422); event
    ``menu.updated``."""
    rid = access.restaurant_id
    group = await _get(session, ModifierGroup, rid, group_id, "modifier group")
    fields = body.model_dump(exclude_unset=True, exclude={"modifiers"})
    changes = {k: v for k, v in fields.items() if v is not None}
    _check_range(
        changes.get("min_choices", group.min_choices), changes.get("max_choices", group.max_choices)
    )
    for key, value in changes.items():
        setattr(group, key, value)
    if body.modifiers is not None:
        existing = {
            m.id: m
            for m in await session.scalars(
                select(Modifier).where(Modifier.restaurant_id == rid, Modifier.group_id == group.id)
            )
        }
        kept_ids = [m.id for m in body.modifiers if m.id is not None]
        if len(set(kept_ids)) != len(kept_ids):
            raise InvalidInput("a modifier id is given twice")
        unknown = [i for i in kept_ids if i not in existing]
        if unknown:
            raise NotFound(f"modifier {unknown[0]} of group {group.id} not found")
        for gone_id in existing.keys() - set(kept_ids):
            await session.delete(existing[gone_id])
        for n, m in enumerate(body.modifiers):
            if m.id is None:
                session.add(
                    Modifier(
                        restaurant_id=rid,
                        group_id=group.id,
                        name=m.name,
                        price_delta=m.price_delta,
                        is_available=m.is_available,
                        position=n,
                    )
                )
            else:
                row = existing[m.id]
                row.name, row.price_delta = m.name, m.price_delta
                row.is_available, row.position = m.is_available, n
    await session.flush()
    (read,) = await _group_reads(session, rid, [group])
    await _menu_event(session, rid, "modifier_group", "updated", group.id, read)
    return read


async def delete_modifier_group(session: AsyncSession, access: Access, group_id: int) -> None:
    """Delete a group, its modifiers and its links to items; raises :class:`NotFound`;
    event ``menu.updated``."""
    rid = access.restaurant_id
    group = await _get(session, ModifierGroup, rid, group_id, "modifier group")
    (read,) = await _group_reads(session, rid, [group])
    await session.execute(
        delete(ItemModifierGroup).where(
            ItemModifierGroup.restaurant_id == rid, ItemModifierGroup.group_id == group.id
        )
    )
    await session.execute(
        delete(Modifier).where(Modifier.restaurant_id == rid, Modifier.group_id == group.id)
    )
    await session.delete(group)
    await session.flush()
    await _menu_event(session, rid, "modifier_group", "deleted", read.id, read)
