"""Record domain events in the outbox, inside the caller's transaction.

A service calls :func:`record` (or :func:`record_many`) after its writes; the events get
the restaurant's next ``seq`` values and an outbox row each. The unit of work
(:func:`brigade.db.unit_of_work`) takes them with :func:`take_pending` after commit and
hands them to the bus. Clients that reconnect read what they missed with
:func:`events_since`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.db import utcnow
from brigade.events.models import EventSequence, OutboxEvent
from brigade.prepared import Prepared

_PENDING_KEY = "brigade.pending_events"

# Built once: these run in every writing request (see CONTRIBUTING, "Hot path").
_sequences = cast(Table, EventSequence.__table__)
# Run on the driver connection (brigade.prepared): neither has an error a caller handles.
_ADVANCE = Prepared(
    update(_sequences)
    .where(_sequences.c.restaurant_id == bindparam("sequence_restaurant_id"))
    .values(last_seq=_sequences.c.last_seq + bindparam("n"))
    .returning(_sequences.c.last_seq)
)
_INSERT = Prepared(insert(cast(Table, OutboxEvent.__table__)))


@dataclass(frozen=True, slots=True)
class DomainEvent:
    """A committed state change.

    ``seq`` increases by one per event within a restaurant; ``station`` is set on kitchen
    events so they reach that station's screens; ``payload`` is JSON-ready.
    """

    restaurant_id: int
    seq: int
    type: str
    payload: dict[str, Any]
    occurred_at: datetime
    station: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """The event as sent over Socket.IO (``event`` name is ``type``)."""
        return {
            "seq": self.seq,
            "type": self.type,
            "restaurant_id": self.restaurant_id,
            "station": self.station,
            "occurred_at": self.occurred_at.isoformat(),
            "data": self.payload,
        }


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event a service is about to record: its type, payload and optional station."""

    type: str
    payload: dict[str, Any]
    station: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


async def record(
    session: AsyncSession,
    restaurant_id: int,
    type: str,  # noqa: A002 - the event's type, as in the wire format
    payload: dict[str, Any],
    *,
    station: str | None = None,
) -> DomainEvent:
    """Record one event for ``restaurant_id``; see :func:`record_many`."""
    (event,) = await record_many(session, restaurant_id, [NewEvent(type, payload, station)])
    return event


async def record_many(
    session: AsyncSession, restaurant_id: int, events: Sequence[NewEvent]
) -> list[DomainEvent]:
    """Give ``events`` the restaurant's next ``seq`` values and write them to the outbox.

    Takes one ``UPDATE ... RETURNING`` and one ``INSERT`` run for every event (the
    driver's ``executemany``), both straight on the driver (:mod:`brigade.prepared`).
    Raises ``LookupError`` if the restaurant has no sequence row (every restaurant gets
    one when it is created).
    """
    if not events:
        return []
    n = len(events)
    last = await _ADVANCE.scalar(session, {"sequence_restaurant_id": restaurant_id, "n": n})
    if last is None:
        raise LookupError(f"restaurant {restaurant_id} has no event sequence")
    now = utcnow()
    recorded = [
        DomainEvent(
            restaurant_id=restaurant_id,
            seq=last - n + 1 + i,
            type=e.type,
            payload=e.payload,
            occurred_at=now,
            station=e.station,
        )
        for i, e in enumerate(events)
    ]
    rows = [
        {
            "restaurant_id": restaurant_id,
            "seq": e.seq,
            "type": e.type,
            "station": e.station,
            "payload": e.payload,
            "created_at": now,
        }
        for e in recorded
    ]
    if n == 1:
        await _INSERT.execute(session, rows[0])
    else:
        await _INSERT.executemany(session, rows)
    session.info.setdefault(_PENDING_KEY, []).extend(recorded)
    return recorded


def take_pending(session: AsyncSession) -> list[DomainEvent]:
    """Remove and return the events recorded in ``session`` since the last call."""
    pending: list[DomainEvent] = session.info.pop(_PENDING_KEY, [])
    return pending


def discard_pending(session: AsyncSession) -> None:
    """Forget recorded events (after a rollback)."""
    session.info.pop(_PENDING_KEY, None)


async def events_since(
    session: AsyncSession, restaurant_id: int, after_seq: int, *, limit: int = 1000
) -> list[DomainEvent]:
    """The restaurant's events with ``seq > after_seq``, oldest first, at most ``limit``."""
    rows = await session.execute(
        select(OutboxEvent)
        .where(OutboxEvent.restaurant_id == restaurant_id, OutboxEvent.seq > after_seq)
        .order_by(OutboxEvent.seq)
        .limit(limit)
    )
    return [
        DomainEvent(
            restaurant_id=row.restaurant_id,
            seq=row.seq,
            type=row.type,
            payload=row.payload,
            occurred_at=row.created_at,
            station=row.station,
        )
        for row in rows.scalars()
    ]


async def create_sequence(session: AsyncSession, restaurant_id: int) -> None:
    """Create the event sequence of a new restaurant, starting at 0."""
    await session.execute(insert(EventSequence).values(restaurant_id=restaurant_id, last_seq=0))
