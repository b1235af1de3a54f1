"""Helpers of the kitchen tests: orders with fired lines, without the order routes.

``fire_order`` writes an order and its lines with small direct inserts and hands the
lines to :func:`brigade.kitchen.service.create_tickets`, as the orders service does
when it fires them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.db import utcnow
from brigade.events.models import OutboxEvent
from brigade.kitchen.schemas import TicketRead
from brigade.kitchen.service import FiredLine, create_tickets
from brigade.orders.models import Order, OrderItem


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


async def fire_order(
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
    """The restaurant's outbox rows, by ``seq``."""
    rows = await session.execute(
        select(OutboxEvent)
        .where(OutboxEvent.restaurant_id == restaurant_id)
        .order_by(OutboxEvent.seq)
        .execution_options(populate_existing=True)
    )
    return list(rows.scalars())
