"""Request and response bodies of the tills context (money in minor units, times UTC,
business dates the restaurant's local date)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from brigade.inputs import SingleLine, Version
from brigade.money import Money, PositiveMoney


class TillCreate(BaseModel):
    """A new till (cash drawer); ``name`` unique in the restaurant."""

    model_config = ConfigDict(extra="forbid")

    name: SingleLine = Field(min_length=1, max_length=100)


class TillRead(BaseModel):
    """A till and its open shift (``None`` when none is open)."""

    id: int
    name: str
    created_at: datetime
    open_shift_id: int | None


class TillList(BaseModel):
    """The restaurant's tills by name, and how many there are."""

    items: list[TillRead]
    total: int


class ShiftStatus(StrEnum):
    """``open`` from the float to the count, then ``closed`` (final)."""

    open = "open"
    closed = "closed"


class ShiftOpen(BaseModel):
    """Open a shift on a till with ``opening_float`` in the drawer (minor units)."""

    model_config = ConfigDict(extra="forbid")

    opening_float: Money = Field(description="Cash in the drawer at the start, minor units.")


class ShiftClose(BaseModel):
    """The blind count: ``counted_cash`` is what the cashier counted in the drawer
    (minor units), given before any expected figure is shown. ``version``, when given,
    must be the shift's current one."""

    model_config = ConfigDict(extra="forbid")

    counted_cash: Money = Field(description="Cash counted in the drawer, minor units.")
    version: Version | None = None


class DrawerFigures(BaseModel):
    """A shift's cash, in minor units: ``expected_cash = opening_float + cash_in -
    change_out + paid_in - paid_out - cash_refunds``; ``variance = counted_cash -
    expected_cash`` (negative: cash missing). ``cash_sales = cash_in - change_out`` (the
    cash payments' amounts). ``counted_cash``/``variance`` are ``None`` until the count."""

    opening_float: int
    cash_in: int = Field(description="Cash handed over by guests (tendered), minor units.")
    change_out: int = Field(description="Change given back, minor units.")
    cash_sales: int
    paid_in: int
    paid_out: int
    cash_refunds: int = Field(
        description="Cash paid back out of this drawer by refunds and voids, minor units."
    )
    expected_cash: int
    counted_cash: int | None
    variance: int | None


class ShiftRead(BaseModel):
    """A shift of a till. ``figures`` stay ``None`` while it is open (the count is
    blind); once closed they are final."""

    id: int
    till_id: int
    status: ShiftStatus
    business_date: date
    opening_float: int
    opened_by: int | None
    opened_at: datetime
    closed_by: int | None
    closed_at: datetime | None
    version: int
    figures: DrawerFigures | None


class ShiftList(BaseModel):
    """Shifts, newest first, and how many match in all."""

    items: list[ShiftRead]
    total: int


class MovementKind(StrEnum):
    """Cash put into the drawer (``paid_in``) or taken out (``paid_out``) that is no sale."""

    paid_in = "paid_in"
    paid_out = "paid_out"


class CashMovementCreate(BaseModel):
    """A paid-in or paid-out: ``amount`` (minor units, ≥ 1) and why (required)."""

    model_config = ConfigDict(extra="forbid")

    amount: PositiveMoney = Field(description="Minor units.")
    reason: SingleLine = Field(min_length=1, max_length=500)


class CashMovementRead(BaseModel):
    """A recorded paid-in or paid-out of a shift (minor units, UTC)."""

    id: int
    shift_id: int
    kind: MovementKind
    amount: int
    reason: str
    created_by: int | None
    created_at: datetime


class MethodTotal(BaseModel):
    """Payments of one method: how many, what they settled and their tips (minor units)."""

    method: str
    count: int
    amount: int
    tips: int


class TaxLine(BaseModel):
    """Tax at one rate (``rate_bp`` basis points, ``inclusive`` or added): ``taxable``
    (the checks' lines less discounts at that rate) and ``tax``, minor units."""

    rate_bp: int
    inclusive: bool
    taxable: int
    tax: int


class CountAmount(BaseModel):
    """How many, and their value in minor units."""

    count: int
    amount: int


class WaiterTips(BaseModel):
    """The tips of a waiter's orders (the user who opened them; ``waiter_id`` ``None``:
    unknown) on a day: ``payments`` with a tip, ``tips`` in minor units. ``name`` is
    their full name when they have one."""

    waiter_id: int | None
    name: str | None
    payments: int
    tips: int


class ShiftSummary(DrawerFigures):
    """One shift of the day with its till and its drawer's figures (an open shift's
    figures so far; ``counted_cash``/``variance`` ``None`` until it is counted)."""

    shift_id: int
    till_id: int
    till_name: str
    status: ShiftStatus


class DayReport(BaseModel):
    """A business day's totals (minor units of ``currency``), as of ``generated_at``.

    What counts: the orders whose ``business_date`` is the day (the restaurant's local
    date when they were opened, as in :mod:`brigade.reporting`), their paid checks and
    the payments on those checks, the lines voided on them, and the shifts opened that
    day. ``payments`` by method (voided payments left out); ``tax`` by rate; ``tips``
    from the payments, and ``tips_by_waiter`` by the waiter of their order;
    ``discounts`` the checks' ``discount_total``; ``comps`` are zero until they are
    counted here; ``refunds`` the refunds made that day (their ``amount``);
    ``payment_voids`` the payments voided on the day's orders; ``voids`` the voided
    lines' ``line_total``; ``covers`` and ``orders`` of the closed orders; ``checks``
    the paid checks and ``sales`` their totals. ``cash`` sums the shifts' drawers.
    ``payment_voids`` and ``tips_by_waiter`` default to none in Z reports taken before
    they existed.
    """

    business_date: date
    currency: str
    generated_at: datetime
    orders: int
    covers: int
    checks: int
    sales: int = Field(description="Paid checks' totals (tax included), minor units.")
    payments: list[MethodTotal]
    payments_total: int
    tax: list[TaxLine]
    tax_total: int
    tips: int
    discounts: CountAmount
    comps: CountAmount
    refunds: CountAmount
    voids: CountAmount
    payment_voids: CountAmount = Field(default_factory=lambda: CountAmount(count=0, amount=0))
    tips_by_waiter: list[WaiterTips] = Field(default_factory=list)
    shifts: list[ShiftSummary]
    expected_cash: int
    counted_cash: int
    variance: int


class ZReportCreate(BaseModel):
    """Close ``business_date`` (default: the restaurant's local today; never later)."""

    model_config = ConfigDict(extra="forbid")

    business_date: date | None = None


class ZReportRead(BaseModel):
    """A Z report: ``number`` 1, 2, 3… per restaurant, its day's figures as taken."""

    id: int
    number: int
    business_date: date
    taken_by: int | None
    taken_at: datetime
    report: DayReport


class ZReportList(BaseModel):
    """Z reports, latest first, and how many there are."""

    items: list[ZReportRead]
    total: int
