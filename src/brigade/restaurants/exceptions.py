"""Errors of the restaurants context."""

from brigade.infra.errors import Conflict, InvalidInput, PermissionDenied


class SlugTaken(Conflict):
    type = "restaurant-slug-taken"
    title = "A restaurant with this slug exists"


class UnknownTimeZone(InvalidInput):
    type = "unknown-time-zone"
    title = "Unknown IANA time zone"


class UnknownCurrency(InvalidInput):
    type = "unknown-currency"
    title = "Unknown ISO 4217 currency"


class UnknownLocale(InvalidInput):
    type = "unknown-locale"
    title = "Unknown locale (a CLDR locale identifier such as en_US or de_DE)"


class AlreadyMember(Conflict):
    type = "already-member"
    title = "The user is already a member of this restaurant"


class InvalidTaxRate(InvalidInput):
    type = "invalid-tax-rate"
    title = "Tax rate must be between 0 and 10000 basis points"


class PasswordRequired(InvalidInput):
    type = "password-required"
    title = "A new user needs a password"


class LastOwner(Conflict):
    type = "last-owner"
    title = "A restaurant must keep at least one owner"


class OwnerOnly(PermissionDenied):
    type = "owner-only"
    title = "Only an owner or the platform admin may create or change an owner"


class AdminOnly(PermissionDenied):
    type = "admin-only"
    title = "Only the platform admin may do this"


class TaxRateInUse(Conflict):
    """A menu category or item still names the tax rate."""

    type = "tax-rate-in-use"
    title = "A menu category or item uses this tax rate"


class InvalidOpeningHours(InvalidInput):
    """An opening period is empty or overlaps another (also across midnight)."""

    type = "invalid-opening-hours"
    title = "Opening hours are empty or overlap"
