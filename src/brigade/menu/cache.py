"""In-process cache of each restaurant's whole-menu JSON document.

``GET .../menu`` is read far more often than the menu changes (every waiter tablet,
menu board and guest phone), so its response bytes are built once and served from here.
An entry is dropped when a ``menu.*``, ``restaurant.*`` (the currency is part of the
document) or ``import.*`` event of its restaurant passes on the runtime's bus after
commit, and expires after ``ttl`` seconds anyway, which bounds staleness when another
worker process made the change or data was written without an event.

A generation counter per restaurant keeps a response built from a snapshot read before
an invalidation from being stored after it.

The cache also remembers, for ``ttl`` seconds, that a caller may read a restaurant's
menu (:meth:`MenuCache.grant`), so that a cache hit costs no database round trip at all.
The access JWT's expiry is still checked on every request (its signature is verified
once per token and process); what is remembered is the membership lookup (or the API
token lookup). A ``staff.*`` event of the restaurant drops its remembered grants at once
in this process; elsewhere (another worker, a revoked API token, which records no
event) they lapse within ``ttl``.

:class:`MenuFastPath` (an ASGI middleware) answers ``GET .../restaurants/{id}/menu``
straight from the cache when both the caller's grant and the document are there, before
FastAPI's routing and dependency solving; anything else goes on to the route in
:mod:`brigade.menu.router`, which does the full check and fills the cache. This is what
keeps the menu read close to a bare endpoint returning the same bytes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from brigade.auth.security import API_TOKEN_PREFIX, decode_access_token, token_digest
from brigade.events.outbox import DomainEvent
from brigade.runtime import Runtime

if TYPE_CHECKING:
    from brigade.auth.dependencies import Access

MENU_CACHE_KEY = "menu_cache"
DEFAULT_TTL_SECONDS = 5.0
_INVALIDATING_PREFIXES = ("menu.", "restaurant.", "import.")
_GRANT_DROPPING_PREFIXES = ("staff.", "restaurant.")
_MAX_GRANTS_PER_RESTAURANT = 10_000
_MAX_VERIFIED_TOKENS = 10_000


@dataclass
class MenuCache:
    """Menu documents (UTF-8 JSON bytes) per restaurant id, each kept ``ttl`` seconds."""

    ttl: float = DEFAULT_TTL_SECONDS
    clock: Callable[[], float] = time.monotonic
    _entries: dict[int, tuple[float, bytes]] = field(default_factory=dict)
    _generations: dict[int, int] = field(default_factory=dict)
    _grants: dict[int, dict[Any, tuple[float, Access]]] = field(default_factory=dict)
    _verified: dict[str, tuple[tuple[Any, ...], float]] = field(default_factory=dict)

    def get(self, restaurant_id: int) -> bytes | None:
        """The cached document, or ``None`` when absent or older than ``ttl``."""
        entry = self._entries.get(restaurant_id)
        if entry is None:
            return None
        stored_at, body = entry
        if self.clock() - stored_at > self.ttl:
            self._entries.pop(restaurant_id, None)
            return None
        return body

    def generation(self, restaurant_id: int) -> int:
        """A number that changes whenever the restaurant's entry is invalidated; read it
        before building a document and hand it to :meth:`put`."""
        return self._generations.get(restaurant_id, 0)

    def put(self, restaurant_id: int, body: bytes, generation: int) -> None:
        """Store ``body`` unless the restaurant was invalidated since ``generation``."""
        if self._generations.get(restaurant_id, 0) == generation:
            self._entries[restaurant_id] = (self.clock(), body)

    def invalidate(self, restaurant_id: int) -> None:
        """Drop the restaurant's document (the next read rebuilds it)."""
        self._generations[restaurant_id] = self._generations.get(restaurant_id, 0) + 1
        self._entries.pop(restaurant_id, None)

    def clear(self) -> None:
        """Drop every document and every grant."""
        for restaurant_id in list(self._entries):
            self.invalidate(restaurant_id)
        self._grants.clear()

    def grant(self, restaurant_id: int, key: Any) -> Access | None:
        """The :class:`Access` remembered for caller ``key`` in the restaurant, unless
        older than ``ttl``."""
        entry = self._grants.get(restaurant_id, {}).get(key)
        if entry is None or self.clock() - entry[0] > self.ttl:
            return None
        return entry[1]

    def put_grant(self, restaurant_id: int, key: Any, access: Access) -> None:
        """Remember that caller ``key`` reads the restaurant's menu with ``access``."""
        grants = self._grants.setdefault(restaurant_id, {})
        if len(grants) >= _MAX_GRANTS_PER_RESTAURANT:
            grants.clear()
        grants[key] = (self.clock(), access)

    def drop_grants(self, restaurant_id: int) -> None:
        """Forget the restaurant's grants (its staff changed)."""
        self._grants.pop(restaurant_id, None)

    def caller_key(self, signing_key: str, token: str | None) -> tuple[Any, ...] | None:
        """Who presents ``token``, as a key for :meth:`grant`: ``("t", sha256)`` for an
        API token, ``("u", user_id, is_admin)`` for an access JWT that is valid now;
        ``None`` without a valid credential. A JWT's signature is verified once per
        process (remembered until its expiry); its expiry on every call."""
        if not token:
            return None
        if token.startswith(API_TOKEN_PREFIX):
            return ("t", token_digest(token))
        now = time.time()
        known = self._verified.get(token)
        if known is not None:
            if known[1] > now:
                return known[0]
            del self._verified[token]
            return None
        claims = decode_access_token(token, key=signing_key)
        if claims is None:
            return None
        key = ("u", claims.user_id, claims.is_admin)
        if len(self._verified) >= _MAX_VERIFIED_TOKENS:
            self._verified.clear()
        self._verified[token] = (key, claims.expires_at.timestamp())
        return key


def get_menu_cache(runtime: Runtime) -> MenuCache:
    """The process's :class:`MenuCache`, created on first use in ``runtime.extras``."""
    cache = runtime.extras.get(MENU_CACHE_KEY)
    if not isinstance(cache, MenuCache):
        cache = runtime.extras[MENU_CACHE_KEY] = MenuCache()
    return cache


def invalidate_menu(runtime: Runtime, restaurant_id: int) -> None:
    """Drop the restaurant's cached menu now (for writers that record no event)."""
    get_menu_cache(runtime).invalidate(restaurant_id)


def install_menu_cache(runtime: Runtime) -> None:
    """Subscribe the cache's invalidation to ``runtime.bus`` (called by ``create_app``)."""

    async def on_events(events: Sequence[DomainEvent]) -> None:
        cache = get_menu_cache(runtime)
        for event in events:
            if event.type.startswith(_INVALIDATING_PREFIXES):
                cache.invalidate(event.restaurant_id)
            if event.type.startswith(_GRANT_DROPPING_PREFIXES):
                cache.drop_grants(event.restaurant_id)

    runtime.bus.subscribe(on_events)


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_MENU_PATH = re.compile(r"/api/v1/restaurants/([1-9][0-9]{0,17})/menu")


class MenuFastPath:
    """ASGI middleware answering a whole-menu read from :class:`MenuCache` when the
    caller's grant and the document are both cached; every other request (and every
    cache miss) goes on to ``app`` unchanged."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            match = _MENU_PATH.fullmatch(scope["path"])
            if match is not None:
                body = self._cached(int(match.group(1)), scope)
                if body is not None:
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 200,
                            "headers": [
                                (b"content-length", str(len(body)).encode()),
                                (b"content-type", b"application/json"),
                            ],
                        }
                    )
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)

    def _cached(self, restaurant_id: int, scope: Scope) -> bytes | None:
        cache = self.runtime.extras.get(MENU_CACHE_KEY)
        if not isinstance(cache, MenuCache):
            return None
        body = cache.get(restaurant_id)
        if body is None:
            return None
        token = _bearer(scope)
        key = cache.caller_key(self.runtime.settings.signing_key, token)
        if key is None or cache.grant(restaurant_id, key) is None:
            return None
        return body


def _bearer(scope: Scope) -> str | None:
    """The bearer token of the request's ``Authorization`` header, if any."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            header: str = bytes(value).decode("latin-1")
            scheme, _, token = header.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None
