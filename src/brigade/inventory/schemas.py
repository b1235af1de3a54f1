"""Request and response bodies of the inventory context.

Quantities are read and written in units (:class:`~brigade.inventory.units.Unit`): a
request may give any unit of the ingredient's kind (``unit``, default the ingredient's
own), a response gives quantities in the ingredient's ``unit``. Money (``cost``) is in
minor units of the restaurant's currency; times are UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from brigade.inputs import FreeText, Id, SingleLine
from brigade.inventory.units import Unit
from brigade.money import Money

#: A quantity a person types: up to a billion of its unit, at most 6 decimals.
Quantity = Annotated[
    Decimal,
    Field(ge=0, le=Decimal(10**9), max_digits=16, decimal_places=6),
]
PositiveQuantity = Annotated[
    Decimal,
    Field(gt=0, le=Decimal(10**9), max_digits=16, decimal_places=6),
]


class IngredientCreate(BaseModel):
    """A new ingredient counted in ``unit``; ``reorder_level`` in that unit; ``cost`` in
    minor units per one ``unit``. Stock starts at 0: a delivery or a count brings it."""

    model_config = ConfigDict(extra="forbid")

    name: SingleLine = Field(min_length=1, max_length=100)
    unit: Unit
    reorder_level: Quantity = Decimal(0)
    supplier: SingleLine = Field(default="", max_length=100)
    cost: Money = Field(default=0, description="Minor units per one unit of the ingredient.")


class IngredientUpdate(BaseModel):
    """Change an ingredient (every field optional). A new ``unit`` must be of the same
    kind (kg for g: its stock is unchanged); another kind is a 422."""

    model_config = ConfigDict(extra="forbid")

    name: SingleLine | None = Field(default=None, min_length=1, max_length=100)
    unit: Unit | None = None
    reorder_level: Quantity | None = None
    supplier: SingleLine | None = Field(default=None, max_length=100)
    cost: Money | None = Field(default=None, description="Minor units per one unit.")


class IngredientRead(BaseModel):
    """An ingredient with its stock on hand (the sum of its ledger), in its ``unit``.

    ``low``: on hand at or below the reorder level; ``out``: nothing left (at or below
    0; the items using it are 86'd). ``stock_value``: on hand at ``cost``, minor units.
    """

    id: int
    name: str
    unit: Unit
    kind: str = Field(description="mass, volume or count.")
    on_hand: float
    reorder_level: float
    supplier: str
    cost: int = Field(description="Minor units per one unit.")
    stock_value: int = Field(description="Minor units.")
    low: bool
    out: bool


class IngredientList(BaseModel):
    """The restaurant's ingredients by name."""

    items: list[IngredientRead]
    total: int


class MovementKind(StrEnum):
    """What moved the stock."""

    delivery = "delivery"
    use = "use"
    give_back = "return"
    waste = "waste"
    stock_count = "count"


class DeliveryCreate(BaseModel):
    """Stock arrived: ``quantity`` of ``unit`` (default the ingredient's); ``cost`` is
    what it cost in all, minor units (optional)."""

    model_config = ConfigDict(extra="forbid")

    ingredient_id: Id
    quantity: PositiveQuantity
    unit: Unit | None = None
    cost: Money | None = Field(default=None, description="Price paid, minor units.")
    note: FreeText = Field(default="", max_length=500)


class WasteCreate(BaseModel):
    """Stock thrown away (dropped, spoiled, burnt) with a ``reason``."""

    model_config = ConfigDict(extra="forbid")

    ingredient_id: Id
    quantity: PositiveQuantity
    unit: Unit | None = None
    reason: SingleLine = Field(min_length=1, max_length=500)


class CountCreate(BaseModel):
    """A stock count: ``counted`` of ``unit`` is what is there; the ledger gets the
    correction that makes the stock on hand equal to it."""

    model_config = ConfigDict(extra="forbid")

    ingredient_id: Id
    counted: Quantity
    unit: Unit | None = None
    note: FreeText = Field(default="", max_length=500)


class MovementRead(BaseModel):
    """One entry of the ledger; ``quantity`` signed, in the ingredient's unit
    (``counted`` too, for a count); ``cost`` of a delivery in minor units."""

    id: int
    ingredient_id: int
    kind: MovementKind
    quantity: float
    counted: float | None
    cost: int | None
    reason: str
    order_item_id: int | None
    created_by: int | None
    created_at: datetime


class MovementList(BaseModel):
    """Movements newest first."""

    items: list[MovementRead]
    total: int


class StockChange(BaseModel):
    """The movement written and the ingredient after it."""

    movement: MovementRead
    ingredient: IngredientRead


class RecipeLineIn(BaseModel):
    """``quantity`` of ``unit`` (default the ingredient's) of an ingredient per one unit
    sold; for an item, ``variation_id`` limits the line to one size (``null``: all)."""

    model_config = ConfigDict(extra="forbid")

    ingredient_id: Id
    quantity: PositiveQuantity
    unit: Unit | None = None
    variation_id: Id | None = None


class RecipeSet(BaseModel):
    """The whole recipe (replaces the one there; ``[]`` clears it)."""

    model_config = ConfigDict(extra="forbid")

    lines: list[RecipeLineIn] = Field(max_length=100)


class RecipeLineRead(BaseModel):
    """A recipe line, ``quantity`` in the ingredient's ``unit``."""

    ingredient_id: int
    ingredient_name: str
    quantity: float
    unit: Unit
    variation_id: int | None


class RecipeRead(BaseModel):
    """The recipe of a menu item (``menu_item_id``) or of a modifier (``modifier_id``)."""

    menu_item_id: int | None
    modifier_id: int | None
    lines: list[RecipeLineRead]


class RecipeList(BaseModel):
    """Every recipe of the restaurant: items' then modifiers', by id."""

    items: list[RecipeRead]
    total: int


class ReorderLine(BaseModel):
    """A low ingredient: ``suggested`` brings it to twice its reorder level (in its
    unit); ``estimated_cost`` at its cost, minor units."""

    ingredient_id: int
    name: str
    unit: Unit
    on_hand: float
    reorder_level: float
    suggested: float
    estimated_cost: int = Field(description="Minor units.")


class SupplierOrder(BaseModel):
    """What to order from one supplier (``""``: no supplier named)."""

    supplier: str
    lines: list[ReorderLine]
    estimated_cost: int = Field(description="Minor units.")


class ReorderList(BaseModel):
    """Low ingredients by supplier (suppliers by name, lines by ingredient name)."""

    suppliers: list[SupplierOrder]
    estimated_cost: int = Field(description="Minor units.")


class UsageLine(BaseModel):
    """One ingredient's use over the range, in its unit.

    ``theoretical``: what the recipes of fired lines used (less what voids gave back);
    ``actual``: ``theoretical`` less the counts' corrections (a count that finds less
    than the ledger said means more was used); ``variance = actual - theoretical``,
    ``variance_cost`` at the ingredient's cost (minor units; positive: a loss).
    ``delivered`` and ``wasted`` for reference.
    """

    ingredient_id: int
    name: str
    unit: Unit
    theoretical: float
    actual: float
    variance: float
    variance_cost: int = Field(description="Minor units.")
    delivered: float
    wasted: float


class UsageReport(BaseModel):
    """Theoretical against actual use from ``start_date`` to ``end_date`` (inclusive,
    the restaurant's local dates), ingredients by name."""

    start_date: date
    end_date: date
    lines: list[UsageLine]
    variance_cost: int = Field(description="Minor units.")
