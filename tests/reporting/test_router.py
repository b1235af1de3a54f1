"""``GET R/reports/sales`` and ``GET R/reports/products`` through HTTP.

A small pizzeria (New York, 8 % tax added on the check) is loaded with the pizza place
importer from hand-made data, then changed the way service would change it: a line
voided, an order reopened, a menu item deleted. The full year's published figures are
checked in ``tests/imports``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.permissions import Role
from brigade.imports.pizza_place import (
    Pizza,
    PizzaPlaceData,
    PizzaType,
    SourceLine,
    SourceOrder,
    import_pizza_place,
)
from brigade.menu.models import MenuItem
from brigade.orders.models import Order, OrderItem
from brigade.restaurants.models import Restaurant
from brigade.runtime import Runtime
from tests.factories import Login, make_restaurant, make_user

PROBLEM = "https://brigade.dev/problems/"

TYPES = {
    "marg": PizzaType("marg", "The Margherita", "Classic", ("Tomato", "Mozzarella")),
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
    order("A", "2015-01-01T12:00:00", ("marg_s", 2), ("pep_m", 1)),  # pep line voided below
    # 23:30 in New York is 04:30 UTC on Jan 2: still business date Jan 1.
    order("B", "2015-01-01T23:30:00", ("veg_m", 1)),
    order("C", "2015-01-02T10:00:00", ("marg_l", 1)),
    order("D", "2014-12-31T20:00:00", ("pep_m", 4)),
    order("E", "2014-12-31T21:00:00", ("marg_s", 5)),
    order("F", "2015-01-01T13:00:00", ("marg_s", 3)),  # reopened below: not counted
    order("G", "2015-01-03T12:00:00", ("veg_m", 2)),
]


@dataclass
class Pizzeria:
    restaurant: Restaurant
    owner: Login

    def url(self, report: str) -> str:
        return f"/api/v1/restaurants/{self.restaurant.id}/reports/{report}"


async def load_pizzeria(session: AsyncSession, runtime: Runtime) -> Pizzeria:
    restaurant = await make_restaurant(session, time_zone="America/New_York", tax_rate_bp=800)
    data = PizzaPlaceData("test", "folder", TYPES, PIZZAS, ORDERS)
    await import_pizza_place(session, data, slug=restaurant.slug)
    ids = {
        row.external_ref: row.id
        for row in await session.execute(
            select(Order.id, Order.external_ref).where(Order.restaurant_id == restaurant.id)
        )
    }
    await session.execute(
        update(OrderItem)
        .where(OrderItem.order_id == ids["A"], OrderItem.sku == "pep_m")
        .values(status="voided", void_reason="dropped on the floor")
    )
    await session.execute(update(Order).where(Order.id == ids["F"]).values(status="open"))
    owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
    await session.commit()
    return Pizzeria(restaurant, owner)


@pytest.fixture
async def pizzeria(session: AsyncSession, runtime: Runtime) -> Pizzeria:
    return await load_pizzeria(session, runtime)


JAN_1_2 = {"start_date": "2015-01-01", "end_date": "2015-01-02"}


class TestSalesReport:
    async def test_unauthenticated(self, client: AsyncClient, pizzeria: Pizzeria) -> None:
        response = await client.get(pizzeria.url("sales"), params=JAN_1_2)
        assert response.status_code == 401
        assert response.json()["type"] == PROBLEM + "not-authenticated"

    async def test_other_restaurant(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime, pizzeria: Pizzeria
    ) -> None:
        elsewhere = await make_restaurant(session)
        stranger = await make_user(session, runtime, restaurant=elsewhere, role=Role.owner)
        await session.commit()
        response = await client.get(pizzeria.url("sales"), params=JAN_1_2, headers=stranger.headers)
        assert response.status_code == 404
        assert response.json()["type"] == PROBLEM + "not-found"

    @pytest.mark.parametrize("role", [Role.waiter, Role.kitchen, Role.cashier])
    async def test_role_without_reports_read(
        self,
        client: AsyncClient,
        session: AsyncSession,
        runtime: Runtime,
        pizzeria: Pizzeria,
        role: Role,
    ) -> None:
        member = await make_user(session, runtime, restaurant=pizzeria.restaurant, role=role)
        await session.commit()
        response = await client.get(pizzeria.url("sales"), params=JAN_1_2, headers=member.headers)
        assert response.status_code == 403
        assert response.json()["type"] == PROBLEM + "permission-denied"

    async def test_closed_orders_and_live_lines_of_the_local_dates(
        self, client: AsyncClient, pizzeria: Pizzeria
    ) -> None:
        response = await client.get(
            pizzeria.url("sales"), params=JAN_1_2, headers=pizzeria.owner.headers
        )
        assert response.status_code == 200, response.text
        # A (marg_s x2 = 2000; its pep line voided), B (1249), C (1500); F is open.
        assert response.json() == {
            "start_date": "2015-01-01",
            "end_date": "2015-01-02",
            "currency": "USD",
            "orders": 3,
            "items_sold": 4,
            "net_sales": 4749,
            "tax": 260 + 100 + 120,
            "average_order_value": 1583,
        }

    async def test_manager_reads_and_average_rounds_half_up(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime, pizzeria: Pizzeria
    ) -> None:
        manager = await make_user(
            session, runtime, restaurant=pizzeria.restaurant, role=Role.manager
        )
        await session.commit()
        response = await client.get(
            pizzeria.url("sales"),
            params={"start_date": "2015-01-01", "end_date": "2015-01-01"},
            headers=manager.headers,
        )
        body = response.json()
        assert (body["orders"], body["net_sales"]) == (2, 3249)
        assert body["average_order_value"] == 1625  # 1624.5 rounds up, not to even

    async def test_range_without_orders_gives_zeros(
        self, client: AsyncClient, pizzeria: Pizzeria
    ) -> None:
        response = await client.get(
            pizzeria.url("sales"),
            params={"start_date": "2016-01-01", "end_date": "2016-12-31"},
            headers=pizzeria.owner.headers,
        )
        assert response.status_code == 200
        body = response.json()
        assert (body["orders"], body["items_sold"], body["net_sales"], body["tax"]) == (0, 0, 0, 0)
        assert body["average_order_value"] == 0

    async def test_other_restaurants_sales_do_not_count(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime, pizzeria: Pizzeria
    ) -> None:
        await load_pizzeria(session, runtime)  # the same orders in a second restaurant
        response = await client.get(
            pizzeria.url("sales"), params=JAN_1_2, headers=pizzeria.owner.headers
        )
        assert (response.json()["orders"], response.json()["net_sales"]) == (3, 4749)

    async def test_end_before_start(self, client: AsyncClient, pizzeria: Pizzeria) -> None:
        response = await client.get(
            pizzeria.url("sales"),
            params={"start_date": "2015-01-02", "end_date": "2015-01-01"},
            headers=pizzeria.owner.headers,
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == PROBLEM + "invalid-date-range"

    @pytest.mark.parametrize(
        "params",
        [{"start_date": "2015-01-01"}, {"start_date": "2015-13-01", "end_date": "2015-01-01"}],
    )
    async def test_missing_or_bad_dates(
        self, client: AsyncClient, pizzeria: Pizzeria, params: dict[str, str]
    ) -> None:
        response = await client.get(
            pizzeria.url("sales"), params=params, headers=pizzeria.owner.headers
        )
        assert response.status_code == 422
        assert response.json()["type"] == PROBLEM + "validation-error"


class TestProductReport:
    async def test_unauthenticated(self, client: AsyncClient, pizzeria: Pizzeria) -> None:
        response = await client.get(pizzeria.url("products"), params=JAN_1_2)
        assert response.status_code == 401

    async def test_other_restaurant(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime, pizzeria: Pizzeria
    ) -> None:
        elsewhere = await make_restaurant(session)
        stranger = await make_user(session, runtime, restaurant=elsewhere, role=Role.manager)
        await session.commit()
        response = await client.get(
            pizzeria.url("products"), params=JAN_1_2, headers=stranger.headers
        )
        assert response.status_code == 404

    async def test_waiter_may_not_read_reports(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime, pizzeria: Pizzeria
    ) -> None:
        waiter = await make_user(session, runtime, restaurant=pizzeria.restaurant, role=Role.waiter)
        await session.commit()
        response = await client.get(
            pizzeria.url("products"), params=JAN_1_2, headers=waiter.headers
        )
        assert response.status_code == 403

    async def test_by_revenue(self, client: AsyncClient, pizzeria: Pizzeria) -> None:
        response = await client.get(
            pizzeria.url("products"), params=JAN_1_2, headers=pizzeria.owner.headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == 2
        assert body["currency"] == "USD"
        assert [
            (i["name"], i["category"], i["quantity"], i["net_sales"]) for i in body["items"]
        ] == [
            ("The Margherita", "Classic", 3, 3500),
            ("The Veggie", "Veggie", 1, 1249),
        ]  # the voided Pepperoni is not there
        assert all(isinstance(i["menu_item_id"], int) for i in body["items"])

    async def test_ties_are_broken_by_name(self, client: AsyncClient, pizzeria: Pizzeria) -> None:
        dec_31 = {"start_date": "2014-12-31", "end_date": "2014-12-31"}
        by_revenue = await client.get(
            pizzeria.url("products"), params=dec_31, headers=pizzeria.owner.headers
        )
        # Pepperoni 4 x 12.50 and Margherita 5 x 10.00: both 5000.
        assert [(i["name"], i["net_sales"]) for i in by_revenue.json()["items"]] == [
            ("The Margherita", 5000),
            ("The Pepperoni", 5000),
        ]
        by_quantity = await client.get(
            pizzeria.url("products"),
            params={**dec_31, "sort": "quantity"},
            headers=pizzeria.owner.headers,
        )
        assert [(i["name"], i["quantity"]) for i in by_quantity.json()["items"]] == [
            ("The Margherita", 5),
            ("The Pepperoni", 4),
        ]

    async def test_by_quantity_with_paging(self, client: AsyncClient, pizzeria: Pizzeria) -> None:
        whole = {"start_date": "2014-12-01", "end_date": "2015-01-31", "sort": "quantity"}
        first = await client.get(
            pizzeria.url("products"),
            params={**whole, "limit": 1},
            headers=pizzeria.owner.headers,
        )
        second = await client.get(
            pizzeria.url("products"),
            params={**whole, "limit": 1, "offset": 1},
            headers=pizzeria.owner.headers,
        )
        # Margherita 2 + 1 + 5 = 8, Pepperoni 4, Veggie 1 + 2 = 3.
        assert first.json()["total"] == second.json()["total"] == 3
        assert [(i["name"], i["quantity"]) for i in first.json()["items"]] == [
            ("The Margherita", 8)
        ]
        assert [(i["name"], i["quantity"]) for i in second.json()["items"]] == [
            ("The Pepperoni", 4)
        ]

    async def test_lines_of_a_deleted_item_keep_their_snapshot_name(
        self, client: AsyncClient, session: AsyncSession, pizzeria: Pizzeria
    ) -> None:
        veg_id = await session.scalar(
            select(MenuItem.id).where(
                MenuItem.restaurant_id == pizzeria.restaurant.id, MenuItem.external_ref == "veg"
            )
        )
        await session.execute(
            update(OrderItem).where(OrderItem.menu_item_id == veg_id).values(menu_item_id=None)
        )
        await session.commit()
        response = await client.get(
            pizzeria.url("products"), params=JAN_1_2, headers=pizzeria.owner.headers
        )
        veggie = response.json()["items"][1]
        assert veggie == {
            "menu_item_id": None,
            "name": "The Veggie",
            "category": "Veggie",
            "quantity": 1,
            "net_sales": 1249,
        }

    async def test_end_before_start(self, client: AsyncClient, pizzeria: Pizzeria) -> None:
        response = await client.get(
            pizzeria.url("products"),
            params={"start_date": "2015-01-02", "end_date": "2015-01-01"},
            headers=pizzeria.owner.headers,
        )
        assert response.status_code == 422
        assert response.json()["type"] == PROBLEM + "invalid-date-range"

    async def test_unknown_sort(self, client: AsyncClient, pizzeria: Pizzeria) -> None:
        response = await client.get(
            pizzeria.url("products"),
            params={**JAN_1_2, "sort": "margin"},
            headers=pizzeria.owner.headers,
        )
        assert response.status_code == 422
        assert response.json()["type"] == PROBLEM + "validation-error"
