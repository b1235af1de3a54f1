"""Rules of the restaurants context: tenants, their settings and their staff.

Other contexts may call :func:`get_restaurant`, :func:`validate_currency`,
:func:`validate_time_zone`, :func:`validate_tax_rate`, :func:`validate_locale`,
:func:`currency_exponent`, :func:`create_restaurant` and
:func:`add_member` (imports, demo), :func:`restaurant_profile` (currency, time zone
and tax settings, remembered per process by :func:`get_profile_cache`), and
:func:`read_restaurant` and :func:`staff_display_name` (receipts).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale, UnknownLocaleError
from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access, Actor
from brigade.auth.exceptions import UsernameTaken
from brigade.auth.models import User
from brigade.auth.permissions import Role
from brigade.auth.service import create_user, set_active, validate_password
from brigade.caching import EventDroppedCache
from brigade.events.outbox import DomainEvent, create_sequence, record
from brigade.infra.db import utcnow
from brigade.infra.errors import NotFound
from brigade.infra.prepared import Executor, Prepared
from brigade.restaurants.exceptions import (
    AdminOnly,
    AlreadyMember,
    InvalidOpeningHours,
    InvalidTaxRate,
    LastOwner,
    OwnerOnly,
    PasswordRequired,
    SlugTaken,
    UnknownCurrency,
    UnknownLocale,
    UnknownTimeZone,
)
from brigade.restaurants.models import Membership, Restaurant
from brigade.restaurants.schemas import (
    TAX_RATE_MAX_BP,
    Features,
    OpeningPeriod,
    RestaurantCreate,
    RestaurantList,
    RestaurantRead,
    RestaurantUpdate,
    StaffCreate,
    StaffList,
    StaffMemberRead,
    StaffUpdate,
)
from brigade.runtime import Runtime
from brigade.tenancy import RID, owned_by, same_restaurant, scoped

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


def currency_exponent(code: str) -> int:
    """Digits after the decimal point of ISO 4217 ``code`` (``JPY`` 0, ``EUR`` 2, ``KWD``
    3): an amount of ``n`` minor units is ``n / 10**exponent`` (:data:`CURRENCY_EXPONENTS`).

    Raises :class:`UnknownCurrency`."""
    return CURRENCY_EXPONENTS[validate_currency(code)]


def validate_locale(identifier: str) -> str:
    """``identifier`` in CLDR's form (``de-de`` → ``de_DE``) if Babel knows the locale,
    else raise :class:`UnknownLocale`."""
    try:
        return str(Locale.parse(identifier.replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise UnknownLocale(f"{identifier!r} is not a known locale") from exc


def validate_tax_rate(tax_rate_bp: int) -> int:
    """Return ``tax_rate_bp`` if it is within 0..10000 basis points, else raise
    :class:`InvalidTaxRate`."""
    if not 0 <= tax_rate_bp <= TAX_RATE_MAX_BP:
        raise InvalidTaxRate(f"{tax_rate_bp} is outside 0..{TAX_RATE_MAX_BP} basis points")
    return tax_rate_bp


_MINUTES_PER_DAY = 24 * 60
_MINUTES_PER_WEEK = 7 * _MINUTES_PER_DAY
_WEEKDAYS = ("", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def validate_opening_hours(periods: Sequence[OpeningPeriod]) -> list[OpeningPeriod]:
    """``periods`` sorted by weekday and opening time, if none is empty and none
    overlaps another; raises :class:`InvalidOpeningHours` (422) naming the first
    fault otherwise.

    A period whose ``closes`` is not after ``opens`` runs past midnight into the next
    day (Sunday's into Monday's): ``opens == closes`` would be 24 hours and is refused
    as ambiguous; write ``00:00``–``23:59`` for a whole day. Two periods that touch
    (one closes at 15:00, the next opens at 15:00) do not overlap.
    """
    spans: list[tuple[int, int, OpeningPeriod]] = []
    for period in periods:
        opens, closes = _minutes(period.opens), _minutes(period.closes)
        if opens == closes:
            raise InvalidOpeningHours(
                f"{_WEEKDAYS[period.weekday]} {period.opens}–{period.closes} is empty"
            )
        length = closes - opens if closes > opens else closes + _MINUTES_PER_DAY - opens
        start = (period.weekday - 1) * _MINUTES_PER_DAY + opens
        spans.append((start, start + length, period))
    spans.sort(key=lambda span: span[0])
    for (_, end, first), (start, _, second) in zip(spans, spans[1:], strict=False):
        if start < end:
            raise InvalidOpeningHours(_overlap(first, second))
    if len(spans) > 1 and spans[-1][1] - _MINUTES_PER_WEEK > spans[0][0]:
        raise InvalidOpeningHours(_overlap(spans[-1][2], spans[0][2]))
    return [span[2] for span in spans]


def _overlap(first: OpeningPeriod, second: OpeningPeriod) -> str:
    return (
        f"{_WEEKDAYS[first.weekday]} {first.opens}–{first.closes} overlaps "
        f"{_WEEKDAYS[second.weekday]} {second.opens}–{second.closes}"
    )


async def create_restaurant(
    session: AsyncSession,
    *,
    name: str,
    slug: str,
    currency: str = "USD",
    time_zone: str = "UTC",
    tax_rate_bp: int = 0,
    tax_inclusive: bool = False,
    address: str = "",
    locale: str = "en_US",
) -> Restaurant:
    """Create a restaurant and its event sequence.

    Raises :class:`SlugTaken`, :class:`UnknownCurrency`, :class:`UnknownTimeZone`,
    :class:`InvalidTaxRate`, :class:`UnknownLocale`.
    """
    currency = validate_currency(currency)
    validate_time_zone(time_zone)
    validate_tax_rate(tax_rate_bp)
    locale = validate_locale(locale)
    if await session.scalar(select(Restaurant.id).where(Restaurant.slug == slug)) is not None:
        raise SlugTaken(f"slug {slug!r} is taken")
    restaurant = Restaurant(
        name=name,
        slug=slug,
        currency=currency,
        time_zone=time_zone,
        tax_rate_bp=tax_rate_bp,
        tax_inclusive=tax_inclusive,
        address=address,
        locale=locale,
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
        scoped(select(Membership.id), restaurant_id).where(Membership.user_id == user_id)
    )
    if existing is not None:
        raise AlreadyMember()
    membership = Membership(
        restaurant_id=restaurant_id, user_id=user_id, role=role.value, created_at=utcnow()
    )
    session.add(membership)
    await session.flush()
    return membership


# --- restaurants over HTTP ------------------------------------------------------------


async def open_restaurant(
    session: AsyncSession, actor: Actor, body: RestaurantCreate
) -> RestaurantRead:
    """Create a restaurant, and its owner when ``body.owner`` is given (a new user, or an
    existing one found by username).

    Only the platform admin may: raises :class:`AdminOnly` (403) otherwise; also
    :class:`SlugTaken`, :class:`UnknownCurrency`, :class:`UnknownTimeZone`,
    :class:`InvalidTaxRate`, :class:`UnknownLocale`, and for the owner :class:`PasswordRequired` or
    :class:`~brigade.auth.exceptions.WeakPassword`; the request's transaction is then
    rolled back, so a bad owner leaves no restaurant behind.
    """
    if not actor.is_admin:
        raise AdminOnly("only the platform admin creates restaurants")
    restaurant = await create_restaurant(
        session,
        name=body.name,
        slug=body.slug,
        currency=body.currency,
        time_zone=body.time_zone,
        tax_rate_bp=body.tax_rate_bp,
        tax_inclusive=body.tax_inclusive,
        address=body.address,
        locale=body.locale,
    )
    if body.owner is not None:
        owner_id = await _find_or_create_user(
            session, body.owner.username, body.owner.password, body.owner.full_name
        )
        await add_member(session, restaurant.id, owner_id, Role.owner)
    return RestaurantRead.model_validate(restaurant)


async def list_restaurants(session: AsyncSession, actor: Actor) -> RestaurantList:
    """The restaurants ``actor`` may see, by name: all for the platform admin, the
    member's own for a user, its one restaurant for an API token."""
    query = select(Restaurant).order_by(Restaurant.name, Restaurant.id)
    if actor.token_id is not None:
        query = scoped(query, actor.token_restaurant_id)
    elif not actor.is_admin:
        query = query.join(Membership, same_restaurant(Membership, Restaurant)).where(
            Membership.user_id == actor.user_id
        )
    items = [RestaurantRead.model_validate(r) for r in (await session.scalars(query)).all()]
    return RestaurantList(items=items, total=len(items))


async def read_restaurant(session: AsyncSession, access: Access) -> RestaurantRead:
    """The restaurant of ``access``; raises :class:`~brigade.infra.errors.NotFound`."""
    return RestaurantRead.model_validate(await get_restaurant(session, access.restaurant_id))


async def update_restaurant(
    session: AsyncSession, access: Access, body: RestaurantUpdate
) -> RestaurantRead:
    """Change the settings given in ``body`` and record ``restaurant.updated``
    (``{"restaurant": RestaurantRead, "changed": [field, ...], "before": {field: old
    value}}``) if any changed: caches of the restaurant's profile and grants drop it,
    and every screen refetches the restaurant (``restaurant.*``).

    ``opening_hours`` and ``station_prep_targets`` replace the whole list or map;
    ``features`` changes the switches it names.

    Raises :class:`UnknownCurrency`, :class:`UnknownTimeZone`, :class:`InvalidTaxRate`,
    :class:`UnknownLocale`, :class:`InvalidOpeningHours` (422) before writing anything.
    """
    changes = body.model_dump(exclude_unset=True)
    for key in [k for k, v in changes.items() if v is None]:
        del changes[key]  # an explicit null means "leave as is" for these settings
    if body.opening_hours is not None:
        changes["opening_hours"] = [
            p.model_dump() for p in validate_opening_hours(body.opening_hours)
        ]
    if "currency" in changes:
        changes["currency"] = validate_currency(changes["currency"])
    if "time_zone" in changes:
        validate_time_zone(changes["time_zone"])
    if "tax_rate_bp" in changes:
        validate_tax_rate(changes["tax_rate_bp"])
    if "locale" in changes:
        changes["locale"] = validate_locale(changes["locale"])
    if "void_reasons" in changes:
        # distinct, in the order given (the first spelling of a reason wins)
        seen: dict[str, str] = {}
        for reason in changes["void_reasons"]:
            seen.setdefault(reason.strip().casefold(), reason.strip())
        changes["void_reasons"] = list(seen.values())
    restaurant = await get_restaurant(session, access.restaurant_id)
    current_features = Features.model_validate(restaurant.features or {}).model_dump()
    if "features" in changes:
        switches = {k: v for k, v in changes["features"].items() if v is not None}
        changes["features"] = {**current_features, **switches}
        if changes["features"] == current_features:
            del changes["features"]
    changed = [k for k, v in changes.items() if getattr(restaurant, k) != v]
    before = {key: getattr(restaurant, key) for key in changed}
    if "features" in before:
        before["features"] = current_features
    for key in changed:
        setattr(restaurant, key, changes[key])
    await session.flush()
    read = RestaurantRead.model_validate(restaurant)
    if changed:
        await record(
            session,
            access.restaurant_id,
            "restaurant.updated",
            {"restaurant": read.model_dump(mode="json"), "changed": changed, "before": before},
        )
    return read


# --- staff ----------------------------------------------------------------------------


def _check_new_password(password: str | None) -> str:
    if not password:
        raise PasswordRequired("the user does not exist yet; give a password to create it")
    return validate_password(password)


async def _user_id_by_username(session: AsyncSession, username: str) -> int | None:
    user_id: int | None = await session.scalar(select(User.id).where(User.username == username))
    return user_id


async def _find_or_create_user(
    session: AsyncSession, username: str, password: str | None, full_name: str
) -> int:
    existing = await _user_id_by_username(session, username)
    if existing is not None:
        return existing
    user = await create_user(
        session, username=username, password=_check_new_password(password), full_name=full_name
    )
    return user.id


def _may_manage_owners(access: Access) -> bool:
    return access.actor.is_admin or access.role is Role.owner


#: A member's user id, username, full name, role, whether active and since when.
_STAFF = select(
    Membership.user_id,
    User.username,
    User.full_name,
    Membership.role,
    User.is_active,
    Membership.created_at,
).join(User, User.id == Membership.user_id)


async def _member(session: AsyncSession, restaurant_id: int, user_id: int) -> StaffMemberRead:
    row = (
        await session.execute(
            scoped(_STAFF, restaurant_id, Membership).where(Membership.user_id == user_id)
        )
    ).first()
    if row is None:
        raise NotFound("staff member not found")
    return StaffMemberRead(
        user_id=row[0],
        username=row[1],
        full_name=row[2],
        role=Role(row[3]),
        is_active=row[4],
        joined_at=row[5],
    )


async def staff_display_name(session: AsyncSession, restaurant_id: int, user_id: int) -> str | None:
    """The full name of ``user_id`` if they are on ``restaurant_id``'s staff and have one
    (what a receipt prints as the waiter), else ``None``. The username is never given:
    it is half of a login. For other contexts; no permission check; one query."""
    row = (
        await session.execute(
            scoped(
                select(User.full_name).join(Membership, Membership.user_id == User.id),
                restaurant_id,
                Membership,
            ).where(Membership.user_id == user_id)
        )
    ).first()
    name = row[0].strip() if row is not None else ""
    return name or None


async def is_staff_member(session: AsyncSession, restaurant_id: int, user_id: int) -> bool:
    """Whether ``user_id`` is a member of ``restaurant_id``'s staff (any role). For
    other contexts (the tables' sections); no permission check; one query."""
    found = await session.scalar(
        scoped(select(Membership.id), restaurant_id, Membership).where(
            Membership.user_id == user_id
        )
    )
    return found is not None


async def _lock_owner_ids(session: AsyncSession, restaurant_id: int) -> list[int]:
    """The owners' user ids, locked until commit (PostgreSQL) so two concurrent
    demotions cannot both see a second owner."""
    rows = await session.scalars(
        scoped(select(Membership.user_id), restaurant_id)
        .where(Membership.role == Role.owner.value)
        .with_for_update()
    )
    return list(rows.all())


async def _staff_event(
    session: AsyncSession,
    restaurant_id: int,
    action: str,
    member: StaffMemberRead,
    before: StaffMemberRead | None = None,
) -> None:
    payload: dict[str, object] = {"action": action, "member": member.model_dump(mode="json")}
    if before is not None:  # what changed, for the audit trail
        payload["before"] = {"role": before.role.value, "is_active": before.is_active}
    await record(session, restaurant_id, "staff.updated", payload)


async def list_staff(session: AsyncSession, access: Access) -> StaffList:
    """The restaurant's members with their roles, by username."""
    rows = await session.execute(
        scoped(_STAFF, access.restaurant_id, Membership).order_by(User.username)
    )
    items = [
        StaffMemberRead(
            user_id=uid,
            username=username,
            full_name=full_name,
            role=Role(role),
            is_active=active,
            joined_at=joined,
        )
        for uid, username, full_name, role, active, joined in rows
    ]
    return StaffList(items=items, total=len(items))


async def add_staff(session: AsyncSession, access: Access, body: StaffCreate) -> StaffMemberRead:
    """Give ``body.username`` the role ``body.role`` here; records ``staff.updated``
    (action ``added``).

    An owner or a manager creates a **new** login: :class:`AlreadyMember` (409) when the
    username is on this restaurant's staff already; else ``body.password`` is required
    and checked (:func:`~brigade.auth.service.validate_password`), and then a username
    that exists elsewhere is refused as :class:`~brigade.auth.exceptions.UsernameTaken`
    (409), saying nothing of whose login it is. Attaching an existing login (found by
    username) to this restaurant is the platform admin's act: for the admin an existing
    username gets the role, its password and full name untouched (``body.password`` is
    then ignored).

    Raises :class:`OwnerOnly` (403) when a non-owner adds an owner,
    :class:`PasswordRequired` or :class:`~brigade.auth.exceptions.WeakPassword` (422),
    each before anything is written.
    """
    if body.role is Role.owner and not _may_manage_owners(access):
        raise OwnerOnly("only an owner or the platform admin may add an owner")
    if access.actor.is_admin:
        user_id = await _find_or_create_user(session, body.username, body.password, body.full_name)
    else:
        user_id = await _create_staff_login(session, access, body)
    await add_member(session, access.restaurant_id, user_id, body.role)
    member = await _member(session, access.restaurant_id, user_id)
    await _staff_event(session, access.restaurant_id, "added", member)
    return member


async def _create_staff_login(session: AsyncSession, access: Access, body: StaffCreate) -> int:
    """A new user for ``body`` (an owner's or manager's request). Whether the username
    belongs to someone outside this restaurant is said only once the password is given
    and acceptable, and then only as "taken"."""
    existing = await _user_id_by_username(session, body.username)
    if existing is not None:
        member_here = await session.scalar(
            scoped(select(Membership.id), access.restaurant_id).where(
                Membership.user_id == existing
            )
        )
        if member_here is not None:
            raise AlreadyMember(f"{body.username!r} is already on this restaurant's staff")
    if not body.password:
        raise PasswordRequired("a new login needs a password")
    password = validate_password(body.password)
    if existing is not None:
        raise UsernameTaken(f"username {body.username!r} is taken; choose another")
    user = await create_user(
        session, username=body.username, password=password, full_name=body.full_name
    )
    return user.id


async def update_staff(
    session: AsyncSession, access: Access, user_id: int, body: StaffUpdate
) -> StaffMemberRead:
    """Change a member's role and/or activate or deactivate their account; records
    ``staff.updated`` (action ``updated``) if anything changed. Deactivating ends every
    login of the user (:func:`brigade.auth.service.set_active`: ``user.deactivated``).

    Raises :class:`~brigade.infra.errors.NotFound` (not a member here), :class:`OwnerOnly`
    (403: a non-owner touching an owner or making one), :class:`AdminOnly` (403: the
    account of a login that belongs to other restaurants too, or of the platform admin,
    is the platform admin's to change), :class:`LastOwner` (409: demoting or
    deactivating the only owner); nothing is written then.
    """
    member = await _member(session, access.restaurant_id, user_id)
    role = body.role if body.role is not None and body.role is not member.role else None
    active = body.is_active if body.is_active is not None else member.is_active
    if role is None and active is member.is_active:
        return member
    if Role.owner in (member.role, role) and not _may_manage_owners(access):
        raise OwnerOnly("only an owner or the platform admin may change an owner")
    if active is not member.is_active and not access.actor.is_admin:
        if await _account_is_shared(session, access.restaurant_id, user_id):
            raise AdminOnly(
                "this login belongs to other restaurants too (or is the platform admin's);"
                " only the platform admin may deactivate or reactivate it"
            )
    if (
        member.role is Role.owner
        and (role is not None or not active)
        and await _lock_owner_ids(session, access.restaurant_id) == [user_id]
    ):
        raise LastOwner("promote another owner before changing this one's role or account")
    if role is not None:
        await session.execute(
            scoped(update(Membership), access.restaurant_id)
            .where(Membership.user_id == user_id)
            .values(role=role.value)
        )
    if active is not member.is_active:
        await set_active(session, user_id, active=active)
    before = member
    member = member.model_copy(update={"role": role or member.role, "is_active": active})
    await _staff_event(session, access.restaurant_id, "updated", member, before)
    return member


async def _account_is_shared(session: AsyncSession, restaurant_id: int, user_id: int) -> bool:
    """Whether user ``user_id`` is the platform admin or a member of another restaurant
    than ``restaurant_id``."""
    other = await session.scalar(
        select(Membership.id)
        .where(Membership.user_id == user_id, ~owned_by(Membership, restaurant_id))
        .limit(1)
    )
    admin = await session.scalar(select(User.is_admin).where(User.id == user_id))
    return other is not None or bool(admin)


async def remove_staff(session: AsyncSession, access: Access, user_id: int) -> None:
    """Remove a member from the restaurant (the user account stays); records
    ``staff.updated`` (action ``removed``).

    Raises :class:`~brigade.infra.errors.NotFound`, :class:`OwnerOnly` (a non-owner removing an
    owner), :class:`LastOwner` (409: the only owner).
    """
    member = await _member(session, access.restaurant_id, user_id)
    if member.role is Role.owner:
        if not _may_manage_owners(access):
            raise OwnerOnly("only an owner or the platform admin may remove an owner")
        if await _lock_owner_ids(session, access.restaurant_id) == [user_id]:
            raise LastOwner("promote another owner before removing this one")
    await session.execute(
        scoped(delete(Membership), access.restaurant_id).where(Membership.user_id == user_id)
    )
    await _staff_event(session, access.restaurant_id, "removed", member, member)


# --------------------------------------------------------------------------------------
# The restaurant's profile, remembered per process (hot path: order placement)
# --------------------------------------------------------------------------------------

PROFILE_CACHE_KEY = "restaurants.profile_cache"
#: How long a remembered profile is trusted (seconds) in a process that did not see the
#: ``restaurant.*`` event of a change (another worker process).
PROFILE_TTL_SECONDS = 5.0
_PROFILE_MAX_ENTRIES = 10_000
_restaurants = cast(Table, Restaurant.__table__)
# Run on the driver connection (brigade.infra.prepared): a database error here is a bug.
_PROFILE = Prepared(
    scoped(
        select(
            _restaurants.c.currency,
            _restaurants.c.time_zone,
            _restaurants.c.tax_rate_bp,
            _restaurants.c.tax_inclusive,
        ),
        RID,
    )
)


@dataclass(frozen=True, slots=True)
class RestaurantProfile:
    """The settings of a restaurant that order and money rules need: ISO 4217
    ``currency``, IANA ``time_zone``, ``tax_rate_bp`` (basis points) and whether prices
    include tax (``tax_inclusive``)."""

    currency: str
    time_zone: str
    tax_rate_bp: int
    tax_inclusive: bool


class ProfileCache(EventDroppedCache[int, RestaurantProfile]):
    """Restaurant profiles by restaurant id (:class:`~brigade.caching.EventDroppedCache`),
    each trusted for ``ttl`` seconds, at most ``maxsize`` restaurants; a committed
    ``restaurant.*`` event drops the restaurant's entry in this process at once (see
    :func:`install_profile_cache`)."""

    def __init__(
        self,
        ttl: float = PROFILE_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        maxsize: int = _PROFILE_MAX_ENTRIES,
    ) -> None:
        super().__init__(ttl=ttl, maxsize=maxsize, drop_on=("restaurant.",), clock=clock)


def get_profile_cache(runtime: Runtime) -> ProfileCache:
    """The process's :class:`ProfileCache` (in ``runtime.extras``, created on first use)."""
    cache = runtime.extras.get(PROFILE_CACHE_KEY)
    if not isinstance(cache, ProfileCache):
        cache = runtime.extras[PROFILE_CACHE_KEY] = ProfileCache()
    return cache


def install_profile_cache(runtime: Runtime) -> None:
    """Subscribe the cache's invalidation to ``runtime.bus`` (called by ``create_app``):
    every committed ``restaurant.*`` event drops that restaurant's profile."""

    async def on_events(events: Sequence[DomainEvent]) -> None:
        get_profile_cache(runtime).drop_for(events)

    runtime.bus.subscribe(on_events)


async def restaurant_profile(
    session: Executor, cache: ProfileCache | None, restaurant_id: int
) -> RestaurantProfile:
    """The :class:`RestaurantProfile` of ``restaurant_id``: from ``cache`` when it
    remembers it, else read (one query) and remembered there. Without a cache it is
    always read. In another process a change shows within the cache's ``ttl``.

    Raises :class:`NotFound` when there is no such restaurant.
    """
    generation = 0
    if cache is not None:
        remembered = cache.get(restaurant_id)
        if remembered is not None:
            return remembered
        generation = cache.generation(restaurant_id)
    row = await _PROFILE.fetchone(session, {"restaurant_id": restaurant_id})
    if row is None:
        raise NotFound(f"restaurant {restaurant_id} not found")
    profile = RestaurantProfile(row.currency, row.time_zone, row.tax_rate_bp, row.tax_inclusive)
    if cache is not None:
        cache.put(restaurant_id, profile, generation)
    return profile
