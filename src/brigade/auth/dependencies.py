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
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.access_cache import get_access_cache
from brigade.auth.models import ApiToken
from brigade.auth.permissions import ROLE_PERMISSIONS, Permission, Role
from brigade.auth.security import API_TOKEN_PREFIX, token_digest
from brigade.db import utcnow
from brigade.errors import NotAuthenticated, NotFound, PermissionDenied
from brigade.prepared import Executor, Prepared
from brigade.restaurants.models import Membership, Restaurant
from brigade.runtime import Runtime, RuntimeDep, get_runtime
from brigade.session import SessionDep

# Prepared (brigade.prepared): they run on every authenticated request; neither has a
# database error that is an answer.
_API_TOKEN = select(
    ApiToken.__table__.c.id, ApiToken.__table__.c.restaurant_id, ApiToken.__table__.c.scopes
).where(
    ApiToken.__table__.c.token_hash == bindparam("digest"),
    ApiToken.__table__.c.revoked_at.is_(None),
)
_MEMBER_ROLE = select(Membership.__table__.c.role).where(
    Membership.__table__.c.restaurant_id == bindparam("restaurant_id"),
    Membership.__table__.c.user_id == bindparam("user_id"),
)
_RESTAURANT_EXISTS = select(Restaurant.__table__.c.id).where(
    Restaurant.__table__.c.id == bindparam("restaurant_id")
)
_API_TOKEN_P = Prepared(_API_TOKEN)
_MEMBER_ROLE_P = Prepared(_MEMBER_ROLE)
_RESTAURANT_EXISTS_P = Prepared(_RESTAURANT_EXISTS)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is calling: a user (``user_id``) or a restaurant API token (``token_id``)."""

    user_id: int | None = None
    is_admin: bool = False
    token_id: int | None = None
    token_restaurant_id: int | None = None
    token_scopes: frozenset[str] = frozenset()

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

    Raises :class:`NotAuthenticated` when the token is missing, invalid, expired or
    revoked.
    """
    if not token:
        raise NotAuthenticated("send an access token or API token as 'Authorization: Bearer'")
    cache = get_access_cache(runtime)
    if token.startswith(API_TOKEN_PREFIX):
        digest = token_digest(token)
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
    key = cache.caller_key(runtime.settings.signing_key, token)
    if key is None:
        raise NotAuthenticated("invalid or expired access token")
    return Actor(user_id=key[1], is_admin=key[2])


async def current_actor(request: Request, session: SessionDep, runtime: RuntimeDep) -> Actor:
    """The authenticated caller of this request (401 otherwise)."""
    return await authenticate(session, runtime, bearer_token(request))


CurrentActor = Annotated[Actor, Depends(current_actor)]


async def resolve_access(session: Executor, actor: Actor, restaurant_id: int) -> Access:
    """The actor's :class:`Access` to ``restaurant_id``.

    Raises :class:`NotFound` when the restaurant does not exist or the actor does not
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
    if actor.is_admin:
        exists = await _RESTAURANT_EXISTS_P.scalar(session, {"restaurant_id": restaurant_id})
        if exists is None:
            raise NotFound("restaurant not found")
        return Access(actor, restaurant_id, None, frozenset(Permission))
    role = await _MEMBER_ROLE_P.scalar(
        session, {"restaurant_id": restaurant_id, "user_id": actor.user_id}
    )
    if role is None:
        raise NotFound("restaurant not found")
    return Access(actor, restaurant_id, Role(role), ROLE_PERMISSIONS[Role(role)])


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
    session. Raises :class:`NotAuthenticated` (401) and :class:`NotFound` (404)."""
    cache = get_access_cache(runtime)
    key = cache.caller_key(runtime.settings.signing_key, token)
    if key is not None:
        remembered = cache.grant(restaurant_id, key)
        if remembered is not None:
            return remembered
    actor = await authenticate(session, runtime, token)
    access = await resolve_access(session, actor, restaurant_id)
    if key is not None:
        cache.put_grant(restaurant_id, key, access)
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
        restaurant_id: Annotated[int, Path(ge=1)],
    ) -> Access:
        access = await cached_access(session, get_runtime(request), request, restaurant_id)
        access.check(permission)
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
