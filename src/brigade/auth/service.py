"""Rules of the auth context: users, passwords, logins (access JWT + rotating refresh
tokens) and restaurant API tokens."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Sequence
from datetime import timedelta
from importlib import resources

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access, Actor
from brigade.auth.exceptions import (
    CannotDeactivateSelf,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidScope,
    PlatformAdminOnly,
    UsernameTaken,
    WeakPassword,
    WrongPassword,
)
from brigade.auth.models import ApiToken, RefreshToken, User
from brigade.auth.permissions import Permission
from brigade.auth.ratelimit import get_login_limiter
from brigade.auth.schemas import (
    ApiTokenCreated,
    ApiTokenList,
    ApiTokenRead,
    MembershipRead,
    MeRead,
    TokenPair,
    UserAdminList,
    UserAdminRead,
    UserRead,
)
from brigade.auth.security import (
    API_TOKEN_PREFIX,
    create_access_token,
    hash_password,
    new_opaque_token,
    token_digest,
    verify_password,
)
from brigade.events.outbox import note, record
from brigade.infra.db import utcnow
from brigade.infra.errors import NotFound, PermissionDenied
from brigade.infra.settings import Settings
from brigade.restaurants.models import Membership, Restaurant
from brigade.runtime import Runtime
from brigade.tenancy import same_restaurant, scoped

#: Shortest password a new account may have.
MIN_PASSWORD_LENGTH = 8
#: Event recorded when an API token is revoked (``staff.`` so access caches drop it).
API_TOKEN_REVOKED_EVENT = "staff.api_token.revoked"  # noqa: S105 - an event name
#: Event recorded, in each of the user's restaurants, when one login ends.
SESSION_REVOKED_EVENT = "auth.session.revoked"
#: Event recorded, in each of the user's restaurants, when their password changes.
PASSWORD_CHANGED_EVENT = "user.password_changed"  # noqa: S105 - an event name
#: Event recorded, in each of the user's restaurants, when the account is deactivated.
USER_DEACTIVATED_EVENT = "user.deactivated"
#: Event recorded, in each of the user's restaurants, when the account is reactivated.
USER_REACTIVATED_EVENT = "user.reactivated"
#: Note (:func:`brigade.events.outbox.note`, no restaurant) of a login: ``{"user_id",
#: "username", "address"}``.
LOGIN_NOTE = "auth.login"
#: Note of a failed login: ``{"username", "address"}`` (the username as typed).
LOGIN_FAILED_NOTE = "auth.login_failed"
#: Characters of an API token kept in clear (``prefix``) so people can recognise it.
API_TOKEN_SHOWN_CHARS = 12


#: File of the package listing common passwords (one a line, lowercase; "# " notes).
COMMON_PASSWORDS_FILE = "common-passwords.txt"


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (:data:`COMMON_PASSWORDS_FILE`, about 8,000
    of at least 8 characters, lowercase), read once per process."""
    text = resources.files("brigade.auth").joinpath(COMMON_PASSWORDS_FILE).read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("# ")
    )


def validate_password(password: str) -> str:
    """Return ``password`` unchanged if a new account may have it, else raise
    :class:`WeakPassword` (422) whose detail says why: blank (only whitespace), shorter
    than :data:`MIN_PASSWORD_LENGTH` characters (leading and trailing whitespace not
    counted), or one of the :func:`common_passwords` (compared case-insensitively)."""
    trimmed = password.strip()
    if not trimmed:
        raise WeakPassword("a password cannot be blank or only spaces")
    if len(trimmed) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
            " (spaces at its ends not counted)"
        )
    if trimmed.casefold() in common_passwords():
        raise WeakPassword("this password is one of the most common ones; choose another")
    return password


async def create_user(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    full_name: str = "",
    is_admin: bool = False,
) -> User:
    """Create a user with an argon2 hash of ``password``; raises :class:`UsernameTaken`
    (409) and :class:`WeakPassword` (422, see :func:`validate_password`)."""
    validate_password(password)
    if await session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UsernameTaken(f"username {username!r} is taken")
    user = User(
        username=username,
        password_hash=hash_password(password),
        full_name=full_name,
        is_admin=is_admin,
        created_at=utcnow(),
    )
    session.add(user)
    await session.flush()
    return user


async def get_user_by_username(session: AsyncSession, username: str) -> User | None:
    """The user called ``username``, or ``None``."""
    user: User | None = await session.scalar(select(User).where(User.username == username))
    return user


# --- logins -------------------------------------------------------------------------


async def _issue(
    session: AsyncSession,
    settings: Settings,
    user: User,
    family_id: str,
    *,
    device_id: int | None = None,
    idle_seconds: int | None = None,
) -> TokenPair:
    """Sign an access JWT and store a new refresh token of ``family_id``.

    A device login (``device_id`` and ``idle_seconds`` set) gets an access token of at
    most ``idle_seconds`` (claim ``dev``) and a refresh token that expires after
    ``idle_seconds``: an idle device's login lapses on the server too."""
    access_ttl = settings.access_token_ttl_seconds
    refresh_ttl = settings.refresh_token_ttl_seconds
    if idle_seconds is not None:
        access_ttl = min(access_ttl, idle_seconds)
        refresh_ttl = idle_seconds
    access, _ = create_access_token(
        user.id,
        is_admin=user.is_admin,
        key=settings.signing_key,
        ttl_seconds=access_ttl,
        session_id=family_id,
        device_id=device_id,
    )
    refresh = new_opaque_token()
    now = utcnow()
    await session.execute(
        insert(RefreshToken).values(
            user_id=user.id,
            family_id=family_id,
            token_hash=token_digest(refresh),
            created_at=now,
            expires_at=now + timedelta(seconds=refresh_ttl),
            device_id=device_id,
            idle_seconds=idle_seconds,
        )
    )
    return TokenPair(
        access_token=access,
        expires_in=access_ttl,
        refresh_token=refresh,
        user=UserRead.model_validate(user),
    )


async def start_device_login(
    session: AsyncSession, settings: Settings, user_id: int, *, device_id: int, idle_seconds: int
) -> TokenPair | None:
    """Start a login of ``user_id`` on registered device ``device_id`` (a PIN login,
    checked by :mod:`brigade.devices.service`): its tokens say ``dev`` and lapse after
    ``idle_seconds`` without a refresh. ``None`` when the user is gone or inactive."""
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return await _issue(
        session,
        settings,
        user,
        secrets.token_hex(16),
        device_id=device_id,
        idle_seconds=idle_seconds,
    )


async def end_device_logins(session: AsyncSession, device_id: int) -> None:
    """End every login made on device ``device_id`` (it was revoked): their refresh
    tokens are revoked and ``auth.session.revoked`` (reason ``device-revoked``) is
    recorded for each user, so their access tokens are refused at once."""
    rows = (
        await session.execute(
            select(RefreshToken.user_id, RefreshToken.family_id)
            .where(RefreshToken.device_id == device_id, RefreshToken.revoked_at.is_(None))
            .distinct()
            .order_by(RefreshToken.family_id)
        )
    ).all()
    for user_id, family_id in rows:
        await end_login(session, user_id, family_id, "device-revoked")


async def verify_credentials(
    session: AsyncSession, runtime: Runtime, *, username: str, password: str, address: str
) -> User:
    """The active user ``username`` whose password is ``password`` (argon2/bcrypt,
    :func:`brigade.auth.security.verify_password`; an outdated hash is upgraded), for a
    login or a manager's approval given in another's request.

    Failed attempts count against the login limits (:mod:`brigade.auth.ratelimit`);
    once a limit is reached every attempt raises
    :class:`~brigade.infra.errors.TooManyRequests` (429). Raises
    :class:`InvalidCredentials` (401) for an unknown user, a wrong password or an
    inactive account, without telling which.
    """
    limiter = get_login_limiter(runtime)
    await limiter.check(username, address)
    user = await get_user_by_username(session, username)
    valid, new_hash = verify_password(password, user.password_hash if user else None)
    if user is None or not valid or not user.is_active:
        await limiter.record_failure(username, address)
        raise InvalidCredentials()
    await limiter.record_success(username, address)
    if new_hash is not None:
        user.password_hash = new_hash
        await session.flush()
    return user


async def login(
    session: AsyncSession, runtime: Runtime, *, username: str, password: str, address: str
) -> TokenPair:
    """Check ``username``/``password`` and start a new login (a new refresh family).

    Failed attempts are counted per username and client ``address``, per address and
    per username (:mod:`brigade.auth.ratelimit`); once a limit is reached every attempt,
    right or wrong, raises :class:`~brigade.infra.errors.TooManyRequests` (429 with
    ``Retry-After``).
    Raises :class:`InvalidCredentials` (401) for an unknown user, a wrong password or an
    inactive account, without telling which.

    Notes ``auth.login`` on success and ``auth.login_failed`` on a refusal
    (:func:`brigade.events.outbox.note`: the audit trail's platform part); the route
    answers a refusal without rolling back, so that the failure's entry is kept.
    """
    try:
        user = await verify_credentials(
            session, runtime, username=username, password=password, address=address
        )
    except InvalidCredentials:
        note(session, None, LOGIN_FAILED_NOTE, {"username": username, "address": address})
        raise
    note(
        session,
        None,
        LOGIN_NOTE,
        {"user_id": user.id, "username": user.username, "address": address},
    )
    return await _issue(session, runtime.settings, user, secrets.token_hex(16))


async def refresh(session: AsyncSession, settings: Settings, token: str) -> TokenPair | None:
    """Rotate ``token``: mark it used and issue a new pair in the same login.

    Returns ``None`` when ``token`` had already been rotated (reuse, as by a thief
    replaying a stolen token): the whole login (family) is revoked in this transaction,
    and the caller must answer :class:`~brigade.auth.exceptions.RefreshTokenReused`
    *without* rolling back, so the revocation sticks. Raises :class:`InvalidRefreshToken`
    for an unknown, expired or revoked token, or an inactive user.
    """
    row = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == token_digest(token))
    )
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise InvalidRefreshToken()
    rotated = await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.id == row.id,
            RefreshToken.rotated_at.is_(None),
            RefreshToken.revoked_at.is_(None),
        )
        .values(rotated_at=now)
        .returning(RefreshToken.id)
    )
    if rotated.scalar_one_or_none() is None:
        await end_login(session, row.user_id, row.family_id, "refresh-token-reused")
        return None
    user = await session.get(User, row.user_id)
    if user is None or not user.is_active:
        await end_login(session, row.user_id, row.family_id, "inactive")
        raise InvalidRefreshToken()
    return await _issue(
        session,
        settings,
        user,
        row.family_id,
        device_id=row.device_id,
        idle_seconds=row.idle_seconds,
    )


async def revoke_family(session: AsyncSession, family_id: str) -> None:
    """Revoke every refresh token of one login (no event: see :func:`end_login`)."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def record_for_user(
    session: AsyncSession,
    user_id: int,
    type: str,  # noqa: A002 - the event's type, as in the wire format
    payload: dict[str, object],
) -> None:
    """Record event ``type`` with ``payload`` in every restaurant ``user_id`` belongs to
    (an event is a restaurant's; the user's standing there is what it changes), so that
    every process's access cache drops the user's logins and grants there
    (:mod:`brigade.auth.access_cache`). A user of no restaurant gets no event: caches
    then forget within their ``ttl``."""
    restaurant_ids = await session.scalars(
        select(Membership.restaurant_id)
        .where(Membership.user_id == user_id)
        .order_by(Membership.restaurant_id)
    )
    for restaurant_id in restaurant_ids.all():
        await record(session, restaurant_id, type, payload)


async def end_login(session: AsyncSession, user_id: int, family_id: str, reason: str) -> None:
    """End one login: revoke its refresh tokens (:func:`revoke_family`) and record
    ``auth.session.revoked`` ``{"user_id", "reason"}`` (``logout``,
    ``refresh-token-reused``, ``inactive``) for the user's restaurants, so the access
    tokens issued under it are refused at once in this process and within the access
    cache's ``ttl`` in others."""
    await revoke_family(session, family_id)
    await record_for_user(
        session, user_id, SESSION_REVOKED_EVENT, {"user_id": user_id, "reason": reason}
    )


async def _end_every_login(session: AsyncSession, user_id: int) -> None:
    """Revoke every refresh token of ``user_id`` and refuse every access token issued
    before now (``tokens_not_before``, whole seconds: a token issued in this second
    after the change stays valid)."""
    now = utcnow()
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(tokens_not_before=now.replace(microsecond=0))
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


async def set_password(session: AsyncSession, user_id: int, password: str) -> None:
    """Give user ``user_id`` a new password (argon2 hash) and end all their logins:
    every refresh token is revoked, every access token issued before now is refused,
    and ``user.password_changed`` ``{"user_id"}`` is recorded for their restaurants.
    Raises ``WeakPassword`` (422) like :func:`create_user`."""
    password_hash = hash_password(validate_password(password))
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(password_hash=password_hash)
        .execution_options(synchronize_session=False)
    )
    await _end_every_login(session, user_id)
    await record_for_user(session, user_id, PASSWORD_CHANGED_EVENT, {"user_id": user_id})


async def change_password(
    session: AsyncSession,
    runtime: Runtime,
    user_id: int,
    *,
    current_password: str,
    new_password: str,
    address: str,
) -> TokenPair:
    """The user ``user_id`` changes their own password: ``current_password`` is checked
    (failures count toward the login limits of :mod:`brigade.auth.ratelimit`), every
    login of theirs ends (:func:`set_password`), and a new login is returned, so the
    device that made the change stays signed in.

    Raises :class:`InvalidCredentials` (401) for a user that no longer exists or is
    inactive, :class:`WrongPassword` (403), :class:`~brigade.infra.errors.TooManyRequests`
    (429) and :class:`WeakPassword` (422), each before anything is written.
    """
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise InvalidCredentials("this account no longer exists or is disabled")
    limiter = get_login_limiter(runtime)
    await limiter.check(user.username, address)
    valid, _ = verify_password(current_password, user.password_hash)
    if not valid:
        await limiter.record_failure(user.username, address)
        raise WrongPassword()
    validate_password(new_password)
    await set_password(session, user_id, new_password)
    await session.refresh(user)
    return await _issue(session, runtime.settings, user, secrets.token_hex(16))


async def set_active(session: AsyncSession, user_id: int, *, active: bool) -> bool:
    """Activate or deactivate the account ``user_id``; returns whether it changed.

    Deactivating ends every login of the user (as :func:`set_password` does) and records
    ``user.deactivated`` ``{"user_id"}`` for their restaurants: their tokens are refused
    from then on and they cannot log in. Reactivating lets them log in again (old
    logins stay ended). Raises :class:`~brigade.infra.errors.NotFound` for no such user.
    """
    current = await session.scalar(select(User.is_active).where(User.id == user_id))
    if current is None:
        raise NotFound("user not found")
    if current is active:
        return False
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(is_active=active)
        .execution_options(synchronize_session=False)
    )
    if not active:
        await _end_every_login(session, user_id)
        await record_for_user(session, user_id, USER_DEACTIVATED_EVENT, {"user_id": user_id})
    else:
        await record_for_user(session, user_id, USER_REACTIVATED_EVENT, {"user_id": user_id})
    return True


# --- the platform's logins ----------------------------------------------------------


#: The most logins one page of ``GET /users`` holds.
USERS_PAGE_MAX = 200


def _like(text: str) -> str:
    """``text`` as a case-insensitive LIKE pattern matching it anywhere (``%`` and
    ``_`` taken literally, escaped with ``\\``)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_users(
    session: AsyncSession, actor: Actor, *, search: str | None, limit: int, offset: int
) -> UserAdminList:
    """Every login of the platform whose username or full name contains ``search``
    (case-insensitive; ``None``/empty: all), by username, ``limit`` from ``offset``,
    each with its roles in every restaurant; ``total`` counts all that match.

    Raises :class:`PlatformAdminOnly` (403) unless ``actor`` is the platform admin.
    """
    if not actor.is_admin:
        raise PlatformAdminOnly("only the platform admin lists the logins of every restaurant")
    query = select(User)
    if search:
        pattern = _like(search)
        query = query.where(
            or_(
                func.lower(User.username).like(pattern, escape="\\"),
                func.lower(User.full_name).like(pattern, escape="\\"),
            )
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    users = (
        await session.scalars(query.order_by(User.username, User.id).limit(limit).offset(offset))
    ).all()
    return UserAdminList(items=await _with_roles(session, users), total=total)


async def set_user_active(
    session: AsyncSession, actor: Actor, user_id: int, *, active: bool
) -> UserAdminRead:
    """The platform admin deactivates (``active`` false) or reactivates login
    ``user_id`` in every restaurant at once (:func:`set_active`: a deactivated login's
    access tokens are refused from the next request on, its refresh tokens revoked, its
    sockets disconnected by ``user.deactivated``); noted on the platform's audit trail
    (``user.deactivated``/``user.reactivated``, no restaurant) when it changed, and in
    each restaurant of the user by the events. Idempotent.

    Raises :class:`PlatformAdminOnly` (403), :class:`~brigade.infra.errors.NotFound`,
    :class:`CannotDeactivateSelf` (409).
    """
    if not actor.is_admin:
        raise PlatformAdminOnly("only the platform admin deactivates logins")
    if not active and user_id == actor.user_id:
        raise CannotDeactivateSelf("sign in as another admin to deactivate this login")
    changed = await set_active(session, user_id, active=active)
    listed = await list_users_by_id(session, [user_id])
    user = listed[0]
    if changed:
        note(
            session,
            None,
            USER_DEACTIVATED_EVENT if not active else USER_REACTIVATED_EVENT,
            {"user_id": user_id, "username": user.username},
        )
    return user


async def list_users_by_id(session: AsyncSession, user_ids: list[int]) -> list[UserAdminRead]:
    """The logins ``user_ids`` (those that exist, by username) with their roles; no
    permission check: for the platform admin's routes and the audit trail's names."""
    users = (
        await session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.username))
    ).all()
    if not users:
        raise NotFound("user not found")
    return await _with_roles(session, users)


async def _with_roles(session: AsyncSession, users: Sequence[User]) -> list[UserAdminRead]:
    """``users`` as :class:`UserAdminRead`, with their roles (one query)."""
    roles: dict[int, list[MembershipRead]] = {user.id: [] for user in users}
    if roles:
        rows = await session.execute(
            select(Membership.user_id, Membership.restaurant_id, Restaurant.name, Membership.role)
            .join(Restaurant, same_restaurant(Restaurant, Membership))
            .where(Membership.user_id.in_(list(roles)))
            .order_by(Restaurant.name, Restaurant.id)
        )
        for uid, rid, name, role in rows:
            roles[uid].append(MembershipRead(restaurant_id=rid, restaurant_name=name, role=role))
    return [
        UserAdminRead(
            id=user.id,
            username=user.username,
            full_name=user.full_name,
            is_admin=user.is_admin,
            is_active=user.is_active,
            created_at=user.created_at,
            memberships=roles[user.id],
        )
        for user in users
    ]


async def usernames(session: AsyncSession, user_ids: set[int]) -> dict[int, str]:
    """The usernames of ``user_ids`` (those that exist); for the audit trail's reads."""
    if not user_ids:
        return {}
    rows = await session.execute(select(User.id, User.username).where(User.id.in_(user_ids)))
    return {int(uid): str(name) for uid, name in rows.all()}


async def logout(session: AsyncSession, token: str) -> None:
    """End the login that ``token`` belongs to (:func:`end_login`: its whole family,
    and the access tokens issued under it); an unknown token is ignored, so logging out
    twice is harmless."""
    row = (
        await session.execute(
            select(RefreshToken.user_id, RefreshToken.family_id, RefreshToken.revoked_at).where(
                RefreshToken.token_hash == token_digest(token)
            )
        )
    ).first()
    if row is not None and row.revoked_at is None:
        await end_login(session, row.user_id, row.family_id, "logout")


async def me(session: AsyncSession, user_id: int) -> MeRead:
    """The user ``user_id`` with their memberships (by restaurant name).

    Raises :class:`InvalidCredentials` when the user no longer exists or is inactive.
    """
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise InvalidCredentials("this account no longer exists or is disabled")
    rows = await session.execute(
        select(Membership.restaurant_id, Restaurant.name, Membership.role)
        .join(Restaurant, same_restaurant(Restaurant, Membership))
        .where(Membership.user_id == user_id)
        .order_by(Restaurant.name, Restaurant.id)
    )
    return MeRead(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        is_admin=user.is_admin,
        memberships=[
            MembershipRead(restaurant_id=rid, restaurant_name=name, role=role)
            for rid, name, role in rows
        ],
    )


# --- API tokens ---------------------------------------------------------------------


def validate_scopes(scopes: list[str]) -> list[str]:
    """Return the distinct ``scopes`` in :class:`Permission` order; raises
    :class:`InvalidScope` (422) naming any that is not a permission value."""
    known = {p.value for p in Permission}
    unknown = sorted(set(scopes) - known)
    if unknown:
        raise InvalidScope(f"unknown scopes: {', '.join(unknown)}", unknown=unknown)
    wanted = set(scopes)
    return [p.value for p in Permission if p.value in wanted]


async def create_api_token(
    session: AsyncSession, access: Access, *, name: str, scopes: list[str]
) -> ApiTokenCreated:
    """Create an API token of ``access.restaurant_id``; the secret is returned once and
    only its SHA-256 digest is kept.

    Raises :class:`InvalidScope` (422) for an unknown scope and
    :class:`~brigade.infra.errors.PermissionDenied` (403) for a scope the caller does not hold
    itself (no one grants more than they have).
    """
    clean = validate_scopes(scopes)
    missing = [s for s in clean if Permission(s) not in access.permissions]
    if missing:
        raise PermissionDenied(f"you cannot grant scopes you do not hold: {', '.join(missing)}")
    secret = new_opaque_token(API_TOKEN_PREFIX)
    token = ApiToken(
        restaurant_id=access.restaurant_id,
        name=name,
        prefix=secret[:API_TOKEN_SHOWN_CHARS],
        token_hash=token_digest(secret),
        scopes=clean,
        created_by=access.actor.user_id,
        created_at=utcnow(),
    )
    session.add(token)
    await session.flush()
    return ApiTokenCreated(**ApiTokenRead.model_validate(token).model_dump(), token=secret)


async def list_api_tokens(session: AsyncSession, access: Access) -> ApiTokenList:
    """The restaurant's API tokens (revoked ones included), newest first; no secrets."""
    rows = (
        await session.scalars(
            scoped(select(ApiToken), access.restaurant_id).order_by(ApiToken.id.desc())
        )
    ).all()
    items = [ApiTokenRead.model_validate(row) for row in rows]
    return ApiTokenList(items=items, total=len(items))


async def revoke_api_token(session: AsyncSession, access: Access, token_id: int) -> None:
    """Revoke token ``token_id`` of ``access.restaurant_id`` (idempotent); it gets 401
    from then on. Records ``staff.api_token.revoked`` ``{"api_token_id"}``.

    Raises :class:`~brigade.infra.errors.NotFound` for a token of another restaurant or none.
    """
    result = await session.execute(
        scoped(select(ApiToken.id, ApiToken.revoked_at), access.restaurant_id).where(
            ApiToken.id == token_id
        )
    )
    row = result.first()
    if row is None:
        raise NotFound("API token not found")
    if row.revoked_at is None:
        await session.execute(
            scoped(update(ApiToken), access.restaurant_id)
            .where(ApiToken.id == token_id)
            .values(revoked_at=utcnow())
        )
        # A ``staff.*`` event: caches of who may do what (the menu fast path) drop their
        # grants at once. The payload names the token only, never its prefix.
        await record(
            session, access.restaurant_id, API_TOKEN_REVOKED_EVENT, {"api_token_id": token_id}
        )
