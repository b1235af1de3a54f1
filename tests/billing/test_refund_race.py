"""Concurrent refunds on a database of their own (committed data; several writer
connections on PostgreSQL, SQLite's one writer): refunds of one payment sent at the
same moment with different Idempotency-Keys never give back more than it settled.

The database is a SQLite file, or a fresh PostgreSQL database named after the test
database (``<name>_refunds_race``), dropped afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from brigade.auth.permissions import Role
from brigade.billing.models import Payment, PaymentReversal
from brigade.events.unit_of_work import unit_of_work
from brigade.runtime import Runtime
from tests.factories import make_menu_item, make_restaurant
from tests.orders.support import quick_login
from tests.own_database import served_on_own_database

MANAGERS = 6


@dataclass
class Raced:
    runtime: Runtime
    client: AsyncClient
    base: str
    managers: list[dict[str, str]]
    item_id: int
    variation_id: int


@pytest.fixture
async def raced(tmp_path: Path) -> AsyncIterator[Raced]:
    async with served_on_own_database(tmp_path, "refunds_race", pool_size=MANAGERS + 2) as served:
        runtime = served.runtime
        async with unit_of_work(runtime.db, None) as session:
            restaurant = await make_restaurant(session)
            item = await make_menu_item(session, restaurant, prices={"M": 1000})
            managers = [
                (await quick_login(session, runtime, restaurant, Role.manager)).headers
                for _ in range(MANAGERS)
            ]
            rid = restaurant.id
        yield Raced(
            runtime,
            served.client,
            f"/api/v1/restaurants/{rid}",
            managers,
            item.id,
            item.variations["M"],
        )


async def test_concurrent_refunds_never_refund_more_than_was_paid(raced: Raced) -> None:
    client, base, boss = raced.client, raced.base, raced.managers[0]
    order = await client.post(
        f"{base}/orders",
        json={
            "kind": "takeaway",
            "items": [{"menu_item_id": raced.item_id, "variation_id": raced.variation_id}],
        },
        headers=boss,
    )
    assert order.status_code == 201, order.text
    check = await client.post(f"{base}/orders/{order.json()['id']}/check", headers=boss)
    assert check.status_code == 201, check.text
    paid = await client.post(
        f"{base}/checks/{check.json()['id']}/payments", json={"method": "card"}, headers=boss
    )
    assert paid.status_code == 201, paid.text
    payment_id = paid.json()["id"]
    assert paid.json()["amount"] == 1000

    answers = await asyncio.gather(
        *(
            client.post(
                f"{base}/payments/{payment_id}/refund",
                json={"amount": 400, "reason": "race"},
                headers={**h, "Idempotency-Key": f"race-{i}"},
            )
            for i, h in enumerate(raced.managers)
        )
    )

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201, 201] + [422] * (MANAGERS - 2), [a.text for a in answers]
    assert {a.json()["type"].rsplit("/", 1)[1] for a in answers if a.status_code == 422} == {
        "refund-exceeds-payment"
    }
    async with raced.runtime.db.sessionmaker() as session:
        refunded = await session.scalar(
            select(Payment.refunded_total).where(Payment.id == payment_id)
        )
        reversals = await session.scalar(
            select(func.coalesce(func.sum(PaymentReversal.amount), 0)).where(
                PaymentReversal.payment_id == payment_id
            )
        )
    assert refunded == reversals == 800
