"""Errors of the restaurants context."""

from brigade.errors import Conflict, InvalidInput


class SlugTaken(Conflict):
    type = "restaurant-slug-taken"
    title = "A restaurant with this slug exists"


class UnknownTimeZone(InvalidInput):
    type = "unknown-time-zone"
    title = "Unknown IANA time zone"


class UnknownCurrency(InvalidInput):
    type = "unknown-currency"
    title = "Unknown ISO 4217 currency"


class AlreadyMember(Conflict):
    type = "already-member"
    title = "The user is already a member of this restaurant"
