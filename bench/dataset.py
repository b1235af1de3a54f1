"""The pizza place's orders, read for the replay client and its expected figures.

Two shapes are read, as Brigade's importer reads them:

- a folder with the four published CSVs (``orders.csv``, ``order_details.csv``,
  ``pizzas.csv``, ``pizza_types.csv``; the last one is Windows-1252), one line per
  ``(order, pizza_id, quantity)``;
- ``great_tables/data/05-pizzaplace.csv`` from the ``great-tables`` package, one row per
  pizza (``id, date, time, name, size, type, price``), where ``pizza_id`` is
  ``f"{name}_{size.lower()}"`` and the quantity of a line is the number of its rows.

Prices become integer cents (``Decimal``, never floats).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path


@dataclass
class DatasetOrder:
    """One order of the dataset: its id, local date and time, and its lines.

    ``lines`` maps ``pizza_id`` (e.g. ``"hawaiian_m"``) to ``(quantity, unit_price)``,
    the price in cents.
    """

    ref: str
    opened: datetime
    lines: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def pizzas(self) -> int:
        """Number of pizzas in the order."""
        return sum(quantity for quantity, _ in self.lines.values())

    @property
    def total(self) -> int:
        """What the order cost, in cents."""
        return sum(quantity * price for quantity, price in self.lines.values())


@dataclass(frozen=True)
class Figures:
    """Sales figures: ``orders``, ``items_sold`` (pizzas), ``net_sales`` (cents)."""

    orders: int
    items_sold: int
    net_sales: int


def cents(text: str) -> int:
    """``"12.75"`` → ``1275``; raises ``ValueError`` on a fraction of a cent."""
    value = Decimal(text) * 100
    if value != value.to_integral_value():
        raise ValueError(f"price {text!r} has a fraction of a cent")
    return int(value)


def great_tables_csv() -> Path:
    """Path of ``05-pizzaplace.csv`` inside the installed ``great-tables`` package."""
    import great_tables

    return Path(great_tables.__file__).parent / "data" / "05-pizzaplace.csv"


def _in_range(day: str, start: date, end: date) -> bool:
    return start.isoformat() <= day <= end.isoformat()


def _read_folder(folder: Path, start: date, end: date) -> list[DatasetOrder]:
    with (folder / "pizzas.csv").open(newline="", encoding="utf-8") as fh:
        prices = {row["pizza_id"]: cents(row["price"]) for row in csv.DictReader(fh)}
    orders: dict[str, DatasetOrder] = {}
    with (folder / "orders.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if _in_range(row["date"], start, end):
                opened = datetime.combine(
                    date.fromisoformat(row["date"]), time.fromisoformat(row["time"])
                )
                orders[row["order_id"]] = DatasetOrder(row["order_id"], opened)
    with (folder / "order_details.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            order = orders.get(row["order_id"])
            if order is None:
                continue
            pizza_id = row["pizza_id"]
            quantity, price = order.lines.get(pizza_id, (0, prices[pizza_id]))
            order.lines[pizza_id] = (quantity + int(row["quantity"]), price)
    return list(orders.values())


def _read_great_tables(path: Path, start: date, end: date) -> list[DatasetOrder]:
    orders: dict[str, DatasetOrder] = {}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    prices: dict[str, int] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if not _in_range(row["date"], start, end):
                continue
            ref = row["id"]
            if ref not in orders:
                opened = datetime.combine(
                    date.fromisoformat(row["date"]), time.fromisoformat(row["time"])
                )
                orders[ref] = DatasetOrder(ref, opened)
            pizza_id = f"{row['name']}_{row['size'].lower()}"
            prices[pizza_id] = cents(row["price"])
            counts[ref][pizza_id] += 1
    for ref, order in orders.items():
        order.lines = {pid: (qty, prices[pid]) for pid, qty in counts[ref].items()}
    return list(orders.values())


def load_orders(data: Path | None, start: date, end: date) -> list[DatasetOrder]:
    """The orders placed from ``start`` to ``end`` (local dates, inclusive), oldest first.

    ``data`` is a folder of the four CSVs, a ``05-pizzaplace.csv``-shaped file, or
    ``None`` for the copy inside the installed ``great-tables`` package. Raises
    ``FileNotFoundError`` if the files are missing.
    """
    if data is None:
        data = great_tables_csv()
    if data.is_dir():
        orders = _read_folder(data, start, end)
    else:
        orders = _read_great_tables(data, start, end)
    orders.sort(key=lambda order: (order.opened, order.ref))
    return orders


def figures(orders: list[DatasetOrder]) -> Figures:
    """The sales figures of ``orders``: count, pizzas, net sales in cents."""
    return Figures(
        orders=len(orders),
        items_sold=sum(order.pizzas for order in orders),
        net_sales=sum(order.total for order in orders),
    )
