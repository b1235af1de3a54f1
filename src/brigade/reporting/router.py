"""HTTP routes of the reporting context (thin: parse, authorise, call the service).

``R/reports/sales`` and ``R/reports/products`` over a range of the restaurant's local
business dates (inclusive); permission ``reports:read``. A report is a long read: it
runs on a read session (:data:`brigade.reads.ReadSessionDep`), off the writer.
``R/reports/today``, the dashboard's figures of the day so far
(:mod:`brigade.reporting.today`); permission ``reports:read``.
``R/floor``, the floor screen's read model (:mod:`brigade.reporting.floor`); permission
``tables:read``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from brigade.auth.dependencies import ReportsRead, TablesRead
from brigade.infra.errors import NotAuthenticated, NotFound, PermissionDenied, problem_responses
from brigade.inputs import Offset
from brigade.reads import ReadSessionDep
from brigade.reporting import floor, service, today
from brigade.reporting.exceptions import InvalidDateRange
from brigade.reporting.schemas import ProductReport, ProductSort, SalesReport, TodayFigures
from brigade.session import SessionDep
from brigade.tables.schemas import Floor

#: Tags per route: the floor is a tables route for the API's readers (and its
#: operation id, ``tables-get_floor``, stays what the web client knows).
router = APIRouter()

R = "/restaurants/{restaurant_id}"
ERRORS = problem_responses(NotAuthenticated, NotFound, PermissionDenied, InvalidDateRange)
StartDate = Annotated[
    date, Query(description="First business date (the restaurant's local date), inclusive.")
]
EndDate = Annotated[date, Query(description="Last business date, inclusive.")]


@router.get(f"{R}/reports/sales", response_model=SalesReport, responses=ERRORS, tags=["reporting"])
async def sales_report(
    access: ReportsRead, session: ReadSessionDep, start_date: StartDate, end_date: EndDate
) -> SalesReport:
    """Orders, items sold, net sales, tax and average order value (minor units) of the
    closed orders whose business date lies in the range."""
    return await service.sales_report(session, access.restaurant_id, start_date, end_date)


@router.get(
    f"{R}/reports/products", response_model=ProductReport, responses=ERRORS, tags=["reporting"]
)
async def product_report(
    access: ReportsRead,
    session: ReadSessionDep,
    start_date: StartDate,
    end_date: EndDate,
    sort: Annotated[
        ProductSort, Query(description="revenue or quantity, largest first; ties by name.")
    ] = ProductSort.revenue,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> ProductReport:
    """Quantity and net sales per menu item over the range, sorted by ``sort``."""
    return await service.product_report(
        session,
        access.restaurant_id,
        start_date,
        end_date,
        sort=sort,
        limit=limit,
        offset=offset,
    )


@router.get(
    f"{R}/reports/today",
    response_model=TodayFigures,
    responses=problem_responses(NotAuthenticated, NotFound, PermissionDenied),
    tags=["reporting"],
)
async def today_report(access: ReportsRead, session: ReadSessionDep) -> TodayFigures:
    """Today's figures so far (the restaurant's local business date): net sales and
    orders of the paid orders, covers, open checks, kitchen tickets in preparation and
    late against their station's prep target. The dashboard reads it again on every
    ``order.*``, ``check.*``, ``payment.*`` and ``ticket.*`` event, and at
    ``next_late_at``."""
    return await today.today_figures(session, access.restaurant_id)


@router.get(
    f"{R}/floor",
    tags=["tables"],
    responses=problem_responses(NotAuthenticated, PermissionDenied, NotFound),
)
async def get_floor(access: TablesRead, session: SessionDep) -> Floor:
    """Every area and table with its live service state (``free``, ``seated``,
    ``in_kitchen``, ``ready`` or ``check_requested``), covers, time seated and the line
    counts of its open order."""
    return await floor.floor(session, access)
