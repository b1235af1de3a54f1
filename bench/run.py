"""Brigade against a raw-SQL baseline, side by side, in one run.

``python -m bench.run [--db sqlite|postgresql|both] [--seconds N] [--concurrency 16]``

For each database: a fresh database (a SQLite file in a temp dir; PostgreSQL database
``brigade_bench`` on 127.0.0.1:5432, recreated), migrated with Brigade's migrations; the
pizza place's restaurant with its menu and no history, staff logins and tables, made by
Brigade's own code; then two servers, each pinned to CPU core 0 while this load
generator runs on core 1:

- Brigade (``brigade.asgi:app``, uvicorn),
- the baseline (:mod:`bench.servers.raw_baseline`, the same uvicorn settings).

Four cases, each driven by ``--concurrency`` keep-alive clients for ``--seconds``
measured seconds (split in ``--rounds`` rounds that alternate raw and Brigade, so drift
on a shared machine hits both alike):

(a) raw baseline ``POST /orders``: an order and 3 lines, raw asyncpg / aiosqlite;
(b) Brigade ``POST R/orders``: a takeaway with the same 3 lines, with an
    ``Idempotency-Key``, as a waiter;
(c) bare Starlette ``GET /menu`` returning the bytes of Brigade's whole menu;
(d) Brigade ``GET R/menu``, as the waiter.

It prints req/s, p50 and p99 per case, the ratios Brigade/raw (goals: orders ≥ 0.5 with
p99 < 25 ms, menu ≥ 0.6) and each server's CPU per request, and writes everything to
``bench/results/latest.json``. Loopback only; every loop and wait is bounded; the
servers it started are stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import random
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import harness
from bench.load import LoadResult, Request, merge, run_load

RESULTS = Path(__file__).resolve().parent / "results"
SERVER_CPU = 0
CLIENT_CPU = 1
ORDER_GOAL = 0.5
ORDER_P99_GOAL_MS = 25.0
MENU_GOAL = 0.6


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


async def bench_database(kind: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Prepare ``kind``'s database and servers, run the four cases, return the figures."""
    print(f"[{kind}] preparing the database and the restaurant ...", flush=True)
    db = await harness.prepare_database(kind, workdir)
    setup = await harness.create_restaurant(db.url)
    rid = setup.restaurant_id
    data_dir = workdir / "data"
    data_dir.mkdir(exist_ok=True)
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
            try:
                await harness.create_tables(client, rid, args.tables)
            except RuntimeError as exc:  # the takeaway cases need no table
                print(f"[{kind}] tables not created: {exc}", flush=True)
            waiter = await harness.login(client, setup.staff["waiter"], setup.password)
            client.headers["Authorization"] = f"Bearer {waiter}"
            response = await client.get(f"/api/v1/restaurants/{rid}/menu")
            response.raise_for_status()
            menu_bytes = response.content
        menu_file = workdir / f"menu-{kind}.json"
        menu_file.write_bytes(menu_bytes)
        raw = harness.start_server(
            f"raw-{kind}",
            "bench.servers.raw_baseline:app_from_env",
            factory=True,
            env={
                "BENCH_RAW_DATABASE": db.raw,
                "BENCH_RESTAURANT_ID": str(rid),
                "BENCH_MENU_FILE": str(menu_file),
            },
            log_dir=workdir,
            cpu=SERVER_CPU,
        )
        servers.append(raw)
        await harness.wait_ready(raw, "/menu")

        bodies = order_bodies(menu_variations(json.loads(menu_bytes)))
        json_headers = {"Content-Type": "application/json"}
        auth = {"Authorization": f"Bearer {waiter}"}
        r = f"/api/v1/restaurants/{rid}"
        options = {
            "concurrency": args.concurrency,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "warmup": args.warmup,
            "database_cpu": harness.postgres_cpu_seconds if kind == "postgresql" else None,
        }
        print(f"[{kind}] orders: raw baseline vs Brigade ...", flush=True)
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
                    cycling("POST", f"{r}/orders", bodies, {**json_headers, **auth}, f"b-{kind}"),
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
    cases = [raw_orders, brigade_orders, raw_menu, brigade_menu]
    return {
        "database": kind,
        "menu_bytes": len(menu_bytes),
        "cases": {c.name: c.as_dict() for c in cases},
        "ratios": {
            "orders": round(brigade_orders.rps / raw_orders.rps, 3) if raw_orders.rps else None,
            "menu": round(brigade_menu.rps / raw_menu.rps, 3) if raw_menu.rps else None,
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
    }


def cpu_ratio(raw: LoadResult, brigade: LoadResult) -> float | None:
    """Raw's server CPU per request over Brigade's (``None`` if not measured)."""
    raw_us, brigade_us = raw.server_us_per_request, brigade.server_us_per_request
    if raw_us is None or not brigade_us:
        return None
    return round(raw_us / brigade_us, 3)


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def others(result: LoadResult) -> float | None:
    """Percent of the server's core used by other processes during the case."""
    if result.core_busy is None or result.server_cpu is None:
        return None
    return max(0.0, result.core_busy - result.server_cpu) * 100


def print_table(reports: list[dict[str, Any]], args: argparse.Namespace) -> None:
    """Print the figures of every database side by side."""
    print()
    print(
        f"Brigade vs raw SQL: {args.concurrency} clients, {args.seconds:g} s per case "
        f"({args.rounds} alternating rounds), server on CPU {SERVER_CPU}, "
        f"load generator on CPU {CLIENT_CPU}"
    )
    header = (
        f"{'database':<11}{'case':<24}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}{'srv CPU':>9}{'µs/req':>8}{'others':>8}{'gen CPU':>9}{'db µs':>7}"
    )
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
            f"{report['database']:<11}orders Brigade/raw = {_fmt(ratios['orders'], '.2f')} "
            f"(goal ≥ {ORDER_GOAL}), Brigade p99 {brigade_orders.p99_ms:.1f} ms "
            f"(goal < {ORDER_P99_GOAL_MS:g} ms): {'PASS' if ok['orders'] else 'FAIL'}; "
            f"by server CPU per request {_fmt(cpu['orders'], '.2f')}"
        )
        print(
            f"{report['database']:<11}menu   Brigade/raw = {_fmt(ratios['menu'], '.2f')} "
            f"(goal ≥ {MENU_GOAL}): {'PASS' if ok['menu'] else 'FAIL'}; "
            f"by server CPU per request {_fmt(cpu['menu'], '.2f')}"
        )
        print("-" * len(header))


def save(reports: list[dict[str, Any]], args: argparse.Namespace) -> Path:
    """Write the figures to ``bench/results/latest.json``; returns its path."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "latest.json"
    payload = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average": os.getloadavg(),
        },
        "config": {
            "concurrency": args.concurrency,
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
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per case")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per pair")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per case")
    parser.add_argument("--tables", type=int, default=20, help="tables to create")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.concurrency <= 0 or args.rounds <= 0 or args.seconds > 600:
        parser.error("--seconds must be in (0, 600], --concurrency and --rounds positive")
    return args


async def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit code (1 if any request failed)."""
    args = parse_args(argv)
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {CLIENT_CPU})
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"note: the machine is busy (load average {load:.1f}); figures will be noisy")
    reports = []
    with tempfile.TemporaryDirectory(prefix="brigade-bench-") as tmp:
        for kind in kinds:
            workdir = Path(tmp) / kind
            workdir.mkdir()
            reports.append(await bench_database(kind, args, workdir))
    print_table(reports, args)
    path = save(reports, args)
    print(f"figures saved to {path}")
    failed = any(result.errors for report in reports for result in report["_results"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
