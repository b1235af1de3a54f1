"""Database plumbing: declarative base, column types, engine and unit of work.

Every context's ``models.py`` subclasses :class:`Base`. Constraint names follow
:data:`NAMING_CONVENTION` so migrations are stable across SQLite, PostgreSQL and MariaDB.
SQLite runs with one connection (a single writer): several writer connections wait on
SQLite's file lock with p99 above a second, one writer does not (DESIGN.md, "Speed").
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, DateTime, Dialect, Integer, MetaData, event, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import greenlet_spawn

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from brigade.events.bus import EventBus
    from brigade.prepared import DriverTransaction, Executor
    from brigade.sqlite_inline import BackgroundCheckpointer

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Connections per worker process to a database server (PostgreSQL) by default
#: (``BRIGADE_DATABASE_POOL_SIZE``); a request that finds all in use waits for one (up
#: to 30 s).
POOL_SIZE = 24

#: Integer primary keys: BIGINT on servers, INTEGER (the rowid alias) on SQLite.
IdType = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base of every Brigade table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware (UTC).

    Raises ``ValueError`` when given a naive datetime: every time in Brigade is aware.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Brigade stores aware UTC times")
        value = value.astimezone(UTC)
        if dialect.name in {"sqlite", "mysql", "mariadb"}:
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class EncodedJSON:
    """A value for a ``JSON`` column that is already JSON text (``text``), written as
    is instead of being encoded again: for a document the caller also sends elsewhere
    (order placement encodes its answer once for the response, the idempotency record
    and the event). Read back, the column gives the decoded value, as for any other."""

    text: str


def json_serializer(value: Any) -> str:
    """The engines' ``json_serializer``: :class:`EncodedJSON` as its text, anything
    else as ``json.dumps`` (SQLAlchemy's default) encodes it."""
    if isinstance(value, EncodedJSON):
        return value.text
    return json.dumps(value)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str, *, echo: bool = False, pool_size: int = POOL_SIZE) -> AsyncEngine:
    """Create the async engine for ``url``.

    SQLite gets one pooled connection (the single writer), WAL, and the in-loop driver of
    :mod:`brigade.sqlite_inline`; servers get a pool of ``pool_size`` connections and no
    overflow, pinged at checkout (see :func:`_pinger`).
    """
    if url.startswith("sqlite"):
        from brigade.sqlite_inline import creator

        engine = create_async_engine(
            url,
            echo=echo,
            poolclass=AsyncAdaptedQueuePool,
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            async_creator=creator(make_url(url).database or ":memory:"),
            json_serializer=json_serializer,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # Every connection a worker needs under load stays open: a connection beyond
    # ``pool_size`` (overflow) is closed when it comes back while ``pool_size`` others
    # are idle, and under bursts (a batch of order placements finishing at once) that
    # meant opening and closing backends all the time (docs/performance.md).
    engine = create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=30,
        json_serializer=json_serializer,
    )
    event.listen(engine.sync_engine, "checkout", _pinger(engine.dialect))
    return engine


#: Reader connections per worker process (:func:`make_read_engine`): long reads
#: (reports, lists over a year) beyond this many at once wait for one (up to 60 s).
READ_POOL_SIZE = 3


def _sqlite_reader_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # No implicit transactions from the driver: the "begin" listener below starts one
    # (BEGIN DEFERRED), so every statement of a read session sees one snapshot.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def make_read_engine(
    url: str, *, echo: bool = False, pool_size: int = READ_POOL_SIZE
) -> AsyncEngine | None:
    """An engine for long reads beside :func:`make_engine`'s, or ``None`` when the
    database cannot have one (in-memory SQLite: the only connection is the writer's).

    SQLite file: ``pool_size`` connections through aiosqlite's own driver, so every
    ``sqlite3`` call runs on the driver's thread, off the event loop (``sqlite3`` lets
    go of the GIL while SQLite works); ``PRAGMA query_only=ON`` (a write raises
    ``OperationalError``); each transaction one snapshot (``BEGIN``), read beside the
    writer under WAL. Servers: a pool of its own of ``pool_size`` connections (no
    overflow, pinged at checkout) whose transactions are REPEATABLE READ (one snapshot)
    and read-only (asyncpg and psycopg: ``default_transaction_read_only``), so that
    long reads wait for each other, never for or instead of the writers' connections.
    """
    if url.startswith("sqlite"):
        parsed = make_url(url)
        if parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory":
            return None
        engine = create_async_engine(
            parsed.set(drivername="sqlite+aiosqlite"),
            echo=echo,
            poolclass=AsyncAdaptedQueuePool,
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=60,
            json_serializer=json_serializer,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_reader_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    driver = make_url(url).get_driver_name()
    connect_args: dict[str, Any] = {}
    if driver == "asyncpg":
        connect_args = {"server_settings": {"default_transaction_read_only": "on"}}
    elif driver == "psycopg":
        connect_args = {"options": "-c default_transaction_read_only=on"}
    return create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=60,
        pool_pre_ping=True,
        isolation_level="REPEATABLE READ",
        connect_args=connect_args,
        json_serializer=json_serializer,
    )


#: Set while :func:`driver_unit_of_work` checks a connection out: it is not pinged.
_UNPINGED: ContextVar[bool] = ContextVar("brigade.db.unpinged", default=False)


def _pinger(dialect: Dialect) -> Callable[[Any, Any, Any], None]:
    """A pool ``checkout`` listener doing what ``pool_pre_ping=True`` does (a connection
    that fails a ping is replaced: SQLAlchemy's documented ``DisconnectionError``
    protocol), except for the checkouts of :func:`driver_unit_of_work`.

    On PostgreSQL the ping costs three round trips (asyncpg: ``BEGIN``, ``;``,
    ``ROLLBACK``), about 100 µs of CPU per checkout on this machine; a driver unit of
    work begins its transaction itself, and a connection that fails that ``BEGIN`` is
    replaced there instead, the same protection for no extra round trip.
    """

    def ping(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if _UNPINGED.get():
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError(str(error)) from error

    return ping


#: Seconds between two background WAL checkpoints of a SQLite server. A short interval
#: keeps the WAL small, which every statement's page lookup and every commit feel:
#: ``python -m bench.order_create sqlite --orders 3000`` (16 clients, alternating runs)
#: gave p99 29.5-32.7 ms and 0.77 ms of CPU per order at 1 s, 20.9-26.2 ms and
#: 0.59-0.70 ms at 0.2 s (0.1 s and 0.05 s: no better than 0.2 s).
CHECKPOINT_INTERVAL_SECONDS = 0.2


class Database:
    """The engines and the session factories of one process.

    ``sessionmaker`` may be replaced (tests bind it to a connection inside an outer
    transaction); everything that writes, and every read of a write, goes through it.
    ``read_sessionmaker`` makes the sessions of long reads (:mod:`brigade.reads`) on
    ``read_engine`` (:func:`make_read_engine`), or on ``engine`` when there is none
    (in-memory SQLite); it may be replaced the same way.
    """

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        pool_size: int = POOL_SIZE,
        read_pool_size: int = READ_POOL_SIZE,
    ) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo, pool_size=pool_size)
        self.sessionmaker: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False
        )
        self.read_engine = make_read_engine(url, echo=echo, pool_size=read_pool_size)
        self.read_sessionmaker: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.read_engine or self.engine, expire_on_commit=False, autoflush=False
        )
        self._checkpointer: BackgroundCheckpointer | None = None
        self._sequence_locks: dict[int, asyncio.Lock] = {}

    def sequence_lock(self, restaurant_id: int) -> asyncio.Lock:
        """The in-process lock taken while a transaction numbers the restaurant's events
        and commits (see :func:`unit_of_work`)."""
        lock = self._sequence_locks.get(restaurant_id)
        if lock is None:
            lock = self._sequence_locks[restaurant_id] = asyncio.Lock()
        return lock

    async def start(self, *, checkpoint_interval: float = CHECKPOINT_INTERVAL_SECONDS) -> None:
        """Start a server's background work: on a SQLite file, WAL checkpoints move off
        the event loop, every ``checkpoint_interval`` seconds
        (:class:`brigade.sqlite_inline.BackgroundCheckpointer`)."""
        from brigade.sqlite_inline import (
            BackgroundCheckpointer,
            checkpoint_tail,
            disable_autocheckpoint,
        )

        path = make_url(self.url).database if self.url.startswith("sqlite") else None
        if not path or path == ":memory:" or self._checkpointer is not None:
            return
        event.listen(self.engine.sync_engine, "connect", disable_autocheckpoint)
        await self.engine.dispose()  # the next connection is made with the listener
        checkpointer = self._checkpointer = BackgroundCheckpointer(path, checkpoint_interval)
        event.listen(
            self.engine.sync_engine,
            "checkin",
            lambda dbapi_connection, _record: checkpoint_tail(checkpointer, dbapi_connection),
        )
        checkpointer.start()

    @property
    def driver_transactions(self) -> bool:
        """Whether :func:`driver_unit_of_work` can run on this database: SQLite (the
        in-loop driver) and PostgreSQL through asyncpg; other drivers use sessions."""
        return self.engine.dialect.name == "sqlite" or self.engine.dialect.driver == "asyncpg"

    @property
    def checkpointer(self) -> BackgroundCheckpointer | None:
        """The running WAL checkpointer (SQLite file after :meth:`start`), else ``None``."""
        return self._checkpointer

    async def dispose(self) -> None:
        """Stop background work and close every pooled connection (readers' too)."""
        if self._checkpointer is not None:
            await self._checkpointer.stop()
            self._checkpointer = None
        if self.read_engine is not None:
            await self.read_engine.dispose()
        await self.engine.dispose()


@asynccontextmanager
async def unit_of_work(db: Database, bus: EventBus | None) -> AsyncIterator[AsyncSession]:
    """One transaction: commit on success, roll back on any error, then announce.

    Services only ``flush()``; this is the one commit point for HTTP requests, Socket.IO
    commands and CLI jobs alike. The domain events recorded in the outbox during the
    transaction (:func:`brigade.events.outbox.record`) are handed to ``bus`` only after the
    commit succeeded, so nothing is announced that was not committed.

    Numbering the events takes the restaurant's sequence row lock until the commit. The
    requests of one process that are about to do so wait their turn on an
    :class:`asyncio.Lock` per restaurant (:meth:`Database.sequence_lock`) instead, so
    each number-and-commit runs without the others holding database connections in a
    row-lock queue (on PostgreSQL, 10 of 16 connections were seen waiting there, with
    p99 of order placement at 150-300 ms).
    """
    from brigade.events.outbox import take_pending

    async with db.sessionmaker() as session:
        try:
            yield session
            await _number_and_commit(db, session, session.commit)
        except BaseException:
            await session.rollback()
            raise
        pending = take_pending(session)
    if bus is not None and pending:
        await bus.publish(pending)


async def _number_and_commit(
    db: Database, executor: Executor, commit: Callable[[], Awaitable[None]]
) -> None:
    """Number the events queued in ``executor`` and write them to the outbox, then
    ``commit()``, under the sequence locks of their restaurants (ascending ids)."""
    from brigade.events.outbox import number_queued, queued_restaurants

    async with contextlib.AsyncExitStack() as held:
        for restaurant_id in queued_restaurants(executor):
            await held.enter_async_context(db.sequence_lock(restaurant_id))
        await number_queued(executor)
        await commit()


@asynccontextmanager
async def driver_unit_of_work(
    db: Database, bus: EventBus | None
) -> AsyncIterator[DriverTransaction]:
    """:func:`unit_of_work` without an ORM session: one transaction straight on a driver
    connection (:class:`brigade.prepared.DriverTransaction`), for code that runs only
    :class:`~brigade.prepared.Prepared` statements (the order-placement fast path).

    The same rules: commit on success, roll back on any error; queued events numbered
    and written under the restaurant's sequence lock right before the commit and handed
    to ``bus`` after it.

    The connection comes from the session factory's bind. Normally that is the engine:
    its pool's connection is checked out without a ping and back in at the end
    (``engine.raw_connection()``; no SQLAlchemy ``Connection``, so no engine events fire
    and ``echo`` is silent); SQLite begins the transaction implicitly at its first write
    (as under a session), PostgreSQL with ``BEGIN`` (asyncpg's ``Transaction``), and a
    connection that fails its ``BEGIN`` is dropped from the pool and replaced once. When
    ``db.sessionmaker`` is bound to a connection (tests' outer transaction), that
    connection is used in a SAVEPOINT, as a session with
    ``join_transaction_mode="create_savepoint"`` would, and its
    ``before_cursor_execute`` listeners hear every statement.

    Raises ``RuntimeError`` for a database without :attr:`Database.driver_transactions`.
    """
    from brigade.events.outbox import take_pending
    from brigade.prepared import DriverTransaction
    from brigade.sqlite_inline import InlineConnection

    if not db.driver_transactions:
        raise RuntimeError(f"no driver transactions on {db.engine.dialect.name}")
    bound = db.sessionmaker.kw.get("bind")
    commit: Callable[[], Awaitable[None]]
    rollback: Callable[[], Awaitable[None]]
    fairy: Any = None
    if isinstance(bound, AsyncConnection):
        savepoint = await bound.begin_nested()
        commit, rollback = savepoint.commit, savepoint.rollback
        raw = (await bound.get_raw_connection()).driver_connection
        driver = raw.sqlite3_connection if isinstance(raw, InlineConnection) else raw
        tx = DriverTransaction(driver, bound.dialect, bound.sync_connection)
    else:
        fairy, driver, commit, rollback = await _begin_on_pool(db)
        tx = DriverTransaction(driver, db.engine.dialect, None)
    try:
        try:
            yield tx
            await _number_and_commit(db, tx, commit)
        except BaseException:
            with contextlib.suppress(Exception):  # the first error is the one to report
                await rollback()
            raise
    finally:
        if fairy is not None:
            await greenlet_spawn(fairy.close)  # back to the pool (its reset may await)
    pending = take_pending(tx)
    if bus is not None and pending:
        await bus.publish(pending)


@asynccontextmanager
async def driver_autocommit(db: Database) -> AsyncIterator[DriverTransaction]:
    """A PostgreSQL (asyncpg) connection from the pool in autocommit mode, as a
    :class:`~brigade.prepared.DriverTransaction` with no transaction begun: each
    statement commits on its own, so a single statement that does a whole write (order
    placement's, :mod:`brigade.orders.placement`) costs one round trip and holds its
    row locks only inside the server. Such a statement's caller hands the events it
    numbered and wrote to the bus itself (:mod:`brigade.orders.placement`).

    The connection is checked out without SQLAlchemy's ping and back in at the end, as
    in :func:`driver_unit_of_work`; one idle for over :data:`IDLE_PING_SECONDS` is
    pinged first, and one the server closed is replaced once; an error that shows the
    connection is dead drops it from the pool instead of giving it back. When
    ``db.sessionmaker`` is bound to a connection (tests' outer transaction), that
    connection is used in a SAVEPOINT, released at the end (rolled back on an error).

    Raises ``RuntimeError`` unless the database is PostgreSQL through asyncpg.
    """
    from brigade.prepared import DriverTransaction

    if db.engine.dialect.name != "postgresql" or not db.driver_transactions:
        raise RuntimeError(f"no autocommit driver connections on {db.engine.dialect.name}")
    bound = db.sessionmaker.kw.get("bind")
    if isinstance(bound, AsyncConnection):
        savepoint = await bound.begin_nested()
        raw = (await bound.get_raw_connection()).driver_connection
        tx = DriverTransaction(raw, bound.dialect, bound.sync_connection)
        try:
            yield tx
        except BaseException:
            with contextlib.suppress(Exception):
                await savepoint.rollback()
            raise
        await savepoint.commit()
    else:
        tx = await _autocommit_from_pool(db)
        fairy = tx.info.pop(_FAIRY_KEY)
        try:
            yield tx
        except BaseException as error:
            if _broken(error):  # never give a dead connection back to the pool
                fairy.invalidate()
            raise
        finally:
            fairy.info[_LAST_USED_KEY] = time.monotonic()
            await greenlet_spawn(fairy.close)


_FAIRY_KEY = "brigade.pool_connection"
_LAST_USED_KEY = "brigade.last_used"
#: An autocommit connection idle in the pool for longer than this (seconds) is pinged
#: before use: after a server restart every pooled connection has been idle that long.
IDLE_PING_SECONDS = 1.0


def _broken(error: BaseException) -> bool:
    """Whether ``error`` means the asyncpg connection itself is unusable."""
    import asyncpg

    return isinstance(
        error,
        asyncpg.ConnectionDoesNotExistError
        | asyncpg.InterfaceError
        | asyncpg.InternalClientError
        | ConnectionError,
    )


async def _autocommit_from_pool(db: Database) -> DriverTransaction:
    """A pooled asyncpg connection as a :class:`DriverTransaction` (its pool connection
    in ``info``): pinged only after :data:`IDLE_PING_SECONDS` idle (under load never),
    and replaced once when the server closed it."""
    from brigade.prepared import DriverTransaction

    for attempt in (1, 2):
        reset = _UNPINGED.set(True)
        try:
            fairy = await db.engine.raw_connection()
        finally:
            _UNPINGED.reset(reset)
        raw = fairy.driver_connection
        if raw is not None and not raw.is_closed():
            idle = time.monotonic() - fairy.info.get(_LAST_USED_KEY, 0.0)
            if idle < IDLE_PING_SECONDS:
                break
            try:
                await raw.fetchval("SELECT 1")
                break
            except Exception as error:
                if not _broken(error):
                    await greenlet_spawn(fairy.close)  # back to the pool, then the error
                    raise
        fairy.invalidate()  # the server closed it (restart, idle timeout): replace it
        await greenlet_spawn(fairy.close)
        if attempt == 2:
            raise RuntimeError("the pool gave a closed connection twice")
    tx = DriverTransaction(raw, db.engine.dialect, None)
    tx.info[_FAIRY_KEY] = fairy
    return tx


async def _begin_on_pool(
    db: Database,
) -> tuple[Any, Any, Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]]:
    """A pooled connection, unpinged, with its transaction begun (see
    :func:`driver_unit_of_work`): ``(pool connection, driver connection, commit,
    rollback)``."""
    from brigade.sqlite_inline import InlineConnection

    for attempt in (1, 2):
        reset = _UNPINGED.set(True)
        try:
            fairy = await db.engine.raw_connection()
        finally:
            _UNPINGED.reset(reset)
        raw = fairy.driver_connection
        if raw is None:
            raise RuntimeError("the pool gave a closed connection")
        if isinstance(raw, InlineConnection):
            lite = raw.sqlite3_connection
            return fairy, lite, _awaitable(lite.commit), _awaitable(lite.rollback)
        try:
            pg = raw.transaction()  # raises at once if asyncpg saw the socket close
            await pg.start()
        except Exception:
            # a connection the server closed (restart, idle timeout): replace it once,
            # as the ping at checkout would have
            fairy.invalidate()
            await greenlet_spawn(fairy.close)
            if attempt == 2:
                raise
            continue
        return fairy, raw, pg.commit, pg.rollback
    raise AssertionError("unreachable")  # pragma: no cover


def _awaitable(fn: Callable[[], None]) -> Callable[[], Awaitable[None]]:
    """``fn`` (a synchronous call, e.g. ``sqlite3``'s commit) as a coroutine function."""

    async def run() -> None:
        fn()

    return run
