"""Write an order history as settled orders: the part every importer shares.

An importer reads its source into :class:`HistoryOrder` values (an order's key, its naive
local wall-clock time and its :class:`HistoryLine` lines, priced in minor units) and a
menu keyed by SKU (:class:`MenuLine`, what a line snapshots of its menu entry). This
module writes them.

**This is a batch job, not the hot path.** ``orders``, ``order_items``, ``checks`` and
``payments`` are written with SQLAlchemy Core bulk inserts (``executemany`` in chunks) in
the caller's one transaction, bypassing the orders and billing services: those do
per-order work (events, kitchen tickets, table status) that history does not need, and
would take minutes for a year of orders. Each order becomes:

* ``kind`` ``dine_in`` with no table, ``status`` ``closed``, ``opened_at`` = ``sent_at``
  = ``closed_at`` = the local time converted to UTC in the restaurant's time zone,
  ``business_date`` = the local date, ``external_ref`` = the order's key;
* its lines with quantity, snapshotted name, size, SKU, category and price, ``status``
  ``served``. A line without a menu entry (``sku`` ``None``: the source names no item)
  is kept as the source has it: no menu item, its ``name`` (or ``"(no item)"``), its
  quantity and price (usually 1 at 0), so reports count it as the source does;
* one ``paid`` check (the restaurant's tax rule applied to the lines, as
  :func:`brigade.money.tax_exclusive` / :func:`~brigade.money.tax_inclusive` state it)
  and one payment of method ``other`` with the importer's reference.

Idempotent by key: orders whose ``external_ref`` exists in the restaurant are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.billing.models import Check, Payment
from brigade.events.outbox import record
from brigade.imports.exceptions import ImportConflict
from brigade.infra.db import utcnow
from brigade.infra.prepared import dialect_name
from brigade.menu.models import Category, MenuItem, Variation
from brigade.money import tax_exclusive, tax_inclusive
from brigade.orders.models import Order, OrderItem
from brigade.restaurants.models import Restaurant
from brigade.restaurants.service import create_restaurant, validate_time_zone
from brigade.tenancy import same_restaurant, scoped

PAYMENT_METHOD = "other"
#: The name a line without a menu entry gets when the source gives none.
NO_ITEM = "(no item)"

_ORDERS = cast(Table, Order.__table__)
_ORDER_ITEMS = cast(Table, OrderItem.__table__)
_CHECKS = cast(Table, Check.__table__)
_PAYMENTS = cast(Table, Payment.__table__)
_CATEGORIES = cast(Table, Category.__table__)
_ITEMS = cast(Table, MenuItem.__table__)
_VARIATIONS = cast(Table, Variation.__table__)

ProgressCallback = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as the import advances (stage ``"orders"``)."""


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """An order line: ``quantity`` of the menu entry ``sku`` at ``unit_price`` minor units
    each. ``sku`` ``None`` is a line the source gives without an item; ``name`` is then
    what it is called (default :data:`NO_ITEM`)."""

    sku: str | None
    quantity: int
    unit_price: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class HistoryOrder:
    """An order: its key ``ref`` (unique in the restaurant, kept as ``external_ref``), the
    naive local wall-clock time it was placed, and its lines."""

    ref: str
    local_time: datetime
    lines: tuple[HistoryLine, ...]


@dataclass(frozen=True, slots=True)
class MenuLine:
    """What an order line snapshots of its menu entry (a variation, keyed by its SKU)."""

    menu_item_id: int
    variation_id: int
    name: str
    variation_name: str
    sku: str
    category_name: str
    station: str


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """A priced size of a menu item as a source gives it: the variation's ``sku`` (the key
    order lines name), the item's key ``item_ref`` (kept as its ``external_ref``; several
    sizes share it), its name, category (by name), the size's name and ``position``
    among the item's sizes, ``price`` in minor units, ingredients and kitchen station."""

    sku: str
    item_ref: str
    item_name: str
    category: str
    variation_name: str
    price: int
    position: int = 0
    ingredients: tuple[str, ...] = ()
    station: str = "kitchen"


@dataclass(slots=True)
class MenuCounts:
    """What :func:`ensure_menu` created."""

    categories_created: int = 0
    items_created: int = 0
    variations_created: int = 0


@dataclass(slots=True)
class HistoryTarget:
    """The restaurant being written to, its rules and its menu by SKU."""

    restaurant_id: int
    tz: ZoneInfo
    currency: str
    tax_rate_bp: int
    tax_included: bool
    payment_reference: str
    menu: dict[str, MenuLine] = field(default_factory=dict)

    @classmethod
    def of(cls, restaurant: Restaurant, payment_reference: str) -> HistoryTarget:
        """The target of ``restaurant`` (menu still empty)."""
        return cls(
            restaurant_id=restaurant.id,
            tz=ZoneInfo(restaurant.time_zone),
            currency=restaurant.currency,
            tax_rate_bp=restaurant.tax_rate_bp,
            tax_included=restaurant.tax_inclusive,
            payment_reference=payment_reference,
        )


@dataclass(slots=True)
class HistoryCounts:
    """What :func:`write_history` wrote: orders, lines and the lines' quantities."""

    orders_created: int = 0
    orders_skipped: int = 0
    lines_created: int = 0
    units_created: int = 0


async def ensure_restaurant(
    session: AsyncSession,
    *,
    slug: str,
    name: str,
    currency: str,
    time_zone: str | None,
    default_time_zone: str,
) -> tuple[Restaurant, bool]:
    """The restaurant ``slug`` and whether it was created now (with ``name``,
    ``currency``, ``time_zone`` or ``default_time_zone``, no tax).

    Raises :class:`~brigade.restaurants.exceptions.UnknownTimeZone` for a bad
    ``time_zone``; :class:`ImportConflict` when the existing restaurant has another time
    zone than ``time_zone`` (its business dates would not match) or another currency.
    """
    if time_zone is not None:
        validate_time_zone(time_zone)
    restaurant = await session.scalar(select(Restaurant).where(Restaurant.slug == slug))
    if restaurant is None:
        created = await create_restaurant(
            session,
            name=name,
            slug=slug,
            currency=currency,
            time_zone=time_zone or default_time_zone,
            tax_rate_bp=0,
        )
        return created, True
    if time_zone is not None and restaurant.time_zone != time_zone:
        raise ImportConflict(
            f"restaurant {slug!r} exists with time zone {restaurant.time_zone}, "
            f"not {time_zone}; its business dates would not match"
        )
    if restaurant.currency != currency:
        raise ImportConflict(
            f"restaurant {slug!r} uses {restaurant.currency}; the imported prices are {currency}"
        )
    return restaurant, False


async def ensure_menu(
    session: AsyncSession, target: HistoryTarget, entries: Sequence[MenuEntry]
) -> MenuCounts:
    """Create the categories (by name), items (by ``external_ref`` = ``item_ref``) and
    variations (by SKU) of ``entries`` that the restaurant lacks, in the entries' order
    after what exists; fill ``target.menu``. What exists is kept as it is (an item's
    name, price or category changed at the source since is not overwritten).

    A handful of Core statements whatever the menu's size.
    """
    rid = target.restaurant_id
    counts = MenuCounts()
    now = utcnow()
    categories: dict[str, int] = {
        row.name: row.id
        for row in await session.execute(scoped(select(Category.id, Category.name), rid))
    }
    next_position = len(categories)
    for category in dict.fromkeys(entry.category for entry in entries):
        if category not in categories:
            categories[category] = await session.scalar(
                insert(_CATEGORIES)
                .values(restaurant_id=rid, name=category, position=next_position)
                .returning(_CATEGORIES.c.id)
            )
            next_position += 1
            counts.categories_created += 1

    first_of_item = {entry.item_ref: entry for entry in reversed(entries)}
    refs = list(dict.fromkeys(entry.item_ref for entry in entries))
    items: dict[str, tuple[int, str, str, str]] = {
        row.external_ref: (row.id, row.name, row.station, row.category)
        for row in await session.execute(
            scoped(
                select(MenuItem.id, MenuItem.name, MenuItem.station, MenuItem.external_ref)
                .add_columns(Category.name.label("category"))
                .join(
                    Category,
                    (Category.id == MenuItem.category_id) & same_restaurant(Category, MenuItem),
                ),
                rid,
                MenuItem,
            ).where(MenuItem.external_ref.in_(refs))
        )
    }
    missing_items = [first_of_item[ref] for ref in refs if ref not in items]
    if missing_items:
        item_position = (
            await session.scalar(scoped(select(func.count()).select_from(MenuItem), rid)) or 0
        )
        result = await session.execute(
            insert(_ITEMS).returning(_ITEMS.c.id, sort_by_parameter_order=True),
            [
                {
                    "restaurant_id": rid,
                    "category_id": categories[entry.category],
                    "name": entry.item_name,
                    "description": "",
                    "ingredients": list(entry.ingredients),
                    "station": entry.station,
                    "is_available": True,
                    "position": item_position + i,
                    "external_ref": entry.item_ref,
                    "updated_at": now,
                }
                for i, entry in enumerate(missing_items)
            ],
        )
        for entry, item_id in zip(missing_items, result.scalars(), strict=True):
            items[entry.item_ref] = (item_id, entry.item_name, entry.station, entry.category)
        counts.items_created += len(missing_items)

    variations: dict[str, tuple[int, str]] = {
        row.sku: (row.id, row.name)
        for row in await session.execute(
            scoped(select(Variation.id, Variation.sku, Variation.name), rid).where(
                Variation.sku.in_([entry.sku for entry in entries])
            )
        )
    }
    missing = [entry for entry in entries if entry.sku not in variations]
    if missing:
        result = await session.execute(
            insert(_VARIATIONS).returning(_VARIATIONS.c.id, sort_by_parameter_order=True),
            [
                {
                    "restaurant_id": rid,
                    "item_id": items[entry.item_ref][0],
                    "name": entry.variation_name,
                    "sku": entry.sku,
                    "price": entry.price,
                    "position": entry.position,
                    "is_available": True,
                }
                for entry in missing
            ],
        )
        for entry, variation_id in zip(missing, result.scalars(), strict=True):
            variations[entry.sku] = (variation_id, entry.variation_name)
        counts.variations_created += len(missing)

    for entry in entries:
        item_id, item_name, station, category = items[entry.item_ref]
        variation_id, variation_name = variations[entry.sku]
        target.menu[entry.sku] = MenuLine(
            item_id, variation_id, item_name, variation_name, entry.sku, category, station
        )
    return counts


def _check_amounts(target: HistoryTarget, subtotal: int) -> tuple[int, int]:
    """``(tax, total)`` of a check of ``subtotal`` minor units under the restaurant's rule."""
    if target.tax_included:
        return tax_inclusive(subtotal, target.tax_rate_bp), subtotal
    tax = tax_exclusive(subtotal, target.tax_rate_bp)
    return tax, subtotal + tax


def _line_row(
    target: HistoryTarget, order_id: int, at: datetime, line: HistoryLine
) -> dict[str, Any]:
    menu = target.menu[line.sku] if line.sku is not None else None
    return {
        "restaurant_id": target.restaurant_id,
        "order_id": order_id,
        "menu_item_id": menu.menu_item_id if menu else None,
        "variation_id": menu.variation_id if menu else None,
        "name": menu.name if menu else (line.name or NO_ITEM),
        "variation_name": menu.variation_name if menu else "",
        "sku": menu.sku if menu else "",
        "category_name": menu.category_name if menu else "",
        "station": menu.station if menu else "",
        "unit_price": line.unit_price,
        "modifiers": [],
        "modifiers_total": 0,
        "quantity": line.quantity,
        "line_total": line.quantity * line.unit_price,
        "notes": "",
        "seat": None,
        "course": 1,
        "status": "served",
        "void_reason": None,
        "created_at": at,
        "fired_at": at,
        "voided_at": None,
    }


async def _insert_orders(
    session: AsyncSession,
    target: HistoryTarget,
    orders: Sequence[HistoryOrder],
    counts: HistoryCounts,
) -> None:
    """Write one chunk of orders with their lines, paid checks and payments.

    Four ``executemany`` inserts and two selects of the new ids. Not ``INSERT ...
    RETURNING`` with ``sort_by_parameter_order``: SQLite cannot promise the order of
    returned rows, so SQLAlchemy would fall back to one statement per row there.
    """
    rid = target.restaurant_id
    order_rows: list[dict[str, Any]] = []
    for order in orders:
        at = order.local_time.replace(tzinfo=target.tz).astimezone(UTC)
        order_rows.append(
            {
                "restaurant_id": rid,
                "table_id": None,
                "kind": "dine_in",
                "status": "closed",
                "covers": 0,
                "notes": "",
                "version": 1,
                "opened_by": None,
                "opened_at": at,
                "sent_at": at,
                "closed_at": at,
                "business_date": order.local_time.date(),
                "external_ref": order.ref,
            }
        )
    await session.execute(insert(_ORDERS), order_rows)
    refs = [order.ref for order in orders]
    ids_by_ref: dict[str | None, int] = {
        row.external_ref: row.id
        for row in await session.execute(
            scoped(select(Order.id, Order.external_ref), rid).where(Order.external_ref.in_(refs))
        )
    }
    order_ids = [ids_by_ref[ref] for ref in refs]

    line_rows: list[dict[str, Any]] = []
    check_rows: list[dict[str, Any]] = []
    for order, order_id, order_row in zip(orders, order_ids, order_rows, strict=True):
        at = order_row["opened_at"]
        rows = [_line_row(target, order_id, at, line) for line in order.lines]
        line_rows.extend(rows)
        counts.units_created += sum(line.quantity for line in order.lines)
        subtotal = sum(row["line_total"] for row in rows)
        tax, total = _check_amounts(target, subtotal)
        check_rows.append(
            {
                "restaurant_id": rid,
                "order_id": order_id,
                "status": "paid",
                "currency": target.currency,
                "subtotal": subtotal,
                "discount_total": 0,
                "tax_total": tax,
                "total": total,
                "paid_total": total,
                "tip_total": 0,
                "tax_rate_bp": target.tax_rate_bp,
                "version": 1,
                "created_at": at,
                "paid_at": at,
            }
        )
    if line_rows:
        await session.execute(insert(_ORDER_ITEMS), line_rows)
    await session.execute(insert(_CHECKS), check_rows)
    check_by_order: dict[int, int] = {
        row.order_id: row.id
        for row in await session.execute(
            scoped(select(Check.id, Check.order_id), rid).where(Check.order_id.in_(order_ids))
        )
    }
    check_ids = [check_by_order[order_id] for order_id in order_ids]
    await session.execute(
        insert(_PAYMENTS),
        [
            {
                "restaurant_id": rid,
                "check_id": check_id,
                "method": PAYMENT_METHOD,
                "amount": check["total"],
                "tendered": None,
                "change": 0,
                "tip": 0,
                "reference": target.payment_reference,
                "created_by": None,
                "created_at": check["created_at"],
            }
            for check_id, check in zip(check_ids, check_rows, strict=True)
        ],
    )
    counts.orders_created += len(orders)
    counts.lines_created += len(line_rows)


#: Tables an order history fills; their planner statistics are refreshed after a load.
_LOADED_TABLES = ("orders", "order_items", "checks", "payments")


async def _analyze(session: AsyncSession) -> None:
    """``ANALYZE`` the loaded tables, so the first reports after a bulk load are planned
    with their real sizes (PostgreSQL's autovacuum would only get to it later)."""
    dialect = dialect_name(session)
    if dialect == "postgresql":
        await session.execute(text(f"ANALYZE {', '.join(_LOADED_TABLES)}"))
    elif dialect == "sqlite":
        for table in _LOADED_TABLES:
            await session.execute(text(f"ANALYZE {table}"))


def _chunks(items: Sequence[HistoryOrder], size: int) -> Iterator[Sequence[HistoryOrder]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


async def write_history(
    session: AsyncSession,
    target: HistoryTarget,
    orders: Sequence[HistoryOrder],
    *,
    chunk_size: int = 2000,
    progress: ProgressCallback | None = None,
) -> HistoryCounts:
    """Write the ``orders`` not yet in the restaurant (by ``external_ref``) as settled
    orders, in chunks of ``chunk_size``; ``progress("orders", done, total)`` after each.

    Every line's ``sku`` must be in ``target.menu`` or be ``None``. Flushes only; the
    caller commits, so a failed import leaves nothing behind.
    """
    existing = set(
        (
            await session.scalars(
                scoped(select(Order.external_ref), target.restaurant_id).where(
                    Order.external_ref.is_not(None)
                )
            )
        ).all()
    )
    todo = [o for o in orders if o.ref not in existing]
    counts = HistoryCounts(orders_skipped=len(orders) - len(todo))
    if progress is not None:
        progress("orders", 0, len(todo))
    for chunk in _chunks(todo, chunk_size):
        await _insert_orders(session, target, chunk, counts)
        if progress is not None:
            progress("orders", counts.orders_created, len(todo))
    if counts.orders_created:
        await _analyze(session)
    return counts


@dataclass(slots=True)
class ImportReport:
    """What an import did: the restaurant, what was created and skipped, and
    ``units_created`` (the lines' quantities). ``seconds`` is the wall time of the
    database part."""

    restaurant_id: int
    restaurant_created: bool = False
    categories_created: int = 0
    items_created: int = 0
    variations_created: int = 0
    orders_created: int = 0
    orders_skipped: int = 0
    lines_created: int = 0
    units_created: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """Whether anything was written."""
        return bool(
            self.restaurant_created
            or self.categories_created
            or self.items_created
            or self.variations_created
            or self.orders_created
        )

    def add(self, menu: MenuCounts, counts: HistoryCounts) -> None:
        """Take in what :func:`ensure_menu` and :func:`write_history` wrote."""
        self.categories_created += menu.categories_created
        self.items_created += menu.items_created
        self.variations_created += menu.variations_created
        self.orders_created += counts.orders_created
        self.orders_skipped += counts.orders_skipped
        self.lines_created += counts.lines_created
        self.units_created += counts.units_created


async def record_import(
    session: AsyncSession, report: ImportReport, *, source: str, shape: str
) -> None:
    """Record one ``import.completed`` event (``{source, shape, categories_created,
    items_created, variations_created, orders_created, lines_created}``) when the import
    wrote anything: the only event of an import, none per order."""
    if not report.changed:
        return
    await record(
        session,
        report.restaurant_id,
        "import.completed",
        {
            "source": source,
            "shape": shape,
            "categories_created": report.categories_created,
            "items_created": report.items_created,
            "variations_created": report.variations_created,
            "orders_created": report.orders_created,
            "lines_created": report.lines_created,
        },
    )
