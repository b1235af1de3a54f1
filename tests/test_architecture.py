"""The import graph of ``src/brigade``: contexts in one direction, infrastructure apart.

Every ``import`` of every module is read from its syntax tree — at the top, under
``TYPE_CHECKING`` and inside functions alike, so that a cycle cannot hide behind a
function-local import. The rules (DESIGN.md, "A modular monolith"):

* each top-level module or package of ``brigade`` is a **context** (a layer of
  :data:`LAYERS`), **infrastructure** (:data:`INFRASTRUCTURE`) or a **composition root**
  (:data:`ROOTS`, which wires everything and may import anything); a new one must be
  classified here;
* a context imports only contexts of lower layers (so the graph between contexts has no
  cycle), and the test names any cycle it finds;
* no module of a context imports another context's ``models`` (it would read or write
  that context's tables): it calls that context's public functions, or reacts to its
  events; the read side (:data:`READ_SIDE`) is the exception, it reads every table and
  nobody but the composition roots imports it;
* infrastructure imports no context.

The few edges that break a rule today are listed in :data:`ALLOWED` with the reason; an
entry that no import uses any more fails too, so that the list only shrinks.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "brigade"

#: The direction of the graph, lowest first: a context may import the contexts of the
#: layers before its own, never one of its own layer or a later one.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"auth"}),  # who calls, the permission table, the request's session
    frozenset({"restaurants"}),  # tenants, memberships, staff, the restaurant's profile
    frozenset({"devices"}),  # shared devices, staff PINs, managers' approvals
    frozenset({"menu", "tables"}),
    frozenset({"orders"}),
    frozenset({"kitchen", "billing", "inventory"}),  # they react to orders through orders.hooks
    frozenset({"tills"}),  # cash drawers and the day's close: read billing's payments
    frozenset({"reporting", "guest", "realtime", "imports", "audit"}),  # read side, adapters
)
CONTEXTS = frozenset().union(*LAYERS)
#: Contexts that read the tables of others by design: the read models (reports, the
#: floor's view; the X and Z reports and a shift's cash payments of ``tills``). Nobody
#: but a composition root imports them (they sit in the top layers; billing learns a
#: payment's till through billing.hooks, registered by wiring).
READ_SIDE = frozenset({"reporting", "tills"})
#: Plumbing: knows no restaurant, no user. ``events`` may know the event record itself.
INFRASTRUCTURE = frozenset(
    {
        "caching",
        "health",
        "events",
        "idempotency",
        "infra",
        "inputs",
        "money",
        "reads",
        "runtime",
        "session",
        "tenancy",
    }
)
#: Composition roots: they build the app, the CLI and the migrations' metadata from
#: every context.
ROOTS = frozenset(
    {"__init__", "__main__", "app", "asgi", "cli", "models", "migrations", "webapp", "wiring"}
)


@dataclass(frozen=True)
class Edge:
    """``importer`` (a module) imports ``target`` (a module) at ``line``."""

    importer: str
    target: str
    line: int
    local: bool  # inside a function

    def __str__(self) -> str:
        where = "function-local " if self.local else ""
        return f"{self.importer}:{self.line} {where}imports {self.target}"


#: (importer prefix, target prefix) → why the edge stays for now. A prefix matches a
#: module and everything under it.
ALLOWED: dict[tuple[str, str], str] = {
    ("brigade.auth.dependencies", "brigade.restaurants.models"): (
        "access resolution reads the member's role and the restaurant's existence on "
        "every request (prepared statements) before any "
        "context runs; memberships are to move to auth (or behind a directory hook "
        "registered by restaurants) once the staff rework of issue 8 has landed"
    ),
    ("brigade.auth.service", "brigade.restaurants.models"): (
        "GET /auth/me lists the caller's memberships with the restaurants' names; same "
        "move as auth.dependencies"
    ),
    ("brigade.restaurants.service", "brigade.auth.models"): (
        "the staff list joins memberships with the users' names; to become an auth "
        "function (or memberships move to auth) with the staff rework of issue 8"
    ),
    ("brigade.restaurants.api", "brigade.auth.models"): (
        "staff_name_of, a staff member's name as an SQL expression (kitchen tickets, the "
        "reports by waiter), joins memberships with the users' names; the same move as "
        "restaurants.service"
    ),
    ("brigade.idempotency.dependencies", "brigade.auth.dependencies"): (
        "the Idempotent dependency scopes a key by the caller's Access (restaurant and "
        "actor), which auth decides"
    ),
    ("brigade.imports", "brigade."): (
        "the importers bulk-load a restaurant's year (menu, orders, checks, payments) "
        "straight into the tables in a few multi-row INSERTs; one service call per row "
        "would take minutes"
    ),
}


def _module_name(path: Path, root: Path = SRC) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:]) if "." in name else Path()
    return (SRC / relative).with_suffix(".py").is_file() or (SRC / relative).is_dir()


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def _edges_of(path: Path, root: Path = SRC) -> list[Edge]:
    importer = _module_name(path, root)
    is_package = path.name == "__init__.py"
    found: list[Edge] = []

    def visit(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = local or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend(Edge(importer, a.name, child.lineno, inner) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = _resolve(importer, is_package, child)
                for alias in child.names:
                    # `from brigade.orders import models` imports the module itself.
                    full = f"{base}.{alias.name}"
                    target = full if _is_module(full) else base
                    found.append(Edge(importer, target, child.lineno, inner))
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), False)
    return [e for e in found if e.target == "brigade" or e.target.startswith("brigade.")]


def _all_edges() -> list[Edge]:
    return [edge for path in sorted(SRC.rglob("*.py")) for edge in _edges_of(path)]


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer(context: str) -> int:
    return next(n for n, layer in enumerate(LAYERS) if context in layer)


def _allowed(edge: Edge) -> str | None:
    for (importer, target), reason in ALLOWED.items():
        if _matches(edge.importer, importer) and _matches(edge.target, target):
            return reason
    return None


def _matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix if prefix.endswith(".") else prefix + ".")


def _is_models(module: str) -> bool:
    parts = module.split(".")
    return len(parts) >= 3 and parts[2] == "models"


def violations(edges: list[Edge]) -> list[str]:
    """Every edge of ``edges`` that breaks a rule of this module (and is not allowed)."""
    found: list[str] = []
    for edge in edges:
        source, target = _top(edge.importer), _top(edge.target)
        if source == target or source in ROOTS or _allowed(edge):
            continue
        if target in ROOTS:
            found.append(f"{edge}: only the composition roots import {target}")
        elif source in INFRASTRUCTURE and target in CONTEXTS:
            found.append(f"{edge}: infrastructure imports no context")
        elif source in CONTEXTS and target in CONTEXTS:
            if _layer(target) >= _layer(source):
                found.append(
                    f"{edge}: {source} (layer {_layer(source)}) may import only lower "
                    f"layers, {target} is layer {_layer(target)}"
                )
            if _is_models(edge.target) and source not in READ_SIDE:
                found.append(
                    f"{edge}: another context's models (its tables); call its public "
                    "functions or react to its events"
                )
    return found


def context_cycles(edges: list[Edge]) -> list[list[str]]:
    """The cycles of the graph between contexts (strongly connected components of more
    than one context, each sorted), whatever the layers say."""
    graph: dict[str, set[str]] = defaultdict(set)
    for edge in edges:
        source, target = _top(edge.importer), _top(edge.target)
        if source != target and source in CONTEXTS and target in CONTEXTS and not _allowed(edge):
            graph[source].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return components


def test_every_top_level_module_is_classified() -> None:
    names = {p.stem for p in SRC.glob("*.py")} | {
        p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    }
    names |= {p.name for p in SRC.iterdir() if p.is_dir() and p.name == "migrations"}
    unknown = sorted(names - CONTEXTS - INFRASTRUCTURE - ROOTS)
    assert not unknown, f"classify these in tests/test_architecture.py: {unknown}"
    assert not (CONTEXTS & INFRASTRUCTURE)


def test_no_cycle_between_contexts() -> None:
    cycles = context_cycles(_all_edges())
    assert not cycles, f"import cycles between contexts: {cycles}"


def test_imports_follow_the_rules() -> None:
    found = violations(_all_edges())
    assert not found, "forbidden imports:\n" + "\n".join(found)


def test_every_allowance_is_still_needed() -> None:
    edges = _all_edges()
    stale = [key for key in ALLOWED if not any(_allowed_by(edge, key) for edge in edges)]
    assert not stale, f"remove these entries of ALLOWED, no import needs them: {stale}"


def _allowed_by(edge: Edge, key: tuple[str, str]) -> bool:
    return _matches(edge.importer, key[0]) and _matches(edge.target, key[1])


# --- the checker catches what it should --------------------------------------------------


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        # kitchen → orders is the direction; orders → kitchen closes a cycle
        (
            [
                Edge("brigade.kitchen.service", "brigade.orders.service", 1, False),
                Edge("brigade.orders.service", "brigade.kitchen.service", 9, True),
            ],
            [["kitchen", "orders"]],
        ),
        # tables → orders → tables, the second one hidden in a function
        (
            [
                Edge("brigade.orders.service", "brigade.tables.service", 1, False),
                Edge("brigade.tables.service", "brigade.orders.models", 371, True),
            ],
            [["orders", "tables"]],
        ),
        ([Edge("brigade.kitchen.service", "brigade.orders.service", 1, False)], []),
    ],
)
def test_a_cycle_is_found(edges: list[Edge], expected: list[list[str]]) -> None:
    assert context_cycles(edges) == expected


def test_a_hidden_import_is_seen(tmp_path: Path) -> None:
    root = tmp_path / "brigade"
    (root / "tables").mkdir(parents=True)
    source = root / "tables" / "service.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from brigade.billing import service\n"
        "class C:\n"
        "    async def f(self) -> None:\n"
        "        from ..orders.models import Order\n"
    )
    edges = _edges_of(source, root)
    assert [(e.target, e.line, e.local) for e in edges] == [
        ("brigade.billing.service", 3, False),
        ("brigade.orders.models", 6, True),
    ]
    assert context_cycles(
        [*edges, Edge("brigade.orders.service", "brigade.tables.service", 1, False)]
    ) == [["orders", "tables"]]


@pytest.mark.parametrize(
    ("edge", "rule"),
    [
        (
            Edge("brigade.billing.router", "brigade.orders.models", 3, False),
            "another context's models",
        ),
        (
            Edge("brigade.kitchen.service", "brigade.orders.models", 400, True),
            "another context's models",
        ),
        (Edge("brigade.tables.service", "brigade.orders.service", 3, False), "lower layers"),
        (Edge("brigade.orders.service", "brigade.reporting.floor", 3, True), "lower layers"),
        (Edge("brigade.infra.db", "brigade.orders.service", 3, True), "infrastructure"),
        (Edge("brigade.events.outbox", "brigade.kitchen.schemas", 3, False), "infrastructure"),
        (Edge("brigade.orders.service", "brigade.app", 3, True), "composition roots"),
    ],
)
def test_a_forbidden_import_is_found(edge: Edge, rule: str) -> None:
    found = violations([edge])
    assert found, edge
    assert rule in found[0], found


def test_allowed_imports_pass() -> None:
    fine = [
        Edge("brigade.kitchen.service", "brigade.orders.hooks", 1, False),
        Edge("brigade.reporting.floor", "brigade.billing.models", 1, False),
        Edge("brigade.orders.service", "brigade.infra.db", 1, False),
        Edge("brigade.orders.models", "brigade.orders.schemas", 1, False),
        Edge("brigade.app", "brigade.reporting.router", 1, True),
    ]
    assert violations(fine) == []
