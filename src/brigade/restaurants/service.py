"""Rules of the restaurants context: creating tenants and their memberships."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.permissions import Role
from brigade.db import utcnow
from brigade.errors import NotFound
from brigade.events.outbox import create_sequence
from brigade.restaurants.exceptions import (
    AlreadyMember,
    SlugTaken,
    UnknownCurrency,
    UnknownTimeZone,
)
from brigade.restaurants.models import Membership, Restaurant

#: ISO 4217 codes and their minor-unit exponent (digits after the decimal point).
#: Source: ISO 4217 list one (SIX Group), the currencies a restaurant is likely to use.
CURRENCY_EXPONENTS: dict[str, int] = {
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "CHF": 2,
    "CAD": 2,
    "AUD": 2,
    "NZD": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "PLN": 2,
    "CZK": 2,
    "HUF": 2,
    "RON": 2,
    "BGN": 2,
    "TRY": 2,
    "MXN": 2,
    "BRL": 2,
    "ARS": 2,
    "CLP": 0,
    "COP": 2,
    "PEN": 2,
    "ZAR": 2,
    "INR": 2,
    "CNY": 2,
    "HKD": 2,
    "SGD": 2,
    "THB": 2,
    "MYR": 2,
    "IDR": 2,
    "PHP": 2,
    "VND": 0,
    "JPY": 0,
    "KRW": 0,
    "TWD": 2,
    "ILS": 2,
    "AED": 2,
    "SAR": 2,
    "EGP": 2,
    "MAD": 2,
    "KWD": 3,
    "BHD": 3,
    "JOD": 3,
    "OMR": 3,
    "TND": 3,
    "ISK": 0,
    "UAH": 2,
}


def validate_time_zone(name: str) -> str:
    """Return ``name`` if it is an IANA time zone, else raise :class:`UnknownTimeZone`."""
    if name not in available_timezones():
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise UnknownTimeZone(f"{name!r} is not an IANA time zone") from exc
    return name


def validate_currency(code: str) -> str:
    """Return ``code`` upper-cased if Brigade knows it, else raise :class:`UnknownCurrency`."""
    code = code.upper()
    if code not in CURRENCY_EXPONENTS:
        raise UnknownCurrency(f"{code!r} is not a supported ISO 4217 currency")
    return code


async def create_restaurant(
    session: AsyncSession,
    *,
    name: str,
    slug: str,
    currency: str = "USD",
    time_zone: str = "UTC",
    tax_rate_bp: int = 0,
    tax_inclusive: bool = False,
) -> Restaurant:
    """Create a restaurant and its event sequence.

    Raises :class:`SlugTaken`, :class:`UnknownCurrency`, :class:`UnknownTimeZone`.
    """
    currency = validate_currency(currency)
    validate_time_zone(time_zone)
    if await session.scalar(select(Restaurant.id).where(Restaurant.slug == slug)) is not None:
        raise SlugTaken(f"slug {slug!r} is taken")
    restaurant = Restaurant(
        name=name,
        slug=slug,
        currency=currency,
        time_zone=time_zone,
        tax_rate_bp=tax_rate_bp,
        tax_inclusive=tax_inclusive,
        created_at=utcnow(),
    )
    session.add(restaurant)
    await session.flush()
    await create_sequence(session, restaurant.id)
    return restaurant


async def get_restaurant(session: AsyncSession, restaurant_id: int) -> Restaurant:
    """The restaurant ``restaurant_id``; raises :class:`NotFound`."""
    restaurant = await session.get(Restaurant, restaurant_id)
    if restaurant is None:
        raise NotFound("restaurant not found")
    return restaurant


async def add_member(
    session: AsyncSession, restaurant_id: int, user_id: int, role: Role
) -> Membership:
    """Give ``user_id`` the ``role`` in ``restaurant_id``; raises :class:`AlreadyMember`."""
    existing = await session.scalar(
        select(Membership.id).where(
            Membership.restaurant_id == restaurant_id, Membership.user_id == user_id
        )
    )
    if existing is not None:
        raise AlreadyMember()
    membership = Membership(
        restaurant_id=restaurant_id, user_id=user_id, role=role.value, created_at=utcnow()
    )
    session.add(membership)
    await session.flush()
    return membership
