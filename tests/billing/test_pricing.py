"""brigade.billing.pricing: the rules of a check's money, examples and properties."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brigade.billing.pricing import (
    Discount,
    DiscountKind,
    Line,
    ServiceCharge,
    TaxRule,
    needs_approval,
    price,
    round_cash,
    spread,
)

VAT10 = TaxRule(1, "VAT 10 %", 1000, True)
VAT20 = TaxRule(2, "VAT 20 %", 2000, True)
SALES = TaxRule(None, "Tax", 825, False)
LIQUOR = TaxRule(3, "Liquor", 1000, False)


def half_up(value: Fraction) -> int:
    """``value`` (≥ 0) rounded half-up to an integer, exactly."""
    return int(value + Fraction(1, 2))


class TestExamples:
    def test_one_exclusive_rate(self) -> None:
        priced = price([Line(1, 1000, SALES), Line(2, 250, SALES)])
        assert (priced.subtotal, priced.tax_total, priced.total) == (1250, 103, 1353)
        (tax,) = priced.taxes
        assert (tax.base, tax.tax, tax.net) == (1250, 103, 1250)

    def test_one_inclusive_rate_is_in_the_prices(self) -> None:
        priced = price([Line(1, 1100, VAT10)])
        assert (priced.tax_total, priced.total, priced.taxes[0].net) == (100, 1100, 1000)

    def test_rounding_is_per_rate_not_per_line(self) -> None:
        # Three lines of 5 at 8.25 %: 0.4125 each would round to 0 per line; the sum
        # 15 gives 1.2375 -> 1.
        priced = price([Line(i, 5, SALES) for i in range(3)])
        assert priced.tax_total == 1
        assert priced.total == 16

    def test_several_rates_and_both_kinds(self) -> None:
        priced = price([Line(1, 1100, VAT10), Line(2, 1200, VAT20), Line(3, 800, LIQUOR)])
        assert [(t.rule.name, t.base, t.tax) for t in priced.taxes] == [
            ("Liquor", 800, 80),
            ("VAT 10 %", 1100, 100),
            ("VAT 20 %", 1200, 200),
        ]
        assert priced.total == 1100 + 1200 + 800 + 80

    def test_check_discount_is_spread_over_the_rates(self) -> None:
        priced = price(
            [Line(1, 1000, VAT10), Line(2, 3000, VAT20)],
            [Discount(9, DiscountKind.fixed, 1000)],
        )
        assert priced.discount_total == 1000
        assert priced.line_discounts == {1: 250, 2: 750}
        assert [(t.base, t.tax) for t in priced.taxes] == [(750, 68), (2250, 375)]
        assert priced.total == 3000

    def test_line_discounts_comps_and_caps(self) -> None:
        priced = price(
            [Line(1, 1000, SALES), Line(2, 600, SALES)],
            [
                Discount(1, DiscountKind.percent, 1000, line_key=1),
                Discount(2, DiscountKind.comp, 0, line_key=2),
                Discount(3, DiscountKind.fixed, 5000, line_key=1),
                Discount(4, DiscountKind.fixed, 100, line_key=99),  # a voided line
            ],
        )
        assert priced.discounts[1].amount == 100
        assert priced.discounts[2].amount == 600
        assert (priced.discounts[3].amount, priced.discounts[3].requested) == (900, 5000)
        assert priced.discounts[4].amount == 0
        assert (priced.comp_total, priced.discount_total, priced.total) == (600, 1600, 0)
        assert priced.taxes == []

    def test_service_charge_taxable_or_not(self) -> None:
        lines = [Line(1, 2000, SALES)]
        untaxed = price(lines, service_charge=ServiceCharge(1250, False, SALES))
        assert (untaxed.service_charge, untaxed.tax_total, untaxed.total) == (250, 165, 2415)
        taxed = price(lines, service_charge=ServiceCharge(1250, True, SALES))
        assert (taxed.service_charge, taxed.tax_total, taxed.total) == (250, 186, 2436)
        assert taxed.taxes[0].base == 2250


class TestHelpers:
    def test_cash_rounding_half_up_to_the_unit(self) -> None:
        assert [round_cash(a, 5) for a in (1000, 1001, 1002, 1003, 1004, 1005)] == [
            1000,
            1000,
            1000,
            1005,
            1005,
            1005,
        ]
        assert round_cash(1234, 1) == 1234
        assert round_cash(1250, 100) == 1300
        with pytest.raises(ValueError, match="unit"):
            round_cash(10, 0)

    def test_approval_threshold_is_exact(self) -> None:
        assert not needs_approval(2000, 10000, 2000)
        assert needs_approval(2001, 10000, 2000)
        assert needs_approval(1, 10000, 0)
        assert not needs_approval(0, 10000, 0)

    @given(st.integers(0, 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=20))
    def test_spread_adds_up_and_stays_within_weights(self, total: int, weights: list[int]) -> None:
        total = min(total, sum(weights))
        parts = spread(total, weights)
        assert sum(parts) == total
        assert all(0 <= p <= w for p, w in zip(parts, weights, strict=True))


RULES = st.sampled_from(
    [
        TaxRule(None, "Tax", 825, False),
        TaxRule(1, "VAT 7 %", 700, True),
        TaxRule(2, "VAT 19 %", 1900, True),
        TaxRule(3, "Liquor", 1350, False),
        TaxRule(4, "Zero", 0, True),
    ]
)


@st.composite
def checks(draw: st.DrawFn) -> tuple[list[Line], list[Discount], ServiceCharge | None]:
    amounts = draw(st.lists(st.integers(0, 500_000), min_size=1, max_size=12))
    lines = [Line(i + 1, a, draw(RULES)) for i, a in enumerate(amounts)]
    discounts = []
    for key in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(list(DiscountKind)))
        on_line = kind is DiscountKind.comp or draw(st.booleans())
        value = (
            0
            if kind is DiscountKind.comp
            else draw(st.integers(1, 10_000))
            if kind is DiscountKind.percent
            else draw(st.integers(1, 200_000))
        )
        line_key = draw(st.integers(1, len(lines) + 1)) if on_line else None
        discounts.append(Discount(key, kind, value, line_key))
    service = draw(st.none() | st.builds(ServiceCharge, st.integers(0, 2500), st.booleans(), RULES))
    return lines, discounts, service


@settings(max_examples=400, deadline=None)
@given(checks())
def test_a_check_always_adds_up(
    check: tuple[list[Line], list[Discount], ServiceCharge | None],
) -> None:
    """Lines at several inclusive and exclusive rates, with line and check discounts,
    comps and a service charge: the parts add up to the total to the cent."""
    lines, discounts, service = check
    p = price(lines, discounts, service)
    assert p.subtotal == sum(line.amount for line in lines)
    assert p.discount_total == sum(d.amount for d in p.discounts.values())
    assert p.discount_total == sum(p.line_discounts.values())
    assert 0 <= p.discount_total <= p.subtotal
    assert all(0 <= d.amount <= d.requested or d.requested == 0 for d in p.discounts.values())
    for line in lines:
        assert 0 <= p.line_discounts[line.key] <= line.amount
    untaxed_charge = p.service_charge if service is not None and not service.taxable else 0
    added = sum(t.tax for t in p.taxes if not t.rule.inclusive)
    assert p.total == sum(t.base for t in p.taxes) + added + untaxed_charge
    assert p.total == p.subtotal - p.discount_total + p.service_charge + added
    assert p.tax_total == sum(t.tax for t in p.taxes)
    for t in p.taxes:
        rate = Fraction(t.rule.rate_bp, 10_000)
        if t.rule.inclusive:
            assert t.tax == t.base - half_up(t.base / (1 + rate))
        else:
            assert t.tax == half_up(t.base * rate)
        assert 0 <= t.tax <= t.base or not t.rule.inclusive
    assert len({t.rule for t in p.taxes}) == len(p.taxes)
