"""Request and response bodies of the restaurants context (Pydantic v2)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from brigade.auth.permissions import Role
from brigade.inputs import FreeText, SingleLine

TAX_RATE_MAX_BP = 10_000

#: The longest postal address (free text, lines separated by newlines).
ADDRESS_MAX_LENGTH = 500
_ADDRESS_DESCRIPTION = "Postal address printed on receipts; one line per line."
_LOCALE_DESCRIPTION = (
    "CLDR locale (e.g. en_US, de_DE, ja_JP): how amounts and dates are written on receipts."
)

_TAX_RATE = Field(
    ge=0,
    le=TAX_RATE_MAX_BP,
    description="Sales tax in basis points (1/100 %): 825 = 8.25 %.",
)


#: The largest cash rounding unit (minor units): 100 rounds cash to whole units.
CASH_ROUNDING_MAX = 100

_SERVICE_CHARGE = Field(
    ge=0, le=TAX_RATE_MAX_BP, description="Service charge in basis points (1000 = 10 %)."
)
_MIN_COVERS = Field(
    ge=0,
    le=999,
    description="Service charge only for orders of at least this many covers (0: every check).",
)
_CASH_ROUNDING = Field(
    ge=1,
    le=CASH_ROUNDING_MAX,
    description="Cash due is rounded half-up to this many minor units (1: none, 5: 0.05).",
)
_APPROVAL = Field(
    ge=0,
    le=TAX_RATE_MAX_BP,
    description=(
        "Discounts beyond this share of a check's subtotal (basis points) need a "
        "manager's approval."
    ),
)


#: A reason a waiter may pick when voiding a line (the restaurant's ``void_reasons``).
VoidReason = Annotated[SingleLine, Field(min_length=1, max_length=100)]
_VOID_REASONS = Field(
    description=(
        "The reasons a waiter picks from when voiding a line; empty: any reason may be typed."
    ),
)
#: The longest automatic course pacing, in minutes.
AUTO_FIRE_MAX_MINUTES = 240
_AUTO_FIRE_DESCRIPTION = (
    "Minutes after the kitchen bumps a course until the next held course fires by itself;"
    " 0 = off (courses are fired by the waiter)."
)
#: The longest target prep time of a station (seconds): a day.
PREP_TARGET_MAX_SECONDS = 86_400
#: The most stations a restaurant may set a target for.
PREP_TARGETS_MAX = 50
#: The most opening periods a restaurant may list (a week of split shifts and more).
OPENING_PERIODS_MAX = 50

#: A kitchen station's name, as menu items name it (``grill``, ``bar``).
StationName = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=64,
        pattern=r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$",
    ),
]
#: Seconds from fire to ready that a station's tickets should take.
PrepSeconds = Annotated[int, Field(ge=1, le=PREP_TARGET_MAX_SECONDS)]
_PREP_TARGETS_DESCRIPTION = (
    "Target prep time (fire to ready) per kitchen station, in seconds: "
    '{"grill": 900, "bar": 300}. Stations not listed have no target of their own.'
)
_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class OpeningPeriod(BaseModel):
    """One opening period of a weekday, in the restaurant's local time. A period whose
    ``closes`` is not later than ``opens`` ends the next day (``18:00``–``02:00``).
    Periods may not overlap, also across midnight, and may not be empty."""

    model_config = ConfigDict(extra="forbid")

    weekday: int = Field(ge=1, le=7, description="ISO weekday: 1 Monday … 7 Sunday.")
    opens: str = Field(pattern=_CLOCK, description="Local time HH:MM (24 h).")
    closes: str = Field(
        pattern=_CLOCK, description="Local time HH:MM; not after `opens`: the next day."
    )


class Features(BaseModel):
    """The restaurant's feature switches: what its screens offer."""

    coursing: bool = Field(default=True, description="Courses held and fired by the waiter.")
    tips: bool = Field(default=True, description="Tips asked for on card payments.")
    loyalty: bool = Field(default=False, description="Loyalty points for known guests.")
    guest_ordering: bool = Field(
        default=False, description="Guests order from the menu behind a table's QR code."
    )


class FeaturesUpdate(BaseModel):
    """Feature switches to change; omitted ones stay as they are."""

    model_config = ConfigDict(extra="forbid")

    coursing: bool | None = None
    tips: bool | None = None
    loyalty: bool | None = None
    guest_ordering: bool | None = None


#: The most quick notes a restaurant keeps, and the longest one (characters).
QUICK_NOTES_MAX = 24
QUICK_NOTE_MAX_LENGTH = 60
_QUICK_NOTES_DESCRIPTION = (
    "Short notes a waiter taps onto an order line (e.g. 'allergy: nuts', 'well done'), "
    "in display order."
)
QuickNote = Annotated[SingleLine, Field(min_length=1, max_length=QUICK_NOTE_MAX_LENGTH)]


class BillingSettings(BaseModel):
    """The billing settings of a restaurant (also in :class:`RestaurantRead`)."""

    service_charge_bp: int = _SERVICE_CHARGE
    service_charge_min_covers: int = _MIN_COVERS
    service_charge_taxable: bool = Field(description="Taxed at the default rate when true.")
    cash_rounding_unit: int = _CASH_ROUNDING
    discount_approval_bp: int = _APPROVAL


class OwnerCreate(BaseModel):
    """The owner to create (or attach, if the username exists) with a new restaurant."""

    username: SingleLine = Field(min_length=1, max_length=150)
    password: SingleLine | None = Field(
        default=None, max_length=1024, description="Needed when the user is new (>= 8)."
    )
    full_name: SingleLine = Field(default="", max_length=200)


class RestaurantCreate(BaseModel):
    """``POST /restaurants`` body (platform admin only)."""

    name: SingleLine = Field(min_length=1, max_length=200)
    slug: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")
    currency: SingleLine = Field(default="USD", min_length=3, max_length=3, description="ISO 4217.")
    time_zone: SingleLine = Field(default="UTC", max_length=64, description="IANA time zone.")
    tax_rate_bp: int = _TAX_RATE
    tax_inclusive: bool = Field(
        default=False, description="Whether menu prices include the tax (else it is added)."
    )
    address: FreeText = Field(
        default="", max_length=ADDRESS_MAX_LENGTH, description=_ADDRESS_DESCRIPTION
    )
    locale: SingleLine = Field(
        default="en_US", min_length=2, max_length=35, description=_LOCALE_DESCRIPTION
    )
    owner: OwnerCreate | None = None


class RestaurantUpdate(BaseModel):
    """``PATCH R`` body: the settings to change; omitted fields stay as they are.

    ``tax_rate_bp``/``tax_inclusive`` are the default tax rule (lines whose menu item and
    category name no tax rate); the billing settings are described in
    :class:`BillingSettings`."""

    name: SingleLine | None = Field(default=None, min_length=1, max_length=200)
    currency: SingleLine | None = Field(default=None, min_length=3, max_length=3)
    time_zone: SingleLine | None = Field(default=None, max_length=64)
    tax_rate_bp: int | None = Field(default=None, ge=0, le=TAX_RATE_MAX_BP)
    tax_inclusive: bool | None = None
    service_charge_bp: int | None = Field(default=None, ge=0, le=TAX_RATE_MAX_BP)
    service_charge_min_covers: int | None = Field(default=None, ge=0, le=999)
    service_charge_taxable: bool | None = None
    cash_rounding_unit: int | None = Field(default=None, ge=1, le=CASH_ROUNDING_MAX)
    discount_approval_bp: int | None = Field(default=None, ge=0, le=TAX_RATE_MAX_BP)
    address: FreeText | None = Field(
        default=None, max_length=ADDRESS_MAX_LENGTH, description=_ADDRESS_DESCRIPTION
    )
    locale: SingleLine | None = Field(
        default=None, min_length=2, max_length=35, description=_LOCALE_DESCRIPTION
    )
    void_reasons: list[VoidReason] | None = Field(
        default=None,
        max_length=50,
        description=(
            "The reasons a waiter picks from when voiding a line (distinct, kept in this "
            "order); [] lets any reason be typed."
        ),
    )
    course_auto_fire_minutes: int | None = Field(
        default=None, ge=0, le=AUTO_FIRE_MAX_MINUTES, description=_AUTO_FIRE_DESCRIPTION
    )
    opening_hours: list[OpeningPeriod] | None = Field(
        default=None,
        max_length=OPENING_PERIODS_MAX,
        description="The whole week's opening periods (replaces the list; [] = none set).",
    )
    station_prep_targets: dict[StationName, PrepSeconds] | None = Field(
        default=None,
        max_length=PREP_TARGETS_MAX,
        description=_PREP_TARGETS_DESCRIPTION + " Replaces the whole map.",
    )
    features: FeaturesUpdate | None = None
    quick_notes: list[QuickNote] | None = Field(
        default=None, max_length=QUICK_NOTES_MAX, description=_QUICK_NOTES_DESCRIPTION
    )

    @field_validator("quick_notes")
    @classmethod
    def _distinct_notes(cls, notes: list[str] | None) -> list[str] | None:
        """Each note trimmed; a blank note or one given twice is refused (422)."""
        if notes is None:
            return None
        trimmed = [n.strip() for n in notes]
        if any(n == "" for n in trimmed):
            raise ValueError("a quick note is blank")
        if len({n.casefold() for n in trimmed}) != len(trimmed):
            raise ValueError("a quick note is given twice")
        return trimmed


class RestaurantRead(BaseModel):
    """A restaurant and its settings."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    slug: str
    currency: str = Field(description="ISO 4217; money is in its minor units.")
    time_zone: str = Field(description="IANA; decides the business day and report buckets.")
    tax_rate_bp: int = Field(description="Default tax, basis points (1/100 %).")
    tax_inclusive: bool
    service_charge_bp: int = _SERVICE_CHARGE
    service_charge_min_covers: int = _MIN_COVERS
    service_charge_taxable: bool
    cash_rounding_unit: int = _CASH_ROUNDING
    discount_approval_bp: int = _APPROVAL
    address: str = Field(description=_ADDRESS_DESCRIPTION)
    locale: str = Field(description=_LOCALE_DESCRIPTION)
    void_reasons: list[str] = _VOID_REASONS
    course_auto_fire_minutes: int = Field(description=_AUTO_FIRE_DESCRIPTION)
    opening_hours: list[OpeningPeriod] = Field(
        description="Opening periods by weekday and time (local)."
    )
    station_prep_targets: dict[str, int] = Field(description=_PREP_TARGETS_DESCRIPTION)
    features: Features
    quick_notes: list[str] = Field(default_factory=list, description=_QUICK_NOTES_DESCRIPTION)


class RestaurantList(BaseModel):
    """Restaurants, by name."""

    items: list[RestaurantRead]
    total: int


class StaffCreate(BaseModel):
    """``POST R/staff``: create a new login with ``role`` here (``password`` required).
    Only the platform admin may give an existing login (found by ``username``;
    ``password`` and ``full_name`` are then ignored) a role here."""

    username: SingleLine = Field(min_length=1, max_length=150)
    password: SingleLine | None = Field(default=None, max_length=1024)
    full_name: SingleLine = Field(default="", max_length=200)
    role: Role


class StaffUpdate(BaseModel):
    """``PATCH R/staff/{user_id}``: a new role, and/or ``is_active`` ``false`` to
    deactivate the account (every login of it ends) or ``true`` to reactivate it."""

    role: Role | None = None
    is_active: bool | None = None


class StaffMemberRead(BaseModel):
    """A member of a restaurant's staff."""

    user_id: int
    username: str
    full_name: str
    role: Role
    is_active: bool
    joined_at: datetime


class StaffList(BaseModel):
    """A restaurant's staff, by username."""

    items: list[StaffMemberRead]
    total: int


# --- tax rates --------------------------------------------------------------------------


class TaxRateCreate(BaseModel):
    """A named tax rate: ``rate_bp`` basis points, ``inclusive`` when menu prices contain
    it (VAT-style), else it is added on the check."""

    model_config = ConfigDict(extra="forbid")

    name: SingleLine = Field(min_length=1, max_length=100)
    rate_bp: int = _TAX_RATE
    inclusive: bool = False


class TaxRateUpdate(BaseModel):
    """Changes to a tax rate; omitted fields stay as they are. Open checks follow at
    their next read; paid checks keep what they were taxed."""

    model_config = ConfigDict(extra="forbid")

    name: SingleLine | None = Field(default=None, min_length=1, max_length=100)
    rate_bp: int | None = Field(default=None, ge=0, le=TAX_RATE_MAX_BP)
    inclusive: bool | None = None


class TaxRateRead(BaseModel):
    """A tax rate of the restaurant."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    rate_bp: int = Field(description="Basis points (1/100 %).")
    inclusive: bool
    created_at: datetime


class TaxRateList(BaseModel):
    """The restaurant's tax rates, by name."""

    items: list[TaxRateRead]
    total: int
