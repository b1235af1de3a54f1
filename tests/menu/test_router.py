"""The menu routes, through HTTP: tenancy and permission first, then behaviour."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.permissions import Role
from brigade.menu.cache import get_menu_cache
from brigade.menu.models import Category, MenuItem, Variation
from brigade.menu.pricing import LineChoice, resolve_lines
from brigade.runtime import Runtime
from tests.menu.conftest import Staff, api_token_headers, events_of, member


def problem(response: Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"https://brigade.dev/problems/{slug}"
    return body


async def make_category(client: AsyncClient, staff: Staff, name: str, position: int = 0) -> int:
    r = await client.post(
        f"{staff.base}/menu/categories",
        json={"name": name, "position": position},
        headers=staff.owner,
    )
    assert r.status_code == 201, r.text
    category_id: int = r.json()["id"]
    return category_id


async def make_item(
    client: AsyncClient, staff: Staff, category_id: int, name: str, **extra: Any
) -> dict[str, Any]:
    body = {"category_id": category_id, "name": name, **extra}
    r = await client.post(f"{staff.base}/menu/items", json=body, headers=staff.owner)
    assert r.status_code == 201, r.text
    item: dict[str, Any] = r.json()
    return item


PIZZA_SIZES = [
    {"name": "S", "sku": "bbq_ckn_s", "price": 1275},
    {"name": "M", "sku": "bbq_ckn_m", "price": 1675},
    {"name": "L", "sku": "bbq_ckn_l", "price": 2075},
]


class TestMenuDocument:
    async def test_unauthenticated(self, client: AsyncClient, staff: Staff) -> None:
        problem(await client.get(f"{staff.base}/menu"), 401, "not-authenticated")

    async def test_other_restaurant(self, client: AsyncClient, staff: Staff) -> None:
        r = await client.get(f"{staff.base}/menu", headers=staff.stranger)
        problem(r, 404, "not-found")

    async def test_token_without_menu_scope(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        headers = await api_token_headers(session, staff.restaurant, ["tables:read"])
        await session.commit()
        problem(await client.get(f"{staff.base}/menu", headers=headers), 403, "permission-denied")

    async def test_empty_menu(self, client: AsyncClient, staff: Staff) -> None:
        r = await client.get(f"{staff.base}/menu", headers=staff.waiter)
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json"
        assert r.json() == {
            "restaurant_id": staff.restaurant.id,
            "currency": "EUR",
            "categories": [],
        }

    async def test_whole_menu_in_position_order(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        veggie = await make_category(client, staff, "Veggie", position=2)
        chicken = await make_category(client, staff, "Chicken", position=1)
        bbq = await make_item(
            client,
            staff,
            chicken,
            "The Barbecue Chicken Pizza",
            ingredients=["Barbecued Chicken", "Red Peppers"],
            station="oven",
            position=2,
            variations=PIZZA_SIZES,
        )
        thai = await make_item(client, staff, chicken, "The Thai Chicken Pizza", position=1)
        group = await client.post(
            f"{staff.base}/menu/modifier-groups",
            json={
                "name": "Extras",
                "max_choices": 2,
                "modifiers": [{"name": "Cheese", "price_delta": 100}, {"name": "Chili"}],
            },
            headers=staff.owner,
        )
        assert group.status_code == 201, group.text
        linked = await client.put(
            f"{staff.base}/menu/items/{bbq['id']}/modifier-groups",
            json={"group_ids": [group.json()["id"]]},
            headers=staff.owner,
        )
        assert linked.status_code == 200, linked.text
        # the kitchen (and any role) reads the menu; a token with menu:read too
        token = await api_token_headers(session, staff.restaurant, ["menu:read"])
        await session.commit()
        for headers in (staff.kitchen, token):
            r = await client.get(f"{staff.base}/menu", headers=headers)
            assert r.status_code == 200, r.text
        menu = r.json()
        assert [c["name"] for c in menu["categories"]] == ["Chicken", "Veggie"]
        assert menu["categories"][1] == {"id": veggie, "name": "Veggie", "position": 2, "items": []}
        items = menu["categories"][0]["items"]
        assert [i["id"] for i in items] == [thai["id"], bbq["id"]]
        pizza = items[1]
        assert pizza["ingredients"] == ["Barbecued Chicken", "Red Peppers"]
        assert pizza["station"] == "oven"
        assert pizza["is_available"] is True
        assert [(v["name"], v["sku"], v["price"]) for v in pizza["variations"]] == [
            ("S", "bbq_ckn_s", 1275),
            ("M", "bbq_ckn_m", 1675),
            ("L", "bbq_ckn_l", 2075),
        ]
        (extras,) = pizza["modifier_groups"]
        assert (extras["name"], extras["min_choices"], extras["max_choices"]) == ("Extras", 0, 2)
        assert [(m["name"], m["price_delta"]) for m in extras["modifiers"]] == [
            ("Cheese", 100),
            ("Chili", 0),
        ]
        assert items[0]["variations"] == []
        assert items[0]["modifier_groups"] == []

    async def test_a_change_through_the_api_shows_at_once(
        self, client: AsyncClient, staff: Staff
    ) -> None:
        chicken = await make_category(client, staff, "Chicken")
        item = await make_item(client, staff, chicken, "Thai", variations=PIZZA_SIZES[:1])
        before = (await client.get(f"{staff.base}/menu", headers=staff.waiter)).json()
        assert before["categories"][0]["items"][0]["is_available"] is True
        r = await client.put(
            f"{staff.base}/menu/items/{item['id']}/availability",
            json={"is_available": False},
            headers=staff.kitchen,
        )
        assert r.status_code == 200
        after = (await client.get(f"{staff.base}/menu", headers=staff.waiter)).json()
        assert after["categories"][0]["items"][0]["is_available"] is False

    async def test_cache_hit_costs_no_query(
        self, client: AsyncClient, staff: Staff, session: AsyncSession, runtime: Runtime
    ) -> None:
        chicken = await make_category(client, staff, "Chicken")
        await make_item(client, staff, chicken, "Thai", variations=PIZZA_SIZES)
        first = await client.get(f"{staff.base}/menu", headers=staff.waiter)
        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        engine = runtime.db.engine.sync_engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            second = await client.get(f"{staff.base}/menu", headers=staff.waiter)
            # another member's first read checks its membership, and only that
            third = await client.get(f"{staff.base}/menu", headers=staff.kitchen)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert second.content == first.content == third.content
        assert second.headers["content-type"] == "application/json"
        assert int(second.headers["content-length"]) == len(first.content)
        selects = [s for s in statements if "SAVEPOINT" not in s]  # the test's transaction
        assert len(selects) == 1, statements
        assert "memberships" in selects[0]

    async def test_a_remembered_grant_ends_with_the_membership(
        self, client: AsyncClient, staff: Staff, session: AsyncSession, runtime: Runtime
    ) -> None:
        user_id, headers = await member(session, runtime, staff.restaurant, Role.waiter)
        await session.commit()
        assert (await client.get(f"{staff.base}/menu", headers=headers)).status_code == 200
        assert (await client.get(f"{staff.base}/menu", headers=headers)).status_code == 200
        r = await client.delete(f"{staff.base}/staff/{user_id}", headers=staff.owner)
        assert r.status_code == 204, r.text
        problem(await client.get(f"{staff.base}/menu", headers=headers), 404, "not-found")

    async def test_an_expired_token_is_refused_even_when_remembered(
        self, client: AsyncClient, staff: Staff, session: AsyncSession, runtime: Runtime
    ) -> None:
        _, headers = await member(session, runtime, staff.restaurant, Role.waiter, ttl_seconds=1)
        await session.commit()
        assert (await client.get(f"{staff.base}/menu", headers=headers)).status_code == 200
        await asyncio.sleep(2.1)
        problem(await client.get(f"{staff.base}/menu", headers=headers), 401, "not-authenticated")

    async def test_bad_tokens_on_a_cached_menu(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        assert (await client.get(f"{staff.base}/menu", headers=staff.waiter)).status_code == 200
        forged = {"Authorization": staff.waiter["Authorization"][:-3] + "AAA"}
        problem(await client.get(f"{staff.base}/menu", headers=forged), 401, "not-authenticated")
        problem(
            await client.get(f"{staff.base}/menu", headers={"Authorization": "Bearer brg_nope"}),
            401,
            "not-authenticated",
        )
        problem(await client.get(f"{staff.base}/menu"), 401, "not-authenticated")
        no_scope = await api_token_headers(session, staff.restaurant, ["tables:read"])
        await session.commit()
        for _ in range(2):
            r = await client.get(f"{staff.base}/menu", headers=no_scope)
            problem(r, 403, "permission-denied")
        r = await client.get(f"{staff.base}/menu", headers=staff.stranger)
        problem(r, 404, "not-found")

    async def test_writes_without_events_show_after_the_ttl(
        self, client: AsyncClient, staff: Staff, session: AsyncSession, runtime: Runtime
    ) -> None:
        chicken = await make_category(client, staff, "Chicken")
        await make_item(client, staff, chicken, "Thai", variations=PIZZA_SIZES[:1])
        await client.get(f"{staff.base}/menu", headers=staff.waiter)
        # e.g. another worker process, or an import: no event reaches this process
        await session.execute(
            update(Variation)
            .where(Variation.restaurant_id == staff.restaurant.id)
            .values(price=999)
        )
        await session.commit()
        cached = (await client.get(f"{staff.base}/menu", headers=staff.waiter)).json()
        assert cached["categories"][0]["items"][0]["variations"][0]["price"] == 1275
        cache = get_menu_cache(runtime)
        now = cache.clock()
        cache.clock = lambda: now + cache.ttl + 1
        fresh = (await client.get(f"{staff.base}/menu", headers=staff.waiter)).json()
        assert fresh["categories"][0]["items"][0]["variations"][0]["price"] == 999

    async def test_openapi_declares_the_menu_schema(self, client: AsyncClient) -> None:
        schema = (await client.get("/openapi.json")).json()
        op = schema["paths"]["/api/v1/restaurants/{restaurant_id}/menu"]["get"]
        ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/MenuRead")
        assert op["operationId"] == "menu-get_menu"


class TestCategories:
    async def test_unauthenticated(self, client: AsyncClient, staff: Staff) -> None:
        problem(await client.get(f"{staff.base}/menu/categories"), 401, "not-authenticated")
        r = await client.post(f"{staff.base}/menu/categories", json={"name": "X"})
        problem(r, 401, "not-authenticated")

    async def test_other_restaurant(self, client: AsyncClient, staff: Staff) -> None:
        r = await client.get(f"{staff.base}/menu/categories", headers=staff.stranger)
        problem(r, 404, "not-found")
        r = await client.post(
            f"{staff.base}/menu/categories", json={"name": "X"}, headers=staff.stranger
        )
        problem(r, 404, "not-found")

    async def test_waiter_cannot_edit(self, client: AsyncClient, staff: Staff) -> None:
        r = await client.post(
            f"{staff.base}/menu/categories", json={"name": "X"}, headers=staff.waiter
        )
        problem(r, 403, "permission-denied")
        listed = await client.get(f"{staff.base}/menu/categories", headers=staff.waiter)
        assert listed.json() == {"items": [], "total": 0}

    async def test_crud_and_events(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        b = await make_category(client, staff, "Veggie", position=2)
        a = await make_category(client, staff, "Chicken", position=1)
        listed = (await client.get(f"{staff.base}/menu/categories", headers=staff.waiter)).json()
        assert listed["total"] == 2
        assert [c["id"] for c in listed["items"]] == [a, b]
        r = await client.patch(
            f"{staff.base}/menu/categories/{b}",
            json={"name": "Veg", "position": 0},
            headers=staff.owner,
        )
        assert r.json() == {"id": b, "name": "Veg", "position": 0, "tax_rate_id": None}
        got = await client.get(f"{staff.base}/menu/categories/{b}", headers=staff.waiter)
        assert got.json()["name"] == "Veg"
        r = await client.delete(f"{staff.base}/menu/categories/{a}", headers=staff.owner)
        assert r.status_code == 204
        problem(
            await client.get(f"{staff.base}/menu/categories/{a}", headers=staff.owner),
            404,
            "not-found",
        )
        events = await events_of(session, staff.restaurant.id, "menu.")
        assert [(e["type"], e["entity"], e["action"]) for e in events] == [
            ("menu.updated", "category", "created"),
            ("menu.updated", "category", "created"),
            ("menu.updated", "category", "updated"),
            ("menu.updated", "category", "deleted"),
        ]
        assert events[2]["category"] == {"id": b, "name": "Veg", "position": 0, "tax_rate_id": None}

    async def test_other_restaurants_category_is_not_found(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        foreign = Category(restaurant_id=staff.other.id, name="Theirs", position=0)
        session.add(foreign)
        await session.commit()
        for method in ("get", "patch", "delete"):
            kwargs: dict[str, Any] = {"json": {"name": "Mine"}} if method == "patch" else {}
            r = await client.request(
                method, f"{staff.base}/menu/categories/{foreign.id}", headers=staff.owner, **kwargs
            )
            problem(r, 404, "not-found")
        name = await session.scalar(select(Category.name).where(Category.id == foreign.id))
        assert name == "Theirs"

    async def test_cannot_delete_a_category_with_items(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        chicken = await make_category(client, staff, "Chicken")
        await make_item(client, staff, chicken, "Thai")
        r = await client.delete(f"{staff.base}/menu/categories/{chicken}", headers=staff.owner)
        problem(r, 409, "category-not-empty")
        assert await session.scalar(select(Category.id).where(Category.id == chicken)) == chicken

    async def test_invalid_body(self, client: AsyncClient, staff: Staff) -> None:
        r = await client.post(
            f"{staff.base}/menu/categories", json={"name": ""}, headers=staff.owner
        )
        problem(r, 422, "validation-error")


class TestItems:
    async def test_unauthenticated(self, client: AsyncClient, staff: Staff) -> None:
        problem(await client.get(f"{staff.base}/menu/items"), 401, "not-authenticated")

    async def test_other_restaurant(self, client: AsyncClient, staff: Staff) -> None:
        r = await client.get(f"{staff.base}/menu/items", headers=staff.stranger)
        problem(r, 404, "not-found")

    async def test_kitchen_cannot_create(self, client: AsyncClient, staff: Staff) -> None:
        chicken = await make_category(client, staff, "Chicken")
        r = await client.post(
            f"{staff.base}/menu/items",
            json={"category_id": chicken, "name": "X"},
            headers=staff.kitchen,
        )
        problem(r, 403, "permission-denied")

    async def test_crud(self, client: AsyncClient, staff: Staff, session: AsyncSession) -> None:
        chicken = await make_category(client, staff, "Chicken")
        veggie = await make_category(client, staff, "Veggie")
        item = await make_item(
            client,
            staff,
            chicken,
            "The Barbecue Chicken Pizza",
            description="Smoky",
            ingredients=["Chicken"],
            variations=PIZZA_SIZES,
        )
        assert item["category_id"] == chicken
        assert item["station"] == "kitchen"
        assert [v["sku"] for v in item["variations"]] == ["bbq_ckn_s", "bbq_ckn_m", "bbq_ckn_l"]
        assert item["modifier_group_ids"] == []
        other = await make_item(client, staff, veggie, "Spinach")
        listed = (await client.get(f"{staff.base}/menu/items", headers=staff.waiter)).json()
        assert listed["total"] == 2
        only_veggie = await client.get(
            f"{staff.base}/menu/items", params={"category_id": veggie}, headers=staff.waiter
        )
        assert [i["id"] for i in only_veggie.json()["items"]] == [other["id"]]
        r = await client.patch(
            f"{staff.base}/menu/items/{item['id']}",
            json={"station": "oven", "category_id": veggie, "ingredients": ["A", "B"]},
            headers=staff.owner,
        )
        assert r.status_code == 200, r.text
        assert (r.json()["station"], r.json()["category_id"]) == ("oven", veggie)
        assert r.json()["ingredients"] == ["A", "B"]
        assert r.json()["name"] == "The Barbecue Chicken Pizza"
        r = await client.delete(f"{staff.base}/menu/items/{item['id']}", headers=staff.owner)
        assert r.status_code == 204
        problem(
            await client.get(f"{staff.base}/menu/items/{item['id']}", headers=staff.owner),
            404,
            "not-found",
        )
        assert (
            await session.scalar(
                select(func.count()).select_from(Variation).where(Variation.item_id == item["id"])
            )
            == 0
        )
        types = [e["action"] for e in await events_of(session, staff.restaurant.id, "menu.")]
        assert types[-3:] == ["created", "updated", "deleted"]

    async def test_duplicate_sku_creates_nothing(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        chicken = await make_category(client, staff, "Chicken")
        await make_item(client, staff, chicken, "BBQ", variations=PIZZA_SIZES[:1])
        r = await client.post(
            f"{staff.base}/menu/items",
            json={"category_id": chicken, "name": "Copy", "variations": PIZZA_SIZES[:1]},
            headers=staff.owner,
        )
        problem(r, 409, "sku-taken")
        twice = await client.post(
            f"{staff.base}/menu/items",
            json={"category_id": chicken, "name": "Twice", "variations": PIZZA_SIZES[1:2] * 2},
            headers=staff.owner,
        )
        problem(twice, 409, "sku-taken")
        names = set(
            await session.scalars(
                select(MenuItem.name).where(MenuItem.restaurant_id == staff.restaurant.id)
            )
        )
        assert names == {"BBQ"}

    async def test_unknown_category(self, client: AsyncClient, staff: Staff) -> None:
        r = await client.post(
            f"{staff.base}/menu/items",
            json={"category_id": 999_999, "name": "X"},
            headers=staff.owner,
        )
        problem(r, 404, "not-found")

    async def test_negative_price_is_rejected(self, client: AsyncClient, staff: Staff) -> None:
        chicken = await make_category(client, staff, "Chicken")
        r = await client.post(
            f"{staff.base}/menu/items",
            json={
                "category_id": chicken,
                "name": "X",
                "variations": [{"name": "S", "sku": "x", "price": -1}],
            },
            headers=staff.owner,
        )
        problem(r, 422, "validation-error")


class TestAvailability:
    async def test_unauthenticated(self, client: AsyncClient, staff: Staff) -> None:
        r = await client.put(
            f"{staff.base}/menu/items/1/availability", json={"is_available": False}
        )
        problem(r, 401, "not-authenticated")

    async def test_other_restaurant(self, client: AsyncClient, staff: Staff) -> None:
        r = await client.put(
            f"{staff.base}/menu/items/1/availability",
            json={"is_available": False},
            headers=staff.stranger,
        )
        problem(r, 404, "not-found")

    async def test_waiter_cannot_86(self, client: AsyncClient, staff: Staff) -> None:
        chicken = await make_category(client, staff, "Chicken")
        item = await make_item(client, staff, chicken, "Thai")
        r = await client.put(
            f"{staff.base}/menu/items/{item['id']}/availability",
            json={"is_available": False},
            headers=staff.waiter,
        )
        problem(r, 403, "permission-denied")

    async def test_kitchen_86s_and_orders_see_it(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        chicken = await make_category(client, staff, "Chicken")
        item = await make_item(client, staff, chicken, "Thai", variations=PIZZA_SIZES[:1])
        r = await client.put(
            f"{staff.base}/menu/items/{item['id']}/availability",
            json={"is_available": False},
            headers=staff.kitchen,
        )
        assert r.status_code == 200
        assert r.json()["is_available"] is False
        # the same again changes nothing and announces nothing
        await client.put(
            f"{staff.base}/menu/items/{item['id']}/availability",
            json={"is_available": False},
            headers=staff.kitchen,
        )
        events = await events_of(session, staff.restaurant.id, "menu.item.availability")
        assert len(events) == 1
        assert events[0]["menu_item_id"] == item["id"]
        assert events[0]["is_available"] is False
        from brigade.menu.exceptions import ItemUnavailable

        with pytest.raises(ItemUnavailable):
            await resolve_lines(session, staff.restaurant.id, [LineChoice(item["id"])])
        r = await client.put(
            f"{staff.base}/menu/items/{item['id']}/availability",
            json={"is_available": True},
            headers=staff.kitchen,
        )
        assert r.json()["is_available"] is True
        (line,) = await resolve_lines(session, staff.restaurant.id, [LineChoice(item["id"])])
        assert line.unit_price == 1275

    async def test_unknown_item(self, client: AsyncClient, staff: Staff) -> None:
        r = await client.put(
            f"{staff.base}/menu/items/999999/availability",
            json={"is_available": False},
            headers=staff.kitchen,
        )
        problem(r, 404, "not-found")


class TestVariations:
    async def test_unauthenticated(self, client: AsyncClient, staff: Staff) -> None:
        problem(await client.get(f"{staff.base}/menu/items/1/variations"), 401, "not-authenticated")

    async def test_other_restaurant(self, client: AsyncClient, staff: Staff) -> None:
        r = await client.get(f"{staff.base}/menu/items/1/variations", headers=staff.stranger)
        problem(r, 404, "not-found")

    async def test_waiter_cannot_add(self, client: AsyncClient, staff: Staff) -> None:
        chicken = await make_category(client, staff, "Chicken")
        item = await make_item(client, staff, chicken, "Thai")
        r = await client.post(
            f"{staff.base}/menu/items/{item['id']}/variations",
            json=PIZZA_SIZES[0],
            headers=staff.waiter,
        )
        problem(r, 403, "permission-denied")

    async def test_crud(self, client: AsyncClient, staff: Staff, session: AsyncSession) -> None:
        chicken = await make_category(client, staff, "Chicken")
        item = await make_item(client, staff, chicken, "Thai")
        url = f"{staff.base}/menu/items/{item['id']}/variations"
        created = [
            (await client.post(url, json=size, headers=staff.owner)).json() for size in PIZZA_SIZES
        ]
        assert [v["price"] for v in created] == [1275, 1675, 2075]
        assert all(v["item_id"] == item["id"] for v in created)
        listed = (await client.get(url, headers=staff.waiter)).json()
        assert listed["total"] == 3
        medium = created[1]["id"]
        r = await client.patch(
            f"{url}/{medium}", json={"price": 1700, "is_available": False}, headers=staff.owner
        )
        assert (r.json()["price"], r.json()["is_available"], r.json()["sku"]) == (
            1700,
            False,
            "bbq_ckn_m",
        )
        assert (await client.get(f"{url}/{medium}", headers=staff.waiter)).json()["price"] == 1700
        problem(
            await client.patch(f"{url}/{medium}", json={"sku": "bbq_ckn_l"}, headers=staff.owner),
            409,
            "sku-taken",
        )
        # keeping its own SKU is fine
        same = await client.patch(f"{url}/{medium}", json={"sku": "bbq_ckn_m"}, headers=staff.owner)
        assert same.status_code == 200
        assert (await client.delete(f"{url}/{medium}", headers=staff.owner)).status_code == 204
        problem(await client.get(f"{url}/{medium}", headers=staff.owner), 404, "not-found")
        events = await events_of(session, staff.restaurant.id, "menu.updated")
        assert [e["entity"] for e in events if e["entity"] == "variation"] == ["variation"] * 6

    async def test_duplicate_sku(self, client: AsyncClient, staff: Staff) -> None:
        chicken = await make_category(client, staff, "Chicken")
        a = await make_item(client, staff, chicken, "A", variations=PIZZA_SIZES[:1])
        b = await make_item(client, staff, chicken, "B")
        r = await client.post(
            f"{staff.base}/menu/items/{b['id']}/variations",
            json=PIZZA_SIZES[0],
            headers=staff.owner,
        )
        problem(r, 409, "sku-taken")
        listed = await client.get(
            f"{staff.base}/menu/items/{b['id']}/variations", headers=staff.owner
        )
        assert listed.json()["total"] == 0
        # a variation is reached only through its own item
        r = await client.get(
            f"{staff.base}/menu/items/{b['id']}/variations/{a['variations'][0]['id']}",
            headers=staff.owner,
        )
        problem(r, 404, "not-found")

    async def test_negative_price(self, client: AsyncClient, staff: Staff) -> None:
        chicken = await make_category(client, staff, "Chicken")
        item = await make_item(client, staff, chicken, "A", variations=PIZZA_SIZES[:1])
        url = f"{staff.base}/menu/items/{item['id']}/variations/{item['variations'][0]['id']}"
        problem(
            await client.patch(url, json={"price": -5}, headers=staff.owner),
            422,
            "validation-error",
        )


class TestModifierGroups:
    async def test_unauthenticated(self, client: AsyncClient, staff: Staff) -> None:
        problem(await client.get(f"{staff.base}/menu/modifier-groups"), 401, "not-authenticated")

    async def test_other_restaurant(self, client: AsyncClient, staff: Staff) -> None:
        r = await client.get(f"{staff.base}/menu/modifier-groups", headers=staff.stranger)
        problem(r, 404, "not-found")

    async def test_waiter_cannot_create(self, client: AsyncClient, staff: Staff) -> None:
        r = await client.post(
            f"{staff.base}/menu/modifier-groups", json={"name": "Crust"}, headers=staff.waiter
        )
        problem(r, 403, "permission-denied")

    async def test_crud_and_linking(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        url = f"{staff.base}/menu/modifier-groups"
        r = await client.post(
            url,
            json={
                "name": "Crust",
                "min_choices": 1,
                "max_choices": 1,
                "modifiers": [{"name": "Thin"}, {"name": "Stuffed", "price_delta": 250}],
            },
            headers=staff.owner,
        )
        assert r.status_code == 201, r.text
        crust = r.json()
        thin, stuffed = crust["modifiers"]
        assert [(m["name"], m["price_delta"], m["position"]) for m in crust["modifiers"]] == [
            ("Thin", 0, 0),
            ("Stuffed", 250, 1),
        ]
        # replace the list: keep Stuffed (renamed, first), drop Thin, add Thick
        r = await client.patch(
            f"{url}/{crust['id']}",
            json={
                "max_choices": 2,
                "modifiers": [
                    {"id": stuffed["id"], "name": "Cheese crust", "price_delta": 300},
                    {"name": "Thick"},
                ],
            },
            headers=staff.owner,
        )
        assert r.status_code == 200, r.text
        updated = r.json()
        assert updated["max_choices"] == 2
        assert [
            (m["id"] == stuffed["id"], m["name"], m["price_delta"]) for m in updated["modifiers"]
        ] == [
            (True, "Cheese crust", 300),
            (False, "Thick", 0),
        ]
        listed = (await client.get(url, headers=staff.waiter)).json()
        assert listed["total"] == 1
        chicken = await make_category(client, staff, "Chicken")
        item = await make_item(client, staff, chicken, "Thai", variations=PIZZA_SIZES[:1])
        r = await client.put(
            f"{staff.base}/menu/items/{item['id']}/modifier-groups",
            json={"group_ids": [crust["id"]]},
            headers=staff.owner,
        )
        assert r.json()["modifier_group_ids"] == [crust["id"]]
        # orders now need a crust
        from brigade.menu.exceptions import ModifierChoiceInvalid

        with pytest.raises(ModifierChoiceInvalid):
            await resolve_lines(session, staff.restaurant.id, [LineChoice(item["id"])])
        (line,) = await resolve_lines(
            session, staff.restaurant.id, [LineChoice(item["id"], None, [stuffed["id"]])]
        )
        assert line.modifiers_total == 300
        # deleting the group unlinks it
        assert (await client.delete(f"{url}/{crust['id']}", headers=staff.owner)).status_code == 204
        got = await client.get(f"{staff.base}/menu/items/{item['id']}", headers=staff.owner)
        assert got.json()["modifier_group_ids"] == []
        problem(await client.get(f"{url}/{crust['id']}", headers=staff.owner), 404, "not-found")
        (plain,) = await resolve_lines(session, staff.restaurant.id, [LineChoice(item["id"])])
        assert plain.modifiers == []

    @pytest.mark.parametrize(
        ("body", "slug"),
        [
            ({"min_choices": 2, "max_choices": 1}, "modifier-group-range-invalid"),
            ({"min_choices": -1}, "validation-error"),
            ({"max_choices": 0}, "validation-error"),
        ],
    )
    async def test_invalid_range(
        self, client: AsyncClient, staff: Staff, body: dict[str, int], slug: str
    ) -> None:
        url = f"{staff.base}/menu/modifier-groups"
        r = await client.post(url, json={"name": "Bad", **body}, headers=staff.owner)
        problem(r, 422, slug)
        assert (await client.get(url, headers=staff.owner)).json()["total"] == 0

    async def test_update_breaking_the_range_changes_nothing(
        self, client: AsyncClient, staff: Staff
    ) -> None:
        url = f"{staff.base}/menu/modifier-groups"
        group = (
            await client.post(
                url, json={"name": "G", "min_choices": 1, "max_choices": 2}, headers=staff.owner
            )
        ).json()
        r = await client.patch(
            f"{url}/{group['id']}", json={"min_choices": 3, "name": "New"}, headers=staff.owner
        )
        problem(r, 422, "modifier-group-range-invalid")
        again = (await client.get(f"{url}/{group['id']}", headers=staff.owner)).json()
        assert (again["name"], again["min_choices"]) == ("G", 1)

    async def test_foreign_modifier_or_group(self, client: AsyncClient, staff: Staff) -> None:
        url = f"{staff.base}/menu/modifier-groups"
        a = (
            await client.post(
                url, json={"name": "A", "modifiers": [{"name": "x"}]}, headers=staff.owner
            )
        ).json()
        b = (await client.post(url, json={"name": "B"}, headers=staff.owner)).json()
        # a modifier of group A cannot be adopted by group B
        r = await client.patch(
            f"{url}/{b['id']}",
            json={"modifiers": [{"id": a["modifiers"][0]["id"], "name": "y"}]},
            headers=staff.owner,
        )
        problem(r, 404, "not-found")
        chicken = await make_category(client, staff, "Chicken")
        item = await make_item(client, staff, chicken, "Thai")
        r = await client.put(
            f"{staff.base}/menu/items/{item['id']}/modifier-groups",
            json={"group_ids": [a["id"], 999_999]},
            headers=staff.owner,
        )
        problem(r, 404, "not-found")
        got = await client.get(f"{staff.base}/menu/items/{item['id']}", headers=staff.owner)
        assert got.json()["modifier_group_ids"] == []
