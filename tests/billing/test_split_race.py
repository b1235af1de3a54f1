"""Concurrent payments of the parts of a split check, on a database of their own
(committed data, several writer connections on PostgreSQL, SQLite's one writer): with
different Idempotency-Keys no part is ever overpaid, and the order closes exactly once
when its last two parts are paid at the same moment; a merge racing a payment either
wins whole or is refused.

The set-up is :func:`tests.own_database.served_on_own_database` (database ``<name>_split_race``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from brigade.auth.permissions import Role
from brigade.billing.models import Check, Payment
from brigade.events.models import OutboxEvent
from brigade.events.unit_of_work import unit_of_work
from brigade.restaurants.models import Restaurant
from brigade.runtime import Runtime
from tests.factories import make_menu_item, make_restaurant, make_table
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
    async with served_on_own_database(tmp_path, "split_race", pool_size=CASHIERS + 2) as served:
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


async def _scalar(raced: Raced, statement: Any) -> int:
    async with raced.runtime.db.sessionmaker() as session:
        return int((await session.execute(statement)).scalar_one())


async def _split_order(raced: Raced, parts: int) -> tuple[int, dict[str, Any]]:
    """A dine-in order of a pizza (1000) and a cola (300) at a new table, its check split
    evenly in ``parts``; returns (order id, split answer)."""
    async with unit_of_work(raced.runtime.db, None) as session:
        restaurant = await session.get(Restaurant, raced.rid)
        assert restaurant is not None
        pizza = await make_menu_item(session, restaurant, prices={"S": 1000})
        cola = await make_menu_item(session, restaurant, category="Drinks", prices={"0.33": 300})
        table = await make_table(session, restaurant)
        waiter = (await quick_login(session, raced.runtime, restaurant, Role.waiter)).headers
    client, base = raced.client, raced.base
    order = await client.post(
        f"{base}/orders",
        json={
            "kind": "dine_in",
            "table_id": table,
            "items": [{"menu_item_id": pizza.id}, {"menu_item_id": cola.id}],
        },
        headers=waiter,
    )
    assert order.status_code == 201, order.text
    check = await client.post(f"{base}/orders/{order.json()['id']}/check", headers=waiter)
    assert check.status_code == 201, check.text
    split = await client.post(
        f"{base}/checks/{check.json()['id']}/split",
        json={"by": "even", "parts": parts},
        headers=raced.cashiers[0],
    )
    assert split.status_code == 201, split.text
    return int(order.json()["id"]), split.json()


async def test_concurrent_payments_never_overpay_a_part(raced: Raced) -> None:
    client, base = raced.client, raced.base
    _, split = await _split_order(raced, 2)
    part = split["parts"][0]
    url = f"{base}/checks/{part['id']}/payments"
    answers = await asyncio.gather(
        *(
            client.post(
                url,
                json={"method": "card", "amount": part["total"]},
                headers={**h, "Idempotency-Key": f"pay-{n}"},
            )
            for n, h in enumerate(raced.cashiers)
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * (CASHIERS - 1), [a.text for a in answers]
    paid = await _scalar(
        raced,
        select(func.coalesce(func.sum(Payment.amount), 0)).where(Payment.check_id == part["id"]),
    )
    assert paid == part["total"]


async def test_the_last_two_parts_paid_at_once_close_the_order_once(raced: Raced) -> None:
    client, base = raced.client, raced.base
    order_id, split = await _split_order(raced, 3)
    first, *last = split["parts"]
    paid = await client.post(
        f"{base}/checks/{first['id']}/payments", json={"method": "card"}, headers=raced.cashiers[0]
    )
    assert paid.status_code == 201, paid.text
    answers = await asyncio.gather(
        *(
            client.post(
                f"{base}/checks/{p['id']}/payments",
                json={"method": "card"},
                headers={**raced.cashiers[n + 1], "Idempotency-Key": f"last-{n}"},
            )
            for n, p in enumerate(last)
        )
    )
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    order = await client.get(f"{base}/orders/{order_id}", headers=raced.cashiers[0])
    assert order.json()["status"] == "closed"
    closed = await _scalar(
        raced,
        select(func.count())
        .select_from(OutboxEvent)
        .where(OutboxEvent.restaurant_id == raced.rid, OutboxEvent.type == "order.closed"),
    )
    assert closed == 1


async def test_a_merge_racing_a_payment(raced: Raced) -> None:
    client, base = raced.client, raced.base
    _, split = await _split_order(raced, 2)
    parent, part = split["check"], split["parts"][0]
    pay, merge = await asyncio.gather(
        client.post(
            f"{base}/checks/{part['id']}/payments",
            json={"method": "card"},
            headers=raced.cashiers[0],
        ),
        client.post(f"{base}/checks/{parent['id']}/merge", headers=raced.cashiers[1]),
    )
    # One of them wins whole: the payment (the merge is refused) or the merge (the
    # part is gone).
    assert sorted([pay.status_code, merge.status_code]) in ([200, 404], [201, 409]), (
        pay.text,
        merge.text,
    )
    parts = await _scalar(
        raced, select(func.count()).select_from(Check).where(Check.parent_id == parent["id"])
    )
    assert parts == (2 if pay.status_code == 201 else 0)
