"""HTTP routes of the audit trail (read-only): a restaurant's (owners and managers) and
the platform's (logins; platform admin). JSON, or CSV with ``Accept: text/csv`` or
``format=csv``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from brigade.audit import service
from brigade.audit.exceptions import InvalidDateRange
from brigade.audit.schemas import AuditList
from brigade.audit.trail import AuditKind
from brigade.auth.dependencies import AuditRead, CurrentActor
from brigade.auth.exceptions import PlatformAdminOnly
from brigade.infra.errors import NotAuthenticated, NotFound, PermissionDenied, problem_responses
from brigade.session import SessionDep

router = APIRouter(tags=["audit"])

R = "/restaurants/{restaurant_id}"
CSV_MEDIA_TYPE = "text/csv"
_CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The entries; CSV (a header row, then one row per entry) when asked.",
        "content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}},
    }
}

Format = Annotated[
    Literal["json", "csv"] | None,
    Query(description="csv: the same entries as CSV (as Accept: text/csv)."),
]


def _wants_csv(request: Request, fmt: str | None) -> bool:
    if fmt is not None:
        return fmt == "csv"
    return CSV_MEDIA_TYPE in request.headers.get("accept", "")


def _csv(found: AuditList, name: str) -> Response:
    return Response(
        service.to_csv(found.items),
        media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get(
    R + "/audit",
    response_model=AuditList,
    responses={
        **_CSV_RESPONSE,
        **problem_responses(NotAuthenticated, NotFound, PermissionDenied, InvalidDateRange),
    },
)
async def list_audit_entries(
    request: Request,
    access: AuditRead,
    session: SessionDep,
    user_id: Annotated[
        int | None, Query(ge=1, le=2**53, description="Entries of this person (user id).")
    ] = None,
    kind: Annotated[
        list[AuditKind] | None, Query(description="Entries of these kinds (repeat the parameter).")
    ] = None,
    start_date: Annotated[date | None, Query(description="From this local date on.")] = None,
    end_date: Annotated[date | None, Query(description="Up to this local date (included).")] = None,
    limit: Annotated[int, Query(ge=1, le=service.EXPORT_MAX)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    format: Format = None,  # noqa: A002 - the query parameter's name
) -> AuditList | Response:
    """The restaurant's audit trail, newest first (owners and managers: ``audit:read``):
    logins are on the platform's trail. Filter by person, kind and the restaurant's
    local dates; ``limit`` up to 500 (up to 100,000 in a CSV export)."""
    csv = _wants_csv(request, format)
    f = service.AuditFilter(
        user_id,
        tuple(k.value for k in kind or ()),
        start_date,
        end_date,
        _limit(limit, csv),
        offset,
    )
    found = await service.list_entries(session, access, f)
    return _csv(found, f"audit-{access.restaurant_id}") if csv else found


@router.get(
    "/audit",
    response_model=AuditList,
    responses={
        **_CSV_RESPONSE,
        **problem_responses(NotAuthenticated, PlatformAdminOnly, InvalidDateRange),
    },
)
async def list_platform_audit_entries(
    request: Request,
    actor: CurrentActor,
    session: SessionDep,
    user_id: Annotated[
        int | None, Query(ge=1, le=2**53, description="Entries of this person (user id).")
    ] = None,
    kind: Annotated[
        list[AuditKind] | None, Query(description="Entries of these kinds (repeat the parameter).")
    ] = None,
    start_date: Annotated[date | None, Query(description="From this UTC date on.")] = None,
    end_date: Annotated[date | None, Query(description="Up to this UTC date (included).")] = None,
    limit: Annotated[int, Query(ge=1, le=service.EXPORT_MAX)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    format: Format = None,  # noqa: A002 - the query parameter's name
) -> AuditList | Response:
    """The platform's audit trail (platform admin only): logins, failed logins (which
    belong to no restaurant) and the platform admin's deactivations of logins."""
    csv = _wants_csv(request, format)
    f = service.AuditFilter(
        user_id,
        tuple(k.value for k in kind or ()),
        start_date,
        end_date,
        _limit(limit, csv),
        offset,
    )
    found = await service.list_platform_entries(session, actor, f)
    return _csv(found, "audit-platform") if csv else found


def _limit(limit: int, csv: bool) -> int:
    """A JSON page holds at most :data:`~brigade.audit.service.PAGE_MAX` entries."""
    return limit if csv else min(limit, service.PAGE_MAX)
