"""The ``Idempotency-Key`` header of the REST writes and the :data:`Idempotent`
dependency: one mechanism for every keyed write of an existing resource."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access
from brigade.idempotency.exceptions import IdempotencyKeyReused, IdempotentRequestInProgress
from brigade.idempotency.models import MAX_KEY_LENGTH
from brigade.idempotency.service import claim, defer_answer, fingerprint
from brigade.infra.errors import BrigadeError
from brigade.session import SessionDep

HEADER = "Idempotency-Key"
#: Response header set to ``true`` on a replayed answer.
REPLAYED_HEADER = "Idempotent-Replayed"

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
    success ``status_code``, and the request's ``session`` (its unit of work)."""

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
        key runs ``work``; its ``(status_code, answer JSON)`` is stored by the unit of
        work at the commit, and answered as a ``JSONResponse`` of that status. A key
        already answered returns the stored status and body with
        ``Idempotent-Replayed: true``; ``work`` does not run, so nothing is written and
        no event recorded.

        Raises ``IdempotencyKeyReused`` (422: the key was used for another method, path
        or body), ``IdempotentRequestInProgress`` (409), and whatever ``work`` raises;
        on any error the claim is rolled back with the request, so an error answer is
        never stored and the key stays free for a retry.
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
        defer_answer(self.session, claimed, self.status_code, answer)
        return JSONResponse(answer, status_code=self.status_code)


async def idempotent_write(
    request: Request, session: SessionDep, key: KeyHeader = None
) -> IdempotentWrite:
    """The :class:`IdempotentWrite` of this request (reads the header; no query)."""
    status_code = getattr(request.scope.get("route"), "status_code", None) or 200
    return IdempotentWrite(session, key, request.method, request.url.path, status_code)


#: The errors a keyed write adds to a route (for ``problem_responses``).
ERRORS: tuple[type[BrigadeError], ...] = (IdempotencyKeyReused, IdempotentRequestInProgress)

#: A route's ``Idempotency-Key`` handling: declare ``once: Idempotent`` after the
#: route's access dependency and return ``await once.run(access, body, lambda: ...)``.
Idempotent = Annotated[IdempotentWrite, Depends(idempotent_write)]


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
