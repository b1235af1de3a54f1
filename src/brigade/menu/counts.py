"""Counted menu items: "5 left", counted down by every order and 86'd at zero.

A menu item's ``remaining`` (``brigade.menu.models.MenuItem``) is the portions the
kitchen has left (``None``: not counted, unlimited). The kitchen or a manager sets it
with ``PUT R/menu/items/{id}/availability`` (:func:`brigade.menu.service.set_item_availability`);
order placement takes portions with :func:`take_portions`, in the same unit of work as
the order lines it writes (``brigade.orders.service``: creating an order with lines and
adding lines both go through it), so a refused order leaves the count untouched and a
placed one never overdraws it, whichever worker took the order: the count is checked and
decremented by one conditional ``UPDATE`` in the database, never from a cached menu.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from sqlalchemy import BindParameter, Table, bindparam, case, false, update

from brigade.events.outbox import NewEvent, record_many
from brigade.infra.db import utcnow
from brigade.infra.errors import Conflict
from brigade.infra.prepared import Executor
from brigade.menu.models import MenuItem
from brigade.tenancy import scoped

#: Event of a count that changed (an order took portions); data ``{menu_item_id, name,
#: remaining, is_available}``. A ``menu.*`` event, so the cached menu is dropped.
MENU_ITEM_REMAINING = "menu.item.remaining"

_items = cast(Table, MenuItem.__table__)


class NotEnoughLeft(Conflict):
    """An order asks for more portions of a counted item than are left (``remaining``).

    The problem body carries ``menu_item_id``, ``name``, ``remaining`` (what is left
    now) and ``requested`` (what the order asked for, over all its lines of the item).
    """

    type = "not-enough-left"
    title = "Not enough of this item is left"


async def take_portions(
    session: Executor, restaurant_id: int, quantities: Mapping[int, int]
) -> None:
    """Count down the counted items among ``quantities`` (menu item id -> portions
    ordered, > 0) and 86 each that reaches zero.

    One ``UPDATE ... RETURNING`` on the items whose ``remaining`` is not null (the
    others are left alone and not locked): ``remaining`` minus the portions, and
    ``is_available`` false where it reaches 0. When an item would go below zero,
    raises :class:`NotEnoughLeft` (409) naming the first such item; the caller's unit
    of work then rolls back, this update with it. Otherwise records one
    :data:`MENU_ITEM_REMAINING` event per counted item. Items of other restaurants are
    never touched (``restaurant_id`` scopes the statement).
    """
    if not quantities:
        return
    ids = sorted(quantities)
    by_item: dict[int, BindParameter[int]] = {
        i: bindparam(f"q{n}", quantities[i]) for n, i in enumerate(ids)
    }
    taken = case(by_item, value=_items.c.id)
    left = _items.c.remaining - taken
    stmt = (
        scoped(update(_items), restaurant_id)
        .where(_items.c.id.in_(ids), _items.c.remaining.is_not(None))
        .values(
            remaining=left,
            is_available=case((left <= 0, false()), else_=_items.c.is_available),
            updated_at=utcnow(),
        )
        .returning(_items.c.id, _items.c.name, _items.c.remaining, _items.c.is_available)
    )
    rows = sorted((await session.execute(stmt)).all())
    for item_id, name, remaining, _ in rows:
        if remaining < 0:
            requested = quantities[item_id]
            before = remaining + requested
            raise NotEnoughLeft(
                f"only {before} of {name!r} left, the order asks for {requested}",
                menu_item_id=item_id,
                name=name,
                remaining=before,
                requested=requested,
            )
    await record_many(
        session,
        restaurant_id,
        [
            NewEvent(
                MENU_ITEM_REMAINING,
                {
                    "menu_item_id": item_id,
                    "name": name,
                    "remaining": remaining,
                    "is_available": bool(is_available),
                },
            )
            for item_id, name, remaining, is_available in rows
        ],
    )
