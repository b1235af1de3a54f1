"""Concurrent fires, deliveries and waste on one ingredient, on a database of its own
(committed data; several writer connections on PostgreSQL, SQLite's one writer): no
movement is lost, and the cached stock on hand is the sum of the ledger."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from brigade.auth.permissions import Role
from brigade.events.unit_of_work import unit_of_work
from brigade.inventory.models import Ingredient, StockMovement
from brigade.runtime import Runtime
from tests.factories import make_menu_item, make_restaurant
from tests.orders.support import quick_login
from tests.own_database import served_on_own_database

WAITERS = 6


@dataclass
class Kitchen:
    runtime: Runtime
    client: AsyncClient
    base: str
    rid: int
    item_id: int
    waiters: list[dict[str, str]]
    manager: dict[str, str]


@pytest.fixture
async def kitchen(tmp_path: Path) -> AsyncIterator[Kitchen]:
    async with served_on_own_database(tmp_path, "stock_race", pool_size=WAITERS + 4) as served:
        runtime = served.runtime
        async with unit_of_work(runtime.db, None) as session:
            restaurant = await make_restaurant(session)
            item = await make_menu_item(session, restaurant, name="Burger")
            waiters = [
                (await quick_login(session, runtime, restaurant, Role.waiter)).headers
                for _ in range(WAITERS)
            ]
            manager = (await quick_login(session, runtime, restaurant, Role.manager)).headers
            rid = restaurant.id
        yield Kitchen(
            runtime, served.client, f"/api/v1/restaurants/{rid}", rid, item.id, waiters, manager
        )


async def test_concurrent_fires_deliveries_and_waste_lose_no_movement(kitchen: Kitchen) -> None:
    client, base, manager = kitchen.client, kitchen.base, kitchen.manager
    created = await client.post(
        f"{base}/inventory/ingredients",
        json={"name": "Beef", "unit": "g", "reorder_level": 100},
        headers=manager,
    )
    assert created.status_code == 201, created.text
    beef = created.json()["id"]
    recipe = await client.put(
        f"{base}/inventory/recipes/items/{kitchen.item_id}",
        json={"lines": [{"ingredient_id": beef, "quantity": 10}]},
        headers=manager,
    )
    assert recipe.status_code == 200, recipe.text
    first = await client.post(
        f"{base}/inventory/deliveries",
        json={"ingredient_id": beef, "quantity": 1000},
        headers=manager,
    )
    assert first.status_code == 201, first.text

    async def fire(headers: dict[str, str]) -> int:
        order = await client.post(
            f"{base}/orders",
            json={"kind": "takeaway", "items": [{"menu_item_id": kitchen.item_id, "quantity": 2}]},
            headers=headers,
        )
        assert order.status_code == 201, order.text
        sent = await client.post(f"{base}/orders/{order.json()['id']}/send", headers=headers)
        return sent.status_code

    answers = await asyncio.gather(
        *(fire(h) for h in kitchen.waiters),
        *(
            client.post(
                f"{base}/inventory/deliveries",
                json={"ingredient_id": beef, "quantity": 100},
                headers=manager,
            )
            for _ in range(2)
        ),
        client.post(
            f"{base}/inventory/waste",
            json={"ingredient_id": beef, "quantity": 5, "reason": "dropped"},
            headers=manager,
        ),
    )
    statuses = [a if isinstance(a, int) else a.status_code for a in answers]
    assert statuses == [200] * WAITERS + [201, 201, 201]

    stock = await client.get(f"{base}/inventory/ingredients/{beef}", headers=manager)
    assert stock.json()["on_hand"] == 1000 - WAITERS * 20 + 2 * 100 - 5
    async with kitchen.runtime.db.sessionmaker() as session:
        ledger = await session.scalar(
            select(func.sum(StockMovement.quantity)).where(
                StockMovement.restaurant_id == kitchen.rid, StockMovement.ingredient_id == beef
            )
        )
        cached = await session.scalar(
            select(Ingredient.on_hand).where(
                Ingredient.restaurant_id == kitchen.rid, Ingredient.id == beef
            )
        )
        uses = await session.scalar(
            select(func.count()).where(
                StockMovement.restaurant_id == kitchen.rid, StockMovement.kind == "use"
            )
        )
    assert cached == ledger == (1000 - WAITERS * 20 + 200 - 5) * 1000
    assert uses == WAITERS
