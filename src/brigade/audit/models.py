"""The audit trail's one table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from brigade.infra.db import Base, IdType, UTCDateTime


class AuditEntry(Base):
    """One audited fact, written in the same transaction as the change it tells of
    (:mod:`brigade.audit.trail`).

    ``restaurant_id`` is ``NULL`` for the platform's own trail: logins (successful and
    failed: a login belongs to no restaurant) and what the platform admin does to
    logins across restaurants; only the platform admin reads those. ``user_id`` is who
    did it (``NULL``: an API token, named in ``actor``, or the system), ``actor`` a
    short label (``user:5``, ``token:2``, ``system``; for a failed login the username
    tried), ``address`` the client's IP address. ``kind`` is one of
    :data:`brigade.audit.trail.KINDS`; ``subject`` names what changed (``order_item:12``);
    ``before``/``after`` are JSON (``NULL`` when there is nothing to show).
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_restaurant_id_created_at", "restaurant_id", "created_at"),
        Index("ix_audit_entries_restaurant_id_user_id", "restaurant_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE"), nullable=True
    )
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    actor: Mapped[str] = mapped_column(String(160))
    address: Mapped[str | None] = mapped_column(String(64), nullable=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(100), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    after: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
