"""Shared set-up of the tills tests: the orders world plus a manager, a second cashier,
another restaurant with its own till, and HTTP helpers for orders, checks and shifts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.permissions import Role
from brigade.runtime import Runtime
from tests.factories import Login, make_restaurant
from tests.orders.support import World, make_world, quick_login


@dataclass
class Till:
    """A world with tills: ``manager``, ``cashier2``, and ``other``'s owner and till."""

    world: World
    manager: Login
    cashier2: Login
    other_rid: int
    other_owner: Login

    def url(self, path: str) -> str:
        return self.world.url(path)

    def other_url(self, path: str) -> str:
        return f"/api/v1/restaurants/{self.other_rid}{path}"


async def make_till_world(session: AsyncSession, runtime: Runtime) -> Till:
    """The orders world (tax 10 % exclusive, EUR) with a manager and a second cashier,
    and another restaurant with an owner."""
    world = await make_world(session, runtime, tax_rate_bp=1000, tax_inclusive=False)
    other = await make_restaurant(session)
    setup = Till(
        world=world,
        manager=await quick_login(session, runtime, world.restaurant, Role.manager),
        cashier2=await quick_login(session, runtime, world.restaurant, Role.cashier),
        other_rid=other.id,
        other_owner=await quick_login(session, runtime, other, Role.owner),
    )
    await session.commit()
    return setup


def ok(response: Response, status: int = 200) -> Any:
    """The JSON body of a response that must have ``status``."""
    assert response.status_code == status, response.text
    return response.json()


async def new_till(client: AsyncClient, t: Till, name: str = "Front") -> dict[str, Any]:
    return ok(
        await client.post(t.url("/tills"), json={"name": name}, headers=t.manager.headers), 201
    )


async def open_shift(
    client: AsyncClient, t: Till, till_id: int, opening_float: int, who: Login | None = None
) -> dict[str, Any]:
    response = await client.post(
        t.url(f"/tills/{till_id}/shifts"),
        json={"opening_float": opening_float},
        headers=(who or t.world.cashier).headers,
    )
    return ok(response, 201)


async def move(
    client: AsyncClient, t: Till, shift_id: int, kind: str, amount: int, reason: str = "bank"
) -> Response:
    return await client.post(
        t.url(f"/shifts/{shift_id}/{kind}"),
        json={"amount": amount, "reason": reason},
        headers=t.world.cashier.headers,
    )


async def close(client: AsyncClient, t: Till, shift_id: int, counted: int) -> Response:
    return await client.post(
        t.url(f"/shifts/{shift_id}/close"),
        json={"counted_cash": counted},
        headers=t.world.cashier.headers,
    )


async def open_check(
    client: AsyncClient,
    t: Till,
    *,
    items: list[dict[str, Any]],
    table: int | None = None,
    covers: int = 2,
) -> dict[str, Any]:
    """An order at ``table`` (default the world's first) with ``items`` and its check."""
    w = t.world
    order = ok(
        await client.post(
            w.orders_url,
            json={
                "kind": "dine_in",
                "table_id": table or w.table,
                "covers": covers,
                "items": items,
            },
            headers=w.waiter.headers,
        ),
        201,
    )
    check = ok(
        await client.post(w.url(f"/orders/{order['id']}/check"), headers=w.cashier.headers), 201
    )
    return {"order": order, "check": check}


async def pay(
    client: AsyncClient, t: Till, check_id: int, body: dict[str, Any], who: Login | None = None
) -> Response:
    return await client.post(
        t.url(f"/checks/{check_id}/payments"),
        json=body,
        headers=(who or t.world.cashier).headers,
    )


def pizzas(t: Till, quantity: int = 1) -> dict[str, Any]:
    """Margherita L: 1500 per unit (before the 10 % tax)."""
    return {
        "menu_item_id": t.world.pizza.id,
        "variation_id": t.world.pizza.variations["L"],
        "quantity": quantity,
    }
