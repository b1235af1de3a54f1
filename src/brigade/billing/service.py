"""Rules of the billing context: checks of orders, their discounts and payments.

A check's amounts are stored, and recomputed while it is open from the order's lines,
its discounts and the restaurant's rules (tax rates per menu category or item, service
charge) by :func:`brigade.billing.pricing.price`: lines added or voided, or rules
changed, after the check was opened show up on the next read or payment. With the
amounts, the check's discounts' ``amount`` and its taxes per rate (``check_taxes``) are
kept in step; a paid check keeps what it was paid with. Written like the orders hot
path: Core statements built once on the tables with bind parameters, executed with
parameter dicts, RETURNING instead of re-reading.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    Integer,
    Row,
    Select,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access
from brigade.auth.permissions import Permission
from brigade.billing import hooks, pricing
from brigade.billing.exceptions import (
    CheckIsPart,
    CheckPaid,
    CheckSplit,
    DiscountApprovalRequired,
    DiscountExceedsAmount,
    InvalidDiscount,
    InvalidPayment,
    NothingToBill,
    PaymentExceedsBalance,
    TipNotAllowed,
)
from brigade.billing.models import Check, CheckDiscount, CheckPartLine, CheckTax, Payment
from brigade.billing.pricing import DiscountKind, TaxRule
from brigade.billing.schemas import (
    Approval,
    CheckLineRead,
    CheckList,
    CheckRead,
    CheckStatus,
    CheckTaxRead,
    DiscountCreate,
    DiscountRead,
    PaymentCreate,
    PaymentMethod,
    PaymentRead,
    PaymentResult,
)
from brigade.devices import approvals
from brigade.events.outbox import NewEvent, record_many
from brigade.infra.db import UTCDateTime, utcnow
from brigade.infra.errors import NotFound, StaleVersion
from brigade.menu.taxes import item_tax_rate_ids
from brigade.orders.exceptions import OrderClosed, OrderHasCheck
from brigade.orders.schemas import OrderItemRead, OrderItemStatus, OrderStatus
from brigade.orders.service import (
    close_order,
    get_order_row,
    order_lines,
    orders_lines,
)
from brigade.restaurants.taxes import BillingRules, billing_rules
from brigade.runtime import Runtime
from brigade.tenancy import RID, owned_by, scoped

CHECK_CREATED = "check.created"
PAYMENT_CREATED = "payment.created"
CHECK_PAID = "check.paid"
DISCOUNT_ADDED = "check.discount.added"
DISCOUNT_REMOVED = "check.discount.removed"

_checks = cast(Table, Check.__table__)
_payments = cast(Table, Payment.__table__)
_discounts = cast(Table, CheckDiscount.__table__)
_taxes = cast(Table, CheckTax.__table__)
_part_lines = cast(Table, CheckPartLine.__table__)

_CHECK_COLUMNS: tuple[ColumnElement[Any], ...] = (
    _checks.c.id,
    _checks.c.order_id,
    _checks.c.status,
    _checks.c.currency,
    _checks.c.subtotal,
    _checks.c.discount_total,
    _checks.c.tax_total,
    _checks.c.total,
    _checks.c.paid_total,
    _checks.c.service_charge,
    _checks.c.service_charge_bp,
    _checks.c.tax_rate_bp,
    _checks.c.tax_inclusive,
    _checks.c.version,
    _checks.c.created_at,
    _checks.c.paid_at,
    _checks.c.parent_id,
    _checks.c.split_by,
)
_PAYMENT_COLUMNS: tuple[ColumnElement[Any], ...] = (
    _payments.c.id,
    _payments.c.check_id,
    _payments.c.method,
    _payments.c.amount,
    _payments.c.tendered,
    _payments.c.change,
    _payments.c.tip,
    _payments.c.rounding,
    _payments.c.reference,
    _payments.c.till_id,
    _payments.c.shift_id,
    _payments.c.created_at,
    _payments.c.tip_pending,
    _payments.c.tip_adjusted_at,
    _payments.c.refunded_total,
    _payments.c.voided_at,
)
# Statements of the hot path, built once on the tables with a bind parameter for every
# value and executed with parameter dicts. Parameter names of UPDATEs start with ``b_``
# (SQLAlchemy reserves the column names there).
_PAYMENTS_OF = (
    scoped(select(*_PAYMENT_COLUMNS), RID)
    .where(_payments.c.check_id.in_(bindparam("check_ids", expanding=True)))
    .order_by(_payments.c.id)
)
_PAYMENTS_OF_CHECK = (
    scoped(select(*_PAYMENT_COLUMNS), RID)
    .where(_payments.c.check_id == bindparam("check_id"))
    .order_by(_payments.c.id)
)
_CHECK = scoped(select(*_CHECK_COLUMNS), RID).where(_checks.c.id == bindparam("check_id"))
_CHECK_STATE = scoped(select(_checks.c.status, _checks.c.version), RID).where(
    _checks.c.id == bindparam("check_id")
)
# The order's check: a split's parts are not the order's check, their parent is.
_LATEST_CHECK = (
    scoped(select(*_CHECK_COLUMNS), RID)
    .where(_checks.c.order_id == bindparam("order_id"), _checks.c.parent_id.is_(None))
    .order_by(_checks.c.id.desc())
    .limit(1)
)
_INSERT_CHECK = insert(_checks).returning(*_CHECK_COLUMNS)
_INSERT_PAYMENT = insert(_payments).returning(*_PAYMENT_COLUMNS)
_AMOUNT_VALUES: dict[str, Any] = {
    "subtotal": bindparam("b_subtotal", type_=BigInteger()),
    "discount_total": bindparam("b_discount_total", type_=BigInteger()),
    "tax_total": bindparam("b_tax_total", type_=BigInteger()),
    "total": bindparam("b_total", type_=BigInteger()),
    "service_charge": bindparam("b_service_charge", type_=BigInteger()),
    "service_charge_bp": bindparam("b_service_charge_bp", type_=Integer()),
    "tax_rate_bp": bindparam("b_tax_rate_bp", type_=Integer()),
    "tax_inclusive": bindparam("b_tax_inclusive", type_=Boolean()),
}
_CHECK_KEY = (
    _checks.c.id == bindparam("b_check_id"),
    owned_by(_checks, bindparam("b_rid")),
)
# An open check's amounts brought up to date (version + 1).
_REFRESH_CHECK = (
    update(_checks)
    .where(*_CHECK_KEY)
    .values(version=_checks.c.version + 1, **_AMOUNT_VALUES)
    .returning(*_CHECK_COLUMNS)
)
# A payment takes the open check's row (version + 1; locked on PostgreSQL) first ...
_LOCK_OPEN_CHECK = (
    update(_checks)
    .where(*_CHECK_KEY, _checks.c.status == CheckStatus.open.value)
    .values(version=_checks.c.version + 1)
    .returning(*_CHECK_COLUMNS)
)
_LOCK_OPEN_CHECK_AT_VERSION = (
    update(_checks)
    .where(
        *_CHECK_KEY,
        _checks.c.status == CheckStatus.open.value,
        _checks.c.version == bindparam("b_version"),
    )
    .values(version=_checks.c.version + 1)
    .returning(*_CHECK_COLUMNS)
)
# ... and writes its amounts, paid total and status last.
_SETTLE_CHECK = (
    update(_checks)
    .where(*_CHECK_KEY)
    .values(
        paid_total=bindparam("b_paid_total", type_=BigInteger()),
        status=bindparam("b_status", type_=String()),
        paid_at=bindparam("b_paid_at", type_=UTCDateTime()),
        **_AMOUNT_VALUES,
    )
    .returning(*_CHECK_COLUMNS)
)
# An open check's amounts written after a discount was added or removed (the check's
# row was taken, version + 1, by _LOCK_OPEN_CHECK first).
_WRITE_AMOUNTS = (
    update(_checks).where(*_CHECK_KEY).values(**_AMOUNT_VALUES).returning(*_CHECK_COLUMNS)
)
_DISCOUNT_COLUMNS: tuple[ColumnElement[Any], ...] = (
    _discounts.c.id,
    _discounts.c.check_id,
    _discounts.c.order_item_id,
    _discounts.c.kind,
    _discounts.c.value,
    _discounts.c.amount,
    _discounts.c.reason,
    _discounts.c.created_by,
    _discounts.c.created_at,
    _discounts.c.approved_by,
    _discounts.c.approved_at,
    _discounts.c.approval_method,
)
_DISCOUNTS_OF = (
    scoped(select(*_DISCOUNT_COLUMNS), RID)
    .where(
        _discounts.c.check_id.in_(bindparam("check_ids", expanding=True)),
        _discounts.c.removed_at.is_(None),
    )
    .order_by(_discounts.c.id)
)
_INSERT_DISCOUNT = insert(_discounts).returning(*_DISCOUNT_COLUMNS)
_DISCOUNT_AMOUNT = (
    update(_discounts)
    .where(_discounts.c.id == bindparam("b_id"), owned_by(_discounts, bindparam("b_rid")))
    .values(amount=bindparam("b_amount", type_=BigInteger()))
)
_REMOVE_DISCOUNT = (
    update(_discounts)
    .where(
        _discounts.c.id == bindparam("b_id"),
        _discounts.c.check_id == bindparam("b_check_id"),
        _discounts.c.removed_at.is_(None),
        owned_by(_discounts, bindparam("b_rid")),
    )
    .values(
        removed_at=bindparam("b_removed_at", type_=UTCDateTime()),
        removed_by=bindparam("b_removed_by", type_=BigInteger()),
        amount=0,
    )
    .returning(_discounts.c.id)
)
_TAX_COLUMNS: tuple[ColumnElement[Any], ...] = (
    _taxes.c.check_id,
    _taxes.c.tax_rate_id,
    _taxes.c.name,
    _taxes.c.rate_bp,
    _taxes.c.inclusive,
    _taxes.c.base,
    _taxes.c.tax,
)
_TAXES_OF = (
    scoped(select(*_TAX_COLUMNS), RID)
    .where(_taxes.c.check_id.in_(bindparam("check_ids", expanding=True)))
    .order_by(_taxes.c.id)
)
_DELETE_TAXES = delete(_taxes).where(
    _taxes.c.check_id == bindparam("b_check_id"), owned_by(_taxes, bindparam("b_rid"))
)
_INSERT_TAX = insert(_taxes)
_PART_LINES_OF = (
    scoped(
        select(
            _part_lines.c.check_id,
            _part_lines.c.order_item_id,
            _part_lines.c.share_numerator,
            _part_lines.c.share_denominator,
            _part_lines.c.amount,
            _part_lines.c.discount,
        ),
        RID,
    )
    .where(_part_lines.c.check_id.in_(bindparam("check_ids", expanding=True)))
    .order_by(_part_lines.c.id)
)
_PART_IDS = (
    scoped(select(_checks.c.id), RID)
    .where(_checks.c.parent_id == bindparam("parent_id"))
    .order_by(_checks.c.id)
)
# A part's payment that settles it takes its parent's row (so that the last two parts
# paid at once see each other's payment), then counts the parts still unpaid.
_LOCK_PARENT = (
    update(_checks).where(*_CHECK_KEY).values(version=_checks.c.version + 1).returning(_checks.c.id)
)
_UNPAID_PARTS = scoped(select(func.count()).select_from(_checks), RID).where(
    _checks.c.parent_id == bindparam("parent_id"),
    _checks.c.status != CheckStatus.paid.value,
)
_AMOUNT_FIELDS = (
    "subtotal",
    "discount_total",
    "tax_total",
    "total",
    "service_charge",
    "service_charge_bp",
    "tax_rate_bp",
    "tax_inclusive",
)


@dataclass(frozen=True, slots=True)
class Amounts:
    """A check's amounts in minor units, and the rules they were computed with:
    ``service_charge_bp`` (0: none) and the default tax rule (``tax_rate_bp``,
    ``tax_inclusive``)."""

    subtotal: int
    discount_total: int
    tax_total: int
    total: int
    tax_rate_bp: int
    tax_inclusive: bool
    service_charge: int = 0
    service_charge_bp: int = 0

    def as_values(self) -> dict[str, Any]:
        """The amounts as column values of ``checks``."""
        return {name: getattr(self, name) for name in _AMOUNT_FIELDS}

    def as_params(self) -> dict[str, Any]:
        """The amounts as the ``b_...`` parameters of the check UPDATEs."""
        return {f"b_{name}": getattr(self, name) for name in _AMOUNT_FIELDS}


@dataclass(frozen=True, slots=True)
class CheckCreateResult:
    """The check of an order and whether this call created it (201) or found it (200)."""

    check: CheckRead
    created: bool


def compute_amounts(
    subtotal: int, tax_rate_bp: int, tax_inclusive: bool, discount_total: int = 0
) -> Amounts:
    """Tax and total of ``subtotal - discount_total`` (minor units) at one rate,
    ``tax_rate_bp``: a check of one line with a fixed check discount, priced by
    :func:`brigade.billing.pricing.price` (inclusive: the tax is the part of the prices
    that is tax and the total the discounted subtotal; exclusive: the tax is added; both
    half-up)."""
    rule = TaxRule(None, pricing.DEFAULT_TAX_NAME, tax_rate_bp, tax_inclusive)
    discounts = [pricing.Discount(0, DiscountKind.fixed, discount_total)] if discount_total else []
    priced = pricing.price([pricing.Line(0, subtotal, rule)], discounts)
    return Amounts(
        priced.subtotal,
        priced.discount_total,
        priced.tax_total,
        priced.total,
        tax_rate_bp,
        tax_inclusive,
    )


@dataclass(slots=True)
class _Pricing:
    """A check priced now: the rules, the order's lines and covers, the check's active
    discounts (rows), the pricing inputs and the result. For a part of a split check
    (:func:`_part_pricing`): ``items`` are its lines, ``shares`` its shares of them, no
    ``lines`` (nothing to discount) and ``priced`` its amounts as split."""

    rules: BillingRules
    items: list[OrderItemRead]
    discounts: list[dict[str, Any]]
    lines: list[pricing.Line]
    service: pricing.ServiceCharge | None
    priced: pricing.Priced
    shares: dict[int, PartShare] | None = None

    @property
    def amounts(self) -> Amounts:
        """The check's amounts as stored."""
        p = self.priced
        return Amounts(
            subtotal=p.subtotal,
            discount_total=p.discount_total,
            tax_total=p.tax_total,
            total=p.total,
            tax_rate_bp=self.rules.tax_rate_bp,
            tax_inclusive=self.rules.tax_inclusive,
            service_charge=p.service_charge,
            service_charge_bp=self.service.rate_bp if self.service is not None else 0,
        )

    def with_discount(self, discount: pricing.Discount) -> pricing.Priced:
        """The check priced with ``discount`` added after the others."""
        return pricing.price(
            self.lines, [*_pricing_discounts(self.discounts), discount], self.service
        )


def _default_rule(rules: BillingRules) -> TaxRule:
    return TaxRule(None, pricing.DEFAULT_TAX_NAME, rules.tax_rate_bp, rules.tax_inclusive)


def _pricing_discounts(rows: Sequence[dict[str, Any]]) -> list[pricing.Discount]:
    return [
        pricing.Discount(r["id"], DiscountKind(r["kind"]), r["value"], r["order_item_id"])
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class PartShare:
    """A part's share of a line: ``share`` (``"1/3"``), ``amount`` (minor units, its
    share of the line before discounts) and ``discount`` (minor units)."""

    share: str
    amount: int
    discount: int


def share_text(numerator: int, denominator: int) -> str:
    """A share as written in the API: ``"1"``, ``"1/3"`` (lowest terms)."""
    f = Fraction(numerator, denominator)
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


async def _part_pricing(
    session: AsyncSession,
    restaurant_id: int,
    row: Row[*tuple[Any, ...]] | dict[str, Any],
    items: list[OrderItemRead] | None,
) -> _Pricing:
    """The pricing state of a part of a split check (``row``: its check row): its
    amounts and taxes as the split stored them (a part is not priced again from the
    order: its parent's amounts were frozen at the split), its lines and shares."""
    data = dict(row._mapping) if isinstance(row, Row) else row
    check_id = data["id"]
    rules = await billing_rules(session, restaurant_id)
    if items is None:
        items = await order_lines(session, restaurant_id, data["order_id"])
    shares = (await part_shares(session, restaurant_id, [check_id]))[check_id]
    stored = (await _taxes_of(session, restaurant_id, [check_id]))[check_id]
    taxes = [
        pricing.TaxAmount(TaxRule(t.tax_rate_id, t.name, t.rate_bp, t.inclusive), t.base, t.tax)
        for t in stored
    ]
    priced = pricing.Priced(
        subtotal=data["subtotal"],
        discount_total=data["discount_total"],
        comp_total=0,
        service_charge=data["service_charge"],
        tax_total=data["tax_total"],
        total=data["total"],
        taxes=taxes,
    )
    service = None
    if data["service_charge_bp"] > 0:
        service = pricing.ServiceCharge(
            data["service_charge_bp"], rules.service_charge_taxable, _default_rule(rules)
        )
    mine = [i for i in items if i.id in shares]
    return _Pricing(rules, mine, [], [], service, priced, shares)


async def part_shares(
    session: AsyncSession, restaurant_id: int, check_ids: Sequence[int]
) -> dict[int, dict[int, PartShare]]:
    """The lines of parts ``check_ids`` (``{check_id: {order_item_id: PartShare}}``;
    empty for a check that is no part)."""
    by_check: dict[int, dict[int, PartShare]] = {cid: {} for cid in check_ids}
    if not check_ids:
        return by_check
    rows = await session.execute(
        _PART_LINES_OF, {"restaurant_id": restaurant_id, "check_ids": list(check_ids)}
    )
    for r in rows:
        by_check[r.check_id][r.order_item_id] = PartShare(
            share_text(r.share_numerator, r.share_denominator), r.amount, r.discount
        )
    return by_check


async def _price(
    session: AsyncSession,
    restaurant_id: int,
    check_id: int | None,
    order_id: int,
    *,
    items: list[OrderItemRead] | None = None,
    covers: int | None = None,
    part: Row[*tuple[Any, ...]] | dict[str, Any] | None = None,
) -> _Pricing:
    """Price check ``check_id`` of order ``order_id`` now (:func:`pricing.price`): the
    restaurant's rules, the order's lines (``items`` when the caller has them) and
    covers (read only when the service charge depends on them), the check's active
    discounts and the menu's tax rate of each line (read only when the restaurant has
    named rates). ``part``: the check's row when it is a part of a split check (its
    amounts as split, :func:`_part_pricing`)."""
    if part is not None:
        return await _part_pricing(session, restaurant_id, part, items)
    rules = await billing_rules(session, restaurant_id)
    charge_by_covers = rules.service_charge_bp > 0 and rules.service_charge_min_covers > 0
    if covers is None and charge_by_covers:
        order = await get_order_row(session, restaurant_id, order_id)
        items, covers = order.items, order.covers
    elif items is None:
        items = await order_lines(session, restaurant_id, order_id)
    billed = [i for i in items if i.status is not OrderItemStatus.voided]
    default = _default_rule(rules)
    rate_of: dict[int, int | None] = {}
    if rules.rates:
        rate_of = await item_tax_rate_ids(
            session, restaurant_id, [i.menu_item_id for i in billed if i.menu_item_id is not None]
        )
    lines = []
    for item in billed:
        rate_id = rate_of.get(item.menu_item_id) if item.menu_item_id is not None else None
        info = rules.rates.get(rate_id) if rate_id is not None else None
        rule = (
            default if info is None else TaxRule(info.id, info.name, info.rate_bp, info.inclusive)
        )
        lines.append(pricing.Line(item.id, item.line_total, rule))
    service = None
    if rules.service_charge_bp > 0 and (
        rules.service_charge_min_covers == 0 or (covers or 0) >= rules.service_charge_min_covers
    ):
        service = pricing.ServiceCharge(
            rules.service_charge_bp, rules.service_charge_taxable, default
        )
    discounts = (
        []
        if check_id is None
        else (await _discounts_of(session, restaurant_id, [check_id]))[check_id]
    )
    priced = pricing.price(lines, _pricing_discounts(discounts), service)
    return _Pricing(rules, items, discounts, lines, service, priced)


async def _discounts_of(
    session: AsyncSession, restaurant_id: int, check_ids: Sequence[int]
) -> dict[int, list[dict[str, Any]]]:
    by_check: dict[int, list[dict[str, Any]]] = {cid: [] for cid in check_ids}
    if not check_ids:
        return by_check
    rows = await session.execute(
        _DISCOUNTS_OF, {"restaurant_id": restaurant_id, "check_ids": list(check_ids)}
    )
    for row in rows:
        by_check[row.check_id].append(dict(row._mapping))
    return by_check


async def _taxes_of(
    session: AsyncSession, restaurant_id: int, check_ids: Sequence[int]
) -> dict[int, list[CheckTaxRead]]:
    by_check: dict[int, list[CheckTaxRead]] = {cid: [] for cid in check_ids}
    if not check_ids:
        return by_check
    rows = await session.execute(
        _TAXES_OF, {"restaurant_id": restaurant_id, "check_ids": list(check_ids)}
    )
    for r in rows:
        by_check[r.check_id].append(
            CheckTaxRead(
                tax_rate_id=r.tax_rate_id,
                name=r.name,
                rate_bp=r.rate_bp,
                inclusive=r.inclusive,
                base=r.base,
                tax=r.tax,
                net=r.base - r.tax if r.inclusive else r.base,
            )
        )
    return by_check


def _tax_reads(priced: pricing.Priced) -> list[CheckTaxRead]:
    return [
        CheckTaxRead(
            tax_rate_id=t.rule.tax_rate_id,
            name=t.rule.name,
            rate_bp=t.rule.rate_bp,
            inclusive=t.rule.inclusive,
            base=t.base,
            tax=t.tax,
            net=t.net,
        )
        for t in priced.taxes
    ]


async def _store_breakdown(
    session: AsyncSession,
    restaurant_id: int,
    check_id: int,
    state: _Pricing,
    stored_taxes: list[CheckTaxRead] | None,
) -> tuple[list[CheckTaxRead], list[DiscountRead]]:
    """Write the discounts' amounts and the taxes per rate of ``state`` where they
    differ from what is stored (``stored_taxes``: ``None`` = not read, rewrite); return
    them as read."""
    for row in state.discounts:
        amount = state.priced.discounts[row["id"]].amount
        if row["amount"] != amount:
            await session.execute(
                _DISCOUNT_AMOUNT, {"b_id": row["id"], "b_rid": restaurant_id, "b_amount": amount}
            )
            row["amount"] = amount
    taxes = _tax_reads(state.priced)
    if stored_taxes != taxes:
        await session.execute(_DELETE_TAXES, {"b_check_id": check_id, "b_rid": restaurant_id})
        if taxes:
            await session.execute(
                _INSERT_TAX,
                [
                    {
                        "restaurant_id": restaurant_id,
                        "check_id": check_id,
                        **t.model_dump(exclude={"net"}),
                    }
                    for t in taxes
                ],
            )
    return taxes, [_discount_read(r) for r in state.discounts]


def _discount_read(row: dict[str, Any]) -> DiscountRead:
    return DiscountRead.model_validate(row)


def _lines(
    items: Sequence[OrderItemRead], shares: dict[int, PartShare] | None = None
) -> list[CheckLineRead]:
    """The billed lines of ``items``; with ``shares`` (a part's), only the lines on the
    part, each with its share."""
    lines = []
    for i in items:
        if shares is None:
            if i.status is OrderItemStatus.voided:
                continue
            share, amount = "1", None
        elif i.id in shares:
            share, amount = shares[i.id].share, shares[i.id].amount
        else:
            continue
        lines.append(
            CheckLineRead(
                order_item_id=i.id,
                name=i.name,
                variation_name=i.variation_name,
                quantity=i.quantity,
                unit_price=i.unit_price,
                modifiers_total=i.modifiers_total,
                line_total=i.line_total,
                share=share,
                share_amount=amount,
            )
        )
    return lines


def _check_read(
    row: Row[*tuple[Any, ...]] | dict[str, Any],
    lines: list[CheckLineRead],
    payments: list[PaymentRead],
    taxes: list[CheckTaxRead] | None = None,
    discounts: list[DiscountRead] | None = None,
    cash_unit: int = 1,
    part_ids: list[int] | None = None,
) -> CheckRead:
    data = dict(row._mapping) if isinstance(row, Row) else row
    discounts = discounts or []
    own: dict[int, int] = {}
    comped: set[int] = set()
    for d in discounts:
        if d.order_item_id is None:
            continue
        own[d.order_item_id] = own.get(d.order_item_id, 0) + d.amount
        if d.kind is DiscountKind.comp and d.amount > 0:
            comped.add(d.order_item_id)
    lines = [
        line.model_copy(
            update={
                "discount": own.get(line.order_item_id, 0),
                "comped": line.order_item_id in comped
                and own.get(line.order_item_id, 0) >= line.line_total,
            }
        )
        if line.order_item_id in own
        else line
        for line in lines
    ]
    balance = max(data["total"] - data["paid_total"], 0)
    is_open = data["status"] == CheckStatus.open.value
    standing = [p for p in payments if p.voided_at is None]
    return CheckRead(
        id=data["id"],
        order_id=data["order_id"],
        status=data["status"],
        currency=data["currency"],
        subtotal=data["subtotal"],
        discount_total=data["discount_total"],
        tax_total=data["tax_total"],
        total=data["total"],
        paid_total=data["paid_total"],
        balance=balance,
        tax_rate_bp=data["tax_rate_bp"],
        tax_inclusive=data["tax_inclusive"],
        version=data["version"],
        created_at=data["created_at"],
        paid_at=data["paid_at"],
        lines=lines,
        payments=payments,
        service_charge=data["service_charge"],
        service_charge_bp=data["service_charge_bp"],
        comp_total=sum(d.amount for d in discounts if d.kind is DiscountKind.comp),
        cash_due=pricing.round_cash(balance, cash_unit) if is_open else 0,
        rounding_total=sum(p.rounding for p in standing),
        taxes=taxes or [],
        discounts=discounts,
        parent_id=data.get("parent_id"),
        split_by=data.get("split_by"),
        part_ids=part_ids or [],
        refunded_total=sum(p.refunded_total for p in standing),
        tip_total=sum(p.tip for p in standing),
    )


async def _payments_of(
    session: AsyncSession, restaurant_id: int, check_ids: Sequence[int]
) -> dict[int, list[PaymentRead]]:
    by_check: dict[int, list[PaymentRead]] = {cid: [] for cid in check_ids}
    if not check_ids:
        return by_check
    rows = await session.execute(
        _PAYMENTS_OF, {"restaurant_id": restaurant_id, "check_ids": list(check_ids)}
    )
    for row in rows:
        by_check[row.check_id].append(PaymentRead.model_validate(row, from_attributes=True))
    return by_check


async def _payments_of_check(
    session: AsyncSession, restaurant_id: int, check_id: int
) -> list[PaymentRead]:
    rows = await session.execute(
        _PAYMENTS_OF_CHECK, {"restaurant_id": restaurant_id, "check_id": check_id}
    )
    return [PaymentRead.model_validate(row, from_attributes=True) for row in rows]


async def _read_check(
    session: AsyncSession,
    restaurant_id: int,
    row: Row[*tuple[Any, ...]],
    items: list[OrderItemRead] | None = None,
    covers: int | None = None,
) -> CheckRead:
    """The check of ``row`` as read: an open one brought up to date first with its
    order's lines, discounts and the restaurant's rules (one UPDATE, version + 1, only
    when its amounts changed; its discounts' amounts and taxes rewritten where they
    differ); a paid one as stored."""
    data = dict(row._mapping)
    check_id = data["id"]
    payments = await _payments_of_check(session, restaurant_id, check_id)
    stored = (await _taxes_of(session, restaurant_id, [check_id]))[check_id]
    is_part = data["parent_id"] is not None
    if data["status"] != CheckStatus.open.value:
        if items is None:
            items = await order_lines(session, restaurant_id, data["order_id"])
        discounts = (await _discounts_of(session, restaurant_id, [check_id]))[check_id]
        shares = None
        if is_part:
            shares = (await part_shares(session, restaurant_id, [check_id]))[check_id]
        part_ids = None
        if data["status"] == CheckStatus.split_up.value:
            part_ids = await split_part_ids(session, restaurant_id, check_id)
        # A paid check has no cash due: its cash unit does not matter.
        return _check_read(
            data,
            _lines(items, shares),
            payments,
            stored,
            [_discount_read(d) for d in discounts],
            part_ids=part_ids,
        )
    state = await _price(
        session,
        restaurant_id,
        check_id,
        data["order_id"],
        items=items,
        covers=covers,
        part=data if is_part else None,
    )
    amounts = state.amounts
    if any(data[k] != v for k, v in amounts.as_values().items()):
        params = {"b_check_id": check_id, "b_rid": restaurant_id, **amounts.as_params()}
        data = dict((await session.execute(_REFRESH_CHECK, params)).one()._mapping)
    taxes, reads = await _store_breakdown(session, restaurant_id, check_id, state, stored)
    return _check_read(
        data,
        _lines(state.items, state.shares),
        payments,
        taxes,
        reads,
        state.rules.cash_rounding_unit,
    )


async def split_part_ids(session: AsyncSession, restaurant_id: int, check_id: int) -> list[int]:
    """The ids of the parts of split check ``check_id``, in order (empty: none)."""
    rows = await session.execute(_PART_IDS, {"restaurant_id": restaurant_id, "parent_id": check_id})
    return [int(i) for i in rows.scalars()]


async def _parts_settled(session: AsyncSession, restaurant_id: int, parent_id: int | None) -> bool:
    """Whether the order of a check that was just paid is settled: always for a check
    that is no part; for a part, once every part of its split is paid (the parent's
    row is taken first, so two last parts paid at once cannot both miss each other)."""
    if parent_id is None:
        return True
    await session.execute(_LOCK_PARENT, {"b_check_id": parent_id, "b_rid": restaurant_id})
    unpaid = await session.scalar(
        _UNPAID_PARTS, {"restaurant_id": restaurant_id, "parent_id": parent_id}
    )
    return not unpaid


async def _latest_check(
    session: AsyncSession, restaurant_id: int, order_id: int
) -> Row[*tuple[Any, ...]] | None:
    return (
        await session.execute(_LATEST_CHECK, {"restaurant_id": restaurant_id, "order_id": order_id})
    ).first()


async def order_check_id(session: AsyncSession, restaurant_id: int, order_id: int) -> int | None:
    """The id of the latest check of order ``order_id`` of ``restaurant_id``, ``None``
    when it has none (for other contexts; no permission check; one query)."""
    row = await _latest_check(session, restaurant_id, order_id)
    return None if row is None else int(row.id)


async def refuse_cancel_with_check(
    session: AsyncSession, restaurant_id: int, order_id: int
) -> None:
    """The cancel guard billing registers with :mod:`brigade.orders.hooks`: an order
    that has a check (open or paid) may not be cancelled.

    Raises :class:`~brigade.orders.exceptions.OrderHasCheck` (409, extension
    ``check_id``)."""
    check_id = await order_check_id(session, restaurant_id, order_id)
    if check_id is not None:
        raise OrderHasCheck(f"order {order_id} has check {check_id}", check_id=check_id)


async def open_check(session: AsyncSession, access: Access, order_id: int) -> CheckCreateResult:
    """The check of ``order_id``: created (``created=True``, event ``check.created`` with
    ``{"check": CheckRead}``) when the order has none, else the existing one (an open
    one brought up to date).

    Opening the check is what a waiter does when the table asks for it (``billing:request``,
    held by waiters and cashiers); taking the money needs ``billing:write``.

    Raises ``PermissionDenied`` (no ``billing:request``), ``NotFound`` (no such order),
    ``OrderClosed`` (409, closed without a check) and ``NothingToBill`` (409).
    """
    access.check(Permission.billing_request)
    restaurant_id = access.restaurant_id
    # Lock the order row (PostgreSQL) so that two cashiers do not open two checks.
    order = await get_order_row(session, restaurant_id, order_id, for_update=True)
    existing = await _latest_check(session, restaurant_id, order_id)
    if existing is not None:
        check = await _read_check(
            session, restaurant_id, existing, items=order.items, covers=order.covers
        )
        return CheckCreateResult(check, created=False)
    lines = _lines(order.items)
    if order.status is not OrderStatus.open:
        raise OrderClosed(f"order {order_id} is {order.status.value}")
    if not lines or order.subtotal <= 0:
        raise NothingToBill(f"order {order_id} has no line to bill")
    state = await _price(
        session, restaurant_id, None, order_id, items=order.items, covers=order.covers
    )
    row = (
        await session.execute(
            _INSERT_CHECK,
            {
                "restaurant_id": restaurant_id,
                "order_id": order_id,
                "status": CheckStatus.open.value,
                "currency": order.currency,
                "paid_total": 0,
                "tip_total": 0,
                "version": 1,
                "created_at": utcnow(),
                "paid_at": None,
                **state.amounts.as_values(),
            },
        )
    ).one()
    taxes, _ = await _store_breakdown(session, restaurant_id, row.id, state, [])
    check = _check_read(row, lines, [], taxes, [], state.rules.cash_rounding_unit)
    await record_many(
        session,
        restaurant_id,
        [NewEvent(CHECK_CREATED, {"check": check.model_dump(mode="json")})],
    )
    return CheckCreateResult(check, created=True)


async def get_order_check(session: AsyncSession, access: Access, order_id: int) -> CheckRead:
    """The latest check of ``order_id`` (an open one brought up to date).

    Raises ``PermissionDenied`` (no ``billing:read``) and ``NotFound`` (no such order,
    or no check yet).
    """
    access.check(Permission.billing_read)
    restaurant_id = access.restaurant_id
    existing = await _latest_check(session, restaurant_id, order_id)
    if existing is None:
        raise NotFound(f"order {order_id} not found or has no check")
    return await _read_check(session, restaurant_id, existing)


async def _check_row(
    session: AsyncSession, restaurant_id: int, check_id: int
) -> Row[*tuple[Any, ...]]:
    row = (
        await session.execute(_CHECK, {"check_id": check_id, "restaurant_id": restaurant_id})
    ).first()
    if row is None:
        raise NotFound(f"check {check_id} not found")
    return row


async def get_check(session: AsyncSession, access: Access, check_id: int) -> CheckRead:
    """Check ``check_id`` (brought up to date while open). Raises ``NotFound``."""
    access.check(Permission.billing_read)
    row = await _check_row(session, access.restaurant_id, check_id)
    return await _read_check(session, access.restaurant_id, row)


@functools.cache
def _list_statements(by_status: bool) -> tuple[Select[Any], Select[Any]]:
    """(count, page) statements of :func:`list_checks`, with or without the status
    filter; parameters ``restaurant_id``, ``status``, ``limit``, ``offset``."""
    conditions: list[ColumnElement[bool]] = [owned_by(_checks, RID)]
    if by_status:
        conditions.append(_checks.c.status == bindparam("status"))
    count = select(func.count()).select_from(_checks).where(*conditions)
    page = (
        select(*_CHECK_COLUMNS)
        .where(*conditions)
        .order_by(_checks.c.id.desc())
        .limit(bindparam("limit", type_=Integer()))
        .offset(bindparam("offset", type_=Integer()))
    )
    return count, page


async def list_checks(
    session: AsyncSession,
    access: Access,
    *,
    status: CheckStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> CheckList:
    """Checks of the restaurant, newest first, with lines and payments, as stored."""
    access.check(Permission.billing_read)
    restaurant_id = access.restaurant_id
    count, page = _list_statements(status is not None)
    params: dict[str, Any] = {"restaurant_id": restaurant_id, "limit": limit, "offset": offset}
    if status is not None:
        params["status"] = status.value
    total = (await session.execute(count, params)).scalar_one()
    rows = (await session.execute(page, params)).all()
    ids = [r.id for r in rows]
    payments = await _payments_of(session, restaurant_id, ids)
    lines = await orders_lines(session, restaurant_id, [r.order_id for r in rows])
    taxes = await _taxes_of(session, restaurant_id, ids)
    discounts = await _discounts_of(session, restaurant_id, ids)
    shares = await part_shares(session, restaurant_id, [r.id for r in rows if r.parent_id])
    unit = (await billing_rules(session, restaurant_id)).cash_rounding_unit if rows else 1
    items = [
        _check_read(
            row,
            _lines(lines[row.order_id], shares.get(row.id)),
            payments[row.id],
            taxes[row.id],
            [_discount_read(d) for d in discounts[row.id]],
            unit,
        )
        for row in rows
    ]
    return CheckList(items=items, total=int(total))


@dataclass(frozen=True, slots=True)
class Settlement:
    """What a payment settles (``amount``), the cash rounding added to it
    (``rounding``), what was handed over (``tendered``, cash only) and the ``change``
    given back; minor units."""

    amount: int
    rounding: int
    tendered: int | None
    change: int


def settle_amounts(data: PaymentCreate, balance: int, cash_unit: int = 1) -> Settlement:
    """The :class:`Settlement` of payment ``data`` against ``balance`` (minor units),
    with cash rounded to ``cash_unit`` (minor units; see :class:`PaymentCreate`).

    A cash payment that settles the whole balance (its ``amount`` is the balance or the
    cash due, or without ``amount`` its ``tendered`` reaches the cash due) settles
    ``balance`` with ``rounding = cash_due - balance`` (:func:`pricing.round_cash`);
    any other cash payment is a part payment of exactly its amount. A check with
    nothing left to pay (fully discounted) is settled by a payment without ``amount``
    (``amount`` 0).

    Raises ``InvalidPayment`` and ``PaymentExceedsBalance`` (422).
    """
    rounding = 0
    if data.method is PaymentMethod.cash:
        if data.amount is None and data.tendered is None:
            raise InvalidPayment("a cash payment needs amount or tendered")
        due = pricing.round_cash(balance, cash_unit)
        if data.amount is not None:
            whole = data.amount in (balance, due)
            amount = balance if whole else data.amount
        else:
            whole = (data.tendered or 0) >= due
            amount = balance if whole else (data.tendered or 0)
        if whole:
            rounding = due - balance
        collected = amount + rounding
        tendered = data.tendered if data.tendered is not None else collected
        if tendered < collected:
            raise InvalidPayment(f"tendered {tendered} is less than the amount {collected}")
    else:
        if data.tendered is not None:
            raise InvalidPayment("tendered is for cash payments only")
        amount = data.amount if data.amount is not None else balance
        tendered = None
        collected = amount
    if amount > balance:
        raise PaymentExceedsBalance(
            f"amount {amount} is more than the balance {balance}", balance=balance
        )
    if amount < 1 and balance > 0:
        raise InvalidPayment("nothing is left to pay")
    change = (tendered - collected) if tendered is not None else 0
    return Settlement(amount, rounding, tendered, change)


async def _lock_open_check(
    session: AsyncSession, restaurant_id: int, check_id: int, version: int | None
) -> Row[*tuple[Any, ...]]:
    """Take the open check's row (version + 1; locked on PostgreSQL until the commit),
    at ``version`` when given. Raises ``NotFound``, ``CheckPaid``, ``StaleVersion``."""
    key = {"b_check_id": check_id, "b_rid": restaurant_id}
    if version is None:
        locked = (await session.execute(_LOCK_OPEN_CHECK, key)).first()
    else:
        locked = (
            await session.execute(_LOCK_OPEN_CHECK_AT_VERSION, {**key, "b_version": version})
        ).first()
    if locked is None:
        await _raise_why_not_paid(session, restaurant_id, check_id)
    assert locked is not None  # noqa: S101 - the call above always raises
    return locked


async def pay(
    session: AsyncSession,
    access: Access,
    check_id: int,
    data: PaymentCreate,
) -> PaymentResult:
    """Record a payment on an open check (see :class:`PaymentCreate` for the amounts and
    cash rounding, :func:`settle_amounts`).

    The check's row is taken first (so concurrent payments wait for each other and
    never overpay), then its amounts are brought up to date (a part of a split check
    keeps its amounts as split). When ``paid_total`` reaches ``total`` the check
    becomes ``paid`` (``paid_at``), and its order is closed and its table freed
    (``brigade.orders.service.close_order``), for a part once every part of its split
    is paid (:func:`_parts_settled`). Events: ``payment.created``
    ``{"payment", "check"}``, then on settlement ``check.paid`` ``{"check"}``,
    ``table.updated`` and ``order.closed``. The payment is taken into the drawer
    (till and open shift) that :func:`brigade.billing.hooks.payment_drawer` names for
    ``data.till_id`` and the caller (stored as ``till_id``/``shift_id``). (A retried
    request with the same ``Idempotency-Key`` is answered by the route,
    :data:`brigade.idempotency.dependencies.Idempotent`, before this runs.)

    A card payment may carry a ``tip`` (charged on top of ``amount``, never part of the
    check's total or balance) and ``tip_pending`` (the tip is adjusted later,
    :func:`brigade.billing.payments.adjust_tip`).

    Raises ``PermissionDenied`` (no ``billing:write``), ``NotFound``, ``CheckPaid``
    (409), ``StaleVersion`` (409), ``InvalidPayment`` / ``PaymentExceedsBalance`` (422),
    ``TipNotAllowed`` (422: a tip on a payment that is not by card), and the drawer
    hook's errors (an unknown till 404, a till without an open shift 409).
    """
    access.check(Permission.billing_write)
    restaurant_id = access.restaurant_id
    key = {"b_check_id": check_id, "b_rid": restaurant_id}
    locked = await _lock_open_check(session, restaurant_id, check_id, data.version)
    if data.method is not PaymentMethod.card and (data.tip or data.tip_pending):
        raise TipNotAllowed(f"a {data.method.value} payment takes no tip")
    part = locked if locked.parent_id is not None else None
    state = await _price(session, restaurant_id, check_id, locked.order_id, part=part)
    amounts = state.amounts
    balance = max(amounts.total - locked.paid_total, 0)
    settled_by = settle_amounts(data, balance, state.rules.cash_rounding_unit)
    drawer = await hooks.payment_drawer(
        session, restaurant_id, access.actor.user_id, data.till_id, data.method.value
    )
    # Every payment is at least 1 (but the one settling a fully discounted check), so
    # a check with nothing paid has none yet, unless it had one voided: a void takes
    # the check's row (version + 1), so a check still at version 2 (its creation's 1,
    # this lock's + 1) has never had a payment.
    earlier = (
        await _payments_of_check(session, restaurant_id, check_id)
        if locked.paid_total or locked.version > 2
        else []
    )
    stored = (await _taxes_of(session, restaurant_id, [check_id]))[check_id]
    now = utcnow()
    payment_row = (
        await session.execute(
            _INSERT_PAYMENT,
            {
                "restaurant_id": restaurant_id,
                "check_id": check_id,
                "method": data.method.value,
                "amount": settled_by.amount,
                "tendered": settled_by.tendered,
                "change": settled_by.change,
                "tip": data.tip or 0,
                "rounding": settled_by.rounding,
                "reference": data.reference,
                "till_id": None if drawer is None else drawer.till_id,
                "shift_id": None if drawer is None else drawer.shift_id,
                "created_by": access.actor.user_id,
                "created_at": now,
                "tip_pending": data.tip_pending,
                "tip_adjusted_at": None,
                "refunded_total": 0,
                "voided_at": None,
            },
        )
    ).one()
    paid_total = locked.paid_total + settled_by.amount
    settled = paid_total >= amounts.total
    check_row = (
        await session.execute(
            _SETTLE_CHECK,
            {
                **key,
                "b_paid_total": paid_total,
                "b_status": (CheckStatus.paid if settled else CheckStatus.open).value,
                "b_paid_at": now if settled else None,
                **amounts.as_params(),
            },
        )
    ).one()
    taxes, discounts = await _store_breakdown(session, restaurant_id, check_id, state, stored)
    payment = PaymentRead.model_validate(payment_row, from_attributes=True)
    payments = [*earlier, payment]
    check = _check_read(
        check_row,
        _lines(state.items, state.shares),
        payments,
        taxes,
        discounts,
        state.rules.cash_rounding_unit,
    )
    result = PaymentResult(**payment.model_dump(), check=check)
    check_json = check.model_dump(mode="json")
    events = [
        NewEvent(PAYMENT_CREATED, {"payment": payment.model_dump(mode="json"), "check": check_json})
    ]
    if settled:
        events.append(NewEvent(CHECK_PAID, {"check": check_json}))
    await record_many(session, restaurant_id, events)
    if settled and await _parts_settled(session, restaurant_id, locked.parent_id):
        await close_order(
            session, restaurant_id, locked.order_id, items=None if part else state.items
        )
    return result


# --- discounts ------------------------------------------------------------------------


def _validate_discount(data: DiscountCreate, state: _Pricing) -> None:
    """Raise ``InvalidDiscount`` (422) when ``data`` does not fit its kind or names no
    billed line of the check."""
    if data.kind is DiscountKind.comp:
        if data.order_item_id is None:
            raise InvalidDiscount("a comp is on a line: give order_item_id")
        if data.value is not None:
            raise InvalidDiscount("a comp takes no value (it puts the line at zero)")
    elif data.value is None:
        raise InvalidDiscount(f"a {data.kind.value} discount needs a value")
    elif data.kind is DiscountKind.percent and data.value > pricing.BP:
        raise InvalidDiscount("a percent discount is at most 10000 basis points")
    if data.order_item_id is not None and data.order_item_id not in {
        line.key for line in state.lines
    }:
        raise InvalidDiscount(
            f"line {data.order_item_id} is not a billed line of this check",
            order_item_id=data.order_item_id,
        )


async def _approver(
    session: AsyncSession,
    runtime: Runtime,
    restaurant_id: int,
    approval: Approval,
    address: str,
    device_secret: str | None = None,
) -> int:
    """The id of the manager (or owner, or platform admin) who gave ``approval``
    (:func:`brigade.devices.approvals.approver`: a password, or a PIN on the registered
    device of ``device_secret``); the approver must hold ``billing:approve`` here.

    Raises ``ApprovalInvalid`` (403) otherwise, ``TooManyRequests`` (429)."""
    return await approvals.approver(
        session,
        runtime,
        restaurant_id,
        approval,
        address=address,
        device_secret=device_secret,
        permission=Permission.billing_approve,
    )


async def add_discount(
    session: AsyncSession,
    runtime: Runtime,
    access: Access,
    check_id: int,
    data: DiscountCreate,
    *,
    address: str = "unknown",
    device_secret: str | None = None,
) -> CheckRead:
    """Add a discount or comp (:class:`DiscountCreate`) to an open check and return the
    check priced with it (:mod:`brigade.billing.pricing`); event
    ``check.discount.added`` ``{"discount": DiscountRead, "check": CheckRead}``.

    When the check's discounts with this one go beyond the restaurant's
    ``discount_approval_bp`` of its subtotal, ``data.approval`` must name a manager or
    owner of the restaurant (who and when are recorded); an approval given when none is
    needed is checked and recorded all the same. ``address`` is the client's, for the
    login limits of the approver's password.

    Raises ``PermissionDenied`` (no ``billing:write``), ``NotFound``, ``CheckPaid``
    (409), ``StaleVersion`` (409), ``InvalidDiscount`` (422),
    ``DiscountExceedsAmount`` (422: more than is left of the line or the check, or the
    total would fall below what is paid), ``DiscountApprovalRequired`` (403),
    ``ApprovalInvalid`` (403), ``TooManyRequests`` (429).
    """
    access.check(Permission.billing_write)
    restaurant_id = access.restaurant_id
    locked = await _lock_open_check(session, restaurant_id, check_id, data.version)
    if locked.parent_id is not None:
        raise CheckIsPart(
            f"check {check_id} is a part of check {locked.parent_id}: discount before splitting",
            parent_id=locked.parent_id,
        )
    stored = (await _taxes_of(session, restaurant_id, [check_id]))[check_id]
    state = await _price(session, restaurant_id, check_id, locked.order_id)
    _validate_discount(data, state)
    candidate = pricing.Discount(-1, data.kind, data.value or 0, data.order_item_id)
    priced = state.with_discount(candidate)
    taken = priced.discounts[-1]
    if taken.requested > taken.amount or taken.amount < 1:
        raise DiscountExceedsAmount(
            f"the discount asks for {taken.requested}; {taken.amount} is left to discount",
            available=taken.amount,
        )
    if priced.total < locked.paid_total:
        raise DiscountExceedsAmount(
            f"the total would fall to {priced.total}, below the {locked.paid_total} paid",
            available=max(state.priced.total - locked.paid_total, 0),
        )
    needs = pricing.needs_approval(
        priced.discount_total, priced.subtotal, state.rules.discount_approval_bp
    )
    if needs and data.approval is None:
        raise DiscountApprovalRequired(
            "the check's discounts would be more than "
            f"{state.rules.discount_approval_bp} basis points of its subtotal",
            threshold_bp=state.rules.discount_approval_bp,
        )
    approver = None
    if data.approval is not None:
        approver = await _approver(
            session, runtime, restaurant_id, data.approval, address, device_secret
        )
    now = utcnow()
    row = (
        await session.execute(
            _INSERT_DISCOUNT,
            {
                "restaurant_id": restaurant_id,
                "check_id": check_id,
                "order_item_id": data.order_item_id,
                "kind": data.kind.value,
                "value": data.value or 0,
                "amount": taken.amount,
                "reason": data.reason,
                "created_by": access.actor.user_id,
                "created_at": now,
                "approved_by": approver,
                "approved_at": now if approver is not None else None,
                "approval_method": data.approval.method if data.approval is not None else None,
                "removed_by": None,
                "removed_at": None,
            },
        )
    ).one()
    discount = _discount_read(dict(row._mapping))
    state.discounts.append(dict(row._mapping))
    state.priced = pricing.price(state.lines, _pricing_discounts(state.discounts), state.service)
    check = await _write_priced(session, restaurant_id, check_id, state, stored)
    await record_many(
        session,
        restaurant_id,
        [
            NewEvent(
                DISCOUNT_ADDED,
                {
                    "discount": discount.model_dump(mode="json"),
                    "check": check.model_dump(mode="json"),
                },
            )
        ],
    )
    return check


async def remove_discount(
    session: AsyncSession, access: Access, check_id: int, discount_id: int
) -> CheckRead:
    """Remove discount ``discount_id`` from open check ``check_id`` (its row stays, with
    who removed it and when, and takes nothing off) and return the check priced without
    it; event ``check.discount.removed`` ``{"discount_id", "check"}``.

    Raises ``PermissionDenied`` (no ``billing:write``), ``NotFound`` (check, or no such
    active discount on it), ``CheckPaid`` (409).
    """
    access.check(Permission.billing_write)
    restaurant_id = access.restaurant_id
    await _lock_open_check(session, restaurant_id, check_id, None)
    removed = (
        await session.execute(
            _REMOVE_DISCOUNT,
            {
                "b_id": discount_id,
                "b_check_id": check_id,
                "b_rid": restaurant_id,
                "b_removed_at": utcnow(),
                "b_removed_by": access.actor.user_id,
            },
        )
    ).first()
    if removed is None:
        raise NotFound(f"discount {discount_id} not found on check {check_id}")
    row = await _check_row(session, restaurant_id, check_id)
    stored = (await _taxes_of(session, restaurant_id, [check_id]))[check_id]
    state = await _price(session, restaurant_id, check_id, row.order_id)
    check = await _write_priced(session, restaurant_id, check_id, state, stored)
    await record_many(
        session,
        restaurant_id,
        [
            NewEvent(
                DISCOUNT_REMOVED,
                {"discount_id": discount_id, "check": check.model_dump(mode="json")},
            )
        ],
    )
    return check


async def _write_priced(
    session: AsyncSession,
    restaurant_id: int,
    check_id: int,
    state: _Pricing,
    stored: list[CheckTaxRead],
) -> CheckRead:
    """Write ``state``'s amounts, discount amounts and taxes on the (taken) open check
    and return it as read."""
    params = {"b_check_id": check_id, "b_rid": restaurant_id, **state.amounts.as_params()}
    data = (await session.execute(_WRITE_AMOUNTS, params)).one()
    taxes, discounts = await _store_breakdown(session, restaurant_id, check_id, state, stored)
    payments = await _payments_of_check(session, restaurant_id, check_id)
    return _check_read(
        data,
        _lines(state.items, state.shares),
        payments,
        taxes,
        discounts,
        state.rules.cash_rounding_unit,
    )


async def _raise_why_not_paid(session: AsyncSession, restaurant_id: int, check_id: int) -> None:
    current = (
        await session.execute(_CHECK_STATE, {"check_id": check_id, "restaurant_id": restaurant_id})
    ).first()
    if current is None:
        raise NotFound(f"check {check_id} not found")
    if current.status == CheckStatus.split_up.value:
        raise CheckSplit(
            f"check {check_id} is split: pay its parts, or merge them back",
            part_ids=await split_part_ids(session, restaurant_id, check_id),
        )
    if current.status != CheckStatus.open.value:
        raise CheckPaid(f"check {check_id} is {current.status}")
    raise StaleVersion(
        f"check {check_id} is at version {current.version}", current_version=current.version
    )
