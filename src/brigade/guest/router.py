"""``GET /api/v1/guest/menu?t=<table token>``: the menu for a guest who scanned a
table's QR code. Public (the signed table token is the credential), read-only."""

from __future__ import annotations

import json

from fastapi import APIRouter, Query, Response

from brigade.guest.schemas import GuestMenuRead
from brigade.infra.errors import problem_responses
from brigade.menu.cache import get_menu_cache
from brigade.menu.document import menu_bytes
from brigade.restaurants.service import get_restaurant
from brigade.runtime import RuntimeDep
from brigade.session import SessionDep
from brigade.tables.exceptions import InvalidTableToken
from brigade.tables.qr import read_table_token
from brigade.tables.service import guest_table

router = APIRouter(prefix="/guest", tags=["guest"])


@router.get("/menu", response_model=GuestMenuRead, responses=problem_responses(InvalidTableToken))
async def get_guest_menu(
    session: SessionDep,
    runtime: RuntimeDep,
    t: str | None = Query(default=None, description="The table token of the QR code's link."),
) -> Response:
    """The whole menu of the table's restaurant plus its ``restaurant_name`` and
    ``table: {id, name}``.

    401 ``invalid-table-token`` when the token is missing, forged, or its table is gone.
    """
    if not t:
        raise InvalidTableToken("the link has no table token")
    restaurant_id, table_id = read_table_token(runtime.settings, t)
    table_id, name = await guest_table(session, restaurant_id, table_id)
    restaurant = await get_restaurant(session, restaurant_id)
    menu = await menu_bytes(session, get_menu_cache(runtime), restaurant_id)
    extra = json.dumps(
        {"restaurant_name": restaurant.name, "table": {"id": table_id, "name": name}},
        separators=(",", ":"),
    ).encode()
    # the cached document is one JSON object: add the name and the table as its last members
    return Response(menu[:-1] + b"," + extra[1:], media_type="application/json")
