"""The pizza place's first stock and recipes, made from its published ingredient lists.

The data set names each pizza's ingredients (``pizza_types.csv``) but no quantities; the
quantities here are Brigade's, chosen to be plausible and easy to check:

* every pizza uses **Pizza dough** by size: S 180 g, M 250 g, L 320 g, XL 400 g,
  XXL 480 g;
* each listed ingredient uses its group's quantity for a medium pizza, scaled by size
  (S ×0.75, M ×1, L ×1.25, XL ×1.5, XXL ×1.75, rounded half-up to the gram):

  ========== ============================================= ======= =========== ========
  group      how it is recognised                          M       reorder at  cost/kg
  ========== ============================================= ======= =========== ========
  cheese     the name has "Cheese" (or Mozzarella)         60 g    2 kg        $12.00
  sauce      the name has "Sauce"                          80 g    2 kg        $5.00
  meat       chicken, salami, ham, sausage, bacon, …       50 g    2 kg        $16.00
  herb       garlic, thyme, oregano, cilantro              5 g     0.2 kg      $20.00
  vegetable  everything else (peppers, onions, olives, …)  40 g    2 kg        $4.00
  ========== ============================================= ======= =========== ========

* the "Extra toppings" modifiers of the demo use, on top: Extra cheese 40 g of
  Mozzarella Cheese, Pepperoni 30 g of Pepperoni, Mushrooms 30 g of Mushrooms,
  Jalapeños 20 g of Jalapeno Peppers;
* suppliers by group: cheese from "Latteria Rossi", meat from "Macelleria Bianchi",
  sauces and dough from "Dry Goods & Co", herbs and vegetables from "Green Market";
* every ingredient is counted in kg and gets an opening delivery of five times its
  reorder level, except :data:`SHORT` (half the reorder level), so that the demo's
  reorder list is not empty.

Everything goes through :mod:`brigade.inventory.service` (its ledger and events),
acting as the system. :func:`ensure_pizza_stock` is idempotent: ingredients are found by
name, an item or modifier that has a recipe keeps it, and only a new ingredient gets
the opening delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access, Actor
from brigade.auth.permissions import Permission
from brigade.imports.pizza_place import SIZE_NAMES
from brigade.inventory import service as inventory
from brigade.inventory.schemas import DeliveryCreate, IngredientCreate, RecipeLineIn, RecipeSet
from brigade.inventory.units import Unit
from brigade.menu.models import MenuItem, Modifier, Variation
from brigade.tenancy import scoped

DOUGH: Final = "Pizza dough"
#: Grams of dough per size.
DOUGH_GRAMS: Final = {"S": 180, "M": 250, "L": 320, "XL": 400, "XXL": 480}
#: What a size uses of a topping, against a medium pizza.
SIZE_FACTOR: Final = {
    "S": Decimal("0.75"),
    "M": Decimal(1),
    "L": Decimal("1.25"),
    "XL": Decimal("1.5"),
    "XXL": Decimal("1.75"),
}


@dataclass(frozen=True, slots=True)
class Group:
    """A kind of topping: grams on a medium pizza, reorder level (kg), cost (cents per
    kg) and supplier."""

    grams: int
    reorder_kg: Decimal
    cost: int
    supplier: str


GROUPS: Final = {
    "cheese": Group(60, Decimal(2), 1200, "Latteria Rossi"),
    "sauce": Group(80, Decimal(2), 500, "Dry Goods & Co"),
    "meat": Group(50, Decimal(2), 1600, "Macelleria Bianchi"),
    "herb": Group(5, Decimal("0.2"), 2000, "Green Market"),
    "vegetable": Group(40, Decimal(2), 400, "Green Market"),
    "dough": Group(0, Decimal(5), 200, "Dry Goods & Co"),
}
_MEAT_WORDS: Final = (
    "chicken",
    "salami",
    "pepperoni",
    "bacon",
    "ham",
    "sausage",
    "prosciutto",
    "capocollo",
    "pancetta",
    "chorizo",
    "nduja",
    "beef",
    "anchovies",
)
_HERBS: Final = frozenset({"garlic", "thyme", "oregano", "cilantro"})
#: The demo modifiers' recipes: modifier name → (ingredient, grams).
MODIFIER_RECIPES: Final = {
    "Extra cheese": ("Mozzarella Cheese", 40),
    "Pepperoni": ("Pepperoni", 30),
    "Mushrooms": ("Mushrooms", 30),
    "Jalapeños": ("Jalapeno Peppers", 20),
}
#: Ingredients the demo opens short of (half their reorder level).
SHORT: Final = frozenset({"Goat Cheese", "Pesto Sauce", "Thyme"})


def group_of(ingredient: str) -> str:
    """The :data:`GROUPS` key of a published ingredient name."""
    name = ingredient.lower()
    if ingredient == DOUGH:
        return "dough"
    if "cheese" in name or "mozzarella" in name:
        return "cheese"
    if "sauce" in name:
        return "sauce"
    if any(word in name for word in _MEAT_WORDS):
        return "meat"
    if name in _HERBS:
        return "herb"
    return "vegetable"


#: Size code by the variation names the importer gives (``"Medium"`` → ``"M"``).
_SIZE_CODES: Final = {name: code for code, name in SIZE_NAMES.items()}


def grams_for(ingredient: str, size: str) -> int:
    """Grams of ``ingredient`` on one pizza of ``size`` (``"M"`` or the importer's
    ``"Medium"``; an unknown size counts as M)."""
    size = _SIZE_CODES.get(size, size)
    if ingredient == DOUGH:
        return DOUGH_GRAMS.get(size, DOUGH_GRAMS["M"])
    factor = SIZE_FACTOR.get(size, Decimal(1))
    return int((GROUPS[group_of(ingredient)].grams * factor).to_integral_value(ROUND_HALF_UP))


@dataclass(slots=True)
class StockSetup:
    """What :func:`ensure_pizza_stock` made."""

    ingredients_created: int = 0
    recipes_set: int = 0


async def ensure_pizza_stock(session: AsyncSession, restaurant_id: int) -> StockSetup:
    """Give the imported pizzas (items with an ``external_ref``) their ingredients,
    recipes per size and opening stock, and the demo modifiers theirs (see the module
    docstring for the quantities). Idempotent."""
    system = Access(
        actor=Actor(),
        restaurant_id=restaurant_id,
        role=None,
        permissions=frozenset({Permission.inventory_read, Permission.inventory_write}),
    )
    result = StockSetup()
    pizzas = list(
        await session.scalars(
            scoped(select(MenuItem), restaurant_id)
            .where(MenuItem.external_ref.is_not(None))
            .order_by(MenuItem.id)
        )
    )
    names = {DOUGH} | {i for p in pizzas for i in (p.ingredients or [])}
    names |= {ingredient for ingredient, _ in MODIFIER_RECIPES.values()}
    known = {i.name: i.id for i in (await inventory.list_ingredients(session, system)).items}
    for name in sorted(names - set(known)):
        group = GROUPS[group_of(name)]
        created = await inventory.create_ingredient(
            session,
            system,
            IngredientCreate(
                name=name,
                unit=Unit.kg,
                reorder_level=group.reorder_kg,
                supplier=group.supplier,
                cost=group.cost,
            ),
        )
        known[name] = created.id
        result.ingredients_created += 1
        opening = group.reorder_kg * (Decimal("0.5") if name in SHORT else 5)
        await inventory.record_delivery(
            session,
            system,
            DeliveryCreate(ingredient_id=created.id, quantity=opening, note="opening stock"),
        )
    sizes: dict[int, list[tuple[int, str]]] = {p.id: [] for p in pizzas}
    if pizzas:
        for v in await session.execute(
            scoped(select(Variation.id, Variation.item_id, Variation.name), restaurant_id)
            .where(Variation.item_id.in_(list(sizes)))
            .order_by(Variation.position, Variation.id)
        ):
            sizes[v.item_id].append((v.id, v.name))
    for pizza in pizzas:
        if (await inventory.get_item_recipe(session, system, pizza.id)).lines:
            continue
        lines = [
            RecipeLineIn(
                ingredient_id=known[ingredient],
                quantity=Decimal(grams_for(ingredient, size)),
                unit=Unit.g,
                variation_id=variation_id,
            )
            for variation_id, size in sizes[pizza.id]
            for ingredient in dict.fromkeys((DOUGH, *(pizza.ingredients or [])))
        ]
        await inventory.set_item_recipe(session, system, pizza.id, RecipeSet(lines=lines))
        result.recipes_set += 1
    modifiers = (
        await session.execute(
            scoped(select(Modifier.id, Modifier.name), restaurant_id)
            .where(Modifier.name.in_(list(MODIFIER_RECIPES)))
            .order_by(Modifier.id)
        )
    ).all()
    for modifier in modifiers:
        if (await inventory.get_modifier_recipe(session, system, modifier.id)).lines:
            continue
        ingredient, grams = MODIFIER_RECIPES[modifier.name]
        await inventory.set_modifier_recipe(
            session,
            system,
            modifier.id,
            RecipeSet(
                lines=[
                    RecipeLineIn(
                        ingredient_id=known[ingredient], quantity=Decimal(grams), unit=Unit.g
                    )
                ]
            ),
        )
        result.recipes_set += 1
    return result
