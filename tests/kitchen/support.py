"""Helpers of the kitchen tests: orders with fired lines.

``fire_order`` goes end to end: it puts the lines' dishes on the menu, opens the order
through ``POST R/orders`` and fires it through ``POST .../send`` (and
``.../courses/{n}/fire`` for later courses) as a waiter, then reads the tickets the
kitchen screen sees. ``fire_direct`` writes an order and its lines with small direct
inserts and calls :func:`brigade.kitchen.service.create_tickets` itself, as the orders
service does: the service tests use it, and so do tests that need another restaurant's
tickets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from httpx import AsyncClient
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.events.models import OutboxEvent
from brigade.events.outbox import number_queued
from brigade.infra.db import utcnow
from brigade.kitchen.schemas import TicketRead
from brigade.kitchen.service import create_tickets
from brigade.orders.hooks import FiredLine
from brigade.orders.models import Order, OrderItem
from tests.factories import make_menu_item, make_modifier_group, make_table
from tests.kitchen.conftest import Kitchen


@dataclass
class Line:
    """A line to fire (prices in minor units)."""

    name: str
    station: str = "grill"
    course: int = 1
    quantity: int = 1
    variation_name: str = ""
    notes: str = ""
    seat: int | None = None
    modifiers: list[dict[str, Any]] = field(default_factory=list)


async def fire_direct(
    session: AsyncSession,
    restaurant_id: int,
    lines: list[Line],
    *,
    table_name: str | None = "T1",
) -> list[TicketRead]:
    """An open order with ``lines`` fired; returns the tickets ``create_tickets`` made."""
    now = utcnow()
    order_id = (
        await session.execute(
            insert(Order)
            .values(
                restaurant_id=restaurant_id,
                kind="takeaway",
                status="open",
                opened_at=now,
                sent_at=now,
                business_date=now.date(),
            )
            .returning(Order.id)
        )
    ).scalar_one()
    if not lines:
        return await create_tickets(session, restaurant_id, order_id, table_name, [])
    ids = list(
        (
            await session.execute(
                insert(OrderItem).returning(OrderItem.id, sort_by_parameter_order=True),
                [
                    {
                        "restaurant_id": restaurant_id,
                        "order_id": order_id,
                        "name": line.name,
                        "variation_name": line.variation_name,
                        "station": line.station,
                        "unit_price": 1000,
                        "modifiers": line.modifiers,
                        "modifiers_total": sum(m["price_delta"] for m in line.modifiers),
                        "quantity": line.quantity,
                        "line_total": 1000 * line.quantity,
                        "notes": line.notes,
                        "seat": line.seat,
                        "course": line.course,
                        "status": "fired",
                        "created_at": now,
                        "fired_at": now,
                    }
                    for line in lines
                ],
            )
        ).scalars()
    )
    return await create_tickets(
        session,
        restaurant_id,
        order_id,
        table_name,
        [
            FiredLine(
                order_item_id=item_id,
                name=line.name,
                variation_name=line.variation_name,
                quantity=line.quantity,
                modifiers=line.modifiers,
                notes=line.notes,
                seat=line.seat,
                course=line.course,
                station=line.station,
            )
            for item_id, line in zip(ids, lines, strict=True)
        ],
    )


async def outbox(session: AsyncSession, restaurant_id: int) -> list[OutboxEvent]:
    """The restaurant's outbox rows, by ``seq`` (events this transaction recorded are
    numbered first, as its commit would)."""
    await number_queued(session)
    rows = await session.execute(
        select(OutboxEvent)
        .where(OutboxEvent.restaurant_id == restaurant_id)
        .order_by(OutboxEvent.seq)
        .execution_options(populate_existing=True)
    )
    return list(rows.scalars())


async def fire_order(
    client: AsyncClient,
    session: AsyncSession,
    kit: Kitchen,
    lines: list[Line],
    *,
    table_name: str | None = None,
) -> list[TicketRead]:
    """Open an order with ``lines`` and fire all of them through the order routes.

    Each line's dish is put on the menu (station, one variation named
    ``variation_name`` or ``Regular``, its modifiers as a group); the order is dine-in at
    a new table called ``table_name`` when given, else takeaway. Returns the order's
    tickets as the kitchen reads them, by (course, station).
    """
    restaurant = kit.restaurant
    items: list[dict[str, Any]] = []
    for line in lines:
        size = line.variation_name or "Regular"
        dish = await make_menu_item(
            session, restaurant, name=line.name, station=line.station, prices={size: 1000}
        )
        modifier_ids: list[int] = []
        if line.modifiers:
            ids = await make_modifier_group(
                session,
                restaurant,
                items=[dish.id],
                modifiers={m["name"]: m["price_delta"] for m in line.modifiers},
                max_choices=len(line.modifiers),
            )
            modifier_ids = list(ids.values())
        items.append(
            {
                "menu_item_id": dish.id,
                "variation_id": dish.variations[size],
                "modifier_ids": modifier_ids,
                "quantity": line.quantity,
                "notes": line.notes,
                "seat": line.seat,
                "course": line.course,
            }
        )
    body: dict[str, Any] = {"kind": "takeaway", "items": items}
    if table_name is not None:
        table_id = await make_table(session, restaurant, name=table_name)
        body = {"kind": "dine_in", "table_id": table_id, "items": items}
    await session.commit()
    headers = kit.waiter.headers
    orders = f"/api/v1/restaurants/{restaurant.id}/orders"
    response = await client.post(orders, json=body, headers=headers)
    assert response.status_code == 201, response.text
    order_id = response.json()["id"]
    if any(line.course == 1 for line in lines):
        response = await client.post(f"{orders}/{order_id}/send", headers=headers)
        assert response.status_code == 200, response.text
    for course in sorted({line.course for line in lines} - {1}):
        response = await client.post(
            f"{orders}/{order_id}/courses/{course}/fire", json={"confirm": True}, headers=headers
        )
        assert response.status_code == 200, response.text
    listed = await client.get(kit.url(), params={"status": "all"}, headers=kit.cook.headers)
    assert listed.status_code == 200, listed.text
    tickets = [
        TicketRead.model_validate(t) for t in listed.json()["items"] if t["order_id"] == order_id
    ]
    return sorted(tickets, key=lambda t: (t.course, t.station))


async def void_line(client: AsyncClient, kit: Kitchen, ticket: TicketRead, index: int) -> None:
    """Void the ``index``-th line of ``ticket`` through the order route, as a waiter."""
    item = ticket.items[index]
    response = await client.post(
        f"/api/v1/restaurants/{kit.restaurant.id}/orders/{ticket.order_id}"
        f"/items/{item.order_item_id}/void",
        json={"reason": "guest changed their mind"},
        headers=kit.waiter.headers,
    )
    assert response.status_code == 200, response.text
