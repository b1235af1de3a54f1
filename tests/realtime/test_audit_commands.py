"""A change made by a Socket.IO command is on the audit trail like one made over HTTP:
the command's caller and the address the socket connected from."""

from __future__ import annotations

from typing import Any

import httpx

from tests.realtime.test_commands import connected


async def test_a_void_over_the_socket_names_the_waiter_and_the_address(
    http: httpx.AsyncClient, seed: Any, screens: Any
) -> None:
    r = await seed()
    waiter = await connected(screens, r.waiter, r.restaurant_id)
    ack = await waiter.call(
        "order.create", {"kind": "takeaway", "items": [{"menu_item_id": r.bar_item}]}
    )
    assert ack["ok"] is True, ack
    order = ack["data"]
    line = order["items"][0]["id"]
    ack = await waiter.call(
        "order.item.void", {"order_id": order["id"], "item_id": line, "reason": "spilled"}
    )
    assert ack["ok"] is True, ack
    me = (await http.get("/api/v1/auth/me", headers=r.headers(r.waiter))).json()

    trail = await http.get(
        f"/api/v1/restaurants/{r.restaurant_id}/audit",
        params={"kind": "line.voided"},
        headers=r.headers(r.owner),
    )
    assert trail.status_code == 200, trail.text
    (entry,) = trail.json()["items"]
    assert entry["user_id"] == me["id"]
    assert entry["address"] == "127.0.0.1"
    assert entry["subject"] == f"order_item:{line}"
    assert entry["after"] == {"status": "voided", "void_reason": "spilled"}
