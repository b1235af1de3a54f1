"""Floor reads while a manager requests year reports: does a long read stop service?

One Brigade server (uvicorn, one worker) on a fresh database holding the pizza place's
whole year (21,350 orders of 2015, imported with Brigade's own importer), 20 tables of
which 10 have an open dine-in order. Two cases, printed side by side per database:

1. ``floor alone``: ``clients`` waiters' clients request ``GET R/floor`` in a closed
   loop (``R`` = ``/api/v1/restaurants/{rid}``) for ``seconds``, after ``warmup``;
2. ``floor + reports``: the same, while ``report_clients`` managers' clients request
   ``GET R/reports/products?start_date=2015-01-01&end_date=2015-12-31`` and
   ``GET R/reports/sales?...`` (the same year) in turn, in a loop, from before the
   warm-up to the end.

Per case: the floor's req/s, p50, p99 and max (ms) and, while reports run, the reports
answered and their p50 (ms). Goal (issue 8): the floor's p99 under 10 ms while reports
run, on SQLite.

    python -m bench.reads_while_serving --db sqlite --seconds 3

Loopback only; every server started here is stopped here.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

from bench import harness
from bench.load import LoadResult, percentile, run_load

YEAR = "start_date=2015-01-01&end_date=2015-12-31"
TABLES = 20
SEATED = 10
GOAL_P99_MS = 10.0


async def create_year_restaurant(database_url: str) -> harness.Setup:
    """The pizza place with its whole year of orders (:func:`brigade.imports.pizza_place.
    import_pizza_place`), an owner and a waiter (``bench-<role>``, password
    :data:`bench.harness.STAFF_PASSWORD`); the platform admin ``bench-admin``."""
    from brigade.auth.permissions import Role
    from brigade.auth.service import create_user
    from brigade.events.unit_of_work import unit_of_work
    from brigade.imports.pizza_place import import_pizza_place, load_pizza_place
    from brigade.infra.db import Database
    from brigade.restaurants.service import add_member

    data = await asyncio.to_thread(load_pizza_place, None)
    db = Database(database_url)
    try:
        async with unit_of_work(db, None) as session:
            await create_user(
                session, username="bench-admin", password=harness.STAFF_PASSWORD, is_admin=True
            )
            report = await import_pizza_place(
                session, data, slug=f"pizza-year-{secrets.token_hex(3)}", name="Pizza Place"
            )
            setup = harness.Setup(restaurant_id=report.restaurant_id, admin="bench-admin")
            for role in ("owner", "waiter"):
                user = await create_user(
                    session, username=f"bench-{role}", password=harness.STAFF_PASSWORD
                )
                await add_member(session, report.restaurant_id, user.id, Role(role))
                setup.staff[role] = user.username
    finally:
        await db.dispose()
    return setup


async def seat_tables(client: Any, r: str, owner: dict[str, str], waiter: dict[str, str]) -> None:
    """``TABLES`` tables, an open dine-in order of 3 lines at the first ``SEATED``."""
    response = await client.get(f"{r}/menu", headers=waiter)
    menu = response.json()
    choices = [
        {"menu_item_id": item["id"], "variation_id": item["variations"][0]["id"]}
        for category in menu["categories"]
        for item in category["items"]
        if item["variations"]
    ][:3]
    for n in range(1, TABLES + 1):
        table = await client.post(f"{r}/tables", json={"name": f"Y{n}", "seats": 4}, headers=owner)
        table.raise_for_status()
        if n <= SEATED:
            body = {"kind": "dine_in", "table_id": table.json()["id"], "items": choices}
            headers = {**waiter, "Idempotency-Key": uuid.uuid4().hex}
            (await client.post(f"{r}/orders", json=body, headers=headers)).raise_for_status()


async def report_loop(
    base_url: str, r: str, headers: dict[str, str], stop: asyncio.Event
) -> list[float]:
    """Request the year's products and sales reports in turn until ``stop``; returns
    the latencies (ms) of the answers (each must be 200)."""
    paths = [f"{r}/reports/products?{YEAR}", f"{r}/reports/sales?{YEAR}"]
    latencies: list[float] = []
    async with aiohttp.ClientSession(base_url=base_url) as session:
        n = 0
        while not stop.is_set():
            began = time.perf_counter()
            async with session.get(paths[n % 2], headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"report answered {response.status}")
            latencies.append((time.perf_counter() - began) * 1000)
            n += 1
    return latencies


async def bench_database(kind: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Set up ``kind``, run both cases; rows for :func:`print_table`."""
    import httpx

    work = Path(tempfile.mkdtemp(prefix="brigade-reads-bench-"))
    db = await harness.prepare_database(kind, work)
    started = time.perf_counter()
    setup = await create_year_restaurant(db.url)
    print(f"{kind}: the year imported in {time.perf_counter() - started:.1f} s", flush=True)
    server = harness.start_server(
        "brigade", "brigade.asgi:app", env=harness.brigade_env(db, work), log_dir=work
    )
    rows: list[dict[str, Any]] = []
    try:
        await harness.wait_ready(server, "/healthz")
        r = f"/api/v1/restaurants/{setup.restaurant_id}"
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            tokens = {
                role: await harness.login(client, name, setup.password)
                for role, name in setup.staff.items()
            }
            owner = {"Authorization": f"Bearer {tokens['owner']}"}
            waiter = {"Authorization": f"Bearer {tokens['waiter']}"}
            await seat_tables(client, r, owner, waiter)
        floor = ("GET", f"{r}/floor", None, waiter)

        async def floor_load(name: str) -> LoadResult:
            return await run_load(
                name,
                server.url,
                lambda: floor,
                concurrency=args.clients,
                seconds=args.seconds,
                warmup=args.warmup,
                expect=200,
                server_pid=server.proc.pid,
            )

        alone = await floor_load("floor alone")
        rows.append({"kind": kind, "result": alone, "reports": None})
        stop = asyncio.Event()
        managers = [
            asyncio.create_task(report_loop(server.url, r, owner, stop))
            for _ in range(args.report_clients)
        ]
        try:
            busy = await floor_load("floor + reports")
        finally:
            stop.set()
        answered = await asyncio.gather(*managers)
        reports = sorted(ms for latencies in answered for ms in latencies)
        rows.append({"kind": kind, "result": busy, "reports": reports})
    finally:
        server.stop()
    return rows


def print_table(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    """The cases side by side, and whether the goal is met per database."""
    print()
    print(
        f"GET …/floor, {args.clients} clients, {args.seconds:g} s after {args.warmup:g} s "
        f"warm-up; reports: {args.report_clients} client(s), products and sales of 2015 in turn"
    )
    header = (
        f"{'db':<11}{'case':<17}{'floor req/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'errors':>8}{'reports':>9}{'report p50':>12}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        result: LoadResult = row["result"]
        reports: list[float] | None = row["reports"]
        answered = f"{len(reports):>9}" if reports is not None else f"{'':>9}"
        report_p50 = f"{percentile(reports, 0.5):>12.1f}" if reports else f"{'':>12}"
        print(
            f"{row['kind']:<11}{result.name:<17}{result.rps:>12.0f}{result.p50_ms:>9.2f}"
            f"{result.p99_ms:>9.2f}{result.max_ms:>9.1f}{result.errors:>8}{answered}{report_p50}"
        )
    for row in rows:
        if row["reports"] is not None:
            p99 = row["result"].p99_ms
            verdict = "met" if p99 < GOAL_P99_MS else "NOT met"
            print(
                f"{row['kind']} floor p99 while reports run = {p99:.2f} ms "
                f"(goal < {GOAL_P99_MS:g} ms: {verdict})"
            )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.reads_while_serving", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=3.0, help="measured seconds per case")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per case")
    parser.add_argument("--clients", type=int, default=2, help="concurrent floor clients")
    parser.add_argument(
        "--report-clients", type=int, default=1, help="managers requesting reports at once"
    )
    return parser.parse_args(argv)


async def main(argv: list[str] | None = None) -> int:
    """Run the cases for the chosen databases and print them; exit status 0."""
    args = parse_args(argv)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    load = os.getloadavg()
    rows: list[dict[str, Any]] = []
    for kind in kinds:
        rows += await bench_database(kind, args)
    print_table(rows, args)
    after = os.getloadavg()
    print(
        f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
        f"at end {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
