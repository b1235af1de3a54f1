"""Stock and recipes through HTTP: ingredients and units, deliveries, waste and counts,
fired lines using their recipes (size and modifiers), voids before preparation giving
back, low stock, the automatic 86 and its return, the reorder list and the usage report."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.events.models import OutboxEvent
from brigade.infra.db import utcnow
from brigade.inventory.models import StockMovement
from brigade.restaurants.models import Membership
from brigade.runtime import Runtime
from tests.inventory.support import (
    Stock,
    deliver,
    ingredient,
    ledger_matches_cache,
    make_stock_world,
    menu_item,
    ok,
    on_hand,
    order,
    send_order,
    set_recipe,
    void,
)
from tests.orders.support import count, event_types, last_seq, problem_type


@pytest.fixture
async def s(session: AsyncSession, runtime: Runtime) -> Stock:
    return await make_stock_world(session, runtime)


def today(s: Stock) -> str:
    return utcnow().astimezone(ZoneInfo(s.world.restaurant.time_zone)).date().isoformat()


async def pizza_recipe(client: AsyncClient, s: Stock) -> tuple[int, int]:
    """Mozzarella (g; S 100 g, L 150 g, extra cheese +40 g) and dough (1 piece, every
    size) for the world's pizza; 1 kg of mozzarella and 10 dough balls in stock."""
    w = s.world
    cheese = await ingredient(client, s, "Mozzarella", "g", reorder_level=300, cost=1)
    dough = await ingredient(client, s, "Dough ball", "piece", reorder_level=2, cost=40)
    await set_recipe(
        client,
        s,
        w.pizza.id,
        [
            {"ingredient_id": dough["id"], "quantity": 1},
            {
                "ingredient_id": cheese["id"],
                "quantity": 100,
                "variation_id": w.pizza.variations["S"],
            },
            {
                "ingredient_id": cheese["id"],
                "quantity": "0.15",
                "unit": "kg",
                "variation_id": w.pizza.variations["L"],
            },
        ],
    )
    ok(
        await client.put(
            s.url(f"/recipes/modifiers/{w.extras['cheese']}"),
            json={"lines": [{"ingredient_id": cheese["id"], "quantity": 40}]},
            headers=s.headers,
        )
    )
    ok(await deliver(client, s, cheese["id"], 1, "kg", cost=1000), 201)
    ok(await deliver(client, s, dough["id"], 10), 201)
    return cheese["id"], dough["id"]


class TestAccess:
    async def test_unauthenticated_other_restaurant_and_roles(
        self, client: AsyncClient, s: Stock
    ) -> None:
        cheese = await ingredient(client, s, "Mozzarella")
        url = s.url(f"/ingredients/{cheese['id']}")
        assert (await client.get(url)).status_code == 401
        stranger = await client.get(url, headers=s.world.stranger.headers)
        assert stranger.status_code == 404
        assert problem_type(stranger) == "not-found"
        w = s.world
        for response in (
            await client.get(url, headers=w.waiter.headers),
            await client.get(s.url("/reorder-list"), headers=w.kitchen.headers),
            await client.post(
                s.url("/deliveries"),
                json={"ingredient_id": cheese["id"], "quantity": 1},
                headers=w.cashier.headers,
            ),
        ):
            assert response.status_code == 403, response.text
            assert problem_type(response) == "permission-denied"
        # the owner reads and writes
        assert (await client.get(url, headers=w.owner.headers)).status_code == 200


class TestIngredientsAndUnits:
    async def test_units_convert_within_a_kind_and_never_across(
        self, client: AsyncClient, s: Stock, session: AsyncSession
    ) -> None:
        flour = await ingredient(
            client, s, "Flour", "kg", reorder_level="2.5", supplier="Mill", cost=90
        )
        assert flour["kind"] == "mass"
        assert flour["reorder_level"] == 2.5
        assert flour["on_hand"] == 0
        assert flour["low"]
        assert flour["out"]
        delivered = ok(await deliver(client, s, flour["id"], 750, "g"), 201)
        assert delivered["ingredient"]["on_hand"] == 0.75
        assert delivered["movement"]["kind"] == "delivery"
        ok(await deliver(client, s, flour["id"], "4.25"), 201)  # the ingredient's own unit
        assert await on_hand(client, s, flour["id"]) == 5
        stock = ok(await client.get(s.url(f"/ingredients/{flour['id']}"), headers=s.headers))
        assert stock["stock_value"] == 450  # 5 kg at 90 per kg
        assert not stock["low"]
        before = await count(session, StockMovement, restaurant_id=s.world.rid)

        litres = await deliver(client, s, flour["id"], 1, "l")
        assert litres.status_code == 422
        assert problem_type(litres) == "unit-mismatch"
        assert litres.json()["ingredient_unit"] == "kg"
        fine = await deliver(client, s, flour["id"], "0.0001", "g")
        assert fine.status_code == 422
        assert problem_type(fine) == "quantity-too-precise"
        unknown = await deliver(client, s, 999_999, 1)
        assert unknown.status_code == 422
        assert problem_type(unknown) == "unknown-ingredient"
        for bad in (0, -1, "abc", None):
            response = await deliver(client, s, flour["id"], bad)
            assert response.status_code == 422, bad
        assert await count(session, StockMovement, restaurant_id=s.world.rid) == before

        # the unit changes within its kind (the stock stays), never across
        grams = ok(
            await client.patch(
                s.url(f"/ingredients/{flour['id']}"), json={"unit": "g"}, headers=s.headers
            )
        )
        assert grams["on_hand"] == 5000
        assert grams["reorder_level"] == 2500
        across = await client.patch(
            s.url(f"/ingredients/{flour['id']}"), json={"unit": "ml"}, headers=s.headers
        )
        assert across.status_code == 422
        assert problem_type(across) == "unit-mismatch"
        taken = await client.post(
            s.url("/ingredients"), json={"name": "Flour", "unit": "g"}, headers=s.headers
        )
        assert taken.status_code == 409
        assert problem_type(taken) == "ingredient-name-taken"
        listed = ok(await client.get(s.url("/ingredients"), headers=s.headers))
        assert [i["name"] for i in listed["items"]] == ["Flour"]
        await ledger_matches_cache(session, s.world.rid)

    async def test_idempotent_delivery_counts_once(
        self, client: AsyncClient, s: Stock, session: AsyncSession
    ) -> None:
        oil = await ingredient(client, s, "Olive oil", "l")
        headers = {**s.headers, "Idempotency-Key": "delivery-1"}
        body = {"ingredient_id": oil["id"], "quantity": 5, "cost": 4500}
        first = await client.post(s.url("/deliveries"), json=body, headers=headers)
        again = await client.post(s.url("/deliveries"), json=body, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert again.json() == first.json()
        assert await on_hand(client, s, oil["id"]) == 5
        assert await count(session, StockMovement, ingredient_id=oil["id"]) == 1
        reused = await client.post(
            s.url("/deliveries"), json={**body, "quantity": 6}, headers=headers
        )
        assert reused.status_code == 422
        assert await on_hand(client, s, oil["id"]) == 5


class TestFireAndVoid:
    async def test_fire_uses_the_recipe_and_a_void_before_preparation_gives_back(
        self, client: AsyncClient, s: Stock, session: AsyncSession
    ) -> None:
        w = s.world
        cheese, dough = await pizza_recipe(client, s)
        sent = await send_order(
            client,
            s,
            [
                {
                    "menu_item_id": w.pizza.id,
                    "variation_id": w.pizza.variations["L"],
                    "modifier_ids": [w.extras["cheese"]],
                    "quantity": 2,
                },
                {"menu_item_id": w.pizza.id, "variation_id": w.pizza.variations["S"]},
                {"menu_item_id": w.cola.id},  # no recipe: no stock
            ],
        )
        # 2 x (150 + 40) + 100 = 480 g of cheese; 3 dough balls
        assert await on_hand(client, s, cheese) == 520
        assert await on_hand(client, s, dough) == 7
        large, small, _ = (line["id"] for line in sent["items"])
        uses = (
            await session.execute(
                select(
                    StockMovement.order_item_id, StockMovement.ingredient_id, StockMovement.quantity
                )
                .where(StockMovement.kind == "use")
                .order_by(StockMovement.id)
            )
        ).all()
        assert sorted(tuple(u) for u in uses) == sorted(
            [
                (large, dough, -2000),
                (large, cheese, -380_000),
                (small, dough, -1000),
                (small, cheese, -100_000),
            ]
        )

        # voided before the kitchen started it: the small pizza's stock comes back
        void_small = await void(client, s, sent["id"], small)
        assert await on_hand(client, s, cheese) == 620
        assert await on_hand(client, s, dough) == 8

        # the kitchen starts the large pizza: a void now keeps its use (it was made)
        tickets = ok(
            await client.get(w.url("/kitchen/tickets?station=pizza"), headers=w.kitchen.headers)
        )
        ticket = next(
            t for t in tickets["items"] if any(i["order_item_id"] == large for i in t["items"])
        )
        ok(
            await client.post(
                w.url(f"/kitchen/tickets/{ticket['id']}/start"), headers=w.kitchen.headers
            )
        )
        assert void_small["id"] == sent["id"]
        await void(client, s, sent["id"], large, by_manager=True)
        assert await on_hand(client, s, cheese) == 620
        assert await on_hand(client, s, dough) == 8
        ledger = ok(await client.get(s.url(f"/ingredients/{cheese}/movements"), headers=s.headers))
        assert [m["kind"] for m in ledger["items"]] == ["return", "use", "use", "delivery"]
        assert ledger["items"][0]["quantity"] == 100
        assert ledger["items"][0]["order_item_id"] == small
        await ledger_matches_cache(session, w.rid)

    async def test_a_line_voided_before_it_is_fired_uses_nothing(
        self, client: AsyncClient, s: Stock
    ) -> None:
        w = s.world
        cheese, _ = await pizza_recipe(client, s)
        opened = ok(
            await order(
                client, s, [{"menu_item_id": w.pizza.id, "variation_id": w.pizza.variations["S"]}]
            ),
            201,
        )
        await void(client, s, opened["id"], opened["items"][0]["id"])
        assert await on_hand(client, s, cheese) == 1000


class TestWasteAndCounts:
    async def test_waste_count_and_the_usage_report(
        self, client: AsyncClient, s: Stock, session: AsyncSession
    ) -> None:
        w = s.world
        cheese, dough = await pizza_recipe(client, s)
        await send_order(
            client,
            s,
            [{"menu_item_id": w.pizza.id, "variation_id": w.pizza.variations["L"], "quantity": 2}],
        )  # 300 g of cheese, 2 dough balls
        wasted = ok(
            await client.post(
                s.url("/waste"),
                json={"ingredient_id": cheese, "quantity": 50, "reason": "dropped on the floor"},
                headers=s.headers,
            ),
            201,
        )
        assert wasted["movement"]["quantity"] == -50
        assert wasted["movement"]["reason"] == "dropped on the floor"
        assert wasted["ingredient"]["on_hand"] == 650
        no_reason = await client.post(
            s.url("/waste"), json={"ingredient_id": cheese, "quantity": 5}, headers=s.headers
        )
        assert no_reason.status_code == 422
        # the count finds 600 g: 50 g more was used than the recipes say
        counted = ok(
            await client.post(
                s.url("/counts"),
                json={"ingredient_id": cheese, "counted": "0.6", "unit": "kg"},
                headers=s.headers,
            ),
            201,
        )
        assert counted["movement"]["kind"] == "count"
        assert counted["movement"]["quantity"] == -50
        assert counted["movement"]["counted"] == 600
        assert counted["ingredient"]["on_hand"] == 600
        # a count that agrees is recorded with no correction
        same = ok(
            await client.post(
                s.url("/counts"), json={"ingredient_id": dough, "counted": 8}, headers=s.headers
            ),
            201,
        )
        assert same["movement"]["quantity"] == 0

        day = today(s)
        report = ok(
            await client.get(s.url(f"/usage?start_date={day}&end_date={day}"), headers=s.headers)
        )
        lines = {line["name"]: line for line in report["lines"]}
        assert lines["Mozzarella"] == {
            "ingredient_id": cheese,
            "name": "Mozzarella",
            "unit": "g",
            "theoretical": 300,
            "actual": 350,
            "variance": 50,
            "variance_cost": 50,  # 50 g at 1 per g
            "delivered": 1000,
            "wasted": 50,
        }
        assert lines["Dough ball"]["theoretical"] == lines["Dough ball"]["actual"] == 2
        assert report["variance_cost"] == 50
        yesterday = (utcnow() - timedelta(days=3)).date().isoformat()
        empty = ok(
            await client.get(
                s.url(f"/usage?start_date={yesterday}&end_date={yesterday}"), headers=s.headers
            )
        )
        assert empty["lines"] == []
        backwards = await client.get(
            s.url(f"/usage?start_date={day}&end_date={yesterday}"), headers=s.headers
        )
        assert backwards.status_code == 422
        assert problem_type(backwards) == "invalid-date-range"
        for first, last in (("0001-01-01", "0001-01-01"), ("9999-12-31", "9999-12-31")):
            edge = await client.get(
                s.url(f"/usage?start_date={first}&end_date={last}"), headers=s.headers
            )
            assert edge.status_code == 422, edge.text
            assert problem_type(edge) == "invalid-date-range"
        await ledger_matches_cache(session, w.rid)


class TestLowStockAndAuto86:
    async def test_low_stock_event_auto_86_and_back_on_delivery_manual_86_stays(
        self, client: AsyncClient, s: Stock, session: AsyncSession
    ) -> None:
        w = s.world
        cheese, _ = await pizza_recipe(client, s)
        # the soup uses cheese too, and a manager 86'd it by hand
        await set_recipe(client, s, w.soup.id, [{"ingredient_id": cheese, "quantity": 10}])
        start = await last_seq(session, w.rid)
        ok(
            await client.put(
                w.url(f"/menu/items/{w.soup.id}/availability"),
                json={"is_available": False},
                headers=s.headers,
            )
        )
        seq = await last_seq(session, w.rid)
        large = {"menu_item_id": w.pizza.id, "variation_id": w.pizza.variations["L"]}
        # 1000 g - 5 x 150 g = 250 g: below the reorder level of 300 g
        await send_order(client, s, [{**large, "quantity": 5}])
        types = await event_types(session, w.rid, seq)
        assert types.count("stock.low") == 1
        low = (
            await session.execute(
                select(OutboxEvent.payload).where(
                    OutboxEvent.restaurant_id == w.rid, OutboxEvent.type == "stock.low"
                )
            )
        ).scalar_one()
        assert low["ingredient"]["name"] == "Mozzarella"
        assert low["ingredient"]["on_hand"] == 250
        assert (await menu_item(client, s, w.pizza.id))["is_available"] is True
        # a second fire while low raises no second stock.low
        seq = await last_seq(session, w.rid)
        await send_order(client, s, [large])
        assert "stock.low" not in await event_types(session, w.rid, seq)
        # 100 g left; two more large pizzas take it below zero: the pizza is 86'd
        await send_order(client, s, [{**large, "quantity": 2}])
        assert await on_hand(client, s, cheese) == -200
        pizza = await menu_item(client, s, w.pizza.id)
        assert pizza["is_available"] is False
        assert pizza["unavailable_reason"] == "stock"
        refused = await order(client, s, [large])
        assert refused.status_code == 409
        assert problem_type(refused) == "item-unavailable"
        availability = (
            (
                await session.execute(
                    select(OutboxEvent.payload)
                    .where(
                        OutboxEvent.restaurant_id == w.rid,
                        OutboxEvent.type == "menu.item.availability",
                        OutboxEvent.seq > start,
                    )
                    .order_by(OutboxEvent.seq)
                )
            )
            .scalars()
            .all()
        )
        assert [(e["menu_item_id"], e["is_available"], e["source"]) for e in availability] == [
            (w.soup.id, False, "manual"),
            (w.pizza.id, False, "stock"),
        ]
        soup = await menu_item(client, s, w.soup.id)
        assert soup["unavailable_reason"] == "manual"

        # not enough to get above zero: still 86'd; then enough: back on the menu
        ok(await deliver(client, s, cheese, 100), 201)
        assert (await menu_item(client, s, w.pizza.id))["is_available"] is False
        ok(await deliver(client, s, cheese, 2, "kg"), 201)
        pizza = await menu_item(client, s, w.pizza.id)
        assert pizza["is_available"] is True
        assert pizza["unavailable_reason"] is None
        ok(await order(client, s, [large]), 201)
        # the soup was 86'd by hand: stock arriving does not bring it back
        soup = await menu_item(client, s, w.soup.id)
        assert soup["is_available"] is False
        assert soup["unavailable_reason"] == "manual"
        await ledger_matches_cache(session, w.rid)

    async def test_a_manual_86_of_an_item_the_stock_86d_stays(
        self, client: AsyncClient, s: Stock
    ) -> None:
        w = s.world
        cheese, _ = await pizza_recipe(client, s)
        ok(
            await client.post(
                s.url("/waste"),
                json={"ingredient_id": cheese, "quantity": 1, "unit": "kg", "reason": "spoiled"},
                headers=s.headers,
            ),
            201,
        )
        assert (await menu_item(client, s, w.pizza.id))["unavailable_reason"] == "stock"
        manual = ok(
            await client.put(
                w.url(f"/menu/items/{w.pizza.id}/availability"),
                json={"is_available": False},
                headers=s.headers,
            )
        )
        assert manual["unavailable_reason"] == "manual"
        ok(await deliver(client, s, cheese, 1, "kg"), 201)
        assert (await menu_item(client, s, w.pizza.id))["is_available"] is False

    async def test_a_recipe_with_an_ingredient_out_86s_the_item(
        self, client: AsyncClient, s: Stock
    ) -> None:
        w = s.world
        basil = await ingredient(client, s, "Basil")
        await set_recipe(client, s, w.soup.id, [{"ingredient_id": basil["id"], "quantity": 2}])
        assert (await menu_item(client, s, w.soup.id))["unavailable_reason"] == "stock"
        ok(await deliver(client, s, basil["id"], 50), 201)
        assert (await menu_item(client, s, w.soup.id))["is_available"] is True


class TestReorderList:
    async def test_low_ingredients_by_supplier(self, client: AsyncClient, s: Stock) -> None:
        cheese = await ingredient(
            client, s, "Mozzarella", "kg", reorder_level=2, supplier="Dairy", cost=800
        )
        cream = await ingredient(
            client, s, "Cream", "l", reorder_level=1, supplier="Dairy", cost=300
        )
        flour = await ingredient(
            client, s, "Flour", "kg", reorder_level=5, supplier="Mill", cost=90
        )
        salt = await ingredient(client, s, "Salt", "g", reorder_level=100, supplier="Mill")
        ok(await deliver(client, s, cheese["id"], "0.5"), 201)
        ok(await deliver(client, s, cream["id"], 3), 201)  # not low
        ok(await deliver(client, s, flour["id"], 5), 201)  # at the level: low
        ok(await deliver(client, s, salt["id"], 500), 201)
        listed = ok(await client.get(s.url("/reorder-list"), headers=s.headers))
        assert listed == {
            "suppliers": [
                {
                    "supplier": "Dairy",
                    "lines": [
                        {
                            "ingredient_id": cheese["id"],
                            "name": "Mozzarella",
                            "unit": "kg",
                            "on_hand": 0.5,
                            "reorder_level": 2,
                            "suggested": 3.5,
                            "estimated_cost": 2800,
                        }
                    ],
                    "estimated_cost": 2800,
                },
                {
                    "supplier": "Mill",
                    "lines": [
                        {
                            "ingredient_id": flour["id"],
                            "name": "Flour",
                            "unit": "kg",
                            "on_hand": 5,
                            "reorder_level": 5,
                            "suggested": 5,
                            "estimated_cost": 450,
                        }
                    ],
                    "estimated_cost": 450,
                },
            ],
            "estimated_cost": 3250,
        }
        low = ok(await client.get(s.url("/ingredients?low=true"), headers=s.headers))
        assert [i["name"] for i in low["items"]] == ["Flour", "Mozzarella"]


class TestRecipes:
    async def test_recipes_read_back_and_their_errors(
        self, client: AsyncClient, s: Stock, session: AsyncSession
    ) -> None:
        w = s.world
        cheese, dough = await pizza_recipe(client, s)
        recipe = ok(await client.get(s.url(f"/recipes/items/{w.pizza.id}"), headers=s.headers))
        assert recipe["menu_item_id"] == w.pizza.id
        assert [
            (x["ingredient_name"], x["quantity"], x["variation_id"]) for x in recipe["lines"]
        ] == [
            ("Dough ball", 1, None),
            ("Mozzarella", 100, w.pizza.variations["S"]),
            ("Mozzarella", 150, w.pizza.variations["L"]),
        ]
        every = ok(await client.get(s.url("/recipes"), headers=s.headers))
        assert [(r["menu_item_id"], r["modifier_id"]) for r in every["items"]] == [
            (w.pizza.id, None),
            (None, w.extras["cheese"]),
        ]
        url = s.url(f"/recipes/items/{w.pizza.id}")
        errors = {
            "unknown-variation": [
                {"ingredient_id": cheese, "quantity": 1, "variation_id": w.cola.variations["0.33"]}
            ],
            "duplicate-recipe-line": [
                {"ingredient_id": dough, "quantity": 1},
                {"ingredient_id": dough, "quantity": 2},
            ],
            "unknown-ingredient": [{"ingredient_id": 999_999, "quantity": 1}],
            "unit-mismatch": [{"ingredient_id": dough, "quantity": 1, "unit": "g"}],
        }
        for slug, lines in errors.items():
            response = await client.put(url, json={"lines": lines}, headers=s.headers)
            assert response.status_code == 422, response.text
            assert problem_type(response) == slug
        # nothing was replaced
        assert ok(await client.get(url, headers=s.headers)) == recipe
        missing = await client.put(
            s.url("/recipes/items/999999"), json={"lines": []}, headers=s.headers
        )
        assert missing.status_code == 404
        sized = await client.put(
            s.url(f"/recipes/modifiers/{w.extras['olives']}"),
            json={
                "lines": [
                    {
                        "ingredient_id": cheese,
                        "quantity": 1,
                        "variation_id": w.pizza.variations["S"],
                    }
                ]
            },
            headers=s.headers,
        )
        assert sized.status_code == 422
        # a stranger's ingredient is no ingredient of this restaurant
        their_rid = await session.scalar(
            select(Membership.restaurant_id).where(Membership.user_id == w.stranger.user.id)
        )
        theirs = ok(
            await client.post(
                f"/api/v1/restaurants/{their_rid}/inventory/ingredients",
                json={"name": "Theirs", "unit": "g"},
                headers=w.stranger.headers,
            ),
            201,
        )
        foreign = await client.put(
            url, json={"lines": [{"ingredient_id": theirs["id"], "quantity": 1}]}, headers=s.headers
        )
        assert problem_type(foreign) == "unknown-ingredient"
        stolen = await deliver(client, s, theirs["id"], 1)
        assert problem_type(stolen) == "unknown-ingredient"
        cleared = ok(await client.put(url, json={"lines": []}, headers=s.headers))
        assert cleared["lines"] == []
        await ledger_matches_cache(session, w.rid)


class TestIngredientEdits:
    async def test_edit_paths_and_the_ledger_pages(
        self, client: AsyncClient, s: Stock, session: AsyncSession
    ) -> None:
        w = s.world
        salt = await ingredient(client, s, "Salt", "g", reorder_level=100)
        url = s.url(f"/ingredients/{salt['id']}")
        assert (await client.patch(url, json={"cost": 1})).status_code == 401
        assert (
            await client.patch(url, json={"cost": 1}, headers=w.stranger.headers)
        ).status_code == 404
        missing = await client.patch(
            s.url("/ingredients/999999"), json={"cost": 1}, headers=s.headers
        )
        assert missing.status_code == 404
        assert problem_type(missing) == "not-found"
        for body in ({"cost": -1}, {"name": ""}, {"unit": "cup"}, {"reorder_level": "x"}):
            bad = await client.patch(url, json=body, headers=s.headers)
            assert bad.status_code == 422, body
        for n in range(3):
            ok(await deliver(client, s, salt["id"], 100 + n), 201)
        # raising the reorder level above the stock raises stock.low once
        seq = await last_seq(session, w.rid)
        raised = ok(await client.patch(url, json={"reorder_level": 1000}, headers=s.headers))
        assert raised["low"] is True
        ok(await client.patch(url, json={"reorder_level": 2000}, headers=s.headers))
        assert (await event_types(session, w.rid, seq)).count("stock.low") == 1
        page = ok(await client.get(f"{url}/movements?limit=2&offset=1", headers=s.headers))
        assert page["total"] == 3
        assert [m["quantity"] for m in page["items"]] == [101, 100]
        for query in ("limit=0", "limit=201", "offset=-1"):
            assert (
                await client.get(f"{url}/movements?{query}", headers=s.headers)
            ).status_code == 422
        counted = await client.post(
            s.url("/counts"), json={"ingredient_id": 999_999, "counted": 1}, headers=s.headers
        )
        assert problem_type(counted) == "unknown-ingredient"
        extra = await client.post(
            s.url("/counts"),
            json={"ingredient_id": salt["id"], "counted": 1, "quantity": 2},
            headers=s.headers,
        )
        assert extra.status_code == 422
        await ledger_matches_cache(session, w.rid)
