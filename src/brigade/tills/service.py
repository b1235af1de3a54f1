"""Rules of the tills context: tills, shifts with their float, paid-in and paid-out, the
blind count at close, and the drawer a payment is taken into.

The drawer's arithmetic is :func:`expected_cash` (one function, stated once). A shift's
cash payments are the ``payments`` rows billing stored with its ``shift_id`` (through
:mod:`brigade.billing.hooks`, which :func:`payment_drawer` answers); this context reads
them and billing never imports it.

Concurrency: one open shift per till is kept by the till's row lock (``SELECT ... FOR
UPDATE`` on PostgreSQL; SQLite has one writer) and, should two requests still race, by
the unique constraint ``uq_till_shifts_restaurant_id_open_till_id`` (409 either way). A
payment takes a share lock on the open shift's row and closing takes its write lock, so
a payment is counted in the shift it was taken into or refused, never lost between the
count and the close.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Row,
    Table,
    and_,
    bindparam,
    case,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access
from brigade.auth.permissions import Permission
from brigade.billing.hooks import BusinessDay, Drawer
from brigade.billing.models import Payment, PaymentReversal
from brigade.events.outbox import record
from brigade.infra.db import utcnow
from brigade.infra.errors import NotFound, StaleVersion
from brigade.infra.integrity import unique_constraint, unique_guard
from brigade.orders.models import Order
from brigade.restaurants.service import RestaurantProfile, restaurant_profile
from brigade.tenancy import RID, owned_by, scoped
from brigade.tills.exceptions import (
    DayClosed,
    ShiftAlreadyOpen,
    ShiftClosed,
    TillNameTaken,
    TillNotOpen,
    TillRequired,
)
from brigade.tills.models import CashMovement, Till, TillShift, ZReport
from brigade.tills.schemas import (
    CashMovementCreate,
    CashMovementRead,
    DrawerFigures,
    MovementKind,
    ShiftClose,
    ShiftList,
    ShiftOpen,
    ShiftRead,
    ShiftStatus,
    TillCreate,
    TillList,
    TillRead,
)

SHIFT_OPENED = "shift.opened"
SHIFT_CLOSED = "shift.closed"

_tills = cast(Table, Till.__table__)
_shifts = cast(Table, TillShift.__table__)
_movements = cast(Table, CashMovement.__table__)
_payments = cast(Table, Payment.__table__)
_reversals = cast(Table, PaymentReversal.__table__)
_orders = cast(Table, Order.__table__)
_z_reports = cast(Table, ZReport.__table__)

_TILL_NAME = unique_constraint(_tills, "uq_tills_restaurant_id_name")
_ONE_OPEN_SHIFT = unique_constraint(_shifts, "uq_till_shifts_restaurant_id_open_till_id")
CASH = "cash"


def expected_cash(
    opening_float: int,
    cash_in: int,
    change_out: int,
    paid_in: int,
    paid_out: int,
    cash_refunds: int = 0,
) -> int:
    """What the drawer should hold, in minor units: the float, plus cash handed over
    by guests (``cash_in``, what they tendered), less change given back
    (``change_out``), plus paid-ins, less paid-outs, less refunds paid in cash
    (``cash_refunds``: the cash paid back by refunds and voids of cash payments out of
    this drawer, :mod:`brigade.billing.payments`). No rounding: every term is an
    integer of minor units."""
    return opening_float + cash_in - change_out + paid_in - paid_out - cash_refunds


def local_today(profile: RestaurantProfile, now: datetime | None = None) -> date:
    """The restaurant's business date at ``now`` (default: the current time): the
    local date in its IANA ``time_zone``, as orders fix their ``business_date``."""
    return (now or utcnow()).astimezone(ZoneInfo(profile.time_zone)).date()


async def drawer_figures(
    session: AsyncSession, restaurant_id: int, shift_id: int, opening_float: int
) -> DrawerFigures:
    """The cash figures of shift ``shift_id`` so far (minor units; three aggregates):
    its cash payments' ``tendered`` (``cash_in``; the amount when none was recorded)
    and ``change`` (``change_out``), its paid-ins and paid-outs, and the cash its
    drawer paid back (``cash_refunds``: the ``cash`` of the refunds and voids counted
    out of it, whichever shift took the payment); ``counted_cash`` and ``variance``
    ``None``. A voided cash payment stays in ``cash_in``/``change_out``: its void pays
    the cash back as a reversal, so the drawer's arithmetic never rewrites the past."""
    cash = (
        await session.execute(
            scoped(
                select(
                    func.coalesce(
                        func.sum(func.coalesce(_payments.c.tendered, _payments.c.amount)), 0
                    ),
                    func.coalesce(func.sum(_payments.c.change), 0),
                ).where(_payments.c.shift_id == shift_id, _payments.c.method == CASH),
                restaurant_id,
            )
        )
    ).one()
    moved = (
        await session.execute(
            scoped(
                select(
                    func.coalesce(
                        func.sum(
                            case(
                                (
                                    _movements.c.kind == MovementKind.paid_in.value,
                                    _movements.c.amount,
                                ),
                                else_=0,
                            )
                        ),
                        0,
                    ),
                    func.coalesce(
                        func.sum(
                            case(
                                (
                                    _movements.c.kind == MovementKind.paid_out.value,
                                    _movements.c.amount,
                                ),
                                else_=0,
                            )
                        ),
                        0,
                    ),
                ).where(_movements.c.shift_id == shift_id),
                restaurant_id,
            )
        )
    ).one()
    cash_in, change_out = int(cash[0]), int(cash[1])
    paid_in, paid_out = int(moved[0]), int(moved[1])
    cash_refunds = int(
        await session.scalar(
            scoped(
                select(func.coalesce(func.sum(_reversals.c.cash), 0)).where(
                    _reversals.c.shift_id == shift_id
                ),
                restaurant_id,
            )
        )
        or 0
    )
    return DrawerFigures(
        opening_float=opening_float,
        cash_in=cash_in,
        change_out=change_out,
        cash_sales=cash_in - change_out,
        paid_in=paid_in,
        paid_out=paid_out,
        cash_refunds=cash_refunds,
        expected_cash=expected_cash(
            opening_float, cash_in, change_out, paid_in, paid_out, cash_refunds
        ),
        counted_cash=None,
        variance=None,
    )


def stored_figures(row: Any) -> DrawerFigures | None:
    """The final figures of a closed shift's row (``None`` while it is open)."""
    if row.status != ShiftStatus.closed.value:
        return None
    return DrawerFigures(
        opening_float=row.opening_float,
        cash_in=row.cash_in,
        change_out=row.change_out,
        cash_sales=row.cash_in - row.change_out,
        paid_in=row.paid_in,
        paid_out=row.paid_out,
        cash_refunds=row.cash_refunds,
        expected_cash=row.expected_cash,
        counted_cash=row.counted_cash,
        variance=row.variance,
    )


def _shift_read(row: Row[Any]) -> ShiftRead:
    return ShiftRead(
        id=row.id,
        till_id=row.till_id,
        status=row.status,
        business_date=row.business_date,
        opening_float=row.opening_float,
        opened_by=row.opened_by,
        opened_at=row.opened_at,
        closed_by=row.closed_by,
        closed_at=row.closed_at,
        version=row.version,
        figures=stored_figures(row),
    )


# --- tills ------------------------------------------------------------------------------


def _tills_with_open_shift() -> Any:
    return select(
        _tills.c.id, _tills.c.name, _tills.c.created_at, _shifts.c.id.label("open_shift_id")
    ).outerjoin(
        _shifts,
        and_(_shifts.c.open_till_id == _tills.c.id, owned_by(_shifts, _tills.c.restaurant_id)),
    )


def _till_read(row: Row[Any]) -> TillRead:
    return TillRead(
        id=row.id, name=row.name, created_at=row.created_at, open_shift_id=row.open_shift_id
    )


async def create_till(session: AsyncSession, access: Access, data: TillCreate) -> TillRead:
    """A new till named ``data.name``. Raises ``PermissionDenied`` (no ``tills:write``)
    and :class:`TillNameTaken` (409, also when two requests race)."""
    access.check(Permission.tills_write)
    async with unique_guard(
        session,
        _TILL_NAME,
        lambda: TillNameTaken(f"a till is named {data.name!r}", name=data.name),
    ):
        row = (
            await session.execute(
                insert(_tills)
                .values(restaurant_id=access.restaurant_id, name=data.name, created_at=utcnow())
                .returning(_tills.c.id, _tills.c.name, _tills.c.created_at)
            )
        ).one()
    return TillRead(id=row.id, name=row.name, created_at=row.created_at, open_shift_id=None)


async def list_tills(session: AsyncSession, access: Access) -> TillList:
    """The restaurant's tills by name, each with its open shift's id."""
    access.check(Permission.tills_read)
    rows = (
        await session.execute(
            scoped(_tills_with_open_shift(), access.restaurant_id, _tills).order_by(
                _tills.c.name, _tills.c.id
            )
        )
    ).all()
    return TillList(items=[_till_read(r) for r in rows], total=len(rows))


async def get_till(session: AsyncSession, access: Access, till_id: int) -> TillRead:
    """Till ``till_id``. Raises ``NotFound`` (none in this restaurant)."""
    access.check(Permission.tills_read)
    row = (
        await session.execute(
            scoped(_tills_with_open_shift(), access.restaurant_id, _tills).where(
                _tills.c.id == till_id
            )
        )
    ).first()
    if row is None:
        raise NotFound(f"till {till_id} not found")
    return _till_read(row)


# --- shifts -----------------------------------------------------------------------------


async def open_shift(
    session: AsyncSession, access: Access, till_id: int, data: ShiftOpen
) -> ShiftRead:
    """Open a shift on till ``till_id`` with ``data.opening_float`` (minor units), by
    the caller, on the restaurant's local business date. Event ``shift.opened``
    ``{"shift": ShiftRead}``.

    Raises ``PermissionDenied`` (no ``shifts:write``), ``NotFound`` (no such till),
    :class:`ShiftAlreadyOpen` (409, extension ``shift_id``; also when two requests
    race) and :class:`DayClosed` (409: the day's Z report is taken).
    """
    access.check(Permission.shifts_write)
    restaurant_id = access.restaurant_id
    # The till's row lock (PostgreSQL) orders concurrent opens on one till.
    till = (
        await session.execute(
            scoped(
                select(_tills.c.id).where(_tills.c.id == till_id), restaurant_id
            ).with_for_update()
        )
    ).first()
    if till is None:
        raise NotFound(f"till {till_id} not found")
    current = await session.scalar(
        scoped(select(_shifts.c.id).where(_shifts.c.open_till_id == till_id), restaurant_id)
    )
    if current is not None:
        raise ShiftAlreadyOpen(f"till {till_id} has open shift {current}", shift_id=current)
    profile = await restaurant_profile(session, None, restaurant_id)
    now = utcnow()
    business_date = local_today(profile, now)
    closed = await session.scalar(
        scoped(
            select(_z_reports.c.number).where(_z_reports.c.business_date == business_date),
            restaurant_id,
        )
    )
    if closed is not None:
        raise DayClosed(f"the Z report {closed} closed {business_date.isoformat()}", number=closed)
    async with unique_guard(
        session, _ONE_OPEN_SHIFT, lambda: ShiftAlreadyOpen(f"till {till_id} has an open shift")
    ):
        row = (
            await session.execute(
                insert(_shifts)
                .values(
                    restaurant_id=restaurant_id,
                    till_id=till_id,
                    open_till_id=till_id,
                    status=ShiftStatus.open.value,
                    business_date=business_date,
                    opening_float=data.opening_float,
                    opened_by=access.actor.user_id,
                    opened_at=now,
                    version=1,
                )
                .returning(*_shifts.c)
            )
        ).one()
    shift = _shift_read(row)
    await record(session, restaurant_id, SHIFT_OPENED, {"shift": shift.model_dump(mode="json")})
    return shift


async def _shift_row(session: AsyncSession, restaurant_id: int, shift_id: int) -> Row[Any]:
    row = (
        await session.execute(
            scoped(select(*_shifts.c).where(_shifts.c.id == shift_id), restaurant_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"shift {shift_id} not found")
    return row


async def get_shift(session: AsyncSession, access: Access, shift_id: int) -> ShiftRead:
    """Shift ``shift_id`` (figures only once closed). Raises ``NotFound``."""
    access.check(Permission.tills_read)
    return _shift_read(await _shift_row(session, access.restaurant_id, shift_id))


async def list_shifts(
    session: AsyncSession,
    access: Access,
    *,
    status: ShiftStatus | None = None,
    till_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> ShiftList:
    """Shifts, newest first, filtered by ``status`` and ``till_id``."""
    access.check(Permission.tills_read)
    conditions: list[ColumnElement[bool]] = []
    if status is not None:
        conditions.append(_shifts.c.status == status.value)
    if till_id is not None:
        conditions.append(_shifts.c.till_id == till_id)
    count = scoped(
        select(func.count()).select_from(_shifts).where(*conditions), access.restaurant_id
    )
    page = (
        scoped(select(*_shifts.c).where(*conditions), access.restaurant_id)
        .order_by(_shifts.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    total = int((await session.execute(count)).scalar_one())
    rows = (await session.execute(page)).all()
    return ShiftList(items=[_shift_read(r) for r in rows], total=total)


async def _lock_open_shift(
    session: AsyncSession, restaurant_id: int, shift_id: int, version: int | None = None
) -> Row[Any]:
    """The open shift's row, version + 1 (locked on PostgreSQL until the commit).
    Raises ``NotFound``, :class:`ShiftClosed` and ``StaleVersion`` (409)."""
    statement = scoped(
        update(_shifts).where(_shifts.c.id == shift_id, _shifts.c.status == ShiftStatus.open.value),
        restaurant_id,
    )
    if version is not None:
        statement = statement.where(_shifts.c.version == version)
    locked = (
        await session.execute(statement.values(version=_shifts.c.version + 1).returning(*_shifts.c))
    ).first()
    if locked is not None:
        return locked
    current = await _shift_row(session, restaurant_id, shift_id)
    if current.status != ShiftStatus.open.value:
        raise ShiftClosed(f"shift {shift_id} is closed")
    raise StaleVersion(
        f"shift {shift_id} is at version {current.version}", current_version=current.version
    )


async def add_movement(
    session: AsyncSession,
    access: Access,
    shift_id: int,
    kind: MovementKind,
    data: CashMovementCreate,
) -> CashMovementRead:
    """Record a paid-in or paid-out of ``data.amount`` (minor units) with its reason on
    open shift ``shift_id``. Raises ``PermissionDenied`` (no ``shifts:write``),
    ``NotFound`` and :class:`ShiftClosed` (409)."""
    access.check(Permission.shifts_write)
    restaurant_id = access.restaurant_id
    await _lock_open_shift(session, restaurant_id, shift_id)
    row = (
        await session.execute(
            insert(_movements)
            .values(
                restaurant_id=restaurant_id,
                shift_id=shift_id,
                kind=kind.value,
                amount=data.amount,
                reason=data.reason,
                created_by=access.actor.user_id,
                created_at=utcnow(),
            )
            .returning(*_movements.c)
        )
    ).one()
    return CashMovementRead.model_validate(row, from_attributes=True)


async def close_shift(
    session: AsyncSession, access: Access, shift_id: int, data: ShiftClose
) -> ShiftRead:
    """Close open shift ``shift_id`` with the blind count ``data.counted_cash``: its
    figures (:func:`drawer_figures`, :func:`expected_cash`) and ``variance = counted -
    expected`` are computed and stored, final. Event ``shift.closed`` ``{"shift"}``.

    Raises ``PermissionDenied`` (no ``shifts:write``), ``NotFound``,
    :class:`ShiftClosed` (409) and ``StaleVersion`` (409).
    """
    access.check(Permission.shifts_write)
    restaurant_id = access.restaurant_id
    locked = await _lock_open_shift(session, restaurant_id, shift_id, data.version)
    figures = await drawer_figures(session, restaurant_id, shift_id, locked.opening_float)
    variance = data.counted_cash - figures.expected_cash
    row = (
        await session.execute(
            scoped(update(_shifts).where(_shifts.c.id == shift_id), restaurant_id)
            .values(
                status=ShiftStatus.closed.value,
                open_till_id=None,
                closed_by=access.actor.user_id,
                closed_at=utcnow(),
                cash_in=figures.cash_in,
                change_out=figures.change_out,
                paid_in=figures.paid_in,
                paid_out=figures.paid_out,
                cash_refunds=figures.cash_refunds,
                expected_cash=figures.expected_cash,
                counted_cash=data.counted_cash,
                variance=variance,
            )
            .returning(*_shifts.c)
        )
    ).one()
    shift = _shift_read(row)
    await record(session, restaurant_id, SHIFT_CLOSED, {"shift": shift.model_dump(mode="json")})
    return shift


# --- the drawer of a payment (billing's hook) -------------------------------------------

# On the payment's hot path: built once, with bind parameters. The open shift's row is
# share-locked (PostgreSQL; SQLite renders no FOR clause and has one writer).
_TILL_EXISTS = scoped(select(_tills.c.id).where(_tills.c.id == bindparam("till_id")), RID)
_OPEN_SHIFT_OF_TILL = scoped(
    select(_shifts.c.id).where(
        _shifts.c.open_till_id == bindparam("till_id"),
        _shifts.c.status == ShiftStatus.open.value,
    ),
    RID,
).with_for_update(read=True)
_OPEN_SHIFTS_OF_USER = (
    scoped(
        select(_shifts.c.id, _shifts.c.till_id).where(
            _shifts.c.opened_by == bindparam("user_id"),
            _shifts.c.status == ShiftStatus.open.value,
        ),
        RID,
    )
    .limit(2)
    .with_for_update(read=True)
)


async def payment_drawer(
    session: AsyncSession,
    restaurant_id: int,
    user_id: int | None,
    till_id: int | None,
    method: str,
) -> Drawer | None:
    """The drawer (till and open shift) a payment of ``method`` is taken into, for
    :func:`brigade.billing.hooks.payment_drawer` (registered by
    :func:`brigade.wiring.wire`).

    With ``till_id``: that till's open shift; without: the open shift opened by
    ``user_id`` when there is exactly one, else none. The shift's row is share-locked
    (PostgreSQL) so that it cannot close before the payment commits.

    Raises ``NotFound`` (no such till in the restaurant), :class:`TillNotOpen` (409: the
    till has no open shift) and :class:`TillRequired` (422: a cash payment without
    ``till_id`` by a user with several open shifts).
    """
    if till_id is not None:
        found = await session.scalar(
            _TILL_EXISTS, {"restaurant_id": restaurant_id, "till_id": till_id}
        )
        if found is None:
            raise NotFound(f"till {till_id} not found")
        shift_id = await session.scalar(
            _OPEN_SHIFT_OF_TILL, {"restaurant_id": restaurant_id, "till_id": till_id}
        )
        if shift_id is None:
            raise TillNotOpen(f"till {till_id} has no open shift", till_id=till_id)
        return Drawer(till_id=till_id, shift_id=int(shift_id))
    if user_id is None:
        return None
    rows = (
        await session.execute(
            _OPEN_SHIFTS_OF_USER, {"restaurant_id": restaurant_id, "user_id": user_id}
        )
    ).all()
    if len(rows) == 1:
        return Drawer(till_id=int(rows[0].till_id), shift_id=int(rows[0].id))
    if len(rows) > 1 and method == CASH:
        raise TillRequired("you have several open shifts: name the till (till_id)")
    return None


# --- the business day of a payment (billing's hook) ----------------------------------

_ORDER_DAY = scoped(
    select(_orders.c.business_date).where(_orders.c.id == bindparam("order_id")), RID
)
_Z_OF_DAY = scoped(
    select(_z_reports.c.number).where(_z_reports.c.business_date == bindparam("business_date")),
    RID,
)


async def business_day(
    session: AsyncSession, restaurant_id: int, order_id: int | None
) -> BusinessDay:
    """The business day of order ``order_id`` (its ``business_date``; ``None`` or an
    unknown order: the restaurant's local today, :func:`local_today`) and the number of
    the Z report that closed it (``None``: open), for
    :func:`brigade.billing.hooks.business_day` (registered by :func:`brigade.wiring.wire`):
    a tip is adjusted, and money given back, only on a day without its Z."""
    day: date | None = None
    if order_id is not None:
        day = await session.scalar(
            _ORDER_DAY, {"restaurant_id": restaurant_id, "order_id": order_id}
        )
    if day is None:
        day = local_today(await restaurant_profile(session, None, restaurant_id))
    number = await session.scalar(_Z_OF_DAY, {"restaurant_id": restaurant_id, "business_date": day})
    return BusinessDay(day, None if number is None else int(number))
