"""HTTP routes of the orders context (thin: parse, authorise, call the service)."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from brigade.auth.dependencies import OrdersRead, OrdersVoid, OrdersWrite
from brigade.idempotency import dependencies as idempotency
from brigade.infra.errors import (
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    StaleVersion,
    problem_responses,
)
from brigade.inputs import Id, Offset, PathId
from brigade.menu.exceptions import ItemUnavailable
from brigade.orders import moves, service
from brigade.orders.exceptions import (
    CannotMergeOrder,
    InvalidDateRange,
    ItemAlreadyVoided,
    ItemNotReady,
    NoSignedInWaiter,
    NothingToFire,
    NothingToServe,
    OrderAlreadyFired,
    OrderClosed,
    OrderHasCheck,
)
from brigade.orders.schemas import (
    OrderCancel,
    OrderCreate,
    OrderItemsAdd,
    OrderItemVoid,
    OrderList,
    OrderMerge,
    OrderRead,
    OrderServe,
    OrderStatus,
    OrderTransfer,
    VersionedWrite,
)
from brigade.reads import ReadSessionDep
from brigade.restaurants.service import get_profile_cache
from brigade.runtime import get_runtime
from brigade.session import SessionDep
from brigade.tables.exceptions import TableOccupied

router = APIRouter(tags=["orders"])

BASE = "/restaurants/{restaurant_id}/orders"
REPLAYED_HEADER = idempotency.REPLAYED_HEADER
_AUTH = (NotAuthenticated, NotFound, PermissionDenied)

OrderId = PathId
OptionalVersion = Annotated[VersionedWrite | None, Body()]


@router.post(
    BASE,
    status_code=201,
    response_model=OrderRead,
    responses=problem_responses(
        *_AUTH,
        OrderClosed,
        ItemUnavailable,
        InvalidInput,
        *idempotency.ERRORS,
    ),
)
async def create_order(
    body: OrderCreate,
    access: OrdersWrite,
    session: SessionDep,
    request: Request,
    idempotency_key: idempotency.KeyHeader = None,
) -> Response:
    """Open a dine-in order at a table (the table becomes occupied) or a takeaway order,
    optionally with its first lines. A retry with the same ``Idempotency-Key`` returns
    the first answer with header ``Idempotent-Replayed: true``."""
    result = await service.create_order_once(
        session,
        access,
        body,
        idempotency_key=idempotency_key,
        profiles=get_profile_cache(get_runtime(request)),
    )
    # The order's JSON data is already built (for its event and idempotency record):
    # encoded as FastAPI's JSONResponse would, without validating and dumping it again.
    return Response(
        json.dumps(result.answer, ensure_ascii=False, separators=(",", ":")).encode(),
        status_code=201,
        media_type="application/json",
        headers={REPLAYED_HEADER: "true"} if result.replayed else None,
    )


@router.get(
    BASE,
    response_model=OrderList,
    responses=problem_responses(*_AUTH, InvalidDateRange, NoSignedInWaiter),
)
async def list_orders(
    access: OrdersRead,
    session: ReadSessionDep,
    status: OrderStatus | None = None,
    table_id: Annotated[Id | None, Query()] = None,
    waiter: Annotated[
        Id | Literal["me"] | None,
        Query(description="Orders opened by this user id, or ``me`` for the caller's own."),
    ] = None,
    start_date: Annotated[
        date | None, Query(description="First business date (local), inclusive.")
    ] = None,
    end_date: Annotated[
        date | None, Query(description="Last business date (local), inclusive.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> OrderList:
    """Orders, newest first, with their lines; filter by ``status``, ``table_id``,
    ``waiter`` (who opened them; ``me`` for the caller) and business dates."""
    return await service.list_orders(
        session,
        access,
        status=status,
        table_id=table_id,
        waiter=waiter,
        start_date=start_date,
        end_date=end_date,
        limit=limit,
        offset=offset,
    )


@router.get(BASE + "/{order_id}", response_model=OrderRead, responses=problem_responses(*_AUTH))
async def get_order(order_id: OrderId, access: OrdersRead, session: SessionDep) -> OrderRead:
    """One order with all its lines (voided ones included)."""
    return await service.get_order(session, access, order_id)


@router.post(
    BASE + "/{order_id}/items",
    response_model=OrderRead,
    responses={
        **idempotency.replayed_header_doc(),
        **problem_responses(
            *_AUTH, OrderClosed, StaleVersion, ItemUnavailable, InvalidInput, *idempotency.ERRORS
        ),
    },
)
async def add_items(
    order_id: OrderId,
    body: OrderItemsAdd,
    access: OrdersWrite,
    session: SessionDep,
    once: idempotency.Idempotent,
) -> OrderRead | JSONResponse:
    """Add lines to an open order (snapshotting names, prices and modifiers). A retry
    with the same ``Idempotency-Key`` returns the first answer and adds nothing."""
    return await once.run(access, body, lambda: service.add_items(session, access, order_id, body))


@router.post(
    BASE + "/{order_id}/items/{item_id}/void",
    response_model=OrderRead,
    responses={
        **idempotency.replayed_header_doc(),
        **problem_responses(
            *_AUTH, OrderClosed, StaleVersion, ItemAlreadyVoided, *idempotency.ERRORS
        ),
    },
)
async def void_item(
    order_id: OrderId,
    item_id: PathId,
    body: OrderItemVoid,
    access: OrdersVoid,
    session: SessionDep,
    once: idempotency.Idempotent,
) -> OrderRead | JSONResponse:
    """Void a line with a reason; a fired line is voided on its kitchen ticket too. A
    retry with the same ``Idempotency-Key`` returns the first answer."""
    return await once.run(
        access, body, lambda: service.void_item(session, access, order_id, item_id, body)
    )


@router.post(
    BASE + "/{order_id}/send",
    response_model=OrderRead,
    responses={
        **idempotency.replayed_header_doc(),
        **problem_responses(*_AUTH, OrderClosed, StaleVersion, NothingToFire, *idempotency.ERRORS),
    },
)
async def send_order(
    order_id: OrderId,
    access: OrdersWrite,
    session: SessionDep,
    once: idempotency.Idempotent,
    body: OptionalVersion = None,
) -> OrderRead | JSONResponse:
    """Fire course 1's pending lines to the kitchen; later courses are held. A retry
    with the same ``Idempotency-Key`` returns the first answer and fires nothing."""
    data = body or VersionedWrite()
    return await once.run(
        access, data, lambda: service.send_order(session, access, order_id, data.version)
    )


@router.post(
    BASE + "/{order_id}/courses/{course}/fire",
    response_model=OrderRead,
    responses={
        **idempotency.replayed_header_doc(),
        **problem_responses(*_AUTH, OrderClosed, StaleVersion, NothingToFire, *idempotency.ERRORS),
    },
)
async def fire_course(
    order_id: OrderId,
    course: Annotated[int, Path(ge=1, le=9)],
    access: OrdersWrite,
    session: SessionDep,
    once: idempotency.Idempotent,
    body: OptionalVersion = None,
) -> OrderRead | JSONResponse:
    """Fire the pending lines of one course now. A retry with the same
    ``Idempotency-Key`` returns the first answer and fires nothing."""
    data = body or VersionedWrite()
    return await once.run(
        access,
        data,
        lambda: service.fire_course(session, access, order_id, course, data.version),
    )


@router.post(
    BASE + "/{order_id}/serve",
    response_model=OrderRead,
    responses={
        **idempotency.replayed_header_doc(),
        **problem_responses(
            *_AUTH, OrderClosed, StaleVersion, ItemNotReady, NothingToServe, *idempotency.ERRORS
        ),
    },
)
async def serve_items(
    order_id: OrderId,
    access: OrdersWrite,
    session: SessionDep,
    once: idempotency.Idempotent,
    body: Annotated[OrderServe | None, Body()] = None,
) -> OrderRead | JSONResponse:
    """Mark the ready lines served (all of them, or only ``order_item_ids``); event
    ``order.served``. A retry with the same ``Idempotency-Key`` returns the first
    answer."""
    data = body or OrderServe()
    return await once.run(
        access, data, lambda: service.serve_items(session, access, order_id, data)
    )


@router.post(
    BASE + "/{order_id}/cancel",
    response_model=OrderRead,
    responses={
        **idempotency.replayed_header_doc(),
        **problem_responses(
            *_AUTH, OrderClosed, StaleVersion, OrderAlreadyFired, OrderHasCheck, *idempotency.ERRORS
        ),
    },
)
async def cancel_order(
    order_id: OrderId,
    body: OrderCancel,
    access: OrdersWrite,
    session: SessionDep,
    once: idempotency.Idempotent,
) -> OrderRead | JSONResponse:
    """Cancel an open order with nothing fired, with a reason; its table is freed; event
    ``order.cancelled``. A retry with the same ``Idempotency-Key`` returns the first
    answer."""
    return await once.run(
        access, body, lambda: service.cancel_order(session, access, order_id, body)
    )


@router.post(
    BASE + "/{order_id}/transfer",
    response_model=OrderRead,
    responses={
        **idempotency.replayed_header_doc(),
        **problem_responses(*_AUTH, OrderClosed, StaleVersion, TableOccupied, *idempotency.ERRORS),
    },
)
async def transfer_order(
    order_id: OrderId,
    body: OrderTransfer,
    access: OrdersWrite,
    session: SessionDep,
    once: idempotency.Idempotent,
) -> OrderRead | JSONResponse:
    """Move the order to another free table (409 ``table-occupied`` otherwise): both
    tables' state follows (``table.updated``); event ``order.transferred``. A retry with
    the same ``Idempotency-Key`` returns the first answer."""
    return await once.run(
        access, body, lambda: moves.transfer_order(session, access, order_id, body)
    )


@router.post(
    BASE + "/{order_id}/merge",
    response_model=OrderRead,
    responses={
        **idempotency.replayed_header_doc(),
        **problem_responses(
            *_AUTH, OrderClosed, StaleVersion, CannotMergeOrder, OrderHasCheck, *idempotency.ERRORS
        ),
    },
)
async def merge_orders(
    order_id: OrderId,
    body: OrderMerge,
    access: OrdersWrite,
    session: SessionDep,
    once: idempotency.Idempotent,
) -> OrderRead | JSONResponse:
    """Merge another open order (another table's, without a check) into this one: its
    lines move here with their kitchen history (nothing is sent again), it is cancelled
    and its table freed; event ``order.merged``. A retry with the same
    ``Idempotency-Key`` returns the first answer."""
    return await once.run(access, body, lambda: moves.merge_orders(session, access, order_id, body))
