"""Modifiers that take away or lighten ("NO onions", "LIGHT cheese") beside the ones that
add, through HTTP: made on the menu, chosen on a line, read the same on the order, the
kitchen ticket and the menu; refused when they would cost more; and the restaurant's
quick notes for the order pad."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.imports.demo import ingredient_modifiers
from brigade.menu.kinds import ModifierKind, modifier_label
from brigade.runtime import Runtime
from tests.orders.floor_support import line, send, tickets_of
from tests.orders.support import World, make_world, open_order, problem_type


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    return await make_world(session, runtime)


async def hold_group(client: AsyncClient, world: World) -> dict[str, Any]:
    """A "Hold or light" group (no onions, light cheese, extra basil +50) on the pizza."""
    response = await client.post(
        world.url("/menu/modifier-groups"),
        json={
            "name": "Hold or light",
            "max_choices": 3,
            "modifiers": [
                {"name": "Red Onions", "kind": "remove"},
                {"name": "Mozzarella", "kind": "light", "price_delta": 0},
                {"name": "Basil", "price_delta": 50},
            ],
        },
        headers=world.owner.headers,
    )
    assert response.status_code == 201, response.text
    group: dict[str, Any] = response.json()
    linked = await client.put(
        world.url(f"/menu/items/{world.pizza.id}/modifier-groups"),
        json={"group_ids": [group["id"]]},
        headers=world.owner.headers,
    )
    assert linked.status_code == 200, linked.text
    return group


async def test_kinds_on_the_menu_the_order_and_the_ticket(
    client: AsyncClient, world: World
) -> None:
    group = await hold_group(client, world)
    assert [m["kind"] for m in group["modifiers"]] == ["remove", "light", "add"]

    menu = (await client.get(world.url("/menu"), headers=world.waiter.headers)).json()
    (pizza,) = [i for c in menu["categories"] for i in c["items"] if i["id"] == world.pizza.id]
    (offered,) = pizza["modifier_groups"]
    assert [(m["kind"], m["label"]) for m in offered["modifiers"]] == [
        ("remove", "NO Red Onions"),
        ("light", "LIGHT Mozzarella"),
        ("add", "Basil"),
    ]

    ids = [m["id"] for m in group["modifiers"]]
    order = await open_order(client, world, items=[line(world, modifier_ids=ids)])
    (item,) = order["items"]
    assert [(m["kind"], m["label"]) for m in item["modifiers"]] == [
        ("remove", "NO Red Onions"),
        ("light", "LIGHT Mozzarella"),
        ("add", "Basil"),
    ]
    assert item["modifiers_total"] == 50  # taking away costs nothing

    await send(client, world, order["id"])
    (ticket,) = await tickets_of(client, world, order["id"])
    (ticket_line,) = ticket["items"]
    assert [m["label"] for m in ticket_line["modifiers"]] == [
        "NO Red Onions",
        "LIGHT Mozzarella",
        "Basil",
    ]


async def test_a_kind_can_be_changed_and_an_added_modifier_reads_as_its_name(
    client: AsyncClient, world: World
) -> None:
    group = await hold_group(client, world)
    modifiers = [
        {"id": m["id"], "name": m["name"], "kind": "add" if m["kind"] == "light" else m["kind"]}
        for m in group["modifiers"]
    ]
    response = await client.patch(
        world.url(f"/menu/modifier-groups/{group['id']}"),
        json={"modifiers": modifiers},
        headers=world.owner.headers,
    )
    assert response.status_code == 200, response.text
    assert [m["kind"] for m in response.json()["modifiers"]] == ["remove", "add", "add"]


@pytest.mark.parametrize(
    "modifier",
    [
        {"name": "Red Onions", "kind": "remove", "price_delta": 100},
        {"name": "Mozzarella", "kind": "light", "price_delta": 1},
        {"name": "Onions", "kind": "double"},
    ],
)
async def test_a_removal_that_costs_more_or_an_unknown_kind_is_refused(
    client: AsyncClient, world: World, modifier: dict[str, Any]
) -> None:
    response = await client.post(
        world.url("/menu/modifier-groups"),
        json={"name": "Hold", "modifiers": [modifier]},
        headers=world.owner.headers,
    )
    assert response.status_code == 422, response.text
    assert problem_type(response) == "validation-error"
    groups = await client.get(world.url("/menu/modifier-groups"), headers=world.owner.headers)
    assert groups.json()["total"] == 1  # only the world's extras; nothing half-written


def test_labels_and_the_ingredient_modifiers_of_a_pizza() -> None:
    assert modifier_label("Red Onions", "remove") == "NO Red Onions"
    assert modifier_label("Gouda Cheese", ModifierKind.light) == "LIGHT Gouda Cheese"
    assert modifier_label("Extra cheese", None) == "Extra cheese"  # lines from before kinds
    made = ingredient_modifiers(["Chicken", "Red Onions", "Gouda Cheese", "Barbecue Sauce", ""])
    assert [(m.name, m.kind) for m in made] == [
        ("Chicken", "remove"),
        ("Red Onions", "remove"),
        ("Gouda Cheese", "remove"),
        ("Gouda Cheese", "light"),
        ("Barbecue Sauce", "remove"),
        ("Barbecue Sauce", "light"),
    ]
    assert all(m.price_delta == 0 for m in made)


async def test_quick_notes_are_a_restaurant_setting(client: AsyncClient, world: World) -> None:
    url = f"/api/v1/restaurants/{world.rid}"
    assert (await client.get(url, headers=world.waiter.headers)).json()["quick_notes"] == []
    response = await client.patch(
        url, json={"quick_notes": [" Allergy: nuts ", "Well done"]}, headers=world.owner.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["quick_notes"] == ["Allergy: nuts", "Well done"]
    got = await client.get(url, headers=world.waiter.headers)
    assert got.json()["quick_notes"] == ["Allergy: nuts", "Well done"]


@pytest.mark.parametrize(
    "notes", [["Well done", "well done"], ["  "], ["x" * 61], [f"n{i}" for i in range(25)]]
)
async def test_bad_quick_notes_are_refused(
    client: AsyncClient, world: World, notes: list[str]
) -> None:
    url = f"/api/v1/restaurants/{world.rid}"
    response = await client.patch(url, json={"quick_notes": notes}, headers=world.owner.headers)
    assert response.status_code == 422, response.text
    assert problem_type(response) == "validation-error"
    assert (await client.get(url, headers=world.owner.headers)).json()["quick_notes"] == []
