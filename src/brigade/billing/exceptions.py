"""Errors of the billing context (problem+json ``type`` slugs are stable)."""

from __future__ import annotations

from brigade.infra.errors import Conflict, InvalidInput


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
