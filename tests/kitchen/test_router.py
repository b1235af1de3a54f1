"""The kitchen screens' HTTP API: listing tickets, ticket steps and line steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.permissions import Role
from brigade.kitchen.schemas import TicketRead
from brigade.orders.models import OrderItem
from brigade.restaurants.models import Restaurant
from brigade.runtime import Runtime
from tests.kitchen.conftest import Kitchen, member
from tests.kitchen.support import Line, fire_direct, fire_order, outbox, void_line

PROBLEM = "https://brigade.dev/problems/"


def assert_problem(response: Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == PROBLEM + slug
    return body


def utc(value: str | None) -> datetime:
    """Parse a timestamp of the API and check it is aware UTC and recent."""
    assert value is not None
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - parsed) < timedelta(minutes=5)
    return parsed


async def order_line_statuses(session: AsyncSession, ticket: TicketRead) -> list[str]:
    ids = [item.order_item_id for item in ticket.items]
    rows = await session.execute(
        select(OrderItem.id, OrderItem.status).where(OrderItem.id.in_(ids))
    )
    by_id = {row.id: row.status for row in rows}
    return [by_id[i] for i in ids]


async def one_ticket(
    client: AsyncClient, session: AsyncSession, kit: Kitchen, *names: str
) -> TicketRead:
    """The ticket of an order of ``names`` (default one burger), fired to the grill."""
    lines = [Line(n) for n in names or ("Burger",)]
    (ticket,) = await fire_order(client, session, kit, lines)
    return ticket


class TestListTickets:
    async def test_unauthenticated(self, client: AsyncClient, kit: Kitchen) -> None:
        assert_problem(await client.get(kit.url()), 401, "not-authenticated")

    async def test_other_restaurant(self, client: AsyncClient, kit: Kitchen) -> None:
        response = await client.get(kit.url(), headers=kit.outsider.headers)
        assert_problem(response, 404, "not-found")

    async def test_role_without_permission(self, client: AsyncClient, kit: Kitchen) -> None:
        response = await client.get(kit.url(), headers=kit.cashier.headers)
        assert_problem(response, 403, "permission-denied")

    async def test_routes_lines_by_station(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        await fire_order(client, session, kit, [Line("Burger", "grill"), Line("Beer", "bar")])
        response = await client.get(kit.url(), headers=kit.cook.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == 2
        assert {(t["station"], t["items"][0]["name"]) for t in body["items"]} == {
            ("grill", "Burger"),
            ("bar", "Beer"),
        }
        bar = await client.get(kit.url(), params={"station": "bar"}, headers=kit.cook.headers)
        assert [t["items"][0]["name"] for t in bar.json()["items"]] == ["Beer"]
        assert bar.json()["total"] == 1

    async def test_waiter_may_read(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        await one_ticket(client, session, kit)
        response = await client.get(kit.url(), headers=kit.waiter.headers)
        assert response.status_code == 200, response.text
        assert response.json()["total"] == 1

    async def test_open_oldest_first_and_bumped_leave(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        first = await one_ticket(client, session, kit, "First")
        second = await one_ticket(client, session, kit, "Second")
        third = await one_ticket(client, session, kit, "Third")
        headers = kit.cook.headers
        assert (
            await client.post(kit.url(f"/{second.id}/bump"), headers=headers)
        ).status_code == 200

        open_ = (await client.get(kit.url(), headers=headers)).json()
        assert [t["id"] for t in open_["items"]] == [first.id, third.id]
        assert open_["total"] == 2
        everything = (await client.get(kit.url(), params={"status": "all"}, headers=headers)).json()
        assert [t["id"] for t in everything["items"]] == [first.id, second.id, third.id]

        assert (
            await client.post(kit.url(f"/{second.id}/recall"), headers=headers)
        ).status_code == 200
        open_ = (await client.get(kit.url(), headers=headers)).json()
        assert [t["id"] for t in open_["items"]] == [first.id, second.id, third.id]

    async def test_items_show_what_the_cook_needs(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        mods = [{"id": 3, "name": "Extra cheese", "price_delta": 150}]
        (ticket,) = await fire_order(
            client,
            session,
            kit,
            [
                Line(
                    "Pizza",
                    quantity=2,
                    variation_name="L",
                    modifiers=mods,
                    notes="well done",
                    seat=3,
                ),
                Line("Fries"),
            ],
            table_name="Terrace 4",
        )
        await void_line(client, kit, ticket, 1)
        body = (await client.get(kit.url(), headers=kit.cook.headers)).json()
        (listed,) = body["items"]
        assert listed["table_name"] == "Terrace 4"
        assert listed["order_id"] == ticket.order_id
        pizza, fries = listed["items"]
        assert pizza["name"] == "Pizza"
        assert pizza["variation_name"] == "L"
        assert pizza["quantity"] == 2
        assert [(m["name"], m["price_delta"]) for m in pizza["modifiers"]] == [
            ("Extra cheese", 150)
        ]
        assert (pizza["notes"], pizza["seat"], pizza["voided"]) == ("well done", 3, False)
        assert (fries["voided"], fries["status"]) == (True, "voided")

    async def test_never_lists_another_restaurant(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        await fire_direct(session, kit.other.id, [Line("Secret")])
        body = (await client.get(kit.url(), headers=kit.cook.headers)).json()
        assert body == {"items": [], "total": 0}

    async def test_pages(self, client: AsyncClient, session: AsyncSession, kit: Kitchen) -> None:
        tickets = [await one_ticket(client, session, kit, f"Dish {i}") for i in range(3)]
        params = {"limit": 2, "offset": 1}
        body = (await client.get(kit.url(), params=params, headers=kit.cook.headers)).json()
        assert [t["id"] for t in body["items"]] == [tickets[1].id, tickets[2].id]
        assert body["total"] == 3
        params = {"limit": 2, "offset": 5}
        body = (await client.get(kit.url(), params=params, headers=kit.cook.headers)).json()
        assert body == {"items": [], "total": 3}

    async def test_unknown_status_filter(self, client: AsyncClient, kit: Kitchen) -> None:
        response = await client.get(kit.url(), params={"status": "done"}, headers=kit.cook.headers)
        assert_problem(response, 422, "validation-error")


class TestGetTicket:
    async def test_unauthenticated(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit)
        assert_problem(await client.get(kit.url(f"/{ticket.id}")), 401, "not-authenticated")

    async def test_other_restaurant(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit)
        response = await client.get(kit.url(f"/{ticket.id}"), headers=kit.outsider.headers)
        assert_problem(response, 404, "not-found")
        # the outsider's own restaurant does not hold it either
        response = await client.get(
            kit.url(f"/{ticket.id}", restaurant_id=kit.other.id), headers=kit.outsider.headers
        )
        assert_problem(response, 404, "not-found")

    async def test_role_without_permission(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit)
        response = await client.get(kit.url(f"/{ticket.id}"), headers=kit.cashier.headers)
        assert_problem(response, 403, "permission-denied")

    async def test_reads_the_ticket(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit, "Burger", "Fries")
        response = await client.get(kit.url(f"/{ticket.id}"), headers=kit.waiter.headers)
        assert response.status_code == 200, response.text
        assert response.json() == ticket.model_dump(mode="json")

    async def test_unknown_ticket(self, client: AsyncClient, kit: Kitchen) -> None:
        response = await client.get(kit.url("/999999"), headers=kit.cook.headers)
        assert_problem(response, 404, "not-found")


class TestTicketSteps:
    async def test_unauthenticated(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit)
        assert_problem(await client.post(kit.url(f"/{ticket.id}/bump")), 401, "not-authenticated")

    async def test_other_restaurant(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit)
        response = await client.post(kit.url(f"/{ticket.id}/bump"), headers=kit.outsider.headers)
        assert_problem(response, 404, "not-found")
        response = await client.post(
            kit.url(f"/{ticket.id}/bump", restaurant_id=kit.other.id),
            headers=kit.outsider.headers,
        )
        assert_problem(response, 404, "not-found")
        assert (await self._status(client, kit, ticket.id)) == "new"

    @pytest.mark.parametrize("action", ["start", "ready", "bump", "recall"])
    async def test_waiter_may_not_bump(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen, action: str
    ) -> None:
        ticket = await one_ticket(client, session, kit)
        response = await client.post(kit.url(f"/{ticket.id}/{action}"), headers=kit.waiter.headers)
        assert_problem(response, 403, "permission-denied")
        assert (await self._status(client, kit, ticket.id)) == "new"

    async def test_start_ready_bump_recall(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit, "Burger", "Fries")
        headers = kit.cook.headers

        started = (await client.post(kit.url(f"/{ticket.id}/start"), headers=headers)).json()
        assert (started["status"], started["version"]) == ("preparing", 2)
        started_at = utc(started["started_at"])
        assert [i["status"] for i in started["items"]] == ["preparing", "preparing"]
        assert all(utc(i["started_at"]) == started_at for i in started["items"])
        assert await order_line_statuses(session, ticket) == ["preparing", "preparing"]

        ready = (await client.post(kit.url(f"/{ticket.id}/ready"), headers=headers)).json()
        assert (ready["status"], ready["version"]) == ("ready", 3)
        ready_at = utc(ready["ready_at"])
        assert ready_at >= started_at
        assert utc(ready["started_at"]) == started_at
        assert [i["status"] for i in ready["items"]] == ["ready", "ready"]
        assert await order_line_statuses(session, ticket) == ["ready", "ready"]

        bumped = (await client.post(kit.url(f"/{ticket.id}/bump"), headers=headers)).json()
        assert (bumped["status"], bumped["version"]) == ("bumped", 4)
        assert utc(bumped["bumped_at"]) >= ready_at
        assert [i["status"] for i in bumped["items"]] == ["bumped", "bumped"]
        assert await order_line_statuses(session, ticket) == ["ready", "ready"]

        recalled = (await client.post(kit.url(f"/{ticket.id}/recall"), headers=headers)).json()
        assert (recalled["status"], recalled["version"]) == ("ready", 5)
        assert utc(recalled["recalled_at"]) >= utc(bumped["bumped_at"])
        assert [i["status"] for i in recalled["items"]] == ["ready", "ready"]
        assert await order_line_statuses(session, ticket) == ["preparing", "preparing"]

        again = (await client.post(kit.url(f"/{ticket.id}/bump"), headers=headers)).json()
        assert (again["status"], again["version"]) == ("bumped", 6)
        assert utc(again["bumped_at"]) >= utc(recalled["recalled_at"])

    async def test_bump_straight_from_new(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit)
        response = await client.post(kit.url(f"/{ticket.id}/bump"), headers=kit.cook.headers)
        body = response.json()
        assert body["status"] == "bumped"
        assert body["started_at"] is None
        assert body["ready_at"] is None
        utc(body["bumped_at"])
        assert await order_line_statuses(session, ticket) == ["ready"]

    @pytest.mark.parametrize(
        ("before", "action", "from_status", "to_status"),
        [
            ([], "recall", "new", "ready"),
            (["start"], "start", "preparing", "preparing"),
            (["ready"], "start", "ready", "preparing"),
            (["ready"], "ready", "ready", "ready"),
            (["bump"], "bump", "bumped", "bumped"),
            (["bump"], "ready", "bumped", "ready"),
            (["start"], "recall", "preparing", "ready"),
        ],
    )
    async def test_illegal_transition(
        self,
        client: AsyncClient,
        session: AsyncSession,
        kit: Kitchen,
        before: list[str],
        action: str,
        from_status: str,
        to_status: str,
    ) -> None:
        ticket = await one_ticket(client, session, kit)
        headers = kit.cook.headers
        for step in before:
            assert (await client.post(kit.url(f"/{ticket.id}/{step}"), headers=headers)).is_success
        seen = await client.get(kit.url(f"/{ticket.id}"), headers=headers)
        events_before = len(await outbox(session, kit.restaurant.id))

        response = await client.post(kit.url(f"/{ticket.id}/{action}"), headers=headers)
        body = assert_problem(response, 409, "invalid-ticket-transition")
        assert (body["from_status"], body["to_status"]) == (from_status, to_status)
        assert from_status in body["detail"]
        assert to_status in body["detail"]
        assert (await client.get(kit.url(f"/{ticket.id}"), headers=headers)).json() == seen.json()
        assert len(await outbox(session, kit.restaurant.id)) == events_before

    async def test_version(self, client: AsyncClient, session: AsyncSession, kit: Kitchen) -> None:
        ticket = await one_ticket(client, session, kit)
        headers = kit.cook.headers
        events_before = len(await outbox(session, kit.restaurant.id))
        stale = await client.post(
            kit.url(f"/{ticket.id}/start"), json={"version": 2}, headers=headers
        )
        assert_problem(stale, 409, "stale-version")
        assert (await self._status(client, kit, ticket.id)) == "new"
        assert await order_line_statuses(session, ticket) == ["fired"]
        assert len(await outbox(session, kit.restaurant.id)) == events_before
        fresh = await client.post(
            kit.url(f"/{ticket.id}/start"), json={"version": 1}, headers=headers
        )
        assert fresh.status_code == 200, fresh.text
        assert fresh.json()["version"] == 2
        old = await client.post(
            kit.url(f"/{ticket.id}/ready"), json={"version": 1}, headers=headers
        )
        assert_problem(old, 409, "stale-version")

    async def test_unknown_ticket(self, client: AsyncClient, kit: Kitchen) -> None:
        response = await client.post(kit.url("/999999/start"), headers=kit.cook.headers)
        assert_problem(response, 404, "not-found")

    async def test_voided_line_stays_voided(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit, "Burger", "Fries")
        await void_line(client, kit, ticket, 1)
        body = (await client.post(kit.url(f"/{ticket.id}/bump"), headers=kit.cook.headers)).json()
        assert [(i["status"], i["voided"]) for i in body["items"]] == [
            ("bumped", False),
            ("voided", True),
        ]
        assert body["items"][1]["bumped_at"] is None
        # the voided order line is not touched by the kitchen step
        assert await order_line_statuses(session, ticket) == ["ready", "voided"]

    async def test_events(self, client: AsyncClient, session: AsyncSession, kit: Kitchen) -> None:
        grill, bar = (
            await fire_order(client, session, kit, [Line("Burger"), Line("Beer", "bar")])
        )[::-1]
        headers = kit.cook.headers
        await client.post(kit.url(f"/{grill.id}/start"), headers=headers)
        await client.post(kit.url(f"/{bar.id}/bump"), headers=headers)
        await client.post(kit.url(f"/{bar.id}/recall"), headers=headers)
        last = await client.post(kit.url(f"/{grill.id}/ready"), headers=headers)

        events = [
            e for e in await outbox(session, kit.restaurant.id) if e.type.startswith("ticket.")
        ]
        assert [(e.type, e.station, e.payload.get("action")) for e in events] == [
            ("ticket.created", "bar", "created"),
            ("ticket.created", "grill", "created"),
            ("ticket.updated", "grill", "started"),
            ("ticket.updated", "bar", "bumped"),
            ("ticket.updated", "bar", "recalled"),
            ("ticket.updated", "grill", "ready"),
        ]
        # one seq each, in the order the steps happened; one order's tickets get
        # consecutive seqs (recorded together)
        seqs = [e.seq for e in events]
        assert all(a < b for a, b in zip(seqs, seqs[1:], strict=False))
        assert seqs[1] == seqs[0] + 1
        assert events[-1].payload["ticket"] == last.json()

    async def _status(self, client: AsyncClient, kit: Kitchen, ticket_id: int) -> str:
        response = await client.get(kit.url(f"/{ticket_id}"), headers=kit.cook.headers)
        status: str = response.json()["status"]
        return status


class TestTicketItemSteps:
    async def test_unauthenticated(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit)
        response = await client.post(kit.url(f"/{ticket.id}/items/{ticket.items[0].id}/start"))
        assert_problem(response, 401, "not-authenticated")

    async def test_other_restaurant(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit)
        path = f"/{ticket.id}/items/{ticket.items[0].id}/start"
        response = await client.post(kit.url(path), headers=kit.outsider.headers)
        assert_problem(response, 404, "not-found")
        response = await client.post(
            kit.url(path, restaurant_id=kit.other.id), headers=kit.outsider.headers
        )
        assert_problem(response, 404, "not-found")

    async def test_waiter_may_not_step(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit)
        path = f"/{ticket.id}/items/{ticket.items[0].id}/ready"
        response = await client.post(kit.url(path), headers=kit.waiter.headers)
        assert_problem(response, 403, "permission-denied")

    async def test_ticket_follows_its_lines(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit, "Burger", "Fries")
        burger, fries = ticket.items
        headers = kit.cook.headers

        def path(item_id: int, step: str) -> str:
            return kit.url(f"/{ticket.id}/items/{item_id}/{step}")

        body = (await client.post(path(burger.id, "start"), headers=headers)).json()
        assert [i["status"] for i in body["items"]] == ["preparing", "new"]
        utc(body["items"][0]["started_at"])
        assert body["items"][1]["started_at"] is None
        assert (body["status"], body["version"]) == ("preparing", 2)
        utc(body["started_at"])
        assert await order_line_statuses(session, ticket) == ["preparing", "fired"]

        body = (await client.post(path(burger.id, "ready"), headers=headers)).json()
        assert [i["status"] for i in body["items"]] == ["ready", "new"]
        assert body["status"] == "preparing"
        assert await order_line_statuses(session, ticket) == ["ready", "fired"]

        body = (await client.post(path(fries.id, "ready"), headers=headers)).json()
        assert [i["status"] for i in body["items"]] == ["ready", "ready"]
        assert body["items"][1]["started_at"] is None
        assert body["status"] == "ready"
        utc(body["ready_at"])
        assert await order_line_statuses(session, ticket) == ["ready", "ready"]

        body = (await client.post(path(burger.id, "bump"), headers=headers)).json()
        assert body["status"] == "ready"
        body = (await client.post(path(fries.id, "bump"), headers=headers)).json()
        assert [i["status"] for i in body["items"]] == ["bumped", "bumped"]
        assert (body["status"], body["version"]) == ("bumped", 6)
        utc(body["bumped_at"])
        listed = (await client.get(kit.url(), headers=headers)).json()
        assert listed["total"] == 0

        events = [e for e in await outbox(session, kit.restaurant.id) if e.type == "ticket.updated"]
        assert [e.payload["action"] for e in events] == [
            "item_started",
            "item_ready",
            "item_ready",
            "item_bumped",
            "item_bumped",
        ]
        assert {e.station for e in events} == {"grill"}

    async def test_voided_lines_do_not_hold_the_ticket(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit, "Burger", "Fries")
        await void_line(client, kit, ticket, 1)
        response = await client.post(
            kit.url(f"/{ticket.id}/items/{ticket.items[0].id}/ready"), headers=kit.cook.headers
        )
        assert response.json()["status"] == "ready"

    async def test_illegal_steps(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit, "Burger", "Fries")
        burger, fries = ticket.items
        headers = kit.cook.headers
        await void_line(client, kit, ticket, 1)
        response = await client.post(
            kit.url(f"/{ticket.id}/items/{fries.id}/start"), headers=headers
        )
        body = assert_problem(response, 409, "invalid-ticket-transition")
        assert (body["from_status"], body["to_status"]) == ("voided", "preparing")

        path = kit.url(f"/{ticket.id}/items/{burger.id}/ready")
        assert (await client.post(path, headers=headers)).status_code == 200
        seen = (await client.get(kit.url(f"/{ticket.id}"), headers=headers)).json()
        response = await client.post(
            kit.url(f"/{ticket.id}/items/{burger.id}/start"), headers=headers
        )
        body = assert_problem(response, 409, "invalid-ticket-transition")
        assert (body["from_status"], body["to_status"]) == ("ready", "preparing")
        assert (await client.get(kit.url(f"/{ticket.id}"), headers=headers)).json() == seen

    async def test_line_of_another_ticket(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        first = await one_ticket(client, session, kit, "Burger")
        second = await one_ticket(client, session, kit, "Steak")
        response = await client.post(
            kit.url(f"/{first.id}/items/{second.items[0].id}/start"), headers=kit.cook.headers
        )
        assert_problem(response, 404, "not-found")
        assert (await order_line_statuses(session, second)) == ["fired"]

    async def test_version(self, client: AsyncClient, session: AsyncSession, kit: Kitchen) -> None:
        ticket = await one_ticket(client, session, kit)
        response = await client.post(
            kit.url(f"/{ticket.id}/items/{ticket.items[0].id}/start"),
            json={"version": 7},
            headers=kit.cook.headers,
        )
        assert_problem(response, 409, "stale-version")
        assert (await order_line_statuses(session, ticket)) == ["fired"]


class TestFromOrders:
    """Tickets as the order routes make them: send, later courses, voids."""

    async def test_later_course_gets_its_own_ticket_when_fired(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        tickets = await fire_order(
            client,
            session,
            kit,
            [Line("Soup", course=1), Line("Steak", course=2), Line("Wine", "bar", course=2)],
            table_name="Window",
        )
        assert [(t.course, t.station, [i.name for i in t.items]) for t in tickets] == [
            (1, "grill", ["Soup"]),
            (2, "bar", ["Wine"]),
            (2, "grill", ["Steak"]),
        ]
        assert {t.table_name for t in tickets} == {"Window"}
        # the course-2 tickets came after the first one, with the firing
        assert tickets[0].created_at <= tickets[1].created_at
        created = [
            e for e in await outbox(session, kit.restaurant.id) if e.type == "ticket.created"
        ]
        assert [(e.payload["ticket"]["id"], e.station) for e in created] == [
            (t.id, t.station) for t in tickets
        ]

    async def test_created_event_carries_the_ticket(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit, "Burger", "Fries")
        (event,) = [
            e for e in await outbox(session, kit.restaurant.id) if e.type == "ticket.created"
        ]
        assert event.station == "grill"
        assert event.payload == {"action": "created", "ticket": ticket.model_dump(mode="json")}

    async def test_void_after_firing_flags_the_line(
        self, client: AsyncClient, session: AsyncSession, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit, "Burger", "Fries")
        await void_line(client, kit, ticket, 0)
        body = (await client.get(kit.url(f"/{ticket.id}"), headers=kit.cook.headers)).json()
        assert [(i["name"], i["voided"], i["status"]) for i in body["items"]] == [
            ("Burger", True, "voided"),
            ("Fries", False, "new"),
        ]
        assert body["version"] == 2
        assert body["status"] == "new"
        event = [
            e for e in await outbox(session, kit.restaurant.id) if e.type.startswith("ticket")
        ][-1]
        assert (event.type, event.station, event.payload["action"]) == (
            "ticket.updated",
            "grill",
            "line_voided",
        )
        assert event.payload["ticket"] == body


class TestKitchenScreenToken:
    """A kitchen screen signs in with a restaurant API token; its scopes decide."""

    async def token(
        self,
        client: AsyncClient,
        session: AsyncSession,
        runtime: Runtime,
        restaurant: Restaurant,
        scopes: list[str],
    ) -> dict[str, str]:
        owner = await member(session, runtime, restaurant, Role.owner)
        await session.commit()
        response = await client.post(
            f"/api/v1/restaurants/{restaurant.id}/api-tokens",
            json={"name": "grill screen", "scopes": scopes},
            headers=owner.headers,
        )
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    async def test_read_scope_reads_but_does_not_bump(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit)
        headers = await self.token(client, session, runtime, kit.restaurant, ["kitchen:read"])
        listed = await client.get(kit.url(), params={"station": "grill"}, headers=headers)
        assert [t["id"] for t in listed.json()["items"]] == [ticket.id]
        response = await client.post(kit.url(f"/{ticket.id}/bump"), headers=headers)
        assert_problem(response, 403, "permission-denied")

    async def test_bump_scope_bumps(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit)
        scopes = ["kitchen:read", "kitchen:bump"]
        headers = await self.token(client, session, runtime, kit.restaurant, scopes)
        response = await client.post(kit.url(f"/{ticket.id}/bump"), headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "bumped"

    async def test_other_restaurants_token(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime, kit: Kitchen
    ) -> None:
        ticket = await one_ticket(client, session, kit)
        scopes = ["kitchen:read", "kitchen:bump"]
        headers = await self.token(client, session, runtime, kit.other, scopes)
        assert_problem(await client.get(kit.url(), headers=headers), 404, "not-found")
        response = await client.post(kit.url(f"/{ticket.id}/bump"), headers=headers)
        assert_problem(response, 404, "not-found")
