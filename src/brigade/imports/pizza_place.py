"""Import the "Pizza Place Sales" data set: its menu and its year (2015) of orders.

Two shapes of the same data are read (``/work/shared/data/README.md`` describes both):

* a **folder** with the four published CSVs: ``orders.csv`` (order_id, date, time),
  ``order_details.csv`` (order_details_id, order_id, pizza_id, quantity), ``pizzas.csv``
  (pizza_id, pizza_type_id, size, price in dollars) and ``pizza_types.csv`` (pizza_type_id,
  name, category, ingredients). Files are decoded as UTF-8 and, failing that, as
  Windows-1252 (the published ``pizza_types.csv`` is Windows-1252 with CRLF and a 0x91
  curly quote);
* the **great-tables** file ``great_tables/data/05-pizzaplace.csv``: one row per pizza
  (id, date, time, short name, size, type, price). It carries only short ids, so the
  readable names, categories, ingredients and the full list of sizes come from the UTF-8
  copy of the menu shipped in ``brigade/imports/data/``. With no path, the file of the
  installed ``great-tables`` package is used.

Both shapes give the same orders with the same keys (``external_ref`` ``"2015-000001"``
for the first order: ``{year}-{order number:06d}``), so importing one after the other
changes nothing.

What is created, in the restaurant with slug ``pizza-place`` unless told otherwise
(``The Pizza Place``, USD, ``America/New_York``, no tax), reused when it exists:

* 4 categories (by name), 32 items (``external_ref`` = pizza_type_id, ingredients kept,
  station ``oven``), each size a variation (``sku`` = pizza_id such as ``bbq_ckn_s``,
  ``name`` ``Small`` … ``XX Large``, price in cents computed with ``Decimal``);
* each order as settled history: ``kind`` ``dine_in`` with no table (the publisher says
  orders are "placed by a table" but not which), ``status`` ``closed``, ``opened_at`` =
  ``sent_at`` = ``closed_at`` = the original local date and time converted to UTC,
  ``business_date`` = the local date; lines with their quantity, snapshotted name, size,
  SKU, category and price, ``status`` ``served``; one ``paid`` check (the restaurant's tax
  rule applied to the lines) and one payment of method ``other`` (the data does not say
  how guests paid) with reference ``pizza-place import``.

**This is a batch job, not the hot path.** The menu is written with a handful of Core
statements, and ``orders``, ``order_items``, ``checks`` and ``payments`` are written
directly with SQLAlchemy Core bulk inserts (``executemany`` in chunks, ``RETURNING`` the
new ids) in the caller's one transaction, bypassing the orders and billing services:
those do per-order work (events, kitchen tickets, table status) that history does not
need, and would take minutes for 21,350 orders. No outbox event is recorded per order;
one ``import.completed`` summary event is recorded when anything was created.

Idempotent: the restaurant is found by slug, categories by name, items by
``external_ref``, variations by SKU and orders by ``external_ref``; what exists is kept as
it is, so a second run creates nothing.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from importlib.util import find_spec
from itertools import islice
from pathlib import Path
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.billing.models import Check, Payment
from brigade.events.outbox import record
from brigade.imports.exceptions import ImportConflict, ImportSourceError
from brigade.infra.db import utcnow
from brigade.infra.prepared import dialect_name
from brigade.menu.models import Category, MenuItem, Variation
from brigade.money import tax_exclusive, tax_inclusive
from brigade.orders.models import Order, OrderItem
from brigade.restaurants.models import Restaurant
from brigade.restaurants.service import create_restaurant, validate_time_zone
from brigade.tenancy import same_restaurant, scoped

DEFAULT_SLUG = "pizza-place"
DEFAULT_NAME = "The Pizza Place"
DEFAULT_TIME_ZONE = "America/New_York"
CURRENCY = "USD"
STATION = "oven"
PAYMENT_METHOD = "other"
PAYMENT_REFERENCE = "pizza-place import"

#: Sizes in menu order and their readable names (the publisher's data dictionary).
SIZE_NAMES: dict[str, str] = {
    "S": "Small",
    "M": "Medium",
    "L": "Large",
    "XL": "X Large",
    "XXL": "XX Large",
}

#: Columns each file of the folder shape must have.
FOLDER_COLUMNS: dict[str, tuple[str, ...]] = {
    "pizza_types.csv": ("pizza_type_id", "name", "category", "ingredients"),
    "pizzas.csv": ("pizza_id", "pizza_type_id", "size", "price"),
    "orders.csv": ("order_id", "date", "time"),
    "order_details.csv": ("order_details_id", "order_id", "pizza_id", "quantity"),
}
#: Columns of the great-tables file.
GREAT_TABLES_COLUMNS: tuple[str, ...] = ("id", "date", "time", "name", "size", "type", "price")
GREAT_TABLES_FILE = ("data", "05-pizzaplace.csv")

_ORDERS = cast(Table, Order.__table__)
_ORDER_ITEMS = cast(Table, OrderItem.__table__)
_CHECKS = cast(Table, Check.__table__)
_PAYMENTS = cast(Table, Payment.__table__)
_CATEGORIES = cast(Table, Category.__table__)
_ITEMS = cast(Table, MenuItem.__table__)
_VARIATIONS = cast(Table, Variation.__table__)

ProgressCallback = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as the import advances (stage ``"orders"``)."""


# --------------------------------------------------------------------------- the data


@dataclass(frozen=True, slots=True)
class PizzaType:
    """A pizza of the menu: ``type_id`` (``bbq_ckn``), readable name, category and
    ingredients (in the published order)."""

    type_id: str
    name: str
    category: str
    ingredients: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Pizza:
    """One size of a pizza: ``pizza_id`` (``bbq_ckn_s``), its type, size code (``S`` …
    ``XXL``) and ``price`` in cents."""

    pizza_id: str
    type_id: str
    size: str
    price: int


@dataclass(frozen=True, slots=True)
class SourceLine:
    """An order line: ``quantity`` pizzas of ``pizza_id`` at ``unit_price`` cents each."""

    pizza_id: str
    quantity: int
    unit_price: int


@dataclass(frozen=True, slots=True)
class SourceOrder:
    """An order: ``ref`` (``"2015-000001"``), the naive local wall-clock time it was
    placed, and its lines."""

    ref: str
    local_time: datetime
    lines: tuple[SourceLine, ...]


@dataclass(slots=True)
class PizzaPlaceData:
    """The parsed data set, independent of its shape.

    ``types`` and ``pizzas`` keep the file order (the menu order); ``orders`` are in
    the file order.
    """

    source: str
    shape: Literal["folder", "great-tables"]
    types: dict[str, PizzaType]
    pizzas: dict[str, Pizza]
    orders: list[SourceOrder]

    @property
    def line_count(self) -> int:
        """Number of order lines (one per pizza kind and size in an order)."""
        return sum(len(o.lines) for o in self.orders)

    @property
    def pizza_count(self) -> int:
        """Number of pizzas sold (the sum of the lines' quantities)."""
        return sum(line.quantity for o in self.orders for line in o.lines)


# ------------------------------------------------------------------------ reading files


def great_tables_csv_path() -> Path:
    """The path of ``05-pizzaplace.csv`` inside the installed ``great-tables`` package.

    Found with ``importlib.util.find_spec`` so the (heavy) package is not imported.
    Raises :class:`ImportSourceError` when great-tables is not installed or lacks the
    file.
    """
    spec = find_spec("great_tables")
    if spec is None or not spec.submodule_search_locations:
        raise ImportSourceError(
            "great-tables is not installed, so there is no bundled pizza place data: "
            "install it (pip install 'brigade[demo]') or give the folder of the four "
            "pizza place CSVs as PATH"
        )
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*GREAT_TABLES_FILE)
    if not path.is_file():
        raise ImportSourceError(f"the installed great-tables has no {path.name} ({path})")
    return path


def _decode(path: Path) -> str:
    """The text of ``path``: UTF-8 (BOM allowed), else Windows-1252."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ImportSourceError(f"{path} does not exist") from None
    except OSError as exc:
        raise ImportSourceError(f"{path} cannot be read: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportSourceError(
            f"{path} is neither UTF-8 nor Windows-1252 (byte {exc.start})"
        ) from None


def _rows(name: str, text: str, columns: Sequence[str]) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield ``(where, row)`` for each data row of CSV ``text``, ``where`` being
    ``"file:line"``. Raises :class:`ImportSourceError` when a column is missing or a row
    is short."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in columns if c not in header]
    if missing:
        raise ImportSourceError(
            f"{name}: expected the columns {', '.join(columns)}; "
            f"found {', '.join(header) or 'no header'} (missing {', '.join(missing)})"
        )
    reader.fieldnames = header
    for row in reader:
        where = f"{name}:{reader.line_num}"
        if any(row.get(c) is None for c in columns):
            raise ImportSourceError(f"{where}: the row has fewer fields than the header")
        yield where, {c: row[c].strip() for c in columns}


def _price(value: str, where: str) -> int:
    """Decimal dollars (``"20.75"``) to cents, exactly."""
    try:
        cents = Decimal(value) * 100
    except InvalidOperation:
        raise ImportSourceError(f"{where}: price {value!r} is not a number") from None
    if not cents.is_finite() or cents < 0 or cents != cents.to_integral_value():
        raise ImportSourceError(f"{where}: price {value!r} is not an amount in cents")
    return int(cents)


def _int(value: str, where: str, what: str, *, minimum: int = 0) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ImportSourceError(f"{where}: {what} {value!r} is not a whole number") from None
    if number < minimum:
        raise ImportSourceError(f"{where}: {what} must be at least {minimum}")
    return number


def _local_time(day: str, clock: str, where: str) -> datetime:
    try:
        return datetime.strptime(f"{day} {clock}", "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007
    except ValueError:
        raise ImportSourceError(
            f"{where}: date {day!r} and time {clock!r} are not YYYY-MM-DD and HH:MM:SS"
        ) from None


def _size(value: str, where: str) -> str:
    size = value.upper()
    if size not in SIZE_NAMES:
        raise ImportSourceError(f"{where}: size {value!r} is not one of {', '.join(SIZE_NAMES)}")
    return size


def _parse_types(name: str, text: str) -> dict[str, PizzaType]:
    types: dict[str, PizzaType] = {}
    for where, row in _rows(name, text, FOLDER_COLUMNS["pizza_types.csv"]):
        if not row["pizza_type_id"] or not row["name"] or not row["category"]:
            raise ImportSourceError(f"{where}: pizza_type_id, name and category are required")
        ingredients = tuple(i.strip() for i in row["ingredients"].split(",") if i.strip())
        types[row["pizza_type_id"]] = PizzaType(
            row["pizza_type_id"], row["name"], row["category"], ingredients
        )
    return types


def _parse_pizzas(name: str, text: str, types: dict[str, PizzaType]) -> dict[str, Pizza]:
    pizzas: dict[str, Pizza] = {}
    for where, row in _rows(name, text, FOLDER_COLUMNS["pizzas.csv"]):
        if row["pizza_type_id"] not in types:
            raise ImportSourceError(f"{where}: unknown pizza_type_id {row['pizza_type_id']!r}")
        pizzas[row["pizza_id"]] = Pizza(
            row["pizza_id"],
            row["pizza_type_id"],
            _size(row["size"], where),
            _price(row["price"], where),
        )
    return pizzas


def _bundled_menu() -> tuple[dict[str, PizzaType], dict[str, Pizza]]:
    """The menu shipped with Brigade (UTF-8 copy of pizza_types.csv and pizzas.csv)."""
    folder = resources.files("brigade.imports").joinpath("data")
    types = _parse_types(
        "pizza_types.csv", folder.joinpath("pizza_types.csv").read_text(encoding="utf-8")
    )
    pizzas = _parse_pizzas(
        "pizzas.csv", folder.joinpath("pizzas.csv").read_text(encoding="utf-8"), types
    )
    return types, pizzas


def _order_ref(year: int, number: int) -> str:
    return f"{year}-{number:06d}"


def load_folder(folder: Path) -> PizzaPlaceData:
    """Parse the four published CSVs in ``folder``.

    Raises :class:`ImportSourceError` (naming file and line) when a file is missing, a
    header lacks a column, a value does not parse, or a row names an unknown pizza or
    order.
    """
    texts = {name: _decode(folder / name) for name in FOLDER_COLUMNS}
    types = _parse_types("pizza_types.csv", texts["pizza_types.csv"])
    pizzas = _parse_pizzas("pizzas.csv", texts["pizzas.csv"], types)
    times: dict[int, datetime] = {}
    for where, row in _rows("orders.csv", texts["orders.csv"], FOLDER_COLUMNS["orders.csv"]):
        number = _int(row["order_id"], where, "order_id", minimum=1)
        if number in times:
            raise ImportSourceError(f"{where}: order_id {number} appears twice")
        times[number] = _local_time(row["date"], row["time"], where)
    lines: dict[int, dict[str, int]] = {}
    for where, row in _rows(
        "order_details.csv", texts["order_details.csv"], FOLDER_COLUMNS["order_details.csv"]
    ):
        number = _int(row["order_id"], where, "order_id", minimum=1)
        if number not in times:
            raise ImportSourceError(f"{where}: order_id {number} is not in orders.csv")
        if row["pizza_id"] not in pizzas:
            raise ImportSourceError(f"{where}: pizza_id {row['pizza_id']!r} is not in pizzas.csv")
        quantity = _int(row["quantity"], where, "quantity", minimum=1)
        per_order = lines.setdefault(number, {})
        per_order[row["pizza_id"]] = per_order.get(row["pizza_id"], 0) + quantity
    orders = [
        SourceOrder(
            ref=_order_ref(local.year, number),
            local_time=local,
            lines=tuple(
                SourceLine(pizza_id, quantity, pizzas[pizza_id].price)
                for pizza_id, quantity in lines.get(number, {}).items()
            ),
        )
        for number, local in times.items()
    ]
    return PizzaPlaceData(str(folder), "folder", types, pizzas, orders)


_GT_ID = re.compile(r"^(\d{4})-(\d+)$")


def load_great_tables(path: Path) -> PizzaPlaceData:
    """Parse the great-tables shape (one row per pizza) at ``path``.

    Rows of one order with the same pizza and size become one line with a quantity. The
    menu's readable names, categories, ingredients and sizes come from Brigade's bundled
    copy; a pizza missing from it keeps its short id as name and its type as category.
    Raises :class:`ImportSourceError` as :func:`load_folder` does.
    """
    text = _decode(path)
    types, pizzas = _bundled_menu()
    times: dict[str, datetime] = {}
    lines: dict[str, dict[str, list[int]]] = {}
    for where, row in _rows(path.name, text, GREAT_TABLES_COLUMNS):
        match = _GT_ID.match(row["id"])
        if match is None:
            raise ImportSourceError(f"{where}: id {row['id']!r} is not YEAR-NUMBER")
        ref = _order_ref(int(match.group(1)), int(match.group(2)))
        local = _local_time(row["date"], row["time"], where)
        if times.setdefault(ref, local) != local:
            raise ImportSourceError(f"{where}: order {row['id']} has two different times")
        type_id = row["name"]
        if not type_id:
            raise ImportSourceError(f"{where}: name is required")
        size = _size(row["size"], where)
        price = _price(row["price"], where)
        if type_id not in types:
            types[type_id] = PizzaType(
                type_id, type_id.replace("_", " ").title(), row["type"].title() or "Other", ()
            )
        pizza_id = f"{type_id}_{size.lower()}"
        if pizza_id not in pizzas:
            pizzas[pizza_id] = Pizza(pizza_id, type_id, size, price)
        entry = lines.setdefault(ref, {}).setdefault(pizza_id, [0, price])
        if entry[1] != price:
            raise ImportSourceError(
                f"{where}: order {row['id']} has {pizza_id} at two different prices"
            )
        entry[0] += 1
    orders = [
        SourceOrder(
            ref=ref,
            local_time=local,
            lines=tuple(
                SourceLine(pizza_id, quantity, price)
                for pizza_id, (quantity, price) in lines[ref].items()
            ),
        )
        for ref, local in times.items()
    ]
    return PizzaPlaceData(str(path), "great-tables", types, pizzas, orders)


def load_pizza_place(path: Path | None = None) -> PizzaPlaceData:
    """Parse the pizza place data at ``path``: a folder of the four CSVs, or the
    great-tables file; ``None`` means the file of the installed great-tables package.

    Raises :class:`ImportSourceError` with a message naming what is wrong.
    """
    if path is None:
        return load_great_tables(great_tables_csv_path())
    if path.is_dir():
        return load_folder(path)
    if not path.exists():
        raise ImportSourceError(f"{path} does not exist")
    if path.name in FOLDER_COLUMNS:
        raise ImportSourceError(
            f"{path} is one of the four pizza place CSVs: give the folder that holds them"
        )
    return load_great_tables(path)


# ------------------------------------------------------------------------------ writing


@dataclass(slots=True)
class ImportReport:
    """What an import did. ``seconds`` is the wall time of the database part."""

    restaurant_id: int
    restaurant_created: bool = False
    categories_created: int = 0
    items_created: int = 0
    variations_created: int = 0
    orders_created: int = 0
    orders_skipped: int = 0
    lines_created: int = 0
    pizzas_created: int = 0
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


@dataclass(frozen=True, slots=True)
class _MenuLine:
    """What an order line snapshots of a pizza's menu entry."""

    menu_item_id: int
    variation_id: int
    name: str
    variation_name: str
    sku: str
    category_name: str
    station: str


@dataclass(slots=True)
class _Context:
    restaurant_id: int
    tz: ZoneInfo
    currency: str
    tax_rate_bp: int
    tax_included: bool
    menu: dict[str, _MenuLine] = field(default_factory=dict)


async def _ensure_restaurant(
    session: AsyncSession, slug: str, name: str, time_zone: str | None
) -> tuple[Restaurant, bool]:
    """The restaurant ``slug`` and whether it was created now."""
    if time_zone is not None:
        validate_time_zone(time_zone)
    restaurant = await session.scalar(select(Restaurant).where(Restaurant.slug == slug))
    if restaurant is None:
        created = await create_restaurant(
            session,
            name=name,
            slug=slug,
            currency=CURRENCY,
            time_zone=time_zone or DEFAULT_TIME_ZONE,
            tax_rate_bp=0,
        )
        return created, True
    if time_zone is not None and restaurant.time_zone != time_zone:
        raise ImportConflict(
            f"restaurant {slug!r} exists with time zone {restaurant.time_zone}, "
            f"not {time_zone}; its business dates would not match"
        )
    if restaurant.currency != CURRENCY:
        raise ImportConflict(
            f"restaurant {slug!r} uses {restaurant.currency}; the pizza place's prices are USD"
        )
    return restaurant, False


async def _ensure_menu(
    session: AsyncSession, ctx: _Context, data: PizzaPlaceData, report: ImportReport
) -> None:
    """Create the missing categories, items and variations; fill ``ctx.menu``."""
    rid = ctx.restaurant_id
    now = utcnow()
    categories: dict[str, int] = {
        row.name: row.id
        for row in await session.execute(scoped(select(Category.id, Category.name), rid))
    }
    next_position = len(categories)
    for category in dict.fromkeys(t.category for t in data.types.values()):
        if category not in categories:
            categories[category] = await session.scalar(
                insert(_CATEGORIES)
                .values(restaurant_id=rid, name=category, position=next_position)
                .returning(_CATEGORIES.c.id)
            )
            next_position += 1
            report.categories_created += 1

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
            ).where(MenuItem.external_ref.in_(list(data.types)))
        )
    }
    missing_types = [t for t in data.types.values() if t.type_id not in items]
    if missing_types:
        item_position = (
            await session.scalar(scoped(select(func.count()).select_from(MenuItem), rid)) or 0
        )
        result = await session.execute(
            insert(_ITEMS).returning(_ITEMS.c.id, sort_by_parameter_order=True),
            [
                {
                    "restaurant_id": rid,
                    "category_id": categories[t.category],
                    "name": t.name,
                    "description": "",
                    "ingredients": list(t.ingredients),
                    "station": STATION,
                    "is_available": True,
                    "position": item_position + i,
                    "external_ref": t.type_id,
                    "updated_at": now,
                }
                for i, t in enumerate(missing_types)
            ],
        )
        for t, item_id in zip(missing_types, result.scalars(), strict=True):
            items[t.type_id] = (item_id, t.name, STATION, t.category)
        report.items_created += len(missing_types)

    variations: dict[str, tuple[int, str]] = {
        row.sku: (row.id, row.name)
        for row in await session.execute(
            scoped(select(Variation.id, Variation.sku, Variation.name), rid).where(
                Variation.sku.in_(list(data.pizzas))
            )
        )
    }
    size_rank = {size: i for i, size in enumerate(SIZE_NAMES)}
    missing_pizzas = [p for p in data.pizzas.values() if p.pizza_id not in variations]
    if missing_pizzas:
        result = await session.execute(
            insert(_VARIATIONS).returning(_VARIATIONS.c.id, sort_by_parameter_order=True),
            [
                {
                    "restaurant_id": rid,
                    "item_id": items[p.type_id][0],
                    "name": SIZE_NAMES[p.size],
                    "sku": p.pizza_id,
                    "price": p.price,
                    "position": size_rank[p.size],
                    "is_available": True,
                }
                for p in missing_pizzas
            ],
        )
        for p, variation_id in zip(missing_pizzas, result.scalars(), strict=True):
            variations[p.pizza_id] = (variation_id, SIZE_NAMES[p.size])
        report.variations_created += len(missing_pizzas)

    for pizza in data.pizzas.values():
        item_id, item_name, station, category = items[pizza.type_id]
        variation_id, variation_name = variations[pizza.pizza_id]
        ctx.menu[pizza.pizza_id] = _MenuLine(
            item_id, variation_id, item_name, variation_name, pizza.pizza_id, category, station
        )


def _check_amounts(ctx: _Context, subtotal: int) -> tuple[int, int]:
    """``(tax, total)`` of a check of ``subtotal`` cents under the restaurant's rule."""
    if ctx.tax_included:
        return tax_inclusive(subtotal, ctx.tax_rate_bp), subtotal
    tax = tax_exclusive(subtotal, ctx.tax_rate_bp)
    return tax, subtotal + tax


async def _insert_orders(
    session: AsyncSession, ctx: _Context, orders: Sequence[SourceOrder], report: ImportReport
) -> None:
    """Write one chunk of orders with their lines, paid checks and payments.

    Four ``executemany`` inserts and two selects of the new ids. Not ``INSERT ...
    RETURNING`` with ``sort_by_parameter_order``: SQLite cannot promise the order of
    returned rows, so SQLAlchemy would fall back to one statement per row there.
    """
    rid = ctx.restaurant_id
    order_rows: list[dict[str, Any]] = []
    for order in orders:
        at = order.local_time.replace(tzinfo=ctx.tz).astimezone(UTC)
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
        subtotal = 0
        for line in order.lines:
            menu = ctx.menu[line.pizza_id]
            line_total = line.quantity * line.unit_price
            subtotal += line_total
            line_rows.append(
                {
                    "restaurant_id": rid,
                    "order_id": order_id,
                    "menu_item_id": menu.menu_item_id,
                    "variation_id": menu.variation_id,
                    "name": menu.name,
                    "variation_name": menu.variation_name,
                    "sku": menu.sku,
                    "category_name": menu.category_name,
                    "station": menu.station,
                    "unit_price": line.unit_price,
                    "modifiers": [],
                    "modifiers_total": 0,
                    "quantity": line.quantity,
                    "line_total": line_total,
                    "notes": "",
                    "seat": None,
                    "course": 1,
                    "status": "served",
                    "void_reason": None,
                    "created_at": at,
                    "fired_at": at,
                    "voided_at": None,
                }
            )
            report.pizzas_created += line.quantity
        tax, total = _check_amounts(ctx, subtotal)
        check_rows.append(
            {
                "restaurant_id": rid,
                "order_id": order_id,
                "status": "paid",
                "currency": ctx.currency,
                "subtotal": subtotal,
                "discount_total": 0,
                "tax_total": tax,
                "total": total,
                "paid_total": total,
                "tip_total": 0,
                "tax_rate_bp": ctx.tax_rate_bp,
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
                "reference": PAYMENT_REFERENCE,
                "created_by": None,
                "created_at": check["created_at"],
            }
            for check_id, check in zip(check_ids, check_rows, strict=True)
        ],
    )
    report.orders_created += len(orders)
    report.lines_created += len(line_rows)


#: Tables a year of orders fills; their planner statistics are refreshed after a load.
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


def _chunks(items: Sequence[SourceOrder], size: int) -> Iterator[Sequence[SourceOrder]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


async def import_pizza_place(
    session: AsyncSession,
    data: PizzaPlaceData,
    *,
    slug: str = DEFAULT_SLUG,
    name: str = DEFAULT_NAME,
    time_zone: str | None = None,
    chunk_size: int = 2000,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Write ``data`` into the restaurant ``slug`` (created when missing) in ``session``.

    Flushes only; the caller commits (``brigade.events.unit_of_work``), so a failed import
    leaves nothing behind. ``time_zone`` (IANA) is used when the restaurant is created,
    default ``America/New_York``. Orders already imported (same ``external_ref``) are
    skipped; ``progress("orders", done, total)`` is called after each chunk of
    ``chunk_size`` orders.

    Raises :class:`~brigade.restaurants.exceptions.UnknownTimeZone` for a bad
    ``time_zone``, :class:`ImportConflict` when the existing restaurant has another time
    zone or currency.
    """
    started = time.perf_counter()
    restaurant, created = await _ensure_restaurant(session, slug, name, time_zone)
    report = ImportReport(restaurant_id=restaurant.id, restaurant_created=created)
    ctx = _Context(
        restaurant_id=restaurant.id,
        tz=ZoneInfo(restaurant.time_zone),
        currency=restaurant.currency,
        tax_rate_bp=restaurant.tax_rate_bp,
        tax_included=restaurant.tax_inclusive,
    )
    await _ensure_menu(session, ctx, data, report)

    existing = set(
        (
            await session.scalars(
                scoped(select(Order.external_ref), restaurant.id).where(
                    Order.external_ref.is_not(None)
                )
            )
        ).all()
    )
    todo = [o for o in data.orders if o.ref not in existing]
    report.orders_skipped = len(data.orders) - len(todo)
    if progress is not None:
        progress("orders", 0, len(todo))
    for chunk in _chunks(todo, chunk_size):
        await _insert_orders(session, ctx, chunk, report)
        if progress is not None:
            progress("orders", report.orders_created, len(todo))

    if report.orders_created:
        await _analyze(session)
    if report.changed:
        await record(
            session,
            restaurant.id,
            "import.completed",
            {
                "source": "pizza-place",
                "shape": data.shape,
                "categories_created": report.categories_created,
                "items_created": report.items_created,
                "variations_created": report.variations_created,
                "orders_created": report.orders_created,
                "lines_created": report.lines_created,
            },
        )
    await session.flush()
    report.seconds = time.perf_counter() - started
    return report
