"""A table name taken by a concurrent request between the pre-check and the write: the
database's unique constraint (``uq_floor_tables_restaurant_id_name``) answers, and the
client gets the same 409 ``table-name-taken`` as from the pre-check, never a 500.

The race is provoked by switching the pre-check off (``_check_name`` passes), so the
write reaches the constraint, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access, Actor
from brigade.auth.permissions import Permission
from brigade.tables import service
from brigade.tables.exceptions import TableNameTaken
from brigade.tables.models import DiningTable
from brigade.tables.schemas import AreaCreate, TableCreate
from tests.menu.conftest import Staff, events_of
from tests.tables.test_router import new_table, problem


@pytest.fixture
def no_precheck(monkeypatch: pytest.MonkeyPatch) -> None:
    """The name pre-check sees nothing, as when the other request has not committed."""

    async def passes(*_args: object, **_kwargs: object) -> None:
        return None

    monkeypatch.setattr(service, "_check_name", passes)


def system(restaurant_id: int) -> Access:
    return Access(
        actor=Actor(),
        restaurant_id=restaurant_id,
        role=None,
        permissions=frozenset({Permission.tables_read, Permission.tables_write}),
    )


async def floor(session: AsyncSession, restaurant_id: int) -> list[tuple[str, int, int]]:
    """``(name, seats, version)`` of the restaurant's tables, by id."""
    rows = await session.execute(
        select(DiningTable.name, DiningTable.seats, DiningTable.version)
        .where(DiningTable.restaurant_id == restaurant_id)
        .order_by(DiningTable.id)
    )
    return [(r.name, r.seats, r.version) for r in rows]


@pytest.mark.usefixtures("no_precheck")
class TestTableNameRace:
    async def test_create_answers_409_and_writes_nothing(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        await new_table(client, staff, "T1")
        before = await floor(session, staff.restaurant.id)
        events = len(await events_of(session, staff.restaurant.id))

        r = await client.post(
            f"{staff.base}/tables", json={"name": "T1", "seats": 8}, headers=staff.waiter
        )

        assert problem(r, 409, "table-name-taken")["name"] == "T1"
        assert await floor(session, staff.restaurant.id) == before
        assert len(await events_of(session, staff.restaurant.id)) == events

    async def test_update_answers_409_and_changes_nothing(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        table = await new_table(client, staff, "T1")
        await new_table(client, staff, "T2")
        before = await floor(session, staff.restaurant.id)
        url = f"{staff.base}/tables/{table['id']}"

        r = await client.patch(url, json={"name": "T2", "seats": 9}, headers=staff.waiter)

        assert problem(r, 409, "table-name-taken")["name"] == "T2"
        assert await floor(session, staff.restaurant.id) == before
        got = (await client.get(url, headers=staff.waiter)).json()
        assert (got["name"], got["seats"], got["version"]) == ("T1", table["seats"], 1)

    async def test_the_rest_of_the_transaction_survives(
        self, session: AsyncSession, staff: Staff
    ) -> None:
        access = system(staff.restaurant.id)
        area = await service.create_area(session, access, AreaCreate(name="Terrace"))
        await service.create_table(session, access, TableCreate(name="T1", area_id=area.id))
        t2 = await service.create_table(session, access, TableCreate(name="T2"))

        with pytest.raises(TableNameTaken):
            await service.create_table(session, access, TableCreate(name="T1", seats=3))
        with pytest.raises(TableNameTaken):
            await service.update_table(
                session, access, t2.id, service.TableUpdate(name="T1", seats=7)
            )

        # the area and both tables are still there, T2 unchanged, and the transaction
        # takes more writes
        t3 = await service.create_table(session, access, TableCreate(name="T3"))
        assert t3.version == 1
        assert (await service.get_table(session, access, t2.id)).model_dump() == t2.model_dump()
        assert [name for name, _, _ in await floor(session, staff.restaurant.id)] == [
            "T1",
            "T2",
            "T3",
        ]
        assert (await service.get_area(session, access, area.id)).name == "Terrace"

    async def test_another_integrity_error_is_not_a_409(
        self, session: AsyncSession, staff: Staff
    ) -> None:
        access = system(staff.restaurant.id)
        nameless = TableCreate.model_construct(name=None, seats=4, area_id=None, position=0)

        with pytest.raises(IntegrityError):
            await service.create_table(session, access, nameless)

        assert await floor(session, staff.restaurant.id) == []
