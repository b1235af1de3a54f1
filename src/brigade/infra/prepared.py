"""Prepared statements: a Core statement compiled once, run straight on the driver.

A statement executed through ``session.execute`` pays for SQLAlchemy's execution
machinery (execution context, parameter processing, result metadata, ``Row`` objects)
even when it is built once with bind parameters, many times what the driver itself
needs; on the hot path that machinery was most of a request's CPU (figures:
docs/performance.md, "Moved from docstrings"). A
:class:`Prepared` wraps a statement built on ``Model.__table__`` with ``bindparam(...)``
(the hot-path rule), compiles it once per dialect (and per shape, see below) to the
driver's SQL with positional parameters, and runs it on **the session's own driver
connection, inside the session's transaction**:

- the connection comes from ``await session.connection()`` then
  ``(await conn.get_raw_connection()).driver_connection`` (documented API);
- SQLite (:mod:`brigade.infra.sqlite_inline`): the ``sqlite3`` connection is called
  synchronously, in-loop. The ``sqlite3`` module begins the transaction implicitly before
  a DML statement, exactly as when SQLAlchemy drives it, and the session's commit or
  rollback ends it;
- PostgreSQL (asyncpg): SQLAlchemy's adapter begins its asyncpg transaction lazily, on
  its first statement. Before running, :class:`Prepared` checks the asyncpg connection's
  (public) ``is_in_transaction()``; when no transaction is open yet, the statement is
  run once through ``session.execute`` instead, which makes the adapter begin (and
  later commit or roll back) the transaction with no extra round trip; its rows are
  converted to the same named tuples. (The adapter's private ``_start_transaction()``
  would save SQLAlchemy's overhead on that one statement; it is not used.)

Values go in and come out exactly as through ``session.execute``: each parameter goes
through its bind parameter type's ``bind_processor`` and each result column through its
type's ``result_processor`` (``type.dialect_impl(dialect)``, public API), so
:class:`~brigade.infra.db.UTCDateTime` gives aware UTC datetimes, JSON is encoded and decoded,
booleans and dates are converted on SQLite. Rows are named tuples (``row.id``,
``row[0]``), a per-statement :func:`collections.namedtuple` class.

Shapes: an ``INSERT`` without ``.values()`` is compiled for the set of keys it is given
(columns with a scalar Python ``default`` that are not given get that default, as in
SQLAlchemy; a callable default is refused with ``ValueError``); an expanding
``bindparam(..., expanding=True)`` is compiled per list length (rendered with
SQLAlchemy's documented ``render_postcompile`` compile flag; an empty list raises
``ValueError``). :meth:`Prepared.fetchall_many` inserts several rows with RETURNING as
one multi-row ``INSERT ... VALUES (...), (...)`` compiled per row count.

**Every unit of work's session is a** :class:`PreparedSession`: its ``execute`` runs a
Core statement that it has run before (the services' module-level statements) through
:meth:`Prepared.result`, which answers as ``session.execute`` would (a ``Result`` of
``Row`` objects, SQLAlchemy's ``IntegrityError``/``DataError`` wrappers, the
``before_execute`` listeners called), so every route's statements take the short path
without a service choosing it. ORM statements, statements with options, the ORM's flush
and a statement's first run stay SQLAlchemy's.

The explicit methods (:meth:`Prepared.fetchall` and the others) raise the driver's own
errors (``sqlite3.Error``, ``asyncpg.PostgresError``), not SQLAlchemy's ``DBAPIError``
wrappers, so use them only for statements whose errors are bugs (500s), never for ones
the caller catches. It supports
the SQLite (``sqlite_inline``) and asyncpg drivers; with any other driver every
statement simply goes through ``session.execute``. The connection's
``before_cursor_execute`` listeners are called (``cursor`` and ``context`` are ``None``),
so statement-counting tests see these statements too; no other engine event fires and
``echo`` does not log them. Public SQLAlchemy API only, except
``Connection.dispatch`` (the event listener collection, to call those listeners); the
``sqlite3`` connection comes from :mod:`brigade.infra.sqlite_inline` (this project's shim).
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast
from weakref import WeakKeyDictionary

import asyncpg
from sqlalchemy import BindParameter, Delete, Dialect, Insert, Select, Update, bindparam, insert
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import IteratorResult, Result
from sqlalchemy.engine.result import SimpleResultMetaData
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable, ReturnsRows
from sqlalchemy.sql.schema import ColumnDefault, Table
from sqlalchemy.sql.visitors import iterate
from sqlalchemy.util import EMPTY_DICT

from brigade.infra.sqlite_inline import InlineConnection

_Processor = Callable[[Any], Any] | None


#: Where a hot-path service function runs its statements: the unit of work's session.
Executor = AsyncSession


def dialect_name(executor: Executor) -> str:
    """The database's dialect name (``"sqlite"``, ``"postgresql"``, ...) of ``executor``."""
    bind = executor.sync_session.bind  # an engine, or the connection it is bound to
    return str(bind.dialect.name) if bind is not None else str(executor.get_bind().dialect.name)


@dataclass(frozen=True, slots=True)
class _Compiled:
    """One compiled shape: driver SQL, how to build its positional parameters, and how
    to turn its result rows into named tuples."""

    sql: str
    #: per position: (parameter name, index in an expanding list or -1, bind processor)
    binds: tuple[tuple[str, int, _Processor], ...]
    #: values bound in the statement itself, and columns' scalar defaults (not given)
    defaults: Mapping[str, Any]
    result: tuple[_Processor, ...]
    row: Callable[[Iterable[Any]], tuple[Any, ...]] | None
    #: no expanding list among ``binds`` (then a plain list comprehension will do)
    plain: bool = False
    #: the result's keys, for :meth:`Prepared.result` (``None``: returns no rows)
    metadata: SimpleResultMetaData | None = None

    def positional(self, params: Mapping[str, Any]) -> list[Any]:
        """The positional parameters for ``params`` (names of the statement)."""
        if self.plain:
            try:
                return [params[n] if p is None else p(params[n]) for n, _, p in self.binds]
            except KeyError:
                pass  # a default or literal is needed, or a parameter is missing
        out: list[Any] = []
        for name, index, proc in self.binds:
            if name in params:
                value = params[name]
            elif name in self.defaults:
                value = self.defaults[name]
            else:
                raise KeyError(f"missing parameter {name!r}")
            if index >= 0:
                value = value[index]
            out.append(proc(value) if proc is not None else value)
        return out

    def values(self, raw: Iterable[Sequence[Any]]) -> list[Sequence[Any]]:
        """Result rows as tuples, each value through its result processor."""
        procs = self.result
        if not any(procs):
            return list(raw)
        return [
            tuple(p(v) if p is not None else v for p, v in zip(procs, r, strict=True)) for r in raw
        ]

    def rows(self, raw: Iterable[Sequence[Any]]) -> list[Any]:
        """Result rows as named tuples, each value through its result processor."""
        make = self.row
        assert make is not None  # noqa: S101 - callers check returns_rows first
        procs = self.result
        if not any(procs):
            return [make(r) for r in raw]
        return [
            make([p(v) if p is not None else v for p, v in zip(procs, r, strict=True)]) for r in raw
        ]


def _insert_defaults(stmt: ClauseElement, compiled: SQLCompiler) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for column in [*compiled.insert_prefetch, *compiled.update_prefetch]:
        default = column.default if isinstance(stmt, Insert) else column.onupdate
        if not isinstance(default, ColumnDefault) or not default.is_scalar:
            raise ValueError(f"column {column.key!r} has a non-scalar default; pass it explicitly")
        defaults[column.key] = default.arg
    return defaults


class Prepared:
    """A Core statement compiled once per dialect and shape, run on the driver directly.

    ``statement`` is built once at import, on ``Model.__table__``, with a ``bindparam``
    for every value (or, for an ``INSERT`` without ``.values()``, the column keys as
    parameter names). Parameters are passed as a dict of names to Python values, as to
    ``session.execute``. Results are lists of named tuples typed as SQLAlchemy would
    return them. Every method runs in the session's current transaction (see the module
    docstring) and raises the driver's own errors.
    """

    __slots__ = (
        "_cache",
        "_expanding",
        "_is_insert",
        "_many_plans",
        "_returns_rows",
        "implicit",
        "statement",
    )

    def __init__(self, statement: ClauseElement, *, implicit: bool = False) -> None:
        self.statement = statement
        #: made by :class:`PreparedSession` for a statement it ran (whose listeners see
        #: it), not built by a module as a :class:`Prepared`
        self.implicit = implicit
        self._returns_rows = isinstance(statement, ReturnsRows) and bool(
            getattr(statement, "exported_columns", ())
        )
        # an INSERT of given values (compiled per set of keys); not INSERT ... SELECT
        self._is_insert = isinstance(statement, Insert) and statement.select is None
        self._expanding = tuple(
            sorted(
                b.key
                for b in _bindparams(statement)
                if b.expanding  # ``expanding=True`` lists
            )
        )
        self._cache: dict[tuple[Any, ...], _Compiled] = {}
        self._many_plans: dict[tuple[Any, ...], tuple[tuple[int, str, _Processor], ...]] = {}

    # -- compiling --------------------------------------------------------------------

    def _shape(self, dialect: Dialect, params: Mapping[str, Any]) -> _Compiled:
        key: tuple[Any, ...] = (dialect.name,)
        if self._is_insert:
            key += (frozenset(params),)
        for name in self._expanding:
            key += (len(params[name]),)
        compiled = self._cache.get(key)
        if compiled is None:
            compiled = self._cache[key] = self._compile(dialect, params, self.statement)
        return compiled

    def _compile(
        self, dialect: Dialect, params: Mapping[str, Any], statement: ClauseElement
    ) -> _Compiled:
        kwargs: dict[str, Any] = {}
        if self._expanding:
            lengths = {name: len(params[name]) for name in self._expanding}
            if not all(lengths.values()):
                raise ValueError("an expanding parameter was given an empty list")
            # render_postcompile renders the lists from values bound in the statement;
            # placeholders only (values are passed at execution), so dummies will do.
            dummies: dict[str, Any] = {b.key: None for b in _bindparams(statement) if b.required}
            dummies.update({n: [0] * k for n, k in lengths.items()})
            statement = statement.params(dummies)
            kwargs["compile_kwargs"] = {"render_postcompile": True}
        if self._is_insert and params:
            kwargs["column_keys"] = list(params)
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect, **kwargs))
        if not compiled.positional or compiled.positiontup is None:
            raise NotImplementedError(f"dialect {dialect.name!r} is not positional")
        binds: list[tuple[str, int, _Processor]] = []
        literals: dict[str, Any] = {}
        for name in compiled.positiontup:
            index = -1
            base = name
            if name not in compiled.binds:
                base, _, number = name.rpartition("_")
                if base not in self._expanding:
                    raise ValueError(f"unexpected rendered parameter {name!r}")
                index = int(number) - 1
            bind = compiled.binds[base]
            if index < 0 and not bind.required and bind.callable is None:
                # a value bound in the statement itself (a literal such as ``x > 0``)
                literals[name] = bind.value
            type_ = bind.type.dialect_impl(dialect)
            binds.append((base, index, type_.bind_processor(dialect)))
        result: tuple[_Processor, ...] = ()
        row: Callable[[Iterable[Any]], tuple[Any, ...]] | None = None
        metadata: SimpleResultMetaData | None = None
        if self._returns_rows:
            columns = cast(ReturnsRows, self.statement).exported_columns
            result = tuple(
                c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
            )
            row_type: Any = namedtuple("PreparedRow", list(columns.keys()))  # type: ignore[misc]  # noqa: PYI024
            row = row_type._make
            metadata = SimpleResultMetaData(list(columns.keys()))
        return _Compiled(
            sql=compiled.string,
            binds=tuple(binds),
            defaults={**literals, **_insert_defaults(self.statement, compiled)},
            result=result,
            row=row,
            plain=all(index < 0 for _, index, _ in binds),
            metadata=metadata,
        )

    # -- running ----------------------------------------------------------------------

    async def _run(self, session: Executor, params: Mapping[str, Any], *, rows: bool) -> list[Any]:
        driver, dialect, sync = await _driver(session)
        shape = self._shape(dialect, params)
        if driver is None:  # the transaction's first statement: SQLAlchemy begins it
            return await self._through_sqlalchemy(session, shape, params, rows=rows)
        args = shape.positional(params)
        _announce(sync, shape.sql, args, many=False)
        if isinstance(driver, sqlite3.Connection):
            cursor = driver.execute(shape.sql, args)
            try:
                return shape.rows(cursor.fetchall()) if rows else []
            finally:
                cursor.close()
        if rows:
            return shape.rows(await driver.fetch(shape.sql, *args))
        await driver.execute(shape.sql, *args)
        return []

    async def fetchall(self, session: Executor, params: Mapping[str, Any]) -> list[Any]:
        """Every result row (named tuples), in the database's order."""
        self._require_rows()
        return await self._run(session, params, rows=True)

    async def fetchone(self, session: Executor, params: Mapping[str, Any]) -> Any | None:
        """The first result row, or ``None`` when there is none."""
        found = await self.fetchall(session, params)
        return found[0] if found else None

    async def scalar(self, session: Executor, params: Mapping[str, Any]) -> Any | None:
        """The first column of the first row, or ``None`` when there is no row."""
        row = await self.fetchone(session, params)
        return None if row is None else row[0]

    async def execute(self, session: Executor, params: Mapping[str, Any]) -> None:
        """Run the statement, discarding any rows (RETURNING rows are still fetched)."""
        await self._run(session, params, rows=self._returns_rows)

    async def executemany(self, session: Executor, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once per parameter dict in ``rows`` (same keys in each),
        with the driver's ``executemany``. No RETURNING: see :meth:`fetchall_many`."""
        if self._returns_rows:
            raise ValueError("executemany cannot return rows; use fetchall_many")
        if not rows:
            return
        driver, dialect, sync = await _driver(session)
        shape = self._shape(dialect, rows[0])
        if driver is None:  # the transaction's first statement: SQLAlchemy begins it
            await self._through_sqlalchemy(session, shape, rows, rows=False)
            return
        args = [shape.positional(r) for r in rows]
        _announce(sync, shape.sql, args, many=True)
        if isinstance(driver, sqlite3.Connection):
            driver.executemany(shape.sql, args).close()
        else:
            await driver.executemany(shape.sql, args)

    async def fetchall_many(
        self, session: Executor, rows: Sequence[Mapping[str, Any]]
    ) -> list[Any]:
        """Insert ``rows`` (same keys in each) as one multi-row ``INSERT ... RETURNING``
        and return the returned rows. Their order is the database's, not necessarily
        the order of ``rows`` (sort by the primary key, which increases in VALUES order).
        Only for an ``insert(table).returning(...)`` without ``.values()``."""
        self._require_rows()
        if not self._is_insert:
            raise ValueError("fetchall_many is for INSERT ... RETURNING statements")
        if not rows:
            return []
        driver, dialect, sync = await _driver(session)
        if driver is None:  # the transaction's first statement: SQLAlchemy begins it
            one = self._shape(dialect, rows[0])
            return await self._through_sqlalchemy(session, one, rows, rows=True)
        key = (dialect.name, "many", len(rows), frozenset(rows[0]))
        shape = self._cache.get(key)
        if shape is None:
            shape = self._cache[key] = self._compile_many(dialect, list(rows[0]), len(rows))
        plan = self._many_plans.get(key)
        if plan is None:  # parameter ``<key>_m<row>`` of each position, from its row
            plan = self._many_plans[key] = tuple(
                (int(number), base, proc)
                for name, _, proc in shape.binds
                for base, _, number in [name.rpartition("_m")]
            )
        args = [rows[i][k] if p is None else p(rows[i][k]) for i, k, p in plan]
        _announce(sync, shape.sql, args, many=False)
        if isinstance(driver, sqlite3.Connection):
            cursor = driver.execute(shape.sql, args)
            try:
                return shape.rows(cursor.fetchall())
            finally:
                cursor.close()
        return shape.rows(await driver.fetch(shape.sql, *args))

    async def _through_sqlalchemy(
        self,
        session: Executor,
        shape: _Compiled,
        params: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        *,
        rows: bool,
    ) -> list[Any]:
        """Run the statement with ``session.execute``: on asyncpg when no transaction is
        begun on the driver yet (SQLAlchemy's adapter begins it on this statement and
        will commit or roll it back), and always on other drivers. Rows come back as this
        statement's named tuples; SQLAlchemy has already processed their values."""
        result = await AsyncSession.execute(session, cast(Executable, self.statement), params)
        if not rows:
            return []
        make = shape.row
        assert make is not None  # noqa: S101 - rows=True only for row-returning statements
        return [make(tuple(r)) for r in result]

    def _compile_many(self, dialect: Dialect, keys: list[str], n: int) -> _Compiled:
        stmt = cast(Insert, self.statement)
        table = cast(Table, stmt.table)
        missing = [
            c.key
            for c in table.columns
            if c.key not in keys and c.default is not None and not c.primary_key
        ]
        if missing:
            raise ValueError(f"fetchall_many needs every defaulted column: {missing}")
        many = insert(table).values(
            [{k: bindparam(f"{k}_m{i}", type_=table.c[k].type) for k in keys} for i in range(n)]
        )
        many = many.returning(*stmt.exported_columns)
        compiled = Prepared(many)
        return compiled._compile(dialect, {}, many)

    def _require_rows(self) -> None:
        if not self._returns_rows:
            raise ValueError("the statement returns no rows")

    async def result(
        self,
        session: Executor,
        params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
    ) -> Result[Any]:
        """Run the statement as ``session.execute(statement, params)`` would, and answer
        what it would: a :class:`~sqlalchemy.engine.Result` of ``Row`` objects (with
        ``rowcount``), SQLAlchemy's ``DBAPIError`` subclasses for the driver's errors
        (SQLite's all, by class; PostgreSQL's integrity and data errors, SQLSTATE
        classes 23 and 22; any other driver error as it is, which
        :func:`brigade.infra.errors.unavailable_from` reads), and the connection's
        ``before_execute`` and ``before_cursor_execute`` listeners called.

        ``params``: a dict, ``None``, or a list of dicts (``executemany``, for a
        statement without RETURNING). Raises :class:`NotPreparable` before running
        anything when this statement or these parameters cannot be run prepared (the
        caller then uses ``session.execute``).
        """
        many = params is not None and not isinstance(params, Mapping)
        if many and (self._returns_rows or not params):
            raise NotPreparable("executemany with RETURNING, or of nothing")
        batch = cast(Sequence[Mapping[str, Any]], params) if many else ()
        one: Mapping[str, Any] = batch[0] if many else cast(Mapping[str, Any], params or EMPTY_DICT)
        driver, dialect, sync = await _driver(session)
        try:
            shape = self._shape(dialect, one)
            args: Any = [shape.positional(p) for p in batch] if many else shape.positional(one)
        except (ValueError, KeyError, NotImplementedError) as exc:
            raise NotPreparable(str(exc)) from exc
        if driver is None:  # the transaction's first statement: SQLAlchemy begins it
            return await AsyncSession.execute(session, cast(Executable, self.statement), params)
        if sync is not None and (listeners := sync.dispatch.before_execute):
            event_many, event_one = (list(batch), {}) if many else ([], one)
            for fn in listeners:
                fn(sync, self.statement, event_many, event_one, EMPTY_DICT)
        _announce(sync, shape.sql, args, many=many)
        values: list[Sequence[Any]] = []
        try:
            if isinstance(driver, sqlite3.Connection):
                cursor = (
                    driver.executemany(shape.sql, args) if many else driver.execute(shape.sql, args)
                )
                try:
                    if shape.metadata is not None:
                        values = shape.values(cursor.fetchall())
                    rowcount = cursor.rowcount
                finally:
                    cursor.close()
            elif many:
                await driver.executemany(shape.sql, args)
                rowcount = -1
            elif shape.metadata is not None:
                values = shape.values(await driver.fetch(shape.sql, *args))
                rowcount = len(values)
            else:
                status = await driver.execute(shape.sql, *args)
                last = str(status).rpartition(" ")[2]
                rowcount = int(last) if last.isdigit() else -1
        except (sqlite3.Error, asyncpg.PostgresError) as error:
            raise _sqlalchemy_error(error, shape.sql, args) from error
        result = _PreparedResult(shape.metadata or _NO_COLUMNS, iter(values))
        result.rowcount = rowcount
        return result


class NotPreparable(Exception):
    """This statement (or these parameters) cannot be run by :meth:`Prepared.result`."""


class _PreparedResult(IteratorResult[Any]):
    """A :meth:`Prepared.result`: rows already processed, and the driver's rowcount
    (``-1`` when it gave none: asyncpg's ``executemany``)."""

    rowcount: int = -1


_NO_COLUMNS = SimpleResultMetaData([])

#: PostgreSQL SQLSTATE classes whose errors a caller may catch, as SQLAlchemy's.
_POSTGRES_ERRORS: dict[str, type[sa_exc.DBAPIError]] = {
    "23": sa_exc.IntegrityError,
    "22": sa_exc.DataError,
}


def _sqlalchemy_error(error: Exception, sql: str, args: Any) -> Exception:
    """SQLAlchemy's wrapper of a driver error, as ``session.execute`` would raise it
    (``orig`` is the driver's error), or the error itself when no wrapper applies."""
    if isinstance(error, sqlite3.Error):
        return sa_exc.DBAPIError.instance(sql, args, error, sqlite3.Error)
    wrapper = _POSTGRES_ERRORS.get(str(getattr(error, "sqlstate", "") or "")[:2])
    return wrapper(sql, args, error) if wrapper is not None else error


#: Per statement object: ``False`` seen once, a :class:`Prepared` from its second run,
#: ``None`` never (not a Core statement, or not preparable).
_SEEN: WeakKeyDictionary[ClauseElement, Prepared | bool | None] = WeakKeyDictionary()
_UNSEEN: Any = object()


def _preparable(statement: Any) -> bool:
    """A Core ``SELECT``/``INSERT``/``UPDATE``/``DELETE`` (no ORM entity, no options of
    its own)."""
    if not isinstance(statement, Select | Insert | Update | Delete):
        return False
    if statement._propagate_attrs.get("compile_state_plugin") == "orm":
        return False
    return not statement.get_execution_options()


def prepared_for(statement: Any) -> Prepared | None:
    """The :class:`Prepared` of ``statement`` when it is a Core statement run before
    (a statement built once and run many times, as the services' module-level ones;
    one built per call is left to SQLAlchemy's compiled cache), else ``None``."""
    try:
        found = _SEEN.get(statement, _UNSEEN)
    except TypeError:  # not weakly referenceable
        return None
    if found is _UNSEEN:
        _SEEN[statement] = False if _preparable(statement) else None
        return None
    if found is False:
        found = _SEEN[statement] = Prepared(statement, implicit=True)
    return found if isinstance(found, Prepared) else None


def forget(statement: Any) -> None:
    """Never run ``statement`` prepared again (it raised :class:`NotPreparable`)."""
    _SEEN[statement] = None


class PreparedSession(AsyncSession):
    """The unit of work's session: ``execute`` of a Core statement it has run before
    goes through :meth:`Prepared.result` (compiled once, run on the driver, answered as
    SQLAlchemy would); anything else (ORM statements, options, the ORM's flush, a
    statement's first run) is SQLAlchemy's own ``execute``."""

    async def execute(
        self,
        statement: Executable,
        params: Any = None,
        *,
        execution_options: Mapping[str, Any] = EMPTY_DICT,
        bind_arguments: dict[str, Any] | None = None,
        **kw: Any,
    ) -> Result[Any]:
        """As :meth:`AsyncSession.execute`."""
        if not execution_options and bind_arguments is None and not kw:
            prepared = prepared_for(statement)
            if prepared is not None:
                try:
                    return await prepared.result(self, params)
                except NotPreparable:
                    forget(statement)
        return await super().execute(
            statement,
            params,
            execution_options=execution_options,
            bind_arguments=bind_arguments,
            **kw,
        )


def _announce(sync: Any, sql: str, args: Any, *, many: bool) -> None:
    """Tell the connection's ``before_cursor_execute`` listeners (if any) about a
    statement, as SQLAlchemy does; ``cursor`` and ``context`` are passed as ``None`` and
    a listener's return value is ignored (the statement cannot be rewritten)."""
    if sync is not None and (listeners := sync.dispatch.before_cursor_execute):
        for fn in listeners:
            fn(sync, None, sql, args, None, many)


def _bindparams(statement: ClauseElement) -> list[BindParameter[Any]]:
    return [e for e in iterate(statement) if isinstance(e, BindParameter)]


_DRIVER_KEY = "brigade.infra.prepared.driver"


async def _driver(session: Executor) -> tuple[Any, Dialect, Any]:
    """The session's driver connection (``sqlite3.Connection`` or asyncpg's), dialect
    and sync ``Connection``, with the session's transaction begun on the driver; or, on
    asyncpg when the driver's transaction is not begun yet, ``None`` for the driver (the
    caller then runs the statement through SQLAlchemy, which begins it).

    Pending ORM changes are flushed first, as ``session.execute`` does when the session
    autoflushes. The answer is remembered in ``session.info`` for the session's current
    transaction (a transaction keeps its connection; the next one looks it up again),
    which saves the greenlet hop of ``session.connection()`` on every statement.
    """
    sync_session = session.sync_session
    if sync_session.autoflush and (sync_session.new or sync_session.dirty or sync_session.deleted):
        await session.flush()  # as session.execute would (autoflush)
    transaction = sync_session.get_transaction()
    cached = session.info.get(_DRIVER_KEY)
    if (
        cached is not None
        and transaction is not None
        and cached[0] is transaction
        # inside ``begin_nested()`` the SAVEPOINT is taken when the nested transaction
        # first asks for its connection: ask, so that a rollback to it undoes this
        and not sync_session.in_nested_transaction()
    ):
        remembered: tuple[Any, Dialect, Any] = cached[1]
        return remembered
    conn = await session.connection()
    raw = (await conn.get_raw_connection()).driver_connection
    if raw is None:
        raise RuntimeError("the session's connection is closed")
    dialect = conn.dialect
    found: tuple[Any, Dialect, Any]
    if isinstance(raw, InlineConnection):
        found = raw.sqlite3_connection, dialect, conn.sync_connection
    elif dialect.driver == "asyncpg":
        if not raw.is_in_transaction():
            # SQLAlchemy's adapter begins its asyncpg transaction on its first
            # statement (and only then commits or rolls it back): let it run this one.
            return None, dialect, conn.sync_connection
        found = raw, dialect, conn.sync_connection
    else:
        # Another driver (e.g. asyncmy for MariaDB): plain session.execute, every time.
        return None, dialect, conn.sync_connection
    session.info[_DRIVER_KEY] = (sync_session.get_transaction(), found)
    return found
