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
* each order as settled history, written by :mod:`brigade.imports.history` (bulk
  inserts, one ``paid`` check and one payment of method ``other`` with reference
  ``pizza-place import`` per order; the publisher says orders are "placed by a table" but
  not which, nor how guests paid). No outbox event is recorded per order; one
  ``import.completed`` summary event is recorded when anything was created.

Idempotent: the restaurant is found by slug, categories by name, items by
``external_ref``, variations by SKU and orders by ``external_ref``; what exists is kept as
it is, so a second run creates nothing.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from importlib.util import find_spec
from pathlib import Path
from typing import Literal, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.imports import history
from brigade.imports.csvfiles import decode_text, parse_price, read_rows
from brigade.imports.exceptions import ImportSourceError
from brigade.imports.history import (
    HistoryLine,
    HistoryOrder,
    HistoryTarget,
    MenuEntry,
    ProgressCallback,
    ensure_menu,
    ensure_restaurant,
    record_import,
    write_history,
)
from brigade.menu.models import Category, MenuItem, Variation
from brigade.restaurants.models import Restaurant

DEFAULT_SLUG = "pizza-place"
DEFAULT_NAME = "The Pizza Place"
DEFAULT_TIME_ZONE = "America/New_York"
CURRENCY = "USD"
STATION = "oven"
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

_CATEGORIES = cast(Table, Category.__table__)
_ITEMS = cast(Table, MenuItem.__table__)
_VARIATIONS = cast(Table, Variation.__table__)


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


#: An order line: ``quantity`` pizzas of SKU ``sku`` (``bbq_ckn_s``) at ``unit_price`` cents.
SourceLine = HistoryLine
#: An order: ``ref`` (``"2015-000001"``), its naive local time and its lines.
SourceOrder = HistoryOrder


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


def _price(value: str, where: str) -> int:
    """Decimal dollars (``"20.75"``) to cents, exactly."""
    return parse_price(value, where, exponent=2)


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
    for where, row in read_rows(name, text, FOLDER_COLUMNS["pizza_types.csv"]):
        if not row["pizza_type_id"] or not row["name"] or not row["category"]:
            raise ImportSourceError(f"{where}: pizza_type_id, name and category are required")
        ingredients = tuple(i.strip() for i in row["ingredients"].split(",") if i.strip())
        types[row["pizza_type_id"]] = PizzaType(
            row["pizza_type_id"], row["name"], row["category"], ingredients
        )
    return types


def _parse_pizzas(name: str, text: str, types: dict[str, PizzaType]) -> dict[str, Pizza]:
    pizzas: dict[str, Pizza] = {}
    for where, row in read_rows(name, text, FOLDER_COLUMNS["pizzas.csv"]):
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
    texts = {name: decode_text(folder / name) for name in FOLDER_COLUMNS}
    types = _parse_types("pizza_types.csv", texts["pizza_types.csv"])
    pizzas = _parse_pizzas("pizzas.csv", texts["pizzas.csv"], types)
    times: dict[int, datetime] = {}
    for where, row in read_rows("orders.csv", texts["orders.csv"], FOLDER_COLUMNS["orders.csv"]):
        number = _int(row["order_id"], where, "order_id", minimum=1)
        if number in times:
            raise ImportSourceError(f"{where}: order_id {number} appears twice")
        times[number] = _local_time(row["date"], row["time"], where)
    lines: dict[int, dict[str, int]] = {}
    for where, row in read_rows(
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
    text = decode_text(path)
    types, pizzas = _bundled_menu()
    times: dict[str, datetime] = {}
    lines: dict[str, dict[str, list[int]]] = {}
    for where, row in read_rows(path.name, text, GREAT_TABLES_COLUMNS):
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
class ImportReport(history.ImportReport):
    """What the pizza place's import did; ``pizzas_created`` is the pizzas sold (the
    lines' quantities)."""

    @property
    def pizzas_created(self) -> int:
        """Pizzas in the lines written."""
        return self.units_created


async def _ensure_restaurant(
    session: AsyncSession, slug: str, name: str, time_zone: str | None
) -> tuple[Restaurant, bool]:
    """The restaurant ``slug`` (USD, default time zone ``America/New_York``) and whether
    it was created now; see :func:`brigade.imports.history.ensure_restaurant`."""
    return await ensure_restaurant(
        session,
        slug=slug,
        name=name,
        currency=CURRENCY,
        time_zone=time_zone,
        default_time_zone=DEFAULT_TIME_ZONE,
    )


def _menu_entries(data: PizzaPlaceData) -> list[MenuEntry]:
    """The pizzas as menu entries: an item per pizza type, a variation per size."""
    size_rank = {size: i for i, size in enumerate(SIZE_NAMES)}
    return [
        MenuEntry(
            sku=pizza.pizza_id,
            item_ref=pizza.type_id,
            item_name=data.types[pizza.type_id].name,
            category=data.types[pizza.type_id].category,
            variation_name=SIZE_NAMES[pizza.size],
            price=pizza.price,
            position=size_rank[pizza.size],
            ingredients=data.types[pizza.type_id].ingredients,
            station=STATION,
        )
        for pizza in data.pizzas.values()
    ]


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
    ctx = HistoryTarget.of(restaurant, PAYMENT_REFERENCE)
    menu = await ensure_menu(session, ctx, _menu_entries(data))
    counts = await write_history(
        session, ctx, data.orders, chunk_size=chunk_size, progress=progress
    )
    report.add(menu, counts)
    await record_import(session, report, source="pizza-place", shape=data.shape)
    await session.flush()
    report.seconds = time.perf_counter() - started
    return report
