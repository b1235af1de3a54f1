"""The one write path: every change of state commits through :func:`unit_of_work`.

A REST route (through :data:`brigade.session.SessionDep`), a Socket.IO command and a CLI
job alike open a unit of work, call the service (which writes, records its events with
:func:`brigade.events.outbox.record_many` and may leave its ``Idempotency-Key`` answer
for the commit), and leave. The unit of work then, in one place:

1. writes what was left for the commit (the idempotency answer), numbers the events with
   the restaurant's ``seq`` and writes their outbox rows
   (:func:`brigade.events.outbox.write_pending`);
2. commits, or rolls everything back on any error;
3. after the commit, and only then, hands the numbered events to the bus, in commit
   order: nothing is announced that was not committed, and nothing committed goes
   unannounced.

**Group commit** (SQLite): a SQLite database has one writer, and with
``synchronous=FULL`` every commit waits for an fsync of the WAL. The units of work that
wait for the writer at one moment therefore share one transaction: each runs in a
SAVEPOINT of its own (an error rolls back only its own work and events, and fails only
its own request), the events of all of them are numbered together, and the last one
commits for all, the fsync running off the event loop while the next batch gathers. An
answer is sent only after the commit that holds its writes, and after the commit of
what it read: a unit of work waits for its batch's commit when it or one before it in
the batch wrote (a read alone, at the start of a batch, does not). Deferred writes run
at the end of each unit of work's SAVEPOINT, so the next one sees an ``Idempotency-Key``
answered (and replays it) instead of a claim in progress.

On PostgreSQL each unit of work is a transaction of its own on a pooled connection
(PostgreSQL shares the WAL flush of concurrent commits itself). Numbering takes the
restaurant's sequence row lock until the commit; the units of work of one process that
are about to number a restaurant's events wait their turn on an :class:`asyncio.Lock`
per restaurant instead of holding connections in the row lock's queue.

When ``db.sessionmaker`` is bound to a connection (the tests' outer transaction), every
unit of work is a SAVEPOINT on it, committed (released) on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.util import await_only

from brigade.events.bus import EventBus
from brigade.events.outbox import DomainEvent, number_queued, write_deferred, write_events
from brigade.events.pending import Pending
from brigade.infra.db import Database
from brigade.infra.prepared import PreparedSession
from brigade.infra.sqlite_inline import InlineConnection

#: Units of work committed together at most (SQLite group commit).
MAX_BATCH = 32


@dataclass(eq=False, slots=True)
class _Batch:
    """One SQLite transaction shared by the units of work of a group commit."""

    connection: AsyncConnection
    lite: sqlite3.Connection
    committed: asyncio.Future[None]
    states: list[Pending] = field(default_factory=list)
    #: Units of work in it that wrote (and wait for its commit).
    writers: int = 0
    #: An error left the transaction unusable: it is rolled back, every writer fails.
    broken: BaseException | None = None


@dataclass(eq=False, slots=True)
class _Lanes:
    """Per database: SQLite's writer lane and PostgreSQL's sequence locks."""

    writer: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: Units of work waiting for ``writer``.
    waiting: int = 0
    batch: _Batch | None = None
    #: The publication of the last batch committed (:func:`_publish`).
    published: asyncio.Task[None] | None = None
    sequences: dict[int, asyncio.Lock] = field(default_factory=dict)

    def sequence_lock(self, restaurant_id: int) -> asyncio.Lock:
        lock = self.sequences.get(restaurant_id)
        if lock is None:
            lock = self.sequences[restaurant_id] = asyncio.Lock()
        return lock


_LANES: WeakKeyDictionary[Database, _Lanes] = WeakKeyDictionary()


def _lanes(db: Database) -> _Lanes:
    lanes = _LANES.get(db)
    if lanes is None:
        lanes = _LANES[db] = _Lanes()
    return lanes


@asynccontextmanager
async def unit_of_work(db: Database, bus: EventBus | None) -> AsyncIterator[AsyncSession]:
    """One unit of work on ``db``: a session whose writes, deferred writes and events
    are committed together (see the module docstring), the events then handed to
    ``bus`` (``None``: to nobody, e.g. a CLI job with no subscriber).

    Raises what the body raises (after rolling its work back), and the commit's error
    (the database's), in which case nothing of it was committed.
    """
    bound = db.sessionmaker.kw.get("bind")
    if db.engine.dialect.name == "sqlite" and not isinstance(bound, AsyncConnection):
        async with _grouped(db, bus) as session:
            yield session
    else:
        async with _alone(db, bus) as session:
            yield session


@asynccontextmanager
async def _alone(db: Database, bus: EventBus | None) -> AsyncIterator[AsyncSession]:
    """A unit of work in a transaction (or, bound to a connection, a SAVEPOINT) of its
    own."""
    state: Pending | None = None
    async with db.sessionmaker() as session:
        try:
            yield session
            state = session.info.get(Pending)
            if state is not None and (state.events or state.writes):
                async with contextlib.AsyncExitStack() as held:
                    lanes = _lanes(db)
                    for restaurant_id in state.restaurants():
                        await held.enter_async_context(lanes.sequence_lock(restaurant_id))
                    await number_queued(session)
                    await session.commit()
            else:
                await session.commit()
        except BaseException:
            await session.rollback()
            raise
    if bus is not None and state is not None and state.numbered:
        await bus.publish(state.numbered)


class _Attachment:
    """A grouped unit of work's place in the writer lane: none until its session first
    needs the database (:class:`_LaneSession`), then the batch it runs in, as a
    SAVEPOINT, holding the writer."""

    __slots__ = ("batch", "bus", "changes", "db", "lanes", "seen")

    def __init__(self, db: Database, lanes: _Lanes, bus: EventBus | None) -> None:
        self.db = db
        self.lanes = lanes
        self.bus = bus
        self.batch: _Batch | None = None
        self.changes = 0
        #: The commits of batches it left early having read their writes
        #: (:func:`end_if_read_only`): its answer waits for them too.
        self.seen: list[asyncio.Future[None]] = []

    async def attach(self) -> _Batch:
        """Wait for the writer, join its open batch or begin one."""
        lanes = self.lanes
        lanes.waiting += 1
        try:
            await lanes.writer.acquire()
        finally:
            lanes.waiting -= 1
        try:
            batch = lanes.batch
            if batch is None:
                batch = lanes.batch = await _begin(self.db)
        except BaseException:
            lanes.writer.release()
            raise
        self.changes = batch.lite.total_changes
        self.batch = batch
        return batch


class _LaneSession(Session):
    """The ORM session of a grouped unit of work: bound to the writer's batch
    connection from its first statement on (it waits for the writer there), so that a
    unit of work that never reads or writes (a cached answer) never waits."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        attachment: _Attachment = self.info[_Attachment]
        batch = attachment.batch
        if batch is None:  # in SQLAlchemy's greenlet, as every statement is
            batch = await_only(attachment.attach())
        return batch.connection.sync_connection


@asynccontextmanager
async def _grouped(db: Database, bus: EventBus | None) -> AsyncIterator[AsyncSession]:
    """A unit of work in a SAVEPOINT of the SQLite writer's current batch."""
    lanes = _lanes(db)
    attachment = _Attachment(db, lanes, bus)
    session = PreparedSession(
        bind=db.engine,
        sync_session_class=_LaneSession,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    )
    session.info[_Attachment] = attachment
    committed: asyncio.Future[None] | None = None
    committing: asyncio.Task[None] | None = None
    try:
        try:
            yield session
            state: Pending | None = session.info.pop(Pending, None)
            if state is not None and (state.events or state.writes) and not attachment.batch:
                await attachment.attach()
            if attachment.batch is not None:
                if state is not None and state.writes:  # in its SAVEPOINT: seen by the next
                    connection = await session.connection()
                    await connection.run_sync(write_deferred, state)
                await session.commit()  # RELEASE SAVEPOINT
        except BaseException as error:
            batch = attachment.batch
            if batch is not None:
                try:
                    await session.rollback()  # ROLLBACK TO SAVEPOINT: its work and events
                except BaseException as broken:
                    batch.broken = broken
                if not batch.lite.in_transaction:  # SQLite rolled it all back itself
                    batch.broken = error
            raise
        finally:
            await session.close()
        batch = attachment.batch
        if batch is not None:
            if state is not None and state.events:
                batch.states.append(state)
            if (state is not None and state.events) or batch.lite.total_changes != (
                attachment.changes
            ):
                batch.writers += 1
            if batch.writers:  # it wrote, or read what the batch wrote: on disk first
                committed = batch.committed
    finally:
        batch = attachment.batch
        if batch is not None:
            committing = _leave(lanes, batch, bus)
    if committing is not None:  # the one that ends a batch waits for its end (a CLI job
        await asyncio.shield(committing)  # must not leave before its transaction does)
    for future in [*attachment.seen, *([committed] if committed is not None else [])]:
        await asyncio.shield(future)


def _leave(lanes: _Lanes, batch: _Batch, bus: EventBus | None) -> asyncio.Task[None] | None:
    """A unit of work leaves ``batch``: the writer goes to the next one waiting, or,
    when none waits (or the batch is full or broken), the batch is committed: the task
    that does it, which owns the writer until it is done (so a cancelled request never
    leaves the connection half-committed)."""
    if lanes.waiting == 0 or batch.writers >= MAX_BATCH or batch.broken is not None:
        lanes.batch = None
        return asyncio.get_running_loop().create_task(_commit(lanes, batch, bus))
    lanes.writer.release()
    return None


async def end_if_read_only(session: AsyncSession) -> bool | None:
    """Give the writer back now when ``session`` (a grouped unit of work's, SQLite) has
    only read so far: its SAVEPOINT is released and the next unit of work waiting runs,
    while this one goes on with work that needs no writer (a long read on a reader
    connection); a later statement of the session waits for the writer again. If what
    it read included a write of its batch, its answer still waits for that commit.

    Returns ``True`` when the writer was given back (or was never taken), ``False``
    when the session wrote or holds changes, and ``None`` for a session that is not a
    grouped unit of work's (PostgreSQL, tests' bound connection).
    """
    attachment: _Attachment | None = session.info.get(_Attachment)
    if attachment is None:
        return None
    batch = attachment.batch
    if batch is None:
        return True
    state: Pending | None = session.info.get(Pending)
    if (
        session.new
        or session.dirty
        or session.deleted
        or (state is not None and (state.events or state.writes))
        or batch.lite.total_changes != attachment.changes
    ):
        return False
    await session.commit()  # RELEASE SAVEPOINT
    attachment.batch = None
    if batch.writers:
        attachment.seen.append(batch.committed)
    committing = _leave(attachment.lanes, batch, attachment.bus)
    if committing is not None:
        await asyncio.shield(committing)
    return True


async def _begin(db: Database) -> _Batch:
    """The writer's connection, with a write transaction begun (``BEGIN IMMEDIATE``,
    so that every SAVEPOINT in it nests inside, and RELEASE never commits)."""
    connection = await db.engine.connect()
    try:
        await connection.begin()
        raw = (await connection.get_raw_connection()).driver_connection
        if not isinstance(raw, InlineConnection):
            raise TypeError("group commit needs brigade.infra.sqlite_inline's connection")
        lite = raw.sqlite3_connection
        if not lite.in_transaction:
            lite.execute("BEGIN IMMEDIATE")
    except BaseException:
        await connection.close()
        raise
    return _Batch(connection, lite, asyncio.get_running_loop().create_future())


async def _commit(lanes: _Lanes, batch: _Batch, bus: EventBus | None) -> None:
    """Number and write the batch's events, commit it (the fsync in a worker thread),
    settle its writers and let the writer go; the events are then published after those
    of the batches before (:func:`_publish`), without holding anything: a subscriber
    may itself open a unit of work."""
    events: list[DomainEvent] = []
    try:
        try:
            if batch.broken is not None:
                raise batch.broken
            if batch.writers:
                await batch.connection.run_sync(write_events, batch.states)
                await asyncio.to_thread(batch.lite.commit)
            await batch.connection.rollback()  # nothing left: ends SQLAlchemy's transaction
        except BaseException as error:
            with contextlib.suppress(Exception):
                await batch.connection.rollback()
            failure = error if isinstance(error, Exception) else RuntimeError("commit interrupted")
            batch.committed.set_exception(failure)
            batch.committed.exception()  # retrieved: each writer raises it on its own
        else:
            batch.committed.set_result(None)
            events = [event for state in batch.states for event in state.numbered]
        finally:
            with contextlib.suppress(Exception):
                await batch.connection.close()  # back to the pool (WAL tail checkpoint)
        if bus is not None and events:
            lanes.published = asyncio.get_running_loop().create_task(
                _publish(lanes.published, bus, events)
            )
    finally:
        lanes.writer.release()


async def _publish(
    before: asyncio.Task[None] | None, bus: EventBus, events: list[DomainEvent]
) -> None:
    """Hand ``events`` (one committed batch's) to ``bus`` once the batches committed
    before have been handed over: events reach subscribers in commit order."""
    if before is not None:
        with contextlib.suppress(BaseException):
            await before
    await bus.publish(events)
