"""Rules of the kitchen context: tickets per station, their steps, and voided lines.

Firing order lines (``brigade.orders.service``) calls :func:`create_tickets` (registered
as the orders' kitchen hook, :mod:`brigade.orders.hooks`): one ticket per (station,
course) of the fired lines, each line with the kitchen's own snapshot of the order line
(name, size, quantity, modifiers, notes, seat); a later send of the same order joins the
station's open ticket of its course as an addition (``batch`` 2, 3…), and makes a new
ticket once that one is bumped. Kitchen screens then move tickets and their
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
move. The kitchen reads its own tables only; it reaches the orders context through its
public functions (``mark_items``). This is the hot path of a kitchen screen: Core
statements built once at import on the tables and executed with parameter dicts,
``UPDATE ... RETURNING`` and multi-row ``INSERT ... RETURNING``, tickets read with their
lines in one query, no ORM entities.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    Column,
    ColumnElement,
    FromClause,
    Integer,
    Select,
    String,
    Table,
    Update,
    bindparam,
    case,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access
from brigade.auth.permissions import Permission
from brigade.events.outbox import NewEvent, record_many
from brigade.infra.db import utcnow
from brigade.infra.errors import NotFound, StaleVersion
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
from brigade.menu.kinds import ModifierKind
from brigade.orders.hooks import FiredLine
from brigade.orders.service import mark_items
from brigade.tenancy import owned_by, scoped

TICKET_CREATED = "ticket.created"
TICKET_UPDATED = "ticket.updated"


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

_tickets = cast(Table, Ticket.__table__)
_lines = cast(Table, TicketItem.__table__)

#: The columns of :class:`TicketRead` (without its items), in the order
#: :func:`_ticket_read` reads them.
_TICKET_COLUMNS: tuple[Column[Any], ...] = (
    _tickets.c.id,
    _tickets.c.order_id,
    _tickets.c.station,
    _tickets.c.course,
    _tickets.c.table_name,
    _tickets.c.status,
    _tickets.c.version,
    _tickets.c.created_at,
    _tickets.c.started_at,
    _tickets.c.ready_at,
    _tickets.c.bumped_at,
    _tickets.c.recalled_at,
    _tickets.c.added_at,
    _tickets.c.waiter_name,
)
_NT = len(_TICKET_COLUMNS)

#: The columns of :class:`TicketItemRead` (a ticket line joined with its order line), in
#: the order :func:`_item_read` reads them.
_LINE_COLUMNS: tuple[ColumnElement[Any], ...] = (
    _lines.c.id,
    _lines.c.order_item_id,
    _lines.c.name,
    _lines.c.variation_name,
    _lines.c.quantity,
    _lines.c.modifiers,
    _lines.c.notes,
    _lines.c.seat,
    _lines.c.status,
    _lines.c.started_at,
    _lines.c.ready_at,
    _lines.c.bumped_at,
    _lines.c.batch,
    _lines.c.added_at,
)
#: The same, labelled apart from the ticket's columns for selects of both.
_LINE_COLUMNS_LABELLED = tuple(c.label(f"line_{i}") for i, c in enumerate(_LINE_COLUMNS))


def _fixed(statuses: Iterable[str]) -> list[BindParameter[str]]:
    """A constant ``IN`` list as plain bound values, sorted: unlike an expanding list it
    needs no re-rendering of the SQL on every execution."""
    return [literal(str(status), String) for status in sorted(statuses)]


# Statements of the hot path, built once on the tables and executed with parameter
# dicts: ``r`` restaurant id, ``tid`` ticket id, ``lid`` ticket line id, ``oid`` order
# line id, ``ids`` ticket ids (expanding), ``v`` version, ``now`` the step's time (UTC).
# (Bind names never equal a column name: an UPDATE would take them as SET values.)
_R: BindParameter[int] = bindparam("r")
_TID: BindParameter[int] = bindparam("tid")

#: The open tickets of order ``order`` (id, course, station), by id, locked so that a
#: concurrent bump waits for the lines joining them (no-op on SQLite).
_OPEN_OF_ORDER = (
    scoped(select(_tickets.c.id, _tickets.c.course, _tickets.c.station), _R)
    .where(_tickets.c.order_id == bindparam("order"), _tickets.c.status.in_(_fixed(_OPEN)))
    .order_by(_tickets.c.id)
    .with_for_update()
)
#: Open ticket ``tid`` takes a later send's lines: ``added_at``, a new version, and a
#: ``ready`` ticket is being prepared again.
_JOIN_TICKET = (
    scoped(update(_tickets), _R)
    .where(_tickets.c.id == _TID, _tickets.c.status.in_(_fixed(_OPEN)))
    .values(
        version=_tickets.c.version + 1,
        added_at=bindparam("now"),
        status=case(
            (_tickets.c.status == _S.ready.value, literal(_S.preparing.value, String)),
            else_=_tickets.c.status,
        ),
    )
    .returning(*_TICKET_COLUMNS)
)
_INSERT_TICKETS = insert(_tickets).returning(_tickets.c.id, _tickets.c.course, _tickets.c.station)
_INSERT_LINES = insert(_lines).returning(_lines.c.id, _lines.c.ticket_id, _lines.c.order_item_id)

#: The lines of tickets ``ids``, each after its ticket's id, by ticket then line id.
_LOAD_LINES = (
    scoped(select(_lines.c.ticket_id, *_LINE_COLUMNS), _R)
    .where(_lines.c.ticket_id.in_(bindparam("ids", expanding=True)))
    .order_by(_lines.c.ticket_id, _lines.c.id)
)

#: The lines of ticket ``tid``, by id (the one-ticket case of :data:`_LOAD_LINES`).
_LOAD_TICKET_LINES = (
    scoped(select(_lines.c.ticket_id, *_LINE_COLUMNS), _R)
    .where(_lines.c.ticket_id == _TID)
    .order_by(_lines.c.id)
)

_LIVE_LINE = (
    owned_by(_lines, _R),
    _lines.c.order_item_id == bindparam("oid"),
    _lines.c.status != _I.voided.value,
)
# A void takes the ticket rows first, as the ticket steps do, so the two never deadlock.
_VOID_TICKETS = (
    scoped(update(_tickets), _R)
    .where(_tickets.c.id.in_(select(_lines.c.ticket_id).where(*_LIVE_LINE)))
    .values(version=_tickets.c.version + 1)
    .returning(*_TICKET_COLUMNS)
)
_VOID_LINES = update(_lines).where(*_LIVE_LINE).values(status=_I.voided.value)


def _with_lines(tickets: FromClause) -> Select[Any]:
    """``tickets`` (a ticket select or the table) with their lines: one row per line
    (ticket columns, then :data:`_LINE_COLUMNS_LABELLED`), one with no line columns for a
    ticket without lines."""
    t = tickets.c
    return select(*(t[c.key] for c in _TICKET_COLUMNS), *_LINE_COLUMNS_LABELLED).select_from(
        tickets.outerjoin(_lines, (_lines.c.ticket_id == t.id) & owned_by(_lines, _R))
    )


_GET_TICKET = (
    scoped(_with_lines(_tickets), _R, _tickets).where(_tickets.c.id == _TID).order_by(_lines.c.id)
)


def _list_statements(station: bool, open_only: bool) -> tuple[Select[Any], Select[Any]]:
    """The page (with its lines) and the count statements of :func:`list_tickets` for
    one combination of filters."""
    conditions: list[ColumnElement[bool]] = [owned_by(_tickets, _R)]
    if station:
        conditions.append(_tickets.c.station == bindparam("station"))
    if open_only:
        conditions.append(_tickets.c.status.in_(_fixed(_OPEN)))
    page = (
        select(*_TICKET_COLUMNS, func.count().over().label("total"))
        .where(*conditions)
        .order_by(_tickets.c.created_at, _tickets.c.id)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .subquery("page")
    )
    listed = (
        _with_lines(page)
        .add_columns(page.c.total)
        .order_by(page.c.created_at, page.c.id, _lines.c.id)
    )
    count = select(func.count()).select_from(_tickets).where(*conditions)
    return listed, count


_LIST = {
    (station, open_only): _list_statements(station, open_only)
    for station in (False, True)
    for open_only in (False, True)
}


def _step_statements(step: _Step, with_version: bool) -> Update:
    """The ticket UPDATE of one step of :func:`step_ticket`."""
    stmt = scoped(update(_tickets), _R).where(
        _tickets.c.id == _TID, _tickets.c.status.in_(_fixed(step.allowed))
    )
    if with_version:
        stmt = stmt.where(_tickets.c.version == bindparam("v"))
    return stmt.values(
        {"status": step.to.value, "version": _tickets.c.version + 1, step.stamp: bindparam("now")}
    ).returning(*_TICKET_COLUMNS)


def _step_lines_statement(step: _Step) -> Update:
    """The lines UPDATE of one step of :func:`step_ticket`."""
    values: dict[str, Any] = {"status": step.items_to.value}
    if step.items_stamp is not None:
        values[step.items_stamp] = bindparam("now")
    return (
        scoped(update(_lines), _R)
        .where(_lines.c.ticket_id == _TID, _lines.c.status.in_(_fixed(step.items_from)))
        .values(values)
    )


_STEP_TICKET = {
    (action, with_version): _step_statements(step, with_version)
    for action, step in _TICKET_STEPS.items()
    for with_version in (False, True)
}
_STEP_LINES = {action: _step_lines_statement(step) for action, step in _TICKET_STEPS.items()}
_TICKET_STATE = scoped(select(_tickets.c.status, _tickets.c.version), _R).where(
    _tickets.c.id == _TID
)

#: The ticket row, locked to serialise taps on one ticket's lines (no-op on SQLite).
_LOCK_TICKET = scoped(select(*_TICKET_COLUMNS), _R).where(_tickets.c.id == _TID).with_for_update()
_STEP_LINE = {
    action: scoped(update(_lines), _R)
    .where(_lines.c.id == bindparam("lid"))
    .values({"status": to.value, stamp: bindparam("now")})
    for action, (to, _, stamp, _) in _ITEM_STEPS.items()
}


def _follow_statement(new_status: TicketStatus | None) -> Update:
    """The ticket UPDATE of :func:`step_ticket_item` when the ticket moves to
    ``new_status`` (``None``: it stays where it is)."""
    values: dict[str, Any] = {"version": _tickets.c.version + 1}
    if new_status is not None:
        values["status"] = new_status.value
        values[_TICKET_STEPS[_STATUS_ACTION[new_status]].stamp] = bindparam("now")
    return (
        scoped(update(_tickets), _R)
        .where(_tickets.c.id == _TID, _tickets.c.version == bindparam("v"))
        .values(values)
        .returning(*_TICKET_COLUMNS)
    )


_FOLLOW = {status: _follow_statement(status) for status in (None, *_STATUS_ACTION)}


def _kind(raw: object) -> ModifierKind:
    """A snapshotted modifier's kind; ``add`` for lines from before kinds (or unknown)."""
    try:
        return ModifierKind(str(raw)) if raw is not None else ModifierKind.add
    except ValueError:
        return ModifierKind.add


def _modifiers(raw: Iterable[Mapping[str, Any]] | None) -> list[TicketModifier]:
    return [
        TicketModifier(
            id=m["id"],
            name=m["name"],
            price_delta=m.get("price_delta", 0),
            kind=_kind(m.get("kind")),
        )
        for m in raw or ()
    ]


def _item_read(values: Sequence[Any]) -> TicketItemRead:
    """A :class:`TicketItemRead` from the values of :data:`_LINE_COLUMNS`."""
    (
        line_id,
        order_item_id,
        name,
        variation_name,
        quantity,
        modifiers,
        notes,
        seat,
        status,
        started_at,
        ready_at,
        bumped_at,
        batch,
        added_at,
    ) = values
    return TicketItemRead(
        id=line_id,
        order_item_id=order_item_id,
        name=name,
        variation_name=variation_name,
        quantity=quantity,
        modifiers=_modifiers(modifiers),
        notes=notes,
        seat=seat,
        status=TicketItemStatus(status),
        voided=status == TicketItemStatus.voided,
        started_at=started_at,
        ready_at=ready_at,
        bumped_at=bumped_at,
        batch=batch,
        added_at=added_at,
    )


def _ticket_read(values: Sequence[Any], items: list[TicketItemRead]) -> TicketRead:
    """A :class:`TicketRead` from the values of :data:`_TICKET_COLUMNS` and its lines."""
    (
        ticket_id,
        order_id,
        station,
        course,
        table_name,
        status,
        version,
        created_at,
        started_at,
        ready_at,
        bumped_at,
        recalled_at,
        added_at,
        waiter_name,
    ) = values[:_NT]
    return TicketRead(
        id=ticket_id,
        order_id=order_id,
        station=station,
        course=course,
        table_name=table_name,
        status=TicketStatus(status),
        version=version,
        created_at=created_at,
        started_at=started_at,
        ready_at=ready_at,
        bumped_at=bumped_at,
        recalled_at=recalled_at,
        added_at=added_at,
        waiter_name=waiter_name,
        items=items,
    )


def _tickets_with_lines(rows: Iterable[Sequence[Any]]) -> list[TicketRead]:
    """Tickets from the rows of a :func:`_with_lines` select, in row order."""
    heads: dict[int, Sequence[Any]] = {}
    lines: dict[int, list[TicketItemRead]] = {}
    for row in rows:
        ticket_id = row[0]
        if ticket_id not in heads:
            heads[ticket_id] = row
            lines[ticket_id] = []
        if row[_NT] is not None:
            lines[ticket_id].append(_item_read(row[_NT : _NT + len(_LINE_COLUMNS)]))
    return [_ticket_read(head, lines[ticket_id]) for ticket_id, head in heads.items()]


async def _load_items(
    session: AsyncSession, restaurant_id: int, ticket_ids: Sequence[int]
) -> dict[int, list[TicketItemRead]]:
    """The lines of ``ticket_ids`` (joined with their order lines), by ticket id."""
    by_ticket: dict[int, list[TicketItemRead]] = {tid: [] for tid in ticket_ids}
    if not ticket_ids:
        return by_ticket
    if len(ticket_ids) == 1:
        params = {"r": restaurant_id, "tid": ticket_ids[0]}
        rows = await session.execute(_LOAD_TICKET_LINES, params)
    else:
        rows = await session.execute(_LOAD_LINES, {"r": restaurant_id, "ids": list(ticket_ids)})
    for row in rows:
        by_ticket[row[0]].append(_item_read(row[1:]))
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
    await mark_items(session, restaurant_id, list(order_item_ids), status, at)


async def create_tickets(
    session: AsyncSession,
    restaurant_id: int,
    order_id: int,
    table_name: str | None,
    lines: Sequence[FiredLine],
) -> list[TicketRead]:
    """Put fired order lines on kitchen tickets: one ticket per (station, course), and a
    later send joins the ticket that is still open.

    The orders' kitchen hook (:mod:`brigade.orders.hooks`), called inside the orders
    service's transaction when lines are fired. The lines are grouped by (course,
    station); for each group:

    - when the order has an **open** ticket (new, preparing or ready; a recalled one is
      open) of that course and station, the lines **join** it: they get the next
      ``batch`` (2, 3…) and ``added_at`` now, the ticket gets ``added_at`` now and a new
      ``version``, and a ``ready`` ticket goes back to ``preparing`` (it holds lines
      not cooked yet; its ``ready_at`` stays). Event ``ticket.updated`` with data
      ``{"action": "lines_added", "ticket": TicketRead, "added_item_ids": [...]}``
      (the ticket-line ids that joined). Should several tickets of the group be open
      (made before tickets joined), the newest takes the lines.
    - otherwise (none yet, or it is **bumped** already: the cook has sent it, so the
      addition goes out as a ticket of its own) a **new** ticket is created ``new``
      (version 1, ``created_at`` now, UTC), its lines ``batch`` 1; event
      ``ticket.created`` with ``{"action": "created", "ticket": TicketRead}``.

    Each event has ``station`` set. The open tickets of the order are read and locked
    (``FOR UPDATE`` on PostgreSQL) first, so a bump running at the same time either
    lands before (the lines make a new ticket) or after (it bumps the joined lines
    too). One select, one ``UPDATE`` per joined ticket, one read of the joined tickets'
    lines, and two multi-row ``INSERT ... RETURNING`` (tickets, lines) whatever the
    number of lines, plus the outbox's statements. Returns the new and joined tickets in
    (course, station) order; ``[]`` when ``lines`` is empty. The caller guarantees the
    order and its lines belong to ``restaurant_id``.
    """
    if not lines:
        return []
    groups: dict[tuple[int, str], list[FiredLine]] = {}
    for line in lines:
        groups.setdefault((line.course, line.station), []).append(line)
    keys = sorted(groups)
    now = utcnow()
    params = {"r": restaurant_id, "order": order_id, "now": now}
    open_of: dict[tuple[int, str], int] = {}
    for ticket_id, course, station in await session.execute(_OPEN_OF_ORDER, params):
        if (course, station) in groups:
            open_of[course, station] = ticket_id  # ascending ids: the newest wins
    joined: dict[int, Sequence[Any]] = {}
    for ticket_id in open_of.values():
        row = (await session.execute(_JOIN_TICKET, {**params, "tid": ticket_id})).first()
        assert row is not None  # noqa: S101 - locked above, so still open
        joined[ticket_id] = row
    existing = await _load_items(session, restaurant_id, list(joined))
    new_keys = [key for key in keys if key not in open_of]
    ticket_of = dict(open_of)
    if new_keys:
        # Multi-row INSERTs whose RETURNING order is not relied upon (an ordered RETURNING
        # makes SQLite run one statement per row): rows are matched back by their values.
        ticket_rows = await session.execute(
            _INSERT_TICKETS,
            [
                {
                    "restaurant_id": restaurant_id,
                    "order_id": order_id,
                    "station": station,
                    "course": course,
                    "table_name": table_name,
                    "waiter_name": groups[course, station][0].waiter_name,
                    "status": TicketStatus.new.value,
                    "version": 1,
                    "created_at": now,
                }
                for course, station in new_keys
            ],
        )
        ticket_of.update({(course, station): tid for tid, course, station in ticket_rows})
    batch_of = {tid: max((i.batch for i in existing.get(tid, ())), default=0) + 1 for tid in joined}
    grouped = [(ticket_of[key], groups[key]) for key in keys]
    line_rows = await session.execute(
        _INSERT_LINES,
        [
            {
                "restaurant_id": restaurant_id,
                "ticket_id": ticket_id,
                "order_item_id": line.order_item_id,
                "name": line.name,
                "variation_name": line.variation_name,
                "quantity": line.quantity,
                "modifiers": list(line.modifiers),
                "notes": line.notes,
                "seat": line.seat,
                "status": TicketItemStatus.new.value,
                "batch": batch_of.get(ticket_id, 1),
                "added_at": now if ticket_id in joined else None,
            }
            for ticket_id, group in grouped
            for line in group
        ],
    )
    # ids by (ticket, order line), ascending: the same order line twice on one ticket
    # takes its ids in the order given, as the ids were assigned in VALUES order.
    line_ids: dict[tuple[int, int], list[int]] = {}
    for line_id, ticket_id, order_item_id in sorted(line_rows):
        line_ids.setdefault((ticket_id, order_item_id), []).append(line_id)
    for ids in line_ids.values():
        ids.reverse()
    tickets: list[TicketRead] = []
    events: list[NewEvent] = []
    for ticket_id, group in grouped:
        added = [
            TicketItemRead(
                id=line_ids[ticket_id, line.order_item_id].pop(),
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
                batch=batch_of.get(ticket_id, 1),
                added_at=now if ticket_id in joined else None,
            )
            for line in group
        ]
        if ticket_id in joined:
            ticket = _ticket_read(joined[ticket_id], [*existing[ticket_id], *added])
            data: dict[str, Any] = {
                "action": "lines_added",
                "ticket": ticket.model_dump(mode="json"),
                "added_item_ids": [i.id for i in added],
            }
            events.append(NewEvent(TICKET_UPDATED, data, station=ticket.station))
        else:
            ticket = TicketRead(
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
                added_at=None,
                waiter_name=group[0].waiter_name,
                items=added,
            )
            data = {"action": "created", "ticket": ticket.model_dump(mode="json")}
            events.append(NewEvent(TICKET_CREATED, data, station=ticket.station))
        tickets.append(ticket)
    await record_many(session, restaurant_id, events)
    return tickets


async def void_ticket_line(session: AsyncSession, restaurant_id: int, order_item_id: int) -> None:
    """Flag an order line voided on its ticket(s) after the waiter voided it.

    The orders' voided-line hook, called inside the orders service's transaction. The
    line stays on the ticket with ``status="voided"`` and ``voided=true`` (the cook must
    see it was cancelled); the ticket's ``version`` increases and ``ticket.updated``
    (action ``line_voided``, with ``station``) is recorded. Does nothing when the line
    was never fired (no ticket) or is already voided. Writes the ticket rows before the
    line, in the order the ticket steps take them (no deadlock between the two on PostgreSQL).
    """
    params = {"r": restaurant_id, "oid": order_item_id}
    rows = (await session.execute(_VOID_TICKETS, params)).all()
    if not rows:
        return
    await session.execute(_VOID_LINES, params)
    items = await _load_items(session, restaurant_id, [row[0] for row in rows])
    await record_many(
        session,
        restaurant_id,
        [_event("line_voided", _ticket_read(row, items[row[0]])) for row in rows],
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
    counts every match; ``items`` holds at most ``limit`` from ``offset``. One query (the
    page with its lines), plus a count only for a page past the end. Raises
    :class:`~brigade.infra.errors.PermissionDenied` without ``kitchen:read``.
    """
    access.check(Permission.kitchen_read)
    listed, count = _LIST[station is not None, status is TicketListStatus.open]
    params = {"r": access.restaurant_id, "station": station, "limit": limit, "offset": offset}
    rows = (await session.execute(listed, params)).all()
    if rows:
        total = int(rows[0][-1])
    elif offset:
        total = int(await session.scalar(count, params) or 0)
    else:
        total = 0
    return TicketList(items=_tickets_with_lines(rows), total=total)


async def get_ticket(session: AsyncSession, access: Access, ticket_id: int) -> TicketRead:
    """One ticket with its lines (one query). Raises :class:`~brigade.infra.errors.NotFound`
    when it is not a ticket of this restaurant, ``PermissionDenied`` without
    ``kitchen:read``."""
    access.check(Permission.kitchen_read)
    rows = await session.execute(_GET_TICKET, {"r": access.restaurant_id, "tid": ticket_id})
    tickets = _tickets_with_lines(rows)
    if not tickets:
        raise NotFound("ticket not found")
    return tickets[0]


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
    params = {"r": rid, "tid": ticket_id, "v": version, "now": now}
    row = (await session.execute(_STEP_TICKET[action, version is not None], params)).first()
    if row is None:
        current = (await session.execute(_TICKET_STATE, params)).first()
        if current is None:
            raise NotFound("ticket not found")
        if version is not None and current.version != version:
            raise StaleVersion(
                f"ticket {ticket_id} is at version {current.version}, not {version}",
                current_version=current.version,
            )
        raise InvalidTicketTransition("ticket", current.status, step.to.value)
    # The ticket row is locked now (line steps and voids lock it first too), so its lines
    # read before their UPDATE are the ones it moves: no RETURNING and no second read.
    lines = (await _load_items(session, rid, [ticket_id]))[ticket_id]
    changes: dict[str, Any] = {"status": step.items_to}
    if step.items_stamp is not None:
        changes[step.items_stamp] = now
    moved = [i.order_item_id for i in lines if i.status in step.items_from]
    if moved:
        await session.execute(_STEP_LINES[action], params)
        lines = [i.model_copy(update=changes) if i.status in step.items_from else i for i in lines]
    await _mark_order_items(session, rid, moved, step.order_status, now)
    ticket = _ticket_read(row, lines)
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
    # The lock first, then the lines in a statement of their own: read after the lock,
    # they include what a concurrent step committed while this one waited.
    row = (await session.execute(_LOCK_TICKET, {"r": rid, "tid": ticket_id})).first()
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
    await session.execute(_STEP_LINE[action], {"r": rid, "lid": ticket_item_id, "now": now})
    current = TicketStatus(row.status)
    new_status = _derived_status(
        current, [to if i.id == ticket_item_id else i.status for i in lines]
    )
    updated = (
        await session.execute(
            _FOLLOW[None if new_status is current else new_status],
            {"r": rid, "tid": ticket_id, "v": row.version, "now": now},
        )
    ).first()
    if updated is None:
        raise StaleVersion(f"ticket {ticket_id} changed while this step ran; re-read it")
    await _mark_order_items(session, rid, [line.order_item_id], order_status, now)
    changed = line.model_copy(update={"status": to, stamp: now})
    ticket = _ticket_read(updated, [changed if i.id == ticket_item_id else i for i in lines])
    await record_many(session, rid, [_event(_ITEM_EVENT[action], ticket)])
    return ticket
