"""The one cache type of the process's remembered reads: :class:`EventDroppedCache`.

Who may do what (:mod:`brigade.auth.access_cache`), the menu document and snapshot
(:mod:`brigade.menu.cache`) and the restaurant's profile
(:func:`brigade.restaurants.service.get_profile_cache`) are each an
:class:`EventDroppedCache`: a ``cachetools.TTLCache`` (each entry trusted for ``ttl``
seconds, at most ``maxsize`` keys, the least recently used dropped beyond) whose entries
are dropped at once by the committed domain events that change them.

A cache names the events that drop it by type prefix (``drop_on``) and how an event names
the key it drops (``key_of``; by default the event's restaurant). :meth:`drop_for` takes
committed :class:`~brigade.events.outbox.DomainEvent` batches: today the runtime's bus
hands it this process's events (each cache's ``install_*`` function subscribes it);
events carried from other worker processes can be handed to it the same way. Until
then, another process's change shows here within ``ttl``.

A *generation* per key guards against a read that raced a drop: read
:meth:`generation` before reading the database and hand it to :meth:`put`, which stores
nothing if the key was dropped meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Generic, TypeVar

from cachetools import TTLCache

from brigade.events.outbox import DomainEvent

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def restaurant_key(event: DomainEvent) -> int:
    """The key an event drops by default: its restaurant id."""
    return event.restaurant_id


def payload_int(name: str) -> Callable[[DomainEvent], int | None]:
    """A ``key_of`` taking the integer ``payload[name]`` of an event (``None`` when the
    payload has no such integer, so the event drops nothing)."""

    def key_of(event: DomainEvent) -> int | None:
        value = event.payload.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return key_of


class EventDroppedCache(Generic[K, V]):
    """Values by key, each trusted for ``ttl`` seconds (``clock`` units, monotonic
    seconds by default), at most ``maxsize`` keys; dropped by committed events whose
    type starts with one of ``drop_on`` (the key named by ``key_of(event)``).

    ``clock`` may be replaced on a live cache (tests move time forward with it).
    """

    def __init__(
        self,
        *,
        ttl: float,
        maxsize: int,
        drop_on: Sequence[str] = (),
        key_of: Callable[[DomainEvent], K | None] = restaurant_key,  # type: ignore[assignment]
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.clock = clock
        self.drop_on = tuple(drop_on)
        self.key_of = key_of
        self._entries: TTLCache[K, V] = TTLCache(maxsize=maxsize, ttl=ttl, timer=self._now)
        self._generations: dict[K, int] = {}

    def _now(self) -> float:
        return self.clock()

    def get(self, key: K) -> V | None:
        """The value of ``key``, or ``None`` (never stored, dropped, or older than
        ``ttl``)."""
        return self._entries.get(key)

    def generation(self, key: K) -> int:
        """A number that changes whenever ``key`` is dropped; read it before reading
        what :meth:`put` will store."""
        return self._generations.get(key, 0)

    def put(self, key: K, value: V, generation: int | None = None) -> bool:
        """Remember ``value`` for ``key`` from now on, unless ``key`` was dropped since
        ``generation`` (when given). Returns whether it was stored."""
        if generation is not None and self._generations.get(key, 0) != generation:
            return False
        self._entries[key] = value
        return True

    def drop(self, key: K) -> None:
        """Forget ``key`` now (the next read of it goes to the database)."""
        self._generations[key] = self._generations.get(key, 0) + 1
        self._entries.pop(key, None)

    def keys(self) -> list[K]:
        """The keys held now (expired ones excluded)."""
        self._entries.expire()
        return list(self._entries.keys())

    def clear(self) -> None:
        """Forget every key."""
        for key in list(self._entries.keys()):
            self.drop(key)

    def dropped_by(self, event: DomainEvent) -> K | None:
        """The key ``event`` drops, or ``None``."""
        if not event.type.startswith(self.drop_on):
            return None
        return self.key_of(event)

    def drop_for(self, events: Iterable[DomainEvent]) -> None:
        """Drop the keys that committed ``events`` name (see the class docstring)."""
        for event in events:
            key = self.dropped_by(event)
            if key is not None:
                self.drop(key)
