"""Errors of the billing context (problem+json ``type`` slugs are stable)."""

from __future__ import annotations

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


class ApprovalInvalid(PermissionDenied):
    """The approval given is not a manager's: unknown user, wrong password, inactive
    account, or no manager-or-higher role (``billing:approve``) in this restaurant."""

    type = "approval-invalid"
    title = "The approval is not valid"


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
