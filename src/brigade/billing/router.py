"""HTTP routes of the billing context (thin: parse, authorise, call the service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from brigade.auth.dependencies import BillingRead, BillingRequest, BillingWrite
from brigade.billing import payments, service, splits
from brigade.billing.exceptions import (
    ApprovalInvalid,
    BusinessDayClosed,
    CheckHasPayments,
    CheckIsPart,
    CheckNotPaid,
    CheckNotSplit,
    CheckPaid,
    CheckSplit,
    DiscountApprovalRequired,
    DiscountExceedsAmount,
    InvalidDiscount,
    InvalidPayment,
    InvalidSplit,
    ManagerApprovalRequired,
    NothingToBill,
    PaymentExceedsBalance,
    PaymentRefunded,
    PaymentVoided,
    RefundExceedsPayment,
    TipNotAllowed,
)
from brigade.billing.schemas import (
    CheckList,
    CheckRead,
    CheckStatus,
    DiscountCreate,
    LinesMove,
    PaymentCreate,
    PaymentResult,
    RefundCreate,
    ReversalResult,
    SplitCreate,
    SplitRead,
    TipAdjust,
    TipResult,
    VoidCreate,
)
from brigade.devices.dependencies import DeviceSecret
from brigade.idempotency import dependencies as idempotency
from brigade.infra.errors import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    StaleVersion,
    TooManyRequests,
    problem_responses,
)
from brigade.inputs import Offset, PathId
from brigade.orders.exceptions import OrderClosed
from brigade.reads import ReadSessionDep
from brigade.runtime import RuntimeDep
from brigade.session import SessionDep

router = APIRouter(tags=["billing"])

R = "/restaurants/{restaurant_id}"
_AUTH = (NotAuthenticated, NotFound, PermissionDenied)

OrderId = PathId
CheckId = PathId
DiscountId = PathId
PaymentId = PathId


@router.post(
    R + "/orders/{order_id}/check",
    status_code=201,
    response_model=CheckRead,
    responses={
        200: {"description": "The order's existing check", "model": CheckRead},
        **problem_responses(*_AUTH, OrderClosed, NothingToBill),
    },
)
async def open_check(
    order_id: OrderId, access: BillingRequest, session: SessionDep, response: Response
) -> CheckRead:
    """Open the check of an order (201), or return its existing one (200, brought up to
    date with the order's lines while open)."""
    result = await service.open_check(session, access, order_id)
    if not result.created:
        response.status_code = 200
    return result.check


@router.get(
    R + "/orders/{order_id}/check", response_model=CheckRead, responses=problem_responses(*_AUTH)
)
async def get_order_check(order_id: OrderId, access: BillingRead, session: SessionDep) -> CheckRead:
    """The order's check (404 when none was opened)."""
    return await service.get_order_check(session, access, order_id)


@router.get(R + "/checks", response_model=CheckList, responses=problem_responses(*_AUTH))
async def list_checks(
    access: BillingRead,
    session: ReadSessionDep,
    status: CheckStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> CheckList:
    """Checks, newest first; filter by ``status``."""
    return await service.list_checks(session, access, status=status, limit=limit, offset=offset)


@router.get(R + "/checks/{check_id}", response_model=CheckRead, responses=problem_responses(*_AUTH))
async def get_check(check_id: CheckId, access: BillingRead, session: SessionDep) -> CheckRead:
    """One check with its lines and payments."""
    return await service.get_check(session, access, check_id)


@router.post(
    R + "/checks/{check_id}/payments",
    status_code=201,
    response_model=PaymentResult,
    responses={
        **idempotency.replayed_header_doc(201),
        **problem_responses(
            *_AUTH,
            CheckPaid,
            CheckSplit,
            StaleVersion,
            InvalidPayment,
            PaymentExceedsBalance,
            TipNotAllowed,
            *idempotency.ERRORS,
        ),
    },
)
async def create_payment(
    check_id: CheckId,
    body: PaymentCreate,
    access: BillingWrite,
    session: SessionDep,
    once: idempotency.Idempotent,
) -> PaymentResult | JSONResponse:
    """Pay (part of) a check by cash, card or other. When the payments cover the total
    the check is paid, the order closed and the table freed. A card payment may carry
    a ``tip`` (charged on top, never part of the total) or ``tip_pending`` (adjusted
    later). A retry with the same ``Idempotency-Key`` returns the first answer with
    ``Idempotent-Replayed: true``."""
    return await once.run(access, body, lambda: service.pay(session, access, check_id, body))


@router.post(
    R + "/checks/{check_id}/discounts",
    status_code=201,
    response_model=CheckRead,
    responses={
        **idempotency.replayed_header_doc(201),
        **problem_responses(
            *_AUTH,
            DiscountApprovalRequired,
            ApprovalInvalid,
            CheckPaid,
            CheckSplit,
            CheckIsPart,
            StaleVersion,
            InvalidDiscount,
            DiscountExceedsAmount,
            TooManyRequests,
            *idempotency.ERRORS,
        ),
    },
)
async def add_discount(
    check_id: CheckId,
    body: DiscountCreate,
    access: BillingWrite,
    session: SessionDep,
    runtime: RuntimeDep,
    request: Request,
    once: idempotency.Idempotent,
    device: DeviceSecret = None,
) -> CheckRead | JSONResponse:
    """Discount a line or the whole check (percent in basis points, or fixed in minor
    units), or comp a line, with a reason; answers the check priced with it. Beyond
    the restaurant's ``discount_approval_bp`` of the subtotal, a manager's
    ``approval`` (username and password, or a PIN with the registered device's
    ``X-Brigade-Device``) is needed in the same request (403
    ``discount-approval-required`` without it, ``approval-invalid`` when it is not a
    manager's). A retry with the same ``Idempotency-Key`` returns the first answer."""
    address = request.client.host if request.client else "unknown"
    return await once.run(
        access,
        body.fingerprint_body(),
        lambda: service.add_discount(
            session, runtime, access, check_id, body, address=address, device_secret=device
        ),
    )


@router.delete(
    R + "/checks/{check_id}/discounts/{discount_id}",
    response_model=CheckRead,
    responses=problem_responses(*_AUTH, CheckPaid, CheckSplit),
)
async def remove_discount(
    check_id: CheckId, discount_id: DiscountId, access: BillingWrite, session: SessionDep
) -> CheckRead:
    """Remove a discount while the check is open (409 ``check-paid`` after); answers
    the check priced without it."""
    return await service.remove_discount(session, access, check_id, discount_id)


@router.post(
    R + "/checks/{check_id}/split",
    status_code=201,
    response_model=SplitRead,
    responses={
        **idempotency.replayed_header_doc(201),
        **problem_responses(
            *_AUTH,
            CheckPaid,
            CheckSplit,
            CheckIsPart,
            CheckHasPayments,
            StaleVersion,
            InvalidSplit,
            *idempotency.ERRORS,
        ),
    },
)
async def split_check(
    check_id: CheckId,
    body: SplitCreate,
    access: BillingWrite,
    session: SessionDep,
    once: idempotency.Idempotent,
) -> SplitRead | JSONResponse:
    """Split an open check without payments into parts, each a check paid on its own:
    ``{"by": "even", "parts": N}``, ``{"by": "seat"}``, ``{"by": "lines", "parts":
    [[{"order_item_id", "share"}...], ...]}`` (a line's shares sum to 1) or ``{"by":
    "amounts", "amounts": [...]}`` (summing to the total). The parts add up to the
    check to the cent (largest remainder, leftover cents to the first parts; see
    docs/checks.md). A retry with the same ``Idempotency-Key`` returns the first
    answer."""
    return await once.run(access, body, lambda: splits.split_check(session, access, check_id, body))


@router.post(
    R + "/checks/{check_id}/merge",
    response_model=CheckRead,
    responses={
        **idempotency.replayed_header_doc(200),
        **problem_responses(*_AUTH, CheckNotSplit, CheckHasPayments, *idempotency.ERRORS),
    },
)
async def merge_check(
    check_id: CheckId,
    access: BillingWrite,
    session: SessionDep,
    once: idempotency.Idempotent,
) -> CheckRead | JSONResponse:
    """Merge a split check's parts back (``check_id``: the split check or one of its
    parts) while no part has a payment (409 ``check-has-payments`` after); answers the
    check, open again and priced from its order. A retry with the same
    ``Idempotency-Key`` returns the first answer."""
    return await once.run(access, None, lambda: splits.merge_check(session, access, check_id))


@router.post(
    R + "/checks/{check_id}/lines/move",
    response_model=SplitRead,
    responses={
        **idempotency.replayed_header_doc(200),
        **problem_responses(
            *_AUTH, CheckNotSplit, CheckHasPayments, InvalidSplit, *idempotency.ERRORS
        ),
    },
)
async def move_lines(
    check_id: CheckId,
    body: LinesMove,
    access: BillingWrite,
    session: SessionDep,
    once: idempotency.Idempotent,
) -> SplitRead | JSONResponse:
    """Move lines from this part of a split check to another part of it, before any
    part has a payment (409 ``check-has-payments`` after); every part is priced again
    and they still add up to the whole. A retry with the same ``Idempotency-Key``
    returns the first answer."""
    return await once.run(access, body, lambda: splits.move_lines(session, access, check_id, body))


@router.post(
    R + "/payments/{payment_id}/tip",
    response_model=TipResult,
    responses={
        **idempotency.replayed_header_doc(200),
        **problem_responses(
            *_AUTH, TipNotAllowed, PaymentVoided, BusinessDayClosed, *idempotency.ERRORS
        ),
    },
)
async def adjust_tip(
    payment_id: PaymentId,
    body: TipAdjust,
    access: BillingWrite,
    session: SessionDep,
    once: idempotency.Idempotent,
) -> TipResult | JSONResponse:
    """Set (replace and confirm) the tip of a card payment, in minor units, until the
    business day of its order is closed by a Z report (409 ``business-day-closed``
    after). A retry with the same ``Idempotency-Key`` returns the first answer."""
    return await once.run(
        access, body, lambda: payments.adjust_tip(session, access, payment_id, body)
    )


_MANAGER_ERRORS = (ManagerApprovalRequired, ApprovalInvalid, TooManyRequests, PaymentVoided)


@router.post(
    R + "/payments/{payment_id}/refund",
    status_code=201,
    response_model=ReversalResult,
    responses={
        **idempotency.replayed_header_doc(201),
        **problem_responses(
            *_AUTH,
            *_MANAGER_ERRORS,
            CheckNotPaid,
            BusinessDayClosed,
            RefundExceedsPayment,
            *idempotency.ERRORS,
        ),
    },
)
async def refund_payment(
    payment_id: PaymentId,
    body: RefundCreate,
    access: BillingWrite,
    session: SessionDep,
    runtime: RuntimeDep,
    request: Request,
    once: idempotency.Idempotent,
    device: DeviceSecret = None,
) -> ReversalResult | JSONResponse:
    """Refund (part of) a payment of a paid check in the payment's method, with a
    reason: by a manager, or by a cashier with a manager's ``approval`` in the body
    (403 ``manager-approval-required`` without). Never more than the payment less its
    earlier refunds (422 ``refund-exceeds-payment``); the check stays paid and shows
    ``refunded_total``; cash comes out of the till's shift. A retry with the same
    ``Idempotency-Key`` returns the first answer."""
    address = request.client.host if request.client else "unknown"
    return await once.run(
        access,
        body.fingerprint_body(),
        lambda: payments.refund_payment(
            session, runtime, access, payment_id, body, address=address, device_secret=device
        ),
    )


@router.post(
    R + "/payments/{payment_id}/void",
    status_code=201,
    response_model=ReversalResult,
    responses={
        **idempotency.replayed_header_doc(201),
        **problem_responses(
            *_AUTH, *_MANAGER_ERRORS, CheckPaid, PaymentRefunded, *idempotency.ERRORS
        ),
    },
)
async def void_payment(
    payment_id: PaymentId,
    body: VoidCreate,
    access: BillingWrite,
    session: SessionDep,
    runtime: RuntimeDep,
    request: Request,
    once: idempotency.Idempotent,
    device: DeviceSecret = None,
) -> ReversalResult | JSONResponse:
    """Void a whole payment of an open check (a payment keyed by mistake), with a
    reason, by a manager or with a manager's ``approval``; the check's balance goes
    back up and a cash payment's money comes out of the till's shift. A paid check's
    payments are refunded instead (409 ``check-paid``). A retry with the same
    ``Idempotency-Key`` returns the first answer."""
    address = request.client.host if request.client else "unknown"
    return await once.run(
        access,
        body.fingerprint_body(),
        lambda: payments.void_payment(
            session, runtime, access, payment_id, body, address=address, device_secret=device
        ),
    )
