"""The stored answers of requests sent with an ``Idempotency-Key``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from brigade.infra.db import Base, IdType, UTCDateTime

#: Longest ``Idempotency-Key`` accepted (characters).
MAX_KEY_LENGTH = 255


class IdempotencyRecord(Base):
    """The answer for ``(restaurant_id, actor, key)``: ``status_code`` 0 and no ``body``
    while the claiming request runs, its status and JSON body once it committed."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("restaurant_id", "actor", "key"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    actor: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
