"""Domain errors and their RFC 9457 problem+json rendering.

Every error a client can cause is a :class:`BrigadeError` subclass with a stable
``type`` slug; one handler renders them as ``application/problem+json``::

    {"type": "https://brigade.dev/problems/order-closed", "title": "Order is closed",
     "status": 409, "detail": "...", "instance": "/api/v1/..."}

Request validation errors become 422 ``validation-error`` with an ``errors`` list; a
database that cannot be reached is a 503 ``service-unavailable`` with ``Retry-After``
(:func:`unavailable_from` tells such failures from bugs); any other exception is a 500
``internal-error`` whose body never carries a stack trace.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from typing import Any, ClassVar

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import exc as sa_exc
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


class PayloadTooLarge(BrigadeError):
    """413: the request body is larger than ``max_bytes`` (``BRIGADE_MAX_BODY_BYTES``);
    it was refused before being read whole (:mod:`brigade.infra.bodylimit`)."""

    status = 413
    type = "payload-too-large"
    title = "Request body too large"

    def __init__(self, max_bytes: int, detail: str | None = None) -> None:
        super().__init__(
            detail or f"the request body is larger than {max_bytes} bytes", max_bytes=max_bytes
        )


#: Seconds a client is told to wait (``Retry-After``) before retrying a request that met
#: an unreachable database.
RETRY_AFTER_SECONDS = 5


class ServiceUnavailable(BrigadeError):
    """503: something the request needs (the database) cannot be reached now; the client
    retries after ``retry_after`` seconds (``Retry-After`` header and extension member).
    Extension members given as keywords (e.g. ``reason="database-unreachable"``) are
    added to the body."""

    status = 503
    type = "service-unavailable"
    title = "Service unavailable"

    def __init__(
        self,
        detail: str | None = None,
        *,
        retry_after: int = RETRY_AFTER_SECONDS,
        **extensions: Any,
    ) -> None:
        super().__init__(detail, retry_after=retry_after, **extensions)
        self.headers["Retry-After"] = str(retry_after)


#: Modules whose code talks to a database: an ``OSError`` raised through them is the
#: database's connection failing (refused, reset, unreachable, timed out), not a bug.
_DATABASE_MODULES = (
    "asyncpg",
    "sqlalchemy",
    "aiosqlite",
    "asyncmy",
    "pymysql",
    "sqlite3",
    "brigade.infra.db",
    "brigade.infra.prepared",
    "brigade.infra.sqlite_inline",
)
#: asyncpg errors that mean the server cannot serve this connection now (SQLSTATE class
#: 08, 57P01-57P03 shutdown/starting, 53300 too many connections).
_ASYNCPG_UNAVAILABLE = (
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
)
#: SQLite primary result codes of a database file that cannot be used now: SQLITE_BUSY
#: (locked past the busy timeout), SQLITE_IOERR, SQLITE_CANTOPEN (missing folder,
#: unreadable file).
_SQLITE_UNAVAILABLE = frozenset({5, 10, 14})

#: The exception classes whose handler asks :func:`unavailable_from` (anything else is
#: left to the 500 handler).
CONNECTION_ERROR_TYPES: tuple[type[Exception], ...] = (
    sa_exc.DBAPIError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    sqlite3.Error,
    OSError,
)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, then what it wraps: a DBAPI error's ``orig`` and each ``__cause__``."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        error = pending.pop()
        if id(error) in seen or len(seen) > 16:
            continue
        seen.add(id(error))
        yield error
        if isinstance(error, sa_exc.DBAPIError) and isinstance(error.orig, BaseException):
            pending.append(error.orig)
        if error.__cause__ is not None:
            pending.append(error.__cause__)


def _raised_in_database_code(error: BaseException) -> bool:
    """Whether ``error``'s traceback passes through a module of :data:`_DATABASE_MODULES`."""
    tb = error.__traceback__
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        if isinstance(module, str) and module.startswith(_DATABASE_MODULES):
            return True
        tb = tb.tb_next
    return False


def _connection_failure(error: BaseException) -> bool:
    """Whether ``error`` itself says the database connection cannot be used."""
    if isinstance(error, sa_exc.DBAPIError):
        return bool(error.connection_invalidated)
    if isinstance(error, (sa_exc.DisconnectionError, *_ASYNCPG_UNAVAILABLE)):
        return True
    if isinstance(error, asyncpg.InterfaceError):
        return "connection is closed" in str(error)
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        return isinstance(code, int) and code & 0xFF in _SQLITE_UNAVAILABLE
    if isinstance(error, OSError):
        return _raised_in_database_code(error)
    return False


def unavailable_from(exc: BaseException) -> ServiceUnavailable | None:
    """The 503 to answer for ``exc`` when it is the database being unreachable, else
    ``None`` (a bug: let it be a 500).

    Recognised, on ``exc`` or what it wraps (SQLAlchemy's ``orig``, ``__cause__``): a
    SQLAlchemy ``DBAPIError`` with ``connection_invalidated``, ``DisconnectionError``, a
    pool timeout (``sqlalchemy.exc.TimeoutError``: every connection busy), asyncpg's
    connection, shutdown and too-many-connections errors, a closed asyncpg connection,
    SQLite's busy / I/O / cannot-open errors, and an ``OSError`` (refused, reset,
    unreachable, timed out) raised through database driver code (the driver's own
    errors of :mod:`brigade.infra.prepared` included). The app's handlers call it for every
    exception a route lets through; code that answers outside them (an ASGI middleware)
    would call it the same way::

        except Exception as exc:
            error = unavailable_from(exc)
            if error is None:
                raise
            await problem_response(error, path)(scope, receive, send)
    """
    for error in _causes(exc):
        if isinstance(error, sa_exc.TimeoutError):
            return ServiceUnavailable(
                "every database connection is in use; try again shortly",
                retry_after=1,
                reason="database-busy",
            )
        if _connection_failure(error):
            return ServiceUnavailable(
                "the database cannot be reached; try again shortly",
                reason="database-unreachable",
            )
    return None


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

    async def connection_error(request: Request, exc: Exception) -> JSONResponse:
        unavailable = unavailable_from(exc)
        if unavailable is None:
            raise exc  # a bug: the 500 handler below answers and the server logs it
        logger.warning("database unavailable on %s %s: %r", request.method, request.url.path, exc)
        return problem_response(unavailable, request.url.path)

    async def unhandled(request: Request, exc: Exception) -> JSONResponse:
        # Reached by errors raised outside the routes' handling (the menu's ASGI fast path).
        unavailable = unavailable_from(exc)
        if unavailable is not None:
            logger.warning(
                "database unavailable on %s %s: %r", request.method, request.url.path, exc
            )
            return problem_response(unavailable, request.url.path)
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
    for error_type in CONNECTION_ERROR_TYPES:
        app.add_exception_handler(error_type, connection_error)
    app.add_exception_handler(Exception, unhandled)
