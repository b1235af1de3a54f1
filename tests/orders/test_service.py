"""Orders service functions other contexts call: mark_items and close_order."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.infra.db import utcnow
from brigade.infra.errors import NotFound
from brigade.orders.exceptions import OrderClosed
from brigade.orders.models import OrderItem
from brigade.orders.service import close_order, mark_items
from brigade.runtime import Runtime
from brigade.tables.models import DiningTable
from tests.orders.support import World, event_types, last_seq, make_world, open_order


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    return await make_world(session, runtime)


async def statuses(session: AsyncSession, order_id: int) -> list[str]:
    rows = await session.execute(
        select(OrderItem.status).where(OrderItem.order_id == order_id).order_by(OrderItem.id)
    )
    return list(rows.scalars())


async def test_mark_items_moves_fired_lines_only(
    client: AsyncClient, session: AsyncSession, world: World
) -> None:
    order = await open_order(
        client,
        world,
        items=[
            {"menu_item_id": world.cola.id},
            {"menu_item_id": world.soup.id},
            {"menu_item_id": world.soup.id, "course": 2},
        ],
    )
    await client.post(f"{world.orders_url}/{order['id']}/send", headers=world.waiter.headers)
    cola, soup, held = (i["id"] for i in order["items"])
    await client.post(
        f"{world.orders_url}/{order['id']}/items/{soup}/void",
        json={"reason": "x"},
        headers=world.waiter.headers,
    )
    await mark_items(session, world.rid, [cola, soup, held], "ready", utcnow())
    assert await statuses(session, order["id"]) == ["ready", "voided", "pending"]
    # another restaurant's id is ignored
    await mark_items(session, world.rid + 1, [cola], "preparing", utcnow())
    assert (await statuses(session, order["id"]))[0] == "ready"
    with pytest.raises(ValueError, match="kitchen state"):
        await mark_items(session, world.rid, [cola], "voided", utcnow())


async def test_close_order_frees_the_table_once(
    client: AsyncClient, session: AsyncSession, world: World
) -> None:
    order = await open_order(client, world)
    before = await last_seq(session, world.rid)
    closed = await close_order(session, world.rid, order["id"])
    assert closed.status == "closed"
    assert closed.closed_at is not None
    assert closed.version == order["version"] + 1
    table = await session.scalar(select(DiningTable.status).where(DiningTable.id == world.table))
    assert table == "free"
    assert await event_types(session, world.rid, before) == ["table.updated", "order.closed"]
    with pytest.raises(OrderClosed):
        await close_order(session, world.rid, order["id"])
    with pytest.raises(NotFound):
        await close_order(session, world.rid + 1, order["id"])
