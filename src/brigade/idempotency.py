"""``Idempotency-Key`` support: a retried write returns the first answer.

The first request with a key stores its response in the same transaction as its writes;
a retry with the same key and the same request gets that response back (with header
``Idempotent-Replayed: true``); the same key with a different request is a 422
``idempotency-key-reused`` (draft-ietf-httpapi-idempotency-key-header).

Keys are scoped per ``(restaurant, actor)``: another user, API token or restaurant may
use the same key for its own request. The key is claimed first (:func:`claim`), the
answer stored last (:func:`store_answer`), both in the request's transaction: a request
that fails (any 4xx or 5xx) rolls its claim back with its other writes, so nothing is
stored for it and a retry with the same key runs the request again.

Order creation and payments call :func:`claim` / :func:`store_answer` in their services
(creation also runs on the fast path without a session; on PostgreSQL it claims the key
in its order insert, :data:`CLAIMED_PG`, and answers a taken key with :func:`taken`).
The other REST writes take the :data:`Idempotent` dependency and wrap their service call
in :meth:`IdempotentWrite.run`, one mechanism for every such route.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar, cast

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
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

from brigade.auth.dependencies import Access, SessionDep
from brigade.db import Base, IdType, UTCDateTime, utcnow
from brigade.errors import BrigadeError, Conflict
from brigade.events.outbox import CommitWrite, defer_write, event_statement_with
from brigade.prepared import Executor, Prepared, dialect_name

HEADER = "Idempotency-Key"
#: Response header set to ``true`` on a replayed answer.
REPLAYED_HEADER = "Idempotent-Replayed"
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
_ANSWER = (
    update(_records)
    .where(_records.c.id == bindparam("claim_id"))
    .values(status_code=bindparam("answer_status"), body=bindparam("answer_body"))
)
_STORE_ANSWER = Prepared(_ANSWER)
# PostgreSQL: the answer written by the statement that numbers and writes the request's
# one event (brigade.events.outbox.defer_write), one round trip instead of two.
_STORE_ANSWER_WITH_EVENT = Prepared(event_statement_with(_ANSWER.cte("answered")))


#: PostgreSQL: the claim as a data-modifying CTE (``claimed``, one ``id`` row when the key
#: was claimed, none when it was taken), for a statement that does the request's first
#: write only if the claim succeeded, in the same round trip (order placement's insert;
#: see :func:`claim_params` and :func:`taken`). Its parameters start with ``k_``.
CLAIMED_PG = (
    postgresql.insert(_records)
    .values(
        restaurant_id=bindparam("k_restaurant_id", type_=_records.c.restaurant_id.type),
        actor=bindparam("k_actor", type_=_records.c.actor.type),
        key=bindparam("k_key", type_=_records.c.key.type),
        fingerprint=bindparam("k_fingerprint", type_=_records.c.fingerprint.type),
        status_code=bindparam("k_status_code", type_=_records.c.status_code.type),
        body=bindparam("k_body", type_=_records.c.body.type),
        created_at=bindparam("k_created_at", type_=_records.c.created_at.type),
    )
    .on_conflict_do_nothing()
    .returning(_records.c.id)
    .cte("claimed")
)


def claim_params(restaurant_id: int, actor: str, key: str, fp: str) -> dict[str, Any]:
    """The parameters of :data:`CLAIMED_PG`: the same row :func:`claim` writes (an
    unanswered record: status 0, no body, created now)."""
    return {
        "k_restaurant_id": restaurant_id,
        "k_actor": actor,
        "k_key": key,
        "k_fingerprint": fp,
        "k_status_code": 0,
        "k_body": None,
        "k_created_at": utcnow(),
    }


async def taken(
    session: Executor, restaurant_id: int, actor: str, key: str, fp: str
) -> tuple[int, Any]:
    """What a claim of ``key`` that found it taken answers: the stored ``(status_code,
    body)`` of the earlier request. Raises :class:`IdempotencyKeyReused` (422, another
    request) and :class:`IdempotentRequestInProgress` (409, not answered yet)."""
    stored = await replay(session, restaurant_id, actor, key, fp)
    if stored is None or stored[0] == 0:
        raise IdempotentRequestInProgress(f"a request with key {key!r} is still running")
    return stored


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
    return await taken(session, restaurant_id, actor, key, fp)


async def store_answer(session: Executor, claim_id: int, status_code: int, body: Any) -> None:
    """Fill in the answer of the request that claimed row ``claim_id`` (same transaction)."""
    await _STORE_ANSWER.execute(
        session, {"claim_id": claim_id, "answer_status": status_code, "answer_body": body}
    )


def defer_answer(session: Executor, claim_id: int, status_code: int, body: Any) -> None:
    """:func:`store_answer` at the commit, in the same transaction: the answer is
    written when the transaction's events are numbered
    (:func:`brigade.events.outbox.defer_write`); on PostgreSQL, with a request's single
    event, in the same statement (one round trip less). For an answer that is final when
    the service returns (order placement)."""
    defer_write(
        session,
        CommitWrite(
            _STORE_ANSWER,
            _STORE_ANSWER_WITH_EVENT,
            {"claim_id": claim_id, "answer_status": status_code, "answer_body": body},
        ),
    )


# --- one mechanism for the REST writes of an existing resource -------------------------

_Answer = TypeVar("_Answer", bound=BaseModel)

KeyHeader = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        description=(
            "Optional, 1-255 characters, unique per request of the caller in this "
            "restaurant. A retry with the same key and the same method, path and body "
            "returns the first answer (status and body) with header "
            "`Idempotent-Replayed: true` and writes nothing; the same key with another "
            "method, path or body is a 422 `idempotency-key-reused`. A request that "
            "failed stores nothing: a retry with its key runs again."
        ),
    ),
]


@dataclass(frozen=True, slots=True)
class IdempotentWrite:
    """A request's ``Idempotency-Key`` (``None``: none was sent) and what identifies the
    request: ``method``, ``path`` (the URL path as sent, ``/api/v1/...``), the route's
    success ``status_code``, and the request's ``session`` (its one transaction)."""

    session: AsyncSession
    key: str | None
    method: str
    path: str
    status_code: int

    async def run(
        self,
        access: Access,
        body: BaseModel | None,
        work: Callable[[], Awaitable[_Answer]],
    ) -> _Answer | JSONResponse:
        """Run ``work`` (the route's service call) at most once per key.

        Without a key: ``await work()``, returned as is (the route's usual answer).

        With a key: the key is claimed for ``(access.restaurant_id, access.actor)`` with
        the fingerprint of ``method``, ``path`` and ``body`` (validated, as
        ``model_dump(mode="json")``; ``None`` for no body) before ``work`` runs. A new
        key runs ``work`` and stores ``(status_code, answer JSON)`` in the same
        transaction, answered as a ``JSONResponse`` of that status. A key already
        answered returns the stored status and body with ``Idempotent-Replayed: true``;
        ``work`` does not run, so nothing is written and no event recorded.

        Raises :class:`IdempotencyKeyReused` (422: the key was used for another method,
        path or body), :class:`IdempotentRequestInProgress` (409), and whatever
        ``work`` raises; on any error the claim is rolled back with the request, so an
        error answer is never stored and the key stays free for a retry.
        """
        if self.key is None:
            return await work()
        payload = None if body is None else body.model_dump(mode="json")
        fp = fingerprint(self.method, self.path, payload)
        claimed = await claim(self.session, access.restaurant_id, access.actor.label, self.key, fp)
        if isinstance(claimed, tuple):
            status_code, stored = claimed
            return JSONResponse(stored, status_code=status_code, headers={REPLAYED_HEADER: "true"})
        # As FastAPI would encode the route's response model (by alias).
        answer = (await work()).model_dump(mode="json", by_alias=True)
        await store_answer(self.session, claimed, self.status_code, answer)
        return JSONResponse(answer, status_code=self.status_code)


async def idempotent_write(
    request: Request, session: SessionDep, key: KeyHeader = None
) -> IdempotentWrite:
    """The :class:`IdempotentWrite` of this request (reads the header; no query)."""
    status_code = getattr(request.scope.get("route"), "status_code", None) or 200
    return IdempotentWrite(session, key, request.method, request.url.path, status_code)


#: A route's ``Idempotency-Key`` handling: declare ``once: Idempotent`` after the
#: route's access dependency and return ``await once.run(access, body, lambda: ...)``.
Idempotent = Annotated[IdempotentWrite, Depends(idempotent_write)]

#: The errors :meth:`IdempotentWrite.run` adds to a route (for ``problem_responses``).
ERRORS: tuple[type[BrigadeError], ...] = (IdempotencyKeyReused, IdempotentRequestInProgress)


def replayed_header_doc(status_code: int = 200) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entry documenting the ``Idempotent-Replayed`` response
    header on the route's success answer (``status_code``)."""
    return {
        status_code: {
            "headers": {
                REPLAYED_HEADER: {
                    "description": "`true` when this is the stored answer of an earlier "
                    "request with the same `Idempotency-Key` (nothing was written); absent "
                    "otherwise.",
                    "schema": {"type": "string", "enum": ["true"]},
                }
            }
        }
    }
