"""Every report's time over the pizza place's year, then over ten times that volume.

``python -m bench.reports [--db sqlite|postgresql|both] [--runs 5]``

For each database: a fresh database (a SQLite file in a temp dir; PostgreSQL database
``brigade_bench_reports`` on 127.0.0.1:5432, recreated), migrated; the pizza place's
year (21,350 orders of 2015, 49,574 pizzas) imported with Brigade's importer; the app
built with ``create_app()`` and called in-process (``httpx.ASGITransport``, no server:
the figure is the report's own time, routing, auth, SQL and JSON included) as the
restaurant's owner.

1. ``1x``: every report (each grouping of the sales report, each choice of the others)
   over the year 2015;
2. ``10x``: the year is copied nine times into 2016–2024 (orders, lines, checks,
   payments: ``INSERT ... SELECT`` with the dates shifted, a few seconds) and every
   report runs over the ten years, 213,500 orders.

Each report is requested once to warm up, then ``--runs`` times; the median (ms) is
printed for both volumes side by side with the growth (10x / 1x) and the goals:
under 200 ms at 1x and under 1 s at 10x (issue 10), marked PASS/FAIL. Exit code 1
when a report answers anything but 200.

Do not run it next to another benchmark: the machine's load is in the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, cast

import httpx

from bench import harness

PG_DATABASE = "brigade_bench_reports"
GOAL_1X_MS = 200.0
GOAL_10X_MS = 1000.0
YEARS = 10
ONE_YEAR = {"start_date": "2015-01-01", "end_date": "2015-12-31"}
TEN_YEARS = {"start_date": "2015-01-01", "end_date": f"{2015 + YEARS - 1}-12-31"}
GROUPINGS = (
    "hour",
    "weekday",
    "day",
    "week",
    "month",
    "category",
    "item",
    "variation",
    "size",
    "waiter",
    "payment_method",
    "station",
)
#: (name, path under R/reports, extra query parameters): every report once.
REPORTS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("sales", "sales", {}),
    *((f"sales by {g}", "sales", {"group_by": g}) for g in GROUPINGS),
    ("sales by day (csv)", "sales", {"group_by": "day", "format": "csv"}),
    ("products", "products", {}),
    ("sellers per item", "sellers", {}),
    ("sellers per size, worst", "sellers", {"per": "variation", "ranking": "worst"}),
    ("checks", "checks", {}),
    ("table turns", "table-turns", {}),
    ("adjustments by reason", "adjustments", {}),
    ("adjustments by person", "adjustments", {"by": "person"}),
    ("tips", "tips", {}),
    ("prep times by station", "prep-times", {}),
    ("prep times by item", "prep-times", {"by": "item"}),
)


async def prepare(kind: str, work: Path) -> harness.BenchDatabase:
    """A fresh migrated database (PostgreSQL: :data:`PG_DATABASE`, not the shared
    ``brigade_bench`` of the other benchmarks)."""
    from brigade.infra.migrate import upgrade

    if kind == "sqlite":
        path = work / "reports.db"
        db = harness.BenchDatabase(kind, f"sqlite+aiosqlite:///{path}", f"sqlite:///{path}")
    else:
        import asyncpg

        conn = await asyncpg.connect(
            host=harness.PG_HOST, port=harness.PG_PORT, user=harness.PG_USER, database="postgres"
        )
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
        finally:
            await conn.close()
        where = f"{harness.PG_USER}@{harness.PG_HOST}:{harness.PG_PORT}/{PG_DATABASE}"
        db = harness.BenchDatabase(kind, f"postgresql+asyncpg://{where}", f"postgresql://{where}")
    await asyncio.to_thread(upgrade, db.url)
    return db


async def import_year(url: str) -> tuple[int, int]:
    """The pizza place's year and an owner: ``(restaurant_id, owner's user id)``."""
    from brigade.auth.permissions import Role
    from brigade.auth.service import create_user
    from brigade.events.unit_of_work import unit_of_work
    from brigade.imports.pizza_place import import_pizza_place, load_pizza_place
    from brigade.infra.db import Database
    from brigade.restaurants.service import add_member

    data = await asyncio.to_thread(load_pizza_place, None)
    db = Database(url)
    try:
        async with unit_of_work(db, None) as session:
            report = await import_pizza_place(session, data, slug="pizza-year", name="Pizza")
            user = await create_user(
                session, username="bench-owner", password=harness.STAFF_PASSWORD
            )
            await add_member(session, report.restaurant_id, user.id, Role.owner)
            return report.restaurant_id, user.id
    finally:
        await db.dispose()


def _copy(table: str, columns: list[str], values: list[str], rest: str) -> Any:
    """``INSERT INTO table (columns) SELECT values rest`` (names and SQL of this module,
    never input) as a text statement with parameter ``:r``."""
    from sqlalchemy import text

    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} {rest}"
    return text(sql)  # noqa: S608 - the module's own table and column names


def _shift(dialect: str, column: str, years: int, kind: str) -> str:
    """SQL of ``column`` (a date or a timestamp) ``years`` later."""
    if dialect == "sqlite":
        function = "date" if kind == "date" else "datetime"
        return f"{function}({column}, '+{years} years')"
    cast_to = "date" if kind == "date" else "timestamptz"
    return f"CAST({column} + INTERVAL '{years} years' AS {cast_to})"


async def ten_years(url: str, restaurant_id: int) -> float:
    """Copy the restaurant's 2015 into the nine years after it (orders, their lines,
    checks and payments; external refs ``{year}-NNNNNN``), with ``INSERT ... SELECT``:
    seconds taken."""
    from sqlalchemy import Table, text

    from brigade.billing.models import Check, Payment
    from brigade.infra.db import Database
    from brigade.orders.models import Order, OrderItem

    def columns(model: Any, *skip: str) -> list[str]:
        table = cast(Table, model.__table__)
        return [c.name for c in table.columns if c.name != "id" and c.name not in skip]

    db = Database(url)
    started = time.perf_counter()
    try:
        async with db.engine.begin() as conn:
            dialect = conn.dialect.name
            concat = "||"
            for k in range(1, YEARS):
                year = 2015 + k
                shifted = {
                    "business_date": _shift(dialect, "o.business_date", k, "date"),
                    **{
                        c: _shift(dialect, f"o.{c}", k, "time")
                        for c in ("opened_at", "sent_at", "closed_at")
                    },
                    "external_ref": f"'{year}' {concat} substr(o.external_ref, 5)",
                }
                order_cols = columns(Order)
                await conn.execute(
                    _copy(
                        "orders",
                        order_cols,
                        [shifted.get(c, f"o.{c}") for c in order_cols],
                        "FROM orders o WHERE o.restaurant_id = :r AND o.external_ref LIKE '2015-%'",
                    ),
                    {"r": restaurant_id},
                )
                # The new order of an old one: same number, this year's prefix.
                pair = (
                    "JOIN orders n ON n.restaurant_id = o.restaurant_id AND n.external_ref = "
                    f"'{year}' {concat} substr(o.external_ref, 5)"
                )
                where = "WHERE o.restaurant_id = :r AND o.external_ref LIKE '2015-%'"
                line_cols = columns(OrderItem)
                await conn.execute(
                    _copy(
                        "order_items",
                        line_cols,
                        ["n.id" if c == "order_id" else f"i.{c}" for c in line_cols],
                        f"FROM order_items i JOIN orders o ON o.id = i.order_id {pair} {where}",
                    ),
                    {"r": restaurant_id},
                )
                check_cols = columns(Check)
                await conn.execute(
                    _copy(
                        "checks",
                        check_cols,
                        ["n.id" if c == "order_id" else f"c.{c}" for c in check_cols],
                        f"FROM checks c JOIN orders o ON o.id = c.order_id {pair} {where}",
                    ),
                    {"r": restaurant_id},
                )
                payment_cols = columns(Payment)
                await conn.execute(
                    _copy(
                        "payments",
                        payment_cols,
                        ["nc.id" if c == "check_id" else f"p.{c}" for c in payment_cols],
                        "FROM payments p JOIN checks c ON c.id = p.check_id"
                        f" JOIN orders o ON o.id = c.order_id {pair}"
                        f" JOIN checks nc ON nc.order_id = n.id {where}",
                    ),
                    {"r": restaurant_id},
                )
            # Fresh statistics, as the importer leaves them.
            await conn.execute(text("ANALYZE"))
    finally:
        await db.dispose()
    return time.perf_counter() - started


async def time_reports(
    client: httpx.AsyncClient, base: str, headers: dict[str, str], span: dict[str, str], runs: int
) -> dict[str, float]:
    """The median milliseconds of every report over ``span``; raises on a non-200."""
    medians: dict[str, float] = {}
    for name, path, extra in REPORTS:
        params = {**span, **extra}
        times = []
        for n in range(runs + 1):
            began = time.perf_counter()
            response = await client.get(f"{base}/{path}", params=params, headers=headers)
            elapsed = (time.perf_counter() - began) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{name}: {response.status_code} {response.text[:300]}")
            if n:  # the first is the warm-up
                times.append(elapsed)
        medians[name] = statistics.median(times)
    return medians


async def bench_database(kind: str, runs: int) -> dict[str, tuple[float, float]]:
    """Set up ``kind``, time every report at 1x and 10x: ``{name: (ms 1x, ms 10x)}``."""
    work = Path(tempfile.mkdtemp(prefix="brigade-reports-"))
    db = await prepare(kind, work)
    began = time.perf_counter()
    restaurant_id, owner = await import_year(db.url)
    print(f"{kind}: the year imported in {time.perf_counter() - began:.1f} s", flush=True)
    os.environ.update(harness.brigade_env(db, work))
    from brigade.app import create_app
    from brigade.auth.security import create_access_token

    app = create_app()
    runtime = app.state.runtime
    await runtime.db.start()
    try:
        token, _ = create_access_token(
            owner,
            is_admin=False,
            key=runtime.settings.signing_key,
            ttl_seconds=3600,
        )
        headers = {"Authorization": f"Bearer {token}"}
        base = f"/api/v1/restaurants/{restaurant_id}/reports"
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            one = await time_reports(client, base, headers, ONE_YEAR, runs)
            seconds = await ten_years(db.url, restaurant_id)
            print(f"{kind}: nine more years copied in {seconds:.1f} s", flush=True)
            ten = await time_reports(client, base, headers, TEN_YEARS, runs)
    finally:
        await runtime.db.dispose()
    return {name: (one[name], ten[name]) for name, _, _ in REPORTS}


def print_table(kind: str, figures: dict[str, tuple[float, float]]) -> bool:
    """One line per report: ms at 1x and 10x, growth, goals; whether all passed."""
    print(f"\n{kind}: median ms per report (1x: the 2015 year; 10x: 2015-2024)")
    print(f"{'report':32} {'1x ms':>9} {'10x ms':>9} {'growth':>7}  goals")
    passed = True
    for name, (one, ten) in figures.items():
        ok = one < GOAL_1X_MS and ten < GOAL_10X_MS
        passed &= ok
        growth = ten / one if one else float("nan")
        verdict = "PASS" if ok else "FAIL"
        print(f"{name:32} {one:9.1f} {ten:9.1f} {growth:6.1f}x  {verdict}")
    worst_one = max(one for one, _ in figures.values())
    worst_ten = max(ten for _, ten in figures.values())
    print(
        f"{kind} slowest report: {worst_one:.1f} ms at 1x (goal < {GOAL_1X_MS:.0f}), "
        f"{worst_ten:.1f} ms at 10x (goal < {GOAL_10X_MS:.0f}): " + ("PASS" if passed else "FAIL")
    )
    return passed


async def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per report")
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    for kind in kinds:
        figures = await bench_database(kind, max(1, args.runs))
        print_table(kind, figures)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
