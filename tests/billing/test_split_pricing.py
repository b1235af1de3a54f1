"""brigade.billing.pricing splits: worked examples and the property that any split adds
up to the whole check, amount by amount and rate by rate."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from brigade.billing.pricing import (
    Discount,
    DiscountKind,
    Line,
    Part,
    Priced,
    ServiceCharge,
    SplitError,
    TaxRule,
    price,
    split_by_amounts,
    split_by_lines,
    split_even,
)

SALES = TaxRule(None, "Tax", 1000, False)
VAT10 = TaxRule(1, "VAT 10 %", 1000, True)
VAT20 = TaxRule(2, "VAT 20 %", 2000, True)
LIQUOR = TaxRule(3, "Liquor", 825, False)
RULES = [SALES, VAT10, VAT20, LIQUOR]


def assert_adds_up(priced: Priced, parts: Sequence[Part]) -> None:
    """The parts add up to the whole, amount by amount and at every rate, and each part
    adds up on its own."""
    assert sum(p.total for p in parts) == priced.total
    assert sum(p.subtotal for p in parts) == priced.subtotal
    assert sum(p.discount_total for p in parts) == priced.discount_total
    assert sum(p.service_charge for p in parts) == priced.service_charge
    assert sum(p.tax_total for p in parts) == priced.tax_total
    for whole in priced.taxes:
        at = [t for p in parts for t in p.taxes if t.rule == whole.rule]
        assert sum(t.tax for t in at) == whole.tax
        assert sum(t.base for t in at) == whole.base
    for p in parts:
        added = sum(t.tax for t in p.taxes if not t.rule.inclusive)
        assert p.total == p.subtotal - p.discount_total + p.service_charge + added
        assert min(p.subtotal, p.total, p.tax_total, p.discount_total) >= 0
        assert {t.rule for t in p.taxes} <= {t.rule for t in priced.taxes}


class TestExamples:
    def test_even_three_ways_leftover_to_the_first_part(self) -> None:
        # docs/checks.md: 1000 at 10 % exclusive, total 1100, in three.
        lines = [Line(1, 1000, SALES)]
        priced = price(lines)
        parts = split_even(lines, priced, 3)
        assert [p.total for p in parts] == [367, 367, 366]
        assert [p.tax_total for p in parts] == [34, 33, 33]
        assert [p.subtotal for p in parts] == [333, 334, 333]
        assert [line.share for line in parts[0].lines] == [Fraction(367, 1100)]
        assert_adds_up(priced, parts)

    def test_a_third_of_a_pizza_and_a_whole_cola(self) -> None:
        # docs/checks.md: pizza 1000 in thirds, cola 300 to the first part, 10 % added.
        lines = [Line(1, 1000, SALES), Line(2, 300, SALES)]
        priced = price(lines)
        third = Fraction(1, 3)
        parts = split_by_lines(lines, priced, [{1: third, 2: Fraction(1)}, {1: third}, {1: third}])
        assert [p.subtotal for p in parts] == [334 + 300, 333, 333]
        assert [p.tax_total for p in parts] == [64, 33, 33]
        assert [p.total for p in parts] == [698, 366, 366]
        assert priced.total == 1430
        assert_adds_up(priced, parts)

    def test_by_lines_carries_discounts_and_service_charge(self) -> None:
        lines = [Line(1, 1500, VAT10), Line(2, 700, VAT20), Line(3, 333, LIQUOR)]
        discounts = [
            Discount(1, DiscountKind.percent, 1000, 1),
            Discount(2, DiscountKind.fixed, 101),
        ]
        service = ServiceCharge(1250, True, SALES)
        priced = price(lines, discounts, service)
        half = Fraction(1, 2)
        parts = split_by_lines(
            lines, priced, [{1: half, 2: Fraction(1)}, {1: half, 3: Fraction(1)}], service
        )
        assert_adds_up(priced, parts)
        assert [line.key for line in parts[1].lines] == [1, 3]

    def test_by_amounts(self) -> None:
        lines = [Line(1, 2000, VAT10), Line(2, 550, LIQUOR)]
        priced = price(lines)
        parts = split_by_amounts(lines, priced, [1000, priced.total - 1000])
        assert [p.total for p in parts] == [1000, priced.total - 1000]
        assert_adds_up(priced, parts)

    def test_shares_not_summing_to_one(self) -> None:
        lines = [Line(1, 1000, SALES)]
        with pytest.raises(SplitError, match="sum to 2/3"):
            split_by_lines(lines, price(lines), [{1: Fraction(1, 3)}, {1: Fraction(1, 3)}])

    def test_unknown_line_and_bad_amounts(self) -> None:
        lines = [Line(1, 1000, SALES)]
        priced = price(lines)
        with pytest.raises(SplitError, match="not on the check"):
            split_by_lines(lines, priced, [{1: Fraction(1)}, {9: Fraction(1)}])
        with pytest.raises(SplitError, match="sum to"):
            split_by_amounts(lines, priced, [100, 100])


amounts = st.integers(min_value=0, max_value=50_000)
line_lists = st.lists(st.tuples(amounts, st.sampled_from(RULES)), min_size=1, max_size=6).map(
    lambda ls: [Line(i + 1, a, r) for i, (a, r) in enumerate(ls)]
)


@st.composite
def checks(draw: st.DrawFn) -> tuple[list[Line], Priced, ServiceCharge | None]:
    lines = draw(line_lists)
    discounts = []
    for i, line in enumerate(lines):
        if draw(st.booleans()):
            value = draw(st.integers(min_value=1, max_value=10_000))
            discounts.append(Discount(i + 1, DiscountKind.percent, value, line.key))
    if draw(st.booleans()):
        value = draw(st.integers(min_value=1, max_value=20_000))
        discounts.append(Discount(100, DiscountKind.fixed, value))
    service = None
    if draw(st.booleans()):
        service = ServiceCharge(
            draw(st.integers(min_value=1, max_value=2_500)),
            draw(st.booleans()),
            draw(st.sampled_from(RULES)),
        )
    return lines, price(lines, discounts, service), service


class TestProperties:
    @settings(max_examples=300, deadline=None)
    @given(check=checks(), n=st.integers(min_value=1, max_value=12))
    def test_even(self, check: tuple[list[Line], Priced, ServiceCharge | None], n: int) -> None:
        lines, priced, _ = check
        try:
            parts = split_even(lines, priced, n)
        except SplitError:
            # Only a part of a cent or two cannot carry its share of the added amounts.
            assert priced.total < 10 * n
            return
        assert len(parts) == n
        totals = [p.total for p in parts]
        assert max(totals) - min(totals) <= 1
        assert totals == sorted(totals, reverse=True)  # leftover cents to the first parts
        assert_adds_up(priced, parts)

    @settings(max_examples=300, deadline=None)
    @given(check=checks(), data=st.data())
    def test_by_lines_with_shares(
        self, check: tuple[list[Line], Priced, ServiceCharge | None], data: st.DataObject
    ) -> None:
        lines, priced, service = check
        n = data.draw(st.integers(min_value=1, max_value=5))
        shares: list[dict[int, Fraction]] = [{} for _ in range(n)]
        for line in lines:
            cuts = data.draw(
                st.lists(st.integers(min_value=1, max_value=12), min_size=n, max_size=n)
            )
            on = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
            weights = [c if o else 0 for c, o in zip(cuts, on, strict=True)]
            if not any(weights):
                weights[0] = 1
            for p, w in enumerate(weights):
                if w:
                    shares[p][line.key] = Fraction(w, sum(weights))
        parts = split_by_lines(lines, priced, shares, service)
        assert_adds_up(priced, parts)
        for p, part in enumerate(parts):
            assert {line.key for line in part.lines} == set(shares[p])

    @settings(max_examples=300, deadline=None)
    @given(check=checks(), data=st.data())
    def test_by_amounts(
        self, check: tuple[list[Line], Priced, ServiceCharge | None], data: st.DataObject
    ) -> None:
        lines, priced, _ = check
        assume(priced.total >= 2)
        cuts = sorted(
            data.draw(
                st.lists(
                    st.integers(min_value=1, max_value=priced.total - 1),
                    min_size=1,
                    max_size=5,
                    unique=True,
                )
            )
        )
        bounds = [0, *cuts, priced.total]
        split = [b - a for a, b in zip(bounds, bounds[1:], strict=False)]
        try:
            parts = split_by_amounts(lines, priced, split)
        except SplitError:
            assert min(split) < 10
            return
        assert [p.total for p in parts] == split
        assert_adds_up(priced, parts)
