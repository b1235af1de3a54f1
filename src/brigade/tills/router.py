"""HTTP routes of the tills context (thin: parse, authorise, call the service).

Tills (``tills:read``; creating one ``tills:write``), shifts with their float, paid-in,
paid-out and the blind count (``shifts:write``: cashiers and up), the X report
(``reports:read``) and the Z report that closes the day (``day:close``: managers and
up; reading them ``reports:read``). Every write a client may retry takes an
``Idempotency-Key``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from brigade.auth.dependencies import DayClose, ReportsRead, ShiftsWrite, TillsRead, TillsWrite
from brigade.idempotency import dependencies as idempotency
from brigade.infra.errors import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    StaleVersion,
    problem_responses,
)
from brigade.inputs import Id, Offset, PathId
from brigade.reads import ReadSessionDep
from brigade.session import SessionDep
from brigade.tills import report, service
from brigade.tills.exceptions import (
    DayClosed,
    DayNotClosable,
    InvalidBusinessDate,
    ShiftAlreadyOpen,
    ShiftClosed,
    TillNameTaken,
    ZReportExists,
    ZReportInProgress,
)
from brigade.tills.schemas import (
    CashMovementCreate,
    CashMovementRead,
    DayReport,
    MovementKind,
    ShiftClose,
    ShiftList,
    ShiftOpen,
    ShiftRead,
    ShiftStatus,
    TillCreate,
    TillList,
    TillRead,
    ZReportCreate,
    ZReportList,
    ZReportRead,
)

router = APIRouter(tags=["tills"])

R = "/restaurants/{restaurant_id}"
_AUTH = (NotAuthenticated, NotFound, PermissionDenied)
BusinessDate = Annotated[
    date | None,
    Query(description="The restaurant's local business date; default: its today."),
]


@router.post(
    R + "/tills",
    status_code=201,
    response_model=TillRead,
    responses=problem_responses(*_AUTH, TillNameTaken),
)
async def create_till(body: TillCreate, access: TillsWrite, session: SessionDep) -> TillRead:
    """Create a till (a named cash drawer)."""
    return await service.create_till(session, access, body)


@router.get(R + "/tills", response_model=TillList, responses=problem_responses(*_AUTH))
async def list_tills(access: TillsRead, session: SessionDep) -> TillList:
    """The restaurant's tills by name, each with its open shift."""
    return await service.list_tills(session, access)


@router.get(R + "/tills/{till_id}", response_model=TillRead, responses=problem_responses(*_AUTH))
async def get_till(till_id: PathId, access: TillsRead, session: SessionDep) -> TillRead:
    """One till and its open shift."""
    return await service.get_till(session, access, till_id)


@router.post(
    R + "/tills/{till_id}/shifts",
    status_code=201,
    response_model=ShiftRead,
    responses={
        **idempotency.replayed_header_doc(201),
        **problem_responses(*_AUTH, ShiftAlreadyOpen, DayClosed, *idempotency.ERRORS),
    },
)
async def open_shift(
    till_id: PathId,
    body: ShiftOpen,
    access: ShiftsWrite,
    session: SessionDep,
    once: idempotency.Idempotent,
) -> ShiftRead | JSONResponse:
    """Open a shift on the till with a float; one open shift per till (409 otherwise)."""
    return await once.run(access, body, lambda: service.open_shift(session, access, till_id, body))


@router.get(R + "/shifts", response_model=ShiftList, responses=problem_responses(*_AUTH))
async def list_shifts(
    access: TillsRead,
    session: SessionDep,
    status: ShiftStatus | None = None,
    till_id: Annotated[Id | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> ShiftList:
    """Shifts, newest first; filter by ``status`` and ``till_id``."""
    return await service.list_shifts(
        session, access, status=status, till_id=till_id, limit=limit, offset=offset
    )


@router.get(R + "/shifts/{shift_id}", response_model=ShiftRead, responses=problem_responses(*_AUTH))
async def get_shift(shift_id: PathId, access: TillsRead, session: SessionDep) -> ShiftRead:
    """One shift; its cash figures appear once it is closed (the count is blind)."""
    return await service.get_shift(session, access, shift_id)


_MOVEMENT_RESPONSES = {
    **idempotency.replayed_header_doc(201),
    **problem_responses(*_AUTH, ShiftClosed, StaleVersion, *idempotency.ERRORS),
}


@router.post(
    R + "/shifts/{shift_id}/paid-in",
    status_code=201,
    response_model=CashMovementRead,
    responses=_MOVEMENT_RESPONSES,
)
async def paid_in(
    shift_id: PathId,
    body: CashMovementCreate,
    access: ShiftsWrite,
    session: SessionDep,
    once: idempotency.Idempotent,
) -> CashMovementRead | JSONResponse:
    """Cash put into the drawer that is no sale, with a reason."""
    return await once.run(
        access,
        body,
        lambda: service.add_movement(session, access, shift_id, MovementKind.paid_in, body),
    )


@router.post(
    R + "/shifts/{shift_id}/paid-out",
    status_code=201,
    response_model=CashMovementRead,
    responses=_MOVEMENT_RESPONSES,
)
async def paid_out(
    shift_id: PathId,
    body: CashMovementCreate,
    access: ShiftsWrite,
    session: SessionDep,
    once: idempotency.Idempotent,
) -> CashMovementRead | JSONResponse:
    """Cash taken out of the drawer that is no refund, with a reason."""
    return await once.run(
        access,
        body,
        lambda: service.add_movement(session, access, shift_id, MovementKind.paid_out, body),
    )


@router.post(
    R + "/shifts/{shift_id}/close",
    response_model=ShiftRead,
    responses={
        **idempotency.replayed_header_doc(200),
        **problem_responses(*_AUTH, ShiftClosed, StaleVersion, *idempotency.ERRORS),
    },
)
async def close_shift(
    shift_id: PathId,
    body: ShiftClose,
    access: ShiftsWrite,
    session: SessionDep,
    once: idempotency.Idempotent,
) -> ShiftRead | JSONResponse:
    """The blind count: post the counted cash; the answer shows what was expected and
    the variance. A closed shift takes no more writes."""
    return await once.run(
        access, body, lambda: service.close_shift(session, access, shift_id, body)
    )


@router.get(R + "/reports/x", response_model=DayReport, responses=problem_responses(*_AUTH))
async def x_report(
    access: ReportsRead, session: ReadSessionDep, business_date: BusinessDate = None
) -> DayReport:
    """The X report: the business day's totals so far (not stored)."""
    return await report.x_report(session, access, business_date)


@router.post(
    R + "/reports/z",
    status_code=201,
    response_model=ZReportRead,
    responses={
        **idempotency.replayed_header_doc(201),
        **problem_responses(
            *_AUTH,
            DayNotClosable,
            ZReportExists,
            ZReportInProgress,
            InvalidBusinessDate,
            *idempotency.ERRORS,
        ),
    },
)
async def take_z_report(
    body: ZReportCreate, access: DayClose, session: SessionDep, once: idempotency.Idempotent
) -> ZReportRead | JSONResponse:
    """Close the business day: its totals are stored as the next numbered Z report.
    Refused (409, with the list) while checks or shifts of the day are open."""
    return await once.run(access, body, lambda: report.take_z_report(session, access, body))


@router.get(R + "/reports/z", response_model=ZReportList, responses=problem_responses(*_AUTH))
async def list_z_reports(
    access: ReportsRead,
    session: ReadSessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> ZReportList:
    """Z reports, latest first."""
    return await report.list_z_reports(session, access, limit=limit, offset=offset)


@router.get(
    R + "/reports/z/{z_report_id}",
    response_model=ZReportRead,
    responses=problem_responses(*_AUTH),
)
async def get_z_report(
    z_report_id: PathId, access: ReportsRead, session: SessionDep
) -> ZReportRead:
    """One Z report as it was taken."""
    return await report.get_z_report(session, access, z_report_id)
