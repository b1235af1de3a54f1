"""An in-loop SQLite driver for SQLAlchemy's ``aiosqlite`` dialect.

aiosqlite runs every call on a helper thread; SQLAlchemy makes about four such calls per
statement (open cursor, execute, fetch, close), and each hop between the event loop and
that thread costs more than the SQLite work itself (figures: docs/performance.md,
"Moved from docstrings").

Brigade's SQLite mode has one writer connection per process (a single writer), so
requests already take turns on it; running each of its ``sqlite3`` calls directly on the
event loop loses no concurrency and saves the hops. Two things stay off the loop: the
commit of a group commit, whose fsync runs in a worker thread
(:mod:`brigade.events.unit_of_work`), and long reads, which use reader connections of
aiosqlite's own threaded driver (:func:`brigade.infra.db.make_read_engine`).

The objects below present the part of aiosqlite's API that SQLAlchemy's
``AsyncAdapt_aiosqlite_connection`` uses, with coroutine methods that call ``sqlite3``
synchronously. The engine is created with
``create_async_engine(url, async_creator=...)``, the documented hook for supplying the
driver connection. A statement that waits on another process's write lock blocks the loop
for at most ``busy_timeout`` milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

BUSY_TIMEOUT_MS = 5000

logger = logging.getLogger(__name__)


class InlineCursor:
    """An aiosqlite-shaped cursor whose methods run ``sqlite3`` in the calling thread."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        self._cursor.execute(sql, parameters if parameters is not None else ())
        return self

    async def executemany(self, sql: str, seq_of_parameters: Iterable[Any]) -> InlineCursor:
        self._cursor.executemany(sql, seq_of_parameters)
        return self

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _ImmediateQueue:
    """Stands in for aiosqlite's work queue: runs the function at once."""

    __slots__ = ()

    def put_nowait(self, item: tuple[Any, Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:  # noqa: BLE001 - handed to the awaiting caller
            future.set_exception(exc)


class InlineConnection:
    """An aiosqlite-shaped connection over a ``sqlite3.Connection``, used in-loop."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn: sqlite3.Connection | None = connection
        self._tx = _ImmediateQueue()

    @property
    def _connection(self) -> sqlite3.Connection | None:
        return self._conn

    @property
    def sqlite3_connection(self) -> sqlite3.Connection:
        """The wrapped ``sqlite3`` connection (for :mod:`brigade.infra.prepared`); raises
        ``ValueError`` once closed."""
        return self._live()

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("no active connection")
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        return self._live().isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._live().cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        cursor = self.cursor()
        return await cursor.execute(sql, parameters)

    async def commit(self) -> None:
        self._live().commit()

    async def rollback(self) -> None:
        self._live().rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._live().create_function(*args, **kwargs)

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def stop(self) -> None:
        """Close at once (SQLAlchemy's terminate)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def creator(path: str) -> Callable[[], Any]:
    """An ``async_creator`` for ``create_async_engine`` opening ``path`` in-loop."""

    async def connect() -> InlineConnection:
        connection = sqlite3.connect(
            path,
            check_same_thread=False,
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
        return InlineConnection(connection)

    return connect


class BackgroundCheckpointer:
    """Copies the WAL back into the SQLite database file from a worker thread.

    SQLite's automatic checkpoint runs inside the ``COMMIT`` that crosses the WAL's size
    threshold, and writes and fsyncs the database file there; with the in-loop driver
    that stalls every request for its duration (a p99 figure: docs/performance.md). A server
    therefore turns them off on its connection (``PRAGMA wal_autocheckpoint=0``) and runs
    this instead: every ``interval`` seconds a ``PRAGMA wal_checkpoint(PASSIVE)`` on a
    connection of its own, in a thread. A passive checkpoint never waits for readers or
    writers (https://www.sqlite.org/pragma.html#pragma_wal_checkpoint), so it cannot
    block the server.

    The WAL starts over from its beginning only when a writer finds every frame in it
    copied; under a steady stream of writes a checkpoint in another thread never gets
    there (new frames arrive while it copies), and the WAL grew without end, every
    commit and page lookup slower as it grew (docs/performance.md). So after each
    background checkpoint :attr:`tail_due` is
    set, and the server's own connection, when it is next given back to the pool between
    transactions, copies the few frames written meanwhile (:func:`checkpoint_tail`, a
    passive checkpoint in the loop: ~1 ms, about once per ``interval``); the next write
    then starts the WAL over.
    """

    def __init__(self, path: str, interval: float = 1.0) -> None:
        self.path = path
        self.interval = interval
        self._task: asyncio.Task[None] | None = None
        self.checkpoints = 0
        #: Set after a background checkpoint; cleared by :func:`checkpoint_tail`.
        self.tail_due = False
        self.tails = 0

    def start(self) -> None:
        """Begin checkpointing in the running event loop."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="sqlite-checkpointer")

    async def stop(self) -> None:
        """Stop, after one last checkpoint."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _run(self) -> None:
        connection = await asyncio.to_thread(
            sqlite3.connect, self.path, check_same_thread=False, timeout=0
        )
        try:
            while True:
                await asyncio.sleep(self.interval)
                await asyncio.to_thread(self._checkpoint, connection)
        finally:
            await asyncio.shield(asyncio.to_thread(self._checkpoint, connection))
            connection.close()

    def _checkpoint(self, connection: sqlite3.Connection) -> None:
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.checkpoints += 1
            self.tail_due = True
        except sqlite3.Error:
            logger.exception("background WAL checkpoint of %s failed", self.path)


def disable_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
    """A ``connect`` listener turning SQLite's automatic WAL checkpoints off."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()


def checkpoint_tail(checkpointer: BackgroundCheckpointer, dbapi_connection: Any) -> None:
    """A pool ``checkin`` step for the server's SQLite connection: when a background
    checkpoint has run since the last call (:attr:`BackgroundCheckpointer.tail_due`) and
    the connection is between transactions, copy what is left of the WAL with a passive
    checkpoint on it (in the loop), so the next write starts the WAL over."""
    if not checkpointer.tail_due:
        return
    connection = getattr(dbapi_connection, "driver_connection", dbapi_connection)
    lite = connection.sqlite3_connection if isinstance(connection, InlineConnection) else None
    if lite is None or lite.in_transaction:
        return
    checkpointer.tail_due = False
    try:
        lite.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        checkpointer.tails += 1
    except sqlite3.Error:
        logger.exception("WAL tail checkpoint of %s failed", checkpointer.path)
