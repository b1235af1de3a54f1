"""The worked examples of docs/checks.md are what brigade.billing.pricing computes.

Each example below is priced and rendered as the page shows it (a Markdown table); the
page must contain every rendering exactly. Run this module as a script to print them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from brigade.billing.pricing import (
    Discount,
    DiscountKind,
    Line,
    ServiceCharge,
    TaxRule,
    price,
    round_cash,
)

PAGE = Path(__file__).resolve().parents[2] / "docs" / "checks.md"

SALES = TaxRule(None, "Tax", 825, False)
VAT10 = TaxRule(1, "VAT 10 %", 1000, True)
VAT20 = TaxRule(2, "VAT 20 %", 2000, True)
VAT_DEFAULT = TaxRule(None, "Tax", 1000, True)


@dataclass(frozen=True)
class Example:
    """A check to price: named lines, discounts, an optional service charge and a cash
    rounding unit (minor units)."""

    title: str
    lines: list[tuple[str, Line]]
    discounts: tuple[Discount, ...] = ()
    service: ServiceCharge | None = None
    cash_unit: int = 1


EXAMPLES = [
    Example(
        "Exclusive tax (8.25 % added)",
        [("Burger", Line(1, 1295, SALES)), ("Fries", Line(2, 450, SALES))],
    ),
    Example(
        "Inclusive tax (VAT 10 % in the prices)",
        [("Pasta", Line(1, 1450, VAT10)), ("Water", Line(2, 300, VAT10))],
    ),
    Example(
        "Several rates on one check",
        [
            ("Pizza", Line(1, 1200, VAT10)),
            ("Salad", Line(2, 850, VAT10)),
            ("Wine", Line(3, 2400, VAT20)),
        ],
    ),
    Example(
        "A check discount spread over the rates",
        [("Pizza", Line(1, 1200, VAT10)), ("Wine", Line(2, 2400, VAT20))],
        (Discount(1, DiscountKind.percent, 1500),),
    ),
    Example(
        "A line discount, a comp and a taxable service charge",
        [
            ("Steak", Line(1, 2800, VAT_DEFAULT)),
            ("Dessert", Line(2, 700, VAT_DEFAULT)),
            ("Coffee", Line(3, 350, VAT_DEFAULT)),
        ],
        (
            Discount(1, DiscountKind.fixed, 300, line_key=1),
            Discount(2, DiscountKind.comp, 0, line_key=3),
        ),
        ServiceCharge(1000, True, VAT_DEFAULT),
    ),
    Example(
        "Cash rounding to 0.05",
        [("Burger", Line(1, 1295, SALES)), ("Soda", Line(2, 250, SALES))],
        cash_unit=5,
    ),
]


def money(amount: int) -> str:
    """Minor units as a two-decimal amount (``1295`` -> ``12.95``)."""
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    return f"{sign}{whole}.{cents:02d}"


def render(example: Example) -> str:
    """The Markdown table of ``example`` priced, as on the page."""
    lines = [line for _, line in example.lines]
    p = price(lines, example.discounts, example.service)
    rows = [f"| {name} | {line.tax.name} | {money(line.amount)} |" for name, line in example.lines]
    for d in example.discounts:
        names = {line.key: name for name, line in example.lines}
        target = names[d.line_key] if d.line_key is not None else ""
        label = {
            DiscountKind.percent: f"{d.value / 100:g} % off",
            DiscountKind.fixed: f"{money(d.value)} off",
            DiscountKind.comp: "comp",
        }[d.kind]
        where = f" ({target})" if target else " (check)"
        rows.append(f"| Discount: {label}{where} | | -{money(p.discounts[d.key].amount)} |")
    rows.append(f"| **Subtotal** | | {money(p.subtotal)} |")
    if p.discount_total:
        rows.append(f"| **Discounts** | | -{money(p.discount_total)} |")
    if example.service is not None:
        taxed = "taxable" if example.service.taxable else "not taxed"
        rows.append(
            f"| Service charge {example.service.rate_bp / 100:g} % ({taxed}) | | "
            f"{money(p.service_charge)} |"
        )
    for t in p.taxes:
        kind = "included" if t.rule.inclusive else "added"
        rows.append(
            f"| {t.rule.name} ({t.rule.rate_bp / 100:g} %, {kind}) on {money(t.base)} | | "
            f"{money(t.tax)} |"
        )
    rows.append(f"| **Total** | | **{money(p.total)}** |")
    if example.cash_unit > 1:
        due = round_cash(p.total, example.cash_unit)
        rows.append(f"| Due in cash (rounding {money(due - p.total)}) | | {money(due)} |")
    head = ["| | Tax rate | Amount |", "| --- | --- | ---: |"]
    return "\n".join([f"#### {example.title}", "", *head, *rows])


def test_every_worked_example_is_on_the_page() -> None:
    page = PAGE.read_text()
    for example in EXAMPLES:
        assert render(example) in page, f"docs/checks.md: update {example.title!r}"


if __name__ == "__main__":
    for example in EXAMPLES:
        print(render(example), end="\n\n")  # noqa: T201
