"""Rules of the kitchen context: tickets per station, their steps, and voided lines.

Firing order lines (``brigade.orders.service``) calls :func:`create_tickets`: one ticket
per (station, course) of the fired lines. Kitchen screens then move tickets and their
lines along ``new → preparing → ready → bumped`` (:func:`step_ticket`,
:func:`step_ticket_item`); a bumped ticket can be recalled (back to ``ready``). Every step
is timestamped in UTC, increments the ticket's ``version``, records ``ticket.updated``
(with ``station``) and makes the order lines follow through
``brigade.orders.service.mark_items``:

===========  =====================  ========================
step         ticket / ticket lines  order lines (mark_items)
===========  =====================  ========================
start        → preparing            → ``preparing``
ready        → ready                → ``ready``
bump         → bumped               → ``ready`` (served is the floor's step)
recall       bumped → ready         → ``preparing`` (it is being redone)
===========  =====================  ========================

Only the lines that actually changed are passed to ``mark_items``; voided lines never
move. This is the hot path of a kitchen screen: Core statements, ``UPDATE ... RETURNING``
and multi-row ``INSERT ... RETURNING``, no ORM object loading.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access
from brigade.auth.permissions import Permission
from brigade.db import utcnow
from brigade.errors import NotFound, StaleVersion
from brigade.events.outbox import NewEvent, record_many
from brigade.kitchen.exceptions import InvalidTicketTransition
from brigade.kitchen.models import Ticket, TicketItem
from brigade.kitchen.schemas import (
    TicketItemRead,
    TicketItemStatus,
    TicketList,
    TicketListStatus,
    TicketModifier,
    TicketRead,
    TicketStatus,
)
from brigade.orders.models import OrderItem

TICKET_CREATED = "ticket.created"
TICKET_UPDATED = "ticket.updated"


@dataclass(frozen=True, slots=True)
class FiredLine:
    """An order line being fired to the kitchen, as the order snapshotted it.

    ``modifiers`` is ``[{"id", "name", "price_delta"}]`` (minor units); ``station`` and
    ``course`` decide which ticket the line lands on.
    """

    order_item_id: int
    name: str
    variation_name: str
    quantity: int
    modifiers: Sequence[Mapping[str, Any]]
    notes: str
    seat: int | None
    course: int
    station: str


class TicketAction(StrEnum):
    """A step of a whole ticket."""

    start = "start"
    ready = "ready"
    bump = "bump"
    recall = "recall"


class TicketItemAction(StrEnum):
    """A step of one line of a ticket."""

    start = "start"
    ready = "ready"
    bump = "bump"


@dataclass(frozen=True, slots=True)
class _Step:
    to: TicketStatus
    allowed: frozenset[TicketStatus]
    stamp: str  # the ticket column set to the step's time
    event_action: str
    order_status: str  # what the order lines become (mark_items)
    items_from: frozenset[TicketItemStatus]  # ticket lines that follow the ticket
    items_to: TicketItemStatus
    items_stamp: str | None


_S = TicketStatus
_I = TicketItemStatus

_TICKET_STEPS: dict[TicketAction, _Step] = {
    TicketAction.start: _Step(
        _S.preparing,
        frozenset({_S.new}),
        "started_at",
        "started",
        "preparing",
        frozenset({_I.new}),
        _I.preparing,
        "started_at",
    ),
    TicketAction.ready: _Step(
        _S.ready,
        frozenset({_S.new, _S.preparing}),
        "ready_at",
        "ready",
        "ready",
        frozenset({_I.new, _I.preparing}),
        _I.ready,
        "ready_at",
    ),
    TicketAction.bump: _Step(
        _S.bumped,
        frozenset({_S.new, _S.preparing, _S.ready}),
        "bumped_at",
        "bumped",
        "ready",
        frozenset({_I.new, _I.preparing, _I.ready}),
        _I.bumped,
        "bumped_at",
    ),
    TicketAction.recall: _Step(
        _S.ready,
        frozenset({_S.bumped}),
        "recalled_at",
        "recalled",
        "preparing",
        frozenset({_I.bumped}),
        _I.ready,
        None,
    ),
}

#: item action -> (new status, statuses it may come from, timestamp column, order status)
_ITEM_STEPS: dict[TicketItemAction, tuple[_I, frozenset[_I], str, str]] = {
    TicketItemAction.start: (_I.preparing, frozenset({_I.new}), "started_at", "preparing"),
    TicketItemAction.ready: (_I.ready, frozenset({_I.new, _I.preparing}), "ready_at", "ready"),
    TicketItemAction.bump: (
        _I.bumped,
        frozenset({_I.new, _I.preparing, _I.ready}),
        "bumped_at",
        "ready",
    ),
}

#: the ticket step whose timestamp a ticket reaching a status through its lines gets
_STATUS_ACTION = {
    _S.preparing: TicketAction.start,
    _S.ready: TicketAction.ready,
    _S.bumped: TicketAction.bump,
}
_ITEM_EVENT = {
    TicketItemAction.start: "item_started",
    TicketItemAction.ready: "item_ready",
    TicketItemAction.bump: "item_bumped",
}
_RANK = {_S.new: 0, _S.preparing: 1, _S.ready: 2, _S.bumped: 3}
_OPEN = (_S.new.value, _S.preparing.value, _S.ready.value)

_TICKET_COLUMNS = (
    Ticket.id,
    Ticket.order_id,
    Ticket.station,
    Ticket.course,
    Ticket.table_name,
    Ticket.status,
    Ticket.version,
    Ticket.created_at,
    Ticket.started_at,
    Ticket.ready_at,
    Ticket.bumped_at,
    Ticket.recalled_at,
)

_ITEM_COLUMNS = (
    TicketItem.id,
    TicketItem.ticket_id,
    TicketItem.order_item_id,
    OrderItem.name,
    OrderItem.variation_name,
    OrderItem.quantity,
    OrderItem.modifiers,
    OrderItem.notes,
    OrderItem.seat,
    TicketItem.status,
    TicketItem.started_at,
    TicketItem.ready_at,
    TicketItem.bumped_at,
)


def _modifiers(raw: Iterable[Mapping[str, Any]] | None) -> list[TicketModifier]:
    return [
        TicketModifier(id=m["id"], name=m["name"], price_delta=m.get("price_delta", 0))
        for m in raw or ()
    ]


def _item_read(row: Row[*tuple[Any, ...]]) -> TicketItemRead:
    return TicketItemRead(
        id=row.id,
        order_item_id=row.order_item_id,
        name=row.name,
        variation_name=row.variation_name,
        quantity=row.quantity,
        modifiers=_modifiers(row.modifiers),
        notes=row.notes,
        seat=row.seat,
        status=TicketItemStatus(row.status),
        voided=row.status == TicketItemStatus.voided,
        started_at=row.started_at,
        ready_at=row.ready_at,
        bumped_at=row.bumped_at,
    )


def _ticket_read(row: Row[*tuple[Any, ...]], items: list[TicketItemRead]) -> TicketRead:
    return TicketRead(
        id=row.id,
        order_id=row.order_id,
        station=row.station,
        course=row.course,
        table_name=row.table_name,
        status=TicketStatus(row.status),
        version=row.version,
        created_at=row.created_at,
        started_at=row.started_at,
        ready_at=row.ready_at,
        bumped_at=row.bumped_at,
        recalled_at=row.recalled_at,
        items=items,
    )


async def _load_items(
    session: AsyncSession, restaurant_id: int, ticket_ids: Sequence[int]
) -> dict[int, list[TicketItemRead]]:
    """The lines of ``ticket_ids`` (joined with their order lines), by ticket id."""
    by_ticket: dict[int, list[TicketItemRead]] = {tid: [] for tid in ticket_ids}
    if not ticket_ids:
        return by_ticket
    rows = await session.execute(
        select(*_ITEM_COLUMNS)
        .join(OrderItem, OrderItem.id == TicketItem.order_item_id)
        .where(TicketItem.restaurant_id == restaurant_id, TicketItem.ticket_id.in_(ticket_ids))
        .order_by(TicketItem.ticket_id, TicketItem.id)
    )
    for row in rows:
        by_ticket[row.ticket_id].append(_item_read(row))
    return by_ticket


def _event(action: str, ticket: TicketRead) -> NewEvent:
    return NewEvent(
        TICKET_UPDATED,
        {"action": action, "ticket": ticket.model_dump(mode="json")},
        station=ticket.station,
    )


async def _mark_order_items(
    session: AsyncSession,
    restaurant_id: int,
    order_item_ids: Sequence[int],
    status: str,
    at: datetime,
) -> None:
    """Make the order lines follow a kitchen step (``brigade.orders.service.mark_items``)."""
    if not order_item_ids:
        return
    from brigade.orders.service import mark_items  # the orders context imports us

    await mark_items(session, restaurant_id, list(order_item_ids), status, at)


async def create_tickets(
    session: AsyncSession,
    restaurant_id: int,
    order_id: int,
    table_name: str | None,
    lines: Sequence[FiredLine],
) -> list[TicketRead]:
    """Put fired order lines on kitchen tickets: one ticket per (station, course).

    Called by the orders service inside its transaction when lines are fired. Tickets
    are created ``new`` (version 1, ``created_at`` now, UTC), in (course, station) order,
    each with its lines in the order given; one ``ticket.created`` event per ticket is
    recorded with ``station`` set and data ``{"action": "created", "ticket": TicketRead}``.
    Three statements whatever the number of lines (tickets, lines, outbox) plus the
    outbox's sequence update. Returns the tickets; ``[]`` when ``lines`` is empty. The
    caller guarantees the order and its lines belong to ``restaurant_id``.
    """
    if not lines:
        return []
    groups: dict[tuple[int, str], list[FiredLine]] = {}
    for line in lines:
        groups.setdefault((line.course, line.station), []).append(line)
    keys = sorted(groups)
    now = utcnow()
    ticket_ids = list(
        (
            await session.execute(
                insert(Ticket).returning(Ticket.id, sort_by_parameter_order=True),
                [
                    {
                        "restaurant_id": restaurant_id,
                        "order_id": order_id,
                        "station": station,
                        "course": course,
                        "table_name": table_name,
                        "status": TicketStatus.new.value,
                        "version": 1,
                        "created_at": now,
                    }
                    for course, station in keys
                ],
            )
        ).scalars()
    )
    grouped = [(ticket_id, groups[key]) for ticket_id, key in zip(ticket_ids, keys, strict=True)]
    item_ids = list(
        (
            await session.execute(
                insert(TicketItem).returning(TicketItem.id, sort_by_parameter_order=True),
                [
                    {
                        "restaurant_id": restaurant_id,
                        "ticket_id": ticket_id,
                        "order_item_id": line.order_item_id,
                        "status": TicketItemStatus.new.value,
                    }
                    for ticket_id, group in grouped
                    for line in group
                ],
            )
        ).scalars()
    )
    ids = iter(item_ids)
    tickets = [
        TicketRead(
            id=ticket_id,
            order_id=order_id,
            station=group[0].station,
            course=group[0].course,
            table_name=table_name,
            status=TicketStatus.new,
            version=1,
            created_at=now,
            started_at=None,
            ready_at=None,
            bumped_at=None,
            recalled_at=None,
            items=[
                TicketItemRead(
                    id=next(ids),
                    order_item_id=line.order_item_id,
                    name=line.name,
                    variation_name=line.variation_name,
                    quantity=line.quantity,
                    modifiers=_modifiers(line.modifiers),
                    notes=line.notes,
                    seat=line.seat,
                    status=TicketItemStatus.new,
                    voided=False,
                    started_at=None,
                    ready_at=None,
                    bumped_at=None,
                )
                for line in group
            ],
        )
        for ticket_id, group in grouped
    ]
    await record_many(
        session,
        restaurant_id,
        [
            NewEvent(
                TICKET_CREATED,
                {"action": "created", "ticket": t.model_dump(mode="json")},
                station=t.station,
            )
            for t in tickets
        ],
    )
    return tickets


async def void_ticket_line(session: AsyncSession, restaurant_id: int, order_item_id: int) -> None:
    """Flag an order line voided on its ticket(s) after the waiter voided it.

    Called by the orders service inside its transaction. The line stays on the ticket
    with ``status="voided"`` and ``voided=true`` (the cook must see it was cancelled);
    the ticket's ``version`` increases and ``ticket.updated`` (action ``line_voided``,
    with ``station``) is recorded. Does nothing when the line was never fired (no
    ticket) or is already voided.
    """
    live = select(TicketItem.ticket_id).where(
        TicketItem.restaurant_id == restaurant_id,
        TicketItem.order_item_id == order_item_id,
        TicketItem.status != TicketItemStatus.voided.value,
    )
    # The ticket rows first, as the ticket steps lock them, so the two never deadlock.
    rows = (
        await session.execute(
            update(Ticket)
            .where(Ticket.restaurant_id == restaurant_id, Ticket.id.in_(live))
            .values(version=Ticket.version + 1)
            .returning(*_TICKET_COLUMNS)
            .execution_options(synchronize_session=False)
        )
    ).all()
    if not rows:
        return
    await session.execute(
        update(TicketItem)
        .where(
            TicketItem.restaurant_id == restaurant_id,
            TicketItem.order_item_id == order_item_id,
            TicketItem.status != TicketItemStatus.voided.value,
        )
        .values(status=TicketItemStatus.voided.value)
        .execution_options(synchronize_session=False)
    )
    items = await _load_items(session, restaurant_id, [row.id for row in rows])
    await record_many(
        session,
        restaurant_id,
        [_event("line_voided", _ticket_read(row, items[row.id])) for row in rows],
    )


async def list_tickets(
    session: AsyncSession,
    access: Access,
    *,
    station: str | None = None,
    status: TicketListStatus = TicketListStatus.open,
    limit: int = 100,
    offset: int = 0,
) -> TicketList:
    """The restaurant's tickets, oldest first (``created_at``, then id).

    ``station`` keeps one station's tickets; ``status=open`` (default) keeps those not
    bumped (a recalled ticket is open again), ``all`` keeps every ticket. ``total``
    counts every match; ``items`` holds at most ``limit`` from ``offset``. Raises
    :class:`~brigade.errors.PermissionDenied` without ``kitchen:read``.
    """
    access.check(Permission.kitchen_read)
    conditions = [Ticket.restaurant_id == access.restaurant_id]
    if station is not None:
        conditions.append(Ticket.station == station)
    if status is TicketListStatus.open:
        conditions.append(Ticket.status.in_(_OPEN))
    rows = (
        await session.execute(
            select(*_TICKET_COLUMNS, func.count().over().label("total"))
            .where(*conditions)
            .order_by(Ticket.created_at, Ticket.id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    if rows:
        total = int(rows[0].total)
    elif offset:
        total = int(
            await session.scalar(select(func.count()).select_from(Ticket).where(*conditions)) or 0
        )
    else:
        total = 0
    items = await _load_items(session, access.restaurant_id, [row.id for row in rows])
    return TicketList(items=[_ticket_read(row, items[row.id]) for row in rows], total=total)


async def get_ticket(session: AsyncSession, access: Access, ticket_id: int) -> TicketRead:
    """One ticket with its lines. Raises :class:`~brigade.errors.NotFound` when it is not
    a ticket of this restaurant, ``PermissionDenied`` without ``kitchen:read``."""
    access.check(Permission.kitchen_read)
    row = (
        await session.execute(
            select(*_TICKET_COLUMNS).where(
                Ticket.id == ticket_id, Ticket.restaurant_id == access.restaurant_id
            )
        )
    ).first()
    if row is None:
        raise NotFound("ticket not found")
    items = await _load_items(session, access.restaurant_id, [ticket_id])
    return _ticket_read(row, items[ticket_id])


async def step_ticket(
    session: AsyncSession,
    access: Access,
    ticket_id: int,
    action: TicketAction,
    *,
    version: int | None = None,
) -> TicketRead:
    """Move a whole ticket one step (see the module's table) and its lines with it.

    ``start``: new → preparing; ``ready``: new|preparing → ready; ``bump``: any open
    status → bumped (off the open list); ``recall``: bumped → ready (back on screen,
    ``recalled_at``). The step's column (``started_at``, ``ready_at``, ``bumped_at``,
    ``recalled_at``) is set to now (UTC), ``version`` increases, the lines that follow
    are stamped too and their order lines are marked (``mark_items``); event
    ``ticket.updated`` with ``action`` started|ready|bumped|recalled.

    Raises ``NotFound`` (not this restaurant's ticket), ``StaleVersion`` (``version``
    given and not current), :class:`InvalidTicketTransition` (409, the status does not
    allow the step), ``PermissionDenied`` without ``kitchen:bump``.
    """
    access.check(Permission.kitchen_bump)
    step = _TICKET_STEPS[action]
    rid = access.restaurant_id
    now = utcnow()
    stmt = update(Ticket).where(
        Ticket.id == ticket_id,
        Ticket.restaurant_id == rid,
        Ticket.status.in_([s.value for s in step.allowed]),
    )
    if version is not None:
        stmt = stmt.where(Ticket.version == version)
    row = (
        await session.execute(
            stmt.values({"status": step.to.value, "version": Ticket.version + 1, step.stamp: now})
            .returning(*_TICKET_COLUMNS)
            .execution_options(synchronize_session=False)
        )
    ).first()
    if row is None:
        current = (
            await session.execute(
                select(Ticket.status, Ticket.version).where(
                    Ticket.id == ticket_id, Ticket.restaurant_id == rid
                )
            )
        ).first()
        if current is None:
            raise NotFound("ticket not found")
        if version is not None and current.version != version:
            raise StaleVersion(
                f"ticket {ticket_id} is at version {current.version}, not {version}",
                current_version=current.version,
            )
        raise InvalidTicketTransition("ticket", current.status, step.to.value)
    values: dict[str, Any] = {"status": step.items_to.value}
    if step.items_stamp is not None:
        values[step.items_stamp] = now
    moved = list(
        (
            await session.execute(
                update(TicketItem)
                .where(
                    TicketItem.restaurant_id == rid,
                    TicketItem.ticket_id == ticket_id,
                    TicketItem.status.in_([s.value for s in step.items_from]),
                )
                .values(values)
                .returning(TicketItem.order_item_id)
                .execution_options(synchronize_session=False)
            )
        ).scalars()
    )
    await _mark_order_items(session, rid, moved, step.order_status, now)
    items = await _load_items(session, rid, [ticket_id])
    ticket = _ticket_read(row, items[ticket_id])
    await record_many(session, rid, [_event(step.event_action, ticket)])
    return ticket


async def bump_ticket(
    session: AsyncSession, access: Access, ticket_id: int, *, version: int | None = None
) -> TicketRead:
    """Bump a ticket: :func:`step_ticket` with :attr:`TicketAction.bump`."""
    return await step_ticket(session, access, ticket_id, TicketAction.bump, version=version)


def _derived_status(current: TicketStatus, items: Sequence[TicketItemStatus]) -> TicketStatus:
    """The ticket status its live (not voided) lines imply, never moving backwards."""
    live = [s for s in items if s is not _I.voided]
    if live and all(s is _I.bumped for s in live):
        derived = _S.bumped
    elif live and all(s in (_I.ready, _I.bumped) for s in live):
        derived = _S.ready
    elif any(s is not _I.new for s in live):
        derived = _S.preparing
    else:
        derived = _S.new
    return derived if _RANK[derived] > _RANK[current] else current


async def step_ticket_item(
    session: AsyncSession,
    access: Access,
    ticket_id: int,
    ticket_item_id: int,
    action: TicketItemAction,
    *,
    version: int | None = None,
) -> TicketRead:
    """Move one line of a ticket a step; the ticket follows its lines.

    ``start``: new → preparing; ``ready``: new|preparing → ready; ``bump``: new|preparing|
    ready → bumped; the line's column is set to now (UTC) and its order line marked
    (start → preparing, ready/bump → ready). The ticket then moves forward (never back)
    to what its live lines imply: any started → preparing, all ready or bumped → ready,
    all bumped → bumped (and off the open list), stamping the step it reaches; its
    ``version`` increases; event ``ticket.updated`` with action item_started|item_ready|
    item_bumped.

    Raises ``NotFound`` (ticket or line not in this restaurant / not on this ticket),
    ``StaleVersion`` (``version`` given and not current, or a concurrent write),
    :class:`InvalidTicketTransition` (the line's status, e.g. voided, does not allow the
    step), ``PermissionDenied`` without ``kitchen:bump``.
    """
    access.check(Permission.kitchen_bump)
    rid = access.restaurant_id
    to, allowed, stamp, order_status = _ITEM_STEPS[action]
    row = (
        await session.execute(
            select(*_TICKET_COLUMNS)
            .where(Ticket.id == ticket_id, Ticket.restaurant_id == rid)
            .with_for_update()  # serialise taps on one ticket's lines (a no-op on SQLite)
        )
    ).first()
    if row is None:
        raise NotFound("ticket not found")
    if version is not None and row.version != version:
        raise StaleVersion(
            f"ticket {ticket_id} is at version {row.version}, not {version}",
            current_version=row.version,
        )
    lines = (await _load_items(session, rid, [ticket_id]))[ticket_id]
    line = next((item for item in lines if item.id == ticket_item_id), None)
    if line is None:
        raise NotFound("ticket item not found")
    if line.status not in allowed:
        raise InvalidTicketTransition("ticket item", line.status.value, to.value)
    now = utcnow()
    await session.execute(
        update(TicketItem)
        .where(TicketItem.id == ticket_item_id, TicketItem.restaurant_id == rid)
        .values({"status": to.value, stamp: now})
        .execution_options(synchronize_session=False)
    )
    current = TicketStatus(row.status)
    new_status = _derived_status(
        current, [to if i.id == ticket_item_id else i.status for i in lines]
    )
    values: dict[str, Any] = {"version": Ticket.version + 1}
    if new_status is not current:
        values["status"] = new_status.value
        values[_TICKET_STEPS[_STATUS_ACTION[new_status]].stamp] = now
    updated = (
        await session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id, Ticket.version == row.version)
            .values(values)
            .returning(*_TICKET_COLUMNS)
            .execution_options(synchronize_session=False)
        )
    ).first()
    if updated is None:
        raise StaleVersion(f"ticket {ticket_id} changed while this step ran; re-read it")
    await _mark_order_items(session, rid, [line.order_item_id], order_status, now)
    changed = line.model_copy(update={"status": to, stamp: now})
    ticket = _ticket_read(updated, [changed if i.id == ticket_item_id else i for i in lines])
    await record_many(session, rid, [_event(_ITEM_EVENT[action], ticket)])
    return ticket
