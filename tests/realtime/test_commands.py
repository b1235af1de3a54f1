"""Commands over the socket: the same services and permissions as REST, acknowledged
with ``{"ok": true, "data"}`` or ``{"ok": false, "error": <problem+json>}``, and their
events reaching every client."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.realtime.conftest import LiveServer, Screen, make_api_token


def problem(ack: dict[str, Any], status: int, slug: str) -> dict[str, Any]:
    """The error of a failed ack, checked to be ``status`` / ``slug``."""
    assert ack["ok"] is False, ack
    error: dict[str, Any] = ack["error"]
    assert error["status"] == status, error
    assert error["type"] == f"https://brigade.dev/problems/{slug}", error
    return error


async def connected(screens: Any, token: str, restaurant_id: int, **auth: Any) -> Screen:
    screen: Screen = screens()
    await screen.connect({"token": token, "restaurant_id": restaurant_id, **auth})
    return screen


async def table_names(http: httpx.AsyncClient, restaurant_id: int, token: str) -> list[str]:
    response = await http.get(
        f"/api/v1/restaurants/{restaurant_id}/tables",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return sorted(t["name"] for t in response.json()["items"])


async def until(screen: Screen, name: str) -> list[tuple[str, Any]]:
    """Events ``screen`` receives up to and including the first named ``name``."""
    got = []
    while True:
        event = await screen.next()
        got.append(event)
        if event[0] == name:
            return got


class TestTableCommands:
    async def test_create_acks_the_table_and_every_client_gets_the_event(
        self, seed: Any, screens: Any
    ) -> None:
        r = await seed()
        waiter = await connected(screens, r.waiter, r.restaurant_id)
        manager = await connected(screens, r.owner, r.restaurant_id)

        ack = await waiter.call("table.create", {"name": "Window", "seats": 2})
        assert ack["ok"] is True, ack
        table = ack["data"]
        assert (table["name"], table["seats"], table["status"], table["version"]) == (
            "Window",
            2,
            "free",
            1,
        )
        for screen in (manager, waiter):
            name, event = await screen.next()
            assert name == "table.created"
            assert event["data"]["table"]["id"] == table["id"]

    async def test_update_with_version_and_stale_version(
        self, http: httpx.AsyncClient, seed: Any, screens: Any
    ) -> None:
        r = await seed()
        waiter = await connected(screens, r.waiter, r.restaurant_id)
        ack = await waiter.call("table.update", {"table_id": r.table_id, "seats": 6, "version": 1})
        assert ack["ok"] is True, ack
        assert (ack["data"]["seats"], ack["data"]["version"]) == (6, 2)
        name, event = await waiter.next()
        assert (name, event["data"]["table"]["seats"]) == ("table.updated", 6)

        stale = await waiter.call(
            "table.update", {"table_id": r.table_id, "seats": 8, "version": 1}
        )
        problem(stale, 409, "stale-version")
        response = await http.get(
            f"/api/v1/restaurants/{r.restaurant_id}/tables/{r.table_id}",
            headers=r.headers(r.owner),
        )
        assert response.json()["seats"] == 6

    async def test_duplicate_name_is_a_conflict_and_writes_nothing(
        self, http: httpx.AsyncClient, seed: Any, screens: Any
    ) -> None:
        r = await seed()
        waiter = await connected(screens, r.waiter, r.restaurant_id)
        problem(await waiter.call("table.create", {"name": "T1"}), 409, "table-name-taken")
        assert await table_names(http, r.restaurant_id, r.owner) == ["T1"]

    async def test_role_without_permission_is_refused(
        self, http: httpx.AsyncClient, seed: Any, screens: Any
    ) -> None:
        r = await seed()
        kitchen = await connected(screens, r.kitchen, r.restaurant_id)
        error = problem(
            await kitchen.call("table.create", {"name": "Nope"}), 403, "permission-denied"
        )
        assert "tables:write" in error["detail"]
        assert await table_names(http, r.restaurant_id, r.owner) == ["T1"]

    async def test_other_restaurants_table_is_not_found(self, seed: Any, screens: Any) -> None:
        a, b = await seed(), await seed()
        waiter = await connected(screens, a.waiter, a.restaurant_id)
        problem(
            await waiter.call("table.update", {"table_id": b.table_id, "seats": 2}),
            404,
            "not-found",
        )

    async def test_revoked_token_is_refused_on_the_next_command(
        self, live_server: LiveServer, http: httpx.AsyncClient, seed: Any, screens: Any
    ) -> None:
        r = await seed()
        token = await make_api_token(live_server, r.restaurant_id, ["events:read", "tables:write"])
        screen = await connected(screens, token, r.restaurant_id)
        assert (await screen.call("table.create", {"name": "Bar 1"}))["ok"] is True
        tokens = await http.get(
            f"/api/v1/restaurants/{r.restaurant_id}/api-tokens", headers=r.headers(r.owner)
        )
        token_id = tokens.json()["items"][0]["id"]
        revoked = await http.delete(
            f"/api/v1/restaurants/{r.restaurant_id}/api-tokens/{token_id}",
            headers=r.headers(r.owner),
        )
        assert revoked.status_code == 204
        problem(await screen.call("table.create", {"name": "Bar 2"}), 401, "not-authenticated")


class TestBadCommands:
    async def test_unknown_command(self, seed: Any, screens: Any) -> None:
        r = await seed()
        screen = await connected(screens, r.waiter, r.restaurant_id)
        error = problem(
            await screen.call("order.teleport", {"order_id": 1}), 404, "unknown-command"
        )
        assert "order.create" in error["detail"]

    @pytest.mark.parametrize(
        ("command", "payload", "locs"),
        [
            (
                "table.create",
                {"name": "", "seats": "many"},
                {("payload", "name"), ("payload", "seats")},
            ),
            ("order.send", {}, {("payload", "order_id")}),
            ("order.send", {"order_id": "7"}, {("payload", "order_id")}),
            ("order.course.fire", {"order_id": 1, "course": 10}, {("payload", "course")}),
            (
                "order.item.void",
                {"order_id": 1, "item_id": 1, "reason": "  "},
                {("payload", "reason")},
            ),
            ("order.create", {"kind": "dine_in"}, {("payload",)}),
            (
                "order.create",
                {"kind": "takeaway", "idempotency_key": ""},
                {("payload", "idempotency_key")},
            ),
            ("ticket.bump", [1, 2], {("payload",)}),
        ],
    )
    async def test_bad_payload_is_a_validation_problem(
        self,
        seed: Any,
        screens: Any,
        command: str,
        payload: Any,
        locs: set[tuple[str, ...]],
    ) -> None:
        r = await seed()
        screen = await connected(screens, r.owner, r.restaurant_id)
        error = problem(await screen.call(command, payload), 422, "validation-error")
        assert {tuple(e["loc"]) for e in error["errors"]} == locs


class TestOrderLoop:
    async def test_order_to_kitchen_and_bump_over_the_socket(self, seed: Any, screens: Any) -> None:
        r = await seed()
        waiter = await connected(screens, r.waiter, r.restaurant_id)
        grill = await connected(screens, r.kitchen, r.restaurant_id, station="grill")
        expo = await connected(screens, r.kitchen, r.restaurant_id)

        ack = await waiter.call(
            "order.create",
            {
                "kind": "dine_in",
                "table_id": r.table_id,
                "covers": 2,
                "items": [
                    {"menu_item_id": r.grill_item, "quantity": 2},
                    {"menu_item_id": r.bar_item},
                ],
            },
        )
        assert ack["ok"] is True, ack
        order = ack["data"]
        assert order["subtotal"] == 2 * 1500 + 600
        assert [i["status"] for i in order["items"]] == ["pending", "pending"]
        names = [(await waiter.next())[0] for _ in range(2)]
        assert sorted(names) == ["order.created", "table.updated"]

        ack = await waiter.call(
            "order.items.add",
            {
                "order_id": order["id"],
                "version": order["version"],
                "items": [{"menu_item_id": r.grill_item, "course": 2}],
            },
        )
        assert ack["ok"] is True, ack
        order = ack["data"]
        assert len(order["items"]) == 3
        assert (await waiter.next())[0] == "order.items.added"

        ack = await waiter.call("order.send", {"order_id": order["id"]})
        assert ack["ok"] is True, ack
        sent = ack["data"]
        assert [i["status"] for i in sent["items"]] == ["fired", "fired", "pending"]
        grill_got = await until(grill, "order.sent")
        tickets = [e for n, e in grill_got if n.startswith("ticket.")]
        assert [e["station"] for e in tickets] == ["grill"]
        ticket = tickets[0]["data"]["ticket"]
        assert [(i["name"], i["quantity"]) for i in ticket["items"]] == [
            (sent["items"][0]["name"], 2)
        ]
        expo_got = await until(expo, "order.sent")
        assert [(n, e["station"]) for n, e in expo_got if n != "order.items.added"][-3:] == [
            ("ticket.created", "bar"),
            ("ticket.created", "grill"),
            ("order.sent", None),
        ]
        # Every event is delivered once: seqs strictly increase on each screen.
        for got in (grill_got, expo_got):
            seqs = [e["seq"] for _, e in got]
            assert seqs == sorted(set(seqs))

        ack = await grill.call("ticket.bump", {"ticket_id": ticket["id"], "version": 1})
        assert ack["ok"] is True, ack
        assert ack["data"]["status"] == "bumped"
        name, event = (await until(expo, "ticket.updated"))[-1]
        assert (name, event["data"]["action"], event["data"]["ticket"]["id"]) == (
            "ticket.updated",
            "bumped",
            ticket["id"],
        )
        problem(
            await grill.call("ticket.bump", {"ticket_id": ticket["id"], "version": 1}),
            409,
            "stale-version",
        )

        ack = await waiter.call(
            "order.course.fire", {"order_id": order["id"], "course": 2, "confirm": True}
        )
        assert ack["ok"] is True, ack
        assert [i["status"] for i in ack["data"]["items"]][2] == "fired"
        problem(
            await waiter.call(
                "order.course.fire", {"order_id": order["id"], "course": 2, "confirm": True}
            ),
            409,
            "nothing-to-fire",
        )

        bar_line = sent["items"][1]["id"]
        ack = await waiter.call(
            "order.item.void", {"order_id": order["id"], "item_id": bar_line, "reason": "spilled"}
        )
        assert ack["ok"] is True, ack
        voided = next(i for i in ack["data"]["items"] if i["id"] == bar_line)
        assert (voided["status"], voided["void_reason"]) == ("voided", "spilled")

    async def test_kitchen_cannot_open_orders_and_waiter_cannot_bump(
        self, seed: Any, screens: Any
    ) -> None:
        r = await seed()
        kitchen = await connected(screens, r.kitchen, r.restaurant_id)
        problem(await kitchen.call("order.create", {"kind": "takeaway"}), 403, "permission-denied")
        waiter = await connected(screens, r.waiter, r.restaurant_id)
        problem(await waiter.call("ticket.bump", {"ticket_id": 1}), 403, "permission-denied")

    async def test_create_with_idempotency_key_creates_one_order(
        self, http: httpx.AsyncClient, seed: Any, screens: Any
    ) -> None:
        r = await seed()
        waiter = await connected(screens, r.waiter, r.restaurant_id)
        payload = {
            "kind": "takeaway",
            "items": [{"menu_item_id": r.bar_item}],
            "idempotency_key": "tablet-7-0001",
        }
        first = await waiter.call("order.create", payload)
        again = await waiter.call("order.create", payload)
        assert first["ok"] is True, first
        assert again == first
        response = await http.get(
            f"/api/v1/restaurants/{r.restaurant_id}/orders", headers=r.headers(r.owner)
        )
        assert response.json()["total"] == 1
        reused = await waiter.call("order.create", payload | {"notes": "other"})
        problem(reused, 422, "idempotency-key-reused")

    async def test_other_restaurants_order_is_not_found(self, seed: Any, screens: Any) -> None:
        a, b = await seed(), await seed()
        owner_b = await connected(screens, b.owner, b.restaurant_id)
        ack = await owner_b.call("order.create", {"kind": "takeaway"})
        assert ack["ok"] is True, ack
        owner_a = await connected(screens, a.owner, a.restaurant_id)
        problem(await owner_a.call("order.send", {"order_id": ack["data"]["id"]}), 404, "not-found")

    async def test_unavailable_item_is_a_conflict_and_opens_nothing(
        self, http: httpx.AsyncClient, seed: Any, screens: Any
    ) -> None:
        r = await seed()
        owner = await connected(screens, r.owner, r.restaurant_id)
        response = await http.put(
            f"/api/v1/restaurants/{r.restaurant_id}/menu/items/{r.grill_item}/availability",
            json={"is_available": False},
            headers=r.headers(r.owner),
        )
        assert response.status_code == 200, response.text
        await until(owner, "menu.item.availability")
        ack = await owner.call(
            "order.create",
            {"kind": "dine_in", "table_id": r.table_id, "items": [{"menu_item_id": r.grill_item}]},
        )
        problem(ack, 409, "item-unavailable")
        orders = await http.get(
            f"/api/v1/restaurants/{r.restaurant_id}/orders", headers=r.headers(r.owner)
        )
        assert orders.json()["total"] == 0
        table = await http.get(
            f"/api/v1/restaurants/{r.restaurant_id}/tables/{r.table_id}", headers=r.headers(r.owner)
        )
        assert table.json()["status"] == "free"


async def test_permission_is_checked_before_the_payload(seed: Any, screens: Any) -> None:
    r = await seed()
    kitchen = await connected(screens, r.kitchen, r.restaurant_id)
    problem(await kitchen.call("table.create", {"seats": "many"}), 403, "permission-denied")
