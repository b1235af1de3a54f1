"""Concurrent requests on a database of their own (committed data, several writer
connections on PostgreSQL, SQLite's one writer): one open shift per till, and one Z
report per day, whatever arrives at the same moment.

The database is a SQLite file, or a fresh PostgreSQL database named after the test
database (``<name>_race``), dropped afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from brigade.auth.permissions import Role
from brigade.events.unit_of_work import unit_of_work
from brigade.infra.db import utcnow
from brigade.runtime import Runtime
from brigade.tills.models import TillShift, ZReport
from tests.factories import make_restaurant
from tests.orders.support import quick_login
from tests.own_database import served_on_own_database

CASHIERS = 6


@dataclass
class Raced:
    runtime: Runtime
    client: AsyncClient
    base: str
    rid: int
    cashiers: list[dict[str, str]]
    manager: dict[str, str]


@pytest.fixture
async def raced(tmp_path: Path) -> AsyncIterator[Raced]:
    async with served_on_own_database(tmp_path, "race", pool_size=CASHIERS + 2) as served:
        runtime = served.runtime
        async with unit_of_work(runtime.db, None) as session:
            restaurant = await make_restaurant(session)
            cashiers = [
                (await quick_login(session, runtime, restaurant, Role.cashier)).headers
                for _ in range(CASHIERS)
            ]
            manager = (await quick_login(session, runtime, restaurant, Role.manager)).headers
            rid = restaurant.id
        yield Raced(runtime, served.client, f"/api/v1/restaurants/{rid}", rid, cashiers, manager)


async def _count(raced: Raced, model: type[TillShift] | type[ZReport], **where: object) -> int:
    async with raced.runtime.db.sessionmaker() as session:
        statement = select(func.count()).select_from(model).where(model.restaurant_id == raced.rid)
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        return int((await session.execute(statement)).scalar_one())


async def test_one_open_shift_per_till_under_concurrent_opens(raced: Raced) -> None:
    client, base = raced.client, raced.base
    till = await client.post(f"{base}/tills", json={"name": "Front"}, headers=raced.manager)
    assert till.status_code == 201, till.text
    url = f"{base}/tills/{till.json()['id']}/shifts"

    answers = await asyncio.gather(
        *(client.post(url, json={"opening_float": 1000}, headers=h) for h in raced.cashiers)
    )

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * (CASHIERS - 1), [a.text for a in answers]
    assert {a.json()["type"].rsplit("/", 1)[1] for a in answers if a.status_code == 409} == {
        "shift-already-open"
    }
    assert await _count(raced, TillShift, status="open") == 1


async def test_one_z_report_per_day_under_concurrent_takes(raced: Raced) -> None:
    client, base = raced.client, raced.base

    answers = await asyncio.gather(
        *(client.post(f"{base}/reports/z", json={}, headers=raced.manager) for _ in range(4))
    )

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201, 409, 409, 409], [a.text for a in answers]
    assert await _count(raced, ZReport) == 1
    (taken,) = [a.json() for a in answers if a.status_code == 201]
    assert taken["number"] == 1


async def test_the_constraint_holds_without_the_lock(raced: Raced) -> None:
    """The unique constraint alone refuses a second open shift on a till."""
    client, base = raced.client, raced.base
    till = await client.post(f"{base}/tills", json={"name": "Bar"}, headers=raced.manager)
    till_id = till.json()["id"]
    async with raced.runtime.db.sessionmaker() as session, session.begin():
        session.add(_open_shift(raced.rid, till_id))
        await session.flush()
        session.add(_open_shift(raced.rid, till_id))
        with pytest.raises(IntegrityError):
            await session.flush()
        await session.rollback()
    assert await _count(raced, TillShift) == 0


def _open_shift(rid: int, till_id: int) -> TillShift:
    return TillShift(
        restaurant_id=rid,
        till_id=till_id,
        open_till_id=till_id,
        status="open",
        business_date=utcnow().date(),
        opening_float=0,
        opened_at=utcnow(),
        version=1,
    )
