"""Long reads (reports) run on reader connections: the server keeps serving meanwhile.

These tests use a database of their own with committed data (a SQLite file, or a
fresh PostgreSQL database beside ``test``), because reader connections do not see the
rolled-back outer transaction of the other tests. The writer pool has one connection
on both (SQLite's single writer; ``database_pool_size=1`` on PostgreSQL), so a report
that needed a writer connection would make every other request wait for it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import Integer, func, insert, literal, select, true, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.app import create_app
from brigade.auth.permissions import Role
from brigade.events.unit_of_work import unit_of_work
from brigade.infra.db import UTCDateTime
from brigade.infra.migrate import upgrade
from brigade.infra.settings import Settings
from brigade.orders.models import Order, OrderItem
from brigade.reads import release_read_only_writer
from brigade.runtime import Runtime
from tests.conftest import postgres_url
from tests.conftest import test_database_kind as database_kind
from tests.factories import MenuItemFixture, make_menu_item, make_restaurant, make_user

ORDERS = 1000
LINES_PER_ORDER = 100  # 100,000 lines: a year report that takes a while on any machine
YEAR = "start_date=2015-01-01&end_date=2015-12-31"
READS_DATABASE = "test_reads"


@dataclass
class Served:
    """An app on a database of its own with a year of closed orders of one item."""

    runtime: Runtime
    client: AsyncClient
    base: str
    headers: dict[str, str]
    waiter: dict[str, str]
    menu_item_id: int


async def _database_url(tmp_path: Path) -> str:
    if database_kind() != "postgresql":
        return f"sqlite+aiosqlite:///{tmp_path / 'reads.db'}"
    import asyncpg

    url = postgres_url().rsplit("/", 1)[0] + "/" + READS_DATABASE
    admin = await asyncpg.connect(postgres_url().replace("+asyncpg", ""), timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{READS_DATABASE}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{READS_DATABASE}"')
    finally:
        await admin.close()
    return url


async def _drop_database() -> None:
    if database_kind() == "postgresql":
        import asyncpg

        admin = await asyncpg.connect(postgres_url().replace("+asyncpg", ""), timeout=5)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{READS_DATABASE}" WITH (FORCE)')
        finally:
            await admin.close()


async def _year_of_orders(session: AsyncSession, restaurant_id: int, item: MenuItemFixture) -> None:
    """``ORDERS`` closed orders of 2015 with ``LINES_PER_ORDER`` lines each, written by
    two INSERT ... SELECT over a counting CTE (fast on both databases)."""
    numbers = select(literal(1, Integer).label("n")).cte("numbers", recursive=True)
    numbers = numbers.union_all(select(numbers.c.n + 1).where(numbers.c.n < ORDERS))
    at = datetime(2015, 6, 1, 12, tzinfo=UTC)
    orders = Order.__table__
    await session.execute(
        insert(orders).from_select(
            ["restaurant_id", "kind", "status", "opened_at", "closed_at", "business_date"],
            select(
                literal(restaurant_id),
                literal("takeaway"),
                literal("closed"),
                literal(at, UTCDateTime()),
                literal(at, UTCDateTime()),
                literal(date(2015, 6, 1)),
            ).select_from(numbers),
        )
    )
    per_order = select(literal(1, Integer).label("k")).cte("per_order", recursive=True)
    per_order = per_order.union_all(
        select(per_order.c.k + 1).where(per_order.c.k < LINES_PER_ORDER)
    )
    items = OrderItem.__table__
    await session.execute(
        insert(items).from_select(
            [
                "restaurant_id",
                "order_id",
                "menu_item_id",
                "variation_id",
                "name",
                "unit_price",
                "quantity",
                "line_total",
                "status",
                "created_at",
            ],
            select(
                literal(restaurant_id),
                orders.c.id,
                literal(item.id),
                literal(next(iter(item.variations.values()))),
                literal("Margherita"),
                literal(1000),
                literal(1),
                literal(1000),
                literal("served"),
                literal(at, UTCDateTime()),
            )
            .select_from(orders.join(per_order, true()))
            .where(orders.c.restaurant_id == restaurant_id),
        )
    )


@pytest.fixture(scope="module")
async def served(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Served]:
    """Built once for the module; a test that changes the data puts it back."""
    tmp_path = tmp_path_factory.mktemp("reads")
    url = await _database_url(tmp_path)
    try:
        await asyncio.to_thread(upgrade, url)
        settings = Settings(
            data_dir=tmp_path,
            database_url=url,
            database_pool_size=1,
            secret_key="test-secret-key-that-is-long-enough-for-hs256-000000",
        )
        app = create_app(settings)
        runtime: Runtime = app.state.runtime
        try:
            async with unit_of_work(runtime.db, None) as session:
                restaurant = await make_restaurant(session)
                manager = await make_user(
                    session, runtime, restaurant=restaurant, role=Role.manager
                )
                waiter = await make_user(session, runtime, restaurant=restaurant, role=Role.waiter)
                item = await make_menu_item(session, restaurant)
                await _year_of_orders(session, restaurant.id, item)
            transport = ASGITransport(app=app)
            async with AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
                yield Served(
                    runtime=runtime,
                    client=client,
                    base=f"/api/v1/restaurants/{restaurant.id}",
                    headers=manager.headers,
                    waiter=waiter.headers,
                    menu_item_id=item.id,
                )
        finally:
            await runtime.db.dispose()
    finally:
        await _drop_database()


def _forget_access(runtime: Runtime) -> None:
    """Drop the remembered grants: the next access checks query the writer session."""
    runtime.extras.pop("auth.access_cache", None)


async def test_the_server_keeps_answering_while_a_year_report_runs(served: Served) -> None:
    client, base, headers = served.client, served.base, served.headers
    warm = await client.get(f"{base}/reports/products?{YEAR}", headers=headers)
    assert warm.status_code == 200
    assert warm.json()["items"][0]["quantity"] == ORDERS * LINES_PER_ORDER
    # The manager's access check queries the writer session again (the waiter's floor
    # reads do not warm it): that session must not keep the writer during the report.
    _forget_access(served.runtime)

    done = asyncio.Event()
    floor_ms: list[float] = []
    lags_ms: list[float] = []

    async def floor() -> None:
        while not done.is_set():
            began = time.perf_counter()
            response = await client.get(f"{base}/floor", headers=served.waiter)
            assert response.status_code == 200
            floor_ms.append((time.perf_counter() - began) * 1000)

    async def probe() -> None:
        while not done.is_set():
            began = time.perf_counter()
            await asyncio.sleep(0.001)
            lags_ms.append((time.perf_counter() - began) * 1000 - 1)

    async def report() -> tuple[float, Any]:
        await asyncio.sleep(0.02)  # the floor and the probe run first
        began = time.perf_counter()
        try:
            response = await client.get(f"{base}/reports/products?{YEAR}", headers=headers)
        finally:
            done.set()
        return (time.perf_counter() - began) * 1000, response

    (report_ms, response), *_ = await asyncio.gather(report(), floor(), probe())
    assert response.status_code == 200
    assert response.json()["items"][0]["net_sales"] == ORDERS * LINES_PER_ORDER * 1000
    # While the report ran (at least 60 ms), floor reads kept being answered and the
    # event loop kept turning: nothing waited for the report's whole duration.
    assert report_ms >= 60, report_ms
    assert len(floor_ms) >= 3, (report_ms, floor_ms)
    assert max(floor_ms[1:]) < report_ms / 3, (report_ms, floor_ms)
    assert max(lags_ms) < report_ms / 3, (report_ms, max(lags_ms))


async def test_reports_answer_while_the_writer_connection_is_taken(served: Served) -> None:
    client, base, headers = served.client, served.base, served.headers
    assert (await client.get(f"{base}/reports/sales?{YEAR}", headers=headers)).status_code == 200
    # Another request holds the only writer connection, in the middle of a write.
    async with served.runtime.db.engine.connect() as writer:
        await writer.execute(update(Order).values(status="cancelled"))
        sales, products = await asyncio.wait_for(
            asyncio.gather(
                client.get(f"{base}/reports/sales?{YEAR}", headers=headers),
                client.get(f"{base}/reports/products?{YEAR}&limit=1", headers=headers),
            ),
            timeout=20,
        )
        await writer.rollback()
    assert sales.status_code == 200
    # the report saw what is committed, not the write in progress
    assert sales.json()["orders"] == ORDERS
    assert sales.json()["net_sales"] == ORDERS * LINES_PER_ORDER * 1000
    assert products.status_code == 200
    assert products.json()["items"][0]["menu_item_id"] == served.menu_item_id


async def test_lists_over_the_year_answer_while_the_writer_connection_is_taken(
    served: Served,
) -> None:
    client, base, headers = served.client, served.base, served.headers
    history = f"{base}/orders?status=closed&limit=5&offset={ORDERS - 5}"
    assert (await client.get(history, headers=headers)).status_code == 200
    async with served.runtime.db.engine.connect() as writer:
        await writer.execute(update(Order).values(status="cancelled"))
        orders, tickets, checks = await asyncio.wait_for(
            asyncio.gather(
                client.get(history, headers=headers),
                client.get(f"{base}/kitchen/tickets?status=all", headers=headers),
                client.get(f"{base}/checks", headers=headers),
            ),
            timeout=20,
        )
        await writer.rollback()
    assert orders.status_code == 200
    assert orders.json()["total"] == ORDERS  # what is committed
    assert [o["status"] for o in orders.json()["items"]] == ["closed"] * 5
    assert len(orders.json()["items"][0]["items"]) == LINES_PER_ORDER
    assert tickets.status_code == 200
    assert tickets.json()["total"] == 0
    assert checks.status_code == 200
    assert checks.json()["total"] == 0


async def test_a_report_sees_what_was_committed_before_it(served: Served) -> None:
    client, base, headers = served.client, served.base, served.headers
    before = (await client.get(f"{base}/reports/sales?{YEAR}", headers=headers)).json()
    async with unit_of_work(served.runtime.db, None) as session:
        first = await session.scalar(select(func.min(Order.id)))
        await session.execute(update(Order).where(Order.id == first).values(status="cancelled"))
    after = (await client.get(f"{base}/reports/sales?{YEAR}", headers=headers)).json()
    async with unit_of_work(served.runtime.db, None) as session:
        await session.execute(update(Order).where(Order.id == first).values(status="closed"))
    assert before["orders"] == ORDERS
    assert after["orders"] == ORDERS - 1
    assert after["net_sales"] == (ORDERS - 1) * LINES_PER_ORDER * 1000


async def test_a_read_session_cannot_write(served: Served) -> None:
    db = served.runtime.db
    assert db.read_engine is not None
    async with db.read_sessionmaker() as session:
        with pytest.raises(DBAPIError):
            await session.execute(update(Order).values(status="cancelled"))
    async with db.sessionmaker() as session:
        cancelled = await session.scalar(
            select(func.count()).select_from(Order).where(Order.status == "cancelled")
        )
    assert cancelled == 0


async def test_the_writer_session_of_a_read_gives_its_connection_back(served: Served) -> None:
    db = served.runtime.db
    pool: Any = db.engine.pool
    async with db.sessionmaker() as reading:
        assert await reading.scalar(select(func.count()).select_from(Order)) == ORDERS
        assert pool.checkedout() == 1
        assert await release_read_only_writer(reading) is True
        assert pool.checkedout() == 0
    # a session that wrote keeps its transaction (and its write) until its commit
    async with db.sessionmaker() as writing:
        await writing.execute(update(Order).where(Order.id == 1).values(notes="kept"))
        assert await release_read_only_writer(writing) is False
        assert writing.in_transaction()
        assert pool.checkedout() == 1
        await writing.rollback()
    async with db.sessionmaker() as session:
        assert await session.scalar(select(Order.notes).where(Order.id == 1)) == ""


def test_in_memory_sqlite_has_no_reader_engine() -> None:
    from brigade.infra.db import Database

    db = Database("sqlite+aiosqlite://")
    assert db.read_engine is None
    assert db.read_sessionmaker.kw["bind"] is db.engine
