"""Brigade against a raw-SQL baseline, side by side, in one run.

``python -m bench.run [--db sqlite|postgresql|both] [--seconds N] [--rounds N]
[--concurrency 16] [--tables-per-client 8] [--warmup S]``

For each database: a fresh database (a SQLite file in a temp dir; PostgreSQL database
``brigade_bench`` on 127.0.0.1:5432, recreated), migrated with Brigade's migrations; the
pizza place's restaurant with its menu and no history and its staff logins, made by
Brigade's own code; tables made through the API by the owner; then two servers, each
one worker pinned to CPU core 0 while this load generator runs on core 1:

- Brigade (``brigade.asgi:app``, uvicorn),
- the baseline (:mod:`bench.servers.raw_baseline`, the same uvicorn settings): a bare
  Starlette app doing the same writes with raw aiosqlite / asyncpg, one transaction per
  request, no auth, no validation (on SQLite with the ``synchronous`` setting Brigade's
  own connections use).

The headline is the **dine-in service loop** (:mod:`bench.loop`): open at a table with 3
lines (waiter, ``Idempotency-Key``), add a line, send (waiter), bump the ticket
(kitchen), open the check, pay (cashier), each a request on Brigade's paths. Every one
of ``--concurrency`` clients runs whole loops on its own ``--tables-per-client``
tables, in waves where each step runs alone, so that each step's req/s, p50, p99 and
server CPU per request are measured, and the loop's loops/s and server CPU per loop.
Goals: Brigade's loops/s at least 0.5 of raw's, and every step's p99 under 25 ms.

Two secondary cases, each driven by ``--concurrency`` keep-alive clients
(:func:`bench.load.run_load`):

- the keyed takeaway create: raw ``POST /orders`` (an order and 3 lines) against
  Brigade's ``POST R/orders`` (a takeaway with the same 3 lines, ``Idempotency-Key``,
  as a waiter); goal ≥ 0.5 with p99 < 25 ms;
- the whole-menu read: bare bytes ``GET /menu`` against Brigade's ``GET R/menu``;
  goal ≥ 0.6.

Every case runs ``--seconds`` measured seconds per side, split in ``--rounds`` rounds
that alternate raw and Brigade (drift on a shared machine hits both alike), after
``--warmup`` seconds (half of it before each later round). It prints the load average at
start and end, the figures side by side, one summary line per database of the form
``sqlite loop Brigade/raw = 0.NN`` with the goals marked PASS/FAIL, every error answer
(counted, with the first body) and writes everything to ``bench/results/latest.json``.
Exit code 1 when any request failed. Loopback only; every loop and wait is bounded; the
servers it started are stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import platform
import random
import secrets
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import harness
from bench.load import LoadResult, Request, merge, run_load
from bench.loop import LoopDriver, LoopResult

RESULTS = Path(__file__).resolve().parent / "results"
SERVER_CPU = 0
CLIENT_CPU = 1
LOOP_GOAL = 0.5
STEP_P99_GOAL_MS = 25.0
ORDER_GOAL = 0.5
ORDER_P99_GOAL_MS = 25.0
MENU_GOAL = 0.6
LOOP_ROLES = ("waiter", "kitchen", "cashier")


def menu_variations(menu: dict[str, Any]) -> list[tuple[int, int]]:
    """``(menu_item_id, variation_id)`` of every available variation of ``menu``
    (the ``GET R/menu`` shape)."""
    pairs = []
    for category in menu["categories"]:
        for item in category["items"]:
            if not item.get("is_available", True):
                continue
            for variation in item["variations"]:
                if variation.get("is_available", True):
                    pairs.append((item["id"], variation["id"]))
    return pairs


def order_bodies(pairs: list[tuple[int, int]], count: int = 512, lines: int = 3) -> list[bytes]:
    """``count`` takeaway order bodies of ``lines`` distinct pizzas each (fixed seed)."""
    rng = random.Random(2015)
    bodies = []
    for _ in range(count):
        chosen = rng.sample(pairs, lines)
        body = {
            "kind": "takeaway",
            "items": [
                {"menu_item_id": item, "variation_id": variation, "quantity": 1}
                for item, variation in chosen
            ],
        }
        bodies.append(json.dumps(body).encode())
    return bodies


def cycling(
    method: str, path: str, bodies: list[bytes] | None, headers: dict[str, str], key: str | None
) -> Callable[[], Request]:
    """A request factory cycling through ``bodies``; with ``key``, each request gets a
    unique ``Idempotency-Key`` (``<key>-<n>``)."""
    counter = itertools.count()

    def make() -> Request:
        n = next(counter)
        body = bodies[n % len(bodies)] if bodies else None
        if key is None:
            return method, path, body, headers
        return method, path, body, {**headers, "Idempotency-Key": f"{key}-{n}"}

    return make


async def alternate(
    cases: list[tuple[str, harness.Server, Callable[[], Request], int]],
    *,
    concurrency: int,
    seconds: float,
    rounds: int,
    warmup: float,
    database_cpu: Callable[[], float] | None = None,
) -> list[LoadResult]:
    """Run ``cases`` (name, server, request factory, expected status) in ``rounds``
    alternating rounds; returns one merged result per case, in order. ``database_cpu``
    reads the database server's CPU seconds (PostgreSQL), measured per case too."""
    per_case: list[list[LoadResult]] = [[] for _ in cases]
    for round_no in range(rounds):
        for index, (name, server, make, expect) in enumerate(cases):
            result = await run_load(
                name,
                server.url,
                make,
                concurrency=concurrency,
                seconds=seconds / rounds,
                warmup=warmup if round_no == 0 else warmup / 2,
                expect=expect,
                server_pid=server.proc.pid,
                server_core=SERVER_CPU,
                database_cpu=database_cpu,
            )
            per_case[index].append(result)
    return [merge(name, results) for (name, *_), results in zip(cases, per_case, strict=True)]


# --- the loop's verdict and its lines (pure) -------------------------------------------


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator`` rounded to 3 places; ``None`` when either is missing,
    not a number, or the denominator is 0."""
    if numerator is None or denominator is None or not denominator:
        return None
    if math.isnan(numerator) or math.isnan(denominator):
        return None
    return round(numerator / denominator, 3)


@dataclass(frozen=True)
class LoopVerdict:
    """The loop's goals for one database: Brigade's loops/s over raw's (``ratio``, goal
    ≥ :data:`LOOP_GOAL`), raw's server CPU per loop over Brigade's (``cpu_ratio``, what
    the ratio would be with the server alone on its core) and Brigade's worst step p99
    (goal < :data:`STEP_P99_GOAL_MS` on every step)."""

    ratio: float | None
    cpu_ratio: float | None
    worst_step: str
    worst_p99_ms: float
    brigade_errors: int

    @property
    def ratio_pass(self) -> bool:
        """The loop ratio meets its goal."""
        return self.ratio is not None and self.ratio >= LOOP_GOAL

    @property
    def p99_pass(self) -> bool:
        """Every Brigade step's p99 is under the goal (a step without answers fails)."""
        return not math.isnan(self.worst_p99_ms) and self.worst_p99_ms < STEP_P99_GOAL_MS


def loop_verdict(raw: LoopResult, brigade: LoopResult) -> LoopVerdict:
    """The :class:`LoopVerdict` of one database's two sides."""
    answered = [s for s in brigade.steps if s.requests]
    if len(answered) < len(brigade.steps):  # a step never answered: no p99 to meet the goal
        worst = next(s for s in brigade.steps if not s.requests)
        worst_step, worst_p99 = worst.name, float("nan")
    else:
        worst_step, worst_p99 = brigade.worst_p99
    return LoopVerdict(
        ratio=ratio(brigade.loops_per_second, raw.loops_per_second),
        cpu_ratio=ratio(raw.server_us_per_loop, brigade.server_us_per_loop),
        worst_step=worst_step,
        worst_p99_ms=worst_p99,
        brigade_errors=brigade.errors,
    )


def _pass(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _fmt(value: float | None, spec: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return format(value, spec)


def loop_summary(kind: str, verdict: LoopVerdict) -> str:
    """The summary line of one database: ``<kind> loop Brigade/raw = 0.NN`` then the
    goals marked PASS/FAIL, the ratio by server CPU and Brigade's errors if any."""
    line = (
        f"{kind} loop Brigade/raw = {_fmt(verdict.ratio, '.2f')} "
        f"(goal ≥ {LOOP_GOAL}): {_pass(verdict.ratio_pass)}; "
        f"every step's p99 < {STEP_P99_GOAL_MS:g} ms: {_pass(verdict.p99_pass)} "
        f"(worst: {verdict.worst_step} {_fmt(verdict.worst_p99_ms, '.1f')} ms); "
        f"by server CPU per loop {_fmt(verdict.cpu_ratio, '.2f')}"
    )
    if verdict.brigade_errors:
        line += f"; Brigade errors: {verdict.brigade_errors}"
    return line


def _side(result: LoadResult) -> str:
    return (
        f"{result.rps:>8.0f}{_fmt(result.p50_ms, '.1f'):>7}{_fmt(result.p99_ms, '.1f'):>7}"
        f"{_fmt(result.server_us_per_request, '.0f'):>8}"
        f"{_fmt(result.database_us_per_request, '.0f'):>7}{result.errors:>7}"
    )


def loop_table(kind: str, raw: LoopResult, brigade: LoopResult) -> list[str]:
    """The lines of one database's loop table: a row per step and one for the whole
    loop, raw and Brigade side by side, then each side's first error per step."""
    head = f"{'req/s':>8}{'p50 ms':>7}{'p99 ms':>7}{'µs/req':>8}{'db µs':>7}{'errors':>7}"
    lines = [
        f"{kind:<11}{'':<16}{'raw SQL':^44} |{'Brigade':^44} |",
        f"{'':<11}{'step':<16}{head} |{head} |{'CPU raw/B':>10}",
    ]
    for raw_step, brigade_step in zip(raw.steps, brigade.steps, strict=True):
        cpu = ratio(raw_step.server_us_per_request, brigade_step.server_us_per_request)
        lines.append(
            f"{'':<11}{raw_step.name:<16}{_side(raw_step)} |{_side(brigade_step)} |"
            f"{_fmt(cpu, '.2f'):>10}"
        )

    def whole(result: LoopResult) -> str:
        return (
            f"{result.loops_per_second:>8.1f}{'':>14}{_fmt(result.server_us_per_loop, '.0f'):>8}"
            f"{_fmt(result.database_us_per_loop, '.0f'):>7}{result.errors:>7}"
        )

    cpu = ratio(raw.server_us_per_loop, brigade.server_us_per_loop)
    lines.append(
        f"{'':<11}{'whole loop':<16}{whole(raw)} |{whole(brigade)} |{_fmt(cpu, '.2f'):>10}"
    )
    lines.append(
        f"{'':<11}(whole loop: loops/s and CPU µs per loop; {raw.loops} and {brigade.loops} "
        f"loops paid; others on the server's core {_fmt(raw.others, '.0f')}% / "
        f"{_fmt(brigade.others, '.0f')}%)"
    )
    for result in (raw, brigade):
        for step in result.steps:
            if step.first_error:
                statuses = ", ".join(f"{k}: {v}" for k, v in sorted(step.statuses.items()))
                lines.append(
                    f"{'':<11}{result.name} {step.name}: {step.errors} errors ({statuses}); "
                    f"first: {step.first_error[:300]}"
                )
        if result.warmup_errors:
            lines.append(
                f"{'':<11}{result.name} warm-up: {result.warmup_errors} errors; "
                f"first: {(result.warmup_first_error or '')[:300]}"
            )
        if result.tables_lost:
            lines.append(
                f"{'':<11}{result.name}: {result.tables_lost} tables left out after a failed loop"
            )
    return lines


# --- one database ----------------------------------------------------------------------


async def role_headers(url: str, setup: harness.Setup) -> dict[str, dict[str, str]]:
    """``{role: {"Authorization": "Bearer ..."}}`` of the loop's roles, logged in now."""
    headers = {}
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for role in LOOP_ROLES:
            token = await harness.login(client, setup.staff[role], setup.password)
            headers[role] = {"Authorization": f"Bearer {token}"}
    return headers


async def run_loops(
    raw: LoopDriver,
    brigade: LoopDriver,
    brigade_url: str,
    setup: harness.Setup,
    args: argparse.Namespace,
) -> tuple[LoopResult, LoopResult]:
    """``args.rounds`` alternating rounds of the loop, raw first; fresh logins before each
    round (both sides send the same headers; raw ignores them)."""
    for round_no in range(args.rounds):
        headers = await role_headers(brigade_url, setup)
        warmup = args.warmup if round_no == 0 else args.warmup / 2
        for driver in (raw, brigade):
            driver.headers = headers
            await driver.run_round(args.seconds / args.rounds, warmup)
    return raw.result(), brigade.result()


def _chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


async def bench_database(kind: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Prepare ``kind``'s database and servers, run the loop and the two secondary
    cases, return the figures."""
    print(f"[{kind}] preparing the database and the restaurant ...", flush=True)
    db = await harness.prepare_database(kind, workdir)
    setup = await harness.create_restaurant(db.url)
    rid = setup.restaurant_id
    data_dir = workdir / "data"
    data_dir.mkdir(exist_ok=True)
    per_side = args.concurrency * args.tables_per_client
    database_cpu = harness.postgres_cpu_seconds if kind == "postgresql" else None
    raw_env = {"BENCH_RAW_DATABASE": db.raw, "BENCH_RESTAURANT_ID": str(rid)}
    if kind == "sqlite":
        raw_env["BENCH_SQLITE_SYNCHRONOUS"] = await harness.sqlite_synchronous(db.url)
    servers: list[harness.Server] = []
    try:
        brigade = harness.start_server(
            f"brigade-{kind}",
            "brigade.asgi:app",
            env=harness.brigade_env(db, data_dir),
            log_dir=workdir,
            cpu=SERVER_CPU,
        )
        servers.append(brigade)
        await harness.wait_ready(brigade, "/healthz")
        async with httpx.AsyncClient(base_url=brigade.url, timeout=30) as client:
            owner = await harness.login(client, setup.staff["owner"], setup.password)
            client.headers["Authorization"] = f"Bearer {owner}"
            print(f"[{kind}] creating 2 × {per_side} tables ...", flush=True)
            raw_tables = await harness.create_tables(client, rid, per_side, prefix="R")
            brigade_tables = await harness.create_tables(client, rid, per_side, prefix="B")
            waiter = await harness.login(client, setup.staff["waiter"], setup.password)
            client.headers["Authorization"] = f"Bearer {waiter}"
            response = await client.get(f"/api/v1/restaurants/{rid}/menu")
            response.raise_for_status()
            menu_bytes = response.content
        menu_file = workdir / f"menu-{kind}.json"
        menu_file.write_bytes(menu_bytes)
        raw_env["BENCH_MENU_FILE"] = str(menu_file)
        raw = harness.start_server(
            f"raw-{kind}",
            "bench.servers.raw_baseline:app_from_env",
            factory=True,
            env=raw_env,
            log_dir=workdir,
            cpu=SERVER_CPU,
        )
        servers.append(raw)
        await harness.wait_ready(raw, "/menu")

        choices = menu_variations(json.loads(menu_bytes))
        r = f"/api/v1/restaurants/{rid}"
        nonce = secrets.token_hex(3)
        common: dict[str, Any] = {
            "server_core": SERVER_CPU,
            "choices": choices,
            "database_cpu": database_cpu,
        }
        print(f"[{kind}] dine-in service loop: raw baseline vs Brigade ...", flush=True)
        raw_loop, brigade_loop = await run_loops(
            LoopDriver(
                "raw",
                raw.url,
                r,
                server_pid=raw.proc.pid,
                tables=_chunks(raw_tables, args.tables_per_client),
                key=f"raw-{nonce}",
                **common,
            ),
            LoopDriver(
                "Brigade",
                brigade.url,
                r,
                server_pid=brigade.proc.pid,
                tables=_chunks(brigade_tables, args.tables_per_client),
                key=f"loop-{nonce}",
                **common,
            ),
            brigade.url,
            setup,
            args,
        )

        bodies = order_bodies(choices)
        json_headers = {"Content-Type": "application/json"}
        auth = {"Authorization": f"Bearer {waiter}"}
        options: dict[str, Any] = {
            "concurrency": args.concurrency,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "warmup": args.warmup,
            "database_cpu": database_cpu,
        }
        print(f"[{kind}] keyed takeaway create: raw baseline vs Brigade ...", flush=True)
        raw_orders, brigade_orders = await alternate(
            [
                (
                    "raw order insert",
                    raw,
                    cycling("POST", "/orders", bodies, json_headers, None),
                    201,
                ),
                (
                    "Brigade POST R/orders",
                    brigade,
                    cycling("POST", f"{r}/orders", bodies, {**json_headers, **auth}, f"b-{nonce}"),
                    201,
                ),
            ],
            **options,
        )
        print(f"[{kind}] menu: bare bytes vs Brigade ...", flush=True)
        raw_menu, brigade_menu = await alternate(
            [
                ("bare menu bytes", raw, cycling("GET", "/menu", None, {}, None), 200),
                ("Brigade GET R/menu", brigade, cycling("GET", f"{r}/menu", None, auth, None), 200),
            ],
            **options,
        )
    finally:
        for server in servers:
            server.stop()
    verdict = loop_verdict(raw_loop, brigade_loop)
    cases = [raw_orders, brigade_orders, raw_menu, brigade_menu]
    return {
        "database": kind,
        "menu_bytes": len(menu_bytes),
        "sqlite_synchronous": raw_env.get("BENCH_SQLITE_SYNCHRONOUS"),
        "loop": {
            "clients": args.concurrency,
            "tables_per_client": args.tables_per_client,
            "raw": raw_loop.as_dict(),
            "brigade": brigade_loop.as_dict(),
            "ratio": verdict.ratio,
            "cpu_ratio": verdict.cpu_ratio,
            "worst_step_p99": {"step": verdict.worst_step, "p99_ms": verdict.worst_p99_ms},
            "goals": {"loop_ratio": LOOP_GOAL, "step_p99_ms": STEP_P99_GOAL_MS},
            "pass": {"loop_ratio": verdict.ratio_pass, "step_p99": verdict.p99_pass},
        },
        "cases": {c.name: c.as_dict() for c in cases},
        "ratios": {
            "orders": ratio(brigade_orders.rps, raw_orders.rps),
            "menu": ratio(brigade_menu.rps, raw_menu.rps),
        },
        # What the throughput ratio would be with the server alone on its core: the ratio
        # of server CPU per request (robust on a shared, busy machine).
        "cpu_ratios": {
            "orders": cpu_ratio(raw_orders, brigade_orders),
            "menu": cpu_ratio(raw_menu, brigade_menu),
        },
        "goals": {
            "orders_ratio": ORDER_GOAL,
            "orders_p99_ms": ORDER_P99_GOAL_MS,
            "menu_ratio": MENU_GOAL,
        },
        "pass": {
            "orders": (
                brigade_orders.rps >= ORDER_GOAL * raw_orders.rps
                and brigade_orders.p99_ms < ORDER_P99_GOAL_MS
            ),
            "menu": brigade_menu.rps >= MENU_GOAL * raw_menu.rps,
        },
        "_results": cases,
        "_loop": (raw_loop, brigade_loop, verdict),
    }


def cpu_ratio(raw: LoadResult, brigade: LoadResult) -> float | None:
    """Raw's server CPU per request over Brigade's (``None`` if not measured)."""
    return ratio(raw.server_us_per_request, brigade.server_us_per_request)


def others(result: LoadResult) -> float | None:
    """Percent of the server's core used by other processes during the case."""
    if result.core_busy is None or result.server_cpu is None:
        return None
    return max(0.0, result.core_busy - result.server_cpu) * 100


def print_table(reports: list[dict[str, Any]], args: argparse.Namespace) -> None:
    """Print the figures of every database: the loop tables, then the secondary cases,
    then the summary lines."""
    print()
    print(
        f"Brigade vs raw SQL: {args.concurrency} clients, {args.seconds:g} s per side and "
        f"case ({args.rounds} alternating rounds), server on CPU {SERVER_CPU}, "
        f"load generator on CPU {CLIENT_CPU}"
    )
    print()
    print(
        f"Dine-in service loop ({args.concurrency} clients × {args.tables_per_client} "
        "tables, each step in waves; req/s of the step's phases; µs/req: the server's CPU "
        "per request; db µs: PostgreSQL's CPU per request, all its processes; "
        "CPU raw/B: raw's server CPU per request over Brigade's)"
    )
    for report in reports:
        raw_loop, brigade_loop, _ = report["_loop"]
        print("\n".join(loop_table(report["database"], raw_loop, brigade_loop)))
    print()
    header = (
        f"{'database':<11}{'case':<24}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}{'srv CPU':>9}{'µs/req':>8}{'others':>8}{'gen CPU':>9}{'db µs':>7}"
    )
    print("Secondary cases")
    print(header)
    print("-" * len(header))
    print(
        "srv CPU: the server process's share of its core; µs/req: its CPU per request; "
        "others: the same core used by other processes (noise); gen CPU: this load generator; "
        "db µs: PostgreSQL's CPU per request, all its processes on both cores"
    )
    print("-" * len(header))
    for report in reports:
        for result in report["_results"]:
            print(
                f"{report['database']:<11}{result.name:<24}{result.rps:>9.0f}"
                f"{result.p50_ms:>9.1f}{result.p99_ms:>9.1f}{result.errors:>8}"
                f"{_fmt(result.server_cpu and result.server_cpu * 100, '.0f'):>8}%"
                f"{_fmt(result.server_us_per_request, '.0f'):>8}"
                f"{_fmt(others(result), '.0f'):>7}%"
                f"{result.client_cpu * 100:>8.0f}%"
                f"{_fmt(result.database_us_per_request, '.0f'):>7}"
            )
            if result.first_error:
                print(f"{'':<11}  first error: {result.first_error[:200]}")
        ratios, ok, cpu = report["ratios"], report["pass"], report["cpu_ratios"]
        brigade_orders = report["_results"][1]
        print(
            f"{report['database']:<11}takeaway Brigade/raw = {_fmt(ratios['orders'], '.2f')} "
            f"(goal ≥ {ORDER_GOAL}), Brigade p99 {brigade_orders.p99_ms:.1f} ms "
            f"(goal < {ORDER_P99_GOAL_MS:g} ms): {_pass(ok['orders'])}; "
            f"by server CPU per request {_fmt(cpu['orders'], '.2f')}"
        )
        print(
            f"{report['database']:<11}menu     Brigade/raw = {_fmt(ratios['menu'], '.2f')} "
            f"(goal ≥ {MENU_GOAL}): {_pass(ok['menu'])}; "
            f"by server CPU per request {_fmt(cpu['menu'], '.2f')}"
        )
        print("-" * len(header))
    print()
    for report in reports:
        print(loop_summary(report["database"], report["_loop"][2]))


def save(reports: list[dict[str, Any]], args: argparse.Namespace, load_start: Any) -> Path:
    """Write the figures to ``bench/results/latest.json``; returns its path."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "latest.json"
    payload = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_start": load_start,
            "load_average": os.getloadavg(),
        },
        "config": {
            "concurrency": args.concurrency,
            "tables_per_client": args.tables_per_client,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "warmup": args.warmup,
            "server_cpu": SERVER_CPU,
            "client_cpu": CLIENT_CPU,
        },
        "results": {
            r["database"]: {k: v for k, v in r.items() if not k.startswith("_")} for r in reports
        },
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="measured seconds per side and case"
    )
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per pair")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per case")
    parser.add_argument(
        "--tables-per-client", type=int, default=8, help="tables each loop client owns"
    )
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 600 or args.concurrency <= 0 or args.rounds <= 0:
        parser.error("--seconds must be in (0, 600], --concurrency and --rounds positive")
    if not 0 <= args.warmup <= 60 or not 1 <= args.tables_per_client <= 100:
        parser.error("--warmup must be in [0, 60], --tables-per-client in [1, 100]")
    return args


def _load() -> tuple[float, float, float]:
    return os.getloadavg()


async def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit code (1 if any request failed)."""
    args = parse_args(argv)
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {CLIENT_CPU})
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    load_start = _load()
    print("load average at start: " + " ".join(f"{v:.2f}" for v in load_start), flush=True)
    if load_start[0] > 0.5:
        print(
            f"note: the machine is busy (load average {load_start[0]:.1f}); figures will be noisy"
        )
    reports = []
    with tempfile.TemporaryDirectory(prefix="brigade-bench-") as tmp:
        for kind in kinds:
            workdir = Path(tmp) / kind
            workdir.mkdir()
            reports.append(await bench_database(kind, args, workdir))
    print_table(reports, args)
    path = save(reports, args, load_start)
    print("load average at end: " + " ".join(f"{v:.2f}" for v in _load()))
    print(f"figures saved to {path}")
    failed = any(result.errors for report in reports for result in report["_results"]) or any(
        side.errors for report in reports for side in report["_loop"][:2]
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
