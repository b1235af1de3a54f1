"""Admin editing of the menu: categories, items, variations, modifier groups, 86.

Every function takes the caller's :class:`~brigade.auth.dependencies.Access`
(permission already checked by the route), scopes every query by
``access.restaurant_id`` (another restaurant's record is a
:class:`~brigade.infra.errors.NotFound`) and records ``menu.updated`` (or
``menu.item.availability``) with data ``{"entity", "action", "id", <entity>: XRead}``.

Pricing order lines is :mod:`brigade.menu.pricing`; the whole-menu document is
:mod:`brigade.menu.document`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from pydantic import BaseModel
from sqlalchemy import (
    Table,
    delete,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.events.outbox import record
from brigade.infra.db import Base, utcnow
from brigade.infra.errors import InvalidInput, NotFound
from brigade.infra.integrity import unique_constraint, unique_guard
from brigade.menu.exceptions import (
    CategoryNotEmpty,
    ModifierGroupRangeInvalid,
    SkuTaken,
    UnknownTaxRate,
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
    AvailabilitySet,
    CategoryCreate,
    CategoryList,
    CategoryRead,
    CategoryUpdate,
    MenuItemCreate,
    MenuItemList,
    MenuItemRead,
    MenuItemUpdate,
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
from brigade.restaurants.taxes import tax_rate_exists
from brigade.tenancy import scoped

if TYPE_CHECKING:
    from brigade.auth.dependencies import Access


_M = TypeVar("_M", bound=Base)

#: ``MenuItem.unavailable_reason`` of an 86 by a person, and of one by the stock.
MANUAL_86 = "manual"
STOCK_86 = "stock"

#: One SKU per restaurant (checked first; the constraint settles a race, see
#: :func:`brigade.infra.integrity.unique_guard`).
_SKU_UNIQUE = unique_constraint(
    cast(Table, Variation.__table__), "uq_menu_variations_restaurant_id_sku"
)


async def _menu_event(
    session: AsyncSession,
    restaurant_id: int,
    entity: str,
    action: str,
    entity_id: int,
    data: BaseModel,
    *,
    type: str = "menu.updated",  # noqa: A002 - the event type
    before: dict[str, Any] | None = None,
) -> None:
    payload: dict[str, Any] = {"entity": entity, "action": action, "id": entity_id}
    payload[entity] = data.model_dump(mode="json")
    if before is not None:  # the values it changed had, for the audit trail
        payload["before"] = before
    await record(session, restaurant_id, type, payload)


async def _get(
    session: AsyncSession, model: type[_M], restaurant_id: int, entity_id: int, label: str
) -> _M:
    """The ``model`` row ``entity_id`` of the restaurant, or :class:`NotFound`."""
    result = await session.execute(
        scoped(select(model), restaurant_id).where(
            model.id == entity_id,  # type: ignore[attr-defined]
        )
    )
    row: _M | None = result.scalar_one_or_none()
    if row is None:
        raise NotFound(f"{label} {entity_id} not found")
    return row


async def _check_tax_rate(
    session: AsyncSession, restaurant_id: int, tax_rate_id: int | None
) -> None:
    """Raise :class:`UnknownTaxRate` (422) unless ``tax_rate_id`` is ``None`` or a tax
    rate of the restaurant."""
    if tax_rate_id is not None and not await tax_rate_exists(session, restaurant_id, tax_rate_id):
        raise UnknownTaxRate(f"tax rate {tax_rate_id} not found", tax_rate_id=tax_rate_id)


def _changes(body: BaseModel, *, nullable: tuple[str, ...] = ("tax_rate_id",)) -> dict[str, object]:
    """The fields set in an update ``body``: ``None`` means "leave as is", except for
    the ``nullable`` fields, where an explicit ``null`` clears the value."""
    return {
        k: v
        for k, v in body.model_dump(exclude_unset=True).items()
        if v is not None or k in nullable
    }


# --- categories -------------------------------------------------------------------------


async def list_categories(session: AsyncSession, access: Access) -> CategoryList:
    """The restaurant's categories by position, then id."""
    rows = (
        await session.scalars(
            scoped(select(Category), access.restaurant_id).order_by(Category.position, Category.id)
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
    """Create a category; raises :class:`UnknownTaxRate`; event ``menu.updated``."""
    await _check_tax_rate(session, access.restaurant_id, body.tax_rate_id)
    row = Category(
        restaurant_id=access.restaurant_id,
        name=body.name,
        position=body.position,
        tax_rate_id=body.tax_rate_id,
    )
    session.add(row)
    await session.flush()
    read = CategoryRead.model_validate(row)
    await _menu_event(session, access.restaurant_id, "category", "created", row.id, read)
    return read


async def update_category(
    session: AsyncSession, access: Access, category_id: int, body: CategoryUpdate
) -> CategoryRead:
    """Change a category; raises :class:`NotFound` and :class:`UnknownTaxRate`; event
    ``menu.updated``."""
    row = await _get(session, Category, access.restaurant_id, category_id, "category")
    changes = _changes(body)
    if "tax_rate_id" in changes:
        await _check_tax_rate(session, access.restaurant_id, body.tax_rate_id)
    for key, value in changes.items():
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
        scoped(select(MenuItem.id), access.restaurant_id)
        .where(MenuItem.category_id == row.id)
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
            scoped(select(Variation), restaurant_id)
            .where(Variation.item_id.in_(ids))
            .order_by(Variation.position, Variation.id)
        ):
            variations[v.item_id].append(VariationRead.model_validate(v))
        links = await session.execute(
            scoped(select(ItemModifierGroup.item_id, ItemModifierGroup.group_id), restaurant_id)
            .where(ItemModifierGroup.item_id.in_(ids))
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
            remaining=i.remaining,
            unavailable_reason=i.unavailable_reason,
            position=i.position,
            variations=variations[i.id],
            modifier_group_ids=groups[i.id],
            tax_rate_id=i.tax_rate_id,
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
    query = scoped(select(Variation.sku), restaurant_id).where(Variation.sku.in_(skus))
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
    query = scoped(select(MenuItem), access.restaurant_id)
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

    Raises :class:`NotFound` (unknown category), :class:`UnknownTaxRate` (422) and
    :class:`SkuTaken` (409, also when a concurrent request takes a SKU first: the item
    and its variations are rolled back to their savepoint and the transaction goes on).
    """
    rid = access.restaurant_id
    await _check_category(session, rid, body.category_id)
    await _check_tax_rate(session, rid, body.tax_rate_id)
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
        unavailable_reason=None if body.is_available else MANUAL_86,
        position=body.position,
        tax_rate_id=body.tax_rate_id,
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
    """Change an item; raises :class:`NotFound` (item or new category) and
    :class:`UnknownTaxRate`; event ``menu.updated`` (``menu.item.availability`` too when
    ``is_available`` changes)."""
    rid = access.restaurant_id
    item = await _get(session, MenuItem, rid, item_id, "menu item")
    changes = _changes(body)
    if "category_id" in changes:
        await _check_category(session, rid, body.category_id or 0)
    if "tax_rate_id" in changes:
        await _check_tax_rate(session, rid, body.tax_rate_id)
    availability_changed = changes.get("is_available", item.is_available) != item.is_available
    if changes.get("is_available") and item.remaining == 0:
        item.remaining = None  # back on, uncounted (as set_item_availability does)
    for key, value in changes.items():
        setattr(item, key, value)
    if "is_available" in changes:
        item.unavailable_reason = None if item.is_available else MANUAL_86
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
        scoped(delete(ItemModifierGroup), rid).where(ItemModifierGroup.item_id == item.id)
    )
    await session.execute(scoped(delete(Variation), rid).where(Variation.item_id == item.id))
    await session.delete(item)
    await session.flush()
    await _menu_event(session, rid, "item", "deleted", read.id, read)


async def _availability_event(
    session: AsyncSession, restaurant_id: int, read: MenuItemRead, *, source: str = MANUAL_86
) -> None:
    await record(
        session,
        restaurant_id,
        "menu.item.availability",
        {
            "menu_item_id": read.id,
            "name": read.name,
            "is_available": read.is_available,
            "remaining": read.remaining,
            "source": source,
            "item": read.model_dump(mode="json"),
        },
    )


async def set_item_availability(
    session: AsyncSession, access: Access, item_id: int, body: AvailabilitySet
) -> MenuItemRead:
    """86 or un-86 an item by hand and/or set its count of portions left (the rules of
    :class:`~brigade.menu.schemas.AvailabilitySet`; orders count it down,
    :mod:`brigade.menu.counts`). Raises :class:`NotFound`; event
    ``menu.item.availability`` (data: ``menu_item_id``, ``name``, ``is_available``,
    ``remaining``, ``source``, ``item``), only when either changes. An 86 by hand has
    ``unavailable_reason="manual"`` and is never undone by stock arriving (see
    :func:`set_stock_availability`)."""
    rid = access.restaurant_id
    item = await _get(session, MenuItem, rid, item_id, "menu item")
    sent = body.model_fields_set
    remaining = body.remaining if "remaining" in sent else item.remaining
    if "is_available" in sent:
        is_available = bool(body.is_available)
        if is_available and remaining == 0:
            remaining = None  # back on, uncounted: the un-86 of a sold-out item
    else:
        is_available = remaining is None or remaining > 0
    if remaining == 0:
        is_available = False
    changed = (item.is_available, item.remaining) != (is_available, remaining)
    reason = None if is_available else MANUAL_86
    if changed or item.unavailable_reason != reason:
        # A person's 86 of an item the stock 86'd makes it theirs: stock no longer undoes it.
        item.is_available = is_available
        item.remaining = remaining
        item.unavailable_reason = reason
        item.updated_at = utcnow()
        await session.flush()
    read = await _item_read(session, rid, item)
    if changed:
        await _availability_event(session, rid, read)
    return read


async def set_stock_availability(
    session: AsyncSession, restaurant_id: int, out: Sequence[int], back: Sequence[int]
) -> list[int]:
    """The stock's automatic 86 (called by the inventory context in its transaction).

    Items of ``out`` that are available are 86'd with ``unavailable_reason="stock"``;
    items of ``back`` that the stock 86'd (and only those: a manual 86 stays) are made
    available again. Each change records ``menu.item.availability`` with
    ``"source": "stock"``. Returns the ids of the items changed.
    """
    changed: list[int] = []
    now = utcnow()
    for ids, available in ((out, False), (back, True)):
        if not ids:
            continue
        stmt = scoped(select(MenuItem), restaurant_id).where(MenuItem.id.in_(ids))
        if available:
            stmt = stmt.where(
                MenuItem.is_available.is_(False), MenuItem.unavailable_reason == STOCK_86
            )
        else:
            stmt = stmt.where(MenuItem.is_available.is_(True))
        items = list(await session.scalars(stmt.order_by(MenuItem.id)))
        for item in items:
            item.is_available = available
            item.unavailable_reason = None if available else STOCK_86
            item.updated_at = now
        await session.flush()
        for read in await _item_reads(session, restaurant_id, items):
            await _availability_event(session, restaurant_id, read, source=STOCK_86)
            changed.append(read.id)
    return changed


async def item_variation_ids(
    session: AsyncSession, restaurant_id: int, item_id: int
) -> list[int] | None:
    """The ids of item ``item_id``'s variations (sizes), or ``None`` when the restaurant
    has no such item (for other contexts: no permission check)."""
    found = await session.scalar(
        scoped(select(MenuItem.id).where(MenuItem.id == item_id), restaurant_id)
    )
    if found is None:
        return None
    return list(
        await session.scalars(
            scoped(select(Variation.id).where(Variation.item_id == item_id), restaurant_id)
        )
    )


async def modifier_exists(session: AsyncSession, restaurant_id: int, modifier_id: int) -> bool:
    """Whether the restaurant has modifier ``modifier_id`` (for other contexts)."""
    found = await session.scalar(
        scoped(select(Modifier.id).where(Modifier.id == modifier_id), restaurant_id)
    )
    return found is not None


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
                scoped(select(ModifierGroup.id), rid).where(ModifierGroup.id.in_(wanted))
            )
        )
        missing = [g for g in wanted if g not in found]
        if missing:
            raise NotFound(f"modifier group {missing[0]} not found")
    await session.execute(
        scoped(delete(ItemModifierGroup), rid).where(ItemModifierGroup.item_id == item.id)
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
        scoped(select(Variation), restaurant_id).where(
            Variation.item_id == item_id, Variation.id == variation_id
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
    before = {"price": row.price}
    async with unique_guard(session, _SKU_UNIQUE, _sku_race([changes.get("sku", row.sku)])):
        for key, value in changes.items():
            setattr(row, key, value)
        await session.flush()
    read = VariationRead.model_validate(row)
    await _menu_event(session, rid, "variation", "updated", row.id, read, before=before)
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
            scoped(select(Modifier), restaurant_id)
            .where(Modifier.group_id.in_(ids))
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
            scoped(select(ModifierGroup), access.restaurant_id).order_by(
                ModifierGroup.position, ModifierGroup.id
            )
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
            kind=m.kind,
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
                scoped(select(Modifier), rid).where(Modifier.group_id == group.id)
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
                        kind=m.kind,
                        position=n,
                    )
                )
            else:
                row = existing[m.id]
                row.name, row.price_delta = m.name, m.price_delta
                row.is_available, row.position = m.is_available, n
                row.kind = m.kind
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
        scoped(delete(ItemModifierGroup), rid).where(ItemModifierGroup.group_id == group.id)
    )
    await session.execute(scoped(delete(Modifier), rid).where(Modifier.group_id == group.id))
    await session.delete(group)
    await session.flush()
    await _menu_event(session, rid, "modifier_group", "deleted", read.id, read)
