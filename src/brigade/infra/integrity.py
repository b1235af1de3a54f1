"""Unique constraints that answer 409 even when two requests race.

Admin CRUD checks a unique value (a SKU, a table name) with a SELECT before it writes,
which gives the right problem in the common case. Two concurrent requests can both pass
that check; the second then hits the database's unique constraint. :func:`unique_guard`
runs the write inside a SAVEPOINT and turns the violation of *that* constraint into the
domain's :class:`~brigade.infra.errors.BrigadeError` (a 409), so the rest of the transaction
survives and any other integrity error still surfaces as the bug it is (a 500).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy import Table, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.infra.errors import BrigadeError


def unique_constraint(table: Table, name: str) -> UniqueConstraint:
    """The unique constraint ``name`` of ``table`` (its name under the naming convention,
    as in the migration). Raises ``LookupError`` when the table has no such constraint:
    a typo must fail at import, not on the first race."""
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint) and constraint.name == name:
            return constraint
    raise LookupError(f"table {table.name} has no unique constraint {name}")


def violates(exc: IntegrityError, constraint: UniqueConstraint) -> bool:
    """Whether ``exc`` is a violation of ``constraint`` (and not of another constraint).

    PostgreSQL drivers name the constraint (asyncpg's ``constraint_name``, psycopg's
    ``diag.constraint_name``, or the quoted name in the message); SQLite names its
    columns (``UNIQUE constraint failed: t.a, t.b``).
    """
    name = str(constraint.name)
    error: BaseException | None = exc.orig
    seen = 0
    while error is not None and seen < 4:  # the DBAPI error and the driver's cause
        found = getattr(error, "constraint_name", None)
        diag = getattr(error, "diag", None)
        if found is None and diag is not None:
            found = getattr(diag, "constraint_name", None)
        if found is not None:
            return bool(found == name)
        error = error.__cause__
        seen += 1
    message = str(exc.orig)
    if f'"{name}"' in message or f"'{name}'" in message:
        return True
    table = constraint.table.name
    columns = ", ".join(f"{table}.{column.name}" for column in constraint.columns)
    return message.strip() == f"UNIQUE constraint failed: {columns}"


@asynccontextmanager
async def unique_guard(
    session: AsyncSession, constraint: UniqueConstraint, error: Callable[[], BrigadeError]
) -> AsyncIterator[None]:
    """Run the block (the writes and their ``flush()``) inside a SAVEPOINT; when it
    violates ``constraint``, roll back to the savepoint and raise ``error()`` instead.

    Pending changes made *before* the block are flushed when it starts (outside the
    savepoint), so make the guarded changes (new rows, ``setattr``) inside the block and
    end it with ``await session.flush()``. Any other ``IntegrityError`` propagates as is.
    """
    try:
        async with session.begin_nested():
            yield
    except IntegrityError as exc:
        if not violates(exc, constraint):
            raise
        raise error() from exc
