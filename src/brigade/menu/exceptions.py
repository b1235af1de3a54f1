"""Errors of the menu context (problem+json ``type`` slugs are stable)."""

from __future__ import annotations

from brigade.infra.errors import Conflict, InvalidInput


class ItemUnavailable(Conflict):
    """The item, the chosen variation or a chosen modifier is 86'd (or has no price)."""

    type = "item-unavailable"
    title = "The item is not available"


class VariationRequired(InvalidInput):
    """The item has several variations (sizes) and none was chosen."""

    type = "variation-required"
    title = "Choose a variation of this item"


class ModifierChoiceInvalid(InvalidInput):
    """A modifier group's min/max is broken, a modifier is chosen twice, or the item does
    not offer the modifier."""

    type = "modifier-choice-invalid"
    title = "Invalid modifier choice"


class SkuTaken(Conflict):
    """Another variation of the restaurant has this SKU."""

    type = "sku-taken"
    title = "A variation with this SKU exists"


class CategoryNotEmpty(Conflict):
    """A category that still holds items cannot be deleted."""

    type = "category-not-empty"
    title = "The category still has items"


class ModifierGroupRangeInvalid(InvalidInput):
    """A modifier group needs ``0 <= min_choices <= max_choices`` and ``max_choices >= 1``."""

    type = "modifier-group-range-invalid"
    title = "Invalid min/max choices"


class UnknownTaxRate(InvalidInput):
    """The ``tax_rate_id`` a category or item names is no tax rate of the restaurant."""

    type = "unknown-tax-rate"
    title = "Unknown tax rate"
