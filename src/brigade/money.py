"""Money in integer minor units: the bound of an amount a client sends, and arithmetic.

Rounding is half-up (half away from zero for positive amounts), as DESIGN.md requires for
tax, discounts and splits.

Every amount a client sends (a price, a modifier's price, a payment, cash tendered) is
:data:`Money` or :data:`PositiveMoney`: at most :data:`MAX_AMOUNT` minor units
(10,000,000.00 of a two-decimal currency), else a 422 ``validation-error`` naming the
field. The bound keeps every total far inside the signed 64-bit columns (and SQLite's
integer arithmetic) that store and sum them: an order line is at most
``MAX_QUANTITY * (price + MAX_MODIFIERS_PER_LINE modifiers)`` =
99 × 51 × 10^9 ≈ 5.0 × 10^12 (:data:`brigade.orders.schemas.MAX_LINE_TOTAL`), so a check
(its lines plus at most 100 % tax) overflows only past 900,000 such lines.
"""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import Field

#: The largest amount a client may send, in minor units.
MAX_AMOUNT: Final = 1_000_000_000

#: An amount in minor units, 0..MAX_AMOUNT.
Money = Annotated[int, Field(ge=0, le=MAX_AMOUNT)]
#: An amount in minor units, 1..MAX_AMOUNT.
PositiveMoney = Annotated[int, Field(ge=1, le=MAX_AMOUNT)]


def round_half_up_div(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half-up to an integer (both ≥ 0)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    if numerator < 0:
        return -round_half_up_div(-numerator, denominator)
    return (2 * numerator + denominator) // (2 * denominator)


def tax_exclusive(amount: int, rate_bp: int) -> int:
    """Tax added on top of ``amount`` (minor units) at ``rate_bp`` basis points."""
    return round_half_up_div(amount * rate_bp, 10_000)


def tax_inclusive(amount: int, rate_bp: int) -> int:
    """Tax contained in a tax-inclusive ``amount`` at ``rate_bp`` basis points:
    ``amount - amount / (1 + rate)``, rounded half-up."""
    return amount - round_half_up_div(amount * 10_000, 10_000 + rate_bp)


def allocate(total: int, parts: int) -> list[int]:
    """Split ``total`` into ``parts`` amounts that differ by at most one minor unit and
    add up to ``total`` exactly (the first ones get the extra units)."""
    if parts <= 0:
        raise ValueError("parts must be positive")
    base, extra = divmod(total, parts)
    return [base + 1 if i < extra else base for i in range(parts)]
