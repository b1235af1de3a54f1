"""Per-process memory of who may do what, so a request costs no auth round trip.

Every restaurant route asks :func:`brigade.auth.dependencies.require`, which needs the
caller (from the bearer token) and their standing in the restaurant. Both change rarely
and are read on every request, so this cache remembers:

- an access JWT's verified claims until the token expires (its signature is checked once
  per token and process; its expiry on every call): a ``cachetools.TLRUCache``;
- per restaurant (:class:`~brigade.caching.EventDroppedCache`, ``ttl`` seconds):

  - the :class:`~brigade.auth.dependencies.Access` of each caller. For a user the
    caller is the *login* (user, admin flag, session id of the JWT), and the one query
    that found the grant also found the login alive: the user active, the login's
    refresh-token family not revoked, the token not older than the user's
    ``tokens_not_before`` (:func:`brigade.auth.dependencies.resolve_access`);
  - its API tokens' rows;

- per user, whether each of their logins is alive (``ttl`` seconds), for the routes
  that authenticate without a restaurant (:func:`brigade.auth.dependencies.authenticate`).

Committed events drop entries in this process at once: a restaurant's grants on its
``staff.*`` (role changed, member removed, API token revoked), ``restaurant.*``,
``auth.*`` (a login of a member ended: logout, refresh-token reuse) and ``user.*``
(a member deactivated, a password changed) events; its API tokens on ``staff.*`` and
``restaurant.*``; a user's logins on ``auth.session.*`` and ``user.*`` events (their
payload's ``user_id``). The services record the user-wide events in every restaurant
the user belongs to (:mod:`brigade.auth.service`). In other worker processes (and for a
user of no restaurant, the platform admin) the entries lapse within ``ttl`` (5 s by
default), after which the next request reads the database again. That bound is the
price of answering the hot path without a query.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from cachetools import LRUCache, TLRUCache

from brigade.auth.security import (
    API_TOKEN_PREFIX,
    AccessClaims,
    decode_access_token,
    token_digest,
)
from brigade.caching import EventDroppedCache, payload_int
from brigade.events.outbox import DomainEvent
from brigade.runtime import Runtime

if TYPE_CHECKING:
    from brigade.auth.dependencies import Access, Actor

ACCESS_CACHE_KEY = "auth.access_cache"
DEFAULT_TTL_SECONDS = 5.0
#: Event type prefixes dropping a restaurant's remembered grants.
GRANT_DROPPING = ("staff.", "restaurant.", "auth.", "user.", "membership.")
#: Event type prefixes dropping a restaurant's remembered API tokens.
API_TOKEN_DROPPING = ("staff.", "restaurant.")
#: Event type prefixes dropping a user's remembered logins (the payload's ``user_id``).
LOGIN_DROPPING = ("auth.session.", "user.")
_MAX_ENTRIES = 10_000

#: Who presents a credential: ``("t", sha256)`` for an API token; ``("u", user_id,
#: is_admin, session_id, issued_at, device_id)`` for an access JWT, where ``issued_at``
#: is set only when ``session_id`` is ``None`` (a token minted outside a login is its own
#: login) and ``device_id`` only for a PIN login on a registered device.
CallerKey = tuple[Any, ...]


def login_key(claims: AccessClaims) -> CallerKey:
    """The :data:`CallerKey` of a verified access JWT."""
    issued_at = claims.issued_at if claims.session_id is None else None
    return ("u", claims.user_id, claims.is_admin, claims.session_id, issued_at, claims.device_id)


def _expiry(_token: str, claims: AccessClaims, _now: float) -> float:
    return claims.expires_at.timestamp()


class AccessCache:
    """Remembered token verifications, grants and logins (see the module docstring).

    ``ttl`` in seconds of ``clock`` (monotonic by default; it may be replaced on a live
    cache); at most ``maxsize`` tokens, restaurants and users each.
    """

    def __init__(
        self,
        ttl: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        maxsize: int = _MAX_ENTRIES,
    ) -> None:
        self._jwts: TLRUCache[str, AccessClaims] = TLRUCache(
            maxsize=maxsize, ttu=_expiry, timer=time.time
        )
        self._grants: EventDroppedCache[int, dict[CallerKey, Access]] = EventDroppedCache(
            ttl=ttl, maxsize=maxsize, drop_on=GRANT_DROPPING, clock=clock
        )
        self._api_tokens: EventDroppedCache[int, dict[str, Actor]] = EventDroppedCache(
            ttl=ttl, maxsize=maxsize, drop_on=API_TOKEN_DROPPING, clock=clock
        )
        #: Which restaurant's entry holds an API token (by digest): where to look only.
        self._token_restaurants: LRUCache[str, int] = LRUCache(maxsize=maxsize)
        self._logins: EventDroppedCache[int, dict[CallerKey, bool]] = EventDroppedCache(
            ttl=ttl,
            maxsize=maxsize,
            drop_on=LOGIN_DROPPING,
            key_of=payload_int("user_id"),
            clock=clock,
        )
        self._maxsize = maxsize

    @property
    def ttl(self) -> float:
        """Seconds a grant, an API token row or a login check is trusted."""
        return self._grants.ttl

    @property
    def clock(self) -> Callable[[], float]:
        """The time source of ``ttl`` (monotonic seconds)."""
        return self._grants.clock

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        for cache in (self._grants, self._api_tokens, self._logins):
            cache.clock = clock

    # --- credentials -----------------------------------------------------------------

    def claims(self, signing_key: str, token: str) -> AccessClaims | None:
        """The verified claims of access JWT ``token`` while it is unexpired, else
        ``None`` (bad signature, malformed, expired)."""
        known = self._jwts.get(token)
        if known is not None:
            return known
        claims = decode_access_token(token, key=signing_key)
        if claims is None or claims.expires_at.timestamp() <= time.time():
            return None
        self._jwts[token] = claims
        return claims

    def caller_key(self, signing_key: str, token: str | None) -> CallerKey | None:
        """Who presents ``token`` (:data:`CallerKey`): an API token by digest, an access
        JWT valid now by its login; ``None`` without a credential or with an invalid or
        expired JWT. Says nothing of whether the login or token is still honoured: a
        grant (:meth:`grant`) does."""
        if not token:
            return None
        if token.startswith(API_TOKEN_PREFIX):
            return ("t", token_digest(token))
        claims = self.claims(signing_key, token)
        return None if claims is None else login_key(claims)

    def api_token(self, digest: str) -> Actor | None:
        """The remembered actor of an API token (by SHA-256 digest), within ``ttl``."""
        restaurant_id = self._token_restaurants.get(digest)
        if restaurant_id is None:
            return None
        tokens = self._api_tokens.get(restaurant_id)
        return None if tokens is None else tokens.get(digest)

    def put_api_token(self, digest: str, actor: Actor) -> None:
        """Remember the actor of a valid API token."""
        restaurant_id = actor.token_restaurant_id
        if restaurant_id is None:
            return
        tokens = self._entry(self._api_tokens, restaurant_id)
        if tokens is not None:
            tokens[digest] = actor
            self._token_restaurants[digest] = restaurant_id

    # --- grants ----------------------------------------------------------------------

    def grant(self, restaurant_id: int, key: CallerKey) -> Access | None:
        """The remembered :class:`Access` of caller ``key`` in the restaurant, within
        ``ttl``."""
        grants = self._grants.get(restaurant_id)
        return None if grants is None else grants.get(key)

    def grant_generation(self, restaurant_id: int) -> int:
        """Read before resolving a grant; hand it to :meth:`put_grant`."""
        return self._grants.generation(restaurant_id)

    def put_grant(
        self, restaurant_id: int, key: CallerKey, access: Access, generation: int | None = None
    ) -> None:
        """Remember caller ``key``'s access to the restaurant, unless the restaurant's
        grants were dropped since ``generation`` (when given)."""
        grants = self._entry(self._grants, restaurant_id, generation)
        if grants is not None:
            grants[key] = access

    # --- logins ----------------------------------------------------------------------

    def login_alive(self, user_id: int, key: CallerKey) -> bool | None:
        """Whether login ``key`` of ``user_id`` was found alive within ``ttl``
        (``None``: not known)."""
        logins = self._logins.get(user_id)
        return None if logins is None else logins.get(key)

    def login_generation(self, user_id: int) -> int:
        """Read before checking a login; hand it to :meth:`put_login`."""
        return self._logins.generation(user_id)

    def put_login(self, user_id: int, key: CallerKey, alive: bool, generation: int) -> None:
        """Remember what a check of login ``key`` found, unless the user's logins were
        dropped since ``generation``."""
        logins = self._entry(self._logins, user_id, generation)
        if logins is not None:
            logins[key] = alive

    # --- dropping --------------------------------------------------------------------

    def drop_for(self, events: Sequence[DomainEvent]) -> None:
        """Drop what committed ``events`` change (see the module docstring)."""
        self._grants.drop_for(events)
        self._api_tokens.drop_for(events)
        self._logins.drop_for(events)

    def drop_restaurant(self, restaurant_id: int) -> None:
        """Forget the restaurant's grants and its API tokens (its staff changed)."""
        self._grants.drop(restaurant_id)
        self._api_tokens.drop(restaurant_id)

    def clear(self) -> None:
        """Forget everything."""
        self._jwts.clear()
        self._token_restaurants.clear()
        for cache in (self._grants, self._api_tokens, self._logins):
            cache.clear()

    def _entry(
        self,
        cache: EventDroppedCache[int, dict[Any, Any]],
        key: int,
        generation: int | None = None,
    ) -> dict[Any, Any] | None:
        """The mapping ``cache`` holds for ``key``, made if needed (its ``ttl`` runs
        from then); ``None`` when ``key`` was dropped since ``generation``."""
        if generation is not None and cache.generation(key) != generation:
            return None
        entry = cache.get(key)
        if entry is None or len(entry) >= self._maxsize:
            entry = {}
            cache.put(key, entry)
        return entry


def get_access_cache(runtime: Runtime) -> AccessCache:
    """The process's :class:`AccessCache`, created on first use in ``runtime.extras``."""
    cache = runtime.extras.get(ACCESS_CACHE_KEY)
    if not isinstance(cache, AccessCache):
        cache = runtime.extras[ACCESS_CACHE_KEY] = AccessCache()
    return cache


def install_access_cache(runtime: Runtime) -> None:
    """Subscribe the cache's drops to ``runtime.bus`` (called by ``create_app``)."""

    async def on_events(events: Sequence[DomainEvent]) -> None:
        get_access_cache(runtime).drop_for(events)

    runtime.bus.subscribe(on_events)
