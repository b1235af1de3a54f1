"""Rules of the billing context: checks of orders and their payments.

A check's amounts are stored, and recomputed from the order's lines and the restaurant's
tax rule while it is open (lines added or voided after the check was opened show up on
the next read or payment). Written like the orders hot path: Core statements built
once on the tables with bind parameters, executed with parameter dicts, RETURNING
instead of re-reading.

Built for what comes later: a check names its order and stores ``discount_total`` and
``tip_total``, so splits (several checks per order), discounts and tips add rows and
terms to :func:`compute_amounts` without changing what exists.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
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
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from brigade import money
from brigade.auth.dependencies import Access
from brigade.auth.permissions import Permission
from brigade.billing import hooks
from brigade.billing.exceptions import (
    CheckPaid,
    InvalidPayment,
    NothingToBill,
    PaymentExceedsBalance,
)
from brigade.billing.models import Check, Payment
from brigade.billing.schemas import (
    CheckLineRead,
    CheckList,
    CheckRead,
    CheckStatus,
    PaymentCreate,
    PaymentMethod,
    PaymentRead,
    PaymentResult,
)
from brigade.events.outbox import NewEvent, record_many
from brigade.infra.db import UTCDateTime, utcnow
from brigade.infra.errors import NotFound, StaleVersion
from brigade.orders.exceptions import OrderClosed, OrderHasCheck
from brigade.orders.schemas import OrderItemRead, OrderItemStatus, OrderStatus
from brigade.orders.service import (
    close_order,
    get_order_row,
    lines_subtotal,
    order_lines,
    orders_lines,
)
from brigade.restaurants.service import restaurant_profile
from brigade.tenancy import RID, owned_by, scoped

CHECK_CREATED = "check.created"
PAYMENT_CREATED = "payment.created"
CHECK_PAID = "check.paid"

_checks = cast(Table, Check.__table__)
_payments = cast(Table, Payment.__table__)

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
    _checks.c.tax_rate_bp,
    _checks.c.tax_inclusive,
    _checks.c.version,
    _checks.c.created_at,
    _checks.c.paid_at,
)
_PAYMENT_COLUMNS: tuple[ColumnElement[Any], ...] = (
    _payments.c.id,
    _payments.c.check_id,
    _payments.c.method,
    _payments.c.amount,
    _payments.c.tendered,
    _payments.c.change,
    _payments.c.tip,
    _payments.c.reference,
    _payments.c.till_id,
    _payments.c.shift_id,
    _payments.c.created_at,
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
_LATEST_CHECK = (
    scoped(select(*_CHECK_COLUMNS), RID)
    .where(_checks.c.order_id == bindparam("order_id"))
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
_AMOUNT_FIELDS = (
    "subtotal",
    "discount_total",
    "tax_total",
    "total",
    "tax_rate_bp",
    "tax_inclusive",
)


@dataclass(frozen=True, slots=True)
class Amounts:
    """A check's amounts in minor units, and the tax rule they were computed with."""

    subtotal: int
    discount_total: int
    tax_total: int
    total: int
    tax_rate_bp: int
    tax_inclusive: bool

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
    """Tax and total of ``subtotal - discount_total`` (minor units) at ``tax_rate_bp``.

    Inclusive: the tax is the part of the prices that is tax, and the total is the
    discounted subtotal. Exclusive: the tax is added. Both round half-up
    (:mod:`brigade.money`).
    """
    net = subtotal - discount_total
    if tax_inclusive:
        tax = money.tax_inclusive(net, tax_rate_bp)
        total = net
    else:
        tax = money.tax_exclusive(net, tax_rate_bp)
        total = net + tax
    return Amounts(subtotal, discount_total, tax, total, tax_rate_bp, tax_inclusive)


def _lines(items: Sequence[OrderItemRead]) -> list[CheckLineRead]:
    return [
        CheckLineRead(
            order_item_id=i.id,
            name=i.name,
            variation_name=i.variation_name,
            quantity=i.quantity,
            unit_price=i.unit_price,
            modifiers_total=i.modifiers_total,
            line_total=i.line_total,
        )
        for i in items
        if i.status is not OrderItemStatus.voided
    ]


def _check_read(
    row: Row[*tuple[Any, ...]] | dict[str, Any],
    lines: list[CheckLineRead],
    payments: list[PaymentRead],
) -> CheckRead:
    data = dict(row._mapping) if isinstance(row, Row) else row
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
        balance=max(data["total"] - data["paid_total"], 0),
        tax_rate_bp=data["tax_rate_bp"],
        tax_inclusive=data["tax_inclusive"],
        version=data["version"],
        created_at=data["created_at"],
        paid_at=data["paid_at"],
        lines=lines,
        payments=payments,
    )


async def _tax_rule(session: AsyncSession, restaurant_id: int) -> tuple[int, bool]:
    profile = await restaurant_profile(session, None, restaurant_id)
    return profile.tax_rate_bp, profile.tax_inclusive


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


async def _refresh(
    session: AsyncSession, restaurant_id: int, row: Row[*tuple[Any, ...]], subtotal: int
) -> dict[str, Any]:
    """Bring an open check's amounts up to date with its order's ``subtotal`` (minor
    units) and the restaurant's tax rule (one UPDATE, version + 1, only when something
    changed)."""
    data = dict(row._mapping)
    if data["status"] != CheckStatus.open.value:
        return data
    rate, inclusive = await _tax_rule(session, restaurant_id)
    amounts = compute_amounts(subtotal, rate, inclusive, data["discount_total"])
    values = amounts.as_values()
    if all(data[k] == v for k, v in values.items()):
        return data
    params = {"b_check_id": data["id"], "b_rid": restaurant_id, **amounts.as_params()}
    updated = (await session.execute(_REFRESH_CHECK, params)).one()
    return dict(updated._mapping)


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
    lines = _lines(order.items)
    if existing is not None:
        data = await _refresh(session, restaurant_id, existing, order.subtotal)
        payments = await _payments_of_check(session, restaurant_id, data["id"])
        return CheckCreateResult(_check_read(data, lines, payments), created=False)
    if order.status is not OrderStatus.open:
        raise OrderClosed(f"order {order_id} is {order.status.value}")
    if not lines or order.subtotal <= 0:
        raise NothingToBill(f"order {order_id} has no line to bill")
    rate, inclusive = await _tax_rule(session, restaurant_id)
    amounts = compute_amounts(order.subtotal, rate, inclusive)
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
                **amounts.as_values(),
            },
        )
    ).one()
    check = _check_read(row, lines, [])
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
    items = await order_lines(session, restaurant_id, order_id)
    data = await _refresh(session, restaurant_id, existing, lines_subtotal(items))
    payments = await _payments_of_check(session, restaurant_id, data["id"])
    return _check_read(data, _lines(items), payments)


async def get_check(session: AsyncSession, access: Access, check_id: int) -> CheckRead:
    """Check ``check_id`` (brought up to date while open). Raises ``NotFound``."""
    access.check(Permission.billing_read)
    restaurant_id = access.restaurant_id
    row = (
        await session.execute(_CHECK, {"check_id": check_id, "restaurant_id": restaurant_id})
    ).first()
    if row is None:
        raise NotFound(f"check {check_id} not found")
    items = await order_lines(session, restaurant_id, row.order_id)
    data = await _refresh(session, restaurant_id, row, lines_subtotal(items))
    payments = await _payments_of_check(session, restaurant_id, check_id)
    return _check_read(data, _lines(items), payments)


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
    payments = await _payments_of(session, restaurant_id, [r.id for r in rows])
    lines = await orders_lines(session, restaurant_id, [r.order_id for r in rows])
    items = [_check_read(row, _lines(lines[row.order_id]), payments[row.id]) for row in rows]
    return CheckList(items=items, total=int(total))


def _settle_amounts(data: PaymentCreate, balance: int) -> tuple[int, int | None, int]:
    """``(amount, tendered, change)`` of a payment against ``balance`` (minor units).

    Raises ``InvalidPayment`` and ``PaymentExceedsBalance`` (422).
    """
    if data.method is PaymentMethod.cash:
        if data.amount is None and data.tendered is None:
            raise InvalidPayment("a cash payment needs amount or tendered")
        amount = data.amount if data.amount is not None else min(data.tendered or 0, balance)
        tendered = data.tendered if data.tendered is not None else amount
        if tendered < amount:
            raise InvalidPayment(f"tendered {tendered} is less than the amount {amount}")
    else:
        if data.tendered is not None:
            raise InvalidPayment("tendered is for cash payments only")
        amount = data.amount if data.amount is not None else balance
        tendered = None
    if amount < 1:
        raise InvalidPayment("nothing is left to pay")
    if amount > balance:
        raise PaymentExceedsBalance(
            f"amount {amount} is more than the balance {balance}", balance=balance
        )
    change = (tendered - amount) if tendered is not None else 0
    return amount, tendered, change


async def pay(
    session: AsyncSession,
    access: Access,
    check_id: int,
    data: PaymentCreate,
) -> PaymentResult:
    """Record a payment on an open check (see :class:`PaymentCreate` for the amounts).

    The check's amounts are brought up to date first. When ``paid_total`` reaches
    ``total`` the check becomes ``paid`` (``paid_at``), its order is closed and its
    table freed (``brigade.orders.service.close_order``). Events: ``payment.created``
    ``{"payment", "check"}``, then on settlement ``check.paid`` ``{"check"}``,
    ``table.updated`` and ``order.closed``. The payment is taken into the drawer
    (till and open shift) that :func:`brigade.billing.hooks.payment_drawer` names for
    ``data.till_id`` and the caller (stored as ``till_id``/``shift_id``). (A retried
    request with the same ``Idempotency-Key`` is answered by the route,
    :data:`brigade.idempotency.dependencies.Idempotent`, before this runs.)

    Raises ``PermissionDenied`` (no ``billing:write``), ``NotFound``, ``CheckPaid``
    (409), ``StaleVersion`` (409), ``InvalidPayment`` / ``PaymentExceedsBalance`` (422),
    and the drawer hook's errors (an unknown till 404, a till without an open shift 409).
    """
    access.check(Permission.billing_write)
    restaurant_id = access.restaurant_id
    key = {"b_check_id": check_id, "b_rid": restaurant_id}
    if data.version is None:
        locked = (await session.execute(_LOCK_OPEN_CHECK, key)).first()
    else:
        locked = (
            await session.execute(_LOCK_OPEN_CHECK_AT_VERSION, {**key, "b_version": data.version})
        ).first()
    if locked is None:
        await _raise_why_not_paid(session, restaurant_id, check_id)
    assert locked is not None  # noqa: S101 - the call above always raises
    items = await order_lines(session, restaurant_id, locked.order_id)
    rate, inclusive = await _tax_rule(session, restaurant_id)
    amounts = compute_amounts(lines_subtotal(items), rate, inclusive, locked.discount_total)
    balance = max(amounts.total - locked.paid_total, 0)
    amount, tendered, change = _settle_amounts(data, balance)
    drawer = await hooks.payment_drawer(
        session, restaurant_id, access.actor.user_id, data.till_id, data.method.value
    )
    # Every payment is at least 1, so a check with nothing paid has none yet.
    earlier = (
        await _payments_of_check(session, restaurant_id, check_id) if locked.paid_total else []
    )
    now = utcnow()
    payment_row = (
        await session.execute(
            _INSERT_PAYMENT,
            {
                "restaurant_id": restaurant_id,
                "check_id": check_id,
                "method": data.method.value,
                "amount": amount,
                "tendered": tendered,
                "change": change,
                "tip": 0,
                "reference": data.reference,
                "till_id": None if drawer is None else drawer.till_id,
                "shift_id": None if drawer is None else drawer.shift_id,
                "created_by": access.actor.user_id,
                "created_at": now,
            },
        )
    ).one()
    paid_total = locked.paid_total + amount
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
    payment = PaymentRead.model_validate(payment_row, from_attributes=True)
    payments = [*earlier, payment]
    check = _check_read(check_row, _lines(items), payments)
    result = PaymentResult(**payment.model_dump(), check=check)
    check_json = check.model_dump(mode="json")
    events = [
        NewEvent(PAYMENT_CREATED, {"payment": payment.model_dump(mode="json"), "check": check_json})
    ]
    if settled:
        events.append(NewEvent(CHECK_PAID, {"check": check_json}))
    await record_many(session, restaurant_id, events)
    if settled:
        await close_order(session, restaurant_id, locked.order_id, items=items)
    return result


async def _raise_why_not_paid(session: AsyncSession, restaurant_id: int, check_id: int) -> None:
    current = (
        await session.execute(_CHECK_STATE, {"check_id": check_id, "restaurant_id": restaurant_id})
    ).first()
    if current is None:
        raise NotFound(f"check {check_id} not found")
    if current.status != CheckStatus.open.value:
        raise CheckPaid(f"check {check_id} is {current.status}")
    raise StaleVersion(
        f"check {check_id} is at version {current.version}", current_version=current.version
    )
