"""Per-process memory of who may do what, so a request costs no auth round trip.

Every restaurant route asks :func:`brigade.auth.dependencies.require`, which needs the
caller (from the bearer token) and their standing in the restaurant (a membership or API
token row). Both change rarely and are read on every request, so this cache remembers:

- an access JWT's verified claims until the token expires (its signature is checked once
  per token and process; its expiry on every call);
- an API token's row for ``ttl`` seconds;
- an :class:`~brigade.auth.dependencies.Access` per (restaurant, caller) for ``ttl``
  seconds.

A ``staff.*`` or ``restaurant.*`` event of a restaurant (a role changed, a member
removed, an API token revoked) drops that restaurant's entries in this process as soon
as it is committed; in other worker processes they lapse within ``ttl`` (5 s by
default). That bound is the price of answering the hot path without a query.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from brigade.auth.security import API_TOKEN_PREFIX, decode_access_token, token_digest
from brigade.events.outbox import DomainEvent
from brigade.runtime import Runtime

if TYPE_CHECKING:
    from brigade.auth.dependencies import Access, Actor

ACCESS_CACHE_KEY = "auth.access_cache"
DEFAULT_TTL_SECONDS = 5.0
_DROPPING_PREFIXES = ("staff.", "restaurant.")
_MAX_ENTRIES = 10_000

CallerKey = tuple[Any, ...]


@dataclass
class AccessCache:
    """Remembered token verifications and grants (see the module docstring)."""

    ttl: float = DEFAULT_TTL_SECONDS
    clock: Callable[[], float] = time.monotonic
    _jwts: dict[str, tuple[CallerKey, float]] = field(default_factory=dict)
    _api_tokens: dict[str, tuple[float, Actor]] = field(default_factory=dict)
    _grants: dict[int, dict[CallerKey, tuple[float, Access]]] = field(default_factory=dict)

    def caller_key(self, signing_key: str, token: str | None) -> CallerKey | None:
        """Who presents ``token``: ``("t", sha256)`` for an API token, ``("u", user_id,
        is_admin)`` for an access JWT valid now; ``None`` without a valid credential."""
        if not token:
            return None
        if token.startswith(API_TOKEN_PREFIX):
            return ("t", token_digest(token))
        known = self._jwts.get(token)
        if known is not None:
            if known[1] > time.time():
                return known[0]
            del self._jwts[token]
            return None
        claims = decode_access_token(token, key=signing_key)
        if claims is None:
            return None
        key: CallerKey = ("u", claims.user_id, claims.is_admin)
        if len(self._jwts) >= _MAX_ENTRIES:
            self._jwts.clear()
        self._jwts[token] = (key, claims.expires_at.timestamp())
        return key

    def api_token(self, digest: str) -> Actor | None:
        """The remembered actor of an API token (by SHA-256 digest), within ``ttl``."""
        entry = self._api_tokens.get(digest)
        if entry is None or self.clock() - entry[0] > self.ttl:
            return None
        return entry[1]

    def put_api_token(self, digest: str, actor: Actor) -> None:
        """Remember the actor of a valid API token."""
        if len(self._api_tokens) >= _MAX_ENTRIES:
            self._api_tokens.clear()
        self._api_tokens[digest] = (self.clock(), actor)

    def grant(self, restaurant_id: int, key: CallerKey) -> Access | None:
        """The remembered :class:`Access` of caller ``key`` in the restaurant, within
        ``ttl``."""
        entry = self._grants.get(restaurant_id, {}).get(key)
        if entry is None or self.clock() - entry[0] > self.ttl:
            return None
        return entry[1]

    def put_grant(self, restaurant_id: int, key: CallerKey, access: Access) -> None:
        """Remember caller ``key``'s access to the restaurant."""
        grants = self._grants.setdefault(restaurant_id, {})
        if len(grants) >= _MAX_ENTRIES:
            grants.clear()
        grants[key] = (self.clock(), access)

    def drop_restaurant(self, restaurant_id: int) -> None:
        """Forget the restaurant's grants and its API tokens (its staff changed)."""
        self._grants.pop(restaurant_id, None)
        for digest, (_, actor) in list(self._api_tokens.items()):
            if actor.token_restaurant_id == restaurant_id:
                del self._api_tokens[digest]

    def clear(self) -> None:
        """Forget everything."""
        self._jwts.clear()
        self._api_tokens.clear()
        self._grants.clear()


def get_access_cache(runtime: Runtime) -> AccessCache:
    """The process's :class:`AccessCache`, created on first use in ``runtime.extras``."""
    cache = runtime.extras.get(ACCESS_CACHE_KEY)
    if not isinstance(cache, AccessCache):
        cache = runtime.extras[ACCESS_CACHE_KEY] = AccessCache()
    return cache


def install_access_cache(runtime: Runtime) -> None:
    """Subscribe the cache's invalidation to ``runtime.bus`` (called by ``create_app``)."""

    async def on_events(events: Sequence[DomainEvent]) -> None:
        cache = get_access_cache(runtime)
        for event in events:
            if event.type.startswith(_DROPPING_PREFIXES):
                cache.drop_restaurant(event.restaurant_id)

    runtime.bus.subscribe(on_events)
