"""Tenant scoping in one place: every query of a tenant table goes through :func:`scoped`.

A **tenant table** is one with a ``restaurant_id`` column (and the ``restaurants`` table
itself, whose tenant column is its ``id``). :func:`scoped` adds
``<table>.restaurant_id = <restaurant_id>`` to the ``WHERE`` of a ``SELECT``, ``UPDATE``
or ``DELETE`` for each tenant table the statement reads or writes, so that no route
remembers the condition by hand::

    _ORDER = scoped(select(_orders).where(_orders.c.id == bindparam("order_id")), RID)
    table = await tenant_get(session, DiningTable, access.restaurant_id, table_id)

``restaurant_id`` is an ``int`` (a literal bind), or a bind parameter / column of the
statement (:data:`RID`, ``bindparam("b_rid")``) for statements built once at import.
With no table given, the tenant tables are the statement's own ``FROM`` list (joins
flattened; the target of an ``UPDATE``/``DELETE``); a subquery is scoped on its own.

The test suite records every statement the app runs and fails on one that touches a
tenant table without a ``restaurant_id`` condition (``tests/tenancy_check.py``).
Knows no context: it reads the column names of the tables it is given.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Delete,
    FromClause,
    Integer,
    Join,
    Select,
    Table,
    Update,
    bindparam,
    inspect,
    literal_column,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import Alias

from brigade.infra.errors import NotFound

#: The tenant column's name.
TENANT_COLUMN = "restaurant_id"
#: The tenant table itself: its ``id`` is the tenant.
TENANT_TABLE = "restaurants"
#: The bind parameter most statements built at import scope by (``{"restaurant_id": n}``).
RID: BindParameter[int] = bindparam("restaurant_id")

# A bound, not constraints: a select keeps its row types through scoped().
_S = TypeVar("_S", bound=Select[*tuple[Any, ...]] | Update | Delete)
_M = TypeVar("_M")


def tenant_column(table: FromClause) -> ColumnElement[Any] | None:
    """The column of ``table`` (a table or an alias of one) that names the restaurant:
    ``restaurant_id``, or ``id`` of the ``restaurants`` table; ``None`` for a table
    that belongs to no restaurant (users, sessions, the event sequence…)."""
    base = table.element if isinstance(table, Alias) else table
    if isinstance(base, Table) and base.name == TENANT_TABLE:
        return table.c.id
    return table.c.get(TENANT_COLUMN)


def _as_from(target: Any) -> FromClause:
    if isinstance(target, FromClause):
        return target
    return cast(FromClause, inspect(target).selectable)  # an ORM class or aliased()


def _flatten(target: FromClause) -> Iterator[FromClause]:
    if isinstance(target, Join):
        yield from _flatten(target.left)
        yield from _flatten(target.right)
    elif isinstance(target, Table | Alias):
        yield target


def _own_tables(statement: Select[*tuple[Any, ...]] | Update | Delete) -> list[FromClause]:
    if isinstance(statement, Update | Delete):
        return list(_flatten(statement.table))
    return [t for f in statement.get_final_froms() for t in _flatten(f)]


def scoped(statement: _S, restaurant_id: Any, *tables: Any) -> _S:
    """``statement`` with ``<table>.restaurant_id == restaurant_id`` added to its
    ``WHERE`` for each of ``tables`` (ORM classes, tables or aliases), or, when none is
    given, for each tenant table of its own ``FROM`` list.

    ``restaurant_id``: an ``int`` or a bind parameter / SQL expression. Raises
    ``ValueError`` when a given table is not a tenant table, or when the statement has
    no tenant table at all (a scope that scopes nothing is a mistake).
    """
    targets = [_as_from(t) for t in tables] if tables else _own_tables(statement)
    conditions = []
    for target in targets:
        column = tenant_column(target)
        if column is None:
            if tables:
                raise ValueError(f"{target} has no {TENANT_COLUMN} column")
            continue
        conditions.append(column == restaurant_id)
    if not conditions:
        raise ValueError("the statement reads no tenant table")
    return cast(_S, statement.where(*conditions))  # .where() returns Self


def owned_by(table: Any, restaurant_id: Any, *, indexed: bool = True) -> ColumnElement[bool]:
    """The condition ``<table>.restaurant_id == restaurant_id`` (``restaurants.id`` for the
    restaurants' table) for places :func:`scoped` cannot reach: the ``ON`` of an outer
    join, a list of conditions shared by two statements.

    ``indexed=False`` writes ``restaurant_id + 0 = ...``: the same scope, but no index
    can serve it, so a planner without statistics (SQLite) keeps to a better one (the
    row's own key) instead of walking the restaurant's. Raises ``ValueError`` when
    ``table`` is no tenant table."""
    target = _as_from(table)
    column = tenant_column(target)
    if column is None:
        raise ValueError(f"{target} has no {TENANT_COLUMN} column")
    if not indexed:
        return cast(ColumnElement[bool], column + literal_column("0", Integer()) == restaurant_id)
    return cast(ColumnElement[bool], column == restaurant_id)


def same_restaurant(left: Any, right: Any) -> ColumnElement[bool]:
    """The join condition ``<left>.restaurant_id == <right>.restaurant_id`` (tables,
    aliases or ORM classes): a joined table is scoped by the restaurant of the one it is
    joined to. Raises ``ValueError`` when either is no tenant table."""
    columns = []
    for side in (left, right):
        target = _as_from(side)
        column = tenant_column(target)
        if column is None:
            raise ValueError(f"{target} has no {TENANT_COLUMN} column")
        columns.append(column)
    return columns[0] == columns[1]


async def tenant_get(session: AsyncSession, model: type[_M], restaurant_id: int, ident: int) -> _M:
    """The ``model`` entity with primary key ``ident`` in ``restaurant_id`` (one
    ``SELECT``, scoped by :func:`scoped`).

    Raises :class:`~brigade.infra.errors.NotFound` when there is none, or when it belongs to
    another restaurant (never telling which).
    """
    table = _as_from(model)
    (key,) = table.primary_key
    found: _M | None = await session.scalar(
        scoped(select(model).where(key == ident), restaurant_id)
    )
    if found is None:
        name = getattr(model, "__tablename__", "record").rstrip("s").replace("_", " ")
        raise NotFound(f"{name} {ident} not found")
    return found
