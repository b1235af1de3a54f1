"""Database plumbing: declarative base, column types, engines and connections.

Every context's ``models.py`` subclasses :class:`Base`. Constraint names follow
:data:`NAMING_CONVENTION` so migrations are stable across SQLite, PostgreSQL and MariaDB.
SQLite runs with one writer connection (a single writer): several writer connections
wait on SQLite's file lock, one writer does not (DESIGN.md, "Speed"); long reads get
reader connections of their own (:func:`make_read_engine`).
Transactions, events and commits are the unit of work's (:mod:`brigade.events.unit_of_work`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, DateTime, Dialect, Integer, MetaData, event, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.types import TypeDecorator

from brigade.infra.prepared import PreparedSession

if TYPE_CHECKING:
    from brigade.infra.sqlite_inline import BackgroundCheckpointer

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
    # FULL: a commit returns once its WAL frames are on disk, so what was answered
    # survives a power cut (NORMAL only survives the process dying); group commit
    # (brigade.events.unit_of_work) shares that fsync between the writes of a batch.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str, *, echo: bool = False, pool_size: int = POOL_SIZE) -> AsyncEngine:
    """Create the async engine for ``url``.

    SQLite gets one pooled connection (the single writer), WAL, and the in-loop driver of
    :mod:`brigade.infra.sqlite_inline`; servers get a pool of ``pool_size`` connections and no
    overflow, pinged at checkout (see :func:`_pinger`).
    """
    if url.startswith("sqlite"):
        from brigade.infra.sqlite_inline import creator

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
    # are idle, and under bursts (many requests finishing at once) that
    # meant opening and closing backends all the time (docs/performance.md).
    engine = create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=30,
        json_serializer=json_serializer,
    )
    checkout, checkin = _pinger(engine.dialect)
    event.listen(engine.sync_engine, "checkout", checkout)
    event.listen(engine.sync_engine, "checkin", checkin)
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


#: A pooled connection idle for longer than this (seconds) is pinged before it is used:
#: after a server restart every pooled connection has been idle that long. Under load a
#: connection is never idle that long, so a request pays no ping (on PostgreSQL a ping
#: is three round trips).
IDLE_PING_SECONDS = 1.0
_LAST_USED = "brigade.last_used"


def _pinger(dialect: Dialect) -> tuple[Callable[..., None], Callable[..., None]]:
    """A pool's ``checkout`` and ``checkin`` listeners doing what ``pool_pre_ping=True``
    does (a connection that fails a ping is replaced: SQLAlchemy's documented
    ``DisconnectionError`` protocol), for connections idle longer than
    :data:`IDLE_PING_SECONDS` only."""

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get(_LAST_USED, 0.0) < IDLE_PING_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError(str(error)) from error

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_LAST_USED] = time.monotonic()

    return checkout, checkin


#: Seconds between two background WAL checkpoints of a SQLite server. A short interval
#: keeps the WAL small, which every statement's page lookup and every commit feel;
#: 0.2 s was measured better than 1 s, and shorter no better (docs/performance.md).
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
            self.engine, class_=PreparedSession, expire_on_commit=False
        )
        self.read_engine = make_read_engine(url, echo=echo, pool_size=read_pool_size)
        self.read_sessionmaker: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.read_engine or self.engine,
            class_=PreparedSession,
            expire_on_commit=False,
            autoflush=False,
        )
        self._checkpointer: BackgroundCheckpointer | None = None

    async def start(self, *, checkpoint_interval: float = CHECKPOINT_INTERVAL_SECONDS) -> None:
        """Start a server's background work: on a SQLite file, WAL checkpoints move off
        the event loop, every ``checkpoint_interval`` seconds
        (:class:`brigade.infra.sqlite_inline.BackgroundCheckpointer`)."""
        from brigade.infra.sqlite_inline import (
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
