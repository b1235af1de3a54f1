"""Course pacing: the next held course fires by itself N minutes after the kitchen
bumped the course before it (issue 11, "Courses and the floor"). "Bumped" is when its
lines became ``ready``: the kitchen's *ready* step or its *bump* (both make the order
lines ready, :mod:`brigade.kitchen.service`).

A restaurant turns it on with ``course_auto_fire_minutes`` (> 0; ``PATCH
/restaurants/{id}``). Two steps, both through the orders' own tables:

1. **Scheduling** (:func:`schedule_next_course`, called by
   :func:`brigade.orders.service.mark_items` when the kitchen makes lines ``ready``, in
   the kitchen's transaction): when nothing of an open order is in the kitchen any more
   (no line ``fired`` or ``preparing``) and a course above the highest course fired so
   far holds pending lines, the lowest such course is stored on the order as
   ``next_fire_course`` due at ``next_fire_at`` = the bump's time + N minutes (UTC). An
   order already scheduled keeps its due time. The schedule lives in the database, so a
   restart loses nothing.
2. **Firing** (:func:`fire_due_courses`, run every
   :attr:`~brigade.infra.settings.Settings.course_pacing_interval_seconds` by the
   :class:`CoursePacer` that the app's lifespan starts): every order whose
   ``next_fire_at`` is due is fired in a unit of work of its own
   (:func:`brigade.events.unit_of_work.unit_of_work`) through
   :func:`brigade.orders.service.fire_course`, the same service as the waiter's fire,
   acting as the system, never confirmed: an earlier course recalled since (not ready
   again) refuses it as it would refuse the waiter.

Never twice: the unit of work first *claims* the schedule with ``UPDATE orders SET
next_fire_* = NULL WHERE id = ... AND next_fire_at = <the due time read>``; only the one
that changed the row fires, in the same transaction (on PostgreSQL a second worker's
claim waits on the row lock and then matches nothing; SQLite has one writer). A fire
that fails with a domain error (nothing pending any more, the order closed, an earlier
course not ready) rolls back, and a second unit of work clears the schedule the same
conditional way, so that it is not tried again. A waiter's manual fire of the scheduled
course clears it too (:func:`brigade.orders.service.fire_course`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access, Actor
from brigade.auth.permissions import Permission
from brigade.events.bus import EventBus
from brigade.events.unit_of_work import unit_of_work
from brigade.infra.db import Database, UTCDateTime, utcnow
from brigade.infra.errors import BrigadeError
from brigade.orders.models import Order, OrderItem
from brigade.orders.schemas import OrderItemRead, OrderItemStatus, OrderStatus
from brigade.restaurants.api import auto_fire_minutes_of
from brigade.tenancy import RID, scoped

logger = logging.getLogger(__name__)

_orders = cast(Table, Order.__table__)
_items = cast(Table, OrderItem.__table__)

#: Line statuses that are in the kitchen (fired, not ready yet).
_IN_KITCHEN = frozenset({OrderItemStatus.fired, OrderItemStatus.preparing})

_AUTO_FIRE_MINUTES = select(auto_fire_minutes_of(RID))
_ORDERS_OF_LINES = (
    scoped(select(_items.c.order_id), RID)
    .where(_items.c.id.in_(bindparam("item_ids", expanding=True)))
    .distinct()
)
_SCHEDULE = (
    scoped(update(_orders), bindparam("b_rid"))
    .where(
        _orders.c.id == bindparam("b_order_id"),
        _orders.c.status == OrderStatus.open.value,
        _orders.c.next_fire_at.is_(None),
    )
    .values(
        next_fire_course=bindparam("b_course"),
        next_fire_at=bindparam("b_due", type_=UTCDateTime()),
    )
)
#: Every due schedule of a restaurant that still paces its courses, oldest first. Read
#: across restaurants on purpose (the pacer serves them all); each row is then fired in
#: its own restaurant's scope.
_DUE = (
    select(
        _orders.c.id,
        _orders.c.restaurant_id,
        _orders.c.next_fire_course,
        _orders.c.next_fire_at,
    )
    .where(
        _orders.c.next_fire_at <= bindparam("now", type_=UTCDateTime()),
        _orders.c.status == OrderStatus.open.value,
        auto_fire_minutes_of(_orders.c.restaurant_id) > 0,
    )
    .order_by(_orders.c.next_fire_at, _orders.c.id)
    .limit(bindparam("limit"))
)
#: Claims (or clears) one schedule: only while it is still the one read.
_CLAIM = (
    scoped(update(_orders), bindparam("b_rid"))
    .where(
        _orders.c.id == bindparam("b_order_id"),
        _orders.c.next_fire_course == bindparam("b_course"),
        _orders.c.next_fire_at == bindparam("b_due", type_=UTCDateTime()),
    )
    .values(next_fire_course=None, next_fire_at=None)
    .returning(_orders.c.id)
)


def next_course_to_pace(items: Sequence[OrderItemRead]) -> int | None:
    """The held course to fire next once the kitchen is done with an order's lines
    ``items``, or ``None``: nothing may be in the kitchen (``fired``/``preparing``),
    something must have been fired, and the lowest course above the highest fired one
    that has ``pending`` lines is the answer."""
    live = [i for i in items if i.status is not OrderItemStatus.voided]
    if any(i.status in _IN_KITCHEN for i in live):
        return None
    fired = [i.course for i in live if i.fired_at is not None]
    if not fired:
        return None
    top = max(fired)
    held = [i.course for i in live if i.status is OrderItemStatus.pending and i.course > top]
    return min(held) if held else None


async def schedule_next_course(
    session: AsyncSession, restaurant_id: int, order_item_ids: Sequence[int], at: datetime
) -> None:
    """After lines ``order_item_ids`` became ``ready`` at ``at`` (UTC): schedule each of
    their orders' next held course (:func:`next_course_to_pace`) to fire at ``at`` +
    the restaurant's ``course_auto_fire_minutes``. Does nothing when pacing is off (one
    query), for a closed order, or an order already scheduled. Records no event and
    leaves the order's ``version`` alone (kitchen progress never conflicts with the
    waiter's writes)."""
    minutes = await session.scalar(_AUTO_FIRE_MINUTES, {"restaurant_id": restaurant_id})
    if not minutes or not order_item_ids:
        return
    from brigade.orders.service import order_lines

    order_ids = (
        await session.scalars(
            _ORDERS_OF_LINES, {"restaurant_id": restaurant_id, "item_ids": list(order_item_ids)}
        )
    ).all()
    due = at + timedelta(minutes=int(minutes))
    for order_id in order_ids:
        course = next_course_to_pace(await order_lines(session, restaurant_id, order_id))
        if course is not None:
            await session.execute(
                _SCHEDULE,
                {"b_rid": restaurant_id, "b_order_id": order_id, "b_course": course, "b_due": due},
            )


@dataclass(frozen=True, slots=True)
class PacedFire:
    """One due schedule that :func:`fire_due_courses` handled: ``fired`` when the
    course went to the kitchen, else ``refused`` names the problem type that stopped it
    (the schedule is then cleared)."""

    restaurant_id: int
    order_id: int
    course: int
    fired: bool
    refused: str | None = None


def _system(restaurant_id: int) -> Access:
    """The pacer's standing in a restaurant: the system, allowed to fire courses."""
    return Access(
        actor=Actor(),
        restaurant_id=restaurant_id,
        role=None,
        permissions=frozenset({Permission.orders_write}),
    )


@dataclass(frozen=True, slots=True)
class DueFire:
    """A schedule read as due: course ``course`` of order ``order_id`` at ``due``."""

    restaurant_id: int
    order_id: int
    course: int
    due: datetime


async def due_fires(db: Database, now: datetime, limit: int = 100) -> list[DueFire]:
    """The schedules due at ``now`` (UTC) of restaurants that pace their courses, oldest
    first, at most ``limit`` (one read, across restaurants)."""
    async with db.sessionmaker() as session:
        rows = (await session.execute(_DUE, {"now": now, "limit": limit})).all()
    return [DueFire(r.restaurant_id, r.id, r.next_fire_course, r.next_fire_at) for r in rows]


async def fire_scheduled(
    db: Database, bus: EventBus | None, due: Sequence[DueFire]
) -> list[PacedFire]:
    """Fire each of ``due`` in a unit of work of its own, once (see the module
    docstring): a schedule no longer as read (another worker fired or cleared it, the
    waiter fired the course) is skipped and left out of the result."""
    from brigade.orders.service import fire_course

    done: list[PacedFire] = []
    for fire in due:
        params: dict[str, Any] = {
            "b_rid": fire.restaurant_id,
            "b_order_id": fire.order_id,
            "b_course": fire.course,
            "b_due": fire.due,
        }
        try:
            async with unit_of_work(db, bus) as session:
                claimed = (await session.execute(_CLAIM, params)).first()
                if claimed is None:
                    continue
                await fire_course(session, _system(fire.restaurant_id), fire.order_id, fire.course)
        except BrigadeError as error:
            async with unit_of_work(db, bus) as session:
                await session.execute(_CLAIM, params)
            logger.info(
                "course %s of order %s not fired automatically: %s",
                fire.course,
                fire.order_id,
                error.detail or error.title,
            )
            done.append(
                PacedFire(fire.restaurant_id, fire.order_id, fire.course, False, error.type)
            )
            continue
        done.append(PacedFire(fire.restaurant_id, fire.order_id, fire.course, True))
    return done


async def fire_due_courses(
    db: Database, bus: EventBus | None, *, now: datetime | None = None, limit: int = 100
) -> list[PacedFire]:
    """Fire every course due at ``now`` (UTC; default: the clock), at most ``limit``:
    :func:`due_fires`, then :func:`fire_scheduled`; returns what was done."""
    return await fire_scheduled(db, bus, await due_fires(db, now or utcnow(), limit))


class CoursePacer:
    """The background task of one process that runs :func:`fire_due_courses` every
    ``interval`` seconds (started and stopped by the app's lifespan). Any number of
    processes may run one: the claim keeps each course to one fire."""

    def __init__(self, db: Database, bus: EventBus, interval: float) -> None:
        self.db = db
        self.bus = bus
        self.interval = interval
        #: Passes of :func:`fire_due_courses` finished (for a status probe or a test).
        self.passes = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the loop (idempotent)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="course-pacer")

    async def stop(self) -> None:
        """Stop the loop and wait for it."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            try:
                await fire_due_courses(self.db, self.bus)
            except Exception:  # a database hiccup must not end pacing for good
                logger.exception("course pacing failed; trying again")
            self.passes += 1
            await asyncio.sleep(self.interval)
