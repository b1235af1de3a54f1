"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from brigade.migrate import current_revision, head_revision
from brigade.runtime import RuntimeDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """A probe's answer."""

    status: str
    database: str | None = None
    migration: str | None = None
    expected_migration: str | None = None


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up (no dependency is checked)."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
async def readyz(runtime: RuntimeDep) -> Health | JSONResponse:
    """Ready when the database answers and its schema is at the newest migration
    shipped with this version; 503 with the reason otherwise."""
    head = head_revision()
    try:
        async with runtime.db.sessionmaker() as session:
            connection = await session.connection()
            await connection.execute(text("SELECT 1"))
            current = await current_revision(connection)
    except Exception:  # noqa: BLE001 - any failure means not ready
        body = Health(status="unavailable", database="unreachable", expected_migration=head)
        return JSONResponse(body.model_dump(), status_code=503)
    if current != head:
        body = Health(
            status="unavailable", database="ok", migration=current, expected_migration=head
        )
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(status="ok", database="ok", migration=current, expected_migration=head)
