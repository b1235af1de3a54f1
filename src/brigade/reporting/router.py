"""HTTP routes of the reporting context (thin: parse, authorise, call the service).

The reports, over a range of the restaurant's local business dates (inclusive);
permission ``reports:read``; each as JSON or, with ``format=csv`` or ``Accept:
text/csv``, as CSV (:mod:`brigade.reporting.export`):

==================================  ===================================================
``R/reports/sales``                 orders, items, net sales, tax; ``group_by`` groups
``R/reports/products``              per item sales (paged)
``R/reports/sellers``               best / worst sellers per item or size
``R/reports/checks``                average check, covers, revenue per cover
``R/reports/table-turns``           time from seating to closing, per table
``R/reports/adjustments``           discounts, comps, voids, refunds by reason / person
``R/reports/tips``                  tips by waiter
``R/reports/prep-times``            kitchen fire → ready per station / item vs target
``R/reports/today``                 the dashboard's figures of the day so far (JSON only)
==================================  ===================================================

A report is a long read: it runs on a read session (:data:`brigade.reads.ReadSessionDep`),
off the writer. ``R/floor``, the floor screen's read model (:mod:`brigade.reporting.floor`);
permission ``tables:read``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from brigade.auth.dependencies import ReportsRead, TablesRead
from brigade.infra.errors import NotAuthenticated, NotFound, PermissionDenied, problem_responses
from brigade.inputs import Offset
from brigade.reads import ReadSessionDep
from brigade.reporting import analyses, floor, service, today
from brigade.reporting.exceptions import InvalidDateRange
from brigade.reporting.export import CSV_RESPONSE, answer, wants_csv
from brigade.reporting.schemas import (
    AdjustmentBy,
    AdjustmentsReport,
    ChecksReport,
    PrepBy,
    PrepTimesReport,
    ProductReport,
    ProductSort,
    Ranking,
    SalesGroupBy,
    SalesReport,
    SellersReport,
    SellerUnit,
    TableTurnsReport,
    TipsReport,
    TodayFigures,
)
from brigade.session import SessionDep
from brigade.tables.schemas import Floor

#: Tags per route: the floor is a tables route for the API's readers (and its
#: operation id, ``tables-get_floor``, stays what the web client knows).
router = APIRouter()

R = "/restaurants/{restaurant_id}"
ERRORS = problem_responses(NotAuthenticated, NotFound, PermissionDenied, InvalidDateRange)
REPORT = {**ERRORS, **CSV_RESPONSE}
StartDate = Annotated[
    date, Query(description="First business date (the restaurant's local date), inclusive.")
]
EndDate = Annotated[date, Query(description="Last business date, inclusive.")]
WantsCsv = Annotated[bool, Depends(wants_csv)]
Sort = Annotated[
    ProductSort, Query(description="revenue or quantity, largest first; ties by name.")
]


@router.get(f"{R}/reports/sales", response_model=SalesReport, responses=REPORT, tags=["reporting"])
async def sales_report(
    access: ReportsRead,
    session: ReadSessionDep,
    start_date: StartDate,
    end_date: EndDate,
    as_csv: WantsCsv,
    group_by: Annotated[
        SalesGroupBy | None,
        Query(description="Split the sales into groups (sorted by key) by this."),
    ] = None,
) -> SalesReport | Response:
    """Orders, items sold, net sales, tax and average order value (minor units) of the
    closed orders whose business date lies in the range; with ``group_by``, also
    ``groups`` of ``{key, label, orders, items_sold, net_sales}`` (the CSV: the groups)."""
    report = await service.sales_report(
        session, access.restaurant_id, start_date, end_date, group_by
    )
    return answer(report, as_csv, "sales" if group_by is None else f"sales-by-{group_by.value}")


@router.get(
    f"{R}/reports/products", response_model=ProductReport, responses=REPORT, tags=["reporting"]
)
async def product_report(
    access: ReportsRead,
    session: ReadSessionDep,
    start_date: StartDate,
    end_date: EndDate,
    as_csv: WantsCsv,
    sort: Sort = ProductSort.revenue,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> ProductReport | Response:
    """Quantity and net sales per menu item over the range, sorted by ``sort``."""
    report = await service.product_report(
        session,
        access.restaurant_id,
        start_date,
        end_date,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    return answer(report, as_csv, "products")


@router.get(
    f"{R}/reports/sellers", response_model=SellersReport, responses=REPORT, tags=["reporting"]
)
async def sellers_report(
    access: ReportsRead,
    session: ReadSessionDep,
    start_date: StartDate,
    end_date: EndDate,
    as_csv: WantsCsv,
    per: Annotated[SellerUnit, Query(description="item, or variation (a size).")] = (
        SellerUnit.item
    ),
    sort: Annotated[ProductSort, Query(description="quantity or revenue.")] = (
        ProductSort.quantity
    ),
    ranking: Annotated[
        Ranking, Query(description="best (largest first) or worst (smallest first).")
    ] = Ranking.best,
    limit: Annotated[int, Query(ge=1, le=1000)] = 10,
) -> SellersReport | Response:
    """The best or worst sellers of the range per item or size, by quantity or revenue."""
    currency, span = await service.report_range(session, access.restaurant_id, start_date, end_date)
    report = await analyses.sellers(
        session, span, currency, per=per, sort=sort, ranking=ranking, limit=limit
    )
    return answer(report, as_csv, f"{ranking.value}-sellers")


@router.get(
    f"{R}/reports/checks", response_model=ChecksReport, responses=REPORT, tags=["reporting"]
)
async def checks_report(
    access: ReportsRead,
    session: ReadSessionDep,
    start_date: StartDate,
    end_date: EndDate,
    as_csv: WantsCsv,
) -> ChecksReport | Response:
    """Average check, covers and revenue per cover of the closed orders of the range."""
    currency, span = await service.report_range(session, access.restaurant_id, start_date, end_date)
    return answer(await analyses.checks(session, span, currency), as_csv, "checks")


@router.get(
    f"{R}/reports/table-turns",
    response_model=TableTurnsReport,
    responses=REPORT,
    tags=["reporting"],
)
async def table_turns_report(
    access: ReportsRead,
    session: ReadSessionDep,
    start_date: StartDate,
    end_date: EndDate,
    as_csv: WantsCsv,
) -> TableTurnsReport | Response:
    """Table turn times: seatings per table and their mean time, opened to closed."""
    _, span = await service.report_range(session, access.restaurant_id, start_date, end_date)
    return answer(await analyses.table_turns(session, span), as_csv, "table-turns")


@router.get(
    f"{R}/reports/adjustments",
    response_model=AdjustmentsReport,
    responses=REPORT,
    tags=["reporting"],
)
async def adjustments_report(
    access: ReportsRead,
    session: ReadSessionDep,
    start_date: StartDate,
    end_date: EndDate,
    as_csv: WantsCsv,
    by: Annotated[AdjustmentBy, Query(description="reason or person.")] = AdjustmentBy.reason,
) -> AdjustmentsReport | Response:
    """Discounts, comps, voids and refunds of the range, by reason or by person."""
    currency, span = await service.report_range(session, access.restaurant_id, start_date, end_date)
    report = await analyses.adjustments(session, span, currency, by)
    return answer(report, as_csv, f"adjustments-by-{by.value}")


@router.get(f"{R}/reports/tips", response_model=TipsReport, responses=REPORT, tags=["reporting"])
async def tips_report(
    access: ReportsRead,
    session: ReadSessionDep,
    start_date: StartDate,
    end_date: EndDate,
    as_csv: WantsCsv,
) -> TipsReport | Response:
    """Tips by waiter (who opened the order) over the closed orders of the range."""
    currency, span = await service.report_range(session, access.restaurant_id, start_date, end_date)
    return answer(await analyses.tips(session, span, currency), as_csv, "tips")


@router.get(
    f"{R}/reports/prep-times",
    response_model=PrepTimesReport,
    responses=REPORT,
    tags=["reporting"],
)
async def prep_times_report(
    access: ReportsRead,
    session: ReadSessionDep,
    start_date: StartDate,
    end_date: EndDate,
    as_csv: WantsCsv,
    by: Annotated[PrepBy, Query(description="station or item.")] = PrepBy.station,
) -> PrepTimesReport | Response:
    """Kitchen prep times (fire → ready) per station or item, against the target."""
    _, span = await service.report_range(session, access.restaurant_id, start_date, end_date)
    return answer(await analyses.prep_times(session, span, by), as_csv, f"prep-times-by-{by.value}")


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
