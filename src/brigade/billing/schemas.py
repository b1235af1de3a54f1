"""Request and response bodies of the billing context (money in minor units, times UTC)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from brigade.inputs import Id, SingleLine, Version
from brigade.money import PositiveMoney


class CheckStatus(StrEnum):
    """``open`` until payments cover ``total``, then ``paid``."""

    open = "open"
    paid = "paid"


class PaymentMethod(StrEnum):
    """How a payment was made."""

    cash = "cash"
    card = "card"
    other = "other"


class CheckLineRead(BaseModel):
    """A billed order line (voided lines are not billed); amounts in minor units."""

    order_item_id: int
    name: str
    variation_name: str
    quantity: int
    unit_price: int
    modifiers_total: int
    line_total: int


class PaymentRead(BaseModel):
    """A payment: ``amount`` is what it settles; for cash, ``tendered`` is what was
    handed over and ``change`` what was given back (minor units). Times are UTC."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    check_id: int
    method: PaymentMethod
    amount: int
    tendered: int | None
    change: int
    tip: int
    reference: str
    till_id: int | None = None
    shift_id: int | None = None
    created_at: datetime


class CheckRead(BaseModel):
    """What the guests owe for an order, in minor units of ``currency``.

    ``subtotal`` is the billed lines; ``tax_total`` is computed at ``tax_rate_bp`` basis
    points, half-up: contained in the prices when ``tax_inclusive`` (then ``total =
    subtotal - discount_total``), added on top otherwise (``total = subtotal -
    discount_total + tax_total``). ``balance = total - paid_total`` (never below 0).
    While the check is open its amounts follow the order's lines.
    """

    id: int
    order_id: int
    status: CheckStatus
    currency: str
    subtotal: int
    discount_total: int
    tax_total: int
    total: int
    paid_total: int
    balance: int
    tax_rate_bp: int
    tax_inclusive: bool
    version: int
    created_at: datetime
    paid_at: datetime | None
    lines: list[CheckLineRead]
    payments: list[PaymentRead]


class CheckList(BaseModel):
    """A page of checks (newest first) and how many match in all."""

    items: list[CheckRead]
    total: int


class PaymentCreate(BaseModel):
    """A payment on an open check.

    ``amount`` (minor units, ≥ 1) may not exceed the balance. Cash may give
    ``tendered`` ≥ ``amount``; ``change = tendered - amount``; without ``amount``, cash
    settles ``min(tendered, balance)``. Card and other payments without ``amount``
    settle the whole balance, and take no ``tendered``. ``version``, when given, must
    be the check's current one. ``till_id`` names the till (cash drawer) whose open
    shift takes the payment; without it, the open shift of the caller when they have
    exactly one, else none (404 for an unknown till, 409 ``till-not-open`` for a till
    without an open shift, 422 ``till-required`` for cash when the caller has several).
    """

    model_config = ConfigDict(extra="forbid")

    method: PaymentMethod
    amount: PositiveMoney | None = Field(default=None, description="Minor units.")
    tendered: PositiveMoney | None = Field(default=None, description="Minor units, cash only.")
    reference: SingleLine = Field(default="", max_length=100)
    version: Version | None = None
    till_id: Id | None = Field(default=None, description="The till taking the payment.")


class PaymentResult(PaymentRead):
    """The payment made, with its check after it (``status`` ``paid`` when settled)."""

    check: CheckRead
