"""Shared set-up of the inventory tests: the orders world with a manager, and HTTP helpers
for ingredients, movements, recipes and orders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.permissions import Role
from brigade.inventory.models import Ingredient, StockMovement
from brigade.runtime import Runtime
from tests.factories import Login
from tests.orders.support import World, make_world, quick_login


@dataclass
class Stock:
    """The orders world (pizza S/L with cheese and olives, soup, cola) and a manager."""

    world: World
    manager: Login

    def url(self, path: str) -> str:
        return self.world.url(f"/inventory{path}")

    @property
    def headers(self) -> dict[str, str]:
        return self.manager.headers


async def make_stock_world(session: AsyncSession, runtime: Runtime) -> Stock:
    world = await make_world(session, runtime)
    setup = Stock(
        world=world, manager=await quick_login(session, runtime, world.restaurant, Role.manager)
    )
    await session.commit()
    return setup


def ok(response: Response, status: int = 200) -> Any:
    """The JSON body of a response that must have ``status``."""
    assert response.status_code == status, response.text
    return response.json()


async def ingredient(
    client: AsyncClient, s: Stock, name: str, unit: str = "g", **fields: Any
) -> dict[str, Any]:
    return ok(
        await client.post(
            s.url("/ingredients"), json={"name": name, "unit": unit, **fields}, headers=s.headers
        ),
        201,
    )


async def deliver(
    client: AsyncClient,
    s: Stock,
    ingredient_id: int,
    quantity: Any,
    unit: str | None = None,
    **more: Any,
) -> Response:
    body: dict[str, Any] = {"ingredient_id": ingredient_id, "quantity": quantity, **more}
    if unit is not None:
        body["unit"] = unit
    return await client.post(s.url("/deliveries"), json=body, headers=s.headers)


async def on_hand(client: AsyncClient, s: Stock, ingredient_id: int) -> float:
    body = ok(await client.get(s.url(f"/ingredients/{ingredient_id}"), headers=s.headers))
    return float(body["on_hand"])


async def set_recipe(
    client: AsyncClient, s: Stock, item_id: int, lines: list[dict[str, Any]]
) -> dict[str, Any]:
    return ok(
        await client.put(
            s.url(f"/recipes/items/{item_id}"), json={"lines": lines}, headers=s.headers
        )
    )


async def order(client: AsyncClient, s: Stock, items: list[dict[str, Any]]) -> Response:
    w = s.world
    return await client.post(
        w.orders_url,
        json={"kind": "takeaway", "items": items},
        headers=w.waiter.headers,
    )


async def send_order(client: AsyncClient, s: Stock, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Open an order with ``items`` and send it; the order as sent."""
    w = s.world
    opened = ok(await order(client, s, items), 201)
    return ok(await client.post(f"{w.orders_url}/{opened['id']}/send", headers=w.waiter.headers))


async def void(
    client: AsyncClient, s: Stock, order_id: int, item_id: int, *, by_manager: bool = False
) -> dict[str, Any]:
    """Void a line as the waiter, or as the manager (a line the kitchen has started needs
    a manager)."""
    w = s.world
    return ok(
        await client.post(
            f"{w.orders_url}/{order_id}/items/{item_id}/void",
            json={"reason": "guest changed their mind"},
            headers=s.manager.headers if by_manager else w.waiter.headers,
        )
    )


async def menu_item(client: AsyncClient, s: Stock, item_id: int) -> dict[str, Any]:
    return ok(await client.get(s.world.url(f"/menu/items/{item_id}"), headers=s.headers))


async def ledger_matches_cache(session: AsyncSession, restaurant_id: int) -> None:
    """Every ingredient's cached ``on_hand`` is the sum of its ledger."""
    sums = dict(
        (
            await session.execute(
                select(StockMovement.ingredient_id, func.sum(StockMovement.quantity))
                .where(StockMovement.restaurant_id == restaurant_id)
                .group_by(StockMovement.ingredient_id)
            )
        ).all()
    )
    cached = (
        await session.execute(
            select(Ingredient.id, Ingredient.on_hand).where(
                Ingredient.restaurant_id == restaurant_id
            )
        )
    ).all()
    assert cached, "no ingredients"
    for ingredient_id, value in cached:
        assert value == int(sums.get(ingredient_id) or 0), ingredient_id
