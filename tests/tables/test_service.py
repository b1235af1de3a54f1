"""occupy_table / release_table: the table follows its open order."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.events.models import OutboxEvent
from brigade.events.outbox import number_queued
from brigade.infra.errors import NotFound
from brigade.tables.exceptions import TableOccupied
from brigade.tables.models import DiningTable
from brigade.tables.service import occupy_table, release_table
from tests.factories import make_restaurant, make_table


async def _table(session: AsyncSession, table_id: int) -> DiningTable:
    row = (
        await session.execute(
            select(DiningTable)
            .where(DiningTable.id == table_id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    return row


async def _events(session: AsyncSession, restaurant_id: int) -> list[OutboxEvent]:
    await number_queued(session)  # as the commit would
    rows = await session.execute(
        select(OutboxEvent)
        .where(OutboxEvent.restaurant_id == restaurant_id)
        .order_by(OutboxEvent.seq)
    )
    return list(rows.scalars())


async def test_occupy_then_release(session: AsyncSession) -> None:
    resto = await make_restaurant(session)
    table_id = await make_table(session, resto, name="T1")
    await occupy_table(session, resto.id, table_id, order_id=41)
    table = await _table(session, table_id)
    assert (table.status, table.current_order_id, table.version) == ("occupied", 41, 2)
    assert table.seated_at is not None
    assert table.seated_at.tzinfo is not None

    await release_table(session, resto.id, table_id, order_id=41)
    table = await _table(session, table_id)
    assert (table.status, table.current_order_id, table.seated_at, table.version) == (
        "free",
        None,
        None,
        3,
    )
    events = await _events(session, resto.id)
    assert [e.type for e in events] == ["table.updated", "table.updated"]
    assert events[0].payload["table"]["status"] == "occupied"
    assert events[0].payload["table"]["current_order_id"] == 41
    assert events[0].payload["table"]["version"] == 2
    assert events[1].payload["table"]["status"] == "free"
    assert events[1].payload["table"]["name"] == "T1"


async def test_occupy_twice_with_same_order_is_a_no_op(session: AsyncSession) -> None:
    resto = await make_restaurant(session)
    table_id = await make_table(session, resto)
    await occupy_table(session, resto.id, table_id, order_id=7)
    await occupy_table(session, resto.id, table_id, order_id=7)
    assert (await _table(session, table_id)).version == 2
    assert len(await _events(session, resto.id)) == 1


async def test_occupy_with_another_open_order_conflicts(session: AsyncSession) -> None:
    resto = await make_restaurant(session)
    table_id = await make_table(session, resto)
    await occupy_table(session, resto.id, table_id, order_id=7)
    with pytest.raises(TableOccupied) as info:
        await occupy_table(session, resto.id, table_id, order_id=8)
    assert info.value.status == 409
    assert info.value.type == "table-occupied"
    table = await _table(session, table_id)
    assert (table.current_order_id, table.version) == (7, 2)


async def test_release_by_another_order_changes_nothing(session: AsyncSession) -> None:
    resto = await make_restaurant(session)
    table_id = await make_table(session, resto)
    await occupy_table(session, resto.id, table_id, order_id=7)
    await release_table(session, resto.id, table_id, order_id=8)
    table = await _table(session, table_id)
    assert (table.status, table.current_order_id, table.version) == ("occupied", 7, 2)


async def test_other_restaurants_table_is_not_found(session: AsyncSession) -> None:
    resto = await make_restaurant(session)
    other = await make_restaurant(session)
    foreign = await make_table(session, other)
    with pytest.raises(NotFound):
        await occupy_table(session, resto.id, foreign, order_id=1)
    with pytest.raises(NotFound):
        await release_table(session, resto.id, foreign, order_id=1)
    assert (await _table(session, foreign)).status == "free"
