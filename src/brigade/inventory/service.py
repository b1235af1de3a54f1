"""Rules of the inventory context: ingredients, recipes, the stock ledger, low stock and
the automatic 86.

**The ledger.** Every change of stock is a :class:`~brigade.inventory.models.StockMovement`
(delivery, use, return, waste, count) written by :func:`_move`, the one function that
moves stock; it adds the same quantity to the ingredient's cached ``on_hand`` in the
same statement batch of the same transaction (``UPDATE ... SET on_hand = on_hand + :d``,
atomic under concurrent writers), so ``on_hand`` is always the sum of the ledger.

**Fired lines use stock.** :func:`use_stock` is the orders' stock hook
(:mod:`brigade.orders.hooks`, wired by :mod:`brigade.wiring`), called in the unit of
work that fires the lines: one unit of a line uses its item's recipe lines for every
size, those of its size, and those of each chosen modifier, times the line's quantity.
:func:`give_back` (the void hook) returns what a line used when it is voided before the
kitchen started it (status ``fired``); once prepared, the food was made and stays used.

**Low stock and the 86.** After every movement, an ingredient that falls to or below
its reorder level (from above it) records ``stock.low``; an ingredient that runs out (to
or below 0) 86's every item whose recipe uses it, and one that comes back above 0 un-86's
the items the stock 86'd whose ingredients are all in stock again — through
:func:`brigade.menu.service.set_stock_availability`, which never undoes a manual 86.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Row, Table, and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access
from brigade.auth.permissions import Permission
from brigade.events.outbox import record
from brigade.infra.db import utcnow
from brigade.infra.errors import NotFound
from brigade.infra.integrity import unique_constraint, unique_guard
from brigade.inventory.exceptions import (
    DuplicateRecipeLine,
    IngredientNameTaken,
    InvalidDateRange,
    UnitMismatch,
    UnknownIngredient,
    UnknownVariation,
)
from brigade.inventory.models import Ingredient, RecipeLine, StockMovement
from brigade.inventory.schemas import (
    CountCreate,
    DeliveryCreate,
    IngredientCreate,
    IngredientList,
    IngredientRead,
    IngredientUpdate,
    MovementKind,
    MovementList,
    MovementRead,
    RecipeLineIn,
    RecipeLineRead,
    RecipeList,
    RecipeRead,
    RecipeSet,
    ReorderLine,
    ReorderList,
    StockChange,
    SupplierOrder,
    UsageLine,
    UsageReport,
    WasteCreate,
)
from brigade.inventory.units import Unit, cost_of, from_base, kind, to_base
from brigade.menu.service import item_variation_ids, modifier_exists, set_stock_availability
from brigade.orders.hooks import FiredLine
from brigade.restaurants.service import restaurant_profile
from brigade.tenancy import scoped

STOCK_LOW = "stock.low"
STOCK_MOVED = "stock.moved"
#: The longest range of the usage report, in days.
MAX_USAGE_DAYS = 366
#: The dates the usage report takes (their midnights exist in UTC in every time zone).
_FIRST_DATE = date(1900, 1, 1)
_LAST_DATE = date(9998, 12, 31)

_ingredients = cast(Table, Ingredient.__table__)
_recipes = cast(Table, RecipeLine.__table__)
_movements = cast(Table, StockMovement.__table__)
_NAME_UNIQUE = unique_constraint(_ingredients, "uq_ingredients_restaurant_id_name")


# --- reads --------------------------------------------------------------------------------


def _ingredient_read(row: Any) -> IngredientRead:
    unit = Unit(row.unit)
    return IngredientRead(
        id=row.id,
        name=row.name,
        unit=unit,
        kind=kind(unit),
        on_hand=from_base(row.on_hand, unit),
        reorder_level=from_base(row.reorder_level, unit),
        supplier=row.supplier,
        cost=row.cost,
        stock_value=max(cost_of(row.on_hand, unit, row.cost), 0),
        low=row.on_hand <= row.reorder_level,
        out=row.on_hand <= 0,
    )


def _movement_read(row: Any, unit: Unit) -> MovementRead:
    return MovementRead(
        id=row.id,
        ingredient_id=row.ingredient_id,
        kind=MovementKind(row.kind),
        quantity=from_base(row.quantity, unit),
        counted=None if row.counted is None else from_base(row.counted, unit),
        cost=row.cost,
        reason=row.reason,
        order_item_id=row.order_item_id,
        created_by=row.created_by,
        created_at=row.created_at,
    )


async def _ingredient_row(
    session: AsyncSession, restaurant_id: int, ingredient_id: int, *, lock: bool = False
) -> Row[Any] | None:
    stmt = scoped(select(*_ingredients.c).where(_ingredients.c.id == ingredient_id), restaurant_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).first()


async def _get_ingredient_row(
    session: AsyncSession, restaurant_id: int, ingredient_id: int, *, lock: bool = False
) -> Row[Any]:
    row = await _ingredient_row(session, restaurant_id, ingredient_id, lock=lock)
    if row is None:
        raise NotFound(f"ingredient {ingredient_id} not found")
    return row


async def list_ingredients(
    session: AsyncSession, access: Access, *, low_only: bool = False
) -> IngredientList:
    """The restaurant's ingredients by name (``low_only``: those at or below their
    reorder level). Raises ``PermissionDenied`` without ``inventory:read``."""
    access.check(Permission.inventory_read)
    stmt = scoped(select(*_ingredients.c), access.restaurant_id)
    if low_only:
        stmt = stmt.where(_ingredients.c.on_hand <= _ingredients.c.reorder_level)
    rows = (await session.execute(stmt.order_by(_ingredients.c.name, _ingredients.c.id))).all()
    return IngredientList(items=[_ingredient_read(r) for r in rows], total=len(rows))


async def get_ingredient(
    session: AsyncSession, access: Access, ingredient_id: int
) -> IngredientRead:
    """Ingredient ``ingredient_id``; raises ``NotFound`` (none in this restaurant)."""
    access.check(Permission.inventory_read)
    return _ingredient_read(await _get_ingredient_row(session, access.restaurant_id, ingredient_id))


async def list_movements(
    session: AsyncSession, access: Access, ingredient_id: int, *, limit: int, offset: int
) -> MovementList:
    """The ledger of one ingredient, newest first (``limit`` from ``offset``), quantities
    in its unit; raises ``NotFound``."""
    access.check(Permission.inventory_read)
    rid = access.restaurant_id
    ingredient = await _get_ingredient_row(session, rid, ingredient_id)
    unit = Unit(ingredient.unit)
    where = _movements.c.ingredient_id == ingredient_id
    total = await session.scalar(scoped(select(func.count()).where(where), rid, _movements))
    rows = (
        await session.execute(
            scoped(select(*_movements.c).where(where), rid)
            .order_by(_movements.c.created_at.desc(), _movements.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return MovementList(items=[_movement_read(r, unit) for r in rows], total=int(total or 0))


# --- ingredients --------------------------------------------------------------------------


async def create_ingredient(
    session: AsyncSession, access: Access, data: IngredientCreate
) -> IngredientRead:
    """A new ingredient with no stock. Raises ``PermissionDenied`` (no
    ``inventory:write``), :class:`IngredientNameTaken` (409) and, for a reorder level
    finer than the base, ``QuantityTooPrecise`` (422)."""
    access.check(Permission.inventory_write)
    rid = access.restaurant_id
    reorder = to_base(data.reorder_level, data.unit, data.unit)
    async with unique_guard(
        session,
        _NAME_UNIQUE,
        lambda: IngredientNameTaken(f"an ingredient is named {data.name!r}", name=data.name),
    ):
        row = (
            await session.execute(
                insert(_ingredients)
                .values(
                    restaurant_id=rid,
                    name=data.name,
                    unit=data.unit.value,
                    reorder_level=reorder,
                    supplier=data.supplier,
                    cost=data.cost,
                    on_hand=0,
                    created_at=utcnow(),
                )
                .returning(*_ingredients.c)
            )
        ).one()
    return _ingredient_read(row)


async def update_ingredient(
    session: AsyncSession, access: Access, ingredient_id: int, data: IngredientUpdate
) -> IngredientRead:
    """Change an ingredient's name, unit (of the same kind), reorder level, supplier or
    cost; its stock is only ever changed by movements. Raises ``NotFound``,
    :class:`IngredientNameTaken` (409), :class:`UnitMismatch` (422, a unit of another
    kind) and ``QuantityTooPrecise`` (422). A new reorder level the stock is now at or
    below records ``stock.low``."""
    access.check(Permission.inventory_write)
    rid = access.restaurant_id
    row = await _get_ingredient_row(session, rid, ingredient_id, lock=True)
    unit = data.unit or Unit(row.unit)
    if kind(unit) != kind(Unit(row.unit)):
        raise UnitMismatch(
            f"{row.name} is counted by {kind(Unit(row.unit))}; {unit.value} is {kind(unit)}",
            unit=unit.value,
            ingredient_unit=row.unit,
        )
    values: dict[str, Any] = {"unit": unit.value}
    if data.name is not None:
        values["name"] = data.name
    if data.supplier is not None:
        values["supplier"] = data.supplier
    if data.cost is not None:
        values["cost"] = data.cost
    if data.reorder_level is not None:
        values["reorder_level"] = to_base(data.reorder_level, unit, unit)
    async with unique_guard(
        session,
        _NAME_UNIQUE,
        lambda: IngredientNameTaken(f"an ingredient is named {data.name!r}", name=data.name),
    ):
        new = (
            await session.execute(
                scoped(update(_ingredients).where(_ingredients.c.id == ingredient_id), rid)
                .values(**values)
                .returning(*_ingredients.c)
            )
        ).one()
    read = _ingredient_read(new)
    if new.on_hand <= new.reorder_level and row.on_hand > row.reorder_level:
        await record(session, rid, STOCK_LOW, {"ingredient": read.model_dump(mode="json")})
    return read


# --- movements ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    """One movement to write: ``quantity`` signed milli base units."""

    ingredient_id: int
    kind: MovementKind
    quantity: int
    counted: int | None = None
    cost: int | None = None
    reason: str = ""
    order_item_id: int | None = None


async def _move(
    session: AsyncSession, restaurant_id: int, entries: Sequence[_Entry], by: int | None
) -> dict[int, Row[Any]]:
    """Write ``entries`` to the ledger and add them to their ingredients' ``on_hand``
    (ingredients in id order, so concurrent writers lock in one order), then raise
    ``stock.low`` and reconcile the 86 of the items whose ingredients ran out or came
    back. Returns the ingredients' rows after the change, by id. The one writer of stock.
    """
    if not entries:
        return {}
    now = utcnow()
    await session.execute(
        insert(_movements),
        [
            {
                "restaurant_id": restaurant_id,
                "ingredient_id": e.ingredient_id,
                "kind": e.kind.value,
                "quantity": e.quantity,
                "counted": e.counted,
                "cost": e.cost,
                "reason": e.reason,
                "order_item_id": e.order_item_id,
                "created_by": by,
                "created_at": now,
            }
            for e in entries
        ],
    )
    deltas: dict[int, int] = defaultdict(int)
    for e in entries:
        deltas[e.ingredient_id] += e.quantity
    after: dict[int, Row[Any]] = {}
    flipped: list[int] = []
    for ingredient_id in sorted(deltas):
        delta = deltas[ingredient_id]
        row = (
            await session.execute(
                scoped(
                    update(_ingredients).where(_ingredients.c.id == ingredient_id), restaurant_id
                )
                .values(on_hand=_ingredients.c.on_hand + delta)
                .returning(*_ingredients.c)
            )
        ).one()
        after[ingredient_id] = row
        before = row.on_hand - delta
        if row.on_hand <= row.reorder_level < before:
            read = _ingredient_read(row)
            await record(
                session, restaurant_id, STOCK_LOW, {"ingredient": read.model_dump(mode="json")}
            )
        if (before <= 0) != (row.on_hand <= 0):
            flipped.append(ingredient_id)
    if flipped:
        items = (
            await session.scalars(
                scoped(
                    select(_recipes.c.menu_item_id)
                    .where(
                        _recipes.c.ingredient_id.in_(flipped), _recipes.c.menu_item_id.is_not(None)
                    )
                    .distinct(),
                    restaurant_id,
                )
            )
        ).all()
        await _reconcile_items(session, restaurant_id, [i for i in items if i is not None])
    return after


async def _reconcile_items(
    session: AsyncSession, restaurant_id: int, item_ids: Sequence[int]
) -> None:
    """86 the items of ``item_ids`` that use an ingredient that is out; un-86 the others
    if the stock 86'd them (the menu leaves a manual 86 alone)."""
    if not item_ids:
        return
    out_items = set(
        (
            await session.scalars(
                scoped(
                    select(_recipes.c.menu_item_id)
                    .join(_ingredients, _ingredients.c.id == _recipes.c.ingredient_id)
                    .where(_recipes.c.menu_item_id.in_(item_ids), _ingredients.c.on_hand <= 0)
                    .distinct(),
                    restaurant_id,
                )
            )
        ).all()
    )
    out = sorted(i for i in item_ids if i in out_items)
    back = sorted(i for i in item_ids if i not in out_items)
    await set_stock_availability(session, restaurant_id, out, back)


async def _change(session: AsyncSession, access: Access, entry: _Entry) -> StockChange:
    rows = await _move(session, access.restaurant_id, [entry], access.actor.user_id)
    row = rows[entry.ingredient_id]
    unit = Unit(row.unit)
    movement = (
        await session.execute(
            scoped(
                select(*_movements.c).where(_movements.c.ingredient_id == entry.ingredient_id),
                access.restaurant_id,
            )
            .order_by(_movements.c.id.desc())
            .limit(1)
        )
    ).one()
    change = StockChange(movement=_movement_read(movement, unit), ingredient=_ingredient_read(row))
    await record(session, access.restaurant_id, STOCK_MOVED, change.model_dump(mode="json"))
    return change


async def _movement_ingredient(
    session: AsyncSession, access: Access, ingredient_id: int
) -> Row[Any]:
    row = await _ingredient_row(session, access.restaurant_id, ingredient_id, lock=True)
    if row is None:
        raise UnknownIngredient(
            f"ingredient {ingredient_id} not found", ingredient_id=ingredient_id
        )
    return row


async def record_delivery(
    session: AsyncSession, access: Access, data: DeliveryCreate
) -> StockChange:
    """Stock arrived: a ``delivery`` movement of ``data.quantity`` (converted from
    ``data.unit`` to the ingredient's kind); items the stock 86'd come back when all
    their ingredients are in stock. Event ``stock.moved`` ``{movement, ingredient}``.

    Raises ``PermissionDenied`` (no ``inventory:write``), :class:`UnknownIngredient`,
    :class:`UnitMismatch` and ``QuantityTooPrecise`` (all 422)."""
    access.check(Permission.inventory_write)
    row = await _movement_ingredient(session, access, data.ingredient_id)
    unit = Unit(row.unit)
    quantity = to_base(data.quantity, data.unit or unit, unit)
    return await _change(
        session,
        access,
        _Entry(row.id, MovementKind.delivery, quantity, cost=data.cost, reason=data.note),
    )


async def record_waste(session: AsyncSession, access: Access, data: WasteCreate) -> StockChange:
    """Stock thrown away with a reason: a ``waste`` movement of ``-quantity``. Event
    ``stock.moved``; may raise ``stock.low`` and 86 items. Raises as
    :func:`record_delivery`."""
    access.check(Permission.inventory_write)
    row = await _movement_ingredient(session, access, data.ingredient_id)
    unit = Unit(row.unit)
    quantity = to_base(data.quantity, data.unit or unit, unit)
    return await _change(
        session, access, _Entry(row.id, MovementKind.waste, -quantity, reason=data.reason)
    )


async def record_count(session: AsyncSession, access: Access, data: CountCreate) -> StockChange:
    """A stock count: a ``count`` movement of ``counted - on_hand`` (0 when they agree;
    the count is recorded either way), read under the ingredient's row lock so that a
    movement written meanwhile is not lost. Event ``stock.moved``. Raises as
    :func:`record_delivery`."""
    access.check(Permission.inventory_write)
    row = await _movement_ingredient(session, access, data.ingredient_id)
    unit = Unit(row.unit)
    counted = to_base(data.counted, data.unit or unit, unit)
    return await _change(
        session,
        access,
        _Entry(
            row.id,
            MovementKind.stock_count,
            counted - row.on_hand,
            counted=counted,
            reason=data.note,
        ),
    )


# --- the orders' hooks --------------------------------------------------------------------


async def use_stock(session: AsyncSession, restaurant_id: int, lines: Sequence[FiredLine]) -> None:
    """The orders' fired-lines stock hook: a ``use`` movement per line and ingredient of
    its recipe (item, size, modifiers) times its quantity. One query when no line has a
    recipe."""
    item_ids = {line.menu_item_id for line in lines if line.menu_item_id is not None}
    modifier_ids = {
        int(m["id"]) for line in lines for m in line.modifiers if m.get("id") is not None
    }
    if not item_ids and not modifier_ids:
        return
    conditions = []
    if item_ids:
        conditions.append(_recipes.c.menu_item_id.in_(item_ids))
    if modifier_ids:
        conditions.append(_recipes.c.modifier_id.in_(modifier_ids))
    rows = (
        await session.execute(
            scoped(
                select(
                    _recipes.c.ingredient_id,
                    _recipes.c.menu_item_id,
                    _recipes.c.variation_id,
                    _recipes.c.modifier_id,
                    _recipes.c.quantity,
                ).where(or_(*conditions)),
                restaurant_id,
            ).order_by(_recipes.c.id)
        )
    ).all()
    if not rows:
        return
    by_item: dict[int, list[Any]] = defaultdict(list)
    by_modifier: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        if r.modifier_id is not None:
            by_modifier[r.modifier_id].append(r)
        else:
            by_item[r.menu_item_id].append(r)
    entries: list[_Entry] = []
    for line in lines:
        per_unit: dict[int, int] = defaultdict(int)
        for r in by_item.get(line.menu_item_id or 0, []):
            if r.variation_id is None or r.variation_id == line.variation_id:
                per_unit[r.ingredient_id] += r.quantity
        for m in line.modifiers:
            for r in by_modifier.get(int(m.get("id") or 0), []):
                per_unit[r.ingredient_id] += r.quantity
        entries.extend(
            _Entry(
                ingredient_id,
                MovementKind.use,
                -q * line.quantity,
                order_item_id=line.order_item_id,
            )
            for ingredient_id, q in sorted(per_unit.items())
            if q
        )
    await _move(session, restaurant_id, entries, None)


async def give_back(
    session: AsyncSession, restaurant_id: int, order_item_id: int, prepared: bool
) -> None:
    """The orders' voided-line stock hook: a line voided before preparation
    (``prepared`` false) gets a ``return`` movement for each ingredient it used; a
    prepared line keeps its use (the food was made). Does nothing twice."""
    if prepared:
        return
    rows = (
        await session.execute(
            scoped(
                select(
                    _movements.c.ingredient_id,
                    _movements.c.kind,
                    func.sum(_movements.c.quantity).label("q"),
                )
                .where(_movements.c.order_item_id == order_item_id)
                .group_by(_movements.c.ingredient_id, _movements.c.kind),
                restaurant_id,
            )
        )
    ).all()
    if any(r.kind == MovementKind.give_back.value for r in rows):
        return
    entries = [
        _Entry(r.ingredient_id, MovementKind.give_back, -int(r.q), order_item_id=order_item_id)
        for r in sorted(rows, key=lambda r: r.ingredient_id)
        if r.kind == MovementKind.use.value and r.q
    ]
    await _move(session, restaurant_id, entries, None)


# --- recipes ------------------------------------------------------------------------------


async def _recipe_reads(
    session: AsyncSession, restaurant_id: int, *, where: Any = None
) -> list[RecipeRead]:
    stmt = scoped(
        select(
            _recipes.c.menu_item_id,
            _recipes.c.modifier_id,
            _recipes.c.variation_id,
            _recipes.c.ingredient_id,
            _recipes.c.quantity,
            _ingredients.c.name,
            _ingredients.c.unit,
        ).join(_ingredients, _ingredients.c.id == _recipes.c.ingredient_id),
        restaurant_id,
    )
    if where is not None:
        stmt = stmt.where(where)
    rows = (
        await session.execute(
            stmt.order_by(
                _recipes.c.modifier_id.is_not(None),
                _recipes.c.menu_item_id,
                _recipes.c.modifier_id,
                _recipes.c.id,
            )
        )
    ).all()
    recipes: dict[tuple[int | None, int | None], RecipeRead] = {}
    for r in rows:
        key = (r.menu_item_id, r.modifier_id)
        recipe = recipes.setdefault(
            key, RecipeRead(menu_item_id=r.menu_item_id, modifier_id=r.modifier_id, lines=[])
        )
        unit = Unit(r.unit)
        recipe.lines.append(
            RecipeLineRead(
                ingredient_id=r.ingredient_id,
                ingredient_name=r.name,
                quantity=from_base(r.quantity, unit),
                unit=unit,
                variation_id=r.variation_id,
            )
        )
    return list(recipes.values())


async def list_recipes(session: AsyncSession, access: Access) -> RecipeList:
    """Every recipe: the items' (by item id) then the modifiers' (by modifier id)."""
    access.check(Permission.inventory_read)
    recipes = await _recipe_reads(session, access.restaurant_id)
    return RecipeList(items=recipes, total=len(recipes))


async def get_item_recipe(session: AsyncSession, access: Access, item_id: int) -> RecipeRead:
    """The recipe of menu item ``item_id`` (empty lines when it has none); raises
    ``NotFound`` (no such item)."""
    access.check(Permission.inventory_read)
    await _item_sizes(session, access.restaurant_id, item_id)
    found = await _recipe_reads(
        session, access.restaurant_id, where=_recipes.c.menu_item_id == item_id
    )
    return found[0] if found else RecipeRead(menu_item_id=item_id, modifier_id=None, lines=[])


async def get_modifier_recipe(
    session: AsyncSession, access: Access, modifier_id: int
) -> RecipeRead:
    """The recipe of modifier ``modifier_id``; raises ``NotFound``."""
    access.check(Permission.inventory_read)
    await _check_modifier(session, access.restaurant_id, modifier_id)
    found = await _recipe_reads(
        session, access.restaurant_id, where=_recipes.c.modifier_id == modifier_id
    )
    return found[0] if found else RecipeRead(menu_item_id=None, modifier_id=modifier_id, lines=[])


async def _item_sizes(session: AsyncSession, restaurant_id: int, item_id: int) -> set[int]:
    sizes = await item_variation_ids(session, restaurant_id, item_id)
    if sizes is None:
        raise NotFound(f"menu item {item_id} not found")
    return set(sizes)


async def _check_modifier(session: AsyncSession, restaurant_id: int, modifier_id: int) -> None:
    if not await modifier_exists(session, restaurant_id, modifier_id):
        raise NotFound(f"modifier {modifier_id} not found")


async def _recipe_values(
    session: AsyncSession, restaurant_id: int, lines: Sequence[RecipeLineIn]
) -> list[tuple[int, int, int | None]]:
    """``(ingredient_id, quantity, variation_id)`` of each line, checked."""
    wanted = {line.ingredient_id for line in lines}
    units: dict[int, Unit] = {}
    if wanted:
        for r in await session.execute(
            scoped(
                select(_ingredients.c.id, _ingredients.c.unit).where(_ingredients.c.id.in_(wanted)),
                restaurant_id,
            )
        ):
            units[r.id] = Unit(r.unit)
    seen: set[tuple[int, int | None]] = set()
    values: list[tuple[int, int, int | None]] = []
    for line in lines:
        unit = units.get(line.ingredient_id)
        if unit is None:
            raise UnknownIngredient(
                f"ingredient {line.ingredient_id} not found", ingredient_id=line.ingredient_id
            )
        key = (line.ingredient_id, line.variation_id)
        if key in seen:
            raise DuplicateRecipeLine(
                f"ingredient {line.ingredient_id} appears twice", ingredient_id=line.ingredient_id
            )
        seen.add(key)
        values.append(
            (line.ingredient_id, to_base(line.quantity, line.unit or unit, unit), line.variation_id)
        )
    return values


async def set_item_recipe(
    session: AsyncSession, access: Access, item_id: int, data: RecipeSet
) -> RecipeRead:
    """Replace the recipe of menu item ``item_id``: lines for every size
    (``variation_id`` null) and lines for one size. The item is 86'd at once when an
    ingredient of the new recipe is out (and comes back when none is). Raises
    ``NotFound`` (item), :class:`UnknownIngredient`, :class:`UnknownVariation`,
    :class:`DuplicateRecipeLine`, :class:`UnitMismatch`, ``QuantityTooPrecise`` (422)."""
    access.check(Permission.inventory_write)
    rid = access.restaurant_id
    sizes = await _item_sizes(session, rid, item_id)
    for line in data.lines:
        if line.variation_id is not None and line.variation_id not in sizes:
            raise UnknownVariation(
                f"variation {line.variation_id} is not a size of item {item_id}",
                variation_id=line.variation_id,
            )
    values = await _recipe_values(session, rid, data.lines)
    await session.execute(scoped(delete(_recipes).where(_recipes.c.menu_item_id == item_id), rid))
    if values:
        await session.execute(
            insert(_recipes),
            [
                {
                    "restaurant_id": rid,
                    "ingredient_id": ingredient_id,
                    "menu_item_id": item_id,
                    "variation_id": variation_id,
                    "modifier_id": None,
                    "quantity": quantity,
                }
                for ingredient_id, quantity, variation_id in values
            ],
        )
    await _reconcile_items(session, rid, [item_id])
    return await get_item_recipe(session, access, item_id)


async def set_modifier_recipe(
    session: AsyncSession, access: Access, modifier_id: int, data: RecipeSet
) -> RecipeRead:
    """Replace the recipe of modifier ``modifier_id`` (what one unit with it uses on top
    of the item's: extra cheese uses cheese). A line may not name a ``variation_id``
    (:class:`UnknownVariation`); otherwise raises as :func:`set_item_recipe`."""
    access.check(Permission.inventory_write)
    rid = access.restaurant_id
    await _check_modifier(session, rid, modifier_id)
    for line in data.lines:
        if line.variation_id is not None:
            raise UnknownVariation(
                "a modifier's recipe is the same for every size", variation_id=line.variation_id
            )
    values = await _recipe_values(session, rid, data.lines)
    await session.execute(
        scoped(delete(_recipes).where(_recipes.c.modifier_id == modifier_id), rid)
    )
    if values:
        await session.execute(
            insert(_recipes),
            [
                {
                    "restaurant_id": rid,
                    "ingredient_id": ingredient_id,
                    "menu_item_id": None,
                    "variation_id": None,
                    "modifier_id": modifier_id,
                    "quantity": quantity,
                }
                for ingredient_id, quantity, _ in values
            ],
        )
    return await get_modifier_recipe(session, access, modifier_id)


# --- the reorder list and the usage report ------------------------------------------------


async def reorder_list(session: AsyncSession, access: Access) -> ReorderList:
    """The ingredients at or below their reorder level, by supplier; each to be brought
    to twice its reorder level (``suggested = 2 * reorder_level - on_hand``, at least one
    base unit's worth when the reorder level is 0 and stock is out: the reorder level
    then is the amount missing, which is ``-on_hand``)."""
    access.check(Permission.inventory_read)
    rows = (
        await session.execute(
            scoped(select(*_ingredients.c), access.restaurant_id)
            .where(_ingredients.c.on_hand <= _ingredients.c.reorder_level)
            .order_by(_ingredients.c.supplier, _ingredients.c.name, _ingredients.c.id)
        )
    ).all()
    suppliers: dict[str, list[ReorderLine]] = {}
    for r in rows:
        unit = Unit(r.unit)
        suggested = max(2 * r.reorder_level - r.on_hand, 0)
        suppliers.setdefault(r.supplier, []).append(
            ReorderLine(
                ingredient_id=r.id,
                name=r.name,
                unit=unit,
                on_hand=from_base(r.on_hand, unit),
                reorder_level=from_base(r.reorder_level, unit),
                suggested=from_base(suggested, unit),
                estimated_cost=cost_of(suggested, unit, r.cost),
            )
        )
    orders = [
        SupplierOrder(
            supplier=name, lines=lines, estimated_cost=sum(x.estimated_cost for x in lines)
        )
        for name, lines in suppliers.items()
    ]
    return ReorderList(suppliers=orders, estimated_cost=sum(o.estimated_cost for o in orders))


def _utc_bounds(start: date, end: date, time_zone: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(time_zone)
    return (
        datetime.combine(start, time(0), zone).astimezone(UTC),
        datetime.combine(end + timedelta(days=1), time(0), zone).astimezone(UTC),
    )


async def usage_report(
    session: AsyncSession, access: Access, start_date: date, end_date: date
) -> UsageReport:
    """Theoretical against actual use of every ingredient that moved from
    ``start_date`` to ``end_date`` (inclusive, local dates of the restaurant's time
    zone); see :class:`~brigade.inventory.schemas.UsageLine`. Raises
    :class:`InvalidDateRange` (422: start after end, more than
    :data:`MAX_USAGE_DAYS` days, or a date before 1900 or after 9998)."""
    access.check(Permission.inventory_read)
    if start_date > end_date or (end_date - start_date).days >= MAX_USAGE_DAYS:
        raise InvalidDateRange(
            f"{start_date.isoformat()}..{end_date.isoformat()} is not a range of 1 to"
            f" {MAX_USAGE_DAYS} days"
        )
    if start_date < _FIRST_DATE or end_date > _LAST_DATE:
        raise InvalidDateRange(
            f"dates go from {_FIRST_DATE.isoformat()} to {_LAST_DATE.isoformat()}"
        )
    rid = access.restaurant_id
    profile = await restaurant_profile(session, None, rid)
    lo, hi = _utc_bounds(start_date, end_date, profile.time_zone)
    rows = (
        await session.execute(
            scoped(
                select(
                    _movements.c.ingredient_id,
                    _movements.c.kind,
                    func.sum(_movements.c.quantity).label("q"),
                )
                .where(and_(_movements.c.created_at >= lo, _movements.c.created_at < hi))
                .group_by(_movements.c.ingredient_id, _movements.c.kind),
                rid,
            )
        )
    ).all()
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        sums[r.ingredient_id][r.kind] += int(r.q or 0)
    ingredients = (
        (
            await session.execute(
                scoped(
                    select(*_ingredients.c).where(_ingredients.c.id.in_(list(sums))), rid
                ).order_by(_ingredients.c.name, _ingredients.c.id)
            )
        ).all()
        if sums
        else []
    )
    lines: list[UsageLine] = []
    for ing in ingredients:
        unit = Unit(ing.unit)
        s = sums[ing.id]
        theoretical = -(s[MovementKind.use.value] + s[MovementKind.give_back.value])
        actual = theoretical - s[MovementKind.stock_count.value]
        variance = actual - theoretical
        lines.append(
            UsageLine(
                ingredient_id=ing.id,
                name=ing.name,
                unit=unit,
                theoretical=from_base(theoretical, unit),
                actual=from_base(actual, unit),
                variance=from_base(variance, unit),
                variance_cost=cost_of(variance, unit, ing.cost),
                delivered=from_base(s[MovementKind.delivery.value], unit),
                wasted=from_base(-s[MovementKind.waste.value], unit),
            )
        )
    return UsageReport(
        start_date=start_date,
        end_date=end_date,
        lines=lines,
        variance_cost=sum(x.variance_cost for x in lines),
    )
