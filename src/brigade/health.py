"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from brigade.infra.errors import ServiceUnavailable, problem_response, problem_responses
from brigade.infra.migrate import current_revision, head_revision
from brigade.runtime import RuntimeDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """A probe's answer (fields that do not apply are left out)."""

    status: str
    database: str | None = None
    migration: str | None = None
    expected_migration: str | None = None


@router.get("/healthz", response_model=Health, response_model_exclude_none=True)
async def healthz() -> Health:
    """The process is up (no dependency is checked): ``{"status": "ok"}``."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    response_model_exclude_none=True,
    responses=problem_responses(ServiceUnavailable),
)
async def readyz(request: Request, runtime: RuntimeDep) -> Health | JSONResponse:
    """Ready when the database answers and its schema is at the newest migration
    shipped with this version.

    Otherwise a 503 ``service-unavailable`` problem with ``Retry-After`` and the reason
    as extension members: ``reason`` (``database-unreachable`` or
    ``migration-mismatch``), ``database``, ``migration`` (the database's revision, when
    known) and ``expected_migration``.
    """
    head = head_revision()
    try:
        async with runtime.db.sessionmaker() as session:
            connection = await session.connection()
            await connection.execute(text("SELECT 1"))
            current = await current_revision(connection)
    except Exception:  # noqa: BLE001 - any failure means not ready
        error = ServiceUnavailable(
            "the database cannot be reached",
            reason="database-unreachable",
            database="unreachable",
            expected_migration=head,
        )
        return problem_response(error, request.url.path)
    if current != head:
        extensions: dict[str, Any] = {"migration": current} if current else {}
        error = ServiceUnavailable(
            f"the database schema is at migration {current or 'none'}, this version "
            f"needs {head}; run `brigade migrate`",
            reason="migration-mismatch",
            database="ok",
            expected_migration=head,
            **extensions,
        )
        return problem_response(error, request.url.path)
    return Health(status="ok", database="ok", migration=current, expected_migration=head)
