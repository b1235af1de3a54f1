"""Units of stock and the conversions between units of one kind.

Every quantity is stored as an integer of **milli base units** of its kind: a gram is
1,000 (milligrams), a millilitre 1,000 (microlitres), a piece 1,000. A quantity given in
another unit of the same kind converts exactly (``2.5 kg`` → 2,500,000); converting
between kinds (litres of flour) is refused with :class:`UnitMismatch` (422), and a
quantity finer than the base (``0.0001 g``) with :class:`QuantityTooPrecise` (422).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from brigade.inventory.exceptions import QuantityTooPrecise, UnitMismatch


class Unit(StrEnum):
    """A unit an ingredient is counted in or a quantity is given in."""

    mg = "mg"
    g = "g"
    kg = "kg"
    ml = "ml"
    cl = "cl"
    l = "l"  # noqa: E741 - the litre's symbol
    piece = "piece"
    dozen = "dozen"


#: Kind of each unit and how many milli base units one of it is.
UNITS: Final[dict[Unit, tuple[str, int]]] = {
    Unit.mg: ("mass", 1),
    Unit.g: ("mass", 1_000),
    Unit.kg: ("mass", 1_000_000),
    Unit.ml: ("volume", 1_000),
    Unit.cl: ("volume", 10_000),
    Unit.l: ("volume", 1_000_000),
    Unit.piece: ("count", 1_000),
    Unit.dozen: ("count", 12_000),
}


def kind(unit: Unit) -> str:
    """``"mass"``, ``"volume"`` or ``"count"``."""
    return UNITS[unit][0]


def to_base(quantity: Decimal, unit: Unit, ingredient_unit: Unit) -> int:
    """``quantity`` of ``unit`` as milli base units of an ingredient counted in
    ``ingredient_unit``. Raises :class:`UnitMismatch` when the kinds differ and
    :class:`QuantityTooPrecise` when the result is not a whole number."""
    if kind(unit) != kind(ingredient_unit):
        raise UnitMismatch(
            f"{unit.value} ({kind(unit)}) does not convert to {ingredient_unit.value}"
            f" ({kind(ingredient_unit)})",
            unit=unit.value,
            ingredient_unit=ingredient_unit.value,
        )
    base = quantity * UNITS[unit][1]
    if base != base.to_integral_value():
        raise QuantityTooPrecise(
            f"{quantity} {unit.value} is finer than the stock keeps (1/1000 of a {_smallest(unit)})"
        )
    return int(base)


def _smallest(unit: Unit) -> str:
    return {"mass": "gram", "volume": "millilitre", "count": "piece"}[kind(unit)]


def from_base(base: int, unit: Unit) -> float:
    """Milli base units ``base`` in ``unit`` (``2_500_000`` in kg: ``2.5``), for reading."""
    return float(Decimal(base) / UNITS[unit][1])


def cost_of(base: int, unit: Unit, cost_per_unit: int) -> int:
    """What ``base`` milli base units cost at ``cost_per_unit`` minor units per ``unit``,
    rounded half-up to the minor unit."""
    value = Decimal(base) * cost_per_unit / UNITS[unit][1]
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
