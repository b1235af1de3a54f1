"""Import a menu and an order history from another system's CSV export.

Two common shapes of an export are read, with the columns named by a small mapping file
(TOML, :class:`CsvMapping`; ``docs/examples/`` ships one per public data set) or by the
command line's options:

* **lines only**: one row per order line, carrying the order's id, date and time, the
  item and (optionally) its price, quantity, size and category;
* **orders and lines**: an orders file (order id, date, time) and a lines file (order id,
  item, ...), joined by the order id.

The menu comes from a menu file (item id, name, category, price, optionally a size and
an item key grouping the sizes of one item), or, without one, from the lines themselves
(every distinct item and size the lines name, at the first price seen).

What is written (:mod:`brigade.imports.history`): each source order as a settled order
at its original local date and time in the restaurant's time zone, ``external_ref`` =
``ref_prefix`` + the source's order id, one paid check and one payment of method
``other``. A line whose item is missing at the source (an empty cell or one of
``format.missing``, e.g. ``NULL``) is kept as the source has it: a line without a menu
item, quantity 1 (or the row's), at the row's price or 0, so reports count it as the
source counts it. Running the import twice changes nothing: the restaurant is found by
slug, categories by name, items by ``external_ref`` (the source's item key), sizes by SKU
(the source's item id) and orders by ``external_ref``.

Dates and times are parsed with :meth:`datetime.strptime` in the formats given
(``format.date``, ``format.time``, or ``format.datetime`` for one column holding both);
prices are decimal major units converted exactly to minor units with the currency's
number of decimals (Babel's ``get_currency_precision``, ISO 4217).
"""

from __future__ import annotations

import re
import time
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Self

from babel.numbers import get_currency_precision
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.imports.csvfiles import decode_text, parse_price, read_rows
from brigade.imports.exceptions import ImportSourceError
from brigade.imports.history import (
    HistoryLine,
    HistoryOrder,
    HistoryTarget,
    ImportReport,
    MenuEntry,
    ProgressCallback,
    ensure_menu,
    ensure_restaurant,
    record_import,
    write_history,
)

DEFAULT_TIME_ZONE = "UTC"
#: The size name of an item that the source sells in one size only.
ONE_SIZE = "Regular"
PAYMENT_REFERENCE = "csv import"

#: A column's name in the header.
Column = Annotated[str, Field(min_length=1, max_length=200)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RestaurantMapping(_Section):
    """The restaurant to create or reuse: found by ``slug``; created with ``name``,
    ``currency`` (ISO 4217) and ``time_zone`` (IANA; the source's dates and times are
    local to it)."""

    slug: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    time_zone: str | None = Field(default=None, min_length=1, max_length=64)


class MenuMapping(_Section):
    """A menu file: one row per item, or per size of an item. ``id`` is what the lines
    name (kept as the size's SKU); ``item``, when given, groups the rows of one item's
    sizes (its value keys the item), and ``size`` names each size."""

    file: Column
    id: Column
    name: Column
    price: Column
    category: Column | None = None
    size: Column | None = None
    item: Column | None = None
    station: Column | None = None


class OrdersMapping(_Section):
    """An orders file: the order's ``id`` and when it was placed (``date`` and ``time``
    columns, or one ``datetime`` column)."""

    file: Column
    id: Column
    date: Column | None = None
    time: Column | None = None
    datetime: Column | None = None

    @model_validator(mode="after")
    def _when(self) -> Self:
        _check_when(self.date, self.time, self.datetime, "orders")
        return self


class LinesMapping(_Section):
    """A lines file: one row per order line. ``order`` is the order's id; ``item`` the
    item (the menu file's ``id``, or, without a menu file, the item's name or code).
    Without an orders file, the lines carry when the order was placed (``date`` and
    ``time``, or ``datetime``). ``quantity`` defaults to 1 per row; ``price`` (the unit
    price) to the menu's."""

    file: Column
    order: Column
    item: Column
    name: Column | None = None
    quantity: Column | None = None
    price: Column | None = None
    size: Column | None = None
    category: Column | None = None
    date: Column | None = None
    time: Column | None = None
    datetime: Column | None = None


class FormatMapping(_Section):
    """How values are written: ``strptime`` formats of dates, times or one date-and-time
    column, and the cells that mean "no value" (``NULL`` …)."""

    date: str = Field(default="%Y-%m-%d", min_length=2, max_length=50)
    time: str = Field(default="%H:%M:%S", min_length=2, max_length=50)
    datetime: str = Field(default="%Y-%m-%d %H:%M:%S", min_length=2, max_length=50)
    missing: list[str] = Field(default_factory=lambda: ["", "NULL", "null", "N/A", "NA"])


class CsvMapping(_Section):
    """Where each figure of the export is: the whole mapping file.

    ``[restaurant]`` and ``[lines]`` are required; ``[menu]`` and ``[orders]`` optional;
    ``[format]`` has defaults. File names are relative to the source folder. Without an
    ``[orders]`` section the lines carry the date and time.
    """

    restaurant: RestaurantMapping
    lines: LinesMapping
    menu: MenuMapping | None = None
    orders: OrdersMapping | None = None
    format: FormatMapping = Field(default_factory=FormatMapping)
    ref_prefix: str = Field(default="", max_length=40)

    @model_validator(mode="after")
    def _when(self) -> Self:
        if self.orders is None:
            _check_when(self.lines.date, self.lines.time, self.lines.datetime, "lines")
        return self


def _check_when(day: str | None, clock: str | None, both: str | None, section: str) -> None:
    if both is None and day is None:
        raise ValueError(
            f"[{section}] needs the column of the order's date (date, with time) or of its "
            "date and time together (datetime)"
        )
    if both is not None and (day is not None or clock is not None):
        raise ValueError(f"[{section}] takes either datetime or date and time, not both")


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        parts.append(f"{where}: {error['msg']}" if where else str(error["msg"]))
    return "; ".join(parts)


def load_mapping(path: Path | None, overrides: Mapping[str, str] | None = None) -> CsvMapping:
    """The mapping in the TOML file ``path`` (or none), with ``overrides`` applied:
    ``{"lines.item": "item_id", "restaurant.slug": "my-cafe", ...}`` (a dotted key per
    field, as the command line's ``--set`` gives them; ``format.missing`` takes a
    comma-separated list).

    Raises :class:`ImportSourceError` naming the file and what is wrong.
    """
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(decode_text(path))
        except tomllib.TOMLDecodeError as exc:
            raise ImportSourceError(f"{path}: not a TOML mapping file ({exc})") from None
    for key, value in (overrides or {}).items():
        section, _, name = key.partition(".")
        if not name:
            data[section] = value
            continue
        target = data.setdefault(section, {})
        if not isinstance(target, dict):
            raise ImportSourceError(f"{key}: {section} is not a section of the mapping")
        target[name] = value.split(",") if key == "format.missing" else value
    try:
        return CsvMapping.model_validate(data)
    except ValidationError as exc:
        raise ImportSourceError(f"{path or 'the mapping'}: {_describe(exc)}") from None


# ------------------------------------------------------------------------ reading files


@dataclass(slots=True)
class CsvHistory:
    """An export read into a menu and orders (in the source's order)."""

    source: str
    menu: list[MenuEntry]
    orders: list[HistoryOrder]
    missing_items: int = 0

    @property
    def line_count(self) -> int:
        """Number of order lines, those without an item included."""
        return sum(len(order.lines) for order in self.orders)


def _columns(section: BaseModel, skip: Sequence[str] = ("file",)) -> dict[str, str]:
    """The section's named columns: field -> column."""
    return {
        name: value
        for name, value in section.model_dump().items()
        if name not in skip and isinstance(value, str)
    }


def _read(
    folder: Path, section: MenuMapping | OrdersMapping | LinesMapping
) -> list[tuple[str, dict[str, str]]]:
    """``(where, {field: cell})`` of each row of the section's file."""
    columns = _columns(section)
    path = folder / section.file
    text = decode_text(path)
    wanted = list(dict.fromkeys(columns.values()))
    return [
        (where, {name: row[column] for name, column in columns.items()})
        for where, row in read_rows(section.file, text, wanted)
    ]


_NON_KEY = re.compile(r"[^A-Za-z0-9]+")


def _key(*parts: str) -> str:
    """A SKU-like key of ``parts`` (``"Hot Dog", "L"`` -> ``"hot-dog-l"``), max 100."""
    key = "-".join(_NON_KEY.sub("-", part).strip("-").lower() for part in parts if part)
    return key[:100] or "item"


@dataclass(slots=True)
class _Reader:
    mapping: CsvMapping
    exponent: int
    missing: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.missing = frozenset(self.mapping.format.missing)

    def value(self, row: Mapping[str, str], name: str) -> str | None:
        """The row's cell for field ``name``, ``None`` when absent or missing."""
        cell = row.get(name)
        return None if cell is None or cell in self.missing else cell

    def when(self, row: Mapping[str, str], where: str) -> datetime:
        fmt = self.mapping.format
        both = self.value(row, "datetime")
        try:
            if both is not None:
                return datetime.strptime(both, fmt.datetime)  # noqa: DTZ007 (local, naive)
            day = self.value(row, "date")
            if day is None:
                raise ImportSourceError(f"{where}: the order's date is missing")
            clock = self.value(row, "time")
            if clock is None:
                return datetime.strptime(day, fmt.date)  # noqa: DTZ007
            return datetime.strptime(f"{day} {clock}", f"{fmt.date} {fmt.time}")  # noqa: DTZ007
        except ValueError:
            shown = (
                both
                if both is not None
                else " ".join(v for v in (row.get("date"), row.get("time")) if v)
            )
            expected = fmt.datetime if both is not None else f"{fmt.date} {fmt.time}"
            raise ImportSourceError(
                f"{where}: {shown!r} does not match the format {expected!r}"
            ) from None

    def quantity(self, row: Mapping[str, str], where: str) -> int:
        raw = self.value(row, "quantity")
        if raw is None:
            return 1
        try:
            quantity = int(raw)
        except ValueError:
            raise ImportSourceError(f"{where}: quantity {raw!r} is not a whole number") from None
        if quantity < 1:
            raise ImportSourceError(f"{where}: quantity must be at least 1")
        return quantity

    def price(self, row: Mapping[str, str], where: str) -> int | None:
        raw = self.value(row, "price")
        return None if raw is None else parse_price(raw, where, exponent=self.exponent)

    def menu(self, folder: Path, section: MenuMapping) -> list[MenuEntry]:
        entries: dict[str, MenuEntry] = {}
        sizes: dict[str, int] = {}
        for where, row in _read(folder, section):
            sku, name = self.value(row, "id"), self.value(row, "name")
            if sku is None or name is None:
                raise ImportSourceError(f"{where}: the item's id and name are required")
            if sku in entries:
                raise ImportSourceError(f"{where}: item id {sku!r} appears twice")
            price = self.price(row, where)
            if price is None:
                raise ImportSourceError(f"{where}: the item's price is required")
            item_ref = self.value(row, "item") or sku
            position = sizes[item_ref] = sizes.get(item_ref, -1) + 1
            entries[sku] = MenuEntry(
                sku=sku,
                item_ref=item_ref,
                item_name=name,
                category=self.value(row, "category") or "Other",
                variation_name=self.value(row, "size") or ONE_SIZE,
                price=price,
                position=position,
                station=self.value(row, "station") or "kitchen",
            )
        return list(entries.values())


def load_csv_history(folder: Path, mapping: CsvMapping) -> CsvHistory:
    """Read the export in ``folder`` as ``mapping`` describes it.

    Raises :class:`ImportSourceError` (naming file and line) when a file or a column is
    missing, a value does not parse, a line names an item the menu file lacks or an order
    the orders file lacks, or one order's lines disagree on when it was placed.
    """
    if not folder.is_dir():
        raise ImportSourceError(f"{folder} is not a folder")
    reader = _Reader(mapping, get_currency_precision(mapping.restaurant.currency))
    menu_entries = reader.menu(folder, mapping.menu) if mapping.menu else []
    menu = {entry.sku: entry for entry in menu_entries}
    from_lines = mapping.menu is None

    times: dict[str, datetime] = {}
    if mapping.orders is not None:
        for where, row in _read(folder, mapping.orders):
            ref = reader.value(row, "id")
            if ref is None:
                raise ImportSourceError(f"{where}: the order id is missing")
            if ref in times:
                raise ImportSourceError(f"{where}: order {ref!r} appears twice")
            times[ref] = reader.when(row, where)

    lines: dict[str, list[HistoryLine]] = {}
    sizes_of: dict[str, int] = {}
    missing_items = 0
    for where, row in _read(folder, mapping.lines):
        ref = reader.value(row, "order")
        if ref is None:
            raise ImportSourceError(f"{where}: the order id is missing")
        if mapping.orders is not None:
            if ref not in times:
                raise ImportSourceError(f"{where}: order {ref!r} is not in the orders file")
        else:
            placed = reader.when(row, where)
            if times.setdefault(ref, placed) != placed:
                raise ImportSourceError(
                    f"{where}: order {ref!r} was placed at {times[ref]:%Y-%m-%d %H:%M:%S} "
                    "on an earlier line"
                )
        quantity = reader.quantity(row, where)
        price = reader.price(row, where)
        item = reader.value(row, "item")
        if item is None:
            missing_items += 1
            name = reader.value(row, "name") or ""
            lines.setdefault(ref, []).append(HistoryLine(None, quantity, price or 0, name))
            continue
        if from_lines:
            size = reader.value(row, "size")
            sku, item_ref = _key(item, size or ""), _key(item)
            if sku not in menu:
                if price is None:
                    raise ImportSourceError(f"{where}: the line's price is required")
                position = sizes_of[item_ref] = sizes_of.get(item_ref, -1) + 1
                menu[sku] = MenuEntry(
                    sku=sku,
                    item_ref=item_ref,
                    item_name=reader.value(row, "name") or item,
                    category=reader.value(row, "category") or "Other",
                    variation_name=size or ONE_SIZE,
                    price=price,
                    position=position,
                )
        else:
            sku = item
            if sku not in menu:
                menu_file = mapping.menu.file if mapping.menu else "the menu"
                raise ImportSourceError(f"{where}: item {item!r} is not in {menu_file}")
        unit_price = price if price is not None else menu[sku].price
        lines.setdefault(ref, []).append(HistoryLine(sku, quantity, unit_price))

    prefix = mapping.ref_prefix
    orders = [
        HistoryOrder(f"{prefix}{ref}"[:100], placed, tuple(lines.get(ref, ())))
        for ref, placed in times.items()
    ]
    return CsvHistory(str(folder), list(menu.values()), orders, missing_items)


# ------------------------------------------------------------------------------ writing


async def import_csv_history(
    session: AsyncSession,
    data: CsvHistory,
    mapping: CsvMapping,
    *,
    chunk_size: int = 2000,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Write ``data`` into the restaurant of ``mapping`` (created when missing).

    Flushes only; the caller commits (``brigade.events.unit_of_work``), so a failed import
    leaves nothing behind. One ``import.completed`` event is recorded when anything was
    created. Raises :class:`~brigade.restaurants.exceptions.UnknownTimeZone` for a bad
    time zone, :class:`~brigade.imports.exceptions.ImportConflict` when the existing
    restaurant has another time zone or currency.
    """
    started = time.perf_counter()
    wanted = mapping.restaurant
    restaurant, created = await ensure_restaurant(
        session,
        slug=wanted.slug,
        name=wanted.name or wanted.slug,
        currency=wanted.currency,
        time_zone=wanted.time_zone,
        default_time_zone=DEFAULT_TIME_ZONE,
    )
    report = ImportReport(restaurant_id=restaurant.id, restaurant_created=created)
    target = HistoryTarget.of(restaurant, PAYMENT_REFERENCE)
    menu = await ensure_menu(session, target, data.menu)
    counts = await write_history(
        session, target, data.orders, chunk_size=chunk_size, progress=progress
    )
    report.add(menu, counts)
    shape = "orders+lines" if mapping.orders else "lines"
    await record_import(session, report, source="csv", shape=shape)
    await session.flush()
    report.seconds = time.perf_counter() - started
    return report
