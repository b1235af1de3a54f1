"""The raw-SQL baseline: a bare Starlette app that Brigade's hot path is measured against.

No validation, no auth, no idempotency records: the floor Brigade's routes are compared
with. Each write is one transaction with raw SQL into Brigade's own migrated tables: raw
asyncpg (a pool of 10..20 connections, like Brigade's) on PostgreSQL, raw aiosqlite (one
connection, one writer, Brigade's pragmas) on SQLite. ``Authorization`` and
``Idempotency-Key`` headers are ignored. Every answer is a small JSON object holding what
the benchmark's client reads; a missing row answers 409 ``{"error": ...}``.

The dine-in service loop, on Brigade's paths (``R`` = ``/api/v1/restaurants/{rid}``), one
transaction per request:

====================================  ==================================================
``POST R/orders`` (``dine_in``)        insert the order and its lines, seat it at its
                                       table, number and insert one outbox event
                                       (``order.created``); 201 ``{"id", "status",
                                       "table_id", "subtotal"}``
``POST R/orders/{id}/items``           insert the lines; 200 ``{"id", "added"}``
``POST R/orders/{id}/send``            mark course 1's pending lines fired, insert one
                                       ticket per station with its lines; 200
                                       ``{"id", "fired", "tickets": [id, ...]}``
``GET R/kitchen/tickets``              the open (not bumped) tickets, oldest first,
                                       ``limit``/``offset``; ``{"items": [{"id",
                                       "order_id", "station", "status"}], "total"}``
``POST R/kitchen/tickets/{id}/bump``   mark the ticket bumped; 200 ``{"id", "status"}``
``POST R/orders/{id}/check``           insert the check (the lines' subtotal, the
                                       restaurant's tax); 201 ``{"id", "order_id",
                                       "total", "status"}``
``POST R/checks/{id}/payments``        insert a payment of the total, mark the check
                                       paid, close the order, free its table; 201
                                       ``{"id", "amount", "check": {"id", "status"}}``
====================================  ==================================================

A ``takeaway`` body on ``POST R/orders`` is the secondary case below.

The secondary cases:

- ``POST /orders``: the same body as Brigade's ``POST R/orders``
  (``{"kind": "takeaway", "items": [{"menu_item_id", "variation_id", "quantity"}, ...]}``);
  snapshots each line's name and price from a menu held in memory and inserts the order
  and its lines (no event); 201 ``{"id", "subtotal"}``.
- ``GET /menu`` returns fixed bytes (Brigade's whole-menu response for the bench
  restaurant, fetched once at setup), for the menu-read comparison.

Configured by environment variables, set by ``bench.run``:

- ``BENCH_RAW_DATABASE``: ``postgresql://user@127.0.0.1:5432/db`` or ``sqlite:///path``
- ``BENCH_RESTAURANT_ID``: the restaurant the orders belong to
- ``BENCH_MENU_FILE``: path of the bytes ``GET /menu`` returns
- ``BENCH_SQLITE_SYNCHRONOUS``: SQLite's ``synchronous`` (default ``NORMAL``; ``bench.run``
  passes the one Brigade's own connections use)

Run: ``uvicorn --factory bench.servers.raw_baseline:app_from_env``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Protocol

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
PROFILE_SQL = "SELECT currency, tax_rate_bp, tax_inclusive FROM restaurants WHERE id = {p}"

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

# The service loop's statements, written once with PostgreSQL's ``$n`` placeholders (each
# used once, in order) and turned into SQLite's ``?`` by :func:`qmark`.
SEAT_TABLE = (
    "UPDATE floor_tables SET status = 'occupied', current_order_id = $1, seated_at = $2, "
    "version = version + 1 WHERE id = $3 AND restaurant_id = $4"
)
NEXT_SEQ = (
    "UPDATE event_sequences SET last_seq = last_seq + 1 WHERE restaurant_id = $1 RETURNING last_seq"
)
INSERT_EVENT = (
    "INSERT INTO outbox_events (restaurant_id, seq, type, station, payload, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6)"
)
FIRE_LINES = (
    "UPDATE order_items SET status = 'fired', fired_at = $1 WHERE restaurant_id = $2 "
    "AND order_id = $3 AND status = 'pending' AND course = 1 RETURNING id, station"
)
INSERT_TICKET = (
    "INSERT INTO kitchen_tickets (restaurant_id, order_id, station, course, table_name, "
    "status, version, created_at) VALUES ($1, $2, $3, 1, NULL, 'new', 1, $4) RETURNING id"
)
INSERT_TICKET_LINE = (
    "INSERT INTO kitchen_ticket_items (restaurant_id, ticket_id, order_item_id, status) "
    "VALUES ($1, $2, $3, 'new')"
)
OPEN_TICKETS = (
    "SELECT id, order_id, station, status, count(*) OVER () FROM kitchen_tickets "
    "WHERE restaurant_id = $1 AND status <> 'bumped' ORDER BY id LIMIT $2 OFFSET $3"
)
BUMP_TICKET = (
    "UPDATE kitchen_tickets SET status = 'bumped', bumped_at = $1, version = version + 1 "
    "WHERE id = $2 AND restaurant_id = $3 AND status <> 'bumped' RETURNING id"
)
ORDER_SUBTOTAL = (
    "SELECT coalesce(sum(line_total), 0) FROM order_items WHERE restaurant_id = $1 "
    "AND order_id = $2 AND status <> 'voided'"
)
INSERT_CHECK = (
    "INSERT INTO checks (restaurant_id, order_id, status, currency, subtotal, "
    "discount_total, tax_total, total, paid_total, tip_total, tax_rate_bp, tax_inclusive, "
    "version, created_at, paid_at) VALUES ($1, $2, 'open', $3, $4, 0, $5, $6, 0, 0, $7, "
    "$8, 1, $9, NULL) RETURNING id"
)
SETTLE_CHECK = (
    "UPDATE checks SET status = 'paid', paid_total = total, paid_at = $1, "
    "version = version + 1 WHERE id = $2 AND restaurant_id = $3 AND status = 'open' "
    "RETURNING order_id, total"
)
INSERT_PAYMENT = (
    "INSERT INTO payments (restaurant_id, check_id, method, amount, tendered, change, tip, "
    "reference, created_by, created_at) VALUES ($1, $2, $3, $4, NULL, 0, 0, '', NULL, $5) "
    "RETURNING id"
)
CLOSE_ORDER = (
    "UPDATE orders SET status = 'closed', closed_at = $1, version = version + 1 "
    "WHERE id = $2 AND restaurant_id = $3 AND status = 'open' RETURNING table_id"
)
FREE_TABLE = (
    "UPDATE floor_tables SET status = 'free', current_order_id = NULL, seated_at = NULL, "
    "version = version + 1 WHERE id = $1 AND restaurant_id = $2 AND current_order_id = $3"
)


@cache
def qmark(sql: str) -> str:
    """``sql`` with PostgreSQL's ``$1, $2, ...`` placeholders turned into ``?`` (each
    ``$n`` must appear once, in ascending order)."""
    return re.sub(r"\$\d+", "?", sql)


class Conflict(Exception):  # noqa: N818 - a bench answer, not a Brigade error
    """The row a step writes is missing or not in the state it needs (answered 409)."""


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


@dataclass(frozen=True, slots=True)
class Profile:
    """The restaurant's currency and tax rule (basis points, inclusive or added)."""

    currency: str
    tax_rate_bp: int
    tax_inclusive: bool


def _lines(body: dict[str, Any], menu: dict[int, Snapshot]) -> list[tuple[int, Snapshot, int, int]]:
    """``(variation_id, snapshot, quantity, line_total)`` for each line of ``body``."""
    lines = []
    for raw in body.get("items") or ():
        variation_id = int(raw["variation_id"])
        snap = menu[variation_id]
        quantity = int(raw.get("quantity", 1))
        lines.append((variation_id, snap, quantity, quantity * snap.unit_price))
    return lines


def tax_of(subtotal: int, profile: Profile) -> tuple[int, int]:
    """``(tax, total)`` of ``subtotal`` (minor units) under ``profile``'s rule, rounded
    half up: the part of the prices that is tax when inclusive, else added."""
    bp = profile.tax_rate_bp
    if bp <= 0:
        return 0, subtotal
    if profile.tax_inclusive:
        tax = subtotal - (subtotal * 10_000 * 2 + (10_000 + bp)) // (2 * (10_000 + bp))
        return tax, subtotal
    tax = (subtotal * bp * 2 + 10_000) // 20_000
    return tax, subtotal + tax


class Tx(Protocol):
    """One transaction's statements, whatever the driver (``$n`` placeholders)."""

    async def rows(self, sql: str, *args: Any) -> Sequence[Sequence[Any]]:
        """Run ``sql``; its rows."""

    async def run(self, sql: str, *args: Any) -> None:
        """Run ``sql``."""

    async def run_many(self, sql: str, args: list[tuple[Any, ...]]) -> None:
        """Run ``sql`` once per parameter tuple."""


class _PgTx:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def rows(self, sql: str, *args: Any) -> Sequence[Sequence[Any]]:
        result: Sequence[Sequence[Any]] = await self.conn.fetch(sql, *args)
        return result

    async def run(self, sql: str, *args: Any) -> None:
        await self.conn.execute(sql, *args)

    async def run_many(self, sql: str, args: list[tuple[Any, ...]]) -> None:
        await self.conn.executemany(sql, args)


class _SqliteTx:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def rows(self, sql: str, *args: Any) -> Sequence[Sequence[Any]]:
        async with self.conn.execute(qmark(sql), args) as cursor:
            result: Sequence[Sequence[Any]] = await cursor.fetchall()
        return result

    async def run(self, sql: str, *args: Any) -> None:
        await self.conn.execute(qmark(sql), args)

    async def run_many(self, sql: str, args: list[tuple[Any, ...]]) -> None:
        await self.conn.executemany(qmark(sql), args)


class Store:
    """What both drivers share: the menu snapshot, the profile and the loop's steps.

    Subclasses give :meth:`transaction`, :meth:`stamp` and :meth:`day` (how the driver
    takes a timestamp and a date)."""

    restaurant_id: int
    menu: dict[int, Snapshot]
    profile: Profile

    async def open(self) -> None:
        """Connect and load the menu snapshot and the restaurant's profile."""
        raise NotImplementedError

    async def close(self) -> None:
        """Disconnect."""
        raise NotImplementedError

    def transaction(self) -> Any:
        """An async context manager giving a :class:`Tx`, committed on exit."""
        raise NotImplementedError

    def stamp(self, now: datetime) -> Any:
        """``now`` (aware UTC) as the driver stores Brigade's ``UTCDateTime``."""
        raise NotImplementedError

    def day(self, value: date) -> Any:
        """A ``DATE`` value for the driver."""
        raise NotImplementedError

    async def place(self, body: dict[str, Any]) -> tuple[int, int]:
        """The takeaway case: insert the order and its lines; ``(order_id, subtotal)``."""
        raise NotImplementedError

    def _line_rows(
        self, order_id: int, lines: list[tuple[int, Snapshot, int, int]], at: Any
    ) -> list[tuple[Any, ...]]:
        rid = self.restaurant_id
        return [
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
                at,
                None,
                None,
            )
            for vid, s, qty, total in lines
        ]

    async def open_at_table(self, body: dict[str, Any]) -> dict[str, Any]:
        """Insert a dine-in order and its lines, seat it, record ``order.created``."""
        now = datetime.now(UTC)
        at = self.stamp(now)
        rid = self.restaurant_id
        lines = _lines(body, self.menu)
        table_id = int(body["table_id"])
        covers = int(body.get("covers", 0))
        subtotal = sum(line[3] for line in lines)
        async with self.transaction() as tx:
            order_id = (
                await tx.rows(
                    INSERT_ORDER_PG,
                    rid,
                    table_id,
                    "dine_in",
                    "open",
                    covers,
                    "",
                    1,
                    None,
                    at,
                    None,
                    None,
                    self.day(now.date()),
                    None,
                )
            )[0][0]
            await tx.run_many(INSERT_ITEM_PG, self._line_rows(order_id, lines, at))
            await tx.run(SEAT_TABLE, order_id, at, table_id, rid)
            seq = (await tx.rows(NEXT_SEQ, rid))[0][0]
            payload = {
                "order": {
                    "id": order_id,
                    "kind": "dine_in",
                    "status": "open",
                    "table_id": table_id,
                    "covers": covers,
                    "subtotal": subtotal,
                    "currency": self.profile.currency,
                    "items": [
                        {
                            "variation_id": vid,
                            "name": s.name,
                            "variation_name": s.variation_name,
                            "quantity": qty,
                            "unit_price": s.unit_price,
                            "line_total": total,
                            "station": s.station,
                        }
                        for vid, s, qty, total in lines
                    ],
                }
            }
            await tx.run(INSERT_EVENT, rid, seq, "order.created", None, json.dumps(payload), at)
        return {"id": order_id, "status": "open", "table_id": table_id, "subtotal": subtotal}

    async def add_lines(self, order_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """Insert ``body``'s lines into the order."""
        at = self.stamp(datetime.now(UTC))
        lines = _lines(body, self.menu)
        async with self.transaction() as tx:
            await tx.run_many(INSERT_ITEM_PG, self._line_rows(order_id, lines, at))
        return {"id": order_id, "added": len(lines)}

    async def send(self, order_id: int) -> dict[str, Any]:
        """Fire course 1's pending lines: one ticket per station, with its lines."""
        at = self.stamp(datetime.now(UTC))
        rid = self.restaurant_id
        async with self.transaction() as tx:
            fired = await tx.rows(FIRE_LINES, at, rid, order_id)
            if not fired:
                raise Conflict(f"order {order_id} has nothing to fire")
            stations: dict[str, list[int]] = {}
            for line_id, station in fired:
                stations.setdefault(station, []).append(line_id)
            tickets = []
            for station in sorted(stations):
                ticket_id = (await tx.rows(INSERT_TICKET, rid, order_id, station, at))[0][0]
                tickets.append(ticket_id)
                await tx.run_many(
                    INSERT_TICKET_LINE, [(rid, ticket_id, line) for line in stations[station]]
                )
        return {"id": order_id, "fired": len(fired), "tickets": tickets}

    async def open_tickets(self, limit: int, offset: int) -> dict[str, Any]:
        """The open tickets, oldest first (``limit``, ``offset``)."""
        async with self.transaction() as tx:
            rows = await tx.rows(OPEN_TICKETS, self.restaurant_id, limit, offset)
        return {
            "items": [
                {"id": r[0], "order_id": r[1], "station": r[2], "status": r[3]} for r in rows
            ],
            "total": int(rows[0][4]) if rows else 0,
        }

    async def bump(self, ticket_id: int) -> dict[str, Any]:
        """Mark an open ticket bumped."""
        at = self.stamp(datetime.now(UTC))
        async with self.transaction() as tx:
            if not await tx.rows(BUMP_TICKET, at, ticket_id, self.restaurant_id):
                raise Conflict(f"ticket {ticket_id} is not open")
        return {"id": ticket_id, "status": "bumped"}

    async def open_check(self, order_id: int) -> dict[str, Any]:
        """Insert the order's check: its lines' subtotal and the restaurant's tax."""
        at = self.stamp(datetime.now(UTC))
        rid = self.restaurant_id
        profile = self.profile
        async with self.transaction() as tx:
            subtotal = int((await tx.rows(ORDER_SUBTOTAL, rid, order_id))[0][0])
            tax, total = tax_of(subtotal, profile)
            check_id = (
                await tx.rows(
                    INSERT_CHECK,
                    rid,
                    order_id,
                    profile.currency,
                    subtotal,
                    tax,
                    total,
                    profile.tax_rate_bp,
                    profile.tax_inclusive,
                    at,
                )
            )[0][0]
        return {"id": check_id, "order_id": order_id, "total": total, "status": "open"}

    async def pay(self, check_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """Pay the check in one payment of its total (the loop pays once): payment, check
        paid, order closed, table freed."""
        at = self.stamp(datetime.now(UTC))
        rid = self.restaurant_id
        async with self.transaction() as tx:
            settled = await tx.rows(SETTLE_CHECK, at, check_id, rid)
            if not settled:
                raise Conflict(f"check {check_id} is not open")
            order_id, balance = settled[0]  # its total: no payment before this one
            payment_id = (
                await tx.rows(
                    INSERT_PAYMENT, rid, check_id, str(body.get("method", "card")), balance, at
                )
            )[0][0]
            closed = await tx.rows(CLOSE_ORDER, at, order_id, rid)
            if not closed:
                raise Conflict(f"order {order_id} is not open")
            if closed[0][0] is not None:
                await tx.run(FREE_TABLE, closed[0][0], rid, order_id)
        return {"id": payment_id, "amount": balance, "check": {"id": check_id, "status": "paid"}}


class PostgresStore(Store):
    """Raw asyncpg: a pool of 10..20 connections, one transaction per request."""

    def __init__(self, dsn: str, restaurant_id: int) -> None:
        self.dsn = dsn
        self.restaurant_id = restaurant_id
        self.pool: Any = None
        self.menu = {}

    async def open(self) -> None:
        """Create the pool and load the menu snapshot and the restaurant's profile."""
        import asyncpg

        self.pool = await asyncpg.create_pool(self.dsn, min_size=10, max_size=20)
        rows = await self.pool.fetch(MENU_SQL.format(p="$1"), self.restaurant_id)
        self.menu = {r[0]: Snapshot(r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows}
        row = await self.pool.fetchrow(PROFILE_SQL.format(p="$1"), self.restaurant_id)
        self.profile = Profile(row[0], int(row[1]), bool(row[2]))

    async def close(self) -> None:
        """Close the pool."""
        if self.pool is not None:
            await self.pool.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """A pooled connection in a transaction."""
        async with self.pool.acquire() as conn, conn.transaction():
            yield _PgTx(conn)

    def stamp(self, now: datetime) -> Any:
        """Aware datetimes, as asyncpg takes them."""
        return now

    def day(self, value: date) -> Any:
        """A ``date``, as asyncpg takes it."""
        return value

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
            await conn.executemany(INSERT_ITEM_PG, self._line_rows(order_id, lines, now))
        return order_id, sum(line[3] for line in lines)


class SqliteStore(Store):
    """Raw aiosqlite: one connection (the single writer), one transaction per request."""

    def __init__(self, path: str, restaurant_id: int, synchronous: str = "NORMAL") -> None:
        self.path = path
        self.restaurant_id = restaurant_id
        self.synchronous = synchronous
        self.conn: Any = None
        self.lock = asyncio.Lock()
        self.menu = {}

    async def open(self) -> None:
        """Open the connection with Brigade's pragmas and load the menu snapshot and the
        restaurant's profile. Raises ``ValueError`` on an unknown ``synchronous``."""
        import aiosqlite

        if self.synchronous.upper() not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
            raise ValueError(f"unknown synchronous {self.synchronous!r}")
        self.conn = await aiosqlite.connect(self.path, isolation_level=None)
        for pragma in (
            "PRAGMA journal_mode=WAL",
            f"PRAGMA synchronous={self.synchronous.upper()}",
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=5000",
        ):
            await self.conn.execute(pragma)
        async with self.conn.execute(MENU_SQL.format(p="?"), (self.restaurant_id,)) as cur:
            rows = await cur.fetchall()
        self.menu = {r[0]: Snapshot(r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows}
        async with self.conn.execute(PROFILE_SQL.format(p="?"), (self.restaurant_id,)) as cur:
            row = await cur.fetchone()
        self.profile = Profile(row[0], int(row[1]), bool(row[2]))

    async def close(self) -> None:
        """Close the connection."""
        if self.conn is not None:
            await self.conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """The single connection, under the writer lock, in ``BEGIN ... COMMIT``."""
        async with self.lock:
            await self.conn.execute("BEGIN")
            try:
                yield _SqliteTx(self.conn)
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    def stamp(self, now: datetime) -> Any:
        """Naive UTC text, as SQLAlchemy stores Brigade's ``UTCDateTime`` on SQLite."""
        return now.replace(tzinfo=None).isoformat(sep=" ")

    def day(self, value: date) -> Any:
        """ISO text, as SQLAlchemy stores a ``DATE`` on SQLite."""
        return value.isoformat()

    async def place(self, body: dict[str, Any]) -> tuple[int, int]:
        """Insert the order and its lines; returns ``(order_id, subtotal)``."""
        now = datetime.now(UTC)
        stamp = self.stamp(now)
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
                await conn.executemany(INSERT_ITEM_SQLITE, self._line_rows(order_id, lines, stamp))
                await conn.execute("COMMIT")
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
        return order_id, sum(line[3] for line in lines)


def make_store(database: str, restaurant_id: int, synchronous: str = "NORMAL") -> Store:
    """The store for ``database`` (``postgresql://...`` or ``sqlite:///path``)."""
    if database.startswith("sqlite:///"):
        return SqliteStore(database.removeprefix("sqlite:///"), restaurant_id, synchronous)
    return PostgresStore(database, restaurant_id)


def _json(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload), status_code=status, media_type="application/json")


def build_app(
    database: str, restaurant_id: int, menu_bytes: bytes, *, synchronous: str = "NORMAL"
) -> Starlette:
    """The baseline app over ``database`` for ``restaurant_id``, serving ``menu_bytes``;
    ``synchronous`` is SQLite's pragma (ignored on PostgreSQL)."""
    store = make_store(database, restaurant_id, synchronous)

    async def place_order(request: Request) -> Response:
        body = json.loads(await request.body())
        order_id, subtotal = await store.place(body)
        return _json({"id": order_id, "subtotal": subtotal}, 201)

    async def create_order(request: Request) -> Response:
        body = json.loads(await request.body())
        if body.get("kind") == "dine_in":
            return _json(await store.open_at_table(body), 201)
        order_id, subtotal = await store.place(body)
        return _json({"id": order_id, "subtotal": subtotal}, 201)

    async def add_items(request: Request) -> Response:
        body = json.loads(await request.body())
        return _json(await store.add_lines(request.path_params["order_id"], body))

    async def send(request: Request) -> Response:
        return _json(await store.send(request.path_params["order_id"]))

    async def tickets(request: Request) -> Response:
        limit = min(500, int(request.query_params.get("limit", 100)))
        offset = int(request.query_params.get("offset", 0))
        return _json(await store.open_tickets(limit, offset))

    async def bump(request: Request) -> Response:
        return _json(await store.bump(request.path_params["ticket_id"]))

    async def open_check(request: Request) -> Response:
        return _json(await store.open_check(request.path_params["order_id"]), 201)

    async def pay(request: Request) -> Response:
        body = json.loads(await request.body())
        return _json(await store.pay(request.path_params["check_id"], body), 201)

    async def menu(_request: Request) -> Response:
        return Response(menu_bytes, media_type="application/json")

    async def conflict(_request: Request, exc: Exception) -> Response:
        return _json({"error": str(exc)}, 409)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await store.open()
        try:
            yield
        finally:
            await store.close()

    r = "/api/v1/restaurants/{restaurant_id:int}"
    return Starlette(
        routes=[
            Route("/orders", place_order, methods=["POST"]),
            Route("/menu", menu, methods=["GET"]),
            Route(r + "/orders", create_order, methods=["POST"]),
            Route(r + "/orders/{order_id:int}/items", add_items, methods=["POST"]),
            Route(r + "/orders/{order_id:int}/send", send, methods=["POST"]),
            Route(r + "/kitchen/tickets", tickets, methods=["GET"]),
            Route(r + "/kitchen/tickets/{ticket_id:int}/bump", bump, methods=["POST"]),
            Route(r + "/orders/{order_id:int}/check", open_check, methods=["POST"]),
            Route(r + "/checks/{check_id:int}/payments", pay, methods=["POST"]),
        ],
        exception_handlers={Conflict: conflict},
        lifespan=lifespan,
    )


def app_from_env() -> Starlette:
    """:func:`build_app` configured from ``BENCH_*`` environment variables."""
    menu_file = os.environ.get("BENCH_MENU_FILE")
    return build_app(
        os.environ["BENCH_RAW_DATABASE"],
        int(os.environ["BENCH_RESTAURANT_ID"]),
        Path(menu_file).read_bytes() if menu_file else b"{}",
        synchronous=os.environ.get("BENCH_SQLITE_SYNCHRONOUS", "NORMAL"),
    )
