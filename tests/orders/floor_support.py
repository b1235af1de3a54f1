"""Steps of service used by the floor, serve and cancel tests, all through HTTP: send an
order, move its kitchen tickets, open its check, read the floor."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.orders.support import World


def line(world: World, item: str = "pizza", **extra: Any) -> dict[str, Any]:
    """An order line of the world's ``pizza`` (size L, 1500), ``cola`` (300, bar) or
    ``soup`` (650, kitchen)."""
    fixture = getattr(world, item)
    chosen: dict[str, Any] = {"menu_item_id": fixture.id}
    if item == "pizza":
        chosen["variation_id"] = fixture.variations["L"]
    chosen.update(extra)
    return chosen


async def post_ok(client: AsyncClient, url: str, headers: dict[str, str], **kwargs: Any) -> Any:
    """POST ``url`` and return its JSON body, asserting a 2xx answer."""
    response = await client.post(url, headers=headers, **kwargs)
    assert response.is_success, response.text
    return response.json()


async def send(client: AsyncClient, world: World, order_id: int) -> dict[str, Any]:
    """Send the order (course 1 fired) as the waiter."""
    body: dict[str, Any] = await post_ok(
        client, f"{world.orders_url}/{order_id}/send", world.waiter.headers
    )
    return body


async def tickets_of(client: AsyncClient, world: World, order_id: int) -> list[dict[str, Any]]:
    """Every ticket of the order (open or bumped), oldest first."""
    response = await client.get(
        world.url("/kitchen/tickets"), params={"status": "all"}, headers=world.kitchen.headers
    )
    assert response.status_code == 200, response.text
    return [t for t in response.json()["items"] if t["order_id"] == order_id]


async def ticket_step(
    client: AsyncClient, world: World, ticket_id: int, action: str
) -> dict[str, Any]:
    """``start``, ``ready``, ``bump`` or ``recall`` a ticket as the kitchen."""
    body: dict[str, Any] = await post_ok(
        client, world.url(f"/kitchen/tickets/{ticket_id}/{action}"), world.kitchen.headers
    )
    return body


async def station_step(
    client: AsyncClient, world: World, order_id: int, station: str, action: str
) -> dict[str, Any]:
    """Step the order's ticket of ``station``."""
    (ticket,) = [t for t in await tickets_of(client, world, order_id) if t["station"] == station]
    return await ticket_step(client, world, ticket["id"], action)


async def open_check(client: AsyncClient, world: World, order_id: int) -> dict[str, Any]:
    """The cashier opens the order's check."""
    body: dict[str, Any] = await post_ok(
        client, f"{world.orders_url}/{order_id}/check", world.cashier.headers
    )
    return body


async def get_order(client: AsyncClient, world: World, order_id: int) -> dict[str, Any]:
    response = await client.get(f"{world.orders_url}/{order_id}", headers=world.waiter.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def floor_tables(client: AsyncClient, world: World) -> dict[int, dict[str, Any]]:
    """The floor's tables by id, read as the waiter."""
    response = await client.get(world.url("/floor"), headers=world.waiter.headers)
    assert response.status_code == 200, response.text
    return {t["id"]: t for t in response.json()["tables"]}
