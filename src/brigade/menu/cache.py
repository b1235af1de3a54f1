"""In-process cache of each restaurant's whole-menu JSON document, and of the menu
snapshot order placement prices lines from.

``GET .../menu`` is read far more often than the menu changes (every waiter tablet,
menu board and guest phone), so its response bytes are built once and served from here.
An entry is dropped when a ``menu.*``, ``restaurant.*`` (the currency is part of the
document) or ``import.*`` event of its restaurant passes on the runtime's bus after
commit, and expires after ``ttl`` seconds anyway, which bounds staleness when another
worker process made the change or data was written without an event.

The container is :class:`brigade.caching.EventDroppedCache`, the process's one cache
type. A generation counter per restaurant keeps a response built from a snapshot read
before an invalidation from being stored after it.

Who may read a restaurant's menu comes from the process's access cache
(:mod:`brigade.auth.access_cache`), so a cache hit costs no database round trip at all.

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
from typing import Any

from brigade.auth.access_cache import get_access_cache
from brigade.auth.permissions import Permission
from brigade.caching import EventDroppedCache
from brigade.events.outbox import DomainEvent
from brigade.runtime import Runtime

MENU_CACHE_KEY = "menu_cache"
DEFAULT_TTL_SECONDS = 5.0
_INVALIDATING_PREFIXES = ("menu.", "restaurant.", "import.")
_MAX_RESTAURANTS = 10_000


class MenuCache:
    """Menu documents (UTF-8 JSON bytes) and pricing snapshots per restaurant id, each
    kept ``ttl`` seconds, for at most ``maxsize`` restaurants: two
    :class:`~brigade.caching.EventDroppedCache` dropped together by the restaurant's
    ``menu.*``, ``restaurant.*`` and ``import.*`` events, sharing one generation.

    ``clock`` (monotonic seconds) may be replaced on a live cache (tests move time).
    """

    def __init__(
        self,
        ttl: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        maxsize: int = _MAX_RESTAURANTS,
    ) -> None:
        self._documents: EventDroppedCache[int, bytes] = EventDroppedCache(
            ttl=ttl, maxsize=maxsize, drop_on=_INVALIDATING_PREFIXES, clock=clock
        )
        #: What order placement prices lines from
        #: (:class:`brigade.menu.pricing.MenuSnapshot`), kept and dropped with the document.
        self._snapshots: EventDroppedCache[int, Any] = EventDroppedCache(
            ttl=ttl, maxsize=maxsize, clock=clock
        )

    @property
    def ttl(self) -> float:
        """Seconds an entry is trusted."""
        return self._documents.ttl

    @property
    def clock(self) -> Callable[[], float]:
        """The cache's time source (monotonic seconds)."""
        return self._documents.clock

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        self._documents.clock = clock
        self._snapshots.clock = clock

    def get(self, restaurant_id: int) -> bytes | None:
        """The cached document, or ``None`` when absent or older than ``ttl``."""
        return self._documents.get(restaurant_id)

    def generation(self, restaurant_id: int) -> int:
        """A number that changes whenever the restaurant's entry is invalidated; read it
        before building a document and hand it to :meth:`put`."""
        return self._documents.generation(restaurant_id)

    def put(self, restaurant_id: int, body: bytes, generation: int) -> None:
        """Store ``body`` unless the restaurant was invalidated since ``generation``."""
        self._documents.put(restaurant_id, body, generation)

    def snapshot(self, restaurant_id: int) -> Any | None:
        """The restaurant's cached menu snapshot for pricing lines, or ``None`` when
        absent or older than ``ttl``."""
        return self._snapshots.get(restaurant_id)

    def put_snapshot(self, restaurant_id: int, snapshot: Any, generation: int) -> None:
        """Store ``snapshot`` unless the restaurant was invalidated since ``generation``."""
        if self._documents.generation(restaurant_id) == generation:
            self._snapshots.put(restaurant_id, snapshot)

    def invalidate(self, restaurant_id: int) -> None:
        """Drop the restaurant's document and snapshot (the next read rebuilds them)."""
        self._documents.drop(restaurant_id)
        self._snapshots.drop(restaurant_id)

    def drop_for(self, events: Sequence[DomainEvent]) -> None:
        """Invalidate the restaurants whose committed ``events`` change their menu."""
        for event in events:
            restaurant_id = self._documents.dropped_by(event)
            if restaurant_id is not None:
                self.invalidate(restaurant_id)

    def clear(self) -> None:
        """Drop every document and snapshot."""
        for restaurant_id in {*self._documents.keys(), *self._snapshots.keys()}:
            self.invalidate(restaurant_id)


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
        get_menu_cache(runtime).drop_for(events)

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
        grants = get_access_cache(self.runtime)
        key = grants.caller_key(self.runtime.settings.signing_key, _bearer(scope))
        access = grants.grant(restaurant_id, key) if key is not None else None
        if access is None or not access.can(Permission.menu_read):
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
