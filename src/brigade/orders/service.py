"""Rules of the orders context: opening orders, adding and voiding lines, firing courses.

This is the hot path of Brigade. Every write is a handful of SQLAlchemy Core statements
on the request's session (no ORM object is loaded): the order row is written first with
``UPDATE ... RETURNING`` (which checks ``restaurant_id``, ``status`` and ``version`` and
takes the row lock on PostgreSQL in the same round trip), lines go in with one
multi-row ``INSERT ... RETURNING``, and the response model is built from the rows.
Every statement is built once at import on the tables (``Model.__table__``) with bind
parameters and executed with parameter dicts; nothing just written is read back, and
no expanding ``IN`` list is re-rendered per call (see the performance notes).

Lock order (PostgreSQL): every write takes the order row first; a void then takes the
line's kitchen ticket before the line itself, as the kitchen's steps do (ticket, then
lines), so the two never deadlock.

Cross-context API:

- for the kitchen: :func:`mark_items` (lines follow the kitchen's steps);
- for billing: :func:`close_order` (closes and frees the table), :func:`get_order_row`,
  :func:`order_lines`, :func:`orders_lines`, :func:`lines_subtotal`.

The floor's steps, :func:`serve_items` and :func:`cancel_order`, are not on the hot
path; they follow the same pattern (the order row written first).

The realtime commands call the same functions as the REST routes.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Date,
    Integer,
    Row,
    Select,
    String,
    Table,
    Text,
    Update,
    bindparam,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access
from brigade.auth.permissions import Permission
from brigade.devices.approvals import approver
from brigade.events.outbox import NewEvent, record_many
from brigade.idempotency import service as idempotency
from brigade.infra.db import EncodedJSON, UTCDateTime, utcnow
from brigade.infra.errors import NotFound, StaleVersion
from brigade.infra.prepared import Executor, Prepared
from brigade.menu.cache import MenuCache
from brigade.menu.counts import take_portions
from brigade.menu.pricing import LineChoice, ResolvedLine, resolve_lines
from brigade.orders import hooks
from brigade.orders.exceptions import (
    EarlierCourseNotReady,
    InvalidDateRange,
    ItemAlreadyVoided,
    ItemNotReady,
    NoSignedInWaiter,
    NothingToFire,
    NothingToServe,
    OrderAlreadyFired,
    OrderClosed,
    UnknownVoidReason,
    VoidApprovalRequired,
)
from brigade.orders.hooks import FiredLine
from brigade.orders.models import Order, OrderItem
from brigade.orders.schemas import (
    OrderCancel,
    OrderCreate,
    OrderItemRead,
    OrderItemsAdd,
    OrderItemStatus,
    OrderItemVoid,
    OrderKind,
    OrderList,
    OrderRead,
    OrderServe,
    OrderStatus,
    event_payload,
)
from brigade.restaurants.api import currency_of, staff_name_of, void_reasons_of
from brigade.restaurants.service import ProfileCache, restaurant_profile
from brigade.runtime import Runtime
from brigade.tables.api import table_name_of
from brigade.tables.service import release_table
from brigade.tenancy import RID, owned_by, scoped

ORDER_CREATED = "order.created"
ORDER_ITEMS_ADDED = "order.items.added"
ORDER_ITEM_VOIDED = "order.item.voided"
ORDER_SENT = "order.sent"
ORDER_COURSE_FIRED = "order.course.fired"
ORDER_CLOSED = "order.closed"
ORDER_SERVED = "order.served"
ORDER_CANCELLED = "order.cancelled"

_orders = cast(Table, Order.__table__)
_items = cast(Table, OrderItem.__table__)

#: Kitchen progress states a line can be moved to by :func:`mark_items`.
KITCHEN_STATES = frozenset(
    {
        OrderItemStatus.fired,
        OrderItemStatus.preparing,
        OrderItemStatus.ready,
        OrderItemStatus.served,
    }
)

_currency = currency_of(_orders.c.restaurant_id).label("currency")
# The table's name is snapshotted on kitchen tickets; read in the same statement as the
# order (the tables context's expression, brigade.tables.api).
_table_name = table_name_of(_orders.c.table_id, _orders.c.restaurant_id).label("table_name")
# The waiter's name is snapshotted on kitchen tickets too (brigade.restaurants.api); read
# apart from the head's UPDATE (SQLite's RETURNING names the order's columns unqualified,
# which a subquery of two tables would take for its own).
_WAITER_NAME = scoped(
    select(staff_name_of(_orders.c.opened_by, _orders.c.restaurant_id)), RID, _orders
).where(_orders.c.id == bindparam("order_id"))
_ORDER_COLUMNS: tuple[ColumnElement[Any], ...] = (
    _orders.c.id,
    _orders.c.restaurant_id,
    _orders.c.kind,
    _orders.c.status,
    _orders.c.table_id,
    _orders.c.covers,
    _orders.c.notes,
    _orders.c.version,
    _orders.c.opened_at,
    _orders.c.sent_at,
    _orders.c.closed_at,
    _orders.c.cancel_reason,
    _orders.c.opened_by,
)
_ITEM_COLUMNS: tuple[ColumnElement[Any], ...] = (
    _items.c.id,
    _items.c.order_id,
    _items.c.menu_item_id,
    _items.c.variation_id,
    _items.c.name,
    _items.c.variation_name,
    _items.c.sku,
    _items.c.category_name,
    _items.c.unit_price,
    _items.c.modifiers,
    _items.c.modifiers_total,
    _items.c.quantity,
    _items.c.line_total,
    _items.c.notes,
    _items.c.seat,
    _items.c.course,
    _items.c.station,
    _items.c.status,
    _items.c.void_reason,
    _items.c.created_at,
    _items.c.fired_at,
    _items.c.voided_at,
    _items.c.void_approved_by,
    _items.c.void_approval_method,
    _items.c.added_by,
    _items.c.fired_by,
    _items.c.voided_by,
)


# Statements of the hot path, built once on the tables with a bind parameter for every
# value and executed with parameter dicts (see /perf: a statement built per call, or on
# an ORM entity, costs 3 to 6 times the CPU). Parameter names of UPDATEs start with
# ``b_`` (SQLAlchemy reserves the column names there).
#
# The three below run straight on the driver connection (brigade.infra.prepared: compiled once,
# no SQLAlchemy execution machinery, in the session's transaction); none has a database
# error that is an answer rather than a bug.
_INSERT_ORDER = Prepared(insert(_orders).returning(*_ORDER_COLUMNS))
# Lines come back as their ids only: every other value of a new line is what was
# written (no result processing of timestamps and JSON read back).
_INSERT_ITEMS = Prepared(insert(_items).returning(_items.c.id))
#: The restaurant of the UPDATEs' parameter sets (``b_`` names, see above).
_B_RID: BindParameter[int] = bindparam("b_rid")
_ORDER = scoped(select(*_ORDER_COLUMNS, _currency), RID, _orders).where(
    _orders.c.id == bindparam("order_id")
)
# The order locked for the transaction (PostgreSQL; SQLite has one writer anyway).
_ORDER_FOR_UPDATE = _ORDER.with_for_update(of=_orders)
_ORDER_STATE = scoped(select(_orders.c.status, _orders.c.version), RID).where(
    _orders.c.id == bindparam("order_id")
)
_OPENED_BY = scoped(select(_orders.c.opened_by), RID).where(_orders.c.id == bindparam("order_id"))
_ITEMS_OF_ORDER = (
    scoped(select(*_ITEM_COLUMNS), RID)
    .where(_items.c.order_id == bindparam("order_id"))
    .order_by(_items.c.id)
)
_ITEMS_OF_ORDERS = (
    scoped(select(*_ITEM_COLUMNS), RID)
    .where(_items.c.order_id.in_(bindparam("order_ids", expanding=True)))
    .order_by(_items.c.id)
)
_VOID_ITEM = (
    scoped(update(_items), _B_RID)
    .where(_items.c.id == bindparam("b_item_id"))
    .values(
        status=OrderItemStatus.voided.value,
        void_reason=bindparam("b_reason", type_=Text()),
        voided_at=bindparam("b_now", type_=UTCDateTime()),
        voided_by=bindparam("b_by", type_=Integer()),
        void_approved_by=bindparam("b_approved_by", type_=_items.c.void_approved_by.type),
        void_approval_method=bindparam("b_approval_method", type_=String()),
    )
)
# Fires the pending lines of courses ``b_lo..b_hi``: the lines send/fire chose from the
# lines it read under the order's row lock, so the same set (no id list to expand).
_FIRE_ITEMS = (
    scoped(update(_items), _B_RID)
    .where(
        _items.c.order_id == bindparam("b_order_id"),
        _items.c.status == OrderItemStatus.pending.value,
        _items.c.course.between(bindparam("b_lo"), bindparam("b_hi")),
    )
    .values(
        status=OrderItemStatus.fired.value,
        fired_at=bindparam("b_now", type_=UTCDateTime()),
        fired_by=bindparam("b_by", type_=Integer()),
    )
)
#: Clears an order's automatic fire (its course was fired, or cannot be).
_CLEAR_SCHEDULE = (
    scoped(update(_orders), _B_RID)
    .where(_orders.c.id == bindparam("b_order_id"))
    .values(next_fire_course=None, next_fire_at=None)
)
# One line per parameter set (executemany): cheaper than an expanding IN, which is
# re-rendered on every execution.
_MARK_ITEM = (
    scoped(update(_items), _B_RID)
    .where(
        _items.c.id == bindparam("b_id"),
        _items.c.status != OrderItemStatus.voided.value,
        _items.c.status != OrderItemStatus.pending.value,
        _items.c.status != OrderItemStatus.served.value,
    )
    .values(status=bindparam("b_status", type_=String()))
)


def _head_update(values: dict[str, Any], *, versioned: bool) -> Update:
    """``UPDATE orders ... RETURNING`` of an open order: version + 1 and ``values``;
    parameters ``b_order_id``, ``b_rid`` and (``versioned``) ``b_version``."""
    stmt = scoped(update(_orders), _B_RID).where(
        _orders.c.id == bindparam("b_order_id"), _orders.c.status == OrderStatus.open.value
    )
    if versioned:
        stmt = stmt.where(_orders.c.version == bindparam("b_version"))
    return stmt.values(version=_orders.c.version + 1, **values).returning(
        *_ORDER_COLUMNS, _orders.c.next_fire_course, _currency, _table_name
    )


_NOW = bindparam("b_now", type_=UTCDateTime())
#: Head updates by what they set: ``bump`` (the version only), ``fire`` (``sent_at`` the
#: first time, parameter ``b_now``), ``close`` (``closed``, ``closed_at`` = ``b_now``);
#: each without and with the version check.
_HEAD_VALUES: dict[str, dict[str, Any]] = {
    "bump": {},
    "fire": {"sent_at": func.coalesce(_orders.c.sent_at, _NOW)},
    "close": {"status": OrderStatus.closed.value, "closed_at": _NOW},
}
_HEAD_UPDATES: dict[tuple[str, bool], Update] = {
    (kind, versioned): _head_update(values, versioned=versioned)
    for kind, values in _HEAD_VALUES.items()
    for versioned in (False, True)
}


@dataclass(frozen=True, slots=True)
class CreateResult:
    """What :func:`create_order_once` did: the order, whether it is the stored answer
    of an earlier request with the same ``Idempotency-Key`` (nothing was created), and
    ``answer``, the order as JSON-ready data (``order.model_dump(mode="json")``, built
    once for the event, the idempotency record and the HTTP response); ``encoded`` is
    ``answer`` as compact UTF-8 JSON text (encoded once for the same three)."""

    order: OrderRead
    replayed: bool
    answer: dict[str, Any]
    encoded: str


@dataclass(frozen=True, slots=True)
class _Head:
    """An order row as written, with its currency and table name."""

    row: Row[*tuple[Any, ...]]
    currency: str
    table_name: str | None


# --------------------------------------------------------------------------------------
# Building the response
# --------------------------------------------------------------------------------------


def _item_read(row: Any) -> OrderItemRead:
    return OrderItemRead.model_validate(row, from_attributes=True)


def order_read(head: Any, currency: str, items: list[OrderItemRead]) -> OrderRead:
    """The API shape of order row ``head`` (any object with the order's columns as
    attributes) with ``items``, priced in ``currency``."""
    return OrderRead(
        id=head.id,
        restaurant_id=head.restaurant_id,
        kind=head.kind,
        status=head.status,
        table_id=head.table_id,
        covers=head.covers,
        notes=head.notes,
        version=head.version,
        opened_at=head.opened_at,
        sent_at=head.sent_at,
        closed_at=head.closed_at,
        cancel_reason=head.cancel_reason,
        opened_by=head.opened_by,
        subtotal=lines_subtotal(items),
        currency=currency,
        items=items,
    )


async def _load_items(
    session: AsyncSession, restaurant_id: int, order_ids: Sequence[int]
) -> dict[int, list[OrderItemRead]]:
    """The lines of ``order_ids`` in the order they were added, one query."""
    by_order: dict[int, list[OrderItemRead]] = {oid: [] for oid in order_ids}
    if not order_ids:
        return by_order
    rows = await session.execute(
        _ITEMS_OF_ORDERS, {"restaurant_id": restaurant_id, "order_ids": list(order_ids)}
    )
    for row in rows:
        by_order[row.order_id].append(_item_read(row))
    return by_order


async def _items_of(
    session: AsyncSession, restaurant_id: int, order_id: int
) -> list[OrderItemRead]:
    """The lines of one order in the order they were added."""
    rows = await session.execute(
        _ITEMS_OF_ORDER, {"restaurant_id": restaurant_id, "order_id": order_id}
    )
    return [_item_read(row) for row in rows]


# --------------------------------------------------------------------------------------
# Writing the order row
# --------------------------------------------------------------------------------------


async def _write_head(
    session: AsyncSession,
    restaurant_id: int,
    order_id: int,
    version: int | None,
    kind: str = "bump",
    now: datetime | None = None,
) -> _Head:
    """Bump the version of open order ``order_id`` (and, by ``kind``, set ``sent_at`` or
    close it at ``now``) in one ``UPDATE ... RETURNING``; on PostgreSQL it also locks the
    row for the transaction.

    Raises :class:`NotFound` (no such order in this restaurant), :class:`OrderClosed`
    (409) and :class:`StaleVersion` (409, ``version`` given and not current).
    """
    params: dict[str, Any] = {"b_order_id": order_id, "b_rid": restaurant_id}
    if version is not None:
        params["b_version"] = version
    if kind != "bump":
        params["b_now"] = now
    row = (await session.execute(_HEAD_UPDATES[kind, version is not None], params)).first()
    if row is None:
        await _raise_why_not_written(session, restaurant_id, order_id)
    assert row is not None  # noqa: S101 - _raise_why_not_written always raises
    return _Head(row, row.currency, row.table_name)


async def _raise_why_not_written(session: AsyncSession, restaurant_id: int, order_id: int) -> None:
    current = (
        await session.execute(_ORDER_STATE, {"order_id": order_id, "restaurant_id": restaurant_id})
    ).first()
    if current is None:
        raise NotFound(f"order {order_id} not found")
    if current.status != OrderStatus.open.value:
        raise OrderClosed(f"order {order_id} is {current.status}")
    raise StaleVersion(
        f"order {order_id} is at version {current.version}", current_version=current.version
    )


async def _insert_lines(
    session: Executor,
    restaurant_id: int,
    order_id: int,
    data: OrderCreate | OrderItemsAdd,
    now: datetime,
    menus: MenuCache | None = None,
    added_by: int | None = None,
) -> list[OrderItemRead]:
    """Resolve ``data.items`` against the menu, take their portions of counted items
    (:func:`brigade.menu.counts.take_portions`: ``NotEnoughLeft``, 409, when an item has
    fewer left than asked) and insert them (one multi-row INSERT), added by user
    ``added_by``."""
    if not data.items:
        return []
    resolved = await resolve_items(session, restaurant_id, data, menus)
    portions: dict[int, int] = {}
    for line, r in zip(data.items, resolved, strict=True):
        portions[r.menu_item_id] = portions.get(r.menu_item_id, 0) + line.quantity
    await take_portions(session, restaurant_id, portions)
    params = line_values(restaurant_id, order_id, data, resolved, now, added_by)
    # One multi-row INSERT; RETURNING order is not guaranteed, ids are (in VALUES order),
    # so the sorted ids belong to the lines in the order they were given.
    ids = sorted(row.id for row in await _INSERT_ITEMS.fetchall_many(session, params))
    return items_read(params, ids)


async def resolve_items(
    session: Executor,
    restaurant_id: int,
    data: OrderCreate | OrderItemsAdd,
    menus: MenuCache | None = None,
) -> list[ResolvedLine]:
    """``data.items`` priced against the menu (:func:`brigade.menu.pricing.resolve_lines`,
    whose errors it raises; from the process's menu snapshot with ``menus``), in the
    order given."""
    choices = [
        LineChoice(line.menu_item_id, line.variation_id, line.modifier_ids) for line in data.items
    ]
    return await resolve_lines(session, restaurant_id, choices, menus=menus)


def line_values(
    restaurant_id: int,
    order_id: int,
    data: OrderCreate | OrderItemsAdd,
    resolved: Sequence[ResolvedLine],
    now: datetime,
    added_by: int | None = None,
) -> list[dict[str, Any]]:
    """The ``order_items`` rows (column -> value, without ``id``) of ``data.items``
    priced as ``resolved``: pending, added at ``now`` by user ``added_by``;
    ``line_total`` is ``quantity * (unit_price + modifiers_total)`` in minor units."""
    return [
        {
            "restaurant_id": restaurant_id,
            "order_id": order_id,
            "menu_item_id": r.menu_item_id,
            "variation_id": r.variation_id,
            "name": r.name,
            "variation_name": r.variation_name,
            "sku": r.sku,
            "category_name": r.category_name,
            "station": r.station,
            "unit_price": r.unit_price,
            "modifiers": r.modifiers,
            "modifiers_total": r.modifiers_total,
            "quantity": line.quantity,
            "line_total": line.quantity * (r.unit_price + r.modifiers_total),
            "notes": line.notes,
            "seat": line.seat,
            "course": line.course,
            "status": OrderItemStatus.pending.value,
            "void_reason": None,
            "created_at": now,
            "fired_at": None,
            "voided_at": None,
            "added_by": added_by,
            "fired_by": None,
            "voided_by": None,
        }
        for line, r in zip(data.items, resolved, strict=True)
    ]


def items_read(values: Sequence[dict[str, Any]], ids: Sequence[int]) -> list[OrderItemRead]:
    """The API shape of lines written as ``values`` (:func:`line_values`) with ``ids``."""
    return [
        OrderItemRead.model_validate({**row, "id": item_id})
        for row, item_id in zip(values, ids, strict=True)
    ]


async def _record(
    session: AsyncSession, restaurant_id: int, type_: str, order: OrderRead, **extra: Any
) -> None:
    await record_many(session, restaurant_id, [NewEvent(type_, event_payload(order, **extra))])


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


async def create_order(
    session: AsyncSession,
    access: Access,
    data: OrderCreate,
    *,
    idempotency_key: str | None = None,
) -> OrderRead:
    """Open an order (status ``open``, version 1) with its optional first lines.

    A ``dine_in`` order occupies its table (``brigade.tables.service.occupy_table``).
    Records ``order.created`` with ``{"order": OrderRead}``. With ``idempotency_key``, a
    retry returns the first answer; see :func:`create_order_once`.

    Raises ``PermissionDenied`` (no ``orders:write``), ``NotFound`` (table, item,
    variation or modifier not in this restaurant), ``TableOccupied`` (409),
    ``ItemUnavailable`` (409, 86'd), the menu's 422 errors and ``IdempotencyKeyReused``.
    """
    return (await create_order_once(session, access, data, idempotency_key=idempotency_key)).order


async def create_order_once(
    session: Executor,
    access: Access,
    data: OrderCreate,
    *,
    idempotency_key: str | None = None,
    profiles: ProfileCache | None = None,
    menus: MenuCache | None = None,
) -> CreateResult:
    """:func:`create_order`, telling whether the answer is a replay.

    ``profiles`` (the process's :func:`brigade.restaurants.service.get_profile_cache`)
    saves reading the restaurant's currency and time zone on every order, and ``menus``
    (the process's :func:`brigade.menu.cache.get_menu_cache`) reading the menu
    (:func:`brigade.menu.pricing.resolve_lines`); without them they are read.

    With ``idempotency_key``, the key is claimed first (per restaurant and actor); a
    retry with the same key and body returns the stored order and creates nothing
    (``replayed=True``); the same key with another body raises ``IdempotencyKeyReused``
    (422). An error rolls the whole request back, the claim included, so a failed
    request may be retried with the same key.
    """
    access.check(Permission.orders_write)
    restaurant_id = access.restaurant_id
    claim: int | None = None
    if idempotency_key is not None:
        fp = create_fingerprint(restaurant_id, data)
        claimed = await idempotency.claim(
            session, restaurant_id, access.actor.label, idempotency_key, fp
        )
        if isinstance(claimed, tuple):
            return replayed(claimed[1])
        claim = claimed

    restaurant = await restaurant_profile(session, profiles, restaurant_id)
    now = utcnow()
    values = order_values(access, data, restaurant.time_zone, now)
    head = await _insert_order(session, values, data.table_id)
    assert head is not None  # noqa: S101 - INSERT ... RETURNING returns its row
    if data.kind is OrderKind.dine_in and data.table_id is not None:
        from brigade.tables.service import occupy_table

        await occupy_table(session, restaurant_id, data.table_id, head.id)
    items = await _insert_lines(
        session, restaurant_id, head.id, data, now, menus, access.actor.user_id
    )
    result, event = created(order_read(head, restaurant.currency, items))
    await record_many(session, restaurant_id, [event])
    if claim is not None:
        idempotency.defer_answer(session, claim, 201, EncodedJSON(result.encoded))
    return result


async def _insert_order(session: Executor, values: dict[str, Any], table_id: int | None) -> Any:
    """The new order's row (``INSERT ... RETURNING`` of ``values``). Its table must exist
    (a foreign key; the restaurant and the user are the caller's): an order at a table
    that does not exist raises :class:`NotFound` (404), not the database's error."""
    try:
        return await _INSERT_ORDER.fetchone(session, values)
    except Exception as exc:
        if table_id is not None and _foreign_key_violation(exc):
            raise NotFound(f"table {table_id} not found") from None
        raise


def _foreign_key_violation(exc: BaseException) -> bool:
    """Whether ``exc`` (a driver's error, or SQLAlchemy's wrapping one) is a foreign key
    violation: SQLite's ``FOREIGN KEY constraint failed``, SQLSTATE 23503 (PostgreSQL),
    MySQL's error 1452."""
    error: BaseException | None = exc
    for _ in range(4):
        if error is None:
            return False
        if isinstance(error, sqlite3.IntegrityError) and "FOREIGN KEY" in str(error):
            return True
        if getattr(error, "sqlstate", None) == "23503":
            return True
        if getattr(error, "args", None) and error.args[0] == 1452:
            return True
        orig = getattr(error, "orig", None)
        error = orig if isinstance(orig, BaseException) else error.__cause__
    return False


def create_fingerprint(restaurant_id: int, data: OrderCreate) -> str:
    """The ``Idempotency-Key`` fingerprint of placing ``data`` in ``restaurant_id``
    (:func:`brigade.idempotency.service.fingerprint` of ``POST /restaurants/{id}/orders``)."""
    return idempotency.fingerprint(
        "POST", f"/restaurants/{restaurant_id}/orders", data.model_dump(mode="json")
    )


def order_values(
    access: Access, data: OrderCreate, time_zone: str, now: datetime
) -> dict[str, Any]:
    """The new ``orders`` row (column -> value, without ``id``) of ``data`` opened by
    ``access``'s actor at ``now`` (UTC); ``business_date`` is ``now``'s date in
    ``time_zone`` (the restaurant's)."""
    business_date: date = now.astimezone(ZoneInfo(time_zone)).date()
    return {
        "restaurant_id": access.restaurant_id,
        "table_id": data.table_id,
        "kind": data.kind.value,
        "status": OrderStatus.open.value,
        "covers": data.covers,
        "notes": data.notes,
        "version": 1,
        "opened_by": access.actor.user_id,
        "opened_at": now,
        "business_date": business_date,
    }


def created(order: OrderRead) -> tuple[CreateResult, NewEvent]:
    """The answer of a new ``order`` and its ``order.created`` event, its JSON encoded
    once for the event's payload, the idempotency answer and the reply (Pydantic's
    serializer writes the same text as ``_json`` of the answer, compact with non-ASCII
    as is, in less than half the time of ``json.dumps``)."""
    payload = event_payload(order)
    encoded = order.model_dump_json()
    event = NewEvent(ORDER_CREATED, payload, encoded=f'{{"order":{encoded}}}')
    return CreateResult(order, replayed=False, answer=payload["order"], encoded=encoded), event


def replayed(stored: dict[str, Any]) -> CreateResult:
    """The :class:`CreateResult` of a replay: the stored answer of an earlier request."""
    return CreateResult(
        OrderRead.model_validate(stored), replayed=True, answer=stored, encoded=_json(stored)
    )


def _json(data: Any) -> str:
    """``data`` as compact JSON text, as FastAPI's ``JSONResponse`` encodes it."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


async def get_order(session: AsyncSession, access: Access, order_id: int) -> OrderRead:
    """The order with all its lines. Raises ``NotFound`` (not in this restaurant)."""
    access.check(Permission.orders_read)
    return await get_order_row(session, access.restaurant_id, order_id)


async def get_order_row(
    session: AsyncSession, restaurant_id: int, order_id: int, *, for_update: bool = False
) -> OrderRead:
    """The order ``order_id`` of ``restaurant_id`` (for other contexts; no permission
    check). ``for_update`` locks the order row for the transaction on PostgreSQL
    (``SELECT ... FOR UPDATE``), so that concurrent writers of the order wait. Two
    queries. Raises ``NotFound``."""
    params = {"order_id": order_id, "restaurant_id": restaurant_id}
    head = (await session.execute(_ORDER_FOR_UPDATE if for_update else _ORDER, params)).first()
    if head is None:
        raise NotFound(f"order {order_id} not found")
    items = await _items_of(session, restaurant_id, order_id)
    return order_read(head, head.currency, items)


async def order_lines(
    session: AsyncSession, restaurant_id: int, order_id: int
) -> list[OrderItemRead]:
    """The lines of order ``order_id`` of ``restaurant_id`` in the order they were added,
    voided ones included (for other contexts; no permission check; one query). Empty for
    an order of another restaurant or no order."""
    return await _items_of(session, restaurant_id, order_id)


async def orders_lines(
    session: AsyncSession, restaurant_id: int, order_ids: Sequence[int]
) -> dict[int, list[OrderItemRead]]:
    """The lines of each of ``order_ids`` (as :func:`order_lines`), one query whatever
    the number; every id is a key."""
    return await _load_items(session, restaurant_id, list(dict.fromkeys(order_ids)))


async def order_opened_by(session: AsyncSession, restaurant_id: int, order_id: int) -> int | None:
    """The id of the user who opened order ``order_id`` of ``restaurant_id`` (its waiter,
    printed on the receipt), ``None`` when unknown (an API token or import opened it, the
    user was deleted, or there is no such order). For other contexts; no permission
    check; one query."""
    opened_by: int | None = await session.scalar(
        _OPENED_BY, {"restaurant_id": restaurant_id, "order_id": order_id}
    )
    return opened_by


def lines_subtotal(items: Sequence[OrderItemRead]) -> int:
    """What the lines come to: the sum of the non-voided lines' ``line_total`` (minor
    units), the order's ``subtotal``."""
    return sum(i.line_total for i in items if i.status is not OrderItemStatus.voided)


@functools.cache
def _list_statements(
    by_status: bool,
    by_table: bool,
    by_waiter: bool = False,
    from_date: bool = False,
    to_date: bool = False,
) -> tuple[Select[Any], Select[Any]]:
    """(count, page) statements of :func:`list_orders` for one combination of filters;
    parameters ``restaurant_id``, ``status``, ``table_id``, ``waiter``, ``start_date``,
    ``end_date``, ``limit``, ``offset``."""
    conditions: list[ColumnElement[bool]] = [owned_by(_orders, RID)]
    if by_status:
        conditions.append(_orders.c.status == bindparam("status"))
    if by_table:
        conditions.append(_orders.c.table_id == bindparam("table_id"))
    if by_waiter:
        conditions.append(_orders.c.opened_by == bindparam("waiter"))
    if from_date:
        conditions.append(_orders.c.business_date >= bindparam("start_date", type_=Date()))
    if to_date:
        conditions.append(_orders.c.business_date <= bindparam("end_date", type_=Date()))
    count = select(func.count()).select_from(_orders).where(*conditions)
    page = (
        select(*_ORDER_COLUMNS, _currency)
        .where(*conditions)
        .order_by(_orders.c.opened_at.desc(), _orders.c.id.desc())
        .limit(bindparam("limit", type_=Integer()))
        .offset(bindparam("offset", type_=Integer()))
    )
    return count, page


async def list_orders(
    session: AsyncSession,
    access: Access,
    *,
    status: OrderStatus | None = None,
    table_id: int | None = None,
    waiter: int | Literal["me"] | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> OrderList:
    """Orders of the restaurant, newest first, with their lines; filtered by ``status``,
    ``table_id``, ``waiter`` (the user id who opened them, ``"me"`` for the caller) and
    business dates ``start_date..end_date`` (inclusive, either may be omitted);
    ``total`` counts every match.

    Raises ``PermissionDenied`` (no ``orders:read``), :class:`InvalidDateRange` (422,
    ``end_date`` before ``start_date``) and :class:`NoSignedInWaiter` (422, ``"me"``
    from an API token).
    """
    access.check(Permission.orders_read)
    restaurant_id = access.restaurant_id
    if start_date is not None and end_date is not None and end_date < start_date:
        raise InvalidDateRange(
            f"end_date {end_date.isoformat()} is before start_date {start_date.isoformat()}"
        )
    if waiter == "me":
        if access.actor.user_id is None:
            raise NoSignedInWaiter("waiter=me: the caller is an API token, not a user")
        waiter = access.actor.user_id
    count, page = _list_statements(
        status is not None,
        table_id is not None,
        waiter is not None,
        start_date is not None,
        end_date is not None,
    )
    params: dict[str, Any] = {"restaurant_id": restaurant_id, "limit": limit, "offset": offset}
    if status is not None:
        params["status"] = status.value
    if table_id is not None:
        params["table_id"] = table_id
    if waiter is not None:
        params["waiter"] = waiter
    if start_date is not None:
        params["start_date"] = start_date
    if end_date is not None:
        params["end_date"] = end_date
    total = (await session.execute(count, params)).scalar_one()
    heads = (await session.execute(page, params)).all()
    items = await _load_items(session, restaurant_id, [h.id for h in heads])
    return OrderList(
        items=[order_read(h, h.currency, items[h.id]) for h in heads], total=int(total)
    )


async def add_items(
    session: AsyncSession, access: Access, order_id: int, data: OrderItemsAdd
) -> OrderRead:
    """Add lines (status ``pending``) to an open order; records ``order.items.added``
    with ``{"order": OrderRead, "item_ids": [...]}``.

    Raises ``NotFound``, ``OrderClosed`` (409), ``StaleVersion`` (409), and the menu's
    ``NotFound`` / ``ItemUnavailable`` (409) / 422 errors.
    """
    access.check(Permission.orders_write)
    restaurant_id = access.restaurant_id
    head = await _write_head(session, restaurant_id, order_id, data.version)
    # The lines already there, then the new ones as the INSERT returned them (higher ids).
    items = await _items_of(session, restaurant_id, order_id)
    new = await _insert_lines(
        session, restaurant_id, order_id, data, utcnow(), added_by=access.actor.user_id
    )
    order = order_read(head.row, head.currency, items + new)
    await _record(session, restaurant_id, ORDER_ITEMS_ADDED, order, item_ids=[i.id for i in new])
    return order


#: Line statuses whose void needs a manager: the kitchen has started on them.
NEEDS_APPROVAL_TO_VOID = frozenset(
    {OrderItemStatus.preparing, OrderItemStatus.ready, OrderItemStatus.served}
)


async def _void_reason(session: AsyncSession, restaurant_id: int, reason: str) -> str:
    """``reason`` as the restaurant spells it among its ``void_reasons``; any reason
    while that list is empty. Raises ``UnknownVoidReason`` (422, extension
    ``void_reasons``) otherwise."""
    allowed = await session.scalar(select(void_reasons_of(literal(restaurant_id))))
    if not allowed:
        return reason
    for candidate in allowed:
        if candidate.casefold() == reason.casefold():
            return str(candidate)
    raise UnknownVoidReason("pick one of the restaurant's void reasons", void_reasons=list(allowed))


async def void_item(
    session: AsyncSession,
    access: Access,
    order_id: int,
    item_id: int,
    data: OrderItemVoid,
    *,
    runtime: Runtime | None = None,
    address: str = "unknown",
    device_secret: str | None = None,
) -> OrderRead:
    """Void a line with a reason (``voided``, ``void_reason``, ``voided_at``); a line
    already fired is also voided on its kitchen ticket, and its stock is given back when
    the kitchen had not started it (the stock hook). Records ``order.item.voided``
    with ``{"order": OrderRead, "item_id": id}``.

    The reason must be one of the restaurant's ``void_reasons`` when it sets any. A
    line being prepared, ready or served (:data:`NEEDS_APPROVAL_TO_VOID`) needs a
    manager: the caller's ``billing:approve`` (``void_approval_method`` ``permission``)
    or ``data.approval`` checked by :func:`brigade.devices.approvals.approver`
    (``password``, or ``pin`` on the registered device of ``device_secret``); who
    approved is kept in ``void_approved_by``. An approval given where none is needed is
    checked and recorded all the same.

    Raises ``PermissionDenied`` (no ``orders:void``), ``NotFound`` (order or line),
    ``OrderClosed``, ``StaleVersion`` and ``ItemAlreadyVoided`` (all 409),
    ``UnknownVoidReason`` (422), ``VoidApprovalRequired`` and ``ApprovalInvalid`` (403),
    ``TooManyRequests`` (429), each before anything is written.
    """
    access.check(Permission.orders_void)
    restaurant_id = access.restaurant_id
    reason = await _void_reason(session, restaurant_id, data.reason)
    head = await _write_head(session, restaurant_id, order_id, data.version)
    items = await _items_of(session, restaurant_id, order_id)
    index = next((n for n, i in enumerate(items) if i.id == item_id), None)
    if index is None:
        raise NotFound(f"line {item_id} not found on order {order_id}")
    item = items[index]
    if item.status is OrderItemStatus.voided:
        raise ItemAlreadyVoided(f"line {item_id} was voided already")
    approved_by: int | None = None
    method: str | None = None
    if data.approval is not None:
        if runtime is None:
            raise VoidApprovalRequired(
                "a manager's approval is given through the HTTP API (POST .../void)"
            )
        approved_by = await approver(
            session,
            runtime,
            restaurant_id,
            data.approval,
            address=address,
            device_secret=device_secret,
            permission=Permission.billing_approve,
        )
        method = data.approval.method
    elif item.status in NEEDS_APPROVAL_TO_VOID:
        if not access.can(Permission.billing_approve):
            raise VoidApprovalRequired(
                f"line {item_id} is {item.status.value}: voiding it needs a manager's approval",
                line_status=item.status.value,
            )
        approved_by, method = access.actor.user_id, "permission"
    if item.status is not OrderItemStatus.pending:
        # The ticket before the line: the kitchen's steps lock the ticket, then the order
        # lines (mark_items); the same order here means the two never deadlock.
        await hooks.line_voided(session, restaurant_id, item_id)
        await hooks.stock_voided(
            session, restaurant_id, item_id, item.status is not OrderItemStatus.fired
        )
    now = utcnow()
    by = access.actor.user_id
    await session.execute(
        _VOID_ITEM,
        {
            "b_item_id": item_id,
            "b_rid": restaurant_id,
            "b_reason": reason,
            "b_now": now,
            "b_by": by,
            "b_approved_by": approved_by,
            "b_approval_method": method,
        },
    )
    items[index] = item.model_copy(
        update={
            "status": OrderItemStatus.voided,
            "void_reason": reason,
            "voided_at": now,
            "voided_by": by,
            "void_approved_by": approved_by,
            "void_approval_method": method,
        }
    )
    order = order_read(head.row, head.currency, items)
    await _record(session, restaurant_id, ORDER_ITEM_VOIDED, order, item_id=item_id)
    return order


async def send_order(
    session: AsyncSession, access: Access, order_id: int, version: int | None = None
) -> OrderRead:
    """Send the order to the kitchen: fire the pending lines of course 1 and hold later
    courses until :func:`fire_course`.

    Precisely, send fires every pending line whose course is at most the highest course
    already fired (at least 1), so a second round added to a running course goes out
    with the next send. Fired lines get ``fired`` and ``fired_at``; the order gets
    ``sent_at`` the first time; the kitchen puts them on tickets (one per station and
    course; a later send joins the station's open ticket of the course as an
    addition, :func:`brigade.kitchen.service.create_tickets`). Records ``order.sent``
    with ``{"order": OrderRead, "item_ids": [...]}``.

    Raises ``NotFound``, ``OrderClosed``, ``StaleVersion``, ``NothingToFire`` (all 409).
    """
    access.check(Permission.orders_write)
    return await _fire(
        session, access.restaurant_id, order_id, version, course=None, by=access.actor.user_id
    )


async def fire_course(
    session: AsyncSession,
    access: Access,
    order_id: int,
    course: int,
    version: int | None = None,
    *,
    confirm: bool = False,
) -> OrderRead:
    """Fire the pending lines of ``course`` (1..9) now, as :func:`send_order` does for
    course 1. Records ``order.course.fired`` with ``{"order", "course", "item_ids"}``.

    Pacing (issue 11): while a line of an earlier course is not ready (still held,
    fired or being prepared; voided and served lines do not count), the fire is refused
    unless ``confirm`` (the waiter saw the warning and fires anyway). Firing the course
    that was scheduled to fire automatically (:mod:`brigade.orders.pacing`) clears the
    schedule in the same transaction. The automatic fire calls this same function,
    never confirmed.

    Raises ``NotFound``, ``OrderClosed``, ``StaleVersion``, ``NothingToFire`` and
    :class:`EarlierCourseNotReady` (all 409); on an error nothing is written.
    """
    access.check(Permission.orders_write)
    return await _fire(
        session,
        access.restaurant_id,
        order_id,
        version,
        course=course,
        confirm=confirm,
        by=access.actor.user_id,
    )


#: How a course's least advanced line names the course's state (``pending`` is held).
_COURSE_STATE = {
    OrderItemStatus.pending: "held",
    OrderItemStatus.fired: "fired",
    OrderItemStatus.preparing: "preparing",
}
_STATE_RANK = (OrderItemStatus.pending, OrderItemStatus.fired, OrderItemStatus.preparing)


def check_earlier_courses(order_id: int, course: int, items: Sequence[OrderItemRead]) -> None:
    """Raise :class:`EarlierCourseNotReady` when a line of a course before ``course``
    is ``pending``, ``fired`` or ``preparing`` (the first such course is named, with its
    least advanced state: ``held`` > ``fired`` > ``preparing``)."""
    waiting = [i for i in items if i.course < course and i.status in _COURSE_STATE]
    if not waiting:
        return
    earlier = min(i.course for i in waiting)
    lines = [i for i in waiting if i.course == earlier]
    least = min((i.status for i in lines), key=_STATE_RANK.index)
    state = _COURSE_STATE[least]
    raise EarlierCourseNotReady(
        f"course {earlier} is {state}, not ready: confirm to fire course {course} anyway",
        course=course,
        earlier_course=earlier,
        earlier_state=state,
        item_ids=[i.id for i in lines],
    )


async def _fire(
    session: AsyncSession,
    restaurant_id: int,
    order_id: int,
    version: int | None,
    *,
    course: int | None,
    by: int | None = None,
    confirm: bool = False,
) -> OrderRead:
    now = utcnow()
    head = await _write_head(session, restaurant_id, order_id, version, "fire", now)
    items = await _items_of(session, restaurant_id, order_id)
    if course is None:
        lowest, highest = 1, max((i.course for i in items if i.fired_at is not None), default=1)
    else:
        lowest = highest = course
    fire = [
        i for i in items if i.status is OrderItemStatus.pending and lowest <= i.course <= highest
    ]
    if not fire:
        which = "course 1" if course is None else f"course {course}"
        raise NothingToFire(f"order {order_id} has no pending line in {which}")
    if course is not None and not confirm:
        check_earlier_courses(order_id, course, items)
    scheduled = head.row.next_fire_course
    if scheduled is not None and scheduled <= highest:
        await session.execute(_CLEAR_SCHEDULE, {"b_rid": restaurant_id, "b_order_id": order_id})
    fire_ids = [i.id for i in fire]
    waiter_name: str | None = await session.scalar(
        _WAITER_NAME, {"restaurant_id": restaurant_id, "order_id": order_id}
    )
    await session.execute(
        _FIRE_ITEMS,
        {
            "b_rid": restaurant_id,
            "b_order_id": order_id,
            "b_lo": lowest,
            "b_hi": highest,
            "b_now": now,
            "b_by": by,
        },
    )
    fired_lines = [
        FiredLine(
            order_item_id=i.id,
            name=i.name,
            variation_name=i.variation_name,
            quantity=i.quantity,
            modifiers=[m.model_dump() for m in i.modifiers],
            notes=i.notes,
            seat=i.seat,
            course=i.course,
            station=i.station,
            waiter_name=waiter_name,
            menu_item_id=i.menu_item_id,
            variation_id=i.variation_id,
        )
        for i in fire
    ]
    await hooks.lines_fired(session, restaurant_id, order_id, head.table_name, fired_lines)
    await hooks.stock_used(session, restaurant_id, fired_lines)
    fired = set(fire_ids)
    items = [
        i.model_copy(update={"status": OrderItemStatus.fired, "fired_at": now, "fired_by": by})
        if i.id in fired
        else i
        for i in items
    ]
    order = order_read(head.row, head.currency, items)
    if course is None:
        await _record(session, restaurant_id, ORDER_SENT, order, item_ids=fire_ids)
    else:
        await _record(
            session, restaurant_id, ORDER_COURSE_FIRED, order, course=course, item_ids=fire_ids
        )
    return order


async def mark_items(
    session: AsyncSession,
    restaurant_id: int,
    order_item_ids: Sequence[int],
    status: str,
    at: datetime,
) -> None:
    """Move order lines along the kitchen's steps (called by the kitchen context).

    ``status`` is ``fired``, ``preparing``, ``ready`` or ``served``; lines that are
    voided, still pending or already served (the floor's last step, :func:`serve_items`:
    a later bump or recall of their ticket does not undo it) are left alone, as are ids
    of other restaurants. ``at`` (UTC) is the step's time, which the kitchen keeps on its
    ticket items. One UPDATE per line, sent as one executemany; records no event (the
    kitchen records ``ticket.updated``) and does not bump the order's ``version``:
    kitchen progress never conflicts with the waiter's writes. Lines made ``ready`` may
    schedule their order's next held course to fire by itself
    (:func:`brigade.orders.pacing.schedule_next_course`, when the restaurant paces
    courses). Raises ``ValueError`` for another ``status``.
    """
    if status not in KITCHEN_STATES:
        raise ValueError(f"not a kitchen state: {status!r}")
    if not order_item_ids:
        return
    await session.execute(
        _MARK_ITEM,
        [{"b_rid": restaurant_id, "b_id": i, "b_status": status} for i in order_item_ids],
    )
    if status == OrderItemStatus.ready.value:
        from brigade.orders.pacing import schedule_next_course

        await schedule_next_course(session, restaurant_id, order_item_ids, at)


async def close_order(
    session: AsyncSession,
    restaurant_id: int,
    order_id: int,
    *,
    items: list[OrderItemRead] | None = None,
) -> OrderRead:
    """Close an open order (its check is paid): ``closed``, ``closed_at`` now, version +
    1, its table released (``brigade.tables.service.release_table``, which records
    ``table.updated``). Records ``order.closed`` with ``{"order": OrderRead}``.

    ``items``: the order's lines when the caller has just read them under the order's
    lock (billing does), so they are not read again; default: read here.

    Called by billing inside its transaction. Raises ``NotFound`` and ``OrderClosed``.
    """
    head = await _write_head(session, restaurant_id, order_id, None, "close", utcnow())
    if head.row.table_id is not None:
        await release_table(session, restaurant_id, head.row.table_id, order_id)
    if items is None:
        items = await _items_of(session, restaurant_id, order_id)
    order = order_read(head.row, head.currency, items)
    await _record(session, restaurant_id, ORDER_CLOSED, order)
    return order


# --------------------------------------------------------------------------------------
# The floor's steps: serving ready lines, cancelling an order opened by mistake
# --------------------------------------------------------------------------------------

# Serves the ready lines among ``b_ids`` of one order and returns the ids it changed: a
# line the kitchen recalled since it was read (it is ``preparing`` again) is not served.
# The expanding list is rendered per call; serving is not on the hot path.
_SERVE_ITEMS = (
    scoped(update(_items), _B_RID)
    .where(
        _items.c.order_id == bindparam("b_order_id"),
        _items.c.status == OrderItemStatus.ready.value,
        _items.c.id.in_(bindparam("b_ids", expanding=True)),
    )
    .values(status=OrderItemStatus.served.value)
    .returning(_items.c.id)
)
#: The order row of :func:`cancel_order` (``cancelled``, ``closed_at`` = ``b_now``,
#: ``cancel_reason`` = ``b_reason``), without and with the version check.
_CANCEL_HEAD: dict[bool, Update] = {
    versioned: _head_update(
        {
            "status": OrderStatus.cancelled.value,
            "closed_at": _NOW,
            "cancel_reason": bindparam("b_reason", type_=Text()),
        },
        versioned=versioned,
    )
    for versioned in (False, True)
}
#: Line statuses that mean nothing reached the kitchen: an order of only these lines
#: may be cancelled.
_UNFIRED = frozenset({OrderItemStatus.pending, OrderItemStatus.voided})


async def serve_items(
    session: AsyncSession, access: Access, order_id: int, data: OrderServe
) -> OrderRead:
    """The waiter took ready lines to the table: mark them ``served``.

    Serves the lines of ``data.order_item_ids`` (every one must be a line of the order
    in status ``ready``), or without it every ``ready`` line of the order. The order's
    ``version`` increases (409 when ``data.version`` is given and not current). A served
    line stays served: a later bump or recall of its ticket does not move it back
    (:func:`mark_items`). Records ``order.served`` with ``{"order": OrderRead,
    "item_ids": [...]}`` (the lines served, ascending).

    Raises ``PermissionDenied`` (no ``orders:write``), ``NotFound`` (no such order in
    this restaurant, or a chosen line not on it), ``OrderClosed``, ``StaleVersion``,
    :class:`ItemNotReady` (a chosen line is not ready; extension ``item_ids``) and
    :class:`NothingToServe` (no ready line; all 409).
    """
    access.check(Permission.orders_write)
    restaurant_id = access.restaurant_id
    head = await _write_head(session, restaurant_id, order_id, data.version)
    items = await _items_of(session, restaurant_id, order_id)
    ready = OrderItemStatus.ready
    if data.order_item_ids is None:
        chosen = [i.id for i in items if i.status is ready]
        if not chosen:
            raise NothingToServe(f"order {order_id} has no ready line")
    else:
        chosen = data.order_item_ids
        by_id = {i.id: i for i in items}
        missing = [i for i in chosen if i not in by_id]
        if missing:
            raise NotFound(f"line {missing[0]} not found on order {order_id}")
        _raise_not_ready(order_id, [i for i in chosen if by_id[i].status is not ready])
    rows = await session.execute(
        _SERVE_ITEMS, {"b_rid": restaurant_id, "b_order_id": order_id, "b_ids": chosen}
    )
    served = sorted(row.id for row in rows)
    if data.order_item_ids is not None:
        # A line the kitchen recalled between the read and the write (PostgreSQL).
        _raise_not_ready(order_id, sorted(set(chosen) - set(served)))
    if not served:
        raise NothingToServe(f"order {order_id} has no ready line")
    done = set(served)
    items = [
        i.model_copy(update={"status": OrderItemStatus.served}) if i.id in done else i
        for i in items
    ]
    order = order_read(head.row, head.currency, items)
    await _record(session, restaurant_id, ORDER_SERVED, order, item_ids=served)
    return order


def _raise_not_ready(order_id: int, item_ids: list[int]) -> None:
    """Raise :class:`ItemNotReady` naming ``item_ids`` when there is any."""
    if item_ids:
        names = ", ".join(map(str, item_ids))
        raise ItemNotReady(f"line(s) {names} of order {order_id} not ready", item_ids=item_ids)


async def cancel_order(
    session: AsyncSession, access: Access, order_id: int, data: OrderCancel
) -> OrderRead:
    """Cancel an open order that has nothing fired (a waiter opened the wrong table).

    Every line must be ``pending`` or ``voided``, and the order may have no check. The
    order becomes ``cancelled`` with ``cancel_reason`` = ``data.reason`` and
    ``closed_at`` now (UTC), ``version`` + 1; its lines stay as they are (nothing
    reached the kitchen; reports count closed orders only). A dine-in order's table is
    freed (``brigade.tables.service.release_table``, event ``table.updated``). Records
    ``order.cancelled`` with ``{"order": OrderRead}``.

    Raises ``PermissionDenied`` (no ``orders:write``), ``NotFound``, ``OrderClosed``
    (closed or cancelled already), ``StaleVersion``, :class:`OrderAlreadyFired` (a line
    was fired; extension ``item_ids``) and :class:`OrderHasCheck` (extension
    ``check_id``), all 409; on an error nothing is written.
    """
    access.check(Permission.orders_write)
    restaurant_id = access.restaurant_id
    params: dict[str, Any] = {
        "b_order_id": order_id,
        "b_rid": restaurant_id,
        "b_now": utcnow(),
        "b_reason": data.reason,
    }
    if data.version is not None:
        params["b_version"] = data.version
    row = (await session.execute(_CANCEL_HEAD[data.version is not None], params)).first()
    if row is None:
        await _raise_why_not_written(session, restaurant_id, order_id)
    assert row is not None  # noqa: S101 - _raise_why_not_written always raises
    # The checks below run under the order row's lock; raising rolls the UPDATE back
    # with the rest of the request.
    items = await _items_of(session, restaurant_id, order_id)
    fired = [i.id for i in items if i.status not in _UNFIRED]
    if fired:
        raise OrderAlreadyFired(
            f"order {order_id} has lines in the kitchen or served; void them instead",
            item_ids=fired,
        )
    await hooks.before_cancel(session, restaurant_id, order_id)  # billing: no check
    if row.table_id is not None:
        await release_table(session, restaurant_id, row.table_id, order_id)
    order = order_read(row, row.currency, items)
    await _record(session, restaurant_id, ORDER_CANCELLED, order)
    return order


_OPEN_ORDER_AT = (
    scoped(select(_orders.c.id), RID)
    .where(
        _orders.c.table_id == bindparam("table_id"),
        _orders.c.status == OrderStatus.open.value,
    )
    .limit(1)
)


async def has_open_order_at(session: AsyncSession, restaurant_id: int, table_id: int) -> bool:
    """Whether an open order of ``restaurant_id`` sits at table ``table_id`` (for the
    tables context, :mod:`brigade.tables.hooks`; no permission check; one query)."""
    found = await session.scalar(
        _OPEN_ORDER_AT, {"restaurant_id": restaurant_id, "table_id": table_id}
    )
    return found is not None
