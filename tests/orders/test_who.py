"""Who did it: order lines record who added, fired and voided them, kitchen tickets
name the waiter, and the order list filters by waiter, business dates and status."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.models import User
from brigade.auth.permissions import Role
from brigade.orders.models import Order
from brigade.runtime import Runtime
from tests.orders.support import World, make_world, open_order, problem_type, quick_login


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    world = await make_world(session, runtime)
    await session.execute(
        update(User).where(User.id == world.waiter.user.id).values(full_name="  Ana Lopez ")
    )
    await session.commit()
    return world


def pizza(world: World) -> dict[str, Any]:
    return {"menu_item_id": world.pizza.id, "variation_id": world.pizza.variations["L"]}


async def test_lines_record_who_added_fired_and_voided_them(
    client: AsyncClient, world: World
) -> None:
    order = await open_order(client, world, items=[pizza(world)])
    waiter, owner = world.waiter.user.id, world.owner.user.id
    assert order["opened_by"] == waiter
    assert order["items"][0]["added_by"] == waiter
    added = await client.post(
        world.url(f"/orders/{order['id']}/items"),
        json={"items": [{"menu_item_id": world.cola.id}]},
        headers=world.owner.headers,
    )
    assert added.status_code == 200, added.text
    assert [i["added_by"] for i in added.json()["items"]] == [waiter, owner]

    sent = await client.post(world.url(f"/orders/{order['id']}/send"), headers=world.owner.headers)
    assert sent.status_code == 200, sent.text
    assert [i["fired_by"] for i in sent.json()["items"]] == [owner, owner]

    line = sent.json()["items"][1]["id"]
    voided = await client.post(
        world.url(f"/orders/{order['id']}/items/{line}/void"),
        json={"reason": "spilled"},
        headers=world.owner.headers,
    )
    assert voided.status_code == 200, voided.text
    assert [i["voided_by"] for i in voided.json()["items"]] == [None, owner]

    read = (
        await client.get(world.url(f"/orders/{order['id']}"), headers=world.waiter.headers)
    ).json()
    assert [(i["added_by"], i["fired_by"], i["voided_by"]) for i in read["items"]] == [
        (waiter, owner, None),
        (owner, owner, owner),
    ]


async def test_kitchen_tickets_name_the_waiter(client: AsyncClient, world: World) -> None:
    order = await open_order(client, world, items=[pizza(world), {"menu_item_id": world.cola.id}])
    sent = await client.post(world.url(f"/orders/{order['id']}/send"), headers=world.owner.headers)
    assert sent.status_code == 200, sent.text
    listed = await client.get(
        world.url("/kitchen/tickets"), params={"status": "all"}, headers=world.kitchen.headers
    )
    assert listed.status_code == 200, listed.text
    tickets = listed.json()["items"]
    # The waiter is who opened the order, not who sent it; the name is trimmed.
    assert sorted((t["station"], t["waiter_name"]) for t in tickets) == [
        ("bar", "Ana Lopez"),
        ("pizza", "Ana Lopez"),
    ]
    one = await client.get(
        world.url(f"/kitchen/tickets/{tickets[0]['id']}"), headers=world.kitchen.headers
    )
    assert one.json()["waiter_name"] == "Ana Lopez"


async def test_a_waiter_without_a_name_leaves_the_ticket_unnamed(
    client: AsyncClient, world: World
) -> None:
    response = await client.post(
        world.orders_url,
        json={"kind": "takeaway", "items": [pizza(world)]},
        headers=world.owner.headers,  # the owner has no full name
    )
    order = response.json()
    await client.post(world.url(f"/orders/{order['id']}/send"), headers=world.owner.headers)
    listed = await client.get(
        world.url("/kitchen/tickets"), params={"status": "all"}, headers=world.kitchen.headers
    )
    assert [t["waiter_name"] for t in listed.json()["items"]] == [None]


async def test_orders_filter_by_waiter_dates_and_status(
    client: AsyncClient, session: AsyncSession, runtime: Runtime, world: World
) -> None:
    mine = await open_order(client, world)
    other = await quick_login(session, runtime, world.restaurant, Role.waiter)
    await session.commit()
    theirs = await client.post(
        world.orders_url,
        json={"kind": "dine_in", "table_id": world.table2},
        headers=other.headers,
    )
    assert theirs.status_code == 201, theirs.text
    takeaway = await client.post(
        world.orders_url, json={"kind": "takeaway"}, headers=world.waiter.headers
    )
    cancelled = await client.post(
        world.url(f"/orders/{takeaway.json()['id']}/cancel"),
        json={"reason": "left"},
        headers=world.waiter.headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    # The first order was opened a week ago.
    week_ago = date.today() - timedelta(days=7)
    await session.execute(
        update(Order).where(Order.id == mine["id"]).values(business_date=week_ago)
    )
    await session.commit()

    async def ids(headers: dict[str, str] | None = None, **params: Any) -> list[int]:
        response = await client.get(
            world.orders_url, params=params, headers=headers or world.waiter.headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == len(body["items"])
        return sorted(o["id"] for o in body["items"])

    everyone = sorted([mine["id"], theirs.json()["id"], takeaway.json()["id"]])
    assert await ids() == everyone
    assert await ids(waiter="me") == sorted([mine["id"], takeaway.json()["id"]])
    assert await ids(waiter="me", headers=other.headers) == [theirs.json()["id"]]
    assert await ids(waiter=other.user.id) == [theirs.json()["id"]]
    assert await ids(waiter="me", status="open") == [mine["id"]]
    assert await ids(waiter="me", status="cancelled") == [takeaway.json()["id"]]
    assert await ids(start_date=week_ago.isoformat(), end_date=week_ago.isoformat()) == [mine["id"]]
    tomorrow = (week_ago + timedelta(days=1)).isoformat()
    assert await ids(start_date=tomorrow) == sorted([theirs.json()["id"], takeaway.json()["id"]])
    assert await ids(end_date=tomorrow, waiter="me") == [mine["id"]]
    assert await ids(waiter=999_999) == []


@pytest.mark.parametrize("waiter", ["someone", "-3", "0", "1.5", "ME", ""])
async def test_a_bad_waiter_value_is_a_422(client: AsyncClient, world: World, waiter: str) -> None:
    response = await client.get(
        world.orders_url, params={"waiter": waiter}, headers=world.waiter.headers
    )
    assert response.status_code == 422, response.text
    assert problem_type(response) == "validation-error"


async def test_a_reversed_date_range_is_a_422(client: AsyncClient, world: World) -> None:
    response = await client.get(
        world.orders_url,
        params={"start_date": "2026-05-02", "end_date": "2026-05-01"},
        headers=world.waiter.headers,
    )
    assert response.status_code == 422
    assert problem_type(response) == "invalid-date-range"
    bad = await client.get(
        world.orders_url, params={"start_date": "2026-13-01"}, headers=world.waiter.headers
    )
    assert bad.status_code == 422


async def test_waiter_me_from_an_api_token_is_a_422(client: AsyncClient, world: World) -> None:
    minted = await client.post(
        world.url("/api-tokens"),
        json={"name": "reader", "scopes": ["orders:read"]},
        headers=world.owner.headers,
    )
    assert minted.status_code == 201, minted.text
    headers = {"Authorization": f"Bearer {minted.json()['token']}"}
    everyone = await client.get(world.orders_url, headers=headers)
    assert everyone.status_code == 200, everyone.text
    response = await client.get(world.orders_url, params={"waiter": "me"}, headers=headers)
    assert response.status_code == 422
    assert problem_type(response) == "no-signed-in-waiter"
