"""Claiming an ``Idempotency-Key``, replaying its answer, leaving the answer for the
commit (see :mod:`brigade.idempotency`)."""

from __future__ import annotations

import hashlib
import json
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.events.pending import defer
from brigade.idempotency.exceptions import IdempotencyKeyReused, IdempotentRequestInProgress
from brigade.idempotency.models import IdempotencyRecord
from brigade.infra.db import utcnow
from brigade.infra.prepared import Prepared, dialect_name
from brigade.tenancy import scoped

_records = cast(Table, IdempotencyRecord.__table__)
# Built once (they run on every keyed write); values come as parameters. The claim and
# the replay run on the driver connection (brigade.infra.prepared): the claim's only expected
# conflict is absorbed by ON CONFLICT DO NOTHING, any other database error is a bug.
_CLAIM = {
    "postgresql": Prepared(
        postgresql.insert(_records).on_conflict_do_nothing().returning(_records.c.id)
    ),
    "sqlite": Prepared(sqlite.insert(_records).on_conflict_do_nothing().returning(_records.c.id)),
}
_REPLAY = Prepared(
    scoped(
        select(_records.c.fingerprint, _records.c.status_code, _records.c.body),
        bindparam("r_restaurant_id"),
    ).where(_records.c.actor == bindparam("r_actor"), _records.c.key == bindparam("r_key"))
)
_ANSWER = (
    update(_records)
    .where(_records.c.id == bindparam("claim_id"))
    .values(status_code=bindparam("answer_status"), body=bindparam("answer_body"))
)


def fingerprint(method: str, path: str, body: Any) -> str:
    """SHA-256 (hex) of the request's method, path and canonical JSON body."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


async def replay(
    session: AsyncSession, restaurant_id: int, actor: str, key: str, fp: str
) -> tuple[int, Any] | None:
    """The stored ``(status_code, body)`` for this key (status 0 while its request is
    still running), or ``None`` if it is new.

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


async def claim(
    session: AsyncSession, restaurant_id: int, actor: str, key: str, fp: str
) -> int | tuple[int, Any]:
    """Claim ``key`` for this request before doing any work.

    Returns the id of the new idempotency row (the caller leaves the answer for the
    commit with :func:`defer_answer`), or the stored ``(status_code, body)`` of an
    earlier request with the same key. On PostgreSQL a concurrent request with the same
    key waits on the unique index until the first one commits (then gets its answer) or
    rolls back (then claims the key).

    Raises :class:`IdempotencyKeyReused` (422) for the same key with another request and
    :class:`IdempotentRequestInProgress` (409) while the first one is unanswered.
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
    else:  # other servers: a savepoint around a plain insert
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


def defer_answer(session: AsyncSession, claim_id: int, status_code: int, body: Any) -> None:
    """Store the answer (``status_code``, JSON ``body``, or a
    :class:`~brigade.infra.db.EncodedJSON`) of the request that claimed row ``claim_id``: the
    unit of work writes it at the commit, in the same transaction as the request's
    writes (:func:`brigade.events.pending.defer`)."""
    defer(
        session, _ANSWER, {"claim_id": claim_id, "answer_status": status_code, "answer_body": body}
    )
