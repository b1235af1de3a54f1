"""Billing through HTTP: checks (tax inclusive and exclusive) and payments."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.billing.models import Payment
from brigade.orders.models import Order
from brigade.runtime import Runtime
from brigade.tables.models import DiningTable
from tests.factories import make_menu_item
from tests.orders.support import (
    World,
    count,
    event_types,
    last_seq,
    make_world,
    open_order,
    problem_type,
    snapshot,
)


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    return await make_world(session, runtime, tax_rate_bp=1000, tax_inclusive=False)


def loaded_pizza(world: World, quantity: int = 1) -> dict[str, Any]:
    """Pizza L with cheese and olives: 1725 per unit."""
    return {
        "menu_item_id": world.pizza.id,
        "variation_id": world.pizza.variations["L"],
        "modifier_ids": [world.extras["cheese"], world.extras["olives"]],
        "quantity": quantity,
    }


async def check_for(client: AsyncClient, world: World, order_id: int) -> dict[str, Any]:
    response = await client.post(
        world.url(f"/orders/{order_id}/check"), headers=world.cashier.headers
    )
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


async def pay(
    client: AsyncClient, world: World, check_id: int, body: dict[str, Any], **headers: str
) -> Any:
    return await client.post(
        world.url(f"/checks/{check_id}/payments"),
        json=body,
        headers={**world.cashier.headers, **headers},
    )


class TestOpenCheck:
    async def test_unauthenticated_other_restaurant_and_role(
        self, client: AsyncClient, world: World
    ) -> None:
        order = await open_order(client, world, items=[loaded_pizza(world)])
        url = world.url(f"/orders/{order['id']}/check")
        assert (await client.post(url)).status_code == 401
        assert (await client.post(url, headers=world.stranger.headers)).status_code == 404
        denied = await client.post(url, headers=world.kitchen.headers)  # no billing:request
        assert denied.status_code == 403
        assert problem_type(denied) == "permission-denied"
        assert (await client.get(url, headers=world.kitchen.headers)).status_code == 403

    async def test_waiter_requests_the_check_but_cannot_take_payment(
        self, client: AsyncClient, world: World
    ) -> None:
        order = await open_order(client, world, items=[loaded_pizza(world)])
        requested = await client.post(
            world.url(f"/orders/{order['id']}/check"), headers=world.waiter.headers
        )
        assert requested.status_code == 201, requested.text
        check = requested.json()
        paid = await client.post(
            world.url(f"/checks/{check['id']}/payments"),
            json={"method": "cash", "tendered": check["total"]},
            headers=world.waiter.headers,
        )
        assert paid.status_code == 403
        assert problem_type(paid) == "permission-denied"
        still = await client.get(world.url(f"/checks/{check['id']}"), headers=world.waiter.headers)
        assert still.json()["paid_total"] == 0

    async def test_exclusive_tax_rounds_half_up(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(
            client, world, items=[loaded_pizza(world), {"menu_item_id": world.cola.id}]
        )
        before = await last_seq(session, world.rid)
        response = await client.post(
            world.url(f"/orders/{order['id']}/check"), headers=world.cashier.headers
        )
        assert response.status_code == 201, response.text
        check = response.json()
        # 1725 + 300 = 2025; 10 % = 202.5 -> 203
        assert check["subtotal"] == 2025
        assert check["tax_total"] == 203
        assert check["total"] == 2228
        assert check["balance"] == 2228
        assert check["paid_total"] == 0
        assert check["tax_rate_bp"] == 1000
        assert check["tax_inclusive"] is False
        assert check["status"] == "open"
        assert check["currency"] == "EUR"
        assert [(li["name"], li["line_total"]) for li in check["lines"]] == [
            ("Margherita", 1725),
            ("Cola", 300),
        ]
        assert await event_types(session, world.rid, before) == ["check.created"]
        again = await client.post(
            world.url(f"/orders/{order['id']}/check"), headers=world.cashier.headers
        )
        assert again.status_code == 200
        assert again.json()["id"] == check["id"]
        got = await client.get(
            world.url(f"/orders/{order['id']}/check"), headers=world.waiter.headers
        )
        assert got.status_code == 200
        assert got.json() == check

    async def test_check_follows_lines_while_open(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(
            client, world, items=[loaded_pizza(world), {"menu_item_id": world.cola.id}]
        )
        check = await check_for(client, world, order["id"])
        await client.post(
            world.orders_url + f"/{order['id']}/items/{order['items'][1]['id']}/void",
            json={"reason": "spilt"},
            headers=world.waiter.headers,
        )
        got = (
            await client.get(
                world.url(f"/orders/{order['id']}/check"), headers=world.cashier.headers
            )
        ).json()
        # 1725 * 10 % = 172.5 -> 173
        assert (got["subtotal"], got["tax_total"], got["total"]) == (1725, 173, 1898)
        assert [li["name"] for li in got["lines"]] == ["Margherita"]
        assert got["version"] == check["version"] + 1

    async def test_nothing_to_bill_and_unknown_order(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world)
        before = await snapshot(session, world.rid)
        empty = await client.post(
            world.url(f"/orders/{order['id']}/check"), headers=world.cashier.headers
        )
        assert empty.status_code == 409
        assert problem_type(empty) == "nothing-to-bill"
        unknown = await client.post(
            world.url("/orders/999999/check"), headers=world.cashier.headers
        )
        assert unknown.status_code == 404
        none_yet = await client.get(
            world.url(f"/orders/{order['id']}/check"), headers=world.cashier.headers
        )
        assert none_yet.status_code == 404
        assert await snapshot(session, world.rid) == before


class TestInclusiveTax:
    @pytest.fixture
    async def world(self, session: AsyncSession, runtime: Runtime) -> World:
        return await make_world(session, runtime, tax_rate_bp=2000, tax_inclusive=True)

    @pytest.mark.parametrize(
        ("price", "tax"),
        [
            (21, 3),  # net 21 / 1.2 = 17.5 -> 18 (half-up), tax 3
            (1200, 200),
            (1000, 167),  # 833.33 -> 833, tax 167
            (1497, 249),  # 1247.5 -> 1248, tax 249
        ],
    )
    async def test_inclusive_tax_is_contained_in_the_total(
        self, client: AsyncClient, session: AsyncSession, world: World, price: int, tax: int
    ) -> None:
        item = await make_menu_item(session, world.restaurant, prices={"One": price})
        await session.commit()
        order = await open_order(client, world, items=[{"menu_item_id": item.id}])
        check = await check_for(client, world, order["id"])
        assert check["tax_inclusive"] is True
        assert check["subtotal"] == price
        assert check["total"] == price
        assert check["tax_total"] == tax


class TestPayments:
    async def test_unauthenticated_other_restaurant_and_role(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[loaded_pizza(world)])
        check = await check_for(client, world, order["id"])
        url = world.url(f"/checks/{check['id']}/payments")
        body = {"method": "card", "amount": 100}
        before = await snapshot(session, world.rid)
        assert (await client.post(url, json=body)).status_code == 401
        assert (
            await client.post(url, json=body, headers=world.stranger.headers)
        ).status_code == 404
        assert (await client.post(url, json=body, headers=world.waiter.headers)).status_code == 403
        assert await snapshot(session, world.rid) == before

    async def test_partial_then_cash_with_change_settles_and_frees_the_table(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[loaded_pizza(world, 2)])
        check = await check_for(client, world, order["id"])
        assert check["total"] == 3450 + 345
        first = await pay(
            client, world, check["id"], {"method": "card", "amount": 1000, "reference": "visa"}
        )
        assert first.status_code == 201, first.text
        body = first.json()
        assert body["method"] == "card"
        assert body["amount"] == 1000
        assert body["change"] == 0
        assert body["check"]["status"] == "open"
        assert body["check"]["paid_total"] == 1000
        assert body["check"]["balance"] == 2795
        assert (await session.scalar(select(Order.status).where(Order.id == order["id"]))) == "open"

        before = await last_seq(session, world.rid)
        second = await pay(client, world, check["id"], {"method": "cash", "tendered": 5000})
        assert second.status_code == 201, second.text
        cash = second.json()
        assert cash["amount"] == 2795
        assert cash["tendered"] == 5000
        assert cash["change"] == 2205
        settled = cash["check"]
        assert settled["status"] == "paid"
        assert settled["paid_at"] is not None
        assert settled["balance"] == 0
        assert [p["amount"] for p in settled["payments"]] == [1000, 2795]
        closed = (
            await session.execute(
                select(Order.status, Order.closed_at).where(Order.id == order["id"])
            )
        ).one()
        assert closed.status == "closed"
        assert closed.closed_at is not None
        table = (
            await session.execute(
                select(DiningTable.status, DiningTable.current_order_id).where(
                    DiningTable.id == world.table
                )
            )
        ).one()
        assert (table.status, table.current_order_id) == ("free", None)
        assert await event_types(session, world.rid, before) == [
            "payment.created",
            "check.paid",
            "table.updated",
            "order.closed",
        ]

        # the table takes a new order; the paid check takes no more payments
        assert (
            await client.post(
                world.orders_url,
                json={"kind": "dine_in", "table_id": world.table},
                headers=world.waiter.headers,
            )
        ).status_code == 201
        snap = await snapshot(session, world.rid)
        again = await pay(client, world, check["id"], {"method": "card", "amount": 1})
        assert again.status_code == 409
        assert problem_type(again) == "check-paid"
        assert await snapshot(session, world.rid) == snap
        # and the closed order takes no more lines
        more = await client.post(
            world.orders_url + f"/{order['id']}/items",
            json={"items": [loaded_pizza(world)]},
            headers=world.waiter.headers,
        )
        assert more.status_code == 409
        assert problem_type(more) == "order-closed"

    async def test_exact_cash_and_card_for_the_balance(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[{"menu_item_id": world.cola.id}])
        check = await check_for(client, world, order["id"])  # 300 + 30
        cash = await pay(client, world, check["id"], {"method": "cash", "amount": 130})
        assert cash.status_code == 201
        assert (cash.json()["tendered"], cash.json()["change"]) == (130, 0)
        card = await pay(client, world, check["id"], {"method": "card"})
        assert card.status_code == 201
        assert card.json()["amount"] == 200
        assert card.json()["check"]["status"] == "paid"

    @pytest.mark.parametrize(
        ("body", "slug"),
        [
            ({"method": "card", "amount": 1899}, "payment-exceeds-balance"),
            ({"method": "cash", "amount": 1899, "tendered": 5000}, "payment-exceeds-balance"),
            ({"method": "cash", "amount": 500, "tendered": 400}, "invalid-payment"),
            ({"method": "card", "amount": 500, "tendered": 500}, "invalid-payment"),
            ({"method": "cash"}, "invalid-payment"),
            ({"method": "card", "amount": 0}, "validation-error"),
            ({"method": "cheque", "amount": 10}, "validation-error"),
        ],
    )
    async def test_invalid_payments_write_nothing(
        self,
        client: AsyncClient,
        session: AsyncSession,
        world: World,
        body: dict[str, Any],
        slug: str,
    ) -> None:
        order = await open_order(client, world, items=[loaded_pizza(world)])
        check = await check_for(client, world, order["id"])
        assert check["total"] == 1898  # 1725 + 172.5 -> 173
        before = await snapshot(session, world.rid)
        response = await pay(client, world, check["id"], body)
        assert response.status_code == 422, response.text
        assert problem_type(response) == slug
        assert await snapshot(session, world.rid) == before

    async def test_over_balance(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[loaded_pizza(world)])
        check = await check_for(client, world, order["id"])
        before = await snapshot(session, world.rid)
        response = await pay(client, world, check["id"], {"method": "card", "amount": 1899})
        assert response.status_code == 422
        assert problem_type(response) == "payment-exceeds-balance"
        assert response.json()["balance"] == 1898
        assert await snapshot(session, world.rid) == before

    async def test_stale_version_and_unknown_check(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[loaded_pizza(world)])
        check = await check_for(client, world, order["id"])
        before = await snapshot(session, world.rid)
        stale = await pay(
            client, world, check["id"], {"method": "card", "amount": 10, "version": 9}
        )
        assert stale.status_code == 409
        assert problem_type(stale) == "stale-version"
        unknown = await pay(client, world, 999_999, {"method": "card", "amount": 10})
        assert unknown.status_code == 404
        assert await snapshot(session, world.rid) == before

    async def test_idempotent_payment(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await open_order(client, world, items=[loaded_pizza(world)])
        check = await check_for(client, world, order["id"])
        body = {"method": "card", "amount": 500}
        first = await pay(client, world, check["id"], body, **{"Idempotency-Key": "pay-1"})
        assert first.status_code == 201
        before = await snapshot(session, world.rid)
        again = await pay(client, world, check["id"], body, **{"Idempotency-Key": "pay-1"})
        assert again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
        assert await snapshot(session, world.rid) == before
        assert await count(session, Payment, check_id=check["id"]) == 1
        other = await pay(
            client,
            world,
            check["id"],
            {"method": "card", "amount": 600},
            **{"Idempotency-Key": "pay-1"},
        )
        assert other.status_code == 422
        assert problem_type(other) == "idempotency-key-reused"
        assert await snapshot(session, world.rid) == before


class TestListChecks:
    async def test_unauthenticated_and_other_restaurant(
        self, client: AsyncClient, world: World
    ) -> None:
        assert (await client.get(world.url("/checks"))).status_code == 401
        assert (
            await client.get(world.url("/checks"), headers=world.stranger.headers)
        ).status_code == 404
        assert (
            await client.get(world.url("/checks"), headers=world.kitchen.headers)
        ).status_code == 403

    async def test_filter_by_status(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        a = await open_order(client, world, items=[loaded_pizza(world)])
        b = await open_order(
            client, world, table=world.table2, items=[{"menu_item_id": world.cola.id}]
        )
        check_a = await check_for(client, world, a["id"])
        check_b = await check_for(client, world, b["id"])
        await pay(client, world, check_b["id"], {"method": "card"})
        everything = (await client.get(world.url("/checks"), headers=world.waiter.headers)).json()
        assert everything["total"] == 2
        # newest first, each with its own order's lines and payments
        assert [
            (c["id"], [line["name"] for line in c["lines"]], len(c["payments"]))
            for c in everything["items"]
        ] == [(check_b["id"], ["Cola"], 1), (check_a["id"], ["Margherita"], 0)]
        second = (
            await client.get(
                world.url("/checks"), params={"limit": 1, "offset": 1}, headers=world.waiter.headers
            )
        ).json()
        assert (second["total"], [c["id"] for c in second["items"]]) == (2, [check_a["id"]])
        open_only = (
            await client.get(
                world.url("/checks"), params={"status": "open"}, headers=world.waiter.headers
            )
        ).json()
        assert [c["id"] for c in open_only["items"]] == [check_a["id"]]
        one = await client.get(world.url(f"/checks/{check_b['id']}"), headers=world.waiter.headers)
        assert one.json()["status"] == "paid"
        assert (
            await client.get(world.url("/checks/999999"), headers=world.waiter.headers)
        ).status_code == 404
