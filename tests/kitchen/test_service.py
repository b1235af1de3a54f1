"""The kitchen service functions the orders context calls: create_tickets, void_ticket_line."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.kitchen.models import Ticket, TicketItem
from brigade.kitchen.service import void_ticket_line
from tests.factories import make_restaurant
from tests.kitchen.support import Line, fire_direct, outbox


class TestCreateTickets:
    async def test_one_ticket_per_station_and_course(self, session: AsyncSession) -> None:
        restaurant = await make_restaurant(session)
        mods = [{"id": 7, "name": "Extra cheese", "price_delta": 150}]
        tickets = await fire_direct(
            session,
            restaurant.id,
            [
                Line("Burger", "grill", modifiers=mods, notes="no onion", seat=2),
                Line("Beer", "bar"),
                Line("Steak", "grill", quantity=2),
                Line("Cake", "grill", course=2),
            ],
            table_name="T7",
        )
        assert [(t.course, t.station) for t in tickets] == [(1, "bar"), (1, "grill"), (2, "grill")]
        bar, grill, dessert = tickets
        assert [i.name for i in bar.items] == ["Beer"]
        assert [(i.name, i.quantity) for i in grill.items] == [("Burger", 1), ("Steak", 2)]
        burger = grill.items[0]
        assert burger.modifiers[0].name == "Extra cheese"
        assert (burger.notes, burger.seat, burger.voided) == ("no onion", 2, False)
        assert [i.name for i in dessert.items] == ["Cake"]
        assert all(t.status == "new" and t.version == 1 and t.table_name == "T7" for t in tickets)
        assert all(t.created_at.utcoffset() is not None for t in tickets)

        stored = (
            await session.execute(
                select(Ticket.id, Ticket.station).where(Ticket.restaurant_id == restaurant.id)
            )
        ).all()
        assert sorted(stored) == sorted((t.id, t.station) for t in tickets)
        item_ids = (
            await session.scalars(
                select(TicketItem.id)
                .where(TicketItem.ticket_id == grill.id)
                .order_by(TicketItem.id)
            )
        ).all()
        assert item_ids == [i.id for i in grill.items]

    async def test_records_one_created_event_per_ticket(self, session: AsyncSession) -> None:
        restaurant = await make_restaurant(session)
        tickets = await fire_direct(session, restaurant.id, [Line("Burger"), Line("Beer", "bar")])
        events = await outbox(session, restaurant.id)
        assert [(e.type, e.station) for e in events] == [
            ("ticket.created", "bar"),
            ("ticket.created", "grill"),
        ]
        assert [e.seq for e in events] == [1, 2]
        assert [e.payload["ticket"]["id"] for e in events] == [t.id for t in tickets]
        assert events[1].payload["ticket"]["items"][0]["name"] == "Burger"

    async def test_no_lines_no_tickets(self, session: AsyncSession) -> None:
        restaurant = await make_restaurant(session)
        assert await fire_direct(session, restaurant.id, []) == []
        assert await outbox(session, restaurant.id) == []


class TestVoidTicketLine:
    async def test_flags_the_line_and_records_update(self, session: AsyncSession) -> None:
        restaurant = await make_restaurant(session)
        (ticket,) = await fire_direct(session, restaurant.id, [Line("Burger"), Line("Fries")])
        fries = ticket.items[1]
        await void_ticket_line(session, restaurant.id, fries.order_item_id)
        status = await session.scalar(select(TicketItem.status).where(TicketItem.id == fries.id))
        assert status == "voided"
        version = await session.scalar(select(Ticket.version).where(Ticket.id == ticket.id))
        assert version == 2
        event = (await outbox(session, restaurant.id))[-1]
        assert (event.type, event.station, event.payload["action"]) == (
            "ticket.updated",
            "grill",
            "line_voided",
        )
        voided = {i["name"]: i["voided"] for i in event.payload["ticket"]["items"]}
        assert voided == {"Burger": False, "Fries": True}

    async def test_twice_or_unfired_changes_nothing(self, session: AsyncSession) -> None:
        restaurant = await make_restaurant(session)
        (ticket,) = await fire_direct(session, restaurant.id, [Line("Burger")])
        line = ticket.items[0]
        await void_ticket_line(session, restaurant.id, line.order_item_id)
        before = len(await outbox(session, restaurant.id))
        await void_ticket_line(session, restaurant.id, line.order_item_id)
        await void_ticket_line(session, restaurant.id, 999_999)
        assert len(await outbox(session, restaurant.id)) == before

    async def test_other_restaurant_line_is_untouched(self, session: AsyncSession) -> None:
        restaurant = await make_restaurant(session)
        other = await make_restaurant(session)
        (ticket,) = await fire_direct(session, restaurant.id, [Line("Burger")])
        await void_ticket_line(session, other.id, ticket.items[0].order_item_id)
        status = await session.scalar(
            select(TicketItem.status).where(TicketItem.id == ticket.items[0].id)
        )
        assert status == "new"
