"""Tax rates, taxes per rate on a check, the service charge, cash rounding and discounts,
through HTTP (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.permissions import Role
from brigade.billing.models import CheckDiscount, CheckTax
from brigade.runtime import Runtime
from tests.factories import PASSWORD, Login, make_user
from tests.orders.support import World, count, make_world, problem_type


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    # Default rate: 10 % added on top.
    return await make_world(session, runtime, tax_rate_bp=1000, tax_inclusive=False)


@pytest.fixture
async def manager(session: AsyncSession, runtime: Runtime, world: World) -> Login:
    login = await make_user(session, runtime, restaurant=world.restaurant, role=Role.manager)
    await session.commit()
    return login


def line(item: Any, size: str | None = None, quantity: int = 1) -> dict[str, Any]:
    variation = item.variations[size] if size else next(iter(item.variations.values()))
    return {"menu_item_id": item.id, "variation_id": variation, "quantity": quantity}


async def order_with(
    client: AsyncClient,
    world: World,
    items: list[dict[str, Any]],
    covers: int = 2,
    table: int | None = None,
) -> dict[str, Any]:
    response = await client.post(
        world.orders_url,
        json={
            "kind": "dine_in",
            "table_id": table or world.table,
            "covers": covers,
            "items": items,
        },
        headers=world.waiter.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def check_of(client: AsyncClient, world: World, order: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(
        world.url(f"/orders/{order['id']}/check"), headers=world.cashier.headers
    )
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


async def get_check(client: AsyncClient, world: World, check_id: int) -> dict[str, Any]:
    response = await client.get(world.url(f"/checks/{check_id}"), headers=world.cashier.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def settings(client: AsyncClient, world: World, **changes: Any) -> None:
    response = await client.patch(world.url(""), json=changes, headers=world.owner.headers)
    assert response.status_code == 200, response.text


async def tax_rate(
    client: AsyncClient, world: World, name: str, rate_bp: int, inclusive: bool
) -> int:
    response = await client.post(
        world.url("/tax-rates"),
        json={"name": name, "rate_bp": rate_bp, "inclusive": inclusive},
        headers=world.owner.headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def adds_up(check: dict[str, Any]) -> None:
    """The check's parts add up to its total, to the cent."""
    added = sum(t["tax"] for t in check["taxes"] if not t["inclusive"])
    assert check["total"] == (
        check["subtotal"] - check["discount_total"] + check["service_charge"] + added
    )
    assert check["tax_total"] == sum(t["tax"] for t in check["taxes"])
    assert check["balance"] == max(check["total"] - check["paid_total"], 0)


class TestTaxRates:
    async def test_access(self, client: AsyncClient, world: World) -> None:
        url = world.url("/tax-rates")
        assert (await client.get(url)).status_code == 401
        assert (await client.get(url, headers=world.stranger.headers)).status_code == 404
        denied = await client.post(
            url, json={"name": "VAT", "rate_bp": 700}, headers=world.cashier.headers
        )
        assert denied.status_code == 403
        assert problem_type(denied) == "permission-denied"
        assert (await client.get(url, headers=world.waiter.headers)).status_code == 200

    async def test_crud(self, client: AsyncClient, world: World) -> None:
        rid = await tax_rate(client, world, "VAT 7 %", 700, True)
        url = world.url(f"/tax-rates/{rid}")
        read = (await client.get(url, headers=world.cashier.headers)).json()
        assert {k: read[k] for k in ("name", "rate_bp", "inclusive")} == {
            "name": "VAT 7 %",
            "rate_bp": 700,
            "inclusive": True,
        }
        changed = await client.patch(url, json={"rate_bp": 750}, headers=world.owner.headers)
        assert changed.status_code == 200
        assert changed.json()["rate_bp"] == 750
        listed = (await client.get(world.url("/tax-rates"), headers=world.owner.headers)).json()
        assert [r["id"] for r in listed["items"]] == [rid]
        other = await client.get(
            f"/api/v1/restaurants/{world.rid}/tax-rates/{rid}", headers=world.stranger.headers
        )
        assert other.status_code == 404
        assert (await client.delete(url, headers=world.owner.headers)).status_code == 204
        assert (await client.get(url, headers=world.owner.headers)).status_code == 404

    async def test_bad_rate_is_422(self, client: AsyncClient, world: World) -> None:
        response = await client.post(
            world.url("/tax-rates"),
            json={"name": "Too much", "rate_bp": 10_001},
            headers=world.owner.headers,
        )
        assert response.status_code == 422

    async def test_a_rate_in_use_is_not_deleted(self, client: AsyncClient, world: World) -> None:
        rid = await tax_rate(client, world, "Liquor", 2000, False)
        category = world.url(f"/menu/categories/{world.cola.category_id}")
        linked = await client.patch(
            category, json={"tax_rate_id": rid}, headers=world.owner.headers
        )
        assert linked.status_code == 200, linked.text
        assert linked.json()["tax_rate_id"] == rid
        refused = await client.delete(world.url(f"/tax-rates/{rid}"), headers=world.owner.headers)
        assert refused.status_code == 409
        assert problem_type(refused) == "tax-rate-in-use"
        cleared = await client.patch(
            category, json={"tax_rate_id": None}, headers=world.owner.headers
        )
        assert cleared.json()["tax_rate_id"] is None
        deleted = await client.delete(world.url(f"/tax-rates/{rid}"), headers=world.owner.headers)
        assert deleted.status_code == 204

    async def test_menu_names_only_its_own_rates(self, client: AsyncClient, world: World) -> None:
        (other,) = (await client.get("/api/v1/restaurants", headers=world.stranger.headers)).json()[
            "items"
        ]
        theirs = await client.post(
            f"/api/v1/restaurants/{other['id']}/tax-rates",
            json={"name": "Theirs", "rate_bp": 500},
            headers=world.stranger.headers,
        )
        assert theirs.status_code == 201, theirs.text
        mine = await tax_rate(client, world, "Mine", 500, False)
        unknown = await client.patch(
            world.url(f"/menu/items/{world.soup.id}"),
            json={"tax_rate_id": theirs.json()["id"]},
            headers=world.owner.headers,
        )
        assert unknown.status_code == 422
        assert problem_type(unknown) == "unknown-tax-rate"
        bad_category = await client.post(
            world.url("/menu/categories"),
            json={"name": "Wine", "tax_rate_id": mine + 1000},
            headers=world.owner.headers,
        )
        assert problem_type(bad_category) == "unknown-tax-rate"
        item = await client.patch(
            world.url(f"/menu/items/{world.soup.id}"),
            json={"tax_rate_id": mine},
            headers=world.owner.headers,
        )
        assert item.json()["tax_rate_id"] == mine


class TestTaxesOnTheCheck:
    async def test_several_rates_shown_per_rate_and_stored(
        self, client: AsyncClient, world: World, session: AsyncSession
    ) -> None:
        liquor = await tax_rate(client, world, "Drinks 20 %", 2000, False)
        reduced = await tax_rate(client, world, "Reduced 5 % incl.", 500, True)
        await client.patch(
            world.url(f"/menu/categories/{world.cola.category_id}"),
            json={"tax_rate_id": liquor},
            headers=world.owner.headers,
        )
        await client.patch(
            world.url(f"/menu/items/{world.soup.id}"),
            json={"tax_rate_id": reduced},
            headers=world.owner.headers,
        )
        order = await order_with(
            client, world, [line(world.pizza, "L"), line(world.cola), line(world.soup)]
        )
        check = await check_of(client, world, order)
        assert [
            (t["name"], t["rate_bp"], t["inclusive"], t["base"], t["tax"]) for t in check["taxes"]
        ] == [
            ("Reduced 5 % incl.", 500, True, 650, 31),
            ("Tax", 1000, False, 1500, 150),
            ("Drinks 20 %", 2000, False, 300, 60),
        ]
        assert check["subtotal"] == 2450
        assert check["tax_total"] == 241
        assert check["total"] == 2450 + 150 + 60
        adds_up(check)
        rows = (
            await session.execute(
                select(CheckTax.name, CheckTax.base, CheckTax.tax).where(
                    CheckTax.check_id == check["id"]
                )
            )
        ).all()
        assert sorted(rows) == sorted(
            [("Reduced 5 % incl.", 650, 31), ("Tax", 1500, 150), ("Drinks 20 %", 300, 60)]
        )

    async def test_open_check_follows_a_rate_paid_check_keeps_it(
        self, client: AsyncClient, world: World
    ) -> None:
        liquor = await tax_rate(client, world, "Drinks", 2000, False)
        await client.patch(
            world.url(f"/menu/items/{world.cola.id}"),
            json={"tax_rate_id": liquor},
            headers=world.owner.headers,
        )
        order = await order_with(client, world, [line(world.cola)])
        check = await check_of(client, world, order)
        assert check["total"] == 360
        await client.patch(
            world.url(f"/tax-rates/{liquor}"), json={"rate_bp": 1500}, headers=world.owner.headers
        )
        check = await get_check(client, world, check["id"])
        assert (check["total"], check["taxes"][0]["rate_bp"]) == (345, 1500)
        paid = await client.post(
            world.url(f"/checks/{check['id']}/payments"),
            json={"method": "card"},
            headers=world.cashier.headers,
        )
        assert paid.status_code == 201, paid.text
        await client.patch(
            world.url(f"/tax-rates/{liquor}"), json={"rate_bp": 2500}, headers=world.owner.headers
        )
        after = await get_check(client, world, check["id"])
        assert (after["status"], after["total"], after["taxes"][0]["tax"]) == ("paid", 345, 45)


class TestServiceCharge:
    async def test_automatic_from_n_covers(self, client: AsyncClient, world: World) -> None:
        await settings(client, world, service_charge_bp=1000, service_charge_min_covers=6)
        small = await check_of(
            client, world, await order_with(client, world, [line(world.pizza, "L")], covers=4)
        )
        assert (small["service_charge"], small["total"]) == (0, 1650)
        big = await check_of(
            client,
            world,
            await order_with(client, world, [line(world.pizza, "L")], covers=6, table=world.table2),
        )
        assert (big["service_charge"], big["service_charge_bp"]) == (150, 1000)
        assert big["total"] == 1500 + 150 + 150  # untaxed: the 10 % tax is on the lines
        adds_up(big)

    async def test_taxable_joins_the_default_rate(self, client: AsyncClient, world: World) -> None:
        await settings(client, world, service_charge_bp=1250, service_charge_taxable=True)
        check = await check_of(
            client, world, await order_with(client, world, [line(world.pizza, "L")])
        )
        assert check["service_charge"] == 188  # 12.5 % of 1500 = 187.5, half-up
        assert [(t["base"], t["tax"]) for t in check["taxes"]] == [(1688, 169)]
        assert check["total"] == 1500 + 188 + 169
        adds_up(check)


class TestCashRounding:
    async def test_cash_due_is_rounded_and_the_difference_recorded(
        self, client: AsyncClient, world: World
    ) -> None:
        await settings(client, world, cash_rounding_unit=5)
        # Pizza S 1000 + cola 300 + soup 650 = 1950, + 10 % = 2145.
        order = await order_with(
            client, world, [line(world.pizza, "S"), line(world.cola), line(world.soup)]
        )
        check = await check_of(client, world, order)
        assert (check["total"], check["cash_due"]) == (2145, 2145)
        # A card payment of 3 leaves 2142, due in cash as 2140.
        part = await client.post(
            world.url(f"/checks/{check['id']}/payments"),
            json={"method": "card", "amount": 3},
            headers=world.cashier.headers,
        )
        assert part.json()["check"]["cash_due"] == 2140
        cash = await client.post(
            world.url(f"/checks/{check['id']}/payments"),
            json={"method": "cash", "tendered": 2200},
            headers=world.cashier.headers,
        )
        assert cash.status_code == 201, cash.text
        body = cash.json()
        assert (body["amount"], body["rounding"], body["change"]) == (2142, -2, 60)
        assert body["check"]["status"] == "paid"
        assert body["check"]["total"] == 2145  # the total never changes
        assert body["check"]["rounding_total"] == -2

    async def test_amount_at_the_cash_due_settles_a_partial_cash_does_not_round(
        self, client: AsyncClient, world: World
    ) -> None:
        await settings(client, world, cash_rounding_unit=5)
        order = await order_with(client, world, [line(world.pizza, "S"), line(world.cola)])
        check = await check_of(client, world, order)  # 1430
        part = await client.post(
            world.url(f"/checks/{check['id']}/payments"),
            json={"method": "cash", "amount": 1001},
            headers=world.cashier.headers,
        )
        assert (part.json()["amount"], part.json()["rounding"]) == (1001, 0)
        assert part.json()["check"]["cash_due"] == 430  # 429 -> 430
        rest = await client.post(
            world.url(f"/checks/{check['id']}/payments"),
            json={"method": "cash", "amount": 430},
            headers=world.cashier.headers,
        )
        assert (rest.json()["amount"], rest.json()["rounding"]) == (429, 1)
        assert rest.json()["check"]["status"] == "paid"
        assert rest.json()["check"]["paid_total"] == 1430


class TestDiscounts:
    def url(self, world: World, check: dict[str, Any], *rest: str) -> str:
        return world.url("/".join([f"/checks/{check['id']}/discounts", *rest]))

    async def test_access(self, client: AsyncClient, world: World) -> None:
        check = await check_of(client, world, await order_with(client, world, [line(world.cola)]))
        body = {"kind": "percent", "value": 1000, "reason": "regular"}
        url = self.url(world, check)
        assert (await client.post(url, json=body)).status_code == 401
        assert (
            await client.post(url, json=body, headers=world.stranger.headers)
        ).status_code == 404
        denied = await client.post(url, json=body, headers=world.waiter.headers)
        assert denied.status_code == 403
        assert problem_type(denied) == "permission-denied"

    async def test_line_discount_under_the_threshold(
        self, client: AsyncClient, world: World
    ) -> None:
        order = await order_with(client, world, [line(world.pizza, "L"), line(world.cola)])
        check = await check_of(client, world, order)
        pizza = check["lines"][0]["order_item_id"]
        response = await client.post(
            self.url(world, check),
            json={"order_item_id": pizza, "kind": "percent", "value": 1000, "reason": "cold"},
            headers=world.cashier.headers,
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["discount_total"] == 150
        assert body["total"] == (1800 - 150) + 165
        assert body["lines"][0]["discount"] == 150
        (discount,) = body["discounts"]
        assert (discount["kind"], discount["amount"], discount["reason"]) == (
            "percent",
            150,
            "cold",
        )
        assert discount["approved_by"] is None
        adds_up(body)

    async def test_reason_is_required(self, client: AsyncClient, world: World) -> None:
        check = await check_of(client, world, await order_with(client, world, [line(world.cola)]))
        response = await client.post(
            self.url(world, check),
            json={"kind": "fixed", "value": 10},
            headers=world.cashier.headers,
        )
        assert response.status_code == 422

    async def test_over_the_threshold_needs_a_manager(
        self,
        client: AsyncClient,
        world: World,
        manager: Login,
        session: AsyncSession,
        runtime: Runtime,
    ) -> None:
        check = await check_of(
            client, world, await order_with(client, world, [line(world.pizza, "L")])
        )
        body: dict[str, Any] = {"kind": "percent", "value": 2500, "reason": "birthday"}
        url = self.url(world, check)
        refused = await client.post(url, json=body, headers=world.cashier.headers)
        assert refused.status_code == 403
        assert problem_type(refused) == "discount-approval-required"
        assert refused.json()["threshold_bp"] == 2000

        cashier = await make_user(session, runtime, restaurant=world.restaurant, role=Role.cashier)
        await session.commit()
        for approval in (
            {"username": manager.user.username, "password": "wrong password!"},
            {"username": "nobody-at-all", "password": PASSWORD},
            {"username": cashier.user.username, "password": PASSWORD},
        ):
            bad = await client.post(
                url, json={**body, "approval": approval}, headers=world.cashier.headers
            )
            assert bad.status_code == 403, bad.text
            assert problem_type(bad) == "approval-invalid"
        assert await count(session, CheckDiscount, check_id=check["id"]) == 0

        approved = await client.post(
            url,
            json={**body, "approval": {"username": manager.user.username, "password": PASSWORD}},
            headers=world.cashier.headers,
        )
        assert approved.status_code == 201, approved.text
        (discount,) = approved.json()["discounts"]
        assert discount["approved_by"] == manager.user.id
        assert discount["approval_method"] == "password"
        assert discount["approved_at"] is not None
        assert approved.json()["discount_total"] == 375

    async def test_exceeding_unknown_line_and_comp_errors(
        self, client: AsyncClient, world: World
    ) -> None:
        await settings(client, world, discount_approval_bp=10_000)
        order = await order_with(client, world, [line(world.pizza, "L"), line(world.cola)])
        check = await check_of(client, world, order)
        cola = check["lines"][1]["order_item_id"]
        url = self.url(world, check)
        cases = [
            (
                {"order_item_id": cola, "kind": "fixed", "value": 301, "reason": "x"},
                "discount-exceeds-amount",
            ),
            ({"kind": "fixed", "value": 1801, "reason": "x"}, "discount-exceeds-amount"),
            (
                {"order_item_id": cola + 999, "kind": "fixed", "value": 1, "reason": "x"},
                "invalid-discount",
            ),
            ({"kind": "comp", "reason": "x"}, "invalid-discount"),
            (
                {"order_item_id": cola, "kind": "comp", "value": 5, "reason": "x"},
                "invalid-discount",
            ),
            ({"kind": "percent", "value": 10_001, "reason": "x"}, "invalid-discount"),
            ({"kind": "fixed", "reason": "x"}, "invalid-discount"),
        ]
        for body, kind in cases:
            response = await client.post(url, json=body, headers=world.cashier.headers)
            assert response.status_code == 422, (body, response.text)
            assert problem_type(response) == kind, body
        comp = await client.post(
            url,
            json={"order_item_id": cola, "kind": "comp", "reason": "spilled"},
            headers=world.cashier.headers,
        )
        assert comp.status_code == 201, comp.text
        body = comp.json()
        assert body["comp_total"] == 300
        assert body["lines"][1]["comped"] is True
        assert body["total"] == 1650
        again = await client.post(
            url,
            json={"order_item_id": cola, "kind": "fixed", "value": 1, "reason": "x"},
            headers=world.cashier.headers,
        )
        assert problem_type(again) == "discount-exceeds-amount"

    async def test_remove_then_paid_check_refuses(
        self, client: AsyncClient, world: World, session: AsyncSession
    ) -> None:
        check = await check_of(
            client, world, await order_with(client, world, [line(world.pizza, "L")])
        )
        added = await client.post(
            self.url(world, check),
            json={"kind": "fixed", "value": 100, "reason": "late"},
            headers=world.cashier.headers,
        )
        discount_id = added.json()["discounts"][0]["id"]
        assert added.json()["total"] == 1540
        removed = await client.delete(
            self.url(world, check, str(discount_id)), headers=world.cashier.headers
        )
        assert removed.status_code == 200, removed.text
        assert (removed.json()["total"], removed.json()["discounts"]) == (1650, [])
        gone = await client.delete(
            self.url(world, check, str(discount_id)), headers=world.cashier.headers
        )
        assert gone.status_code == 404
        row = await session.scalar(select(CheckDiscount).where(CheckDiscount.id == discount_id))
        assert row is not None
        assert row.removed_at is not None
        again = await client.post(
            self.url(world, check),
            json={"kind": "fixed", "value": 50, "reason": "late"},
            headers=world.cashier.headers,
        )
        await client.post(
            world.url(f"/checks/{check['id']}/payments"),
            json={"method": "card"},
            headers=world.cashier.headers,
        )
        paid_add = await client.post(
            self.url(world, check),
            json={"kind": "fixed", "value": 10, "reason": "x"},
            headers=world.cashier.headers,
        )
        assert paid_add.status_code == 409
        assert problem_type(paid_add) == "check-paid"
        paid_remove = await client.delete(
            self.url(world, check, str(again.json()["discounts"][0]["id"])),
            headers=world.cashier.headers,
        )
        assert paid_remove.status_code == 409
        assert problem_type(paid_remove) == "check-paid"

    async def test_idempotency_key_replays(
        self, client: AsyncClient, world: World, session: AsyncSession
    ) -> None:
        check = await check_of(
            client, world, await order_with(client, world, [line(world.pizza, "L")])
        )
        headers = {**world.cashier.headers, "Idempotency-Key": "disc-1"}
        body = {"kind": "fixed", "value": 100, "reason": "late"}
        first = await client.post(self.url(world, check), json=body, headers=headers)
        second = await client.post(self.url(world, check), json=body, headers=headers)
        assert (first.status_code, second.status_code) == (201, 201)
        assert second.headers["Idempotent-Replayed"] == "true"
        assert second.json() == first.json()
        assert await count(session, CheckDiscount, check_id=check["id"]) == 1

    async def test_a_fully_comped_check_is_settled_without_amount(
        self, client: AsyncClient, world: World, manager: Login
    ) -> None:
        check = await check_of(client, world, await order_with(client, world, [line(world.cola)]))
        comped = await client.post(
            self.url(world, check),
            json={
                "order_item_id": check["lines"][0]["order_item_id"],
                "kind": "comp",
                "reason": "on the house",
                "approval": {"username": manager.user.username, "password": PASSWORD},
            },
            headers=world.cashier.headers,
        )
        assert comped.status_code == 201, comped.text
        assert (comped.json()["total"], comped.json()["taxes"]) == (0, [])
        paid = await client.post(
            world.url(f"/checks/{check['id']}/payments"),
            json={"method": "other", "reference": "comp"},
            headers=world.cashier.headers,
        )
        assert paid.status_code == 201, paid.text
        assert (paid.json()["amount"], paid.json()["check"]["status"]) == (0, "paid")

    async def test_discount_below_what_is_paid_is_refused(
        self, client: AsyncClient, world: World
    ) -> None:
        await settings(client, world, discount_approval_bp=10_000)
        check = await check_of(
            client, world, await order_with(client, world, [line(world.pizza, "L")])
        )
        await client.post(
            world.url(f"/checks/{check['id']}/payments"),
            json={"method": "card", "amount": 1000},
            headers=world.cashier.headers,
        )
        response = await client.post(
            self.url(world, check),
            json={"kind": "percent", "value": 5000, "reason": "x"},
            headers=world.cashier.headers,
        )
        assert response.status_code == 422
        assert problem_type(response) == "discount-exceeds-amount"
