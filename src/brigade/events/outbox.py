"""Record domain events in the outbox, inside the caller's transaction.

A service calls :func:`record` (or :func:`record_many`) after its writes; the events wait
in the unit of work's :class:`~brigade.events.pending.Pending` state. When the unit of
work commits (:mod:`brigade.events.unit_of_work`), :func:`write_pending` runs the writes
left for the commit, gives the events the restaurant's next ``seq`` values and writes
their outbox rows, in the same transaction: they are committed with the writes or not
at all. Clients that reconnect read what they missed with :func:`events_since`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, event, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from brigade.events.models import EventSequence, OutboxEvent
from brigade.events.pending import Pending, pending
from brigade.infra.db import EncodedJSON, utcnow
from brigade.tenancy import scoped

# Built once: they run at every commit that carries events.
_sequences = cast(Table, EventSequence.__table__)
_ADVANCE = (
    scoped(update(_sequences), bindparam("sequence_restaurant_id"))
    .values(last_seq=_sequences.c.last_seq + bindparam("n"))
    .returning(_sequences.c.last_seq)
)
_outbox = cast(Table, OutboxEvent.__table__)
_INSERT = insert(_outbox)


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
    """An event a service is about to record: its type, payload and optional station.

    ``encoded``, when given, is ``payload`` already encoded as JSON text; the outbox
    row takes it as is instead of encoding the payload again."""

    type: str
    payload: dict[str, Any]
    station: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    encoded: str | None = None


#: ``(session, restaurant_id, events)``: told of every event as a service records it (and
#: of every :func:`note`), in the service's transaction; may leave writes for the commit
#: (:func:`brigade.events.pending.defer`). ``restaurant_id`` is ``None`` for a note of no
#: restaurant (a login). Registered by the composition root (the audit trail).
Recorder = Callable[[AsyncSession, int | None, Sequence["NewEvent"]], None]
_RECORDERS: list[Recorder] = []


def register_recorder(recorder: Recorder) -> None:
    """Tell ``recorder`` of every event recorded from now on (once: registering the same
    function again does nothing)."""
    if recorder not in _RECORDERS:
        _RECORDERS.append(recorder)


def note(
    session: AsyncSession,
    restaurant_id: int | None,
    type: str,  # noqa: A002 - the event's type, as in the wire format
    payload: dict[str, Any],
) -> None:
    """Tell the recorders (:func:`register_recorder`) of a fact that is no event: it is
    announced to nobody and has no ``seq`` (a login, which belongs to no restaurant, or
    a failed one). Whatever they write commits with ``session``'s unit of work."""
    new = [NewEvent(type, payload)]
    for recorder in _RECORDERS:
        recorder(session, restaurant_id, new)


async def record(
    session: AsyncSession,
    restaurant_id: int,
    type: str,  # noqa: A002 - the event's type, as in the wire format
    payload: dict[str, Any],
    *,
    station: str | None = None,
) -> None:
    """Record one event for ``restaurant_id``; see :func:`record_many`."""
    await record_many(session, restaurant_id, [NewEvent(type, payload, station)])


async def record_many(
    session: AsyncSession, restaurant_id: int, events: Sequence[NewEvent]
) -> None:
    """Record ``events`` of ``restaurant_id`` in this transaction's outbox.

    The events are queued in the unit of work's state and numbered when it commits
    (:func:`write_pending`): taking the sequence row's lock that late keeps it held
    for one statement and the commit, not for the whole request. The recorders
    (:func:`register_recorder`: the audit trail) are told of them at once, in the
    same transaction.
    """
    if events:
        now = utcnow()
        pending(session).events.extend((restaurant_id, e, now) for e in events)
        for recorder in _RECORDERS:
            recorder(session, restaurant_id, events)


def write_pending(connection: Connection, states: Sequence[Pending]) -> None:
    """Write what ``states`` (the units of work committed together; one, unless group
    commit joined several) left for the commit, on ``connection`` in its transaction:
    each one's deferred writes (:func:`write_deferred`), then their events
    (:func:`write_events`)."""
    for state in states:
        write_deferred(connection, state)
    write_events(connection, states)


def write_deferred(connection: Connection, state: Pending) -> None:
    """Run the writes ``state``'s services left for the commit (the idempotency
    answer), in the order they were left."""
    for statement, params in state.writes:
        connection.execute(statement, params)
    state.writes.clear()


def write_events(connection: Connection, states: Sequence[Pending]) -> None:
    """Number the events queued in ``states`` per restaurant, in the order they were
    recorded (one ``UPDATE ... RETURNING`` of the restaurant's sequence), and write
    their outbox rows (one insert per restaurant). The numbered events are added to
    each state's ``numbered`` list for the bus.

    The one implementation of event numbering: the unit of work runs it with
    ``AsyncConnection.run_sync``; a plain session commit (scripts, tests) through the
    ``before_commit`` hook below.

    Raises ``LookupError`` if a restaurant has no sequence row (every restaurant gets one
    when it is created).
    """
    by_restaurant: dict[int, list[tuple[Pending, NewEvent, datetime]]] = {}
    for state in states:
        for restaurant_id, new, at in state.events:
            by_restaurant.setdefault(restaurant_id, []).append((state, new, at))
        state.events.clear()
    for restaurant_id in sorted(by_restaurant):
        batch = by_restaurant[restaurant_id]
        last = connection.execute(
            _ADVANCE, {"sequence_restaurant_id": restaurant_id, "n": len(batch)}
        ).scalar_one_or_none()
        if last is None:
            raise LookupError(f"restaurant {restaurant_id} has no event sequence")
        first = last - len(batch) + 1
        rows: list[dict[str, Any]] = []
        for i, (state, new, at) in enumerate(batch):
            numbered = DomainEvent(restaurant_id, first + i, new.type, new.payload, at, new.station)
            state.numbered.append(numbered)
            rows.append(
                {
                    "restaurant_id": restaurant_id,
                    "seq": numbered.seq,
                    "type": new.type,
                    "station": new.station,
                    "payload": new.payload if new.encoded is None else EncodedJSON(new.encoded),
                    "created_at": at,
                }
            )
        connection.execute(_INSERT, rows)


async def number_queued(session: AsyncSession) -> None:
    """Write what ``session``'s services left for the commit, and number and write its
    events (:func:`write_pending`), now, in its transaction: what the unit of work does
    just before it commits."""
    state = session.info.get(Pending)
    if state is not None and (state.events or state.writes):
        connection = await session.connection()
        await connection.run_sync(write_pending, [state])


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    """A session committed outside the unit of work (scripts, tests) writes what its
    services queued with the same :func:`write_pending`."""
    state = session.info.get(Pending)
    if state is not None and (state.events or state.writes):
        write_pending(session.connection(), [state])


def take_pending(session: AsyncSession) -> list[DomainEvent]:
    """Remove and return the events ``session`` numbered since the last call (what a
    commit outside the unit of work leaves for the caller to publish)."""
    state: Pending | None = session.info.get(Pending)
    if state is None:
        return []
    numbered: list[DomainEvent] = state.numbered
    state.numbered = []
    return numbered


async def events_since(
    session: AsyncSession, restaurant_id: int, after_seq: int, *, limit: int = 1000
) -> list[DomainEvent]:
    """The restaurant's events with ``seq > after_seq``, oldest first, at most ``limit``."""
    rows = await session.execute(
        scoped(select(OutboxEvent), restaurant_id)
        .where(OutboxEvent.seq > after_seq)
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
