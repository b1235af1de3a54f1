"""HTTP routes of the tables context (thin: parse, authorise, call the service).

Under ``/api/v1/restaurants/{restaurant_id}``: ``/areas`` and ``/tables`` (reading needs
``tables:read``, writing ``tables:write``), and each table's guest link and QR code.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Response, status

from brigade.auth.dependencies import TablesRead, TablesWrite
from brigade.infra.errors import (
    BrigadeError,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    StaleVersion,
    problem_responses,
)
from brigade.inputs import Id, PathId, Version
from brigade.runtime import RuntimeDep
from brigade.session import SessionDep
from brigade.tables import service
from brigade.tables.exceptions import (
    TableNameTaken,
    TableOccupied,
    TableOffPlan,
    WaiterNotOnStaff,
)
from brigade.tables.qr import qr_code
from brigade.tables.schemas import (
    AreaCreate,
    AreaList,
    AreaRead,
    AreaUpdate,
    GuestLink,
    TableCreate,
    TableList,
    TableRead,
    TableUpdate,
)

router = APIRouter(prefix="/restaurants/{restaurant_id}", tags=["tables"])

_AUTH: tuple[type[BrigadeError], ...] = (NotAuthenticated, PermissionDenied, NotFound)


def _errors(*extra: type[BrigadeError]) -> dict[int | str, dict[str, Any]]:
    return problem_responses(*_AUTH, *extra)


# --- areas ----------------------------------------------------------------------------


@router.get("/areas", responses=_errors())
async def list_areas(access: TablesRead, session: SessionDep) -> AreaList:
    """Floor areas by position."""
    return await service.list_areas(session, access)


@router.post("/areas", status_code=status.HTTP_201_CREATED, responses=_errors())
async def create_area(access: TablesWrite, session: SessionDep, body: AreaCreate) -> AreaRead:
    """Create a floor area."""
    return await service.create_area(session, access, body)


@router.get("/areas/{area_id}", responses=_errors())
async def get_area(access: TablesRead, session: SessionDep, area_id: PathId) -> AreaRead:
    """One area."""
    return await service.get_area(session, access, area_id)


@router.patch("/areas/{area_id}", responses=_errors())
async def update_area(
    access: TablesWrite, session: SessionDep, area_id: PathId, body: AreaUpdate
) -> AreaRead:
    """Rename or move an area."""
    return await service.update_area(session, access, area_id, body)


@router.delete("/areas/{area_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_errors())
async def delete_area(access: TablesWrite, session: SessionDep, area_id: PathId) -> None:
    """Delete an area; its tables stay, without an area."""
    await service.delete_area(session, access, area_id)


# --- tables ---------------------------------------------------------------------------


@router.get("/tables", responses=_errors())
async def list_tables(
    access: TablesRead,
    session: SessionDep,
    area_id: Id | None = Query(default=None, description="Only this area's tables."),
    table_status: Literal["free", "occupied"] | None = Query(default=None, alias="status"),
) -> TableList:
    """Tables by position, then name."""
    return await service.list_tables(session, access, area_id=area_id, status=table_status)


@router.post(
    "/tables",
    status_code=status.HTTP_201_CREATED,
    responses=_errors(TableNameTaken, TableOffPlan, WaiterNotOnStaff),
)
async def create_table(access: TablesWrite, session: SessionDep, body: TableCreate) -> TableRead:
    """Create a table (optionally placed on its area's plan and given a waiter); event
    ``table.created``."""
    return await service.create_table(session, access, body)


@router.get("/tables/{table_id}", responses=_errors())
async def get_table(access: TablesRead, session: SessionDep, table_id: PathId) -> TableRead:
    """One table with its status and current order."""
    return await service.get_table(session, access, table_id)


@router.patch(
    "/tables/{table_id}",
    responses=_errors(StaleVersion, TableNameTaken, TableOffPlan, WaiterNotOnStaff),
)
async def update_table(
    access: TablesWrite, session: SessionDep, table_id: PathId, body: TableUpdate
) -> TableRead:
    """Change a table: name, seats, area, position, its waiter (section) or its box on
    the floor plan (send ``version`` to refuse a stale edit); event ``table.updated``."""
    return await service.update_table(session, access, table_id, body)


@router.delete(
    "/tables/{table_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_errors(StaleVersion, TableOccupied),
)
async def delete_table(
    access: TablesWrite,
    session: SessionDep,
    table_id: PathId,
    version: Version | None = Query(default=None, description="The version the client saw."),
) -> None:
    """Delete a table without an open order; event ``table.deleted``."""
    await service.delete_table(session, access, table_id, version)


# --- guest link and QR code -----------------------------------------------------------


@router.get("/tables/{table_id}/guest-link", responses=_errors())
async def get_guest_link(
    access: TablesRead, session: SessionDep, runtime: RuntimeDep, table_id: PathId
) -> GuestLink:
    """The table's guest menu URL (what its QR code holds) and signed token."""
    return await service.guest_link(session, access, runtime.settings, table_id)


@router.get(
    "/tables/{table_id}/qr.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "SVG"}, **_errors()},
)
async def get_qr_svg(
    access: TablesRead, session: SessionDep, runtime: RuntimeDep, table_id: PathId
) -> Response:
    """The table's QR code as SVG: it opens the guest menu."""
    link = await service.guest_link(session, access, runtime.settings, table_id)
    return Response(qr_code(link.url, "svg"), media_type="image/svg+xml")


@router.get(
    "/tables/{table_id}/qr.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "PNG"}, **_errors()},
)
async def get_qr_png(
    access: TablesRead, session: SessionDep, runtime: RuntimeDep, table_id: PathId
) -> Response:
    """The table's QR code as PNG: it opens the guest menu."""
    link = await service.guest_link(session, access, runtime.settings, table_id)
    return Response(qr_code(link.url, "png"), media_type="image/png")
