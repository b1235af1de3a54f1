"""Rules of what happens to a payment after it was taken: its tip adjusted, money given
back by a refund, the whole payment undone by a void.

- **Tip adjustment** (card payments; ``billing:write``): the tip is set (replaced) and
  confirmed until the business day of the payment's order is closed by a Z report
  (409 ``business-day-closed`` after). Tips are charged on top of the payment's amount
  and never touch the check's amounts.
- **Refund** (a manager: ``billing:approve``, or a cashier with a manager's approval in
  the request): part or all of a payment's ``amount`` given back in the payment's
  method, on a **paid** check (an open check's payment is voided instead, 409
  ``check-not-paid``). Never more than the payment's ``amount`` less its earlier
  refunds (422 ``refund-exceeds-payment``). The check stays ``paid``; its
  ``refunded_total`` shows what went back. A refund belongs to the local business day
  it is made on (409 ``business-day-closed`` once that day has its Z).
- **Void** (a manager, as for refunds): the whole payment undone, on an **open**
  check only (409 ``check-paid`` on a paid one: a settled check's money goes back by a
  refund, so a void never reopens a check, an order or a table). The check's
  ``paid_total`` falls by the payment's ``amount``; the payment keeps its row with
  ``voided_at`` and counts in no total. The Z report is refused while checks are open,
  so a void always comes before its day's Z.

Cash given back (a cash refund's amount; a cash void's ``amount + rounding``, what
the guest left in the drawer) is paid out of the drawer that
:func:`brigade.billing.hooks.payment_drawer` names, as for a payment, and subtracted
from that shift's expected cash (:func:`brigade.tills.service.expected_cash`).

Concurrency: a refund adds to the payment's ``refunded_total`` in one conditional
UPDATE (``refunded_total + amount <= amount``), which takes the payment's row lock on
PostgreSQL (a concurrent refund waits and re-reads the row) and runs alone on SQLite's
one writer: concurrent refunds of one payment never give back more than it settled. A
void takes the check's row first (:func:`brigade.billing.service.pay` does too) and
marks the payment in a conditional UPDATE as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import BigInteger, Row, Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access
from brigade.auth.permissions import Permission
from brigade.billing import hooks
from brigade.billing.exceptions import (
    BusinessDayClosed,
    CheckNotPaid,
    ManagerApprovalRequired,
    PaymentRefunded,
    PaymentVoided,
    RefundExceedsPayment,
    TipNotAllowed,
)
from brigade.billing.models import Check, Payment, PaymentReversal
from brigade.billing.schemas import (
    Approval,
    CheckRead,
    CheckStatus,
    PaymentMethod,
    PaymentRead,
    RefundCreate,
    ReversalKind,
    ReversalRead,
    ReversalResult,
    TipAdjust,
    TipResult,
    VoidCreate,
)
from brigade.billing.service import (
    _PAYMENT_COLUMNS,
    _approver,
    _check_row,
    _lock_open_check,
    _read_check,
)
from brigade.events.outbox import record
from brigade.infra.db import UTCDateTime, utcnow
from brigade.infra.errors import NotFound
from brigade.runtime import Runtime
from brigade.tenancy import RID, owned_by, scoped

PAYMENT_TIP_ADJUSTED = "payment.tip_adjusted"
PAYMENT_REFUNDED = "payment.refunded"
PAYMENT_VOIDED = "payment.voided"

_payments = cast(Table, Payment.__table__)
_checks = cast(Table, Check.__table__)
_reversals = cast(Table, PaymentReversal.__table__)

_PAYMENT = scoped(select(*_PAYMENT_COLUMNS), RID).where(_payments.c.id == bindparam("payment_id"))
_B_AMOUNT = bindparam("b_amount", type_=BigInteger())
_PAYMENT_KEY = (
    _payments.c.id == bindparam("b_payment_id"),
    owned_by(_payments, bindparam("b_rid")),
)
# A card payment's tip replaced and confirmed (not once voided).
_SET_TIP = (
    update(_payments)
    .where(*_PAYMENT_KEY, _payments.c.voided_at.is_(None))
    .values(
        tip=bindparam("b_tip", type_=BigInteger()),
        tip_pending=False,
        tip_adjusted_at=bindparam("b_now", type_=UTCDateTime()),
    )
    .returning(*_PAYMENT_COLUMNS)
)
# A refund added to the payment, never beyond its amount (the row's lock on PostgreSQL).
_ADD_REFUND = (
    update(_payments)
    .where(
        *_PAYMENT_KEY,
        _payments.c.voided_at.is_(None),
        _payments.c.refunded_total + _B_AMOUNT <= _payments.c.amount,
    )
    .values(refunded_total=_payments.c.refunded_total + _B_AMOUNT)
    .returning(*_PAYMENT_COLUMNS)
)
# A payment voided: not voided yet and without refunds.
_VOID = (
    update(_payments)
    .where(*_PAYMENT_KEY, _payments.c.voided_at.is_(None), _payments.c.refunded_total == 0)
    .values(voided_at=bindparam("b_now", type_=UTCDateTime()))
    .returning(*_PAYMENT_COLUMNS)
)
# The (taken) open check's paid total less a voided payment's amount.
_UNPAY_CHECK = (
    update(_checks)
    .where(_checks.c.id == bindparam("b_check_id"), owned_by(_checks, bindparam("b_rid")))
    .values(paid_total=_checks.c.paid_total - _B_AMOUNT)
)
_INSERT_REVERSAL = insert(_reversals).returning(*_reversals.c)


@dataclass(frozen=True, slots=True)
class _Approved:
    """Who allowed a refund or a void: ``approved_by`` (``None``: an API token holding
    ``billing:approve``) and how (``permission`` or ``password``)."""

    approved_by: int | None
    method: str


async def _payment(session: AsyncSession, restaurant_id: int, payment_id: int) -> PaymentRead:
    row = (
        await session.execute(_PAYMENT, {"restaurant_id": restaurant_id, "payment_id": payment_id})
    ).first()
    if row is None:
        raise NotFound(f"payment {payment_id} not found")
    return PaymentRead.model_validate(row, from_attributes=True)


async def _manager(
    session: AsyncSession,
    runtime: Runtime,
    access: Access,
    approval: Approval | None,
    address: str,
    device_secret: str | None = None,
) -> _Approved:
    """The manager allowing a refund or void: a given ``approval`` is checked
    (:func:`brigade.billing.service._approver`; 403 ``approval-invalid``, 429) and
    recorded; without one the caller must hold ``billing:approve`` (403
    ``manager-approval-required``)."""
    if approval is not None:
        approver = await _approver(
            session, runtime, access.restaurant_id, approval, address, device_secret
        )
        return _Approved(approver, approval.method)
    if not access.can(Permission.billing_approve):
        raise ManagerApprovalRequired(
            "a refund or a void needs a manager: give a manager's approval"
        )
    return _Approved(access.actor.user_id, "permission")


async def _check_of(
    session: AsyncSession, restaurant_id: int, check_id: int
) -> tuple[Row[Any], CheckRead]:
    row = await _check_row(session, restaurant_id, check_id)
    return row, await _read_check(session, restaurant_id, row)


async def adjust_tip(
    session: AsyncSession, access: Access, payment_id: int, data: TipAdjust
) -> TipResult:
    """Set the tip of card payment ``payment_id`` to ``data.tip`` (minor units; it
    replaces the earlier tip and confirms it: ``tip_pending`` false, ``tip_adjusted_at``
    now) and return the payment with its check. Event ``payment.tip_adjusted``
    ``{"payment": PaymentRead}``.

    The payment's row is written before the Z report of its order's business day is
    looked for, and the Z locks the day's payments first
    (:func:`brigade.tills.report.take_z_report`), so an adjustment racing the Z is
    either in its figures or refused.

    Raises ``PermissionDenied`` (no ``billing:write``), ``NotFound`` (no such payment
    in this restaurant), :class:`TipNotAllowed` (422: not a card payment),
    :class:`PaymentVoided` (409) and :class:`BusinessDayClosed` (409: the day has its Z).
    """
    access.check(Permission.billing_write)
    restaurant_id = access.restaurant_id
    payment = await _payment(session, restaurant_id, payment_id)
    if payment.method is not PaymentMethod.card:
        raise TipNotAllowed(f"payment {payment_id} is a {payment.method.value} payment")
    if payment.voided_at is not None:
        raise PaymentVoided(f"payment {payment_id} is voided")
    row = (
        await session.execute(
            _SET_TIP,
            {
                "b_payment_id": payment_id,
                "b_rid": restaurant_id,
                "b_tip": data.tip,
                "b_now": utcnow(),
            },
        )
    ).first()
    if row is None:
        raise PaymentVoided(f"payment {payment_id} is voided")
    check_row = await _check_row(session, restaurant_id, payment.check_id)
    day = await hooks.business_day(session, restaurant_id, check_row.order_id)
    if day.z_number is not None:
        raise BusinessDayClosed(
            f"Z report {day.z_number} closed {day.business_date.isoformat()}",
            number=day.z_number,
        )
    adjusted = PaymentRead.model_validate(row, from_attributes=True)
    check = await _read_check(session, restaurant_id, check_row)
    await record(
        session, restaurant_id, PAYMENT_TIP_ADJUSTED, {"payment": adjusted.model_dump(mode="json")}
    )
    return TipResult(**adjusted.model_dump(), check=check)


async def _insert_reversal(
    session: AsyncSession,
    access: Access,
    payment: PaymentRead,
    *,
    kind: ReversalKind,
    amount: int,
    tip: int,
    cash: int,
    reason: str,
    drawer: hooks.Drawer | None,
    business_date: date,
    approved: _Approved,
) -> ReversalRead:
    row = (
        await session.execute(
            _INSERT_REVERSAL,
            {
                "restaurant_id": access.restaurant_id,
                "check_id": payment.check_id,
                "payment_id": payment.id,
                "kind": kind.value,
                "method": payment.method.value,
                "amount": amount,
                "tip": tip,
                "cash": cash,
                "reason": reason,
                "till_id": None if drawer is None else drawer.till_id,
                "shift_id": None if drawer is None else drawer.shift_id,
                "business_date": business_date,
                "created_by": access.actor.user_id,
                "created_at": utcnow(),
                "approved_by": approved.approved_by,
                "approval_method": approved.method,
            },
        )
    ).one()
    return ReversalRead.model_validate(row, from_attributes=True)


async def _drawer(
    session: AsyncSession, access: Access, payment: PaymentRead, till_id: int | None
) -> hooks.Drawer | None:
    """The drawer paying cash back: cash payments only (as a cash payment's)."""
    if payment.method is not PaymentMethod.cash:
        return None
    return await hooks.payment_drawer(
        session, access.restaurant_id, access.actor.user_id, till_id, PaymentMethod.cash.value
    )


async def refund_payment(
    session: AsyncSession,
    runtime: Runtime,
    access: Access,
    payment_id: int,
    data: RefundCreate,
    *,
    address: str = "unknown",
    device_secret: str | None = None,
) -> ReversalResult:
    """Refund ``data.amount`` (minor units; default: what is left of the payment) of
    payment ``payment_id`` of a paid check, in the payment's method, with a reason (see
    the module's docstring). A cash refund is paid out of the drawer of
    ``data.till_id`` (or the caller's one open shift) and counts against its expected
    cash. Event ``payment.refunded`` ``{"refund": ReversalRead, "payment", "check"}``.

    Raises ``PermissionDenied`` (no ``billing:write``), ``NotFound`` (payment),
    :class:`ManagerApprovalRequired` / ``ApprovalInvalid`` (403), ``TooManyRequests``
    (429: the approver's login limits), :class:`CheckNotPaid` (409),
    :class:`PaymentVoided` (409), :class:`BusinessDayClosed` (409: today has its Z),
    :class:`RefundExceedsPayment` (422, extension ``refundable``) and the drawer
    hook's errors (404 unknown till, 409 ``till-not-open``, 422 ``till-required``).
    """
    access.check(Permission.billing_write)
    restaurant_id = access.restaurant_id
    payment = await _payment(session, restaurant_id, payment_id)
    approved = await _manager(session, runtime, access, data.approval, address, device_secret)
    check_row = await _check_row(session, restaurant_id, payment.check_id)
    if payment.voided_at is not None:
        raise PaymentVoided(f"payment {payment_id} is voided")
    if check_row.status != CheckStatus.paid.value:
        raise CheckNotPaid(f"check {payment.check_id} is open: void the payment instead")
    refundable = payment.amount - payment.refunded_total
    amount = data.amount if data.amount is not None else refundable
    if amount < 1 or amount > refundable:
        raise RefundExceedsPayment(
            f"payment {payment_id} has {refundable} left to refund", refundable=refundable
        )
    row = (
        await session.execute(
            _ADD_REFUND, {"b_payment_id": payment_id, "b_rid": restaurant_id, "b_amount": amount}
        )
    ).first()
    if row is None:
        # A concurrent refund or void committed between the read and this write.
        current = await _payment(session, restaurant_id, payment_id)
        if current.voided_at is not None:
            raise PaymentVoided(f"payment {payment_id} is voided")
        left = current.amount - current.refunded_total
        raise RefundExceedsPayment(
            f"payment {payment_id} has {left} left to refund", refundable=left
        )
    day = await hooks.business_day(session, restaurant_id, None)
    if day.z_number is not None:
        raise BusinessDayClosed(
            f"Z report {day.z_number} closed {day.business_date.isoformat()}: no refund today",
            number=day.z_number,
        )
    drawer = await _drawer(session, access, payment, data.till_id)
    refunded = PaymentRead.model_validate(row, from_attributes=True)
    reversal = await _insert_reversal(
        session,
        access,
        refunded,
        kind=ReversalKind.refund,
        amount=amount,
        tip=0,
        cash=amount if payment.method is PaymentMethod.cash else 0,
        reason=data.reason,
        drawer=drawer,
        business_date=day.business_date,
        approved=approved,
    )
    check = await _read_check(session, restaurant_id, check_row)
    result = ReversalResult(**reversal.model_dump(), payment=refunded, check=check)
    await record(
        session,
        restaurant_id,
        PAYMENT_REFUNDED,
        {
            "refund": reversal.model_dump(mode="json"),
            "payment": refunded.model_dump(mode="json"),
            "check": check.model_dump(mode="json"),
        },
    )
    return result


async def void_payment(
    session: AsyncSession,
    runtime: Runtime,
    access: Access,
    payment_id: int,
    data: VoidCreate,
    *,
    address: str = "unknown",
    device_secret: str | None = None,
) -> ReversalResult:
    """Void payment ``payment_id`` of an open check with a reason (see the module's
    docstring): the check's row is taken (version + 1), the payment marked voided, the
    check's ``paid_total`` less its ``amount`` (balance back up); a card payment's tip
    goes with it; a cash payment's ``amount + rounding`` is paid out of the drawer of
    ``data.till_id`` (or the caller's one open shift). The void belongs to the
    business day of the check's order. Event ``payment.voided`` ``{"void":
    ReversalRead, "payment", "check"}``.

    Raises ``PermissionDenied`` (no ``billing:write``), ``NotFound`` (payment),
    :class:`ManagerApprovalRequired` / ``ApprovalInvalid`` (403), ``TooManyRequests``
    (429), ``CheckPaid`` (409: refund instead), :class:`PaymentVoided` (409),
    :class:`PaymentRefunded` (409) and the drawer hook's errors.
    """
    access.check(Permission.billing_write)
    restaurant_id = access.restaurant_id
    payment = await _payment(session, restaurant_id, payment_id)
    approved = await _manager(session, runtime, access, data.approval, address, device_secret)
    locked = await _lock_open_check(session, restaurant_id, payment.check_id, None)
    now = utcnow()
    row = (
        await session.execute(
            _VOID, {"b_payment_id": payment_id, "b_rid": restaurant_id, "b_now": now}
        )
    ).first()
    if row is None:
        current = await _payment(session, restaurant_id, payment_id)
        if current.voided_at is not None:
            raise PaymentVoided(f"payment {payment_id} is voided")
        raise PaymentRefunded(f"payment {payment_id} has refunds: it cannot be voided")
    voided = PaymentRead.model_validate(row, from_attributes=True)
    await session.execute(
        _UNPAY_CHECK,
        {"b_check_id": payment.check_id, "b_rid": restaurant_id, "b_amount": voided.amount},
    )
    day = await hooks.business_day(session, restaurant_id, locked.order_id)
    drawer = await _drawer(session, access, voided, data.till_id)
    cash = voided.amount + voided.rounding if voided.method is PaymentMethod.cash else 0
    reversal = await _insert_reversal(
        session,
        access,
        voided,
        kind=ReversalKind.void,
        amount=voided.amount,
        tip=voided.tip,
        cash=cash,
        reason=data.reason,
        drawer=drawer,
        business_date=day.business_date,
        approved=approved,
    )
    _, check = await _check_of(session, restaurant_id, payment.check_id)
    result = ReversalResult(**reversal.model_dump(), payment=voided, check=check)
    await record(
        session,
        restaurant_id,
        PAYMENT_VOIDED,
        {
            "void": reversal.model_dump(mode="json"),
            "payment": voided.model_dump(mode="json"),
            "check": check.model_dump(mode="json"),
        },
    )
    return result
