"""Money arithmetic in integer minor units.

Rounding is half-up (half away from zero for positive amounts), as DESIGN.md requires for
tax, discounts and splits.
"""

from __future__ import annotations


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
