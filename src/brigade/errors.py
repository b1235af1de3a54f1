"""Domain errors and their RFC 9457 problem+json rendering.

Every error a client can cause is a :class:`BrigadeError` subclass with a stable
``type`` slug; one handler renders them as ``application/problem+json``::

    {"type": "https://brigade.dev/problems/order-closed", "title": "Order is closed",
     "status": 409, "detail": "...", "instance": "/api/v1/..."}

Request validation errors become 422 ``validation-error`` with an ``errors`` list; any
other exception is a 500 ``internal-error`` whose body never carries a stack trace.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

PROBLEM_BASE = "https://brigade.dev/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """An RFC 9457 problem details body."""

    type: str = Field(description="A stable URI naming the kind of problem.")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Field errors of a validation problem."
    )


class BrigadeError(Exception):
    """Base of every error a client can cause.

    Subclasses set ``status``, ``type`` (a slug, stable forever) and ``title``; an
    instance carries a human ``detail`` and optional extension members.
    """

    status: ClassVar[int] = 400
    type: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.extensions = extensions
        self.headers: dict[str, str] = {}

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        """The problem+json body of this error."""
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.type,
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        return body


class NotAuthenticated(BrigadeError):
    status = 401
    type = "not-authenticated"
    title = "Authentication required"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.headers["WWW-Authenticate"] = "Bearer"


class PermissionDenied(BrigadeError):
    status = 403
    type = "permission-denied"
    title = "Permission denied"


class NotFound(BrigadeError):
    status = 404
    type = "not-found"
    title = "Not found"


class Conflict(BrigadeError):
    status = 409
    type = "conflict"
    title = "Conflict"


class StaleVersion(Conflict):
    """The client wrote with an old ``version``; it must re-read and retry."""

    type = "stale-version"
    title = "The record changed since it was read"


class InvalidInput(BrigadeError):
    """Input that is well-formed but breaks a rule (e.g. a modifier group's max)."""

    status = 422
    type = "invalid-input"
    title = "Invalid input"


class TooManyRequests(BrigadeError):
    status = 429
    type = "too-many-requests"
    title = "Too many requests"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.headers["Retry-After"] = str(retry_after)


def problem_response(error: BrigadeError, instance: str | None = None) -> JSONResponse:
    """Render ``error`` as a problem+json response with its headers."""
    return JSONResponse(
        error.to_problem(instance),
        status_code=error.status,
        headers=error.headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def problem_responses(*errors: type[BrigadeError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries for the errors a route can return."""
    out: dict[int | str, dict[str, Any]] = {}
    for error in errors:
        entry = out.setdefault(
            error.status,
            {
                "description": "",
                "content": {PROBLEM_MEDIA_TYPE: {"schema": Problem.model_json_schema()}},
            },
        )
        sep = "; " if entry["description"] else ""
        entry["description"] += f"{sep}{error.type}: {error.title}"
    return out


_HTTP_TYPES = {
    401: NotAuthenticated,
    403: PermissionDenied,
    404: NotFound,
}


def install_error_handlers(app: FastAPI) -> None:
    """Register the problem+json handlers on ``app``."""

    async def brigade_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, BrigadeError)  # noqa: S101 - registered for this class
        return problem_response(exc, request.url.path)

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)  # noqa: S101
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        body = {
            "type": PROBLEM_BASE + "validation-error",
            "title": "Request validation failed",
            "status": 422,
            "detail": "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors),
            "instance": request.url.path,
            "errors": errors,
        }
        return JSONResponse(body, status_code=422, media_type=PROBLEM_MEDIA_TYPE)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)  # noqa: S101
        known = _HTTP_TYPES.get(exc.status_code)
        slug = known.type if known else f"http-{exc.status_code}"
        body = {
            "type": PROBLEM_BASE + slug,
            "title": known.title if known else str(exc.detail),
            "status": exc.status_code,
            "detail": str(exc.detail),
            "instance": request.url.path,
        }
        return JSONResponse(
            body,
            status_code=exc.status_code,
            headers=dict(exc.headers or {}),
            media_type=PROBLEM_MEDIA_TYPE,
        )

    async def unhandled(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        body = {
            "type": PROBLEM_BASE + "internal-error",
            "title": "Internal server error",
            "status": 500,
            "instance": request.url.path,
        }
        return JSONResponse(body, status_code=500, media_type=PROBLEM_MEDIA_TYPE)

    app.add_exception_handler(BrigadeError, brigade_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unhandled)
