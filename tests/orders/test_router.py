"""Orders through HTTP: create, read, list, add lines, void, send, fire a course."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from brigade.kitchen.models import Ticket, TicketItem
from brigade.orders.models import Order
from brigade.orders.service import close_order
from brigade.runtime import Runtime
from brigade.tables.models import DiningTable
from tests.orders.support import (
    World,
    count,
    event_types,
    last_seq,
    make_world,
    open_order,
    problem_type,
    snapshot,
)


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    return await make_world(session, runtime)


def pizza_line(world: World, **extra: Any) -> dict[str, Any]:
    line: dict[str, Any] = {
        "menu_item_id": world.pizza.id,
        "variation_id": world.pizza.variations["L"],
    }
    line.update(extra)
    return line


async def table_row(session: AsyncSession, table_id: int) -> Any:
    return (
        await session.execute(
            select(DiningTable.status, DiningTable.current_order_id, DiningTable.version).where(
                DiningTable.id == table_id
            )
        )
    ).one()


class TestCreateOrder:
    async def test_unauthenticated(self, client: AsyncClient, world: World) -> None:
        response = await client.post(world.orders_url, json={"kind": "takeaway"})
        assert response.status_code == 401
        assert problem_type(response) == "not-authenticated"

    async def test_other_restaurant(self, client: AsyncClient, world: World) -> None:
        response = await client.post(
            world.orders_url, json={"kind": "takeaway"}, headers=world.stranger.headers
        )
        assert response.status_code == 404
        assert problem_type(response) == "not-found"

    async def test_role_without_permission(self, client: AsyncClient, world: World) -> None:
        response = await client.post(
            world.orders_url, json={"kind": "takeaway"}, headers=world.kitchen.headers
        )
        assert response.status_code == 403
        assert problem_type(response) == "permission-denied"

    async def test_dine_in_with_lines_snapshots_menu_and_occupies_table(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        before = await last_seq(session, world.rid)
        response = await client.post(
            world.orders_url,
            json={
                "kind": "dine_in",
                "table_id": world.table,
                "covers": 2,
                "notes": "window",
                "items": [
                    pizza_line(
                        world,
                        quantity=2,
                        modifier_ids=[world.extras["cheese"], world.extras["olives"]],
                        seat=1,
                        notes="well done",
                    ),
                    {"menu_item_id": world.cola.id, "quantity": 3, "course": 2},
                ],
            },
            headers=world.waiter.headers,
        )
        assert response.status_code == 201, response.text
        order = response.json()
        assert order["kind"] == "dine_in"
        assert order["status"] == "open"
        assert order["table_id"] == world.table
        assert order["covers"] == 2
        assert order["version"] == 1
        assert order["currency"] == "EUR"
        assert order["sent_at"] is None
        pizza, cola = order["items"]
        assert pizza["name"] == "Margherita"
        assert pizza["variation_name"] == "L"
        assert pizza["station"] == "pizza"
        assert pizza["unit_price"] == 1500
        assert [m["name"] for m in pizza["modifiers"]] == ["cheese", "olives"]
        assert pizza["modifiers_total"] == 225
        assert pizza["line_total"] == 2 * 1725
        assert pizza["seat"] == 1
        assert pizza["notes"] == "well done"
        assert pizza["status"] == "pending"
        assert cola["variation_id"] == world.cola.variations["0.33"]
        assert cola["line_total"] == 900
        assert cola["course"] == 2
        assert order["subtotal"] == 3450 + 900
        table = await table_row(session, world.table)
        assert table.status == "occupied"
        assert table.current_order_id == order["id"]
        assert await event_types(session, world.rid, before) == ["table.updated", "order.created"]

    async def test_takeaway_without_lines(self, client: AsyncClient, world: World) -> None:
        response = await client.post(
            world.orders_url, json={"kind": "takeaway"}, headers=world.waiter.headers
        )
        assert response.status_code == 201
        body = response.json()
        assert body["table_id"] is None
        assert body["items"] == []
        assert body["subtotal"] == 0

    @pytest.mark.parametrize(
        "body",
        [
            {"kind": "dine_in"},
            {"kind": "takeaway", "table_id": 1},
            {"kind": "delivery"},
            {"kind": "takeaway", "items": [{"menu_item_id": 1, "quantity": 0}]},
            {"kind": "takeaway", "items": [{"menu_item_id": 1, "quantity": 100}]},
            {"kind": "takeaway", "items": [{"menu_item_id": 1, "seat": 0}]},
            {"kind": "takeaway", "items": [{"menu_item_id": 1, "course": 10}]},
            {"kind": "takeaway", "items": [{"menu_item_id": 1, "course": 0}]},
        ],
    )
    async def test_invalid_body(
        self, client: AsyncClient, session: AsyncSession, world: World, body: dict[str, Any]
    ) -> None:
        before = await snapshot(session, world.rid)
        response = await client.post(world.orders_url, json=body, headers=world.waiter.headers)
        assert response.status_code == 422
        assert problem_type(response) == "validation-error"
        assert await snapshot(session, world.rid) == before

    async def test_other_restaurants_table_is_not_found(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        before = await snapshot(session, world.rid)
        response = await client.post(
            world.orders_url,
            json={"kind": "dine_in", "table_id": world.other_table, "items": [pizza_line(world)]},
            headers=world.waiter.headers,
        )
        assert response.status_code == 404
        assert problem_type(response) == "not-found"
        assert await snapshot(session, world.rid) == before
        assert (await table_row(session, world.other_table)).status == "free"

    async def test_unknown_item_leaves_nothing(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        before = await snapshot(session, world.rid)
        response = await client.post(
            world.orders_url,
            json={
                "kind": "dine_in",
                "table_id": world.table,
                "items": [pizza_line(world), {"menu_item_id": 999_999}],
            },
            headers=world.waiter.headers,
        )
        assert response.status_code == 404
        assert problem_type(response) == "not-found"
        assert await snapshot(session, world.rid) == before
        assert (await table_row(session, world.table)).status == "free"

    async def test_86d_item_is_a_conflict(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        before = await snapshot(session, world.rid)
        response = await client.post(
            world.orders_url,
            json={
                "kind": "dine_in",
                "table_id": world.table,
                "items": [{"menu_item_id": world.gone.id}],
            },
            headers=world.waiter.headers,
        )
        assert response.status_code == 409
        assert problem_type(response) == "item-unavailable"
        assert await snapshot(session, world.rid) == before

    async def test_variation_required(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        before = await snapshot(session, world.rid)
        response = await client.post(
            world.orders_url,
            json={"kind": "takeaway", "items": [{"menu_item_id": world.pizza.id}]},
            headers=world.waiter.headers,
        )
        assert response.status_code == 422
        assert problem_type(response) == "variation-required"
        assert await snapshot(session, world.rid) == before

    async def test_occupied_table(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        await open_order(client, world)
        before = await snapshot(session, world.rid)
        response = await client.post(
            world.orders_url,
            json={"kind": "dine_in", "table_id": world.table},
            headers=world.waiter.headers,
        )
        assert response.status_code == 409
        assert problem_type(response) == "table-occupied"
        assert await snapshot(session, world.rid) == before


class TestIdempotentCreate:
    async def test_retry_returns_the_first_answer(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        body = {"kind": "dine_in", "table_id": world.table, "items": [pizza_line(world)]}
        headers = {**world.waiter.headers, "Idempotency-Key": "abc-1"}
        first = await client.post(world.orders_url, json=body, headers=headers)
        assert first.status_code == 201
        assert "Idempotent-Replayed" not in first.headers
        before = await snapshot(session, world.rid)
        again = await client.post(world.orders_url, json=body, headers=headers)
        assert again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
        assert await snapshot(session, world.rid) == before
        assert await count(session, Order, restaurant_id=world.rid) == 1

    async def test_same_key_other_body(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        headers = {**world.waiter.headers, "Idempotency-Key": "abc-2"}
        first = await client.post(world.orders_url, json={"kind": "takeaway"}, headers=headers)
        assert first.status_code == 201
        before = await snapshot(session, world.rid)
        other = await client.post(
            world.orders_url, json={"kind": "takeaway", "notes": "x"}, headers=headers
        )
        assert other.status_code == 422
        assert problem_type(other) == "idempotency-key-reused"
        assert await snapshot(session, world.rid) == before

    async def test_keys_are_per_user(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        body = {"kind": "takeaway"}
        a = await client.post(
            world.orders_url, json=body, headers={**world.waiter.headers, "Idempotency-Key": "k"}
        )
        b = await client.post(
            world.orders_url, json=body, headers={**world.cashier.headers, "Idempotency-Key": "k"}
        )
        assert a.status_code == b.status_code == 201
        assert a.json()["id"] != b.json()["id"]

    async def test_failed_request_does_not_burn_the_key(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        headers = {**world.waiter.headers, "Idempotency-Key": "retry-me"}
        body = {"kind": "dine_in", "table_id": world.table, "items": [pizza_line(world)]}
        blocker = await client.post(
            world.orders_url,
            json={"kind": "dine_in", "table_id": world.table},
            headers=world.owner.headers,
        )
        assert blocker.status_code == 201
        failed = await client.post(world.orders_url, json=body, headers=headers)
        assert failed.status_code == 409
        # the table is freed, the retry with the same key now succeeds
        await close_order(session, world.rid, blocker.json()["id"])
        await session.commit()
        retried = await client.post(world.orders_url, json=body, headers=headers)
        assert retried.status_code == 201
        assert "Idempotent-Replayed" not in retried.headers


class TestReadOrders:
    async def test_unauthenticated(self, client: AsyncClient, world: World) -> None:
        assert (await client.get(world.orders_url)).status_code == 401
        assert (await client.get(world.orders_url + "/1")).status_code == 401

    async def test_other_restaurant(self, client: AsyncClient, world: World) -> None:
        order = await open_order(client, world)
        response = await client.get(
            f"{world.orders_url}/{order['id']}", headers=world.stranger.headers
        )
        assert response.status_code == 404
        assert (
            await client.get(world.orders_url, headers=world.stranger.headers)
        ).status_code == 404

    async def test_order_of_another_restaurant_through_own_path(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world)
        stranger_rid = (await client.get("/api/v1/auth/me", headers=world.stranger.headers)).json()[
            "memberships"
        ][0]["restaurant_id"]
        response = await client.get(
            f"/api/v1/restaurants/{stranger_rid}/orders/{order['id']}",
            headers=world.stranger.headers,
        )
        assert response.status_code == 404

    async def test_get_and_list_with_filters(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        first = await open_order(client, world, items=[pizza_line(world)])
        second = await open_order(client, world, table=world.table2)
        await close_order(session, world.rid, second["id"])
        await session.commit()
        got = await client.get(f"{world.orders_url}/{first['id']}", headers=world.kitchen.headers)
        assert got.status_code == 200
        assert got.json() == first
        listed = (await client.get(world.orders_url, headers=world.waiter.headers)).json()
        assert listed["total"] == 2
        assert [o["id"] for o in listed["items"]] == [second["id"], first["id"]]
        open_only = (
            await client.get(
                world.orders_url, params={"status": "open"}, headers=world.waiter.headers
            )
        ).json()
        assert [o["id"] for o in open_only["items"]] == [first["id"]]
        assert open_only["items"][0]["items"][0]["name"] == "Margherita"
        by_table = (
            await client.get(
                world.orders_url, params={"table_id": world.table2}, headers=world.waiter.headers
            )
        ).json()
        assert by_table["total"] == 1
        assert by_table["items"][0]["status"] == "closed"

    async def test_list_pages_newest_first_and_combines_filters(
        self, client: AsyncClient, world: World
    ) -> None:
        takeaways = []
        for _ in range(3):
            created = await client.post(
                world.orders_url,
                json={"kind": "takeaway", "items": [pizza_line(world)]},
                headers=world.waiter.headers,
            )
            takeaways.append(created.json()["id"])
        at_table = await open_order(client, world, table=world.table2)
        url, headers = world.orders_url, world.waiter.headers
        page = (await client.get(url, params={"limit": 2, "offset": 1}, headers=headers)).json()
        assert page["total"] == 4
        assert [o["id"] for o in page["items"]] == [takeaways[2], takeaways[1]]
        assert [len(o["items"]) for o in page["items"]] == [1, 1]
        both = (
            await client.get(
                url, params={"status": "open", "table_id": world.table2}, headers=headers
            )
        ).json()
        assert (both["total"], [o["id"] for o in both["items"]]) == (1, [at_table["id"]])
        none = (
            await client.get(
                url, params={"status": "closed", "table_id": world.table2}, headers=headers
            )
        ).json()
        assert none == {"items": [], "total": 0}

    async def test_unknown_order(self, client: AsyncClient, world: World) -> None:
        response = await client.get(world.orders_url + "/999999", headers=world.waiter.headers)
        assert response.status_code == 404
        assert problem_type(response) == "not-found"


class TestAddItems:
    async def test_unauthenticated_other_restaurant_and_role(
        self, client: AsyncClient, world: World
    ) -> None:
        order = await open_order(client, world)
        url = f"{world.orders_url}/{order['id']}/items"
        body = {"items": [pizza_line(world)]}
        assert (await client.post(url, json=body)).status_code == 401
        assert (
            await client.post(url, json=body, headers=world.stranger.headers)
        ).status_code == 404
        assert (await client.post(url, json=body, headers=world.kitchen.headers)).status_code == 403

    async def test_adds_lines_and_bumps_version(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[pizza_line(world)])
        before = await last_seq(session, world.rid)
        response = await client.post(
            f"{world.orders_url}/{order['id']}/items",
            json={"version": 1, "items": [{"menu_item_id": world.soup.id, "quantity": 2}]},
            headers=world.waiter.headers,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["version"] == 2
        assert [i["name"] for i in body["items"]] == ["Margherita", "Soup"]
        assert body["subtotal"] == 1500 + 1300
        assert await event_types(session, world.rid, before) == ["order.items.added"]

    async def test_stale_version(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world)
        url = f"{world.orders_url}/{order['id']}/items"
        ok = await client.post(
            url, json={"items": [pizza_line(world)]}, headers=world.waiter.headers
        )
        assert ok.json()["version"] == 2
        before = await snapshot(session, world.rid)
        stale = await client.post(
            url, json={"version": 1, "items": [pizza_line(world)]}, headers=world.waiter.headers
        )
        assert stale.status_code == 409
        assert problem_type(stale) == "stale-version"
        assert stale.json()["current_version"] == 2
        assert await snapshot(session, world.rid) == before

    async def test_closed_order(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world)
        await close_order(session, world.rid, order["id"])
        await session.commit()
        before = await snapshot(session, world.rid)
        response = await client.post(
            f"{world.orders_url}/{order['id']}/items",
            json={"items": [pizza_line(world)]},
            headers=world.waiter.headers,
        )
        assert response.status_code == 409
        assert problem_type(response) == "order-closed"
        assert await snapshot(session, world.rid) == before

    async def test_unknown_and_86d_items_write_nothing(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world)
        url = f"{world.orders_url}/{order['id']}/items"
        before = await snapshot(session, world.rid)
        unknown = await client.post(
            url,
            json={"items": [pizza_line(world), {"menu_item_id": 999_999}]},
            headers=world.waiter.headers,
        )
        assert unknown.status_code == 404
        gone = await client.post(
            url, json={"items": [{"menu_item_id": world.gone.id}]}, headers=world.waiter.headers
        )
        assert gone.status_code == 409
        assert problem_type(gone) == "item-unavailable"
        bad = await client.post(
            url, json={"items": [pizza_line(world, quantity=0)]}, headers=world.waiter.headers
        )
        assert bad.status_code == 422
        empty = await client.post(url, json={"items": []}, headers=world.waiter.headers)
        assert empty.status_code == 422
        assert await snapshot(session, world.rid) == before

    async def test_unknown_order(self, client: AsyncClient, world: World) -> None:
        response = await client.post(
            world.orders_url + "/999999/items",
            json={"items": [pizza_line(world)]},
            headers=world.waiter.headers,
        )
        assert response.status_code == 404


class TestVoidItem:
    async def test_unauthenticated_other_restaurant_and_role(
        self, client: AsyncClient, world: World
    ) -> None:
        order = await open_order(client, world, items=[pizza_line(world)])
        url = f"{world.orders_url}/{order['id']}/items/{order['items'][0]['id']}/void"
        body = {"reason": "guest changed mind"}
        assert (await client.post(url, json=body)).status_code == 401
        assert (
            await client.post(url, json=body, headers=world.stranger.headers)
        ).status_code == 404
        # the cashier may write orders but not void lines
        assert (await client.post(url, json=body, headers=world.cashier.headers)).status_code == 403

    async def test_void_pending_line(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(
            client, world, items=[pizza_line(world), {"menu_item_id": world.cola.id}]
        )
        line = order["items"][0]
        before = await last_seq(session, world.rid)
        response = await client.post(
            f"{world.orders_url}/{order['id']}/items/{line['id']}/void",
            json={"reason": "  guest changed mind ", "version": 1},
            headers=world.waiter.headers,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        voided = body["items"][0]
        assert voided["status"] == "voided"
        assert voided["void_reason"] == "guest changed mind"
        assert voided["voided_at"] is not None
        assert body["subtotal"] == 300
        assert body["version"] == 2
        assert await event_types(session, world.rid, before) == ["order.item.voided"]
        # it is not sent to the kitchen later
        sent = await client.post(
            f"{world.orders_url}/{order['id']}/send", headers=world.waiter.headers
        )
        assert [i["status"] for i in sent.json()["items"]] == ["voided", "fired"]

    async def test_void_fired_line_voids_it_on_the_ticket(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[pizza_line(world)])
        await client.post(f"{world.orders_url}/{order['id']}/send", headers=world.waiter.headers)
        line_id = order["items"][0]["id"]
        before = await last_seq(session, world.rid)
        response = await client.post(
            f"{world.orders_url}/{order['id']}/items/{line_id}/void",
            json={"reason": "burnt"},
            headers=world.waiter.headers,
        )
        assert response.status_code == 200
        ticket_status = await session.scalar(
            select(TicketItem.status).where(TicketItem.order_item_id == line_id)
        )
        assert ticket_status == "voided"
        assert await event_types(session, world.rid, before) == [
            "ticket.updated",
            "order.item.voided",
        ]

    async def test_void_fired_line_locks_the_ticket_before_the_line(
        self, client: AsyncClient, connection: AsyncConnection, world: World
    ) -> None:
        # Kitchen steps lock the ticket, then the order lines; a void taking them the
        # other way round could deadlock against them on PostgreSQL.
        order = await open_order(client, world, items=[pizza_line(world)])
        await client.post(f"{world.orders_url}/{order['id']}/send", headers=world.waiter.headers)
        written: list[str] = []

        def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            verb = statement.lstrip().split(None, 2)
            if verb and verb[0].upper() == "UPDATE":
                written.append(verb[1].strip('"'))

        sync_conn = connection.sync_connection
        assert sync_conn is not None
        event.listen(sync_conn, "before_cursor_execute", remember)
        try:
            response = await client.post(
                f"{world.orders_url}/{order['id']}/items/{order['items'][0]['id']}/void",
                json={"reason": "burnt"},
                headers=world.waiter.headers,
            )
        finally:
            event.remove(sync_conn, "before_cursor_execute", remember)
        assert response.status_code == 200
        assert "kitchen_tickets" in written
        assert written.index("kitchen_tickets") < written.index("order_items")

    @pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
    async def test_reason_required(
        self, client: AsyncClient, session: AsyncSession, world: World, body: dict[str, Any]
    ) -> None:
        order = await open_order(client, world, items=[pizza_line(world)])
        before = await snapshot(session, world.rid)
        response = await client.post(
            f"{world.orders_url}/{order['id']}/items/{order['items'][0]['id']}/void",
            json=body,
            headers=world.waiter.headers,
        )
        assert response.status_code == 422
        assert problem_type(response) == "validation-error"
        assert await snapshot(session, world.rid) == before

    async def test_void_twice_and_unknown_line(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[pizza_line(world)])
        url = f"{world.orders_url}/{order['id']}/items/{order['items'][0]['id']}/void"
        assert (
            await client.post(url, json={"reason": "x"}, headers=world.waiter.headers)
        ).status_code == 200
        before = await snapshot(session, world.rid)
        again = await client.post(url, json={"reason": "x"}, headers=world.waiter.headers)
        assert again.status_code == 409
        assert problem_type(again) == "item-already-voided"
        unknown = await client.post(
            f"{world.orders_url}/{order['id']}/items/999999/void",
            json={"reason": "x"},
            headers=world.waiter.headers,
        )
        assert unknown.status_code == 404
        assert await snapshot(session, world.rid) == before

    async def test_stale_version(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[pizza_line(world)])
        before = await snapshot(session, world.rid)
        response = await client.post(
            f"{world.orders_url}/{order['id']}/items/{order['items'][0]['id']}/void",
            json={"reason": "x", "version": 7},
            headers=world.waiter.headers,
        )
        assert response.status_code == 409
        assert problem_type(response) == "stale-version"
        assert await snapshot(session, world.rid) == before


class TestSendAndFire:
    async def test_unauthenticated_other_restaurant_and_role(
        self, client: AsyncClient, world: World
    ) -> None:
        order = await open_order(client, world, items=[pizza_line(world)])
        for url in (
            f"{world.orders_url}/{order['id']}/send",
            f"{world.orders_url}/{order['id']}/courses/1/fire",
        ):
            assert (await client.post(url)).status_code == 401
            assert (await client.post(url, headers=world.stranger.headers)).status_code == 404
            assert (await client.post(url, headers=world.kitchen.headers)).status_code == 403

    async def test_send_fires_course_one_and_holds_the_rest(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(
            client,
            world,
            items=[
                pizza_line(world),
                {"menu_item_id": world.cola.id, "quantity": 2},
                {"menu_item_id": world.soup.id, "course": 2},
            ],
        )
        before = await last_seq(session, world.rid)
        response = await client.post(
            f"{world.orders_url}/{order['id']}/send",
            json={"version": 1},
            headers=world.waiter.headers,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["version"] == 2
        assert body["sent_at"] is not None
        assert [i["status"] for i in body["items"]] == ["fired", "fired", "pending"]
        assert body["items"][0]["fired_at"] is not None
        assert body["items"][2]["fired_at"] is None
        tickets = (
            await session.execute(
                select(Ticket.station, Ticket.course, Ticket.table_name)
                .where(Ticket.order_id == order["id"])
                .order_by(Ticket.station)
            )
        ).all()
        assert [tuple(t) for t in tickets] == [("bar", 1, "T1"), ("pizza", 1, "T1")]
        assert await event_types(session, world.rid, before) == [
            "ticket.created",
            "ticket.created",
            "order.sent",
        ]

        # nothing more to send: 409, nothing written
        snap = await snapshot(session, world.rid)
        again = await client.post(
            f"{world.orders_url}/{order['id']}/send", headers=world.waiter.headers
        )
        assert again.status_code == 409
        assert problem_type(again) == "nothing-to-fire"
        assert await snapshot(session, world.rid) == snap

        fired = await client.post(
            f"{world.orders_url}/{order['id']}/courses/2/fire",
            json={"version": 2, "confirm": True},  # course 1 is still in the kitchen
            headers=world.waiter.headers,
        )
        assert fired.status_code == 200, fired.text
        assert [i["status"] for i in fired.json()["items"]] == ["fired", "fired", "fired"]
        assert fired.json()["sent_at"] == body["sent_at"]
        assert await count(session, Ticket, order_id=order["id"]) == 3
        assert (await event_types(session, world.rid))[-1] == "order.course.fired"

        # a second round of the running course goes out with the next send
        await client.post(
            f"{world.orders_url}/{order['id']}/items",
            json={"items": [{"menu_item_id": world.cola.id, "course": 2}]},
            headers=world.waiter.headers,
        )
        resent = await client.post(
            f"{world.orders_url}/{order['id']}/send", headers=world.waiter.headers
        )
        assert resent.status_code == 200
        assert resent.json()["items"][-1]["status"] == "fired"

    async def test_fire_course_with_nothing_pending(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[pizza_line(world)])
        before = await snapshot(session, world.rid)
        response = await client.post(
            f"{world.orders_url}/{order['id']}/courses/3/fire", headers=world.waiter.headers
        )
        assert response.status_code == 409
        assert problem_type(response) == "nothing-to-fire"
        assert await snapshot(session, world.rid) == before
        bad = await client.post(
            f"{world.orders_url}/{order['id']}/courses/10/fire", headers=world.waiter.headers
        )
        assert bad.status_code == 422

    async def test_stale_and_closed(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[pizza_line(world)])
        before = await snapshot(session, world.rid)
        stale = await client.post(
            f"{world.orders_url}/{order['id']}/send",
            json={"version": 5},
            headers=world.waiter.headers,
        )
        assert stale.status_code == 409
        assert problem_type(stale) == "stale-version"
        assert await snapshot(session, world.rid) == before
        await close_order(session, world.rid, order["id"])
        await session.commit()
        closed = await client.post(
            f"{world.orders_url}/{order['id']}/send", headers=world.waiter.headers
        )
        assert closed.status_code == 409
        assert problem_type(closed) == "order-closed"


async def test_a_settings_change_reaches_the_next_order_at_once(
    client: AsyncClient, world: World
) -> None:
    """The restaurant's profile is remembered per process; a settings change drops it."""
    body = {"kind": "takeaway", "items": [pizza_line(world)]}
    first = await client.post(world.orders_url, json=body, headers=world.waiter.headers)
    assert first.status_code == 201, first.text
    assert first.json()["currency"] != "GBP"
    patched = await client.patch(
        world.url(""), json={"currency": "GBP"}, headers=world.owner.headers
    )
    assert patched.status_code == 200, patched.text
    second = await client.post(world.orders_url, json=body, headers=world.waiter.headers)
    assert second.status_code == 201, second.text
    assert second.json()["currency"] == "GBP"
