"""``brigade demo`` comes with the pizza place's stock and recipes: ingredients from the
published lists, quantities per size (brigade.imports.pizza_stock), the demo modifiers'
recipes, an opening delivery with a few ingredients short; a sent order uses them; a
second run changes nothing. Plain functions: the setup runs its own event loop."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient

from brigade.app import create_app
from brigade.imports.demo import setup_demo
from brigade.imports.pizza_stock import DOUGH, SHORT, grams_for, group_of
from brigade.infra.settings import Settings
from tests.imports.support import write_great_tables_slice


@pytest.fixture
def demo_settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'data' / 'brigade.db'}",
    )


@pytest.fixture
def pizzas(tmp_path: Path) -> Path:
    return write_great_tables_slice(tmp_path / "05-pizzaplace.csv", "2015-01-02")


def test_quantities_follow_the_documented_rules() -> None:
    assert [group_of(n) for n in ("Mozzarella Cheese", "Barbecue Sauce", "Genoa Salami")] == [
        "cheese",
        "sauce",
        "meat",
    ]
    assert [group_of(n) for n in ("Garlic", "Red Onions", DOUGH)] == ["herb", "vegetable", "dough"]
    assert [grams_for("Mozzarella Cheese", s) for s in ("Small", "Medium", "Large")] == [45, 60, 75]
    assert [grams_for(DOUGH, s) for s in ("S", "M", "XX Large")] == [180, 250, 480]


async def walk(settings: Settings, password: str) -> dict[str, Any]:
    app = create_app(settings)
    base = "/api/v1/restaurants/1"
    try:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://127.0.0.1") as c:
            token = (
                await c.post(
                    "/api/v1/auth/login", json={"username": "manager", "password": password}
                )
            ).json()["access_token"]
            h = {"Authorization": f"Bearer {token}"}
            stock = (await c.get(f"{base}/inventory/ingredients", headers=h)).json()
            reorder = (await c.get(f"{base}/inventory/reorder-list", headers=h)).json()
            items = (await c.get(f"{base}/menu/items", headers=h)).json()["items"]
            bbq = next(i for i in items if i["name"] == "The Barbecue Chicken Pizza")
            large = next(v for v in bbq["variations"] if v["name"] == "Large")
            recipe = (await c.get(f"{base}/inventory/recipes/items/{bbq['id']}", headers=h)).json()
            groups = (await c.get(f"{base}/menu/modifier-groups", headers=h)).json()["items"]
            extra = next(
                m["id"] for g in groups for m in g["modifiers"] if m["name"] == "Extra cheese"
            )
            opened = await c.post(
                f"{base}/orders",
                json={
                    "kind": "takeaway",
                    "items": [
                        {
                            "menu_item_id": bbq["id"],
                            "variation_id": large["id"],
                            "modifier_ids": [extra],
                        }
                    ],
                },
                headers=h,
            )
            assert opened.status_code == 201, opened.text
            sent = await c.post(f"{base}/orders/{opened.json()['id']}/send", headers=h)
            assert sent.status_code == 200, sent.text
            after = (await c.get(f"{base}/inventory/ingredients", headers=h)).json()
            return {
                "stock": stock,
                "after": after,
                "reorder": reorder,
                "recipe": recipe,
                "large": large["id"],
            }
    finally:
        await app.state.runtime.db.dispose()


def test_demo_has_stock_and_recipes_and_a_sent_order_uses_them(
    demo_settings: Settings, pizzas: Path
) -> None:
    first = setup_demo(demo_settings, pizzas)
    assert first.ingredients_created > 30
    assert first.recipes_set > 30
    manager = next(x.password for x in first.logins if x.username == "manager")

    seen = asyncio.run(walk(demo_settings, manager))

    stock = {i["name"]: i for i in seen["stock"]["items"]}
    assert stock["Mozzarella Cheese"]["on_hand"] == 10  # five times the 2 kg reorder level
    assert stock["Mozzarella Cheese"]["supplier"] == "Latteria Rossi"
    assert stock["Garlic"]["reorder_level"] == 0.2
    low = sorted(line["name"] for s in seen["reorder"]["suppliers"] for line in s["lines"])
    assert low == sorted(SHORT)
    large = [
        (x["ingredient_name"], x["quantity"])
        for x in seen["recipe"]["lines"]
        if x["variation_id"] == seen["large"]
    ]
    assert large == [
        (DOUGH, 0.32),
        ("Barbecued Chicken", 0.063),  # 50 g x 1.25 = 62.5 g, rounded half-up
        ("Red Peppers", 0.05),
        ("Green Peppers", 0.05),
        ("Tomatoes", 0.05),
        ("Red Onions", 0.05),
        ("Barbecue Sauce", 0.1),
    ]
    after = {i["name"]: i for i in seen["after"]["items"]}
    # a large BBQ chicken with extra cheese: 320 g dough, 40 g extra mozzarella
    assert round(stock[DOUGH]["on_hand"] - after[DOUGH]["on_hand"], 3) == 0.32
    assert (
        round(stock["Mozzarella Cheese"]["on_hand"] - after["Mozzarella Cheese"]["on_hand"], 3)
        == 0.04
    )

    second = setup_demo(demo_settings, pizzas)
    assert (second.ingredients_created, second.recipes_set) == (0, 0)
    assert not second.changed
