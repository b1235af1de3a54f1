"""Outbox tables: every committed domain event and each restaurant's last ``seq``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from brigade.infra.db import Base, IdType, UTCDateTime


class EventSequence(Base):
    """The last ``seq`` handed out in one restaurant.

    Incremented with ``UPDATE ... RETURNING`` inside the writing transaction; the row lock
    it takes orders a restaurant's events in commit order on PostgreSQL, and SQLite has
    one writer anyway.
    """

    __tablename__ = "event_sequences"

    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE"), primary_key=True
    )
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class OutboxEvent(Base):
    """One domain event, written in the transaction that caused it."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        UniqueConstraint("restaurant_id", "seq"),
        Index("ix_outbox_events_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(64))
    station: Mapped[str | None] = mapped_column(String(64), default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
