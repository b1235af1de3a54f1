"""Kitchen tickets: the fired lines of one order's course for one station."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from brigade.infra.db import Base, IdType, UTCDateTime


class Ticket(Base):
    """A ticket on a station's screen.

        ``status``: ``new → preparing → ready → bumped`` (recall puts a bumped ticket back
        to ``ready``); each step is timestamped in UTC. ``table_name`` and ``waiter_name`` (the
    full name of the staff member who opened the order, ``None`` without one) are
    snapshots.
    """

    __tablename__ = "kitchen_tickets"
    __table_args__ = (
        Index(
            "ix_kitchen_tickets_restaurant_id_station_status", "restaurant_id", "station", "status"
        ),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    order_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    station: Mapped[str] = mapped_column(String(64))
    course: Mapped[int] = mapped_column(Integer, default=1)
    table_name: Mapped[str | None] = mapped_column(String(50), default=None)
    waiter_name: Mapped[str | None] = mapped_column(String(200), default=None)
    status: Mapped[str] = mapped_column(String(16), default="new")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    bumped_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    recalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class TicketItem(Base):
    """One order line on a ticket, with its own kitchen steps (UTC timestamps).

    ``name``, ``variation_name``, ``quantity``, ``modifiers`` (``[{"id", "name",
    "price_delta"}]``), ``notes`` and ``seat`` are the kitchen's snapshot of the order
    line when it was fired (an order line's snapshot never changes), so that the kitchen
    reads its own tables only.
    """

    __tablename__ = "kitchen_ticket_items"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    ticket_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("kitchen_tickets.id", ondelete="CASCADE"), index=True
    )
    order_item_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("order_items.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200), server_default="")
    variation_name: Mapped[str] = mapped_column(String(100), server_default="")
    quantity: Mapped[int] = mapped_column(Integer, server_default="1")
    modifiers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, server_default="[]")
    notes: Mapped[str] = mapped_column(Text, server_default="")
    seat: Mapped[int | None] = mapped_column(Integer, default=None)
    status: Mapped[str] = mapped_column(String(16), default="new")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    bumped_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
