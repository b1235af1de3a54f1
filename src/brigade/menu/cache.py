"""In-process cache of each restaurant's whole-menu JSON document.

``GET .../menu`` is read far more often than the menu changes (every waiter tablet,
menu board and guest phone), so its response bytes are built once and served from here.
An entry is dropped when a ``menu.*``, ``restaurant.*`` (the currency is part of the
document) or ``import.*`` event of its restaurant passes on the runtime's bus after
commit, and expires after ``ttl`` seconds anyway, which bounds staleness when another
worker process made the change or data was written without an event.

A generation counter per restaurant keeps a response built from a snapshot read before
an invalidation from being stored after it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from brigade.events.outbox import DomainEvent
from brigade.runtime import Runtime

MENU_CACHE_KEY = "menu_cache"
DEFAULT_TTL_SECONDS = 5.0
_INVALIDATING_PREFIXES = ("menu.", "restaurant.", "import.")


@dataclass
class MenuCache:
    """Menu documents (UTF-8 JSON bytes) per restaurant id, each kept ``ttl`` seconds."""

    ttl: float = DEFAULT_TTL_SECONDS
    clock: Callable[[], float] = time.monotonic
    _entries: dict[int, tuple[float, bytes]] = field(default_factory=dict)
    _generations: dict[int, int] = field(default_factory=dict)

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
        """Drop every document."""
        for restaurant_id in list(self._entries):
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
        cache = get_menu_cache(runtime)
        for event in events:
            if event.type.startswith(_INVALIDATING_PREFIXES):
                cache.invalidate(event.restaurant_id)

    runtime.bus.subscribe(on_events)
