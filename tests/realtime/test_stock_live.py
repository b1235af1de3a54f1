"""Low stock and the automatic 86 reach a manager's screen live: a fire that takes an
ingredient to its reorder level sends ``stock.low`` to the owner's socket, one that runs
it out sends the item's ``menu.item.availability`` with ``source: "stock"``, and a
delivery brings the item back the same way."""

from __future__ import annotations

from typing import Any

import httpx

from tests.realtime.conftest import Seeded
from tests.realtime.test_commands import connected, until


async def call(http: httpx.AsyncClient, r: Seeded, method: str, path: str, **kw: Any) -> Any:
    response = await http.request(
        method, f"/api/v1/restaurants/{r.restaurant_id}{path}", headers=r.headers(r.owner), **kw
    )
    assert response.is_success, response.text
    return response.json()


async def test_low_stock_and_the_86_reach_the_managers_screen(
    http: httpx.AsyncClient, seed: Any, screens: Any
) -> None:
    r = await seed()
    beef = await call(
        http,
        r,
        "POST",
        "/inventory/ingredients",
        json={"name": "Beef", "unit": "g", "reorder_level": 150},
    )
    await call(
        http,
        r,
        "PUT",
        f"/inventory/recipes/items/{r.grill_item}",
        json={"lines": [{"ingredient_id": beef["id"], "quantity": 100}]},
    )
    await call(
        http,
        r,
        "POST",
        "/inventory/deliveries",
        json={"ingredient_id": beef["id"], "quantity": 300},
    )
    manager = await connected(screens, r.owner, r.restaurant_id)

    async def burger(quantity: int) -> None:
        order = await call(
            http,
            r,
            "POST",
            "/orders",
            json={
                "kind": "takeaway",
                "items": [{"menu_item_id": r.grill_item, "quantity": quantity}],
            },
        )
        await call(http, r, "POST", f"/orders/{order['id']}/send")

    await burger(2)  # 300 g - 200 g = 100 g: at or below 150 g
    got = await until(manager, "stock.low")
    low = got[-1][1]
    assert low["data"]["ingredient"]["name"] == "Beef"
    assert low["data"]["ingredient"]["on_hand"] == 100
    assert "menu.item.availability" not in [n for n, _ in got]

    await burger(1)  # out: the burger is 86'd by the stock
    got = await until(manager, "menu.item.availability")
    gone = got[-1][1]["data"]
    assert (gone["menu_item_id"], gone["is_available"], gone["source"]) == (
        r.grill_item,
        False,
        "stock",
    )
    assert "stock.low" not in [n for n, _ in got]  # once per fall

    await call(
        http,
        r,
        "POST",
        "/inventory/deliveries",
        json={"ingredient_id": beef["id"], "quantity": 500},
    )
    got = await until(manager, "menu.item.availability")
    back = got[-1][1]["data"]
    assert (back["is_available"], back["source"]) == (True, "stock")
    moved = (await until(manager, "stock.moved"))[-1][1]["data"]
    assert (moved["movement"]["kind"], moved["ingredient"]["on_hand"]) == ("delivery", 500)
