"""The check's arithmetic: tax inclusive and exclusive, half-up, in minor units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brigade.billing.service import compute_amounts


@pytest.mark.parametrize(
    ("subtotal", "rate_bp", "inclusive", "tax", "total"),
    [
        (1725, 1000, False, 173, 1898),  # 172.5 -> 173
        (1724, 1000, False, 172, 1896),  # 172.4 -> 172
        (1000, 825, False, 83, 1083),  # 82.5 -> 83
        (21, 2000, True, 3, 21),  # net 17.5 -> 18
        (1000, 2000, True, 167, 1000),  # net 833.33 -> 833
        (1497, 2000, True, 249, 1497),  # net 1247.5 -> 1248
        (999, 0, False, 0, 999),
        (999, 0, True, 0, 999),
    ],
)
def test_tax(subtotal: int, rate_bp: int, inclusive: bool, tax: int, total: int) -> None:
    amounts = compute_amounts(subtotal, rate_bp, inclusive)
    assert (amounts.tax_total, amounts.total) == (tax, total)


def test_discount_is_taken_before_tax() -> None:
    amounts = compute_amounts(2000, 1000, False, discount_total=500)
    assert (amounts.tax_total, amounts.total) == (150, 1650)


@given(st.integers(0, 10_000_000), st.integers(0, 5000))
def test_inclusive_tax_and_net_add_up(subtotal: int, rate_bp: int) -> None:
    amounts = compute_amounts(subtotal, rate_bp, True)
    net = amounts.total - amounts.tax_total
    assert amounts.total == subtotal
    # the net is the tax-free price rounded half-up: |net * (1 + rate) - subtotal| <= half a unit
    assert abs(net * (10_000 + rate_bp) - subtotal * 10_000) * 2 <= 10_000 + rate_bp
