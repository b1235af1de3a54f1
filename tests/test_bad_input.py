"""Bad input gets a clear 4xx problem+json, never a 500 (issue 8), on both databases.

- an id in a path beyond what a column holds (2^63 - 1) is a 404 ``not-found``;
- an integer of a query or a body beyond its range is a 422 ``validation-error`` naming
  the field; money is bounded (``brigade.money.MAX_AMOUNT``) so no total overflows;
- NUL and other control characters in text are a 422 (tab and line breaks stay allowed
  in notes), the unauthenticated login included;
- a dine-in order at a table that does not exist is a 404 and writes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.inputs import MAX_ID, MAX_INT32
from brigade.money import MAX_AMOUNT
from brigade.orders.schemas import MAX_LINE_TOTAL
from brigade.runtime import Runtime
from tests.factories import make_menu_item, make_modifier_group
from tests.orders.support import World, make_world, problem_type, snapshot

TOO_BIG = MAX_ID + 1  # 9223372036854775808: no 64-bit column holds it


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    return await make_world(session, runtime)


def field_errors(response: Any) -> list[list[Any]]:
    """The ``loc`` of each error of a 422 ``validation-error`` (asserting its shape)."""
    assert response.status_code == 422, response.text
    assert problem_type(response) == "validation-error"
    return [e["loc"] for e in response.json()["errors"]]


# --- ids in a path ----------------------------------------------------------------------

# the first Schemathesis run's 500s (SQLite: "Python int too large to convert to SQLite
# INTEGER"), and one route of every other context's path ids
PATH_IDS = [
    ("DELETE", "/menu/categories/{big}"),
    ("PATCH", "/menu/items/{big}/variations/1"),
    ("PUT", "/menu/items/{big}/availability"),
    ("PUT", "/menu/items/{big}/modifier-groups"),
    ("POST", "/kitchen/tickets/{big}/start"),
    ("POST", "/kitchen/tickets/{big}/recall"),
    ("POST", "/orders/{big}/courses/7/fire"),
    ("GET", "/orders/{big}"),
    ("GET", "/orders/1/check"),
    ("POST", "/orders/{big}/send"),
    ("POST", "/orders/1/items/{big}/void"),
    ("GET", "/checks/{big}"),
    ("GET", "/kitchen/tickets/{big}"),
    ("POST", "/kitchen/tickets/1/items/{big}/bump"),
    ("GET", "/menu/categories/{big}"),
    ("GET", "/menu/items/{big}"),
    ("GET", "/menu/items/1/variations/{big}"),
    ("PATCH", "/menu/modifier-groups/{big}"),
    ("GET", "/areas/{big}"),
    ("GET", "/tables/{big}"),
    ("DELETE", "/tables/{big}"),
    ("PATCH", "/staff/{big}"),
    ("DELETE", "/api-tokens/{big}"),
]


@pytest.mark.parametrize(("method", "path"), PATH_IDS)
async def test_an_id_beyond_any_column_in_the_path_is_not_found(
    client: AsyncClient, world: World, method: str, path: str
) -> None:
    url = world.url(path.format(big=TOO_BIG))
    body = {"reason": "why"} if path.endswith("/void") else {}
    if method == "GET" or method == "DELETE":
        response = await client.request(method, url, headers=world.owner.headers)
    else:
        response = await client.request(method, url, json=body, headers=world.owner.headers)

    # /orders/1/check has no big id: the order does not exist (404 either way)
    assert response.status_code == 404, response.text
    assert problem_type(response) == "not-found"


async def test_a_restaurant_id_beyond_any_column_is_not_found(
    client: AsyncClient, world: World
) -> None:
    for url in (f"/api/v1/restaurants/{TOO_BIG}", f"/api/v1/restaurants/{TOO_BIG}/orders"):
        response = await client.get(url, headers=world.owner.headers)

        assert response.status_code == 404, response.text
        assert problem_type(response) == "not-found"


async def test_the_largest_id_a_column_holds_is_an_ordinary_404(
    client: AsyncClient, world: World
) -> None:
    response = await client.get(world.url(f"/orders/{MAX_ID}"), headers=world.owner.headers)

    assert response.status_code == 404
    assert problem_type(response) == "not-found"


# --- integers of a query ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/orders", f"offset={TOO_BIG}", "offset"),
        ("/orders", f"offset={MAX_INT32 + 1}", "offset"),
        ("/orders", f"table_id={TOO_BIG}", "table_id"),
        ("/checks", f"offset={TOO_BIG}", "offset"),
        ("/kitchen/tickets", f"offset={TOO_BIG}", "offset"),
        ("/menu/items", f"category_id={TOO_BIG}", "category_id"),
        ("/tables", f"area_id={TOO_BIG}", "area_id"),
        (
            "/reports/products",
            f"start_date=2026-01-01&end_date=2026-01-02&offset={TOO_BIG}",
            "offset",
        ),
    ],
)
async def test_a_query_integer_out_of_range_is_a_validation_error(
    client: AsyncClient, world: World, path: str, query: str, field: str
) -> None:
    response = await client.get(world.url(f"{path}?{query}"), headers=world.owner.headers)

    assert ["query", field] in field_errors(response)


async def test_a_version_out_of_range_in_a_query_is_a_validation_error(
    client: AsyncClient, world: World
) -> None:
    response = await client.delete(
        world.url(f"/tables/{world.table2}?version={TOO_BIG}"), headers=world.owner.headers
    )

    assert ["query", "version"] in field_errors(response)


# --- integers of a body -----------------------------------------------------------------


def _line(world: World, **extra: Any) -> dict[str, Any]:
    return {"menu_item_id": world.soup.id, **extra}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"kind": "dine_in", "table_id": TOO_BIG}, ["body", "table_id"]),
        (
            {"kind": "takeaway", "items": [{"menu_item_id": TOO_BIG}]},
            ["body", "items", 0, "menu_item_id"],
        ),
        (
            {"kind": "takeaway", "items": [{"menu_item_id": 1, "variation_id": TOO_BIG}]},
            ["body", "items", 0, "variation_id"],
        ),
        (
            {"kind": "takeaway", "items": [{"menu_item_id": 1, "modifier_ids": [1, TOO_BIG]}]},
            ["body", "items", 0, "modifier_ids", 1],
        ),
        (
            {"kind": "takeaway", "items": [{"menu_item_id": 1, "quantity": 100}]},
            ["body", "items", 0, "quantity"],
        ),
        ({"kind": "dine_in", "table_id": 1, "covers": TOO_BIG}, ["body", "covers"]),
    ],
)
async def test_an_order_with_an_integer_out_of_range_is_refused_and_writes_nothing(
    client: AsyncClient,
    session: AsyncSession,
    world: World,
    body: dict[str, Any],
    loc: list[Any],
) -> None:
    before = await snapshot(session, world.rid)

    response = await client.post(world.orders_url, json=body, headers=world.waiter.headers)

    assert loc in field_errors(response)
    assert await snapshot(session, world.rid) == before


async def test_a_payment_beyond_the_money_bound_is_a_validation_error(
    client: AsyncClient, world: World
) -> None:
    order = await client.post(
        world.orders_url,
        json={"kind": "takeaway", "items": [_line(world)]},
        headers=world.waiter.headers,
    )
    check = await client.post(
        world.url(f"/orders/{order.json()['id']}/check"), headers=world.cashier.headers
    )
    url = world.url(f"/checks/{check.json()['id']}/payments")

    for body, field in (
        ({"method": "cash", "tendered": TOO_BIG}, "tendered"),
        ({"method": "cash", "tendered": MAX_AMOUNT + 1}, "tendered"),
        ({"method": "card", "amount": TOO_BIG}, "amount"),
        ({"method": "card", "version": TOO_BIG}, "version"),
    ):
        response = await client.post(url, json=body, headers=world.cashier.headers)
        assert ["body", field] in field_errors(response)

    paid = await client.post(
        url, json={"method": "cash", "tendered": MAX_AMOUNT}, headers=world.cashier.headers
    )
    assert paid.status_code == 201, paid.text
    assert paid.json()["change"] == MAX_AMOUNT - 650


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        (
            "/menu/items",
            {
                "category_id": 1,
                "name": "Gold",
                "variations": [{"name": "M", "sku": "GOLD-M", "price": 2**62}],
            },
            ["body", "variations", 0, "price"],
        ),
        ("/menu/items", {"category_id": TOO_BIG, "name": "Gold"}, ["body", "category_id"]),
        ("/menu/categories", {"name": "Big", "position": MAX_INT32 + 1}, ["body", "position"]),
        (
            "/menu/modifier-groups",
            {"name": "Gold", "modifiers": [{"name": "leaf", "price_delta": MAX_AMOUNT + 1}]},
            ["body", "modifiers", 0, "price_delta"],
        ),
        (
            "/menu/modifier-groups",
            {"name": "Many", "max_choices": TOO_BIG},
            ["body", "max_choices"],
        ),
        ("/tables", {"name": "T99", "area_id": TOO_BIG}, ["body", "area_id"]),
        ("/areas", {"name": "Far", "position": -(2**31) - 1}, ["body", "position"]),
    ],
)
async def test_an_admin_write_with_an_integer_out_of_range_is_a_validation_error(
    client: AsyncClient, world: World, path: str, body: dict[str, Any], loc: list[Any]
) -> None:
    response = await client.post(world.url(path), json=body, headers=world.owner.headers)

    assert loc in field_errors(response)


async def test_variation_price_and_item_groups_out_of_range_are_validation_errors(
    client: AsyncClient, world: World
) -> None:
    item = world.url(f"/menu/items/{world.pizza.id}")
    variation = world.pizza.variations["S"]

    price = await client.patch(
        f"{item}/variations/{variation}", json={"price": TOO_BIG}, headers=world.owner.headers
    )
    groups = await client.put(
        f"{item}/modifier-groups", json={"group_ids": [TOO_BIG]}, headers=world.owner.headers
    )
    table = await client.patch(
        world.url(f"/tables/{world.table}"), json={"version": TOO_BIG}, headers=world.owner.headers
    )

    assert ["body", "price"] in field_errors(price)
    assert ["body", "group_ids", 0] in field_errors(groups)
    assert ["body", "version"] in field_errors(table)


async def test_the_largest_line_fits_every_total(
    client: AsyncClient, session: AsyncSession, world: World
) -> None:
    gold = await make_menu_item(session, world.restaurant, prices={"M": MAX_AMOUNT})
    leaf = await make_modifier_group(
        session, world.restaurant, items=[gold.id], modifiers={"leaf": MAX_AMOUNT}
    )
    await session.commit()
    line = {"menu_item_id": gold.id, "modifier_ids": [leaf["leaf"]], "quantity": 99}

    order = await client.post(
        world.orders_url,
        json={"kind": "takeaway", "items": [line, line]},
        headers=world.waiter.headers,
    )
    assert order.status_code == 201, order.text
    check = await client.post(
        world.url(f"/orders/{order.json()['id']}/check"), headers=world.cashier.headers
    )

    assert [i["line_total"] for i in order.json()["items"]] == [99 * 2 * MAX_AMOUNT] * 2
    assert check.status_code == 201, check.text
    assert check.json()["total"] == 2 * 99 * 2 * MAX_AMOUNT
    assert 99 * 2 * MAX_AMOUNT <= MAX_LINE_TOTAL
    # a check of 900,000 of the largest lines, with 100 % tax, still fits 64 bits
    assert 900_000 * MAX_LINE_TOTAL * 2 < 2**63


# --- control characters in text ---------------------------------------------------------


async def test_nul_in_the_login_is_a_validation_error(client: AsyncClient) -> None:
    for body, field in (
        ({"username": "ow\x00ner", "password": "correct horse battery"}, "username"),
        ({"username": "owner", "password": "correct\x00horse"}, "password"),
    ):
        response = await client.post("/api/v1/auth/login", json=body)

        assert ["body", field] in field_errors(response)


async def test_nul_in_a_refresh_token_is_a_validation_error(client: AsyncClient) -> None:
    response = await client.post("/api/v1/auth/refresh", json={"refresh_token": "a\x00b"})

    assert ["body", "refresh_token"] in field_errors(response)


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("/menu/categories", {"name": "Pi\x00zza"}, ["body", "name"]),
        ("/menu/categories", {"name": "Two\nlines"}, ["body", "name"]),
        ("/menu/categories", {"name": "Tab\there"}, ["body", "name"]),
        ("/menu/categories", {"name": "Bell\x07"}, ["body", "name"]),
        ("/menu/categories", {"name": "Del\x7f"}, ["body", "name"]),
        (
            "/menu/items",
            {"category_id": 1, "name": "Soup", "description": "hot\x00"},
            ["body", "description"],
        ),
        (
            "/menu/items",
            {"category_id": 1, "name": "Soup", "ingredients": ["salt", "pep\x00per"]},
            ["body", "ingredients", 1],
        ),
        (
            "/menu/items",
            {"category_id": 1, "name": "Soup", "station": "gr\x00ill"},
            ["body", "station"],
        ),
        ("/areas", {"name": "Ter\x00race"}, ["body", "name"]),
        ("/tables", {"name": "T\x009"}, ["body", "name"]),
        (
            "/staff",
            {"username": "new\x00bie", "password": "x" * 12, "role": "waiter"},
            ["body", "username"],
        ),
        ("/api-tokens", {"name": "bo\x00ard", "scopes": ["menu:read"]}, ["body", "name"]),
    ],
)
async def test_a_control_character_in_a_name_is_a_validation_error(
    client: AsyncClient, world: World, path: str, body: dict[str, Any], loc: list[Any]
) -> None:
    response = await client.post(world.url(path), json=body, headers=world.owner.headers)

    assert loc in field_errors(response)


async def test_a_control_character_in_the_restaurant_settings_is_a_validation_error(
    client: AsyncClient, world: World
) -> None:
    for body in ({"time_zone": "Europe/Pa\x00ris"}, {"currency": "E\x00R"}, {"name": "\x00"}):
        response = await client.patch(world.url(""), json=body, headers=world.owner.headers)

        assert ["body", next(iter(body))] in field_errors(response)


async def test_a_control_character_in_a_query_is_a_validation_error(
    client: AsyncClient, world: World
) -> None:
    response = await client.get(
        world.url("/kitchen/tickets?station=gr%00ill"), headers=world.kitchen.headers
    )

    assert ["query", "station"] in field_errors(response)


async def test_notes_keep_tabs_and_line_breaks_but_no_other_control_character(
    client: AsyncClient, session: AsyncSession, world: World
) -> None:
    before = await snapshot(session, world.rid)
    for notes in ("no\x00salt", "ring\x07", "esc\x1b[0m"):
        refused = await client.post(
            world.orders_url,
            json={"kind": "takeaway", "items": [_line(world, notes=notes)]},
            headers=world.waiter.headers,
        )
        assert ["body", "items", 0, "notes"] in field_errors(refused)
    assert await snapshot(session, world.rid) == before

    placed = await client.post(
        world.orders_url,
        json={
            "kind": "takeaway",
            "notes": "pick up\tat 8\r\n",
            "items": [_line(world, notes="no salt\nextra hot")],
        },
        headers=world.waiter.headers,
    )
    assert placed.status_code == 201, placed.text
    assert placed.json()["notes"] == "pick up\tat 8\r\n"
    assert placed.json()["items"][0]["notes"] == "no salt\nextra hot"

    void = await client.post(
        world.url(f"/orders/{placed.json()['id']}/items/{placed.json()['items'][0]['id']}/void"),
        json={"reason": "wrong\x00"},
        headers=world.owner.headers,
    )
    assert ["body", "reason"] in field_errors(void)


# --- a table that does not exist --------------------------------------------------------


@pytest.mark.parametrize("keyed", [False, True])
@pytest.mark.parametrize("table", ["missing", "other restaurant's"])
async def test_a_dine_in_order_at_a_table_that_does_not_exist_is_not_found(
    client: AsyncClient, session: AsyncSession, world: World, table: str, keyed: bool
) -> None:
    table_id = 999_999_999 if table == "missing" else world.other_table
    headers = {**world.waiter.headers, **({"Idempotency-Key": f"k-{table}"} if keyed else {})}
    before = await snapshot(session, world.rid)

    response = await client.post(
        world.orders_url,
        json={"kind": "dine_in", "table_id": table_id, "items": [_line(world)]},
        headers=headers,
    )

    assert response.status_code == 404, response.text
    assert problem_type(response) == "not-found"
    assert await snapshot(session, world.rid) == before
    # the table still takes an order (nothing was left half-written)
    placed = await client.post(
        world.orders_url,
        json={"kind": "dine_in", "table_id": world.table, "items": [_line(world)]},
        headers=headers if not keyed else {**world.waiter.headers, "Idempotency-Key": "k-next"},
    )
    assert placed.status_code == 201, placed.text
