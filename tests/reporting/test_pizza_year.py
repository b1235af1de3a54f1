"""The reports on the pizza place's whole year reproduce its published analyses, to the
cent: every figure is computed here, independently, from the published CSVs (the
:mod:`csv` module and :class:`~decimal.Decimal` dollars), and compared with what the
reports answer through HTTP. The year is imported once for all the checks.

The published figures (Maven Analytics' "Pizza Place Sales" analyses) are asserted as
well: orders peak at 12:00 and on Fridays, July is the best month, the Classic
category and the Large size bring the most, the Classic Deluxe sells the most pizzas
and the Thai Chicken the most dollars, the Brie Carre is last on both.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.permissions import Role
from brigade.imports.pizza_place import import_pizza_place, load_pizza_place
from brigade.restaurants.models import Restaurant
from brigade.runtime import Runtime
from tests.factories import unique
from tests.imports.support import SHARED_DATA, requires_shared_data
from tests.orders.support import quick_login

YEAR = {"start_date": "2015-01-01", "end_date": "2015-12-31"}
SIZE_NAMES = {"S": "Small", "M": "Medium", "L": "Large", "XL": "X Large", "XXL": "XX Large"}


@dataclass
class Figures:
    """Orders, pizzas and cents of one group, from the CSVs."""

    orders: set[str] = field(default_factory=set)
    items: int = 0
    dollars: Decimal = Decimal(0)

    def as_tuple(self) -> tuple[int, int, int]:
        return len(self.orders), self.items, int(self.dollars * 100)


def _read(name: str, encoding: str = "utf-8") -> list[dict[str, str]]:
    with Path(SHARED_DATA / name).open(encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def published() -> dict[str, dict[Any, Figures]]:
    """Every grouping of the year from the four CSVs."""
    orders = {row["order_id"]: row for row in _read("orders.csv")}
    pizzas = {row["pizza_id"]: row for row in _read("pizzas.csv")}
    types = {row["pizza_type_id"]: row for row in _read("pizza_types.csv", "cp1252")}
    groups: dict[str, dict[Any, Figures]] = defaultdict(lambda: defaultdict(Figures))
    for line in _read("order_details.csv"):
        order = orders[line["order_id"]]
        pizza = pizzas[line["pizza_id"]]
        kind = types[pizza["pizza_type_id"]]
        day = date.fromisoformat(order["date"])
        quantity = int(line["quantity"])
        for grouping, key in (
            ("hour", int(order["time"][:2])),
            ("weekday", day.isoweekday()),
            ("month", order["date"][:7]),
            ("category", kind["category"]),
            ("size", SIZE_NAMES[pizza["size"]]),
            ("item", kind["name"]),
            ("variation", f"{kind['name']} {SIZE_NAMES[pizza['size']]}"),
        ):
            figures = groups[grouping][key]
            figures.orders.add(line["order_id"])
            figures.items += quantity
            figures.dollars += quantity * Decimal(pizza["price"])
    return groups


@requires_shared_data
@pytest.mark.slow
async def test_the_reports_reproduce_the_published_analyses(
    client: AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    imported = await import_pizza_place(session, load_pizza_place(SHARED_DATA), slug=unique("pp"))
    restaurant = await session.get(Restaurant, imported.restaurant_id)
    assert restaurant is not None
    owner = await quick_login(session, runtime, restaurant, Role.owner)
    await session.commit()
    base = f"/api/v1/restaurants/{restaurant.id}/reports"
    expected = published()

    async def get(report: str, **params: Any) -> dict[str, Any]:
        response = await client.get(
            f"{base}/{report}", params={**YEAR, **params}, headers=owner.headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def grouped(group_by: str, by_label: bool = False) -> dict[Any, tuple[int, int, int]]:
        body = await get("sales", group_by=group_by)
        return {
            (g["label"] if by_label else g["key"]): (g["orders"], g["items_sold"], g["net_sales"])
            for g in body["groups"]
        }

    def figures(grouping: str) -> dict[Any, tuple[int, int, int]]:
        return {key: f.as_tuple() for key, f in expected[grouping].items()}

    def busiest(table: dict[Any, tuple[int, int, int]], column: int) -> Any:
        return max(table, key=lambda k: table[k][column])

    # The busiest hour and weekday (by orders), the best month (by revenue).
    hours = await grouped("hour")
    assert hours == figures("hour")
    assert busiest(hours, 0) == 12
    weekdays = await grouped("weekday")
    assert weekdays == figures("weekday")
    assert busiest(weekdays, 0) == 5  # Friday
    months = await grouped("month")
    assert months == figures("month")
    assert busiest(months, 2) == "2015-07"
    assert months["2015-07"][2] == 7_255_790  # $72,557.90

    # Revenue by category and by size.
    categories = await grouped("category", by_label=True)
    assert categories == figures("category")
    assert categories["Classic"][2] == 22_005_310  # $220,053.10, the first category
    assert busiest(categories, 2) == "Classic"
    sizes = await grouped("size", by_label=True)
    assert sizes == figures("size")
    assert sizes["Large"][2] == 37_531_870  # $375,318.70
    assert busiest(sizes, 2) == "Large"
    assert await grouped("item", by_label=True) == figures("item")
    assert await grouped("variation", by_label=True) == figures("variation")

    # Top and bottom sellers, per item and per size, by quantity and by revenue.
    for per, grouping in (("item", "item"), ("variation", "variation")):
        table = figures(grouping)
        for sort, column in (("quantity", 1), ("revenue", 2)):
            ranked = sorted(table, key=lambda k: (-table[k][column], k))
            for ranking, names in (("best", ranked), ("worst", ranked[::-1])):
                body = await get("sellers", per=per, sort=sort, ranking=ranking, limit=3)
                got = [(s["label"], s["quantity"], s["net_sales"]) for s in body["sellers"]]
                assert got == [(n, table[n][1], table[n][2]) for n in names[:3]], (per, sort)
    best = await get("sellers", sort="quantity", limit=1)
    assert [(s["label"], s["quantity"]) for s in best["sellers"]] == [
        ("The Classic Deluxe Pizza", 2_453)
    ]
    best = await get("sellers", sort="revenue", limit=1)
    assert [(s["label"], s["net_sales"]) for s in best["sellers"]] == [
        ("The Thai Chicken Pizza", 4_343_425)
    ]
    worst = await get("sellers", sort="revenue", ranking="worst", limit=1)
    assert [(s["label"], s["quantity"], s["net_sales"]) for s in worst["sellers"]] == [
        ("The Brie Carre Pizza", 490, 1_158_850)
    ]
    per_size = await get("sellers", per="variation", sort="quantity", limit=1)
    assert [(s["label"], s["quantity"]) for s in per_size["sellers"]] == [
        ("The Big Meat Pizza Small", 1_914)
    ]

    # The year's totals, and the average check.
    checks = await get("checks")
    assert (checks["orders"], checks["net_sales"], checks["average_check"]) == (
        21_350,
        81_786_005,
        3_831,
    )
