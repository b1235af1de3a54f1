"""FastAPI dependencies: the request's session, who is calling, and what they may do.

``require(permission)`` is the single place where tenancy and permission are decided for
a ``/restaurants/{restaurant_id}/...`` route: no or bad credentials → 401; a user who is
not a member of the restaurant, or an API token of another restaurant → 404 (never
telling that the restaurant exists); a member whose role lacks the permission, or a
token without the scope → 403. The platform admin may act in every restaurant.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, cast

from fastapi import Depends, Request
from sqlalchemy import String, Table, bindparam, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.access_cache import CallerKey, get_access_cache, login_key
from brigade.auth.exceptions import SessionEnded
from brigade.auth.models import ApiToken, RefreshToken, User
from brigade.auth.permissions import ROLE_PERMISSIONS, Permission, Role
from brigade.auth.security import API_TOKEN_PREFIX, token_digest
from brigade.infra.db import utcnow
from brigade.infra.errors import NotAuthenticated, NotFound, PermissionDenied
from brigade.infra.prepared import Executor, Prepared
from brigade.inputs import PathId
from brigade.restaurants.models import Membership, Restaurant
from brigade.runtime import Runtime, RuntimeDep, get_runtime
from brigade.session import SessionDep
from brigade.tenancy import RID, owned_by, scoped

_users = cast(Table, User.__table__)
_refresh_tokens = cast(Table, RefreshToken.__table__)
_members = cast(Table, Membership.__table__)
_restaurants = cast(Table, Restaurant.__table__)

# Prepared (brigade.infra.prepared): they run on every authenticated request; none has a
# database error that is an answer.
_API_TOKEN = select(
    ApiToken.__table__.c.id, ApiToken.__table__.c.restaurant_id, ApiToken.__table__.c.scopes
).where(
    ApiToken.__table__.c.token_hash == bindparam("digest"),
    ApiToken.__table__.c.revoked_at.is_(None),
)
# Whether a login is alive: the user's row (active, tokens_not_before) and whether the
# refresh-token family ``session_id`` still has a token that is not revoked.
_LOGIN_COLUMNS = (
    _users.c.is_active,
    _users.c.tokens_not_before,
    exists()
    .where(
        _refresh_tokens.c.family_id == bindparam("session_id", type_=String()),
        _refresh_tokens.c.user_id == _users.c.id,
        _refresh_tokens.c.revoked_at.is_(None),
    )
    .label("live"),
)
_LOGIN = select(*_LOGIN_COLUMNS).where(_users.c.id == bindparam("user_id"))
# A member's standing in a restaurant: the login's state and the membership's role
# (NULL: not a member), in one round trip.
_MEMBER_STANDING = select(
    *_LOGIN_COLUMNS,
    scoped(select(_members.c.role), RID, _members)
    .where(_members.c.user_id == _users.c.id)
    .scalar_subquery()
    .label("role"),
).where(_users.c.id == bindparam("user_id"))
# The platform admin's: the login's state and whether the restaurant exists.
_ADMIN_STANDING = select(
    *_LOGIN_COLUMNS,
    exists().where(owned_by(_restaurants, RID)).label("restaurant_exists"),
).where(_users.c.id == bindparam("user_id"))
_API_TOKEN_P = Prepared(_API_TOKEN)
_LOGIN_P = Prepared(_LOGIN)
_MEMBER_STANDING_P = Prepared(_MEMBER_STANDING)
_ADMIN_STANDING_P = Prepared(_ADMIN_STANDING)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is calling: a user (``user_id``) or a restaurant API token (``token_id``).

    A user authenticated by an access JWT carries its login: ``session_id`` (the
    refresh-token family it was issued under) or, for a token minted outside a login,
    ``issued_at`` (seconds since the epoch). Both ``None``: an actor made by code
    (CLI, tests), whose login is not checked. ``device_id``: the registered device of a
    PIN login (:mod:`brigade.devices`; claim ``dev``), ``None`` for a full login.
    """

    user_id: int | None = None
    is_admin: bool = False
    token_id: int | None = None
    token_restaurant_id: int | None = None
    token_scopes: frozenset[str] = frozenset()
    session_id: str | None = None
    issued_at: int | None = None
    device_id: int | None = None

    @property
    def label(self) -> str:
        """A short text naming the actor, for audit and events."""
        return f"user:{self.user_id}" if self.user_id is not None else f"token:{self.token_id}"


@dataclass(frozen=True, slots=True)
class Access:
    """An actor's standing in one restaurant: its role (``None`` for admin and tokens)
    and the permissions it holds there."""

    actor: Actor
    restaurant_id: int
    role: Role | None
    permissions: frozenset[Permission]

    def can(self, permission: Permission) -> bool:
        """Whether this access holds ``permission``."""
        return permission in self.permissions

    def check(self, permission: Permission) -> None:
        """Raise :class:`PermissionDenied` unless this access holds ``permission``."""
        if permission not in self.permissions:
            raise PermissionDenied(f"this action needs the {permission.value!r} permission")


@dataclass(frozen=True, slots=True)
class Caller:
    """Who makes the current request and from where, kept on its session for the audit
    trail (:mod:`brigade.audit`): ``actor`` and the client's ``address`` (IP address as
    the server saw it, ``None`` when unknown: a CLI job)."""

    actor: Actor
    address: str | None


def client_address(request: Request) -> str | None:
    """The request's client address (what uvicorn reports, after its proxy-header
    handling), or ``None``."""
    return request.client.host if request.client else None


def remember_caller(session: AsyncSession, actor: Actor, address: str | None) -> None:
    """Keep ``actor`` and ``address`` on ``session`` (its unit of work) for what its
    services record: :func:`caller_of`."""
    session.info[Caller] = Caller(actor, address)


def caller_of(session: AsyncSession) -> Caller | None:
    """The :class:`Caller` kept by :func:`remember_caller` on ``session``, if any."""
    caller = session.info.get(Caller)
    return caller if isinstance(caller, Caller) else None


def bearer_token(request: Request) -> str | None:
    """The bearer token of the ``Authorization`` header, if any."""
    return bearer_of(request.headers.get("authorization"))


def bearer_of(header: str | None) -> str | None:
    """The token of an ``Authorization`` header value ``Bearer <token>``, if any."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return token.strip()


async def authenticate(session: Executor, runtime: Runtime, token: str | None) -> Actor:
    """Resolve a bearer token (access JWT or API token) to an :class:`Actor`.

    An access JWT's login is checked to be alive (:func:`login_alive`): one query per
    login and ``ttl`` seconds (:mod:`brigade.auth.access_cache`), none in between.

    Raises :class:`NotAuthenticated` when the token is missing, invalid, expired or
    revoked, and :class:`~brigade.auth.exceptions.SessionEnded` (401) when its login has
    ended (logout, refresh-token reuse, password change, account deactivated).
    """
    if not token:
        raise NotAuthenticated("send an access token or API token as 'Authorization: Bearer'")
    cache = get_access_cache(runtime)
    if token.startswith(API_TOKEN_PREFIX):
        return await _api_token_actor(session, runtime, token_digest(token))
    claims = cache.claims(runtime.settings.signing_key, token)
    if claims is None:
        raise NotAuthenticated("invalid or expired access token")
    key = login_key(claims)
    actor = _login_actor(key)
    alive = cache.login_alive(claims.user_id, key)
    if alive is None:
        generation = cache.login_generation(claims.user_id)
        row = await _LOGIN_P.fetchone(
            session, {"user_id": claims.user_id, "session_id": claims.session_id}
        )
        alive = login_alive(row, actor)
        cache.put_login(claims.user_id, key, alive, generation)
    if not alive:
        raise SessionEnded()
    return actor


async def _api_token_actor(session: Executor, runtime: Runtime, digest: str) -> Actor:
    """The actor of the API token of SHA-256 ``digest`` (remembered for ``ttl``);
    raises :class:`NotAuthenticated` for an unknown or revoked one."""
    cache = get_access_cache(runtime)
    remembered = cache.api_token(digest)
    if remembered is not None:
        return remembered
    row = await _API_TOKEN_P.fetchone(session, {"digest": digest})
    if row is None:
        raise NotAuthenticated("unknown or revoked API token")
    actor = Actor(
        token_id=row.id,
        token_restaurant_id=row.restaurant_id,
        token_scopes=frozenset(row.scopes),
    )
    cache.put_api_token(digest, actor)
    return actor


def _login_actor(key: CallerKey) -> Actor:
    """The :class:`Actor` of a user's :data:`~brigade.auth.access_cache.CallerKey`."""
    return Actor(
        user_id=key[1], is_admin=key[2], session_id=key[3], issued_at=key[4], device_id=key[5]
    )


def login_alive(row: Any, actor: Actor) -> bool:
    """Whether ``actor``'s login is alive by ``row`` (``is_active``,
    ``tokens_not_before``, ``live``: see ``_LOGIN``; ``None``: no such user): the user
    exists and is active; a token of a login (``session_id``) has its refresh-token
    family not revoked; a token minted outside one (``issued_at``) was issued no
    earlier than the user's ``tokens_not_before`` (whole seconds)."""
    if row is None or not row.is_active:
        return False
    if actor.session_id is not None:
        return bool(row.live)
    not_before = row.tokens_not_before
    return (
        actor.issued_at is None
        or not_before is None
        or actor.issued_at >= int(not_before.timestamp())
    )


async def current_actor(request: Request, session: SessionDep, runtime: RuntimeDep) -> Actor:
    """The authenticated caller of this request (401 otherwise), remembered on the
    session for the audit trail (:func:`remember_caller`)."""
    actor = await authenticate(session, runtime, bearer_token(request))
    remember_caller(session, actor, client_address(request))
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


async def resolve_access(session: Executor, actor: Actor, restaurant_id: int) -> Access:
    """The actor's :class:`Access` to ``restaurant_id``, read now (one query for a user,
    none for an API token). For a user it also checks that the login is alive
    (:func:`login_alive`).

    Raises :class:`~brigade.auth.exceptions.SessionEnded` (401) when the login has
    ended, :class:`NotFound` when the restaurant does not exist or the actor does not
    belong to it.
    """
    if actor.token_id is not None:
        if actor.token_restaurant_id != restaurant_id:
            raise NotFound("restaurant not found")
        return Access(
            actor,
            restaurant_id,
            None,
            frozenset(p for p in Permission if p.value in actor.token_scopes),
        )
    params = {
        "restaurant_id": restaurant_id,
        "user_id": actor.user_id,
        "session_id": actor.session_id,
    }
    if actor.is_admin:
        row = await _ADMIN_STANDING_P.fetchone(session, params)
        if row is None or not login_alive(row, actor):
            raise SessionEnded()
        if not row.restaurant_exists:
            raise NotFound("restaurant not found")
        return Access(actor, restaurant_id, None, frozenset(Permission))
    row = await _MEMBER_STANDING_P.fetchone(session, params)
    if row is None or not login_alive(row, actor):
        raise SessionEnded()
    if row.role is None:
        raise NotFound("restaurant not found")
    role = Role(row.role)
    return Access(actor, restaurant_id, role, ROLE_PERMISSIONS[role])


async def cached_access(
    session: AsyncSession, runtime: Runtime, request: Request, restaurant_id: int
) -> Access:
    """The caller's :class:`Access` to ``restaurant_id``, remembered per process for a
    few seconds (:mod:`brigade.auth.access_cache`), so a request that repeats what the
    caller did a moment ago costs no query. Raises like :func:`authenticate` and
    :func:`resolve_access`."""
    return await access_for_token(session, runtime, bearer_token(request), restaurant_id)


async def access_for_token(
    session: Executor, runtime: Runtime, token: str | None, restaurant_id: int
) -> Access:
    """:func:`cached_access` for a bearer ``token`` (``None``: none was sent), in any
    session. Raises :class:`NotAuthenticated` (401, also
    :class:`~brigade.auth.exceptions.SessionEnded`) and :class:`NotFound` (404)."""
    key = get_access_cache(runtime).caller_key(runtime.settings.signing_key, token)
    if key is None:
        if not token:
            raise NotAuthenticated("send an access token or API token as 'Authorization: Bearer'")
        raise NotAuthenticated("invalid or expired access token")
    return await access_for_caller(session, runtime, key, restaurant_id)


async def access_for_caller(
    session: Executor, runtime: Runtime, key: CallerKey, restaurant_id: int
) -> Access:
    """The :class:`Access` of caller ``key`` (from
    :meth:`~brigade.auth.access_cache.AccessCache.caller_key`) to ``restaurant_id``:
    remembered (no query), else resolved (:func:`resolve_access`: one query) and
    remembered for the cache's ``ttl``. A JWT's expiry is not checked here, only its
    login and standing: a connected socket is kept while they hold.

    Raises :class:`NotAuthenticated` (401: an API token revoked, a login ended) and
    :class:`NotFound` (404)."""
    cache = get_access_cache(runtime)
    remembered = cache.grant(restaurant_id, key)
    if remembered is not None:
        return remembered
    generation = cache.grant_generation(restaurant_id)
    if key[0] == "t":
        actor = await _api_token_actor(session, runtime, key[1])
    else:
        actor = _login_actor(key)
    access = await resolve_access(session, actor, restaurant_id)
    cache.put_grant(restaurant_id, key, access, generation)
    return access


def require(
    permission: Permission,
) -> Callable[..., Coroutine[Any, Any, Access]]:
    """A dependency granting :class:`Access` to the path's ``restaurant_id`` when the
    actor holds ``permission`` (401 / 404 / 403 otherwise, in that order).

    The returned callable carries ``.permission`` (the :class:`Permission` it checks).
    """

    async def dependency(
        request: Request,
        session: SessionDep,
        restaurant_id: PathId,
    ) -> Access:
        access = await cached_access(session, get_runtime(request), request, restaurant_id)
        access.check(permission)
        remember_caller(session, access.actor, client_address(request))
        return access

    dependency.__name__ = f"require_{permission.name}"
    # Read by the tenant-isolation test matrix (tests/test_isolation.py) and by tools that
    # list which permission each route needs.
    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency


async def touch_api_token(session: AsyncSession, token_id: int) -> None:
    """Record that an API token was used now."""
    await session.execute(
        update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow())
    )


RestaurantRead = Annotated[Access, Depends(require(Permission.restaurant_read))]
RestaurantWrite = Annotated[Access, Depends(require(Permission.restaurant_write))]
StaffRead = Annotated[Access, Depends(require(Permission.staff_read))]
StaffWrite = Annotated[Access, Depends(require(Permission.staff_write))]
TokensRead = Annotated[Access, Depends(require(Permission.tokens_read))]
TokensWrite = Annotated[Access, Depends(require(Permission.tokens_write))]
DevicesWrite = Annotated[Access, Depends(require(Permission.devices_write))]
MenuRead = Annotated[Access, Depends(require(Permission.menu_read))]
MenuWrite = Annotated[Access, Depends(require(Permission.menu_write))]
MenuAvailability = Annotated[Access, Depends(require(Permission.menu_availability))]
TablesRead = Annotated[Access, Depends(require(Permission.tables_read))]
TablesWrite = Annotated[Access, Depends(require(Permission.tables_write))]
OrdersRead = Annotated[Access, Depends(require(Permission.orders_read))]
OrdersWrite = Annotated[Access, Depends(require(Permission.orders_write))]
OrdersVoid = Annotated[Access, Depends(require(Permission.orders_void))]
KitchenRead = Annotated[Access, Depends(require(Permission.kitchen_read))]
KitchenBump = Annotated[Access, Depends(require(Permission.kitchen_bump))]
BillingRead = Annotated[Access, Depends(require(Permission.billing_read))]
BillingRequest = Annotated[Access, Depends(require(Permission.billing_request))]
BillingWrite = Annotated[Access, Depends(require(Permission.billing_write))]
ReportsRead = Annotated[Access, Depends(require(Permission.reports_read))]
TillsRead = Annotated[Access, Depends(require(Permission.tills_read))]
TillsWrite = Annotated[Access, Depends(require(Permission.tills_write))]
ShiftsWrite = Annotated[Access, Depends(require(Permission.shifts_write))]
DayClose = Annotated[Access, Depends(require(Permission.day_close))]
AuditRead = Annotated[Access, Depends(require(Permission.audit_read))]
