"""Set-up shared by the devices tests: a world with a registered tablet and PINs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient

from tests.orders.support import World

API = "/api/v1"
MANAGER_PIN = "4321"
WAITER_PIN = "1234"


@dataclass
class Pad:
    """A world whose owner registered a tablet (``secret``) and set PINs: the owner's
    (:data:`MANAGER_PIN`) and the waiter's (:data:`WAITER_PIN`)."""

    world: World
    device: dict[str, Any]
    secret: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Brigade-Device": self.secret}


async def register(
    client: AsyncClient, world: World, *, kind: str = "tablet", name: str = "Tablet 1"
) -> dict[str, Any]:
    response = await client.post(
        world.url("/devices"), json={"name": name, "kind": kind}, headers=world.owner.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def set_pin(client: AsyncClient, world: World, user_id: int, pin: str) -> None:
    response = await client.put(
        world.url(f"/staff/{user_id}/pin"), json={"pin": pin}, headers=world.owner.headers
    )
    assert response.status_code == 204, response.text


async def make_pad(client: AsyncClient, world: World, *, kind: str = "tablet") -> Pad:
    device = await register(client, world, kind=kind)
    await set_pin(client, world, world.owner.user.id, MANAGER_PIN)
    await set_pin(client, world, world.waiter.user.id, WAITER_PIN)
    return Pad(world=world, device=device, secret=device["secret"])


async def pin_login(
    client: AsyncClient, pad: Pad, user_id: int, pin: str, *, secret: str | None = None
) -> Any:
    headers = {} if secret == "" else {"X-Brigade-Device": secret or pad.secret}
    return await client.post(
        f"{API}/devices/current/pin-login",
        json={"user_id": user_id, "pin": pin},
        headers=headers,
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
