"""The raw-SQL baseline: a bare Starlette app that Brigade's hot path is measured against.

``POST /orders`` takes the same body as Brigade's ``POST R/orders``
(``{"kind": "takeaway", "items": [{"menu_item_id", "variation_id", "quantity"}, ...]}``),
snapshots each line's name and price from a menu held in memory, and inserts the order
and its lines with raw SQL into Brigade's own migrated ``orders`` / ``order_items``
tables: raw asyncpg (a pool of 10..20 connections, like Brigade's) on PostgreSQL, raw
aiosqlite (one connection, one writer, the same pragmas as Brigade) on SQLite. It answers
201 ``{"id", "subtotal"}``; no validation, no auth, no events: the floor Brigade's
order placement is compared with.

``GET /menu`` returns fixed bytes (Brigade's whole-menu response for the bench
restaurant, fetched once at setup), for the menu-read comparison.

Configured by environment variables, set by ``bench.run``:

- ``BENCH_RAW_DATABASE``: ``postgresql://user@127.0.0.1:5432/db`` or ``sqlite:///path``
- ``BENCH_RESTAURANT_ID``: the restaurant the orders belong to
- ``BENCH_MENU_FILE``: path of the bytes ``GET /menu`` returns

Run: ``uvicorn --factory bench.servers.raw_baseline:app_from_env``.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

MENU_SQL = """
SELECT v.id, v.item_id, i.name, v.name, v.sku, c.name, i.station, v.price
FROM menu_variations v
JOIN menu_items i ON i.id = v.item_id
JOIN menu_categories c ON c.id = i.category_id
WHERE v.restaurant_id = {p}
"""

INSERT_ORDER_PG = (
    "INSERT INTO orders (restaurant_id, table_id, kind, status, covers, notes, "
    "version, opened_by, opened_at, sent_at, closed_at, business_date, external_ref) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id"
)
INSERT_ITEM_PG = (
    "INSERT INTO order_items (restaurant_id, order_id, menu_item_id, variation_id, "
    "name, variation_name, sku, category_name, station, unit_price, modifiers, "
    "modifiers_total, quantity, line_total, notes, seat, course, status, void_reason, "
    "created_at, fired_at, voided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
    "$10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)"
)
INSERT_ORDER_SQLITE = (
    "INSERT INTO orders (restaurant_id, table_id, kind, status, covers, notes, "
    "version, opened_by, opened_at, sent_at, closed_at, business_date, external_ref) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_ITEM_SQLITE = (
    "INSERT INTO order_items (restaurant_id, order_id, menu_item_id, variation_id, "
    "name, variation_name, sku, category_name, station, unit_price, modifiers, "
    "modifiers_total, quantity, line_total, notes, seat, course, status, void_reason, "
    "created_at, fired_at, voided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a line copies from the menu: names, SKU, station and price (minor units)."""

    menu_item_id: int
    name: str
    variation_name: str
    sku: str
    category_name: str
    station: str
    unit_price: int


def _lines(body: dict[str, Any], menu: dict[int, Snapshot]) -> list[tuple[int, Snapshot, int, int]]:
    """``(variation_id, snapshot, quantity, line_total)`` for each line of ``body``."""
    lines = []
    for raw in body.get("items") or ():
        variation_id = int(raw["variation_id"])
        snap = menu[variation_id]
        quantity = int(raw.get("quantity", 1))
        lines.append((variation_id, snap, quantity, quantity * snap.unit_price))
    return lines


class PostgresStore:
    """Raw asyncpg: one transaction, ``INSERT ... RETURNING id`` then one ``executemany``."""

    def __init__(self, dsn: str, restaurant_id: int) -> None:
        self.dsn = dsn
        self.restaurant_id = restaurant_id
        self.pool: Any = None
        self.menu: dict[int, Snapshot] = {}

    async def open(self) -> None:
        """Create the pool and load the menu snapshot."""
        import asyncpg

        self.pool = await asyncpg.create_pool(self.dsn, min_size=10, max_size=20)
        rows = await self.pool.fetch(MENU_SQL.format(p="$1"), self.restaurant_id)
        self.menu = {r[0]: Snapshot(r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows}

    async def close(self) -> None:
        """Close the pool."""
        if self.pool is not None:
            await self.pool.close()

    async def place(self, body: dict[str, Any]) -> tuple[int, int]:
        """Insert the order and its lines; returns ``(order_id, subtotal)``."""
        now = datetime.now(UTC)
        lines = _lines(body, self.menu)
        rid = self.restaurant_id
        async with self.pool.acquire() as conn, conn.transaction():
            order_id: int = await conn.fetchval(
                INSERT_ORDER_PG,
                rid,
                None,
                body.get("kind", "takeaway"),
                "open",
                0,
                "",
                1,
                None,
                now,
                None,
                None,
                now.date(),
                None,
            )
            await conn.executemany(
                INSERT_ITEM_PG,
                [
                    (
                        rid,
                        order_id,
                        s.menu_item_id,
                        vid,
                        s.name,
                        s.variation_name,
                        s.sku,
                        s.category_name,
                        s.station,
                        s.unit_price,
                        "[]",
                        0,
                        qty,
                        total,
                        "",
                        None,
                        1,
                        "pending",
                        None,
                        now,
                        None,
                        None,
                    )
                    for vid, s, qty, total in lines
                ],
            )
        return order_id, sum(line[3] for line in lines)


class SqliteStore:
    """Raw aiosqlite: one connection (the single writer), one transaction per order."""

    def __init__(self, path: str, restaurant_id: int) -> None:
        self.path = path
        self.restaurant_id = restaurant_id
        self.conn: Any = None
        self.lock = asyncio.Lock()
        self.menu: dict[int, Snapshot] = {}

    async def open(self) -> None:
        """Open the connection with Brigade's pragmas and load the menu snapshot."""
        import aiosqlite

        self.conn = await aiosqlite.connect(self.path, isolation_level=None)
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=5000",
        ):
            await self.conn.execute(pragma)
        async with self.conn.execute(MENU_SQL.format(p="?"), (self.restaurant_id,)) as cur:
            rows = await cur.fetchall()
        self.menu = {r[0]: Snapshot(r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows}

    async def close(self) -> None:
        """Close the connection."""
        if self.conn is not None:
            await self.conn.close()

    async def place(self, body: dict[str, Any]) -> tuple[int, int]:
        """Insert the order and its lines; returns ``(order_id, subtotal)``."""
        now = datetime.now(UTC)
        # Stored like SQLAlchemy stores Brigade's UTCDateTime on SQLite (naive UTC).
        stamp = now.replace(tzinfo=None).isoformat(sep=" ")
        lines = _lines(body, self.menu)
        rid = self.restaurant_id
        conn = self.conn
        async with self.lock:
            await conn.execute("BEGIN")
            try:
                cur = await conn.execute(
                    INSERT_ORDER_SQLITE,
                    (
                        rid,
                        None,
                        body.get("kind", "takeaway"),
                        "open",
                        0,
                        "",
                        1,
                        None,
                        stamp,
                        None,
                        None,
                        now.date().isoformat(),
                        None,
                    ),
                )
                order_id = int(cur.lastrowid)
                await conn.executemany(
                    INSERT_ITEM_SQLITE,
                    [
                        (
                            rid,
                            order_id,
                            s.menu_item_id,
                            vid,
                            s.name,
                            s.variation_name,
                            s.sku,
                            s.category_name,
                            s.station,
                            s.unit_price,
                            "[]",
                            0,
                            qty,
                            total,
                            "",
                            None,
                            1,
                            "pending",
                            None,
                            stamp,
                            None,
                            None,
                        )
                        for vid, s, qty, total in lines
                    ],
                )
                await conn.execute("COMMIT")
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
        return order_id, sum(line[3] for line in lines)


def make_store(database: str, restaurant_id: int) -> PostgresStore | SqliteStore:
    """The store for ``database`` (``postgresql://...`` or ``sqlite:///path``)."""
    if database.startswith("sqlite:///"):
        return SqliteStore(database.removeprefix("sqlite:///"), restaurant_id)
    return PostgresStore(database, restaurant_id)


def build_app(database: str, restaurant_id: int, menu_bytes: bytes) -> Starlette:
    """The baseline app over ``database`` for ``restaurant_id``, serving ``menu_bytes``."""
    store = make_store(database, restaurant_id)

    async def place_order(request: Request) -> Response:
        body = json.loads(await request.body())
        order_id, subtotal = await store.place(body)
        return Response(
            json.dumps({"id": order_id, "subtotal": subtotal}),
            status_code=201,
            media_type="application/json",
        )

    async def menu(_request: Request) -> Response:
        return Response(menu_bytes, media_type="application/json")

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await store.open()
        try:
            yield
        finally:
            await store.close()

    return Starlette(
        routes=[
            Route("/orders", place_order, methods=["POST"]),
            Route("/menu", menu, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def app_from_env() -> Starlette:
    """:func:`build_app` configured from ``BENCH_*`` environment variables."""
    menu_file = os.environ.get("BENCH_MENU_FILE")
    return build_app(
        os.environ["BENCH_RAW_DATABASE"],
        int(os.environ["BENCH_RESTAURANT_ID"]),
        Path(menu_file).read_bytes() if menu_file else b"{}",
    )
