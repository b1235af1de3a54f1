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
