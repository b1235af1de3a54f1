"""The kitchen at rush: a later send joins its open ticket, counted items ("5 left")."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.kitchen.models import Ticket
from brigade.orders.models import OrderItem
from tests.factories import MenuItemFixture, make_menu_item, make_table
from tests.kitchen.conftest import Kitchen
from tests.kitchen.support import outbox
from tests.kitchen.test_router import assert_problem, utc


class Table:
    """A dine-in order at a new table, driven through the order routes as a waiter."""

    def __init__(self, client: AsyncClient, kit: Kitchen) -> None:
        self.client = client
        self.kit = kit
        self.orders = f"/api/v1/restaurants/{kit.restaurant.id}/orders"
        self.order_id = 0

    async def open(self, session: AsyncSession, name: str, lines: list[dict[str, Any]]) -> None:
        table_id = await make_table(session, self.kit.restaurant, name=name)
        await session.commit()
        body = {"kind": "dine_in", "table_id": table_id, "items": lines}
        response = await self.client.post(self.orders, json=body, headers=self.kit.waiter.headers)
        assert response.status_code == 201, response.text
        self.order_id = response.json()["id"]

    async def add(self, lines: list[dict[str, Any]]) -> Response:
        return await self.client.post(
            f"{self.orders}/{self.order_id}/items",
            json={"items": lines},
            headers=self.kit.waiter.headers,
        )

    async def send(self) -> None:
        response = await self.client.post(
            f"{self.orders}/{self.order_id}/send", headers=self.kit.waiter.headers
        )
        assert response.status_code == 200, response.text

    async def tickets(self) -> list[dict[str, Any]]:
        listed = await self.client.get(
            self.kit.url(), params={"status": "all"}, headers=self.kit.cook.headers
        )
        assert listed.status_code == 200, listed.text
        return [t for t in listed.json()["items"] if t["order_id"] == self.order_id]


def line(dish: MenuItemFixture, quantity: int = 1, **extra: Any) -> dict[str, Any]:
    (variation_id,) = dish.variations.values()
    return {"menu_item_id": dish.id, "variation_id": variation_id, "quantity": quantity, **extra}


async def dishes(session: AsyncSession, kit: Kitchen) -> tuple[MenuItemFixture, ...]:
    r = kit.restaurant
    return (
        await make_menu_item(session, r, name="Margherita", station="oven", prices={"M": 900}),
        await make_menu_item(session, r, name="Calzone", station="oven", prices={"M": 1100}),
        await make_menu_item(session, r, name="Cola", station="bar", prices={"M": 300}),
    )


class TestAdditions:
    async def test_a_later_send_joins_the_open_ticket_of_its_station(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        margherita, calzone, cola = await dishes(session, kit)
        table = Table(client, kit)
        await table.open(session, "3", [line(margherita, 2), line(cola)])
        await table.send()
        first = {t["station"]: t for t in await table.tickets()}
        assert sorted(first) == ["bar", "oven"]
        assert first["oven"]["added_at"] is None
        assert [i["batch"] for i in first["oven"]["items"]] == [1]

        # the table orders a calzone: it joins the oven's ticket, the bar's is left alone
        assert (await table.add([line(calzone, seat=2)])).status_code == 200
        await table.send()
        after = {t["station"]: t for t in await table.tickets()}
        assert sorted(after) == ["bar", "oven"]  # no third ticket
        oven = after["oven"]
        assert oven["id"] == first["oven"]["id"]
        assert oven["version"] == first["oven"]["version"] + 1
        assert [(i["name"], i["batch"]) for i in oven["items"]] == [
            ("Margherita", 1),
            ("Calzone", 2),
        ]
        assert oven["items"][0]["added_at"] is None
        assert utc(oven["items"][1]["added_at"]) == utc(oven["added_at"])
        assert after["bar"] == first["bar"]

        # announced as an addition of that ticket, not as a new ticket
        events = await outbox(session, kit.restaurant.id)
        (added,) = [e for e in events if e.payload.get("action") == "lines_added"]
        assert added.type == "ticket.updated"
        assert added.station == "oven"
        assert added.payload["ticket"] == oven
        assert added.payload["added_item_ids"] == [oven["items"][1]["id"]]
        assert [e.payload["ticket"]["station"] for e in events if e.type == "ticket.created"] == [
            "bar",
            "oven",
        ]

    async def test_a_ready_ticket_is_cooking_again_and_bumps_whole(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        margherita, calzone, _ = await dishes(session, kit)
        table = Table(client, kit)
        await table.open(session, "4", [line(margherita)])
        await table.send()
        (ticket,) = await table.tickets()
        ready = await client.post(kit.url(f"/{ticket['id']}/ready"), headers=kit.cook.headers)
        assert ready.json()["status"] == "ready"

        await table.add([line(calzone)])
        await table.send()
        (joined,) = await table.tickets()
        assert joined["status"] == "preparing"
        assert [i["status"] for i in joined["items"]] == ["ready", "new"]

        bumped = await client.post(kit.url(f"/{ticket['id']}/bump"), headers=kit.cook.headers)
        assert bumped.status_code == 200, bumped.text
        assert [i["status"] for i in bumped.json()["items"]] == ["bumped", "bumped"]
        statuses = await session.scalars(
            select(OrderItem.status).where(OrderItem.order_id == table.order_id)
        )
        assert sorted(statuses) == ["ready", "ready"]

    async def test_after_the_bump_a_later_send_is_a_new_ticket(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        margherita, calzone, _ = await dishes(session, kit)
        table = Table(client, kit)
        await table.open(session, "5", [line(margherita)])
        await table.send()
        (ticket,) = await table.tickets()
        await client.post(kit.url(f"/{ticket['id']}/bump"), headers=kit.cook.headers)

        await table.add([line(calzone)])
        await table.send()
        old, new = await table.tickets()
        assert old["id"] == ticket["id"]
        assert old["status"] == "bumped"
        assert [i["name"] for i in old["items"]] == ["Margherita"]
        assert new["status"] == "new"
        assert new["added_at"] is None
        assert [(i["name"], i["batch"]) for i in new["items"]] == [("Calzone", 1)]

    async def test_a_later_course_is_not_an_addition(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        margherita, calzone, _ = await dishes(session, kit)
        table = Table(client, kit)
        await table.open(session, "6", [line(margherita), line(calzone, course=2)])
        await table.send()
        # course 1 is not ready yet: the waiter confirms firing course 2 anyway
        fired = await client.post(
            f"{table.orders}/{table.order_id}/courses/2/fire",
            json={"confirm": True},
            headers=kit.waiter.headers,
        )
        assert fired.status_code == 200, fired.text
        tickets = await table.tickets()
        assert [(t["course"], [i["name"] for i in t["items"]]) for t in tickets] == [
            (1, ["Margherita"]),
            (2, ["Calzone"]),
        ]
        assert (
            await session.scalar(
                select(func.count())
                .select_from(Ticket)
                .where(Ticket.order_id == table.order_id, Ticket.added_at.is_not(None))
            )
        ) == 0


class TestCounts:
    def availability(self, kit: Kitchen, dish: MenuItemFixture) -> str:
        return f"/api/v1/restaurants/{kit.restaurant.id}/menu/items/{dish.id}/availability"

    async def item(self, client: AsyncClient, kit: Kitchen, dish: MenuItemFixture) -> Any:
        url = f"/api/v1/restaurants/{kit.restaurant.id}/menu/items/{dish.id}"
        response = await client.get(url, headers=kit.cook.headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def test_orders_count_down_and_86_at_zero(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        margherita, calzone, _ = await dishes(session, kit)
        await session.commit()
        counted = await client.put(
            self.availability(kit, calzone), json={"remaining": 3}, headers=kit.cook.headers
        )
        assert counted.status_code == 200, counted.text
        assert counted.json()["remaining"] == 3
        assert counted.json()["is_available"] is True
        menu = await client.get(
            f"/api/v1/restaurants/{kit.restaurant.id}/menu", headers=kit.waiter.headers
        )
        (entry,) = [
            i for c in menu.json()["categories"] for i in c["items"] if i["name"] == "Calzone"
        ]
        assert entry["remaining"] == 3

        table = Table(client, kit)
        await table.open(session, "7", [line(calzone), line(margherita)])
        assert (await self.item(client, kit, calzone))["remaining"] == 2
        assert (await self.item(client, kit, margherita))["remaining"] is None  # not counted

        # two more: the last two portions, so the calzone is 86'd
        assert (await table.add([line(calzone), line(calzone)])).status_code == 200
        item = await self.item(client, kit, calzone)
        assert (item["remaining"], item["is_available"]) == (0, False)
        events = [
            e.payload
            for e in await outbox(session, kit.restaurant.id)
            if e.type == "menu.item.remaining"
        ]
        assert [(e["remaining"], e["is_available"]) for e in events] == [(2, True), (0, False)]

        # at zero an order is refused (86'd) and nothing is written
        lines_before = await session.scalar(
            select(func.count())
            .select_from(OrderItem)
            .where(OrderItem.restaurant_id == kit.restaurant.id)
        )
        refused = await table.add([line(calzone)])
        assert_problem(refused, 409, "item-unavailable")
        assert (
            await session.scalar(
                select(func.count())
                .select_from(OrderItem)
                .where(OrderItem.restaurant_id == kit.restaurant.id)
            )
            == lines_before
        )

        # the kitchen makes five more: back on the menu, counting down again
        raised = await client.put(
            self.availability(kit, calzone), json={"remaining": 5}, headers=kit.cook.headers
        )
        assert (raised.json()["remaining"], raised.json()["is_available"]) == (5, True)
        assert (await table.add([line(calzone)])).status_code == 200
        assert (await self.item(client, kit, calzone))["remaining"] == 4

    async def test_an_order_for_more_than_is_left_is_refused_whole(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        margherita, calzone, _ = await dishes(session, kit)
        await session.commit()
        for dish, left in ((margherita, 5), (calzone, 2)):
            response = await client.put(
                self.availability(kit, dish), json={"remaining": left}, headers=kit.cook.headers
            )
            assert response.status_code == 200, response.text
        table_id = await make_table(session, kit.restaurant, name="8")
        await session.commit()
        refused = await client.post(
            f"/api/v1/restaurants/{kit.restaurant.id}/orders",
            json={
                "kind": "dine_in",
                "table_id": table_id,
                "items": [line(margherita), line(calzone, 2), line(calzone)],
            },
            headers=kit.waiter.headers,
        )
        body = assert_problem(refused, 409, "not-enough-left")
        assert (body["menu_item_id"], body["remaining"], body["requested"]) == (calzone.id, 2, 3)
        assert "Calzone" in body["detail"]
        # no order, no line, and neither count moved (the margherita's neither)
        assert (await self.item(client, kit, margherita))["remaining"] == 5
        assert (await self.item(client, kit, calzone))["remaining"] == 2
        assert (
            await session.scalar(
                select(func.count())
                .select_from(OrderItem)
                .where(OrderItem.restaurant_id == kit.restaurant.id)
            )
            == 0
        )

    async def test_86_and_un_86_with_counts(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        _, calzone, _ = await dishes(session, kit)
        await session.commit()
        url = self.availability(kit, calzone)
        headers = kit.cook.headers
        zero = await client.put(url, json={"remaining": 0}, headers=headers)
        assert (zero.json()["remaining"], zero.json()["is_available"]) == (0, False)
        # un-86 without a count: unlimited again
        back = await client.put(url, json={"is_available": True}, headers=headers)
        assert (back.json()["remaining"], back.json()["is_available"]) == (None, True)
        # 86 keeps a count; a count with is_available false stays 86'd
        held = await client.put(url, json={"is_available": False, "remaining": 4}, headers=headers)
        assert (held.json()["remaining"], held.json()["is_available"]) == (4, False)
        uncounted = await client.put(url, json={"remaining": None}, headers=headers)
        assert (uncounted.json()["remaining"], uncounted.json()["is_available"]) == (None, True)
        events = [
            e.payload
            for e in await outbox(session, kit.restaurant.id)
            if e.type == "menu.item.availability"
        ]
        assert [(e["is_available"], e["remaining"]) for e in events] == [
            (False, 0),
            (True, None),
            (False, 4),
            (True, None),
        ]

    async def test_bad_counts_and_who_may_set_them(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        _, calzone, _ = await dishes(session, kit)
        await session.commit()
        url = self.availability(kit, calzone)
        for body in (
            {},
            {"remaining": -1},
            {"is_available": True, "remaining": 0},
            {"is_available": None},
        ):
            assert_problem(
                await client.put(url, json=body, headers=kit.cook.headers), 422, "validation-error"
            )
        denied = await client.put(url, json={"remaining": 3}, headers=kit.waiter.headers)
        assert_problem(denied, 403, "permission-denied")
        assert (await self.item(client, kit, calzone))["remaining"] is None
