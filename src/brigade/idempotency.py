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
from typing import Any, cast

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from brigade.db import Base, IdType, UTCDateTime, utcnow
from brigade.errors import BrigadeError, Conflict
from brigade.prepared import Executor, Prepared, dialect_name

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(BrigadeError):
    status = 422
    type = "idempotency-key-reused"
    title = "Idempotency-Key reused for a different request"


class IdempotentRequestInProgress(Conflict):
    """Another request with the same ``Idempotency-Key`` has not finished yet."""

    type = "idempotent-request-in-progress"
    title = "A request with this Idempotency-Key is in progress"


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
    session: Executor, restaurant_id: int, actor: str, key: str, fp: str
) -> tuple[int, Any] | None:
    """The stored ``(status_code, body)`` for this key, or ``None`` if it is new.

    Raises :class:`IdempotencyKeyReused` when the key was used for another request.
    """
    row = await _REPLAY.fetchone(
        session, {"r_restaurant_id": restaurant_id, "r_actor": actor, "r_key": key}
    )
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


# --- claim first, answer last (safe under concurrent retries) ---------------------------

_records = cast(Table, IdempotencyRecord.__table__)
# Built once (they run on every keyed create and payment); values come as parameters.
# Both run on the driver connection (brigade.prepared): their only expected conflict is
# absorbed by ON CONFLICT DO NOTHING, any other database error is a bug (500).
_CLAIM = {
    "postgresql": Prepared(
        postgresql.insert(_records).on_conflict_do_nothing().returning(_records.c.id)
    ),
    "sqlite": Prepared(sqlite.insert(_records).on_conflict_do_nothing().returning(_records.c.id)),
}
_REPLAY = Prepared(
    select(_records.c.fingerprint, _records.c.status_code, _records.c.body).where(
        _records.c.restaurant_id == bindparam("r_restaurant_id"),
        _records.c.actor == bindparam("r_actor"),
        _records.c.key == bindparam("r_key"),
    )
)
_STORE_ANSWER = Prepared(
    update(_records)
    .where(_records.c.id == bindparam("claim_id"))
    .values(status_code=bindparam("answer_status"), body=bindparam("answer_body"))
)


async def claim(
    session: Executor, restaurant_id: int, actor: str, key: str, fp: str
) -> int | tuple[int, Any]:
    """Claim ``key`` for this request before doing any work.

    Returns the id of the new idempotency row (the caller fills in the answer), or the
    stored ``(status_code, body)`` of an earlier request with the same key. On
    PostgreSQL a concurrent request with the same key waits on the unique index until
    the first one commits (then gets its answer) or rolls back (then claims the key).
    Raises ``IdempotencyKeyReused`` (422) for the same key with another request.
    """
    values = {
        "restaurant_id": restaurant_id,
        "actor": actor,
        "key": key,
        "fingerprint": fp,
        "status_code": 0,
        "body": None,
        "created_at": utcnow(),
    }
    claimed: int | None
    upsert = _CLAIM.get(dialect_name(session))
    if upsert is not None:
        claimed = await upsert.scalar(session, values)
    else:  # other servers (always through a session): a savepoint around a plain insert
        if not isinstance(session, AsyncSession):
            raise TypeError("idempotency keys on this database need a session")
        try:
            async with session.begin_nested():
                claimed = (
                    await session.execute(
                        insert(_records).values(**values).returning(_records.c.id)
                    )
                ).scalar_one()
        except IntegrityError:
            claimed = None
    if claimed is not None:
        return claimed
    stored = await replay(session, restaurant_id, actor, key, fp)
    if stored is None or stored[0] == 0:
        raise IdempotentRequestInProgress(f"a request with key {key!r} is still running")
    return stored


async def store_answer(session: Executor, claim_id: int, status_code: int, body: Any) -> None:
    """Fill in the answer of the request that claimed row ``claim_id`` (same transaction)."""
    await _STORE_ANSWER.execute(
        session, {"claim_id": claim_id, "answer_status": status_code, "answer_body": body}
    )
