"""Errors of the inventory context (problem+json ``type`` slugs are stable)."""

from __future__ import annotations

from brigade.infra.errors import Conflict, InvalidInput


class UnitMismatch(InvalidInput):
    """A quantity was given in a unit of another kind than its ingredient's (litres of
    flour); extensions ``unit`` and ``ingredient_unit``."""

    type = "unit-mismatch"
    title = "The unit does not convert to the ingredient's"


class QuantityTooPrecise(InvalidInput):
    """A quantity is finer than a thousandth of a gram, millilitre or piece."""

    type = "quantity-too-precise"
    title = "The quantity is finer than the stock keeps"


class IngredientNameTaken(Conflict):
    """Another ingredient of the restaurant has this name (extension ``name``)."""

    type = "ingredient-name-taken"
    title = "An ingredient of this name exists"


class UnknownIngredient(InvalidInput):
    """A recipe or movement names an ingredient the restaurant does not have
    (extension ``ingredient_id``)."""

    type = "unknown-ingredient"
    title = "No such ingredient"


class UnknownVariation(InvalidInput):
    """A recipe line names a size that is not one of the item's (extension
    ``variation_id``)."""

    type = "unknown-variation"
    title = "No such size of the item"


class DuplicateRecipeLine(InvalidInput):
    """A recipe names the same ingredient twice for one size (extension
    ``ingredient_id``)."""

    type = "duplicate-recipe-line"
    title = "An ingredient appears twice in the recipe"


class InvalidDateRange(InvalidInput):
    """``start_date`` is after ``end_date``, or the range is longer than allowed."""

    type = "invalid-date-range"
    title = "Invalid date range"
