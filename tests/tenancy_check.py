"""A pytest plugin: every statement the app runs on a tenant table names the restaurant.

During the whole test session a ``before_execute`` listener on every engine sees each
statement SQLAlchemy executes (Core and ORM, through a session or a connection). For a
statement issued by the app's code (the first frame outside SQLAlchemy lies in
``src/brigade``; the tests' own setup queries are not judged), every tenant table it
reads or writes — a ``FROM`` of one of its selects (joins and subqueries included), the
target of an ``UPDATE``/``DELETE`` — must be compared (``=`` or ``IN``) on its tenant
column somewhere in the statement (:func:`brigade.tenancy.tenant_column`); a raw SQL
text naming a tenant table must name ``restaurant_id``. ``INSERT ... VALUES`` reads
nothing and is not judged; the ORM's flush (``UPDATE``/``DELETE`` of an entity by its
primary key, after a scoped load) is not either.

A statement that breaks the rule fails the test that ran it (at teardown), naming the
table and the code that issued it. :data:`ALLOWED` lists the few legitimate unscoped
statements, by the function that issues them and the table, each with its reason.
:class:`brigade.infra.prepared.Prepared` statements run on the driver, past SQLAlchemy's
events: ``tests/test_tenancy.py`` judges every one of them statically.
"""

from __future__ import annotations

import operator
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import greenlet  # type: ignore[import-untyped]
import pytest
from sqlalchemy import Delete, Select, Table, TextClause, Update, event
from sqlalchemy.engine import Engine
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, ColumnElement
from sqlalchemy.sql.selectable import Alias, FromClause, Join
from sqlalchemy.sql.visitors import iterate

import brigade
from brigade.infra.db import Base
from brigade.tenancy import tenant_column

SRC = str(Path(brigade.__file__).resolve().parent)
_SQLALCHEMY = str(Path(sys.modules["sqlalchemy"].__file__ or "").resolve().parent)

#: (issuing function as ``module:function``, table) → why it may read that table
#: without naming a restaurant.
ALLOWED: dict[tuple[str, str], str] = {
    ("brigade.auth.service:me", "memberships"): (
        "a user's own memberships, across restaurants, by user id (GET /auth/me)"
    ),
    ("brigade.auth.service:me", "restaurants"): "the names of the user's restaurants",
    ("brigade.restaurants.service:create_restaurant", "restaurants"): (
        "a new restaurant's slug is unique across the platform (admin only)"
    ),
    ("brigade.imports.history:ensure_restaurant", "restaurants"): (
        "the importer finds its restaurant by slug (CLI, platform level)"
    ),
    ("brigade.reporting.service:sales_report", "checks"): (
        "checks are reached through their order, scoped by restaurant: a predicate on "
        "checks.restaurant_id makes the planners walk an index once per order "
        "(reporting/service.py)"
    ),
    ("brigade.restaurants.service:list_restaurants", "restaurants"): (
        "the platform admin lists every restaurant; others get the ones they belong to"
    ),
    ("brigade.restaurants.service:list_restaurants", "memberships"): (
        "the restaurants a user belongs to, by user id"
    ),
    ("brigade.auth.service:record_for_user", "memberships"): (
        "a user-wide event (a login ended, a password changed, an account deactivated) is"
        " recorded in every restaurant the user belongs to, by user id"
    ),
    ("brigade.audit.service:_page", "audit_entries"): (
        "the platform's audit trail (logins: no restaurant) is read by the platform admin "
        "with restaurant_id IS NULL; a restaurant's trail is scoped (list_entries)"
    ),
    ("brigade.auth.service:_with_roles", "memberships"): (
        "the platform admin's list of logins shows each login's roles, by user id"
    ),
    ("brigade.auth.service:_with_roles", "restaurants"): (
        "the names of the restaurants of the logins the platform admin lists"
    ),
    ("brigade.restaurants.service:_account_is_shared", "memberships"): (
        "whether the login to deactivate belongs to another restaurant too, by user id"
    ),
    ("brigade.orders.pacing:due_fires", "orders"): (
        "the course pacer finds the due automatic fires of every restaurant (one worker"
        " serves them all); each is then claimed and fired in its own restaurant's scope"
    ),
    ("brigade.orders.pacing:due_fires", "restaurants"): (
        "whether each due order's restaurant still paces its courses"
    ),
}

#: Statements that may name no restaurant, by a fragment of their SQL → the reason.
ALLOWED_SQL: dict[str, str] = {
    "api_tokens.token_hash =": "an API token is found by the digest of its secret",
    "devices.secret_hash =": "a registered device is found by the digest of its secret",
    "idempotency_records.id = :claim_id": (
        "the answer is written to the claim's own row, by the id its restaurant-scoped "
        "claim returned (brigade.idempotency, the unit of work)"
    ),
}

_COMPARISONS = {operators.eq, operators.in_op, operator.eq}
_VALUE = "<value>"
#: Infrastructure between SQLAlchemy and the code that built a statement.
_PASS_THROUGH = (
    "brigade.infra.prepared",
    "brigade.infra.db",
    "brigade.tenancy",
    "brigade.infra.sqlite_inline",
)
TESTS = str(Path(__file__).resolve().parent)


@dataclass(frozen=True)
class Unscoped:
    """A statement issued at ``where`` that reads ``table`` with no restaurant condition."""

    where: str
    table: str
    sql: str

    def __str__(self) -> str:
        return f"{self.where} reads {self.table} without restaurant_id: {self.sql[:300]}"


_found: list[Unscoped] = []
_verdicts: dict[int, tuple[Any, frozenset[str], str]] = {}


def _key(table: FromClause) -> str:
    return table.name if isinstance(table, Table | Alias) else str(id(table))


def _flatten(target: FromClause) -> Iterator[FromClause]:
    if isinstance(target, Join):
        yield from _flatten(target.left)
        yield from _flatten(target.right)
    elif isinstance(target, Table | Alias) and not isinstance(
        getattr(target, "element", None), Select
    ):
        yield target


def unscoped_tables(statement: Any) -> frozenset[str]:
    """The tenant tables ``statement`` reads or writes without a comparison on their
    tenant column (names; an alias by its alias name)."""
    if isinstance(statement, TextClause):
        sql = statement.text.lower()
        named = {
            t.name
            for t in Base.metadata.tables.values()
            if tenant_column(t) is not None
            and re.search(rf"\b(from|join|update|into)\s+\"?{t.name}\b", sql)
        }
        return frozenset() if "restaurant_id" in sql else frozenset(named)
    read: dict[str, FromClause] = {}
    # Union-find over the tenant columns (by their table's key) and VALUE: a column is
    # anchored when it is compared with a value (a bind parameter, a literal, a
    # subquery) or with an anchored tenant column (a join on restaurant_id).
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.get(node, node) != node:
            node = parent[node]
        return node

    def tenant_key(side: Any) -> str | None:
        if isinstance(side, BinaryExpression) and side.operator is operators.add:
            # ``restaurant_id + 0``: the same value, kept off an index on purpose
            return tenant_key(side.left) or tenant_key(side.right)
        table = getattr(side, "table", None)
        if isinstance(side, ColumnElement) and isinstance(table, FromClause):
            column = tenant_column(table)
            if column is not None and column.key == getattr(side, "key", None):
                return _key(table)
        return None

    for element in iterate(statement):
        if isinstance(element, Select):
            for f in element.get_final_froms():
                for t in _flatten(f):
                    read[_key(t)] = t
        elif isinstance(element, Update | Delete):
            for t in _flatten(element.table):
                read[_key(t)] = t
        elif isinstance(element, Join):
            for t in _flatten(element):
                read[_key(t)] = t
        elif isinstance(element, BinaryExpression) and element.operator in _COMPARISONS:
            left, right = tenant_key(element.left), tenant_key(element.right)
            if left is None and right is None:
                continue
            other = [
                side for side, key in ((element.left, left), (element.right, right)) if key is None
            ]
            if other and getattr(other[0], "table", None) is not None:
                continue  # compared with a column that names no restaurant
            a = find(left or _VALUE)
            b = find(right or _VALUE)
            if a != b:
                parent[a] = b
    anchored = find(_VALUE)
    return frozenset(
        name for name, t in read.items() if tenant_column(t) is not None and find(name) != anchored
    )


def _issuer() -> str | None:
    """``module:function`` of the app's code that ran the statement: the first frame in
    ``src/brigade`` (past its plumbing, :data:`_PASS_THROUGH`) going up the stack,
    following greenlet parents (SQLAlchemy's asyncio layer runs the sync code in a child
    greenlet); ``None`` when a test's own frame comes first."""
    frame: FrameType | None = sys._getframe(2)
    current = greenlet.getcurrent()
    while True:
        while frame is not None:
            name = frame.f_code.co_filename
            if name.startswith(SRC):
                module = frame.f_globals.get("__name__", "?")
                if not module.startswith(_PASS_THROUGH):
                    return f"{module}:{frame.f_code.co_name}"
            elif name.startswith(TESTS) and not name.endswith("tenancy_check.py"):
                return None
            frame = frame.f_back
        current = current.parent
        if current is None:
            return None
        frame = current.gr_frame


def judge(statement: Any, where: str) -> list[Unscoped]:
    """The :class:`Unscoped` findings of ``statement`` issued at ``where`` (cached per
    statement object), allowances applied."""
    cached = _verdicts.get(id(statement))
    if cached is None or cached[0] is not statement:
        sql = str(statement)
        allowed = any(fragment in sql for fragment in ALLOWED_SQL)
        cached = (statement, frozenset() if allowed else unscoped_tables(statement), sql)
        _verdicts[id(statement)] = cached
    return [
        Unscoped(where, table, cached[2])
        for table in sorted(cached[1])
        if (where, table) not in ALLOWED
    ]


def _before_execute(
    conn: Any, clause: Any, multiparams: Any, params: Any, options: Any, *args: Any
) -> None:
    if "compiled_cache" in options and isinstance(clause, Update | Delete):
        return  # the ORM's flush of an entity by primary key
    if not isinstance(clause, Select | Update | Delete | TextClause):
        if not hasattr(clause, "get_final_froms") and not hasattr(clause, "select"):
            return
    where = _issuer()
    if where is not None:
        _found.extend(judge(clause, where))


def pytest_configure(config: pytest.Config) -> None:
    """Listen on every engine for the whole session."""
    event.listen(Engine, "before_execute", _before_execute)


@pytest.fixture(autouse=True)
def _tenant_scoping() -> Iterator[None]:
    """Fail the test whose app code ran an unscoped statement on a tenant table."""
    _found.clear()
    _verdicts.clear()
    yield
    found, seen = [], set()
    for item in _found:
        if (item.where, item.table) not in seen:
            seen.add((item.where, item.table))
            found.append(item)
    _found.clear()
    assert not found, "queries on tenant tables without restaurant_id:\n" + "\n".join(
        map(str, found)
    )


def take_findings() -> list[Unscoped]:
    """The findings recorded so far in this test, removed (for the checker's own test)."""
    taken = list(_found)
    _found.clear()
    return taken
