"""``GET R/reports/sales?group_by=…`` through HTTP: every grouping, its keys, labels and
figures, on a small year of a New York pizzeria whose orders straddle the change to
summer time (so a local hour computed with one offset would be wrong)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.models import User
from brigade.auth.permissions import Role
from brigade.billing.models import Check, Payment
from brigade.imports.pizza_place import (
    Pizza,
    PizzaPlaceData,
    PizzaType,
    SourceLine,
    SourceOrder,
    import_pizza_place,
)
from brigade.menu.models import Category, MenuItem, Variation
from brigade.orders.models import Order
from brigade.restaurants.models import Restaurant
from brigade.runtime import Runtime
from tests.factories import Login, make_restaurant
from tests.orders.support import quick_login

TYPES = {
    "marg": PizzaType("marg", "The Margherita", "Classic", ("Tomato",)),
    "pep": PizzaType("pep", "The Pepperoni", "Classic", ("Pepperoni",)),
    "veg": PizzaType("veg", "The Veggie", "Veggie", ("Peppers",)),
}
PIZZAS = {
    "marg_s": Pizza("marg_s", "marg", "S", 1000),
    "marg_l": Pizza("marg_l", "marg", "L", 1500),
    "pep_m": Pizza("pep_m", "pep", "M", 1250),
    "veg_m": Pizza("veg_m", "veg", "M", 1249),
}


def order(ref: str, local: str, *lines: tuple[str, int]) -> SourceOrder:
    return SourceOrder(
        ref,
        datetime.fromisoformat(local),
        tuple(SourceLine(sku, qty, PIZZAS[sku].price) for sku, qty in lines),
    )


ORDERS = [
    order("A", "2015-03-07T23:30:00", ("marg_s", 2)),  # Saturday, EST (UTC-5)
    order("C", "2015-03-08T01:30:00", ("pep_m", 1)),  # Sunday, still EST
    order("B", "2015-03-08T03:30:00", ("veg_m", 1)),  # Sunday, EDT (UTC-4) since 02:00
    order("D", "2015-07-03T12:15:00", ("marg_l", 1), ("pep_m", 2)),  # Friday, EDT
    order("F", "2015-12-31T22:00:00", ("marg_s", 1)),  # Thursday of ISO week 2015-W53
]
YEAR = {"start_date": "2015-01-01", "end_date": "2015-12-31"}


@dataclass
class Shop:
    restaurant: Restaurant
    owner: Login
    waiter: Login
    ids: dict[str, int]

    def url(self) -> str:
        return f"/api/v1/restaurants/{self.restaurant.id}/reports/sales"


@pytest.fixture
async def shop(session: AsyncSession, runtime: Runtime) -> Shop:
    restaurant = await make_restaurant(session, time_zone="America/New_York")
    await import_pizza_place(
        session, PizzaPlaceData("test", "folder", TYPES, PIZZAS, ORDERS), slug=restaurant.slug
    )
    ids = {
        row.external_ref: row.id
        for row in await session.execute(
            select(Order.id, Order.external_ref).where(Order.restaurant_id == restaurant.id)
        )
    }
    owner = await quick_login(session, runtime, restaurant, Role.owner)
    waiter = await quick_login(session, runtime, restaurant, Role.waiter)
    await session.execute(update(User).where(User.id == waiter.user.id).values(full_name="Bo"))
    await session.execute(
        update(Order).where(Order.id.in_([ids["A"], ids["D"]])).values(opened_by=waiter.user.id)
    )
    # D was paid by card and by cash; the others as imported ("other").
    check = await session.scalar(select(Check.id).where(Check.order_id == ids["D"]))
    await session.execute(update(Payment).where(Payment.check_id == check).values(method="card"))
    payment = await session.scalar(select(Payment).where(Payment.check_id == check))
    assert payment is not None
    session.add(
        Payment(
            restaurant_id=restaurant.id,
            check_id=check,
            method="cash",
            amount=0,
            created_at=payment.created_at,
        )
    )
    await session.commit()
    return Shop(restaurant, owner, waiter, ids)


async def groups(client: AsyncClient, shop: Shop, group_by: str) -> list[tuple[Any, ...]]:
    response = await client.get(
        shop.url(), params={**YEAR, "group_by": group_by}, headers=shop.owner.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["group_by"] == group_by
    assert (body["orders"], body["items_sold"], body["net_sales"]) == (5, 8, 9499)
    return [
        (g["key"], g["label"], g["orders"], g["items_sold"], g["net_sales"]) for g in body["groups"]
    ]


async def test_without_group_by_the_report_is_unchanged(client: AsyncClient, shop: Shop) -> None:
    response = await client.get(shop.url(), params=YEAR, headers=shop.owner.headers)
    assert response.status_code == 200
    assert set(response.json()) == {
        "start_date",
        "end_date",
        "currency",
        "orders",
        "items_sold",
        "net_sales",
        "tax",
        "average_order_value",
    }


async def test_by_local_hour_across_the_change_to_summer_time(
    client: AsyncClient, shop: Shop
) -> None:
    assert await groups(client, shop, "hour") == [
        (1, "01:00", 1, 1, 1250),
        (3, "03:00", 1, 1, 1249),
        (12, "12:00", 1, 3, 4000),
        (22, "22:00", 1, 1, 1000),
        (23, "23:00", 1, 2, 2000),
    ]


async def test_by_iso_weekday(client: AsyncClient, shop: Shop) -> None:
    assert await groups(client, shop, "weekday") == [
        (4, "Thursday", 1, 1, 1000),
        (5, "Friday", 1, 3, 4000),
        (6, "Saturday", 1, 2, 2000),
        (7, "Sunday", 2, 2, 2499),
    ]


async def test_by_day_week_and_month(client: AsyncClient, shop: Shop) -> None:
    assert await groups(client, shop, "day") == [
        ("2015-03-07", "2015-03-07", 1, 2, 2000),
        ("2015-03-08", "2015-03-08", 2, 2, 2499),
        ("2015-07-03", "2015-07-03", 1, 3, 4000),
        ("2015-12-31", "2015-12-31", 1, 1, 1000),
    ]
    assert await groups(client, shop, "week") == [
        ("2015-03-02", "2015-W10", 3, 4, 4499),
        ("2015-06-29", "2015-W27", 1, 3, 4000),
        ("2015-12-28", "2015-W53", 1, 1, 1000),
    ]
    assert await groups(client, shop, "month") == [
        ("2015-03", "March 2015", 3, 4, 4499),
        ("2015-07", "July 2015", 1, 3, 4000),
        ("2015-12", "December 2015", 1, 1, 1000),
    ]


async def test_by_category_item_variation_and_size(
    client: AsyncClient, session: AsyncSession, shop: Shop
) -> None:
    rid = shop.restaurant.id
    category = {
        name: cid
        for cid, name in await session.execute(
            select(Category.id, Category.name).where(Category.restaurant_id == rid)
        )
    }
    item = {
        ref: iid
        for iid, ref in await session.execute(
            select(MenuItem.id, MenuItem.external_ref).where(MenuItem.restaurant_id == rid)
        )
    }
    variation = {
        sku: vid
        for vid, sku in await session.execute(
            select(Variation.id, Variation.sku).where(Variation.restaurant_id == rid)
        )
    }
    assert await groups(client, shop, "category") == sorted(
        [
            (category["Classic"], "Classic", 4, 7, 8250),
            (category["Veggie"], "Veggie", 1, 1, 1249),
        ]
    )
    assert await groups(client, shop, "item") == sorted(
        [
            (item["marg"], "The Margherita", 3, 4, 4500),
            (item["pep"], "The Pepperoni", 2, 3, 3750),
            (item["veg"], "The Veggie", 1, 1, 1249),
        ]
    )
    assert await groups(client, shop, "variation") == sorted(
        [
            (variation["marg_s"], "The Margherita Small", 2, 3, 3000),
            (variation["marg_l"], "The Margherita Large", 1, 1, 1500),
            (variation["pep_m"], "The Pepperoni Medium", 2, 3, 3750),
            (variation["veg_m"], "The Veggie Medium", 1, 1, 1249),
        ]
    )
    assert await groups(client, shop, "size") == [
        ("Large", "Large", 1, 1, 1500),
        ("Medium", "Medium", 3, 4, 4999),
        ("Small", "Small", 2, 3, 3000),
    ]


async def test_by_waiter_payment_method_and_station(client: AsyncClient, shop: Shop) -> None:
    assert await groups(client, shop, "waiter") == [
        (shop.waiter.user.id, "Bo", 2, 5, 6000),
        (None, "", 3, 3, 3499),
    ]
    # D was paid with two methods: it counts in both.
    assert await groups(client, shop, "payment_method") == [
        ("card", "card", 1, 3, 4000),
        ("cash", "cash", 1, 3, 4000),
        ("other", "other", 4, 5, 5499),
    ]
    assert await groups(client, shop, "station") == [("oven", "oven", 5, 8, 9499)]


async def test_a_range_without_orders_has_no_groups(client: AsyncClient, shop: Shop) -> None:
    for group_by in ("hour", "category", "payment_method"):
        response = await client.get(
            shop.url(),
            params={"start_date": "2016-01-01", "end_date": "2016-01-31", "group_by": group_by},
            headers=shop.owner.headers,
        )
        assert response.status_code == 200, response.text
        assert response.json()["groups"] == []


@pytest.mark.parametrize("group_by", ["hours", "", "Hour", "table"])
async def test_an_unknown_group_by_is_a_422(client: AsyncClient, shop: Shop, group_by: str) -> None:
    response = await client.get(
        shop.url(), params={**YEAR, "group_by": group_by}, headers=shop.owner.headers
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_hours_over_a_very_long_range_answer(client: AsyncClient, shop: Shop) -> None:
    response = await client.get(
        shop.url(),
        params={"start_date": "0001-01-01", "end_date": "9999-12-31", "group_by": "hour"},
        headers=shop.owner.headers,
    )
    assert response.status_code == 200, response.text
    assert [g["key"] for g in response.json()["groups"]] == [1, 3, 12, 22, 23]
