"""GET /api/v1/guest/menu?t=: the menu behind a table's QR code, without a login."""

from __future__ import annotations

from typing import Any

import jwt
from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.security import create_access_token
from brigade.runtime import Runtime
from brigade.tables.qr import table_token
from tests.factories import make_menu_item, make_restaurant, make_table
from tests.menu.conftest import Staff

URL = "/api/v1/guest/menu"


def unauthorised(response: Response) -> dict[str, Any]:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == "https://brigade.dev/problems/invalid-table-token"
    return body


async def guest_token(client: AsyncClient, staff: Staff, table_id: int) -> str:
    r = await client.get(f"{staff.base}/tables/{table_id}/guest-link", headers=staff.waiter)
    token: str = r.json()["token"]
    return token


async def test_missing_token(client: AsyncClient) -> None:
    unauthorised(await client.get(URL))
    unauthorised(await client.get(URL, params={"t": ""}))


async def test_garbage_token(client: AsyncClient) -> None:
    unauthorised(await client.get(URL, params={"t": "not-a-token"}))


async def test_forged_tokens(
    client: AsyncClient, staff: Staff, session: AsyncSession, runtime: Runtime
) -> None:
    table_id = await make_table(session, staff.restaurant, name="T1")
    await session.commit()
    claims = {"typ": "table", "rid": staff.restaurant.id, "tid": table_id}
    wrong_key = jwt.encode(claims, "another-key-another-key-another-key!!", algorithm="HS256")
    unauthorised(await client.get(URL, params={"t": wrong_key}))
    # a real token whose payload was edited to point at another restaurant
    real = table_token(runtime.settings, staff.restaurant.id, table_id)
    header, _, signature = real.split(".")
    other = jwt.encode({**claims, "rid": staff.other.id}, "x" * 32, algorithm="HS256")
    tampered = ".".join([header, other.split(".")[1], signature])
    unauthorised(await client.get(URL, params={"t": tampered}))
    # "none" algorithm
    unsigned = jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]
    unauthorised(await client.get(URL, params={"t": unsigned}))
    # an access token is not a table token
    access, _ = create_access_token(
        1, is_admin=True, key=runtime.settings.signing_key, ttl_seconds=60
    )
    unauthorised(await client.get(URL, params={"t": access}))
    # and a table token is not an access token
    r = await client.get(f"{staff.base}/menu", headers={"Authorization": f"Bearer {real}"})
    assert r.status_code == 401


async def test_deleted_table_link_stops_working(
    client: AsyncClient, staff: Staff, session: AsyncSession
) -> None:
    table_id = await make_table(session, staff.restaurant, name="T1")
    await session.commit()
    token = await guest_token(client, staff, table_id)
    assert (await client.get(URL, params={"t": token})).status_code == 200
    r = await client.delete(f"{staff.base}/tables/{table_id}", headers=staff.waiter)
    assert r.status_code == 204
    unauthorised(await client.get(URL, params={"t": token}))


async def test_guest_sees_the_whole_menu_and_the_table(
    client: AsyncClient, staff: Staff, session: AsyncSession
) -> None:
    pizza = await make_menu_item(
        session, staff.restaurant, name='The "Big" Meat Pizza', prices={"S": 1200, "L": 2050}
    )
    table_id = await make_table(session, staff.restaurant, name='Booth "7"')
    await session.commit()
    token = await guest_token(client, staff, table_id)
    r = await client.get(URL, params={"t": token})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["table"] == {"id": table_id, "name": 'Booth "7"'}
    assert body["restaurant_name"] == staff.restaurant.name
    staff_menu = (await client.get(f"{staff.base}/menu", headers=staff.waiter)).json()
    guest_only = {"table", "restaurant_name"}
    assert {k: v for k, v in body.items() if k not in guest_only} == staff_menu
    (category,) = body["categories"]
    (item,) = category["items"]
    assert item["id"] == pizza.id
    assert item["name"] == 'The "Big" Meat Pizza'
    assert [v["price"] for v in item["variations"]] == [1200, 2050]
    assert body["currency"] == "EUR"


async def test_each_token_shows_its_own_restaurant(
    client: AsyncClient, staff: Staff, session: AsyncSession, runtime: Runtime
) -> None:
    other = await make_restaurant(session, name='Luigi\'s "Other" Place', currency="USD")
    await make_menu_item(session, other, name="Their pizza")
    await make_menu_item(session, staff.restaurant, name="Our pizza")
    ours = await make_table(session, staff.restaurant, name="T1")
    theirs = await make_table(session, other, name="T1")
    await session.commit()
    for restaurant_id, table_id, name in (
        (staff.restaurant.id, ours, "Our pizza"),
        (other.id, theirs, "Their pizza"),
    ):
        token = table_token(runtime.settings, restaurant_id, table_id)
        body = (await client.get(URL, params={"t": token})).json()
        assert body["restaurant_id"] == restaurant_id
        expected = staff.restaurant.name if restaurant_id == staff.restaurant.id else other.name
        assert body["restaurant_name"] == expected
        assert [i["name"] for c in body["categories"] for i in c["items"]] == [name]
    # a token naming a table of another restaurant is refused
    crossed = table_token(runtime.settings, staff.restaurant.id, theirs)
    unauthorised(await client.get(URL, params={"t": crossed}))


async def test_guest_menu_is_read_only(client: AsyncClient, staff: Staff) -> None:
    r = await client.post(URL, json={})
    assert r.status_code == 405
