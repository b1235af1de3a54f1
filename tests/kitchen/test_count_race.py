"""Counted items under concurrent orders, on a database of their own (committed data,
several writer connections on PostgreSQL, SQLite's one writer): orders never take more
portions than are left, whatever arrives at the same moment.

The database is a SQLite file, or a fresh PostgreSQL database named after the test
database (``<name>_count_race``), dropped afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from brigade.auth.permissions import Role
from brigade.events.unit_of_work import unit_of_work
from brigade.orders.models import OrderItem
from brigade.runtime import Runtime
from tests.factories import MenuItemFixture, make_menu_item, make_restaurant
from tests.orders.support import quick_login
from tests.own_database import served_on_own_database

WAITERS = 6
LEFT = 3


class Raced:
    def __init__(
        self,
        runtime: Runtime,
        client: AsyncClient,
        rid: int,
        waiters: list[dict[str, str]],
        cook: dict[str, str],
        dish: MenuItemFixture,
    ) -> None:
        self.runtime, self.client, self.rid = runtime, client, rid
        self.waiters, self.cook, self.dish = waiters, cook, dish


@pytest.fixture
async def raced(tmp_path: Path) -> AsyncIterator[Raced]:
    async with served_on_own_database(tmp_path, "count_race", pool_size=WAITERS + 2) as served:
        runtime = served.runtime
        async with unit_of_work(runtime.db, None) as session:
            restaurant = await make_restaurant(session)
            waiters = [
                (await quick_login(session, runtime, restaurant, Role.waiter)).headers
                for _ in range(WAITERS)
            ]
            cook = (await quick_login(session, runtime, restaurant, Role.kitchen)).headers
            dish = await make_menu_item(session, restaurant, name="Calzone", station="oven")
            rid = restaurant.id
        yield Raced(runtime, served.client, rid, waiters, cook, dish)


async def test_concurrent_orders_never_take_more_than_is_left(raced: Raced) -> None:
    client, rid, dish = raced.client, raced.rid, raced.dish
    base = f"/api/v1/restaurants/{rid}"
    counted = await client.put(
        f"{base}/menu/items/{dish.id}/availability", json={"remaining": LEFT}, headers=raced.cook
    )
    assert counted.status_code == 200, counted.text
    (variation_id,) = dish.variations.values()
    body = {
        "kind": "takeaway",
        "items": [{"menu_item_id": dish.id, "variation_id": variation_id, "quantity": 1}],
    }

    answers = await asyncio.gather(
        *(client.post(f"{base}/orders", json=body, headers=h) for h in raced.waiters)
    )

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * LEFT + [409] * (WAITERS - LEFT), [a.text for a in answers]
    refused = {a.json()["type"].rsplit("/", 1)[1] for a in answers if a.status_code == 409}
    assert refused <= {"not-enough-left", "item-unavailable"}
    item = await client.get(f"{base}/menu/items/{dish.id}", headers=raced.cook)
    assert (item.json()["remaining"], item.json()["is_available"]) == (0, False)
    async with raced.runtime.db.sessionmaker() as session:
        taken = await session.scalar(
            select(func.coalesce(func.sum(OrderItem.quantity), 0)).where(
                OrderItem.restaurant_id == rid, OrderItem.menu_item_id == dish.id
            )
        )
    assert taken == LEFT
