"""A check's money, computed from its lines and the restaurant's rules (pure: no I/O).

Every amount is an integer in minor units of the check's currency; rates are basis
points (1/100 %, 825 = 8.25 %). :func:`price` is the one place the rules live:

1. **Lines.** ``subtotal`` is the sum of the billed lines' ``amount`` (their
   ``line_total``: prices as on the menu, tax included for lines at an inclusive rate).
2. **Line discounts** (in the order they were given): ``percent`` takes
   ``amount × value / 10000`` rounded half-up, ``fixed`` takes ``value``, ``comp`` takes
   the whole line; none takes more than what is left of its line.
3. **Check discounts** (in order): ``percent`` takes ``value`` basis points of the lines
   after line discounts (the same base for each), ``fixed`` takes ``value``; none takes
   more than what is left of the check. Their sum is spread over the lines in proportion
   to what is left of each (largest remainder; ties to the earlier line), so every tax
   rate's base carries its share and the shares add up to the discount exactly.
4. **Service charge**: ``rate_bp`` of the discounted lines, rounded half-up; when
   ``taxable`` it joins the base of its tax rule (the restaurant's default rate), else it
   is added untaxed.
5. **Taxes, per rate per check**: the lines at one rate are summed first (after their
   discounts, with the taxable service charge), then the tax of that sum is rounded
   *once*, half-up to the minor unit: inclusive (VAT-style) ``base - base × 10000 /
   (10000 + rate_bp)`` (:func:`brigade.money.tax_inclusive`), exclusive ``base ×
   rate_bp / 10000`` (:func:`brigade.money.tax_exclusive`). Rounding per rate per check,
   not per line, is what issue 9 asks ("Rounding half-up per rate per check, stated
   once") and how an invoice states VAT: the taxable amount and the tax per rate
   (EU VAT Directive 2006/112/EC, art. 226 (8) and (10)); half-up to the minor unit is
   DESIGN.md's rule for tax, discounts and splits ("Money and time").
6. **Total** = ``subtotal - discount_total + service_charge`` + the taxes of exclusive
   rates (inclusive taxes are already in the prices). So ``total`` is, to the cent, the
   sum over the rates of ``base`` (plus ``tax`` for exclusive ones) plus an untaxed
   service charge.

Tips are never an input here: they are never discounted or taxed, and are not part of
``total`` (a payment carries its tip apart).

**Splits** (:func:`split_by_lines`, :func:`split_by_amounts`, :func:`split_even`) cut a
check priced by :func:`price` into parts that are checks of their own. Every amount of
the whole is *spread* over the parts with :func:`spread` (largest remainder: each part
gets its exact share rounded down, the cents left go one each to the parts with the
largest remainders, ties to the earlier part, so an even split's leftover cents go to
the first parts), which is why the parts add up to the whole to the cent, amount by
amount: subtotal, discounts, service charge, and at every rate the base and the tax.

- *By lines* (and by seat): each line's discounted amount and its discount are spread
  over the parts by the line's shares (fractions summing to 1); a part's service charge
  is its share of the check's in proportion to its discounted lines; at each rate, a
  part's base is its lines at that rate (with its service charge when taxable there),
  and its tax is its share of the *check's* tax at that rate in proportion to that base
  (never the rate applied again to a part: that would round again and drift from the
  check's tax). ``total = subtotal - discount_total + service_charge +`` exclusive
  taxes, per part.
- *By amounts* (and evenly: the total spread over N equal weights, e.g. 1000 in 3 is
  334 + 333 + 333): each part's ``total`` is its amount; the check's discount total,
  service charge and every rate's base and tax are spread in proportion to the
  amounts, and the part's subtotal is what makes its own sum hold (``total +
  discount_total - service_charge -`` exclusive taxes). Lines are on every part, at the
  share ``amount / total``.

Worked example (docs/checks.md): a 10 % exclusive check of 1000 (tax 100, total 1100)
split evenly in three: totals 367 + 367 + 366; taxes 34 + 33 + 33; subtotals 333 + 334
+ 333.

**Cash rounding** (:func:`round_cash`) concerns the payment, not the check: the cash
due is the balance rounded half-up to the restaurant's unit (5 = 0.05), the difference
is the payment's ``rounding`` and the check's total stays as computed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from math import lcm
from typing import Final

from brigade.money import round_half_up_div, tax_exclusive, tax_inclusive

#: Basis points in one whole (100 %).
BP: Final = 10_000

#: The name the restaurant's default rate is shown under.
DEFAULT_TAX_NAME: Final = "Tax"


class DiscountKind(StrEnum):
    """``percent`` (value in basis points), ``fixed`` (value in minor units) or ``comp``
    (a line at zero; value unused)."""

    percent = "percent"
    fixed = "fixed"
    comp = "comp"


@dataclass(frozen=True, slots=True)
class TaxRule:
    """A tax rate a line is taxed at: ``tax_rate_id`` (``None``: the restaurant's
    default), ``name``, ``rate_bp`` (basis points) and ``inclusive`` (contained in the
    prices) or not (added)."""

    tax_rate_id: int | None
    name: str
    rate_bp: int
    inclusive: bool


@dataclass(frozen=True, slots=True)
class Line:
    """A billed line: ``key`` (its order line's id), ``amount`` (minor units, ≥ 0, its
    ``line_total``) and the :class:`TaxRule` it is taxed at."""

    key: int
    amount: int
    tax: TaxRule


@dataclass(frozen=True, slots=True)
class Discount:
    """A discount: ``key`` (its id), ``kind``, ``value`` (basis points for percent,
    minor units for fixed) and ``line_key`` (the line it applies to; ``None``: the
    check)."""

    key: int
    kind: DiscountKind
    value: int
    line_key: int | None = None


@dataclass(frozen=True, slots=True)
class ServiceCharge:
    """A service charge of ``rate_bp`` basis points of the discounted lines, taxed at
    ``tax`` when ``taxable``."""

    rate_bp: int
    taxable: bool
    tax: TaxRule


@dataclass(frozen=True, slots=True)
class TaxAmount:
    """The tax at one rate: ``base`` (minor units, the lines at this rate after
    discounts, with a taxable service charge; tax included when the rule is
    inclusive), ``tax`` (minor units) and ``net`` (``base`` without its tax)."""

    rule: TaxRule
    base: int
    tax: int

    @property
    def net(self) -> int:
        """``base`` without the tax (minor units)."""
        return self.base - self.tax if self.rule.inclusive else self.base


@dataclass(frozen=True, slots=True)
class DiscountAmount:
    """What a discount takes off (``amount``, minor units) and what it asked for
    (``requested``: its value before being capped at what was left; equal when it fit)."""

    amount: int
    requested: int


@dataclass(frozen=True, slots=True)
class Priced:
    """A check priced by :func:`price` (minor units).

    ``discounts`` maps a discount's key to its :class:`DiscountAmount`;
    ``line_discounts`` a line's key to the discounts on it (its own and its share of the
    check's); ``taxes`` lists the rates with a non-zero base, by rate, then name.
    """

    subtotal: int
    discount_total: int
    comp_total: int
    service_charge: int
    tax_total: int
    total: int
    taxes: list[TaxAmount]
    discounts: dict[int, DiscountAmount] = field(default_factory=dict)
    line_discounts: dict[int, int] = field(default_factory=dict)


def percent_of(amount: int, rate_bp: int) -> int:
    """``rate_bp`` basis points of ``amount`` (minor units), rounded half-up."""
    return round_half_up_div(amount * rate_bp, BP)


def spread(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` (≥ 0) split in proportion to ``weights`` (≥ 0, ``total`` at most their
    sum): each part is ``total × w / sum`` rounded down, then the units left go one each
    to the parts with the largest remainders (ties: the earlier part). The parts add up
    to ``total`` exactly and none exceeds its weight."""
    whole = sum(weights)
    if total == 0 or whole == 0:
        return [0] * len(weights)
    parts = [total * w // whole for w in weights]
    left = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def price(
    lines: Sequence[Line],
    discounts: Sequence[Discount] = (),
    service_charge: ServiceCharge | None = None,
) -> Priced:
    """Price a check: see the module's docstring for the rules, in order.

    A discount on a line that is not among ``lines`` (voided since) takes nothing.
    Never raises for amounts that fit the rules: a discount that asks for more than is
    left is capped (its ``requested`` tells by how much).
    """
    left = {line.key: line.amount for line in lines}
    full = dict(left)
    amounts: dict[int, DiscountAmount] = {}
    own: dict[int, int] = dict.fromkeys(left, 0)
    comp_total = 0
    for d in discounts:
        if d.line_key is None:
            continue
        if d.line_key not in left:
            amounts[d.key] = DiscountAmount(0, 0)
            continue
        requested = _requested(d, full[d.line_key], left[d.line_key])
        taken = min(requested, left[d.line_key])
        left[d.line_key] -= taken
        own[d.line_key] += taken
        if d.kind is DiscountKind.comp:
            comp_total += taken
        amounts[d.key] = DiscountAmount(taken, requested)
    base = sum(left.values())
    remaining = base
    check_total = 0
    for d in discounts:
        if d.line_key is not None:
            continue
        requested = _requested(d, base, remaining)
        taken = min(requested, remaining)
        remaining -= taken
        check_total += taken
        if d.kind is DiscountKind.comp:
            comp_total += taken
        amounts[d.key] = DiscountAmount(taken, requested)
    keys = list(left)
    shares = spread(check_total, [left[k] for k in keys])
    for key, share in zip(keys, shares, strict=True):
        left[key] -= share
        own[key] += share
    discounted = sum(left.values())
    charge = 0
    if service_charge is not None and service_charge.rate_bp > 0:
        charge = percent_of(discounted, service_charge.rate_bp)
    bases: dict[TaxRule, int] = {}
    for line in lines:
        bases[line.tax] = bases.get(line.tax, 0) + left[line.key]
    if service_charge is not None and service_charge.taxable and charge:
        bases[service_charge.tax] = bases.get(service_charge.tax, 0) + charge
    taxes = [
        TaxAmount(rule, amount, _tax(rule, amount))
        for rule, amount in sorted(
            bases.items(), key=lambda kv: (kv[0].rate_bp, kv[0].name, kv[0].inclusive)
        )
        if amount > 0
    ]
    subtotal = sum(line.amount for line in lines)
    discount_total = subtotal - discounted
    added = sum(t.tax for t in taxes if not t.rule.inclusive)
    return Priced(
        subtotal=subtotal,
        discount_total=discount_total,
        comp_total=comp_total,
        service_charge=charge,
        tax_total=sum(t.tax for t in taxes),
        total=discounted + charge + added,
        taxes=taxes,
        discounts=amounts,
        line_discounts=own,
    )


def _requested(d: Discount, full: int, left: int) -> int:
    if d.kind is DiscountKind.comp:
        return left
    if d.kind is DiscountKind.percent:
        return percent_of(full, d.value)
    return d.value


def _tax(rule: TaxRule, base: int) -> int:
    if rule.inclusive:
        return tax_inclusive(base, rule.rate_bp)
    return tax_exclusive(base, rule.rate_bp)


def needs_approval(discount_total: int, subtotal: int, threshold_bp: int) -> bool:
    """Whether discounts of ``discount_total`` on a check of ``subtotal`` (minor units)
    are beyond ``threshold_bp`` basis points of the subtotal (exact comparison, no
    rounding: ``discount_total × 10000 > threshold_bp × subtotal``)."""
    return discount_total * BP > threshold_bp * subtotal


def round_cash(amount: int, unit: int) -> int:
    """``amount`` (minor units, ≥ 0) rounded half-up to a multiple of ``unit`` (minor
    units, ≥ 1; 1 leaves it as is): with ``unit`` 5, 1002 → 1000 and 1003 → 1005.

    Source: Canada's rounding of cash to the nickel (Department of Finance, 2012: totals
    ending in 1, 2, 6, 7 cents round down, 3, 4, 8, 9 up, i.e. half-up to 0.05), the
    same rule as Switzerland's 0.05 and Sweden's whole krona; cash payments only
    (issue 9, "Cash rounding").
    """
    if unit < 1:
        raise ValueError("unit must be at least 1")
    return round_half_up_div(amount, unit) * unit


# --- splits ----------------------------------------------------------------------------


class SplitError(ValueError):
    """A split that cannot be made from the inputs (the service answers 422)."""


@dataclass(frozen=True, slots=True)
class PartLine:
    """A line on a part: ``key`` (its order line's id), ``share`` of the line (a fraction
    in (0, 1]), ``amount`` (minor units: the part's share of the line before discounts)
    and ``discount`` (minor units: the part's share of the line's discounts)."""

    key: int
    share: Fraction
    amount: int
    discount: int


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a split check (minor units): its amounts like a :class:`Priced`
    (``taxes`` per rate, the rates it has a base or a tax at) and its ``lines``."""

    subtotal: int
    discount_total: int
    service_charge: int
    tax_total: int
    total: int
    taxes: list[TaxAmount]
    lines: list[PartLine]


def _part(
    subtotal: int, discount: int, charge: int, taxes: list[TaxAmount], lines: list[PartLine]
) -> Part:
    added = sum(t.tax for t in taxes if not t.rule.inclusive)
    return Part(
        subtotal=subtotal,
        discount_total=discount,
        service_charge=charge,
        tax_total=sum(t.tax for t in taxes),
        total=subtotal - discount + charge + added,
        taxes=taxes,
        lines=lines,
    )


def split_by_lines(
    lines: Sequence[Line],
    priced: Priced,
    shares: Sequence[Mapping[int, Fraction]],
    service_charge: ServiceCharge | None = None,
) -> list[Part]:
    """Split ``priced`` (the check of ``lines`` priced by :func:`price`, with
    ``service_charge``) into ``len(shares)`` parts: part ``p`` has ``shares[p][key]`` of
    line ``key`` (the shares of every line sum to 1 over the parts; see the module's
    docstring for the rule). Raises :class:`SplitError` when a line's shares do not sum
    to 1 or name a line not among ``lines``."""
    n = len(shares)
    keys = {line.key for line in lines}
    for part in shares:
        for key, share in part.items():
            if key not in keys:
                raise SplitError(f"line {key} is not on the check")
            if not 0 < share <= 1:
                raise SplitError(f"the share of line {key} must be in (0, 1]")
    subtotal = [0] * n
    discount = [0] * n
    net_at: list[dict[TaxRule, int]] = [{} for _ in range(n)]
    part_lines: list[list[PartLine]] = [[] for _ in range(n)]
    for line in lines:
        fractions = [part.get(line.key, Fraction(0)) for part in shares]
        if sum(fractions) != 1:
            raise SplitError(f"the shares of line {line.key} sum to {sum(fractions)}, not 1")
        denominator = lcm(*(f.denominator for f in fractions))
        weights = [int(f * denominator) for f in fractions]
        off = priced.line_discounts.get(line.key, 0)
        nets = spread(line.amount - off, weights)
        offs = spread(off, weights)
        for p, f in enumerate(fractions):
            if f == 0:
                continue
            subtotal[p] += nets[p] + offs[p]
            discount[p] += offs[p]
            net_at[p][line.tax] = net_at[p].get(line.tax, 0) + nets[p]
            part_lines[p].append(PartLine(line.key, f, nets[p] + offs[p], offs[p]))
    nets_total = [sum(at.values()) for at in net_at]
    charges = spread(priced.service_charge, nets_total)
    if service_charge is not None and service_charge.taxable:
        for p in range(n):
            rule = service_charge.tax
            net_at[p][rule] = net_at[p].get(rule, 0) + charges[p]
    taxes: list[list[TaxAmount]] = [[] for _ in range(n)]
    for whole in priced.taxes:
        bases = [at.get(whole.rule, 0) for at in net_at]
        for p, tax in enumerate(spread(whole.tax, bases)):
            if bases[p] or tax:
                taxes[p].append(TaxAmount(whole.rule, bases[p], tax))
    return [_part(subtotal[p], discount[p], charges[p], taxes[p], part_lines[p]) for p in range(n)]


def split_by_amounts(lines: Sequence[Line], priced: Priced, amounts: Sequence[int]) -> list[Part]:
    """Split ``priced`` (the check of ``lines``) into parts of ``amounts`` (minor units,
    each ≥ 0, summing to ``priced.total``): see the module's docstring for the rule.
    Raises :class:`SplitError` when the amounts do not sum to the total, or a part is
    too small to carry its share of the service charge and the exclusive taxes (its
    subtotal would fall below 0: a part of a cent or two)."""
    if sum(amounts) != priced.total or any(a < 0 for a in amounts):
        raise SplitError(f"the amounts sum to {sum(amounts)}, the check's total is {priced.total}")
    n = len(amounts)
    weights = list(amounts) if priced.total else [1] * n
    whole = sum(weights)
    discount = spread(priced.discount_total, weights)
    charges = spread(priced.service_charge, weights)
    taxes: list[list[TaxAmount]] = [[] for _ in range(n)]
    for t in priced.taxes:
        bases = spread(t.base, weights)
        for p, tax in enumerate(spread(t.tax, weights)):
            if bases[p] or tax:
                taxes[p].append(TaxAmount(t.rule, bases[p], tax))
    part_lines: list[list[PartLine]] = [[] for _ in range(n)]
    for line in lines:
        off = priced.line_discounts.get(line.key, 0)
        for p, (amount, taken) in enumerate(
            zip(spread(line.amount, weights), spread(off, weights), strict=True)
        ):
            if weights[p]:
                share = Fraction(weights[p], whole)
                part_lines[p].append(PartLine(line.key, share, amount, taken))
    parts = []
    for p in range(n):
        added = sum(t.tax for t in taxes[p] if not t.rule.inclusive)
        subtotal = amounts[p] + discount[p] - charges[p] - added
        if subtotal < 0:
            raise SplitError(f"part {p + 1} ({amounts[p]}) is too small to carry its share")
        parts.append(_part(subtotal, discount[p], charges[p], taxes[p], part_lines[p]))
    return parts


def split_even(lines: Sequence[Line], priced: Priced, parts: int) -> list[Part]:
    """Split ``priced`` evenly in ``parts`` (≥ 1): the total spread over equal weights
    (the leftover cents to the first parts), then :func:`split_by_amounts`."""
    if parts < 1:
        raise SplitError("a split has at least one part")
    return split_by_amounts(lines, priced, spread(priced.total, [1] * parts))
