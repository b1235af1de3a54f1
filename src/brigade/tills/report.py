"""The X and Z reports: a business day's totals, read at any time (X) or taken once
at the close of the day (Z, numbered and stored, never changed).

A read model over other contexts' tables (orders, order lines, checks, payments,
tables), as :mod:`brigade.reporting` is: every figure is a SQL aggregate scoped by the
restaurant. What belongs to a business day: the orders whose ``business_date`` is that
day (the restaurant's local date when the order was opened, the same rule as
:mod:`brigade.reporting`), their checks and the payments on them, the lines voided on
them, and the shifts opened that day. Voided payments count in no total (their voids are
counted apart, on their order's day); refunds count on the day they were made. Taxes
come from one function,
:func:`taxes_of_day`, so that per-rate check taxes replace its one query.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from sqlalchemy import Table, and_, case, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access
from brigade.auth.permissions import Permission
from brigade.billing.models import Check, Payment, PaymentReversal
from brigade.events.outbox import record
from brigade.infra.db import utcnow
from brigade.infra.errors import NotFound
from brigade.infra.integrity import unique_constraint, unique_guard
from brigade.orders.models import Order, OrderItem
from brigade.restaurants.service import restaurant_profile, staff_display_name
from brigade.tables.models import DiningTable
from brigade.tenancy import owned_by, scoped
from brigade.tills.exceptions import (
    DayNotClosable,
    InvalidBusinessDate,
    ZReportExists,
    ZReportInProgress,
)
from brigade.tills.models import Till, TillShift, ZReport
from brigade.tills.schemas import (
    CountAmount,
    DayReport,
    MethodTotal,
    ShiftStatus,
    ShiftSummary,
    TaxLine,
    WaiterTips,
    ZReportCreate,
    ZReportList,
    ZReportRead,
)
from brigade.tills.service import drawer_figures, local_today, stored_figures

Z_REPORT_TAKEN = "z_report.taken"
CLOSED = "closed"
PAID = "paid"
OPEN = "open"
VOIDED = "voided"
CARD = "card"
REFUND = "refund"
VOID = "void"

_z_reports = cast(Table, ZReport.__table__)
_Z_DAY = unique_constraint(_z_reports, "uq_z_reports_restaurant_id_business_date")
_Z_NUMBER = unique_constraint(_z_reports, "uq_z_reports_restaurant_id_number")


def _of_day(business_date: date) -> Any:
    return Order.business_date == business_date


async def taxes_of_day(
    session: AsyncSession, restaurant_id: int, business_date: date
) -> list[TaxLine]:
    """Tax of the day's paid checks by rate (minor units), lowest rate first: today each
    check has one rate (``tax_rate_bp``, ``tax_inclusive``), its ``tax_total`` and a
    taxable amount of ``subtotal - discount_total``. The one place to change when checks
    carry their taxes per rate."""
    rows = (
        await session.execute(
            scoped(
                select(
                    Check.tax_rate_bp,
                    Check.tax_inclusive,
                    func.sum(Check.subtotal - Check.discount_total),
                    func.sum(Check.tax_total),
                )
                .join(Order, Order.id == Check.order_id)
                .where(_of_day(business_date), Check.status == PAID)
                .group_by(Check.tax_rate_bp, Check.tax_inclusive)
                .order_by(Check.tax_rate_bp, Check.tax_inclusive),
                restaurant_id,
            )
        )
    ).all()
    return [
        TaxLine(rate_bp=int(r[0]), inclusive=bool(r[1]), taxable=int(r[2]), tax=int(r[3]))
        for r in rows
    ]


async def _shifts_of_day(
    session: AsyncSession, restaurant_id: int, business_date: date
) -> list[ShiftSummary]:
    rows = (
        await session.execute(
            scoped(
                select(TillShift, Till.name.label("till_name"))
                .join(Till, Till.id == TillShift.till_id)
                .where(TillShift.business_date == business_date)
                .order_by(TillShift.id),
                restaurant_id,
            )
        )
    ).all()
    shifts: list[ShiftSummary] = []
    for row in rows:
        shift: TillShift = row[0]
        figures = stored_figures(shift) or await drawer_figures(
            session, restaurant_id, shift.id, shift.opening_float
        )
        shifts.append(
            ShiftSummary(
                shift_id=shift.id,
                till_id=shift.till_id,
                till_name=row.till_name,
                status=ShiftStatus(shift.status),
                **figures.model_dump(),
            )
        )
    return shifts


async def day_report(session: AsyncSession, restaurant_id: int, business_date: date) -> DayReport:
    """The totals of ``business_date`` as of now (see :class:`DayReport` for what
    counts; minor units). Raises ``NotFound`` for an unknown restaurant."""
    profile = await restaurant_profile(session, None, restaurant_id)
    day = _of_day(business_date)
    orders = (
        await session.execute(
            scoped(
                select(func.count(), func.coalesce(func.sum(Order.covers), 0)).where(
                    day, Order.status == CLOSED
                ),
                restaurant_id,
            )
        )
    ).one()
    checks = (
        await session.execute(
            scoped(
                select(
                    func.count(),
                    func.coalesce(func.sum(Check.total), 0),
                    func.coalesce(func.sum(case((Check.discount_total > 0, 1), else_=0)), 0),
                    func.coalesce(func.sum(Check.discount_total), 0),
                )
                .join(Order, Order.id == Check.order_id)
                .where(day, Check.status == PAID),
                restaurant_id,
            )
        )
    ).one()
    methods = (
        await session.execute(
            scoped(
                select(
                    Payment.method,
                    func.count(),
                    func.coalesce(func.sum(Payment.amount), 0),
                    func.coalesce(func.sum(Payment.tip), 0),
                )
                .join(Check, Check.id == Payment.check_id)
                .join(Order, Order.id == Check.order_id)
                .where(day, Payment.voided_at.is_(None))
                .group_by(Payment.method)
                .order_by(Payment.method),
                restaurant_id,
            )
        )
    ).all()
    voids = (
        await session.execute(
            scoped(
                select(func.count(), func.coalesce(func.sum(OrderItem.line_total), 0))
                .join(Order, Order.id == OrderItem.order_id)
                .where(day, OrderItem.status == VOIDED),
                restaurant_id,
            )
        )
    ).one()
    payments = [
        MethodTotal(method=str(m[0]), count=int(m[1]), amount=int(m[2]), tips=int(m[3]))
        for m in methods
    ]
    reversals = {
        str(r[0]): CountAmount(count=int(r[1]), amount=int(r[2]))
        for r in (
            await session.execute(
                scoped(
                    select(
                        PaymentReversal.kind,
                        func.count(),
                        func.coalesce(func.sum(PaymentReversal.amount), 0),
                    )
                    .where(PaymentReversal.business_date == business_date)
                    .group_by(PaymentReversal.kind),
                    restaurant_id,
                )
            )
        ).all()
    }
    tips_by_waiter = await _tips_by_waiter(session, restaurant_id, business_date)
    tax = await taxes_of_day(session, restaurant_id, business_date)
    shifts = await _shifts_of_day(session, restaurant_id, business_date)
    return DayReport(
        business_date=business_date,
        currency=profile.currency,
        generated_at=utcnow(),
        orders=int(orders[0]),
        covers=int(orders[1]),
        checks=int(checks[0]),
        sales=int(checks[1]),
        payments=payments,
        payments_total=sum(p.amount for p in payments),
        tax=tax,
        tax_total=sum(t.tax for t in tax),
        tips=sum(p.tips for p in payments),
        discounts=CountAmount(count=int(checks[2]), amount=int(checks[3])),
        comps=CountAmount(count=0, amount=0),  # comps (a line at zero) do not exist yet
        refunds=reversals.get(REFUND, CountAmount(count=0, amount=0)),
        voids=CountAmount(count=int(voids[0]), amount=int(voids[1])),
        payment_voids=reversals.get(VOID, CountAmount(count=0, amount=0)),
        tips_by_waiter=tips_by_waiter,
        shifts=shifts,
        expected_cash=sum(s.expected_cash for s in shifts),
        counted_cash=sum(s.counted_cash or 0 for s in shifts),
        variance=sum(s.variance or 0 for s in shifts),
    )


async def _tips_by_waiter(
    session: AsyncSession, restaurant_id: int, business_date: date
) -> list[WaiterTips]:
    """The tips of the day's payments (not voided) by the waiter of their order (the
    user who opened it, ``None`` when unknown), largest first, with the waiter's full
    name when they have one; waiters without tips are left out."""
    rows = (
        await session.execute(
            scoped(
                select(
                    Order.opened_by,
                    func.count(),
                    func.coalesce(func.sum(Payment.tip), 0),
                )
                .join(Check, Check.id == Payment.check_id)
                .join(Order, Order.id == Check.order_id)
                .where(_of_day(business_date), Payment.voided_at.is_(None), Payment.tip > 0)
                .group_by(Order.opened_by),
                restaurant_id,
                Payment,
                Check,
                Order,
            )
        )
    ).all()
    tips = []
    for waiter_id, count, amount in rows:
        name = (
            None
            if waiter_id is None
            else await staff_display_name(session, restaurant_id, int(waiter_id))
        )
        tips.append(
            WaiterTips(
                waiter_id=None if waiter_id is None else int(waiter_id),
                name=name,
                payments=int(count),
                tips=int(amount),
            )
        )
    tips.sort(key=lambda t: (-t.tips, t.waiter_id or 0))
    return tips


async def x_report(
    session: AsyncSession, access: Access, business_date: date | None = None
) -> DayReport:
    """The X report: :func:`day_report` of ``business_date`` (default: the restaurant's
    local today), computed now and not stored. Raises ``PermissionDenied`` (no
    ``reports:read``)."""
    access.check(Permission.reports_read)
    if business_date is None:
        business_date = local_today(await restaurant_profile(session, None, access.restaurant_id))
    return await day_report(session, access.restaurant_id, business_date)


async def _blockers(
    session: AsyncSession, restaurant_id: int, business_date: date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The open checks of orders of ``business_date`` or earlier, the open shifts
    opened then, and the card payments on their orders whose tip is still pending (not
    voided), as the problem's ``open_checks``, ``open_shifts`` and
    ``unadjusted_tips``."""
    checks = (
        await session.execute(
            scoped(
                select(Check.id, Check.order_id, Order.table_id, DiningTable.name)
                .join(Order, Order.id == Check.order_id)
                .outerjoin(
                    DiningTable,
                    and_(DiningTable.id == Order.table_id, owned_by(DiningTable, restaurant_id)),
                )
                .where(Check.status == OPEN, Order.business_date <= business_date)
                .order_by(Check.id),
                restaurant_id,
                Check,
                Order,
            )
        )
    ).all()
    shifts = (
        await session.execute(
            scoped(
                select(TillShift.id, TillShift.till_id, Till.name)
                .join(Till, Till.id == TillShift.till_id)
                .where(
                    TillShift.status == ShiftStatus.open.value,
                    TillShift.business_date <= business_date,
                )
                .order_by(TillShift.id),
                restaurant_id,
            )
        )
    ).all()
    tips = (
        await session.execute(
            scoped(
                select(Payment.id, Payment.check_id, Check.order_id)
                .join(Check, Check.id == Payment.check_id)
                .join(Order, Order.id == Check.order_id)
                .where(
                    Payment.method == CARD,
                    Payment.tip_pending.is_(True),
                    Payment.voided_at.is_(None),
                    Order.business_date <= business_date,
                )
                .order_by(Payment.id),
                restaurant_id,
                Payment,
                Check,
                Order,
            )
        )
    ).all()
    return (
        [
            {"check_id": r[0], "order_id": r[1], "table_id": r[2], "table_name": r[3]}
            for r in checks
        ],
        [{"shift_id": r[0], "till_id": r[1], "till_name": r[2]} for r in shifts],
        [{"payment_id": r[0], "check_id": r[1], "order_id": r[2]} for r in tips],
    )


async def _lock_payments_of_day(
    session: AsyncSession, restaurant_id: int, business_date: date
) -> None:
    """Take the write lock of the day's payments' rows (PostgreSQL; SQLite has one
    writer): a tip adjustment or refund in flight commits before the figures are read,
    and one after waits for the Z and then sees it (and is refused)."""
    await session.execute(
        scoped(
            select(Payment.id)
            .join(Check, Check.id == Payment.check_id)
            .join(Order, Order.id == Check.order_id)
            .where(_of_day(business_date))
            .with_for_update(of=Payment),
            restaurant_id,
            Payment,
            Check,
            Order,
        )
    )


def _z_read(row: Any) -> ZReportRead:
    return ZReportRead(
        id=row.id,
        number=row.number,
        business_date=row.business_date,
        taken_by=row.taken_by,
        taken_at=row.taken_at,
        report=DayReport.model_validate(row.figures),
    )


async def take_z_report(session: AsyncSession, access: Access, data: ZReportCreate) -> ZReportRead:
    """Close ``data.business_date`` (default: the local today): its :func:`day_report`
    is stored as the restaurant's next Z report (numbers 1, 2, 3…), never changed after.
    Event ``z_report.taken`` ``{"z_report": {id, number, business_date, taken_by,
    taken_at}}`` (without the figures).

    Refused while a check of an order of that day or earlier is open, a shift opened
    then is open, or a card payment on such an order has its tip pending (taken with
    ``tip_pending`` and never adjusted): :class:`DayNotClosable` (409, lists
    ``open_checks``, ``open_shifts`` and ``unadjusted_tips``). The day's payments'
    rows are locked first (PostgreSQL), so a tip adjustment racing the Z is either in
    its figures or refused after it. Raises ``PermissionDenied`` (no ``day:close``),
    :class:`InvalidBusinessDate` (422: after today), :class:`ZReportExists` (409: the
    day has its Z) and :class:`ZReportInProgress` (409: two Z reports raced for a number).
    """
    access.check(Permission.day_close)
    restaurant_id = access.restaurant_id
    profile = await restaurant_profile(session, None, restaurant_id)
    today = local_today(profile)
    business_date = data.business_date or today
    if business_date > today:
        raise InvalidBusinessDate(
            f"{business_date.isoformat()} is after the local today {today.isoformat()}"
        )
    existing = await session.scalar(
        scoped(select(ZReport.number).where(ZReport.business_date == business_date), restaurant_id)
    )
    if existing is not None:
        raise ZReportExists(
            f"Z report {existing} closed {business_date.isoformat()}", number=existing
        )
    await _lock_payments_of_day(session, restaurant_id, business_date)
    open_checks, open_shifts, unadjusted = await _blockers(session, restaurant_id, business_date)
    if open_checks or open_shifts or unadjusted:
        raise DayNotClosable(
            f"{len(open_checks)} open check(s), {len(open_shifts)} open shift(s) and "
            f"{len(unadjusted)} unadjusted tip(s)",
            open_checks=open_checks,
            open_shifts=open_shifts,
            unadjusted_tips=unadjusted,
        )
    last = await session.scalar(scoped(select(func.max(ZReport.number)), restaurant_id))
    report = await day_report(session, restaurant_id, business_date)
    async with unique_guard(
        session,
        _Z_DAY,
        lambda: ZReportExists(f"{business_date.isoformat()} was closed at the same moment"),
    ):
        async with unique_guard(
            session, _Z_NUMBER, lambda: ZReportInProgress("another Z report took the number")
        ):
            row = (
                await session.execute(
                    insert(_z_reports)
                    .values(
                        restaurant_id=restaurant_id,
                        number=int(last or 0) + 1,
                        business_date=business_date,
                        figures=report.model_dump(mode="json"),
                        taken_by=access.actor.user_id,
                        taken_at=utcnow(),
                    )
                    .returning(*_z_reports.c)
                )
            ).one()
    z = _z_read(row)
    # Every device of the restaurant gets the event: the day's figures stay behind
    # ``reports:read`` (GET .../reports/z/{id}).
    summary = z.model_dump(mode="json", exclude={"report"})
    await record(session, restaurant_id, Z_REPORT_TAKEN, {"z_report": summary})
    return z


async def list_z_reports(
    session: AsyncSession, access: Access, *, limit: int = 50, offset: int = 0
) -> ZReportList:
    """Z reports, latest number first. Raises ``PermissionDenied`` (no ``reports:read``)."""
    access.check(Permission.reports_read)
    total = await session.scalar(
        scoped(select(func.count()).select_from(_z_reports), access.restaurant_id)
    )
    rows = (
        await session.execute(
            scoped(select(*_z_reports.c), access.restaurant_id)
            .order_by(_z_reports.c.number.desc())
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return ZReportList(items=[_z_read(r) for r in rows], total=int(total or 0))


async def get_z_report(session: AsyncSession, access: Access, z_report_id: int) -> ZReportRead:
    """Z report ``z_report_id`` of the restaurant. Raises ``NotFound``."""
    access.check(Permission.reports_read)
    row = (
        await session.execute(
            scoped(
                select(*_z_reports.c).where(_z_reports.c.id == z_report_id), access.restaurant_id
            )
        )
    ).first()
    if row is None:
        raise NotFound(f"Z report {z_report_id} not found")
    return _z_read(row)
