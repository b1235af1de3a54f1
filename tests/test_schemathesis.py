"""Schemathesis over the whole OpenAPI document: no input gets a 500, every answer is
what the document says.

A real server (``brigade serve`` on a free port of 127.0.0.1, its own data folder, and its
own PostgreSQL database ``BRIGADE_TEST_SCHEMATHESIS_POSTGRES_DB``, default
``brigade_schemathesis``, dropped and recreated, when ``BRIGADE_TEST_DATABASE=postgresql``)
is seeded through the API with two restaurants that have a menu, areas, tables, orders
with lines, kitchen tickets, a check, an API token and staff. Then every operation of
``/openapi.json`` gets generated requests (valid and invalid ones, half each) as the owner
of the first restaurant and as the platform admin in the second, with that restaurant's
real ids substituted for most path parameters (and a real menu line in half of the
orders), so the requests reach real rows and not only 404s. Deletes and cancels run
last. Checks: ``not_a_server_error`` and ``response_schema_conformance``; each role's
run prints its requests, statuses and the operations that never answered 2xx.

``BRIGADE_TEST_SCHEMATHESIS_EXAMPLES`` sets the examples per operation and role (default
in :data:`MAX_EXAMPLES`).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy.engine import make_url

from brigade.infra.migrate import upgrade
from tests import conftest

#: Examples generated per operation and role.
MAX_EXAMPLES = int(os.environ.get("BRIGADE_TEST_SCHEMATHESIS_EXAMPLES", "10"))
#: Upper bound of the server's start-up (migrate, create the admin, serve), s.
STARTUP_TIMEOUT_S = 120.0
PASSWORD = "schemathesis walks every route 42"
CHECKS = [not_a_server_error, response_schema_conformance]


@dataclass(frozen=True)
class Seeded:
    """What one role's run works on: its bearer ``token``, the real ids of its restaurant
    per path parameter name (``item_id`` of a menu; ``order_item_id`` for an order's
    lines), a menu line that can be ordered and a table's guest token."""

    token: str
    ids: dict[str, list[int]]
    line: dict[str, Any]
    guest_token: str


@dataclass(frozen=True)
class SeededServer:
    """A running server (``base_url``) and, per role (``owner``, ``admin``), a restaurant
    of its own: a role's deletes never empty what the other's run reads."""

    base_url: str
    roles: dict[str, Seeded]
    log_path: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _recreate_postgres_database(url: str) -> None:
    """Drop and create the database named by ``url`` (connecting to ``postgres``)."""
    import asyncpg

    parsed = make_url(url)
    name = parsed.database
    assert name, "the PostgreSQL URL names no database"
    assert name.replace("_", "").isalnum(), f"unexpected database name {name!r}"
    admin_dsn = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    admin = await asyncpg.connect(admin_dsn, timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


def _database_url(data_dir: Path) -> str:
    if conftest.test_database_kind() != "postgresql":
        return f"sqlite+aiosqlite:///{data_dir / 'brigade.db'}"
    name = os.environ.get("BRIGADE_TEST_SCHEMATHESIS_POSTGRES_DB", "brigade_schemathesis")
    url = make_url(conftest.postgres_url()).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_recreate_postgres_database(url))
    return url


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"brigade serve exited with {process.returncode}:\n{_tail(log_path)}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"brigade serve was not ready in {STARTUP_TIMEOUT_S:.0f} s:\n{_tail(log_path)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 10 s (the server is our own child)."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class _Api:
    """Blocking calls for seeding; every answer must be a success."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=f"{base_url}/api/v1", timeout=15)

    def __call__(self, method: str, path: str, token: str, body: Any = None) -> Any:
        response = self.http.request(
            method,
            path,
            json=body,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
        )
        assert response.status_code < 300, f"{method} {path}: {response.text}"
        return response.json() if response.content else None

    def login(self, username: str) -> str:
        response = self.http.post("/auth/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])


def _seed(
    api: _Api, admin: str, name: str
) -> tuple[str, dict[str, list[int]], dict[str, Any], str]:
    """A restaurant ``name`` (its owner's username too) with everything a service night
    has: staff, an API token, an area and tables, a menu with modifiers, orders at
    tables (some sent: kitchen tickets), a takeaway and a partly paid check. Returns the
    owner's token, the real ids, an orderable menu line and a table's guest token."""
    restaurant = api(
        "POST",
        "/restaurants",
        admin,
        {
            "name": name.title(),
            "slug": name,
            "currency": "EUR",
            "time_zone": "Europe/Paris",
            "tax_rate_bp": 1000,
            "owner": {"username": name, "password": PASSWORD, "full_name": "Olive Owner"},
        },
    )
    rid = restaurant["id"]
    r = f"/restaurants/{rid}"
    owner = api.login(name)
    staff = [
        api(
            "POST",
            f"{r}/staff",
            owner,
            {"username": f"{name}-{role}", "password": PASSWORD, "role": role},
        )
        for role in ("waiter", "kitchen")
    ]
    token = api("POST", f"{r}/api-tokens", owner, {"name": "board", "scopes": ["menu:read"]})
    area = api("POST", f"{r}/areas", owner, {"name": "Terrace"})
    tables = [
        api("POST", f"{r}/tables", owner, {"name": f"T{n}", "seats": 4, "area_id": area["id"]})
        for n in range(1, 5)
    ]
    category = api("POST", f"{r}/menu/categories", owner, {"name": "Mains"})
    group = api(
        "POST",
        f"{r}/menu/modifier-groups",
        owner,
        {
            "name": "Extras",
            "min_choices": 0,
            "max_choices": 2,
            "modifiers": [{"name": "Cheese", "price_delta": 150}, {"name": "Egg"}],
        },
    )
    items = [
        api(
            "POST",
            f"{r}/menu/items",
            owner,
            {
                "category_id": category["id"],
                "name": dish,
                "station": station,
                "variations": [
                    {"name": "S", "sku": f"{dish}-S", "price": 900},
                    {"name": "L", "sku": f"{dish}-L", "price": 1300},
                ],
            },
        )
        for dish, station in (("Burger", "grill"), ("Salad", "cold"), ("Soup", "cold"))
    ]
    api(
        "PUT",
        f"{r}/menu/items/{items[0]['id']}/modifier-groups",
        owner,
        {"group_ids": [group["id"]]},
    )
    modifier_ids = [m["id"] for m in group["modifiers"]]

    def line(item: dict[str, Any], course: int = 1, **extra: Any) -> dict[str, Any]:
        return {
            "menu_item_id": item["id"],
            "variation_id": item["variations"][0]["id"],
            "course": course,
            **extra,
        }

    orders = []
    for n, table in enumerate(tables[:3]):
        order = api(
            "POST",
            f"{r}/orders",
            owner,
            {
                "kind": "dine_in",
                "table_id": table["id"],
                "covers": 2,
                "items": [
                    line(items[0], modifier_ids=modifier_ids[:1], quantity=2, notes="no salt"),
                    line(items[1], course=2),
                ],
            },
        )
        if n >= 1:
            order = api("POST", f"{r}/orders/{order['id']}/send", owner, {})
        orders.append(order)
    orders.append(
        api("POST", f"{r}/orders", owner, {"kind": "takeaway", "items": [line(items[1])]})
    )
    check = api("POST", f"{r}/orders/{orders[2]['id']}/check", owner)
    payment = api(
        "POST", f"{r}/checks/{check['id']}/payments", owner, {"method": "card", "amount": 100}
    )
    tickets = api("GET", f"{r}/kitchen/tickets", owner)["items"]
    guest = api("GET", f"{r}/tables/{tables[3]['id']}/guest-link", owner)
    till = api("POST", f"{r}/tills", owner, {"name": "Front"})
    shift = api("POST", f"{r}/tills/{till['id']}/shifts", owner, {"opening_float": 5000})
    cheese = api("POST", f"{r}/inventory/ingredients", owner, {"name": "Cheese", "unit": "g"})
    ids = {
        "restaurant_id": [rid],
        "user_id": [s["user_id"] for s in staff],
        "token_id": [token["id"]],
        "area_id": [area["id"]],
        "table_id": [t["id"] for t in tables],
        "category_id": [category["id"]],
        "item_id": [i["id"] for i in items],
        "variation_id": [v["id"] for i in items for v in i["variations"]],
        "group_id": [group["id"]],
        "order_id": [o["id"] for o in orders],
        "order_item_id": [x["id"] for o in orders for x in o["items"]],
        "course": [1, 2],
        "ticket_id": [t["id"] for t in tickets],
        "ticket_item_id": [i["id"] for t in tickets for i in t["items"]],
        "check_id": [check["id"]],
        "payment_id": [payment["id"]],
        "till_id": [till["id"]],
        "shift_id": [shift["id"]],
        "ingredient_id": [cheese["id"]],
        "modifier_id": modifier_ids,
    }
    return owner, ids, line(items[2]), str(guest["token"])


@pytest.fixture(scope="module")
def seeded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededServer]:
    """A server with a seeded restaurant (see the module docstring); stopped afterwards."""
    started = time.monotonic()
    data_dir = tmp_path_factory.mktemp("schemathesis-data")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIGADE_")}
    env.update(
        BRIGADE_DATA_DIR=str(data_dir),
        BRIGADE_DATABASE_URL=_database_url(data_dir),
        BRIGADE_PUBLIC_URL=base_url,
        PYTHONUNBUFFERED="1",
    )
    upgrade(env["BRIGADE_DATABASE_URL"])
    brigade = str(Path(sys.executable).parent / "brigade")
    created = subprocess.run(  # noqa: S603 - fixed argument list
        [brigade, "create-admin", "--username", "admin", "--password", PASSWORD],
        env=env,
        cwd=data_dir,
        capture_output=True,
        check=False,
    )
    assert created.returncode == 0, created.stdout.decode() + created.stderr.decode()
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed argument list
            [brigade, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=data_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(process, base_url, log_path)
        print(f"server ready after {time.monotonic() - started:.1f} s")  # noqa: T201
        api = _Api(base_url)
        admin = api.login("admin")
        roles = {}
        for role in ("owner", "admin"):
            owner, ids, line, guest_token = _seed(api, admin, f"schemathesis-{role}")
            roles[role] = Seeded(owner if role == "owner" else admin, ids, line, guest_token)
        yield SeededServer(base_url, roles, log_path)
    finally:
        _stop(process)


def _real_ids(ids: dict[str, list[int]], path: str, name: str) -> list[int] | None:
    if name == "item_id" and "/orders/" in path:
        return ids["order_item_id"]
    return ids.get(name)


def _load_schema(base_url: str, seeded: Seeded) -> Any:
    """The server's OpenAPI document, its cases pointed at ``seeded``'s rows: path
    parameters mostly real ids, half of the orders' lines a real menu line, half of the
    versions left out, half of the guest menu's tokens a real one."""
    schema = schemathesis.openapi.from_url(
        f"{base_url}/openapi.json",
        config=schemathesis.Config.from_dict({"generation": {"allow-x00": True}}),
    )
    ids = seeded.ids

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        path = context.operation.path
        choices: dict[str, st.SearchStrategy[Any]] = {}
        for name, generated in (path_parameters or {}).items():
            real = _real_ids(ids, path, name)
            if real is None:
                choices[name] = st.just(generated)
            elif name == "restaurant_id":
                # nearly always the seeded one: another id only ever answers 404
                choices[name] = st.sampled_from([*real] * 9 + [generated])
            else:
                choices[name] = st.one_of(st.sampled_from(real), st.just(generated))
        return st.fixed_dictionaries(choices)

    @schema.hook
    def flatmap_body(context: Any, body: Any) -> Any:
        if not isinstance(body, dict):
            return st.just(body)
        variants = [body]
        if "version" in body:  # a generated version is nearly always stale (409)
            variants.append({k: v for k, v in body.items() if k != "version"})
        lines = body.get("items")
        if "kind" in body or (isinstance(lines, list) and lines):
            # an order (a takeaway) or added lines of a real menu item, the rest of each
            # line as generated
            listed = lines if isinstance(lines, list) else []
            generated = [x for x in listed if isinstance(x, dict)] or [{}]
            real = [{**x, **seeded.line, "modifier_ids": []} for x in generated]
            ordered = {k: v for k, v in body.items() if k not in ("version", "table_id")}
            if "kind" in body:
                ordered["kind"] = "takeaway"
            variants.append({**ordered, "items": real})
        return st.sampled_from(variants)

    @schema.hook
    def flatmap_query(context: Any, query: Any) -> Any:
        if isinstance(query, dict) and "t" in query and context.operation.path.endswith("/menu"):
            return st.sampled_from([{**query, "t": seeded.guest_token}, query])
        return st.just(query)

    return schema


def _run_order(operation: Any) -> tuple[bool, int]:
    """Operations that remove what the others read (a delete, a cancel) run last, those
    of a record's parts (a variation) before the record's (its item)."""
    removes = operation.method.upper() == "DELETE" or operation.path.endswith("/cancel")
    return removes, -operation.path.count("/") if removes else 0


def _strategy(operation: Any) -> st.SearchStrategy[Case]:
    """Valid and invalid requests of ``operation``, half of each."""
    return st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )


def _exercise(operation: Any, token: str, statuses: Counter[int]) -> str | None:
    """Run :data:`MAX_EXAMPLES` generated requests of ``operation``, counting the answers'
    statuses in ``statuses``; the first failure's report, or ``None``."""

    @given(case=_strategy(operation))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    def run(case: Case) -> None:
        response = case.call(headers={"Authorization": f"Bearer {token}"}, timeout=30)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except (Exception, FailureGroup) as exc:  # every operation's failure is reported
        return f"{operation.label}: {exc}"
    return None


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_every_operation_answers_without_server_error_as_documented(
    seeded_server: SeededServer, role: str
) -> None:
    """Every operation of the document, generated requests as ``role``: never a 5xx,
    every answer as documented."""
    started = time.monotonic()
    failures = []
    operations = 0
    answered: dict[str, Counter[int]] = {}
    seeded = seeded_server.roles[role]
    schema = _load_schema(seeded_server.base_url, seeded)
    every = [result.ok() for result in schema.get_all_operations()]
    for operation in sorted(every, key=_run_order):  # stable: document order otherwise
        operations += 1
        answered[operation.label] = Counter()
        failure = _exercise(operation, seeded.token, answered[operation.label])
        if failure is not None:
            failures.append(failure)
    elapsed = time.monotonic() - started
    succeeded = [label for label, counts in answered.items() if any(200 <= s < 300 for s in counts)]
    total = sum(answered.values(), Counter())
    print(  # noqa: T201
        f"schemathesis as {role}: {operations} operations, {total.total()} requests in"
        f" {elapsed:.1f} s; {len(succeeded)} operations answered 2xx; statuses"
        f" {dict(sorted(total.items()))}"
    )
    for label, counts in answered.items():
        if label not in succeeded:
            print(f"  no 2xx: {label} {dict(counts)}")  # noqa: T201
    assert not failures, (
        f"{len(failures)} of {operations} operations failed as {role}:\n\n"
        + "\n\n".join(failures)
        + "\n\nserver log:\n"
        + _tail(seeded_server.log_path)
    )
