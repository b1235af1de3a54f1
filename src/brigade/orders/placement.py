"""Placing orders on PostgreSQL: one statement in autocommit, shared by the orders that
arrive together (group commit).

Through a transaction, a keyed takeaway order cost six round trips (``BEGIN``, the key's
claim with the order, the menu lookup, the lines, the event with the answer,
``COMMIT``), and the restaurant's event sequence row stayed locked from the event's
statement until the ``COMMIT`` came back, two round trips through a busy event loop
during which every other order of the restaurant waited (docs/performance.md).

Here an order's ids come first, from blocks of ``nextval`` kept per process
(:class:`IdBlocks`, one round trip per :data:`BLOCK` orders), so its whole answer (the
order as ``OrderRead`` with its lines, its JSON, its ``order.created`` event) is known
before anything is written. Then ONE statement on an autocommit connection
(:func:`brigade.db.driver_autocommit`) writes it, as data-modifying CTEs over arrays
(one element per order, per line; the same statement text for every batch):

1. for each order with an ``Idempotency-Key``, the idempotency record with its final
   answer (201 and the order's JSON), ``ON CONFLICT DO NOTHING``; an order whose key
   was taken writes nothing below;
2. the orders, 3. their lines, 4. the restaurant's event sequence advanced by the number
   of orders written, 5. their ``order.created`` outbox rows with consecutive ``seq``.

The statement commits on its own: the sequence row is locked from step 4 until the
commit inside the server, with no round trip to the client in between, so ``seq``
order is still commit order (what :func:`brigade.events.outbox.events_since` readers
rely on). The orders that arrive while a statement runs wait and are written by the
next one (:class:`_Batcher`), under the restaurant's in-process sequence lock
(:meth:`brigade.db.Database.sequence_lock`, as every numbering commit), and their
events go to the bus in ``seq`` order. A statement that fails is retried order by
order, so an error is its own order's; a key that was taken answers with the stored
answer (:func:`brigade.idempotency.taken`, one more round trip, as before).

Only orders without a table take this path (the fast path's choice,
:mod:`brigade.orders.fastpath`): seating a table can fail (409 ``table-occupied``)
after the key's claim, which one statement cannot report without a write it must undo.
Every rule is the transaction path's (:func:`brigade.orders.service.create_order_once`):
the same permission check, menu resolution, values, JSON and event; the tests of order
placement, idempotency, realtime and tenant isolation run through it on PostgreSQL, and
``tests/realtime/test_order_burst.py`` places orders concurrently on a real server.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import weakref
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

from brigade import idempotency
from brigade.auth.dependencies import Access
from brigade.auth.permissions import Permission
from brigade.db import Database, utcnow
from brigade.events.bus import EventBus
from brigade.events.outbox import DomainEvent
from brigade.menu.cache import MenuCache
from brigade.orders import service
from brigade.orders.batching import GroupCommit
from brigade.orders.schemas import OrderCreate, OrderStatus
from brigade.prepared import DriverTransaction, fetchrow_sql
from brigade.restaurants.service import ProfileCache, restaurant_profile

#: Ids taken from each sequence per round trip; a process that stops loses at most this
#: many (ids are unique, not dense).
BLOCK = 64

_IDS_SQL = (
    "SELECT (SELECT array_agg(nextval(pg_get_serial_sequence('orders', 'id'))) "
    "FROM generate_series(1, $1)), "
    "(SELECT array_agg(nextval(pg_get_serial_sequence('order_items', 'id'))) "
    "FROM generate_series(1, $2))"
)
# The orders of a batch and their lines come as arrays (one element per order, per line),
# so the statement's text is the same for every batch: PostgreSQL plans it once per
# connection. An order's columns, in array order:
_ORDER_ARRAYS = (
    ("id", "bigint"),
    ("kind", "varchar"),
    ("covers", "integer"),
    ("notes", "text"),
    ("opened_by", "bigint"),
    ("opened_at", "timestamptz"),
    ("business_date", "date"),
    ("actor", "varchar"),  # the idempotency record's, NULL without a key
    ("key", "varchar"),
    ("fingerprint", "varchar"),
    ("answer", "text"),  # the order's JSON, the reply and the stored answer
    ("payload", "text"),  # the order.created event's JSON
)
_LINE_ARRAYS = (
    ("id", "bigint"),
    ("order_id", "bigint"),
    ("menu_item_id", "bigint"),
    ("variation_id", "bigint"),
    ("name", "varchar"),
    ("variation_name", "varchar"),
    ("sku", "varchar"),
    ("category_name", "varchar"),
    ("station", "varchar"),
    ("unit_price", "bigint"),
    ("modifiers", "text"),
    ("modifiers_total", "bigint"),
    ("quantity", "integer"),
    ("line_total", "bigint"),
    ("notes", "text"),
    ("seat", "integer"),
    ("course", "integer"),
    ("status", "varchar"),
    ("created_at", "timestamptz"),
)


def _arrays(columns: Sequence[tuple[str, str]], first: int) -> str:
    return ", ".join(f"${first + i}::{kind}[]" for i, (_, kind) in enumerate(columns))


def _names(columns: Sequence[tuple[str, str]]) -> str:
    return ", ".join(name for name, _ in columns)


_LINES_FROM = len(_ORDER_ARRAYS) + 5
#: $1 restaurant id, $2 the event type, $3 the orders' status, $4 version, then the
#: order arrays, then the line arrays. Returns the placed orders' positions in the batch
#: (1-based, ascending), their events' seqs (same order) and whether the restaurant has
#: an event sequence at all. Only names of this module are formatted into it.
_BATCH_SQL = f"""
WITH batch AS (
    SELECT * FROM unnest({_arrays(_ORDER_ARRAYS, 5)})
        WITH ORDINALITY AS batch({_names(_ORDER_ARRAYS)}, i)
    WHERE EXISTS (SELECT FROM event_sequences WHERE restaurant_id = $1)
), claimed AS (
    INSERT INTO idempotency_records
        (restaurant_id, actor, key, fingerprint, status_code, body, created_at)
    SELECT $1, actor, key, fingerprint, 201, answer::json, opened_at
    FROM batch WHERE key IS NOT NULL
    ON CONFLICT DO NOTHING
    RETURNING actor, key
), go AS (
    SELECT batch.* FROM batch
    WHERE batch.key IS NULL
       OR EXISTS (SELECT FROM claimed c WHERE c.actor = batch.actor AND c.key = batch.key)
), placed AS (
    INSERT INTO orders (id, restaurant_id, table_id, kind, status, covers, notes, version,
                        opened_by, opened_at, business_date)
    SELECT id, $1, NULL, kind, $3, covers, notes, $4, opened_by, opened_at, business_date
    FROM go
), lined AS (
    INSERT INTO order_items (restaurant_id, modifiers, {_names(_LINE_ARRAYS[:10])},
                             {_names(_LINE_ARRAYS[11:])})
    SELECT $1, l.modifiers::json, {", ".join(f"l.{n}" for n, _ in _LINE_ARRAYS[:10])},
           {", ".join(f"l.{n}" for n, _ in _LINE_ARRAYS[11:])}
    FROM unnest({_arrays(_LINE_ARRAYS, _LINES_FROM)}) AS l({_names(_LINE_ARRAYS)})
    WHERE l.order_id IN (SELECT id FROM go)
), advanced AS (
    UPDATE event_sequences SET last_seq = last_seq + (SELECT count(*) FROM go)
    WHERE restaurant_id = $1 AND EXISTS (SELECT FROM go)
    RETURNING last_seq
), numbered AS (
    SELECT go.i, go.payload, go.opened_at,
           advanced.last_seq - (SELECT count(*) FROM go) + row_number() OVER (ORDER BY go.i)
               AS seq
    FROM go, advanced
), recorded AS (
    INSERT INTO outbox_events (restaurant_id, seq, type, station, payload, created_at)
    SELECT $1, seq, $2, NULL, payload::json, opened_at FROM numbered
)
SELECT (SELECT array_agg(i ORDER BY i) FROM numbered),
       (SELECT array_agg(seq ORDER BY i) FROM numbered),
       EXISTS (SELECT FROM event_sequences WHERE restaurant_id = $1)
"""  # noqa: S608 - only this module's constant names are formatted in


class IdBlocks:
    """Order and order-line ids taken ahead from their tables' sequences (``nextval``,
    so they never collide with ids given by the columns' defaults), ``BLOCK`` at a time
    with one round trip for both; one per :class:`~brigade.db.Database` per process."""

    def __init__(self) -> None:
        self._orders: deque[int] = deque()
        self._lines: deque[int] = deque()
        self._refill = asyncio.Lock()

    async def take(self, tx: DriverTransaction, lines: int) -> tuple[int, list[int]]:
        """An order id and ``lines`` line ids, fetching more on ``tx`` when too few are
        left."""
        while not self._orders or len(self._lines) < lines:
            async with self._refill:
                if self._orders and len(self._lines) >= lines:
                    break
                orders, more = await fetchrow_sql(tx, _IDS_SQL, BLOCK, max(BLOCK * 3, lines))
                self._orders.extend(orders)
                self._lines.extend(more)
        return self._orders.popleft(), [self._lines.popleft() for _ in range(lines)]


_blocks: weakref.WeakKeyDictionary[Database, IdBlocks] = weakref.WeakKeyDictionary()


def _id_blocks(db: Database) -> IdBlocks:
    blocks = _blocks.get(db)
    if blocks is None:
        blocks = _blocks[db] = IdBlocks()
    return blocks


async def place_order(
    tx: DriverTransaction,
    db: Database,
    bus: EventBus | None,
    access: Access,
    data: OrderCreate,
    *,
    idempotency_key: str | None = None,
    profiles: ProfileCache | None = None,
    menus: MenuCache | None = None,
) -> service.CreateResult:
    """Open ``data`` (an order without a table) on ``tx``, an autocommit connection of
    ``db`` (:func:`brigade.db.driver_autocommit`, which hands the ``order.created``
    event to the bus), in one statement; the answer, the replay and every error are
    :func:`brigade.orders.service.create_order_once`'s.

    Raises ``PermissionDenied`` (no ``orders:write``), the menu's errors (``NotFound``,
    ``ItemUnavailable``, 422s), ``IdempotencyKeyReused`` (422) and
    ``IdempotentRequestInProgress`` (409); ``ValueError`` for an order with a table
    (:func:`create_order_once` seats it); ``LookupError`` if the restaurant has no event
    sequence (a bug: every restaurant gets one when it is created).
    """
    if data.table_id is not None:
        raise ValueError("an order at a table is placed by create_order_once")
    access.check(Permission.orders_write)
    restaurant_id = access.restaurant_id
    fp = None if idempotency_key is None else service.create_fingerprint(restaurant_id, data)
    restaurant = await restaurant_profile(tx, profiles, restaurant_id)
    resolved = await service.resolve_items(tx, restaurant_id, data, menus)
    order_id, line_ids = await _id_blocks(db).take(tx, len(resolved))
    now = utcnow()
    values = {"id": order_id, **service.order_values(access, data, restaurant.time_zone, now)}
    lines = service.line_values(restaurant_id, order_id, data, resolved, now)
    result, event = service.created(
        service.order_read(
            SimpleNamespace(**values, sent_at=None, closed_at=None, cancel_reason=None),
            restaurant.currency,
            service.items_read(lines, line_ids),
        )
    )
    entry = _Entry(
        tx,
        (
            order_id,
            values["kind"],
            values["covers"],
            values["notes"],
            values["opened_by"],
            now,
            values["business_date"],
            None if idempotency_key is None else access.actor.label,
            idempotency_key,
            fp,
            result.encoded,
            event.encoded,
        ),
        [
            (
                line_id,
                *(line[name] for name, _ in _LINE_ARRAYS[1:10]),
                json.dumps(line["modifiers"]),
                *(line[name] for name, _ in _LINE_ARRAYS[11:]),
            )
            for line_id, line in zip(line_ids, lines, strict=True)
        ],
        DomainEvent(restaurant_id, 0, event.type, event.payload, now),
        asyncio.get_running_loop().create_future(),
    )
    placed, sequenced = await _batcher(db, bus).place(restaurant_id, entry)
    if placed:
        return result
    if not sequenced:
        raise LookupError(f"restaurant {restaurant_id} has no event sequence")
    assert idempotency_key is not None  # noqa: S101 - only a taken key stops an order
    assert fp is not None  # noqa: S101 - computed with the key
    stored = await idempotency.taken(tx, restaurant_id, access.actor.label, idempotency_key, fp)
    return service.replayed(stored[1])


@dataclass(slots=True)
class _Entry:
    """One order waiting to be written: the connection of its request, its values for
    the order arrays and the line arrays (in :data:`_ORDER_ARRAYS` / :data:`_LINE_ARRAYS`
    order), its event (``seq`` still 0) and the future of ``(placed, sequenced)``
    (:class:`brigade.orders.batching.GroupCommit`)."""

    tx: DriverTransaction
    order: tuple[Any, ...]
    lines: list[tuple[Any, ...]]
    event: DomainEvent
    done: asyncio.Future[Any]

    @property
    def dedupe(self) -> tuple[Any, Any] | None:
        """``(actor, Idempotency-Key)``, or ``None`` without a key."""
        return None if self.order[8] is None else (self.order[7], self.order[8])


class _Batcher(GroupCommit[_Entry]):
    """Group commit of order placements on PostgreSQL
    (:class:`~brigade.orders.batching.GroupCommit`, a lane per restaurant): a batch is
    ONE statement on its leader's connection, under the restaurant's in-process
    sequence lock; a statement that fails is retried order by order, so an error is its
    own order's."""

    def __init__(self, db: Database, bus: EventBus | None) -> None:
        super().__init__(bus)
        self.db = db

    async def place(self, restaurant_id: int, entry: _Entry) -> tuple[bool, bool]:
        """Write ``entry`` (alone or with others); ``(placed, sequenced)``."""
        return cast(tuple[bool, bool], await self.join(restaurant_id, entry))

    async def write_batch(
        self, lane: int, leader: _Entry, batch: list[_Entry]
    ) -> list[DomainEvent]:
        async with self.db.sequence_lock(lane):
            return await self._write(leader.tx, lane, batch)

    async def _write(
        self, tx: DriverTransaction, restaurant_id: int, batch: list[_Entry]
    ) -> list[DomainEvent]:
        """Run the statement for ``batch``, settle every entry's future and return the
        events of the placed orders in ``seq`` order."""
        try:
            positions, seqs, sequenced = await fetchrow_sql(
                tx,
                _BATCH_SQL,
                restaurant_id,
                service.ORDER_CREATED,
                OrderStatus.open.value,
                1,
                *([e.order[k] for e in batch] for k in range(len(_ORDER_ARRAYS))),
                *([line[k] for e in batch for line in e.lines] for k in range(len(_LINE_ARRAYS))),
            )
        except Exception as error:
            if len(batch) == 1:
                batch[0].done.set_exception(error)
                return []
            events: list[DomainEvent] = []
            for alone in batch:  # tell whose order failed
                events += await self._write(tx, restaurant_id, [alone])
            return events
        placed = dict(zip(positions or (), seqs or (), strict=True))
        events = []
        for position, e in enumerate(batch, start=1):
            seq = placed.get(position)
            if seq is not None:
                events.append(dataclasses.replace(e.event, seq=seq))
            e.done.set_result((seq is not None, bool(sequenced)))
        return events


_batchers: weakref.WeakKeyDictionary[Database, _Batcher] = weakref.WeakKeyDictionary()


def _batcher(db: Database, bus: EventBus | None) -> _Batcher:
    batcher = _batchers.get(db)
    if batcher is None or batcher.bus is not bus:
        batcher = _batchers[db] = _Batcher(db, bus)
    return batcher
