"""In-process delivery of committed events to subscribers (the Socket.IO server)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from brigade.events.outbox import DomainEvent

logger = logging.getLogger(__name__)

Subscriber = Callable[[Sequence[DomainEvent]], Awaitable[None]]


class EventBus:
    """Hands each committed batch of events to every subscriber, in ``seq`` order.

    A subscriber's failure is logged and does not stop the others: the events are in the
    outbox, so a client that missed them catches up by ``seq``.
    """

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> None:
        """Add ``subscriber``; it is awaited with every committed batch."""
        self._subscribers.append(subscriber)

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        """Deliver ``events`` (one transaction's, already committed)."""
        for subscriber in self._subscribers:
            try:
                await subscriber(events)
            except Exception:
                logger.exception("event subscriber %r failed", subscriber)
