"""Request and response bodies of the menu context. Prices are integers in the
restaurant's minor units (cents for USD)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from brigade.inputs import FreeText, Id, Position, SingleLine
from brigade.menu.kinds import ModifierKind
from brigade.money import Money

#: The most modifiers a group has; ``min_choices`` and ``max_choices`` are at most this.
MAX_MODIFIERS_PER_GROUP = 100
#: How many of a group's modifiers a line picks at least / at most.
Choices = Annotated[int, Field(ge=0, le=MAX_MODIFIERS_PER_GROUP)]
MaxChoices = Annotated[int, Field(ge=1, le=MAX_MODIFIERS_PER_GROUP)]

# --- categories -----------------------------------------------------------------------


class CategoryCreate(BaseModel):
    """A new menu section."""

    name: SingleLine = Field(min_length=1, max_length=100)
    position: Position = 0
    tax_rate_id: Id | None = Field(
        default=None, description="The restaurant's tax rate of its items (null: the default rate)."
    )


class CategoryUpdate(BaseModel):
    """Changes to a category; every field optional. ``tax_rate_id``: a rate, or an
    explicit ``null`` to go back to the restaurant's default rate."""

    name: SingleLine | None = Field(default=None, min_length=1, max_length=100)
    position: Position | None = None
    tax_rate_id: Id | None = Field(
        default=None, description="The restaurant's tax rate of its items (null: the default rate)."
    )


class CategoryRead(BaseModel):
    """A menu section."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    position: int
    tax_rate_id: int | None = Field(default=None, description="null: the default rate.")


class CategoryList(BaseModel):
    """Categories ordered by position, then id."""

    items: list[CategoryRead]
    total: int


# --- variations -----------------------------------------------------------------------


class VariationCreate(BaseModel):
    """A priced form (size) of an item. ``sku`` is unique in the restaurant."""

    name: SingleLine = Field(min_length=1, max_length=100)
    sku: SingleLine = Field(min_length=1, max_length=100)
    price: Money = Field(description="Price in minor units.")
    position: Position = 0
    is_available: bool = True


class VariationUpdate(BaseModel):
    """Changes to a variation; every field optional."""

    name: SingleLine | None = Field(default=None, min_length=1, max_length=100)
    sku: SingleLine | None = Field(default=None, min_length=1, max_length=100)
    price: Money | None = Field(default=None, description="Price in minor units.")
    position: Position | None = None
    is_available: bool | None = None


class VariationRead(BaseModel):
    """A variation of ``item_id``; ``price`` in minor units."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    item_id: int
    name: str
    sku: str
    price: int = Field(description="Price in minor units.")
    position: int
    is_available: bool


class VariationList(BaseModel):
    """An item's variations ordered by position, then id."""

    items: list[VariationRead]
    total: int


# --- items ----------------------------------------------------------------------------


class MenuItemCreate(BaseModel):
    """A new dish or drink, optionally with its variations (sizes) at once."""

    category_id: Id
    name: SingleLine = Field(min_length=1, max_length=200)
    description: FreeText = Field(default="", max_length=5000)
    ingredients: list[SingleLine] = Field(default_factory=list, max_length=200)
    station: SingleLine = Field(
        default="kitchen", min_length=1, max_length=64, description="Kitchen station."
    )
    position: Position = 0
    is_available: bool = True
    variations: list[VariationCreate] = Field(default_factory=list, max_length=50)
    tax_rate_id: Id | None = Field(
        default=None, description="The restaurant's tax rate of this item (null: its category's)."
    )


class MenuItemUpdate(BaseModel):
    """Changes to an item; every field optional (variations have their own routes).
    ``tax_rate_id``: a rate, or an explicit ``null`` to go back to the category's."""

    category_id: Id | None = None
    name: SingleLine | None = Field(default=None, min_length=1, max_length=200)
    description: FreeText | None = Field(default=None, max_length=5000)
    ingredients: list[SingleLine] | None = Field(default=None, max_length=200)
    station: SingleLine | None = Field(default=None, min_length=1, max_length=64)
    position: Position | None = None
    is_available: bool | None = None
    tax_rate_id: Id | None = Field(
        default=None, description="The restaurant's tax rate of this item (null: its category's)."
    )


class MenuItemRead(BaseModel):
    """An item with its variations and the ids of the modifier groups it offers."""

    id: int
    category_id: int
    name: str
    description: str
    ingredients: list[str]
    station: str
    is_available: bool
    remaining: int | None = Field(
        default=None, description="Portions left (counted down by orders); null: unlimited."
    )
    unavailable_reason: str | None = Field(
        default=None,
        description="Why it is 86'd: 'manual' (by a person) or 'stock' (an ingredient ran"
        " out; back when stock arrives); null while available.",
    )
    position: int
    variations: list[VariationRead]
    modifier_group_ids: list[int]
    tax_rate_id: int | None = Field(default=None, description="null: its category's rate.")


class MenuItemList(BaseModel):
    """Items ordered by position, then id."""

    items: list[MenuItemRead]
    total: int


class AvailabilitySet(BaseModel):
    """86 (``is_available: false``) or un-86 (``true``) an item, and/or set its count.

    ``remaining`` (when sent) is the portions left (``null``: not counted, unlimited);
    each order counts it down and 86s the item at 0. Sent alone, the item is available
    when the count is above 0 and 86'd at 0 (raising the count brings it back). An
    un-86 (``is_available: true``) without ``remaining`` of an item at 0 makes it
    unlimited again. At least one member is required; ``is_available: true`` with
    ``remaining: 0`` is a contradiction (422).
    """

    is_available: bool | None = None
    remaining: int | None = Field(
        default=None, ge=0, le=100_000, description="Portions left; null: unlimited."
    )

    @model_validator(mode="after")
    def _consistent(self) -> AvailabilitySet:
        if "is_available" not in self.model_fields_set and "remaining" not in self.model_fields_set:
            raise ValueError("send is_available, remaining or both")
        if "is_available" in self.model_fields_set and self.is_available is None:
            raise ValueError("is_available must be true or false")
        if self.is_available is True and self.remaining == 0:
            raise ValueError("an item with 0 left cannot be available")
        return self


class ItemModifierGroupsSet(BaseModel):
    """The modifier groups an item offers, in display order (replaces the list)."""

    group_ids: list[Id] = Field(max_length=50)


# --- modifier groups ------------------------------------------------------------------


class ModifierCreate(BaseModel):
    """A choice in a modifier group; ``id`` set in an update keeps that modifier."""

    id: Id | None = Field(default=None, description="Existing modifier to keep (updates).")
    name: SingleLine = Field(min_length=1, max_length=100)
    price_delta: Money = Field(default=0, description="Added price in minor units.")
    is_available: bool = True
    kind: ModifierKind = Field(
        default=ModifierKind.add,
        description=(
            "add (an extra), remove (leave the ingredient out: 'NO onions') or light "
            "('LIGHT cheese'); remove and light never cost more (price_delta <= 0)."
        ),
    )

    @model_validator(mode="after")
    def _taking_away_costs_nothing_more(self) -> ModifierCreate:
        """A ``remove`` or ``light`` modifier with a positive price is refused (422)."""
        if self.kind is not ModifierKind.add and self.price_delta > 0:
            raise ValueError(f"a {self.kind} modifier cannot add to the price")
        return self


class ModifierRead(BaseModel):
    """A modifier; ``price_delta`` in minor units; ``kind`` add, remove or light."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    price_delta: int
    position: int
    is_available: bool
    kind: ModifierKind


class ModifierGroupCreate(BaseModel):
    """A group of choices: pick ``min_choices`` to ``max_choices`` of ``modifiers``
    (``0 <= min_choices <= max_choices``, ``max_choices >= 1``)."""

    name: SingleLine = Field(min_length=1, max_length=100)
    min_choices: Choices = 0
    max_choices: MaxChoices = 1
    position: Position = 0
    modifiers: list[ModifierCreate] = Field(
        default_factory=list, max_length=MAX_MODIFIERS_PER_GROUP
    )


class ModifierGroupUpdate(BaseModel):
    """Changes to a group; every field optional. ``modifiers``, when given, is the new
    list in order: entries with an ``id`` update that modifier, entries without create
    one, and the group's modifiers left out are deleted."""

    name: SingleLine | None = Field(default=None, min_length=1, max_length=100)
    min_choices: Choices | None = None
    max_choices: MaxChoices | None = None
    position: Position | None = None
    modifiers: list[ModifierCreate] | None = Field(default=None, max_length=MAX_MODIFIERS_PER_GROUP)


class ModifierGroupRead(BaseModel):
    """A modifier group with its modifiers in order."""

    id: int
    name: str
    min_choices: int
    max_choices: int
    position: int
    modifiers: list[ModifierRead]


class ModifierGroupList(BaseModel):
    """Modifier groups ordered by position, then id."""

    items: list[ModifierGroupRead]
    total: int


# --- the whole menu -------------------------------------------------------------------


class MenuModifier(BaseModel):
    """A modifier as shown on the menu; ``price_delta`` in minor units; ``label`` is
    how the kitchen reads it (``NO Red Onions``, see :mod:`brigade.menu.kinds`)."""

    id: int
    name: str
    price_delta: int
    is_available: bool
    kind: ModifierKind = ModifierKind.add
    label: str


class MenuModifierGroup(BaseModel):
    """A modifier group offered by an item."""

    id: int
    name: str
    min_choices: int
    max_choices: int
    modifiers: list[MenuModifier]


class MenuVariation(BaseModel):
    """A size of an item; ``price`` in minor units."""

    id: int
    name: str
    sku: str
    price: int
    is_available: bool


class MenuEntry(BaseModel):
    """An item as shown on the menu (``is_available=False``: 86'd)."""

    id: int
    name: str
    description: str
    ingredients: list[str]
    station: str
    is_available: bool
    remaining: int | None = Field(
        default=None, description="Portions left (counted down by orders); null: unlimited."
    )
    position: int
    variations: list[MenuVariation]
    modifier_groups: list[MenuModifierGroup]


class MenuSection(BaseModel):
    """A category with its items, in position order."""

    id: int
    name: str
    position: int
    items: list[MenuEntry]


class MenuRead(BaseModel):
    """The whole menu of a restaurant in one document, everything in position order;
    prices in minor units of ``currency``."""

    restaurant_id: int
    currency: str
    categories: list[MenuSection]
