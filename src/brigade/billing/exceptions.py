"""Errors of the billing context (problem+json ``type`` slugs are stable)."""

from __future__ import annotations

from brigade.devices.exceptions import ApprovalInvalid as ApprovalInvalid
from brigade.infra.errors import Conflict, InvalidInput, PermissionDenied


class CheckPaid(Conflict):
    """The check is paid already; it takes no more payments."""

    type = "check-paid"
    title = "The check is paid"


class NothingToBill(Conflict):
    """The order has no line to bill (every line voided, or none added)."""

    type = "nothing-to-bill"
    title = "The order has nothing to bill"


class PaymentExceedsBalance(InvalidInput):
    """The payment's amount is more than what is left to pay on the check."""

    type = "payment-exceeds-balance"
    title = "The payment is more than the balance"


class InvalidPayment(InvalidInput):
    """Amount and tendered do not fit the method (e.g. cash tendered below the amount,
    ``tendered`` on a card payment)."""

    type = "invalid-payment"
    title = "Invalid payment"


class DiscountApprovalRequired(PermissionDenied):
    """The check's discounts would go beyond the restaurant's threshold
    (``discount_approval_bp`` of the subtotal) and no manager's approval was given."""

    type = "discount-approval-required"
    title = "This discount needs a manager's approval"


class DiscountExceedsAmount(InvalidInput):
    """The discount takes more than what is left of its line or of the check."""

    type = "discount-exceeds-amount"
    title = "The discount is more than the amount"


class InvalidDiscount(InvalidInput):
    """The discount does not fit: an unknown or voided line, a comp without a line or
    with a value, a percent above 10000 basis points, a percent or fixed discount
    without a value."""

    type = "invalid-discount"
    title = "Invalid discount"


class CheckSplit(Conflict):
    """The check is split into parts: pay (or discount) the parts, or merge them back
    first (extension ``part_ids``)."""

    type = "check-split"
    title = "The check is split into parts"


class CheckNotSplit(Conflict):
    """The check is not split (nothing to merge)."""

    type = "check-not-split"
    title = "The check is not split"


class CheckIsPart(Conflict):
    """The check is a part of a split check: it cannot be split again or discounted;
    merge the parts back and split anew (extension ``parent_id``)."""

    type = "check-is-part"
    title = "The check is a part of a split"


class CheckHasPayments(Conflict):
    """The check (or a part of its split) has a payment: it can no longer be split or
    merged back."""

    type = "check-has-payments"
    title = "The check has payments"


class InvalidSplit(InvalidInput):
    """The split does not fit the check: an unknown or voided line, a line's shares not
    summing to 1, a share outside (0, 1], amounts not summing to the total, fewer than
    two seats with lines."""

    type = "invalid-split"
    title = "Invalid split"


class TipNotAllowed(InvalidInput):
    """A tip was given on, or adjusted for, a payment that is not by card (tips are
    taken on card payments only; cash tips go to the waiter by hand)."""

    type = "tip-not-allowed"
    title = "Tips are for card payments"


class ManagerApprovalRequired(PermissionDenied):
    """A refund or a void needs a manager: the caller holds no ``billing:approve`` and
    the request carries no manager's ``approval``."""

    type = "manager-approval-required"
    title = "This needs a manager's approval"


class RefundExceedsPayment(InvalidInput):
    """The refund is more than what is left of the payment: its ``amount`` less the
    refunds given back on it already (extension ``refundable``, minor units)."""

    type = "refund-exceeds-payment"
    title = "The refund is more than the payment"


class CheckNotPaid(Conflict):
    """A refund was asked on a payment of a check that is still open: void the payment
    instead (a refund gives back money of a settled check)."""

    type = "check-not-paid"
    title = "The check is not paid"


class PaymentVoided(Conflict):
    """The payment was voided: it takes no refund, void or tip any more."""

    type = "payment-voided"
    title = "The payment is voided"


class PaymentRefunded(Conflict):
    """The payment has refunds: it can no longer be voided."""

    type = "payment-refunded"
    title = "The payment has refunds"


class BusinessDayClosed(Conflict):
    """The business day the write belongs to is closed by a Z report (extension
    ``number``): its figures are final."""

    type = "business-day-closed"
    title = "The business day is closed"
