"""``Idempotency-Key`` support: a retried create or payment returns the first answer.

The first request with a key stores its response in the same transaction as its writes;
a retry with the same key and the same request gets that response back (with header
``Idempotent-Replayed: true``); the same key with a different request is a 422
``idempotency-key-reused`` (draft-ietf-httpapi-idempotency-key-header).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from brigade.db import Base, IdType, UTCDateTime, utcnow
from brigade.errors import BrigadeError

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(BrigadeError):
    status = 422
    type = "idempotency-key-reused"
    title = "Idempotency-Key reused for a different request"


class IdempotencyRecord(Base):
    """A stored response for ``(restaurant_id, actor, key)``."""

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


def fingerprint(method: str, path: str, body: Any) -> str:
    """SHA-256 of the request's method, path and canonical JSON body."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


async def replay(
    session: AsyncSession, restaurant_id: int, actor: str, key: str, fp: str
) -> tuple[int, Any] | None:
    """The stored ``(status_code, body)`` for this key, or ``None`` if it is new.

    Raises :class:`IdempotencyKeyReused` when the key was used for another request.
    """
    row = (
        await session.execute(
            select(
                IdempotencyRecord.fingerprint,
                IdempotencyRecord.status_code,
                IdempotencyRecord.body,
            ).where(
                IdempotencyRecord.restaurant_id == restaurant_id,
                IdempotencyRecord.actor == actor,
                IdempotencyRecord.key == key,
            )
        )
    ).first()
    if row is None:
        return None
    if row.fingerprint != fp:
        raise IdempotencyKeyReused(f"key {key!r} was first used for a different request")
    return row.status_code, row.body


async def remember(
    session: AsyncSession,
    restaurant_id: int,
    actor: str,
    key: str,
    fp: str,
    status_code: int,
    body: Any,
) -> None:
    """Store the response of the first request with ``key`` (same transaction)."""
    await session.execute(
        insert(IdempotencyRecord).values(
            restaurant_id=restaurant_id,
            actor=actor,
            key=key,
            fingerprint=fp,
            status_code=status_code,
            body=body,
            created_at=utcnow(),
        )
    )
