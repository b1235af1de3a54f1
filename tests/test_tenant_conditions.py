"""No hand-written restaurant condition in ``src/brigade``: tenant scoping goes through
:mod:`brigade.tenancy` (``scoped``, ``owned_by``, ``same_restaurant``, ``tenant_get``).

Every module's syntax tree is read (docstrings and comments are not code, so they never
count). A **hand-written condition** is, in code outside ``brigade/tenancy.py``:

* a comparison (``==``, ``!=``) of a tenant column: an attribute named ``restaurant_id``
  (``Order.restaurant_id``, ``_orders.c.restaurant_id``) or the restaurants' own ``id``
  (``Restaurant.id``, ``_restaurants.c.id``);
* ``.in_(...)``, ``.not_in(...)``, ``.is_(...)``, ``.is_not(...)`` called on one;
* ``.filter_by(restaurant_id=...)``;
* raw SQL (``text("...")``) naming ``restaurant_id``.

:data:`ALLOWED` lists the few comparisons that are no query at all (a Python comparison
of two objects' fields), each with its reason; an entry that matches nothing any more
fails too, so that the list only shrinks. A new condition written by hand fails
:func:`test_no_hand_written_restaurant_condition`, naming the file, line and function.
The runtime checker (``tests/tenancy_check.py``) catches a query that has *no*
restaurant condition; this test keeps the conditions in the one helper.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "brigade"
#: The helper itself: the one place that writes the condition.
HELPER = "tenancy.py"
TENANT_COLUMN = "restaurant_id"
#: ``Restaurant`` / ``_restaurants.c`` / ``Restaurant.__table__.c``: their ``id`` is the
#: tenant column of the restaurants' table.
_RESTAURANTS = re.compile(r"^(\w+\.)*_?[Rr]estaurants?(\.__table__)?(\.c)?$")
_METHODS = frozenset({"in_", "not_in", "is_", "is_not"})

#: (file under src/brigade, function's qualified name, expression) → why it is no query.
ALLOWED: dict[tuple[str, str, str], str] = {
    ("realtime/rooms.py", "Subscription.sees", "event.restaurant_id != self.restaurant_id"): (
        "a Python comparison of a committed event's restaurant with a socket "
        "subscription's (dataclass fields): whether replay would deliver it, no query"
    ),
    (
        "devices/service.py",
        "device_of_secret",
        "device.restaurant_id != restaurant_id",
    ): (
        "a Python comparison of the device found by its secret with the restaurant the "
        "request names: a device of another restaurant is refused, no query"
    ),
    (
        "audit/service.py",
        "list_platform_entries",
        "AuditEntry.restaurant_id.is_(None)",
    ): (
        "the platform's own trail (logins, failed logins: no restaurant), read by the "
        "platform admin only: the one query that asks for no restaurant"
    ),
}


@dataclass(frozen=True)
class Finding:
    """A hand-written restaurant condition: ``expression`` at ``path:line`` in
    ``function`` (``<module>`` at the top level)."""

    path: str
    line: int
    function: str
    expression: str

    @property
    def key(self) -> tuple[str, str, str]:
        """The :data:`ALLOWED` key of the finding."""
        return (self.path, self.function, self.expression)

    def __str__(self) -> str:
        return f"src/brigade/{self.path}:{self.line} in {self.function}: {self.expression}"


def _is_tenant_column(node: ast.expr) -> bool:
    if not isinstance(node, ast.Attribute):
        return False
    if node.attr == TENANT_COLUMN:
        return True
    return node.attr == "id" and bool(_RESTAURANTS.match(ast.unparse(node.value)))


def _is_raw_sql_naming_tenant(node: ast.Call) -> bool:
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    if name != "text" or not node.args:
        return False
    texts = [n.value for n in ast.walk(node.args[0]) if isinstance(n, ast.Constant)]
    return any(isinstance(t, str) and TENANT_COLUMN in t for t in texts)


class _Finder(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.scope: list[str] = []
        self.found: list[Finding] = []

    def _scoped(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_ClassDef = visit_FunctionDef = visit_AsyncFunctionDef = _scoped

    def _add(self, node: ast.expr) -> None:
        function = ".".join(self.scope) or "<module>"
        self.found.append(Finding(self.path, node.lineno, function, ast.unparse(node)))

    def visit_Compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        if any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops) and any(
            _is_tenant_column(operand) for operand in operands
        ):
            self._add(node)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (
            (
                isinstance(func, ast.Attribute)
                and func.attr in _METHODS
                and _is_tenant_column(func.value)
            )
            or (
                isinstance(func, ast.Attribute)
                and func.attr == "filter_by"
                and any(k.arg == TENANT_COLUMN for k in node.keywords)
            )
            or _is_raw_sql_naming_tenant(node)
        ):
            self._add(node)
        self.generic_visit(node)


def hand_written_conditions(source: str, path: str = "<string>") -> list[Finding]:
    """The hand-written restaurant conditions of Python ``source`` (a module's text)."""
    finder = _Finder(path)
    finder.visit(ast.parse(source))
    return finder.found


def _all_findings() -> list[Finding]:
    found: list[Finding] = []
    for file in sorted(SRC.rglob("*.py")):
        path = file.relative_to(SRC).as_posix()
        if path != HELPER:
            found.extend(hand_written_conditions(file.read_text(encoding="utf-8"), path))
    return found


def test_no_hand_written_restaurant_condition() -> None:
    found = [f for f in _all_findings() if f.key not in ALLOWED]
    assert not found, (
        "restaurant conditions written by hand; scope through brigade.tenancy instead "
        "(scoped(stmt, restaurant_id | bindparam(...), *tables), owned_by(table, ...) in "
        "an ON or a shared list of conditions, same_restaurant(a, b) for a join):\n"
        + "\n".join(map(str, found))
    )


def test_every_allowance_is_still_used() -> None:
    used = {f.key for f in _all_findings()}
    assert not set(ALLOWED) - used, sorted(set(ALLOWED) - used)


@pytest.mark.parametrize(
    "source",
    [
        "q = select(Order).where(Order.restaurant_id == rid)",
        "q = select(Order).where(rid == Order.restaurant_id)",
        "q = update(_orders).where(_orders.c.restaurant_id == bindparam('r'))",
        "q = select(Membership.id).where(Membership.restaurant_id != rid)",
        "q = select(Order).join(Check, Check.restaurant_id == Order.restaurant_id)",
        "q = select(Order).where(\n    Order.id == 1,\n    Order.restaurant_id\n    == rid,\n)",
        "def f():\n    return and_(Order.id == 1, OrderItem.restaurant_id == x)",
        "q = select(Restaurant.name).where(Restaurant.id == rid)",
        "q = select(_restaurants.c.currency).where(_restaurants.c.id == bindparam('r'))",
        "q = select(Order).where(Order.restaurant_id.in_(ids))",
        "q = session.query(Order).filter_by(restaurant_id=rid)",
        "q = text('SELECT id FROM orders WHERE restaurant_id = :r')",
        "q = sa.text(f'SELECT id FROM {name} WHERE restaurant_id = :r')",
    ],
)
def test_the_finder_finds_a_hand_written_condition(source: str) -> None:
    assert len(hand_written_conditions(source)) == 1, source


@pytest.mark.parametrize(
    "source",
    [
        '"""Adds ``<table>.restaurant_id == restaurant_id`` to the WHERE."""',
        "# Order.restaurant_id == rid is written by scoped()\nx = 1",
        "q = scoped(select(Order).where(Order.id == oid), rid)",
        "q = select(Order).where(owned_by(Order, RID), Order.id == 1)",
        "q = select(Order).join(Check, same_restaurant(Check, Order))",
        "row = Order(restaurant_id=rid, notes='')",
        "q = insert(_orders).values(restaurant_id=rid)",
        "q = select(Order.restaurant_id, Order.id).order_by(Order.restaurant_id)",
        "ok = actor.token_restaurant_id != restaurant_id",
        "q = select(Order).where(Order.id == Restaurant.owner_id)",
        "q = text('SELECT 1')",
    ],
)
def test_the_finder_leaves_what_is_no_hand_written_condition(source: str) -> None:
    assert hand_written_conditions(source) == [], source


def test_a_finding_names_its_place() -> None:
    (finding,) = hand_written_conditions(
        "class A:\n    async def get(self):\n        return X.restaurant_id == 1\n", "x/y.py"
    )
    assert finding == Finding("x/y.py", 3, "A.get", "X.restaurant_id == 1")
    assert str(finding) == "src/brigade/x/y.py:3 in A.get: X.restaurant_id == 1"
