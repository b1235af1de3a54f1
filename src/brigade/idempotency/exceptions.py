"""The problems of ``Idempotency-Key`` handling."""

from __future__ import annotations

from brigade.infra.errors import BrigadeError, Conflict


class IdempotencyKeyReused(BrigadeError):
    status = 422
    type = "idempotency-key-reused"
    title = "Idempotency-Key reused for a different request"


class IdempotentRequestInProgress(Conflict):
    """Another request with the same ``Idempotency-Key`` has not finished yet."""

    type = "idempotent-request-in-progress"
    title = "A request with this Idempotency-Key is in progress"
