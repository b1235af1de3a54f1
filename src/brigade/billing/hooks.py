"""What billing asks of the contexts above it when it takes a payment, and when it
adjusts a tip or gives money back.

A payment may be taken into a till's cash drawer: the tills context (above billing; it
reads payments, billing never imports it) decides which till and shift a payment
belongs to and refuses a till without an open shift. It registers :data:`PaymentDrawer`
at start (:func:`brigade.wiring.wire`). Billing stores the answer as two plain columns
of the payment (``till_id``, ``shift_id``) and knows nothing else of tills.

Tips are adjusted, and money given back, only while the business day they belong to
has no Z report: tills answers :data:`BusinessDayProbe` (:func:`business_day`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from brigade.infra.db import utcnow


@dataclass(frozen=True, slots=True)
class Drawer:
    """The till and its open shift a payment counts into."""

    till_id: int
    shift_id: int


#: ``(session, restaurant_id, user_id, till_id, method) -> Drawer | None``: the drawer
#: of a payment of ``method`` taken by user ``user_id`` (``None``: an API token) into
#: ``till_id`` (``None``: none named). Raises a ``BrigadeError`` to refuse the payment
#: (an unknown till, a till without an open shift).
PaymentDrawer = Callable[[AsyncSession, int, int | None, int | None, str], Awaitable[Drawer | None]]


class HookNotWired(RuntimeError):
    """A payment named a till and no drawer hook is registered (a server bug)."""


_drawer: list[PaymentDrawer] = []


def register_payment_drawer(hook: PaymentDrawer) -> None:
    """Make ``hook`` the answer of :func:`payment_drawer` (replaces an earlier one)."""
    _drawer[:] = [hook]


async def payment_drawer(
    session: AsyncSession, restaurant_id: int, user_id: int | None, till_id: int | None, method: str
) -> Drawer | None:
    """The :class:`Drawer` a payment counts into, or ``None``. Without a registered hook
    a payment that names no till is taken into no drawer, and one that names a till
    raises :class:`HookNotWired`."""
    if not _drawer:
        if till_id is None:
            return None
        raise HookNotWired("no payment drawer registered (brigade.wiring.wire)")
    return await _drawer[0](session, restaurant_id, user_id, till_id, method)


@dataclass(frozen=True, slots=True)
class BusinessDay:
    """A restaurant's business day (its local date) and the number of the Z report
    that closed it (``None``: still open)."""

    business_date: date
    z_number: int | None


#: ``(session, restaurant_id, order_id) -> BusinessDay``: the business day of order
#: ``order_id`` (``None``: the restaurant's local today) and its Z report, if taken.
BusinessDayProbe = Callable[[AsyncSession, int, int | None], Awaitable[BusinessDay]]

_business_day: list[BusinessDayProbe] = []


def register_business_day(probe: BusinessDayProbe) -> None:
    """Make ``probe`` the answer of :func:`business_day` (replaces an earlier one)."""
    _business_day[:] = [probe]


async def business_day(
    session: AsyncSession, restaurant_id: int, order_id: int | None
) -> BusinessDay:
    """The :class:`BusinessDay` of order ``order_id`` (``None``: today). Without a
    registered probe (no tills context): today's UTC date, never closed."""
    if not _business_day:
        return BusinessDay(utcnow().date(), None)
    return await _business_day[0](session, restaurant_id, order_id)
