"""HTTP routes of the kitchen context (thin: parse, authorise, call the service).

``R/kitchen/tickets``: a station's screen lists its open tickets (``kitchen:read``) and
moves tickets and their lines along ``new → preparing → ready → bumped``, or recalls a
bumped ticket (``kitchen:bump``). Each step answers the ticket as it now is.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from brigade.auth.dependencies import KitchenBump, KitchenRead
from brigade.infra.errors import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    StaleVersion,
    problem_responses,
)
from brigade.inputs import Offset, PathId, SingleLine
from brigade.kitchen import service
from brigade.kitchen.exceptions import InvalidTicketTransition
from brigade.kitchen.schemas import TicketList, TicketListStatus, TicketRead, TicketStep
from brigade.kitchen.service import TicketAction, TicketItemAction
from brigade.reads import ReadSessionDep
from brigade.session import SessionDep

router = APIRouter(tags=["kitchen"])

R = "/restaurants/{restaurant_id}"
TICKETS = R + "/kitchen/tickets"
TICKET = TICKETS + "/{ticket_id}"
TICKET_ITEM = TICKET + "/items/{ticket_item_id}"
ACCESS_ERRORS = (NotAuthenticated, NotFound, PermissionDenied)
STEP_RESPONSES = problem_responses(*ACCESS_ERRORS, InvalidTicketTransition, StaleVersion)
TicketId = PathId
TicketItemId = PathId


@router.get(TICKETS, response_model=TicketList, responses=problem_responses(*ACCESS_ERRORS))
async def list_tickets(
    access: KitchenRead,
    session: ReadSessionDep,
    station: Annotated[
        SingleLine | None, Query(max_length=64, description="Only this station's tickets.")
    ] = None,
    status: Annotated[
        TicketListStatus, Query(description="`open` (not bumped, default) or `all`.")
    ] = TicketListStatus.open,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> TicketList:
    """Tickets with their lines, oldest first; a station's screen asks for its open ones."""
    return await service.list_tickets(
        session, access, station=station, status=status, limit=limit, offset=offset
    )


@router.get(TICKET, response_model=TicketRead, responses=problem_responses(*ACCESS_ERRORS))
async def get_ticket(ticket_id: TicketId, access: KitchenRead, session: SessionDep) -> TicketRead:
    """One ticket with its lines (voided lines flagged)."""
    return await service.get_ticket(session, access, ticket_id)


async def _step(
    session: SessionDep,
    access: KitchenBump,
    ticket_id: int,
    action: TicketAction,
    body: TicketStep | None,
) -> TicketRead:
    version = body.version if body is not None else None
    return await service.step_ticket(session, access, ticket_id, action, version=version)


@router.post(TICKET + "/start", response_model=TicketRead, responses=STEP_RESPONSES)
async def start_ticket(
    ticket_id: TicketId, access: KitchenBump, session: SessionDep, body: TicketStep | None = None
) -> TicketRead:
    """Start cooking: ``new → preparing`` (``started_at``); its lines start too."""
    return await _step(session, access, ticket_id, TicketAction.start, body)


@router.post(TICKET + "/ready", response_model=TicketRead, responses=STEP_RESPONSES)
async def ready_ticket(
    ticket_id: TicketId, access: KitchenBump, session: SessionDep, body: TicketStep | None = None
) -> TicketRead:
    """Ready at the pass: ``new|preparing → ready`` (``ready_at``); its lines too."""
    return await _step(session, access, ticket_id, TicketAction.ready, body)


@router.post(TICKET + "/bump", response_model=TicketRead, responses=STEP_RESPONSES)
async def bump_ticket(
    ticket_id: TicketId, access: KitchenBump, session: SessionDep, body: TicketStep | None = None
) -> TicketRead:
    """Bump: any open status ``→ bumped`` (``bumped_at``); it leaves the open list."""
    return await _step(session, access, ticket_id, TicketAction.bump, body)


@router.post(TICKET + "/recall", response_model=TicketRead, responses=STEP_RESPONSES)
async def recall_ticket(
    ticket_id: TicketId, access: KitchenBump, session: SessionDep, body: TicketStep | None = None
) -> TicketRead:
    """Recall a bumped ticket: ``bumped → ready`` (``recalled_at``), back on screen."""
    return await _step(session, access, ticket_id, TicketAction.recall, body)


async def _item_step(
    session: SessionDep,
    access: KitchenBump,
    ticket_id: int,
    ticket_item_id: int,
    action: TicketItemAction,
    body: TicketStep | None,
) -> TicketRead:
    version = body.version if body is not None else None
    return await service.step_ticket_item(
        session, access, ticket_id, ticket_item_id, action, version=version
    )


@router.post(TICKET_ITEM + "/start", response_model=TicketRead, responses=STEP_RESPONSES)
async def start_ticket_item(
    ticket_id: TicketId,
    ticket_item_id: TicketItemId,
    access: KitchenBump,
    session: SessionDep,
    body: TicketStep | None = None,
) -> TicketRead:
    """Start one line: ``new → preparing``; a new ticket becomes ``preparing``."""
    return await _item_step(
        session, access, ticket_id, ticket_item_id, TicketItemAction.start, body
    )


@router.post(TICKET_ITEM + "/ready", response_model=TicketRead, responses=STEP_RESPONSES)
async def ready_ticket_item(
    ticket_id: TicketId,
    ticket_item_id: TicketItemId,
    access: KitchenBump,
    session: SessionDep,
    body: TicketStep | None = None,
) -> TicketRead:
    """One line ready: ``new|preparing → ready``; when every live line is, the ticket is."""
    return await _item_step(
        session, access, ticket_id, ticket_item_id, TicketItemAction.ready, body
    )


@router.post(TICKET_ITEM + "/bump", response_model=TicketRead, responses=STEP_RESPONSES)
async def bump_ticket_item(
    ticket_id: TicketId,
    ticket_item_id: TicketItemId,
    access: KitchenBump,
    session: SessionDep,
    body: TicketStep | None = None,
) -> TicketRead:
    """Bump one line; when every live line is bumped, the ticket is bumped too."""
    return await _item_step(session, access, ticket_id, ticket_item_id, TicketItemAction.bump, body)
