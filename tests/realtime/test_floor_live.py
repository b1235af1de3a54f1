"""A floor screen stays live: every step that changes a table's service state reaches a
waiter's socket as an event, after which ``GET /floor`` shows the new state; and the
floor's own commands, ``order.serve`` and ``order.cancel``."""

from __future__ import annotations

from typing import Any

import httpx

from tests.realtime.conftest import Screen, Seeded
from tests.realtime.test_commands import connected, problem, until


async def floor_state(http: httpx.AsyncClient, r: Seeded) -> dict[str, Any]:
    """The seeded table as the floor shows it to the waiter."""
    response = await http.get(
        f"/api/v1/restaurants/{r.restaurant_id}/floor", headers=r.headers(r.waiter)
    )
    assert response.status_code == 200, response.text
    (table,) = [t for t in response.json()["tables"] if t["id"] == r.table_id]
    return dict(table)


async def post(http: httpx.AsyncClient, r: Seeded, token: str, path: str, **kw: Any) -> Any:
    response = await http.post(
        f"/api/v1/restaurants/{r.restaurant_id}{path}", headers=r.headers(token), **kw
    )
    assert response.is_success, response.text
    return response.json()


async def names_until(screen: Screen, name: str) -> list[str]:
    return [n for n, _ in await until(screen, name)]


async def test_every_floor_step_reaches_the_waiter(
    http: httpx.AsyncClient, seed: Any, screens: Any
) -> None:
    r = await seed()
    waiter = await connected(screens, r.waiter, r.restaurant_id)
    assert (await floor_state(http, r))["service_state"] == "free"

    ack = await waiter.call(
        "order.create",
        {
            "kind": "dine_in",
            "table_id": r.table_id,
            "covers": 2,
            "items": [{"menu_item_id": r.bar_item}],
        },
    )
    assert ack["ok"] is True, ack
    order_id = ack["data"]["id"]
    got = await names_until(waiter, "order.created")
    assert "table.updated" in got
    state = await floor_state(http, r)
    assert (state["service_state"], state["covers"], state["lines_pending"]) == ("seated", 2, 1)

    assert (await waiter.call("order.send", {"order_id": order_id}))["ok"] is True
    assert await names_until(waiter, "order.sent") == ["ticket.created", "order.sent"]
    assert (await floor_state(http, r))["service_state"] == "in_kitchen"

    tickets = await http.get(
        f"/api/v1/restaurants/{r.restaurant_id}/kitchen/tickets", headers=r.headers(r.kitchen)
    )
    (ticket,) = [t for t in tickets.json()["items"] if t["order_id"] == order_id]
    await post(http, r, r.kitchen, f"/kitchen/tickets/{ticket['id']}/bump")
    # kitchen progress reaches the waiter as ticket events (waiters see every station)
    name, event = (await until(waiter, "ticket.updated"))[-1]
    assert event["data"]["action"] == "bumped"
    state = await floor_state(http, r)
    assert (state["service_state"], state["lines_ready"]) == ("ready", 1)

    ack = await waiter.call("order.serve", {"order_id": order_id})
    assert ack["ok"] is True, ack
    assert [i["status"] for i in ack["data"]["items"]] == ["served"]
    name, event = await waiter.next()
    assert (name, event["data"]["item_ids"]) == ("order.served", [ack["data"]["items"][0]["id"]])
    assert (await floor_state(http, r))["service_state"] == "seated"

    check = await post(http, r, r.cashier, f"/orders/{order_id}/check")
    assert await names_until(waiter, "check.created") == ["check.created"]
    state = await floor_state(http, r)
    assert (state["service_state"], state["check_id"]) == ("check_requested", check["id"])

    await post(http, r, r.cashier, f"/checks/{check['id']}/payments", json={"method": "card"})
    got = await names_until(waiter, "order.closed")
    assert got == ["payment.created", "check.paid", "table.updated", "order.closed"]
    assert (await floor_state(http, r))["service_state"] == "free"


async def test_serve_command_errors(http: httpx.AsyncClient, seed: Any, screens: Any) -> None:
    r = await seed()
    waiter = await connected(screens, r.waiter, r.restaurant_id)
    kitchen = await connected(screens, r.kitchen, r.restaurant_id)
    ack = await waiter.call(
        "order.create",
        {"kind": "dine_in", "table_id": r.table_id, "items": [{"menu_item_id": r.grill_item}]},
    )
    order = ack["data"]
    problem(await kitchen.call("order.serve", {"order_id": order["id"]}), 403, "permission-denied")
    problem(await waiter.call("order.serve", {"order_id": order["id"]}), 409, "nothing-to-serve")
    error = problem(
        await waiter.call("order.serve", {"order_id": order["id"], "order_item_ids": [0]}),
        422,
        "validation-error",
    )
    assert error["errors"][0]["loc"][:2] == ["payload", "order_item_ids"]
    problem(await waiter.call("order.serve", {}), 422, "validation-error")
    state = await floor_state(http, r)
    assert (state["service_state"], state["order_version"]) == ("seated", 1)


async def test_cancel_command_frees_the_table(
    http: httpx.AsyncClient, seed: Any, screens: Any
) -> None:
    r = await seed()
    waiter = await connected(screens, r.waiter, r.restaurant_id)
    manager = await connected(screens, r.owner, r.restaurant_id)
    ack = await waiter.call(
        "order.create",
        {"kind": "dine_in", "table_id": r.table_id, "items": [{"menu_item_id": r.grill_item}]},
    )
    order = ack["data"]
    await until(manager, "order.created")

    error = problem(
        await waiter.call("order.cancel", {"order_id": order["id"]}), 422, "validation-error"
    )
    assert error["errors"][0]["loc"] == ["payload", "reason"]
    ack = await waiter.call(
        "order.cancel", {"order_id": order["id"], "reason": "wrong table", "version": 1}
    )
    assert ack["ok"] is True, ack
    assert (ack["data"]["status"], ack["data"]["cancel_reason"]) == ("cancelled", "wrong table")
    got = await until(manager, "order.cancelled")
    assert [n for n, _ in got] == ["table.updated", "order.cancelled"]
    assert got[0][1]["data"]["table"]["status"] == "free"
    assert (await floor_state(http, r))["service_state"] == "free"
    problem(
        await waiter.call("order.cancel", {"order_id": order["id"], "reason": "again"}),
        409,
        "order-closed",
    )


async def test_a_fired_order_is_not_cancelled_over_the_socket(
    http: httpx.AsyncClient, seed: Any, screens: Any
) -> None:
    r = await seed()
    waiter = await connected(screens, r.waiter, r.restaurant_id)
    ack = await waiter.call(
        "order.create",
        {"kind": "dine_in", "table_id": r.table_id, "items": [{"menu_item_id": r.grill_item}]},
    )
    order = ack["data"]
    assert (await waiter.call("order.send", {"order_id": order["id"]}))["ok"] is True
    error = problem(
        await waiter.call("order.cancel", {"order_id": order["id"], "reason": "wrong table"}),
        409,
        "order-already-fired",
    )
    assert error["item_ids"] == [order["items"][0]["id"]]
    state = await floor_state(http, r)
    assert (state["service_state"], state["order_id"]) == ("in_kitchen", order["id"])
