"""Record domain events in the outbox, inside the caller's transaction.

A service calls :func:`record` (or :func:`record_many`) after its writes; just before the
transaction commits, the events get the restaurant's next ``seq`` values and an outbox row
each (:func:`number_queued`), so they are committed with the writes or not at all. The
unit of work (:func:`brigade.db.unit_of_work`) takes them with :func:`take_pending` after
the commit and hands them to the bus. Clients that reconnect read what they missed with
:func:`events_since`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CTE, Insert, Table, bindparam, event, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from brigade.db import EncodedJSON, utcnow
from brigade.events.models import EventSequence, OutboxEvent
from brigade.prepared import Executor, Prepared, dialect_name

_QUEUED_KEY = "brigade.queued_events"
_PENDING_KEY = "brigade.pending_events"
_DEFERRED_KEY = "brigade.deferred_writes"

# Built once: these run in every writing request (see CONTRIBUTING, "Hot path").
_sequences = cast(Table, EventSequence.__table__)
# Run on the driver connection (brigade.prepared): neither has an error a caller handles.
_ADVANCE_SQL = (
    update(_sequences)
    .where(_sequences.c.restaurant_id == bindparam("sequence_restaurant_id"))
    .values(last_seq=_sequences.c.last_seq + bindparam("n"))
    .returning(_sequences.c.last_seq)
)
_outbox = cast(Table, OutboxEvent.__table__)
_INSERT_SQL = insert(_outbox)
_ADVANCE = Prepared(_ADVANCE_SQL)
_INSERT = Prepared(_INSERT_SQL)
# PostgreSQL, one event (an order placement's case): the sequence advanced and the
# outbox row written in ONE statement, a data-modifying CTE (one round trip, not two).
# No row back means the restaurant has no sequence row. Parameter names are no column
# names of either table (SQLAlchemy would take those as SET values of the UPDATE).
_ADVANCED_ONE = (
    update(_sequences)
    .where(_sequences.c.restaurant_id == bindparam("sequence_restaurant_id"))
    .values(last_seq=_sequences.c.last_seq + bindparam("n"))
    .returning(_sequences.c.last_seq)
    .cte("advanced")
)
_RECORD_ONE_PG = Prepared(
    insert(_outbox)
    .from_select(
        ["restaurant_id", "seq", "type", "station", "payload", "created_at"],
        select(
            bindparam("e_restaurant_id", type_=_outbox.c.restaurant_id.type),
            _ADVANCED_ONE.c.last_seq,
            bindparam("e_type", type_=_outbox.c.type.type),
            bindparam("e_station", type_=_outbox.c.station.type),
            bindparam("e_payload", type_=_outbox.c.payload.type),
            bindparam("e_created_at", type_=_outbox.c.created_at.type),
        ),
    )
    .add_cte(_ADVANCED_ONE)
    .returning(_outbox.c.seq)
)


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


@dataclass(frozen=True, slots=True)
class CommitWrite:
    """A write a service defers to the commit (see :func:`defer_write`): ``alone`` run
    with ``params``; or, on PostgreSQL when the transaction's events are a single event
    of one restaurant, ``with_event`` (:func:`event_statement_with` this write as a
    data-modifying CTE) with ``params`` added to the event's: both in one round trip."""

    alone: Prepared
    with_event: Prepared
    params: dict[str, Any]


def defer_write(session: Executor, write: CommitWrite) -> None:
    """Run ``write`` when the transaction's events are numbered, just before it commits
    (:func:`number_queued`), in the same transaction. For writes whose errors are bugs
    (500s): it runs after the service returned."""
    session.info.setdefault(_DEFERRED_KEY, []).append(write)


def event_statement_with(cte: CTE) -> Insert:
    """PostgreSQL's one-event statement (:func:`number_queued`) with ``cte`` (a
    data-modifying CTE, run whatever the rest reads) added, for a :class:`CommitWrite`.
    Its parameters must not clash with the event's (``n``, ``sequence_restaurant_id``,
    ``e_*``)."""
    statement = cast(Insert, _RECORD_ONE_PG.statement)
    return statement.add_cte(cte)


async def record(
    session: Executor,
    restaurant_id: int,
    type: str,  # noqa: A002 - the event's type, as in the wire format
    payload: dict[str, Any],
    *,
    station: str | None = None,
) -> None:
    """Record one event for ``restaurant_id``; see :func:`record_many`."""
    await record_many(session, restaurant_id, [NewEvent(type, payload, station)])


async def record_many(session: Executor, restaurant_id: int, events: Sequence[NewEvent]) -> None:
    """Record ``events`` of ``restaurant_id`` in this transaction's outbox.

    The events are queued on the session and numbered at the end of the transaction:
    :func:`number_queued` (called by :func:`brigade.db.unit_of_work` just before it
    commits, and by a ``before_commit`` hook for any other commit) gives them the
    restaurant's next ``seq`` values and writes their outbox rows. Taking the sequence
    row's lock that late keeps it held for one statement and the commit, not for the
    whole request: concurrent writers of one restaurant queue on it only briefly.
    """
    if events:
        now = utcnow()
        queue = session.info.setdefault(_QUEUED_KEY, [])
        queue.extend((restaurant_id, event, now) for event in events)


async def number_queued(session: Executor) -> None:
    """Number and write the events queued in ``session`` (see :func:`record_many`):
    per restaurant one ``UPDATE ... RETURNING`` of its sequence and one insert of its
    outbox rows, straight on the driver (:mod:`brigade.prepared`). The numbered events
    wait in the session for :func:`take_pending`.

    On PostgreSQL a restaurant's single event takes one statement instead (a CTE that
    advances the sequence and inserts the row). Writes deferred with :func:`defer_write`
    run first; on PostgreSQL a single one rides in the single event's statement.

    Raises ``LookupError`` if a restaurant has no sequence row (every restaurant gets one
    when it is created).
    """
    deferred: list[CommitWrite] = session.info.pop(_DEFERRED_KEY, [])
    queued = _take_queued(session.info)
    postgres = dialect_name(session) == "postgresql"
    riding: CommitWrite | None = None  # the deferred write that goes with the one event
    if postgres and len(deferred) == 1 and len(queued) == 1 and len(queued[0][1]) == 1:
        riding = deferred.pop()
    for write in deferred:
        await write.alone.execute(session, write.params)
    for restaurant_id, batch in queued:
        if postgres and len(batch) == 1:
            event, at = batch[0]
            params = {
                "sequence_restaurant_id": restaurant_id,
                "n": 1,
                "e_restaurant_id": restaurant_id,
                "e_type": event.type,
                "e_station": event.station,
                "e_payload": _payload(event),
                "e_created_at": at,
            }
            statement = _RECORD_ONE_PG
            if riding is not None:
                statement = riding.with_event
                params.update(riding.params)
            seq = await statement.scalar(session, params)
            _numbered(session.info, restaurant_id, batch, seq)
            continue
        last = await _ADVANCE.scalar(
            session, {"sequence_restaurant_id": restaurant_id, "n": len(batch)}
        )
        rows = _numbered(session.info, restaurant_id, batch, last)
        if len(rows) == 1:
            await _INSERT.execute(session, rows[0])
        else:
            await _INSERT.executemany(session, rows)


def queued_restaurants(session: Executor) -> list[int]:
    """The restaurants with events queued in ``session``, in ascending id order (the
    order in which their sequence locks are taken)."""
    queued: list[tuple[int, NewEvent, datetime]] = session.info.get(_QUEUED_KEY, [])
    return sorted({restaurant_id for restaurant_id, _, _ in queued})


def _take_queued(info: dict[Any, Any]) -> list[tuple[int, list[tuple[NewEvent, datetime]]]]:
    queued: list[tuple[int, NewEvent, datetime]] = info.pop(_QUEUED_KEY, [])
    by_restaurant: dict[int, list[tuple[NewEvent, datetime]]] = {}
    for restaurant_id, queued_event, at in queued:
        by_restaurant.setdefault(restaurant_id, []).append((queued_event, at))
    return list(by_restaurant.items())


def _numbered(
    info: dict[Any, Any],
    restaurant_id: int,
    batch: list[tuple[NewEvent, datetime]],
    last: int | None,
) -> list[dict[str, Any]]:
    """Give ``batch`` the seqs ending at ``last``; keep the events for the bus and return
    their outbox rows."""
    if last is None:
        raise LookupError(f"restaurant {restaurant_id} has no event sequence")
    first = last - len(batch) + 1
    numbered = [
        DomainEvent(
            restaurant_id=restaurant_id,
            seq=first + i,
            type=event.type,
            payload=event.payload,
            occurred_at=at,
            station=event.station,
        )
        for i, (event, at) in enumerate(batch)
    ]
    info.setdefault(_PENDING_KEY, []).extend(numbered)
    return [
        {
            "restaurant_id": restaurant_id,
            "seq": e.seq,
            "type": e.type,
            "station": e.station,
            "payload": _payload(new),
            "created_at": e.occurred_at,
        }
        for e, (new, _) in zip(numbered, batch, strict=True)
    ]


def _payload(event: NewEvent) -> dict[str, Any] | EncodedJSON:
    """The value for an event's ``payload`` column: its JSON text when the service
    encoded it already, else the payload (encoded by the column type)."""
    return event.payload if event.encoded is None else EncodedJSON(event.encoded)


@event.listens_for(Session, "before_commit")
def _number_before_commit(session: Session) -> None:
    """Safety net for commits outside :func:`brigade.db.unit_of_work` (tests, scripts):
    number what is still queued, with plain Core statements on the session (deferred
    writes first)."""
    for write in session.info.pop(_DEFERRED_KEY, []):
        session.execute(cast(Executable, write.alone.statement), write.params)
    for restaurant_id, batch in _take_queued(session.info):
        last = session.execute(
            _ADVANCE_SQL, {"sequence_restaurant_id": restaurant_id, "n": len(batch)}
        ).scalar_one_or_none()
        rows = _numbered(session.info, restaurant_id, batch, last)
        session.execute(_INSERT_SQL, rows)


def queued_mark(session: Executor) -> tuple[int, int]:
    """How many events and deferred writes ``session`` holds for its commit: taken
    before work that a SAVEPOINT may undo, handed to :func:`forget_since` if it does."""
    return len(session.info.get(_QUEUED_KEY, ())), len(session.info.get(_DEFERRED_KEY, ()))


def forget_since(session: Executor, mark: tuple[int, int]) -> None:
    """Drop the events and deferred writes queued after ``mark`` (:func:`queued_mark`):
    their writes were rolled back to a SAVEPOINT."""
    for key, length in zip((_QUEUED_KEY, _DEFERRED_KEY), mark, strict=True):
        del session.info.get(key, [])[length:]


def take_pending(session: Executor) -> list[DomainEvent]:
    """Remove and return the events recorded in ``session`` since the last call."""
    pending: list[DomainEvent] = session.info.pop(_PENDING_KEY, [])
    return pending


def discard_pending(session: Executor) -> None:
    """Forget recorded events (after a rollback)."""
    session.info.pop(_PENDING_KEY, None)
    session.info.pop(_QUEUED_KEY, None)
    session.info.pop(_DEFERRED_KEY, None)


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
