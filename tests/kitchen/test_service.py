"""The kitchen service functions the orders context calls: create_tickets, void_ticket_line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access, Actor
from brigade.auth.permissions import ROLE_PERMISSIONS, Role
from brigade.kitchen.models import Ticket, TicketItem
from brigade.kitchen.schemas import TicketListStatus
from brigade.kitchen.service import get_ticket, list_tickets, void_ticket_line
from brigade.runtime import Runtime
from tests.factories import make_restaurant
from tests.kitchen.support import Line, fire_direct, outbox


@contextmanager
def statements(runtime: Runtime) -> Iterator[list[str]]:
    """The SQL statements run inside the block (one string per round trip)."""
    seen: list[str] = []

    def remember(*args: object) -> None:
        seen.append(str(args[2]).lstrip())

    engine = runtime.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", remember)


def cook(restaurant_id: int) -> Access:
    return Access(Actor(user_id=1), restaurant_id, Role.kitchen, ROLE_PERMISSIONS[Role.kitchen])


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

    async def test_one_insert_per_table_whatever_the_lines(
        self, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        lines = [
            Line(f"Dish {i}", ("grill", "bar", "cold")[i % 3], course=1 + i % 2) for i in range(12)
        ]
        with statements(runtime) as seen:
            tickets = await fire_direct(session, restaurant.id, lines)
        inserts = [s.split(None, 3)[2] for s in seen if s.upper().startswith("INSERT")]
        assert inserts.count("kitchen_tickets") == 1
        assert inserts.count("kitchen_ticket_items") == 1
        assert len(tickets) == 6
        # every line the tickets report is the stored row of that ticket and order line
        stored = (
            await session.execute(
                select(TicketItem.id, TicketItem.ticket_id, TicketItem.order_item_id).where(
                    TicketItem.restaurant_id == restaurant.id
                )
            )
        ).all()
        reported = [(i.id, t.id, i.order_item_id) for t in tickets for i in t.items]
        assert sorted(reported) == sorted(tuple(row) for row in stored)
        assert [[i.name for i in t.items] for t in tickets][:3] == [
            ["Dish 4", "Dish 10"],  # course 1, bar
            ["Dish 2", "Dish 8"],  # course 1, cold
            ["Dish 0", "Dish 6"],  # course 1, grill
        ]

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


class TestReads:
    async def test_list_is_one_query_with_every_ticket_s_lines(
        self, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        other = await make_restaurant(session)
        await fire_direct(session, other.id, [Line("Secret")])
        first = await fire_direct(session, restaurant.id, [Line("Burger"), Line("Fries")])
        second = await fire_direct(
            session, restaurant.id, [Line("Steak"), Line("Beer", "bar"), Line("Salad")]
        )
        await void_ticket_line(session, restaurant.id, first[0].items[1].order_item_id)
        with statements(runtime) as seen:
            listed = await list_tickets(session, cook(restaurant.id), station="grill")
        assert len(seen) == 1
        assert listed.total == 2
        assert [[(i.name, i.voided) for i in t.items] for t in listed.items] == [
            [("Burger", False), ("Fries", True)],
            [("Steak", False), ("Salad", False)],
        ]
        assert [t.id for t in listed.items] == [first[0].id, second[1].id]
        page = await list_tickets(
            session, cook(restaurant.id), status=TicketListStatus.all, limit=1, offset=2
        )
        assert (page.total, [t.id for t in page.items]) == (3, [second[1].id])
        assert [i.name for i in page.items[0].items] == ["Steak", "Salad"]

    async def test_get_is_one_query(self, session: AsyncSession, runtime: Runtime) -> None:
        restaurant = await make_restaurant(session)
        (ticket,) = await fire_direct(session, restaurant.id, [Line("Burger"), Line("Fries")])
        with statements(runtime) as seen:
            read = await get_ticket(session, cook(restaurant.id), ticket.id)
        assert len(seen) == 1
        assert read == ticket
