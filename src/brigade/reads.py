"""Long reads off the writer: the session of a report, an export or a list over a year.

:data:`ReadSessionDep` gives a route a session of
:attr:`brigade.infra.db.Database.read_sessionmaker`:
on a SQLite file one of a few read-only connections whose ``sqlite3`` calls run on the
driver's thread, so the event loop (and the one writer connection) keeps serving while
the read runs; on PostgreSQL a connection of a small read-only pool of its own, so long
reads never hold the writers' connections. The session is never committed and records
no events: a route that writes takes :data:`~brigade.session.SessionDep`.

What a read session sees: every transaction committed before it began (a write's
answer is sent after its commit, so a request made after an answer sees that write),
as one snapshot for the whole session. Tests bind ``read_sessionmaker`` to their
connection like ``sessionmaker`` (``tests/conftest.py``).

The route's access check (``ReportsRead``, ...) still runs on the request's writer
session, cached per process. When that check had to query, the writer session would
keep its writer connection until the route returns, that is for the whole long read
(on SQLite the one writer connection of the process); :func:`get_read_session` ends
the writer session's transaction first when it wrote nothing, which gives the
connection back to the other requests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.events.unit_of_work import end_if_read_only
from brigade.infra.prepared import dialect_name
from brigade.infra.sqlite_inline import InlineConnection
from brigade.runtime import get_runtime
from brigade.session import SessionDep

__all__ = ["ReadSessionDep", "get_read_session", "release_read_only_writer"]

#: True while the current PostgreSQL transaction has written nothing (PostgreSQL 13+).
_PG_NOTHING_WRITTEN = text("SELECT pg_current_xact_id_if_assigned() IS NULL")


async def release_read_only_writer(session: AsyncSession) -> bool:
    """End ``session``'s transaction when it only read: it holds no ORM changes and the
    database says the transaction wrote nothing (SQLite's group commit:
    :func:`brigade.events.unit_of_work.end_if_read_only`; a SQLite connection of its
    own: no transaction open, the driver opens one before the first write; PostgreSQL:
    no transaction id was assigned, one round trip). Ending it (a commit of nothing) gives
    its connection back to the pool; a later statement of the session takes one again.

    Returns whether it did. A session not in a transaction, one that wrote or has
    pending changes, or one on another database is left as it is (``False``).
    """
    grouped = await end_if_read_only(session)
    if grouped is not None:
        return grouped
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return False
    dialect = dialect_name(session)
    if dialect == "sqlite":
        raw = await (await session.connection()).get_raw_connection()
        driver = raw.driver_connection
        if not isinstance(driver, InlineConnection) or driver.sqlite3_connection.in_transaction:
            return False
    elif dialect == "postgresql":
        if not await session.scalar(_PG_NOTHING_WRITTEN):
            return False
    else:
        return False
    await session.commit()
    return True


async def get_read_session(request: Request, writer: SessionDep) -> AsyncIterator[AsyncSession]:
    """A read-only session for one request (see the module's docstring), closed when
    the route returns. Declare it after the route's access dependency, so that the
    writer session's read of the access check is released first
    (:func:`release_read_only_writer`)."""
    await release_read_only_writer(writer)
    async with get_runtime(request).db.read_sessionmaker() as session:
        yield session


#: The read session of a long read: ``session: ReadSessionDep``.
ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session, scope="function")]
