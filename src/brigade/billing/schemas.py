"""Request and response bodies of the billing context (money in minor units, times UTC)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from brigade.billing.pricing import DiscountKind

# The approvals a request may carry: by password or by PIN on a registered device
# (brigade.devices.approvals), discriminated by ``method``; re-exported here.
from brigade.devices.approvals import Approval as Approval
from brigade.devices.approvals import PasswordApproval as PasswordApproval
from brigade.devices.approvals import PinApproval as PinApproval
from brigade.inputs import Id, SingleLine, Version
from brigade.money import MAX_AMOUNT, Money, PositiveMoney


class CheckStatus(StrEnum):
    """``open`` until payments cover ``total``, then ``paid``; ``split`` once split into
    parts (the parts are paid, not it; merged back it is ``open`` again)."""

    open = "open"
    paid = "paid"
    split_up = "split"


class PaymentMethod(StrEnum):
    """How a payment was made."""

    cash = "cash"
    card = "card"
    other = "other"


class CheckLineRead(BaseModel):
    """A billed order line (voided lines are not billed); amounts in minor units.

    ``discount`` is what the line's own discounts and comps take off it (a check
    discount's share is not included); ``comped`` when a comp puts it at zero."""

    order_item_id: int
    name: str
    variation_name: str
    quantity: int
    unit_price: int
    modifiers_total: int
    line_total: int
    discount: int = Field(default=0, description="Minor units.")
    comped: bool = False
    share: str = Field(
        default="1",
        description="The part of the line on this check, a fraction ('1/3'); '1' unless split.",
    )
    share_amount: int | None = Field(
        default=None,
        description="Minor units: this part's share of line_total (null unless a part).",
    )


class CheckTaxRead(BaseModel):
    """The tax of a check at one rate (minor units): ``base`` is what the lines at this
    rate come to after discounts (with a taxable service charge), tax included when
    ``inclusive``; ``net`` is ``base`` without its tax. ``tax_rate_id`` ``null``: the
    restaurant's default rate."""

    tax_rate_id: int | None
    name: str
    rate_bp: int = Field(description="Basis points (1/100 %).")
    inclusive: bool
    base: int = Field(description="Minor units.")
    tax: int = Field(description="Minor units, rounded half-up once per rate per check.")
    net: int = Field(description="Minor units.")


class DiscountRead(BaseModel):
    """A discount on the check (``order_item_id`` ``null``) or on one of its lines.

    ``kind``: ``percent`` (``value`` basis points), ``fixed`` (``value`` minor units) or
    ``comp`` (the line at zero). ``amount`` (minor units) is what it takes off.
    ``approved_by``/``approved_at``/``approval_method`` record the manager's approval
    when it needed one. Times are UTC."""

    id: int
    order_item_id: int | None
    kind: DiscountKind
    value: int
    amount: int = Field(description="Minor units.")
    reason: str
    created_by: int | None
    created_at: datetime
    approved_by: int | None
    approved_at: datetime | None
    approval_method: str | None


class PaymentRead(BaseModel):
    """A payment: ``amount`` is what it settles; for cash, ``tendered`` is what was
    handed over and ``change`` what was given back (minor units). ``tip`` (card only)
    is charged on top of ``amount`` and is no part of the check's total;
    ``tip_pending`` while a tip left for later has not been adjusted.
    ``refunded_total`` is what refunds gave back of ``amount``; ``voided_at`` is set
    once the payment is voided (it then settles nothing). Times are UTC."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    check_id: int
    method: PaymentMethod
    amount: int
    tendered: int | None
    change: int
    tip: int
    rounding: int = Field(
        default=0,
        description=(
            "Minor units (cash only, may be negative): cash rounding; the guest paid "
            "amount + rounding."
        ),
    )
    reference: str
    till_id: int | None = None
    shift_id: int | None = None
    created_at: datetime
    tip_pending: bool = False
    tip_adjusted_at: datetime | None = None
    refunded_total: int = Field(default=0, description="Minor units given back by refunds.")
    voided_at: datetime | None = None


class CheckRead(BaseModel):
    """What the guests owe for an order, in minor units of ``currency``
    (:mod:`brigade.billing.pricing`).

    ``subtotal`` is the billed lines; ``discount_total`` what the discounts and comps
    take off (``comp_total`` of it comps); ``service_charge`` is ``service_charge_bp``
    of the discounted lines; ``taxes`` lists the tax per rate, ``tax_total`` their sum.
    ``total = subtotal - discount_total + service_charge +`` the taxes of exclusive
    rates (inclusive ones are in the prices). ``tax_rate_bp``/``tax_inclusive`` are the
    restaurant's default rate. ``balance = total - paid_total`` (never below 0);
    ``cash_due`` is the balance rounded to the restaurant's cash unit, and
    ``rounding_total`` the cash rounding of its payments (never part of ``total``).
    ``paid_total`` counts the payments that are not voided; ``refunded_total`` what
    refunds gave back of them (a refunded check stays ``paid``); ``tip_total`` their
    tips (never part of ``total``). While the check is open its amounts follow the
    order's lines and the rules.
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
    service_charge: int = 0
    service_charge_bp: int = 0
    comp_total: int = 0
    cash_due: int = 0
    rounding_total: int = 0
    taxes: list[CheckTaxRead] = Field(default_factory=list)
    discounts: list[DiscountRead] = Field(default_factory=list)
    parent_id: int | None = Field(
        default=None, description="The split check this check is a part of (null: none)."
    )
    split_by: str | None = Field(
        default=None, description="How this check (or its parent) was split (null: not split)."
    )
    part_ids: list[int] = Field(
        default_factory=list, description="The parts of a split check, in order."
    )
    refunded_total: int = Field(default=0, description="Minor units.")
    tip_total: int = Field(default=0, description="Minor units.")


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

    Cash rounding (restaurant's ``cash_rounding_unit`` > 1): a cash payment settles the
    whole balance when its ``amount`` is the balance or the check's ``cash_due``, or,
    without ``amount``, when ``tendered`` reaches ``cash_due``; it records ``amount`` =
    the balance and ``rounding = cash_due - balance``, and ``change = tendered -
    cash_due``.

    Tips (card only; 422 ``tip-not-allowed`` otherwise): ``tip`` (minor units) is
    charged on top of ``amount`` (the card is charged ``amount + tip``); it is never
    discounted or taxed and no part of the check's total or balance. ``tip_pending``
    says the tip is left for later (the slip's tip line): the payment's tip must be
    adjusted (``POST .../payments/{id}/tip``) before the day's Z report is taken.
    """

    model_config = ConfigDict(extra="forbid")

    method: PaymentMethod
    amount: PositiveMoney | None = Field(default=None, description="Minor units.")
    tendered: PositiveMoney | None = Field(default=None, description="Minor units, cash only.")
    reference: SingleLine = Field(default="", max_length=100)
    version: Version | None = None
    till_id: Id | None = Field(default=None, description="The till taking the payment.")
    tip: Money | None = Field(default=None, description="Minor units, card only.")
    tip_pending: bool = Field(default=False, description="The tip is adjusted later (card).")


class PaymentResult(PaymentRead):
    """The payment made, with its check after it (``status`` ``paid`` when settled)."""

    check: CheckRead


class DiscountCreate(BaseModel):
    """A discount on an open check: on line ``order_item_id`` or, without it, on the
    whole check.

    ``kind`` ``percent``: ``value`` basis points (1..10000) of the line (or of the
    lines after their own discounts, for the check); ``fixed``: ``value`` minor units;
    ``comp``: the line at zero (a line is required, ``value`` is not given). ``reason``
    is required. Discounts beyond the restaurant's ``discount_approval_bp`` of the
    subtotal (all of the check's discounts counted) need ``approval`` by a manager or
    owner of the restaurant. ``version``, when given, must be the check's current one.
    """

    model_config = ConfigDict(extra="forbid")

    order_item_id: Id | None = None
    kind: DiscountKind
    value: int | None = Field(
        default=None,
        ge=1,
        le=MAX_AMOUNT,
        description="Basis points (percent, at most 10000) or minor units (fixed).",
    )
    reason: SingleLine = Field(min_length=1, max_length=200)
    approval: Approval | None = None
    version: Version | None = None

    def fingerprint_body(self) -> DiscountCreate:
        """This body without the approver's password or PIN (what the Idempotency-Key's
        fingerprint is computed from: no password is hashed into a stored record)."""
        if self.approval is None:
            return self
        return self.model_copy(update={"approval": self.approval.redacted()})


#: A share of a line: a fraction written ``"1/3"``, ``"0.5"`` or ``"1"`` (in (0, 1],
#: denominator at most 1000).
Share = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[0-9]+([./][0-9]+)?$")]


class SplitLine(BaseModel):
    """A line on a part: order line ``order_item_id`` and the ``share`` of it on this
    part (default ``"1"``: the whole line)."""

    model_config = ConfigDict(extra="forbid")

    order_item_id: Id
    share: Share = "1"


class SplitEven(BaseModel):
    """Split evenly in ``parts`` (2..50): the total spread by largest remainder, the
    leftover cents to the first parts."""

    model_config = ConfigDict(extra="forbid")

    by: Literal["even"]
    parts: int = Field(ge=2, le=50)
    version: Version | None = None


class SplitBySeat(BaseModel):
    """One part per seat that has lines (ascending); lines without a seat are shared
    evenly by every part."""

    model_config = ConfigDict(extra="forbid")

    by: Literal["seat"]
    version: Version | None = None


class SplitByLines(BaseModel):
    """Parts of chosen lines (2..50 parts): every billed line of the check is on at
    least one part, and a line's shares over the parts sum to exactly 1 (a third of a
    pizza on each of three parts: ``"1/3"`` three times)."""

    model_config = ConfigDict(extra="forbid")

    by: Literal["lines"]
    parts: list[Annotated[list[SplitLine], Field(max_length=200)]] = Field(
        min_length=2, max_length=50
    )
    version: Version | None = None


class SplitByAmounts(BaseModel):
    """Parts of the given ``amounts`` (minor units, each ≥ 1, 2..50 of them), which must
    sum to the check's total."""

    model_config = ConfigDict(extra="forbid")

    by: Literal["amounts"]
    amounts: list[PositiveMoney] = Field(min_length=2, max_length=50)
    version: Version | None = None


#: The body of ``POST .../checks/{check_id}/split``, by its ``by``.
SplitCreate = Annotated[
    SplitEven | SplitBySeat | SplitByLines | SplitByAmounts, Field(discriminator="by")
]


class SplitRead(BaseModel):
    """A split check (``status`` ``split``, amounts frozen) and its parts, in order; the
    parts' amounts add up to the check's, to the cent."""

    check: CheckRead
    parts: list[CheckRead]


class LinesMove(BaseModel):
    """Move lines ``order_item_ids`` (their whole share on this part) to part
    ``to_check_id`` of the same split."""

    model_config = ConfigDict(extra="forbid")

    order_item_ids: list[Id] = Field(min_length=1, max_length=200)
    to_check_id: Id


class TipAdjust(BaseModel):
    """The tip of a card payment, set after it was taken (North American practice:
    the guest writes the tip on the slip): ``tip`` in minor units (0 allowed), which
    replaces the payment's tip and confirms it."""

    model_config = ConfigDict(extra="forbid")

    tip: Money = Field(description="Minor units.")


class ReversalKind(StrEnum):
    """``refund``: money of a settled check given back; ``void``: a payment undone."""

    refund = "refund"
    void = "void"


class _ManagerBody(BaseModel):
    """A body that needs a manager: the caller's ``billing:approve`` or a manager's
    ``approval`` in it."""

    model_config = ConfigDict(extra="forbid")

    reason: SingleLine = Field(min_length=1, max_length=200)
    approval: Approval | None = None
    till_id: Id | None = Field(
        default=None, description="The till whose drawer pays cash back (cash payments)."
    )

    def fingerprint_body(self) -> _ManagerBody:
        """This body without the approver's password or PIN (what the Idempotency-Key's
        fingerprint is computed from: no password is hashed into a stored record)."""
        if self.approval is None:
            return self
        return self.model_copy(update={"approval": self.approval.redacted()})


class RefundCreate(_ManagerBody):
    """A refund of (part of) a payment of a paid check, in the payment's method:
    ``amount`` (minor units, default: all that is left of the payment's ``amount``
    after earlier refunds; never more: 422 ``refund-exceeds-payment``), ``reason``
    (required). A cash refund is paid out of the drawer of ``till_id`` (default: the
    caller's one open shift, as for payments). Needs ``billing:approve`` or
    ``approval`` (a manager's username and password, or PIN on a registered device)."""

    amount: PositiveMoney | None = Field(default=None, description="Minor units.")


class VoidCreate(_ManagerBody):
    """A void of a whole payment of an open check (a payment keyed by mistake), with a
    ``reason``. A voided cash payment's ``amount + rounding`` is paid back out of the
    drawer of ``till_id`` (default: the caller's one open shift). Needs
    ``billing:approve`` or ``approval``."""


class ReversalRead(BaseModel):
    """A refund or a void of payment ``payment_id`` in its ``method``: ``amount`` taken
    off the payment's amount, ``tip`` given back with it, ``cash`` paid out of the
    drawer (shift ``shift_id`` of till ``till_id``; cash only), minor units.
    ``business_date`` is the local day whose report counts it. ``approved_by`` and
    ``approval_method`` (``permission``, ``password`` or ``pin``) say which manager allowed it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    payment_id: int
    check_id: int
    kind: ReversalKind
    method: PaymentMethod
    amount: int = Field(description="Minor units.")
    tip: int = Field(description="Minor units.")
    cash: int = Field(description="Minor units paid out of the drawer.")
    reason: str
    till_id: int | None
    shift_id: int | None
    business_date: date
    created_by: int | None
    created_at: datetime
    approved_by: int | None
    approval_method: str


class ReversalResult(ReversalRead):
    """The refund or void made, with the payment and its check after it."""

    payment: PaymentRead
    check: CheckRead


class TipResult(PaymentRead):
    """The payment with its adjusted tip, and its check."""

    check: CheckRead
