"""Tips on card payments and their adjustment, refunds and voids of payments by a
manager (or with a manager's approval), through HTTP on SQLite and PostgreSQL: the
check's figures, the drawer's expected cash, the X and Z reports, and every error."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.permissions import Role
from brigade.billing.models import PaymentReversal
from brigade.runtime import Runtime
from tests.factories import PASSWORD, Login, make_user
from tests.orders.support import count, problem_type
from tests.tills.support import Till, make_till_world, ok, open_shift, pay, pizzas

_keys = itertools.count(1)


@pytest.fixture
async def t(session: AsyncSession, runtime: Runtime) -> Till:
    return await make_till_world(session, runtime)


@pytest.fixture
async def boss(session: AsyncSession, runtime: Runtime, t: Till) -> Login:
    """A manager with a password (for approvals in the request)."""
    login = await make_user(session, runtime, restaurant=t.world.restaurant, role=Role.manager)
    await session.commit()
    return login


async def open_check(
    client: AsyncClient, t: Till, *, items: list[dict[str, Any]]
) -> dict[str, Any]:
    """A takeaway order of ``items`` taken by the world's waiter, and its check."""
    return await takeaway_check(client, t, items)


async def takeaway_check(
    client: AsyncClient, t: Till, items: list[dict[str, Any]]
) -> dict[str, Any]:
    """A takeaway order of ``items`` taken by the world's waiter (no table to free),
    and its check: ``{"order", "check"}``."""
    w = t.world
    order = ok(
        await client.post(
            w.orders_url, json={"kind": "takeaway", "items": items}, headers=w.waiter.headers
        ),
        201,
    )
    check = ok(
        await client.post(w.url(f"/orders/{order['id']}/check"), headers=w.cashier.headers), 201
    )
    return {"order": order, "check": check}


def key() -> dict[str, str]:
    return {"Idempotency-Key": f"refunds-{next(_keys)}"}


async def paid_by_card(
    client: AsyncClient, t: Till, *, quantity: int = 1, **extra: Any
) -> dict[str, Any]:
    """A check of ``quantity`` pizzas (1650 each with tax) paid whole by card."""
    opened = await open_check(client, t, items=[pizzas(t, quantity)])
    return ok(
        await pay(client, t, opened["check"]["id"], {"method": "card", **extra}, t.world.cashier),
        201,
    )


def tip_url(t: Till, payment_id: int) -> str:
    return t.url(f"/payments/{payment_id}/tip")


def refund_url(t: Till, payment_id: int) -> str:
    return t.url(f"/payments/{payment_id}/refund")


def void_url(t: Till, payment_id: int) -> str:
    return t.url(f"/payments/{payment_id}/void")


async def refund(
    client: AsyncClient, t: Till, payment_id: int, body: dict[str, Any], who: Login
) -> Response:
    return await client.post(refund_url(t, payment_id), json=body, headers={**who.headers, **key()})


async def void(
    client: AsyncClient, t: Till, payment_id: int, body: dict[str, Any], who: Login
) -> Response:
    return await client.post(void_url(t, payment_id), json=body, headers={**who.headers, **key()})


class TestTips:
    async def test_a_card_tip_is_charged_on_top_and_never_in_the_total(
        self, client: AsyncClient, t: Till
    ) -> None:
        paid = await paid_by_card(client, t, tip=300)
        assert paid["tip"] == 300
        assert paid["amount"] == 1650
        check = paid["check"]
        assert check["status"] == "paid"
        assert check["total"] == 1650
        assert check["paid_total"] == 1650
        assert check["tip_total"] == 300
        assert check["balance"] == 0

    async def test_a_tip_on_cash_or_other_is_refused(self, client: AsyncClient, t: Till) -> None:
        opened = await open_check(client, t, items=[pizzas(t)])
        for body in (
            {"method": "cash", "tendered": 2000, "tip": 100},
            {"method": "other", "tip": 100},
            {"method": "cash", "tendered": 2000, "tip_pending": True},
        ):
            refused = await pay(client, t, opened["check"]["id"], body)
            assert refused.status_code == 422, refused.text
            assert problem_type(refused) == "tip-not-allowed"
        check = ok(
            await client.get(
                t.url(f"/checks/{opened['check']['id']}"), headers=t.world.cashier.headers
            )
        )
        assert check["payments"] == []

    async def test_a_tip_is_adjusted_once_per_key_and_reported_per_waiter(
        self, client: AsyncClient, t: Till
    ) -> None:
        paid = await paid_by_card(client, t, tip_pending=True)
        assert paid["tip_pending"] is True
        headers = {**t.world.cashier.headers, **key()}
        first = await client.post(tip_url(t, paid["id"]), json={"tip": 250}, headers=headers)
        adjusted = ok(first)
        assert adjusted["tip"] == 250
        assert adjusted["tip_pending"] is False
        assert adjusted["tip_adjusted_at"] is not None
        assert adjusted["check"]["tip_total"] == 250
        assert adjusted["check"]["total"] == 1650
        again = await client.post(tip_url(t, paid["id"]), json={"tip": 250}, headers=headers)
        assert again.status_code == 200
        assert again.headers["Idempotent-Replayed"] == "true"
        # Replaced, not added: a second adjustment sets the tip again.
        ok(
            await client.post(
                tip_url(t, paid["id"]), json={"tip": 400}, headers=t.world.cashier.headers
            )
        )
        x = ok(await client.get(t.url("/reports/x"), headers=t.manager.headers))
        assert x["tips"] == 400
        assert x["tips_by_waiter"] == [
            {"waiter_id": t.world.waiter.user.id, "name": None, "payments": 1, "tips": 400}
        ]

    async def test_tip_adjustment_errors(self, client: AsyncClient, t: Till) -> None:
        opened = await open_check(client, t, items=[pizzas(t)])
        cash = ok(
            await pay(client, t, opened["check"]["id"], {"method": "cash", "tendered": 2000}), 201
        )
        refused = await client.post(
            tip_url(t, cash["id"]), json={"tip": 100}, headers=t.world.cashier.headers
        )
        assert refused.status_code == 422
        assert problem_type(refused) == "tip-not-allowed"
        card = await paid_by_card(client, t)
        negative = await client.post(
            tip_url(t, card["id"]), json={"tip": -1}, headers=t.world.cashier.headers
        )
        assert negative.status_code == 422
        waiter = await client.post(
            tip_url(t, card["id"]), json={"tip": 1}, headers=t.world.waiter.headers
        )
        assert waiter.status_code == 403
        anonymous = await client.post(tip_url(t, card["id"]), json={"tip": 1})
        assert anonymous.status_code == 401
        other = await client.post(
            t.other_url(f"/payments/{card['id']}/tip"),
            json={"tip": 1},
            headers=t.other_owner.headers,
        )
        assert other.status_code == 404
        assert problem_type(other) == "not-found"
        missing = await client.post(
            tip_url(t, card["id"] + 10_000), json={"tip": 1}, headers=t.world.cashier.headers
        )
        assert missing.status_code == 404

    async def test_a_pending_tip_blocks_the_z_and_no_tip_moves_after_it(
        self, client: AsyncClient, t: Till
    ) -> None:
        paid = await paid_by_card(client, t, tip_pending=True)
        blocked = await client.post(t.url("/reports/z"), json={}, headers=t.manager.headers)
        assert blocked.status_code == 409, blocked.text
        assert problem_type(blocked) == "day-not-closable"
        assert blocked.json()["unadjusted_tips"] == [
            {
                "payment_id": paid["id"],
                "check_id": paid["check"]["id"],
                "order_id": paid["check"]["order_id"],
            }
        ]
        ok(
            await client.post(
                tip_url(t, paid["id"]), json={"tip": 120}, headers=t.world.cashier.headers
            )
        )
        z = ok(await client.post(t.url("/reports/z"), json={}, headers=t.manager.headers), 201)
        assert z["report"]["tips"] == 120
        assert z["report"]["tips_by_waiter"][0]["tips"] == 120
        late = await client.post(
            tip_url(t, paid["id"]), json={"tip": 500}, headers=t.world.cashier.headers
        )
        assert late.status_code == 409
        assert problem_type(late) == "business-day-closed"
        assert late.json()["number"] == z["number"]
        check = ok(
            await client.get(
                t.url(f"/checks/{paid['check']['id']}"), headers=t.world.cashier.headers
            )
        )
        assert check["tip_total"] == 120


class TestRefunds:
    async def test_a_manager_refunds_a_card_payment_in_parts(
        self, client: AsyncClient, t: Till, session: AsyncSession
    ) -> None:
        paid = await paid_by_card(client, t)
        first = ok(
            await refund(client, t, paid["id"], {"amount": 500, "reason": "cold"}, t.manager), 201
        )
        assert first["kind"] == "refund"
        assert first["method"] == "card"
        assert first["amount"] == 500
        assert first["cash"] == 0
        assert first["approved_by"] == t.manager.user.id
        assert first["approval_method"] == "permission"
        assert first["payment"]["refunded_total"] == 500
        assert first["check"]["status"] == "paid"
        assert first["check"]["refunded_total"] == 500
        assert first["check"]["paid_total"] == 1650
        rest = ok(await refund(client, t, paid["id"], {"reason": "left"}, t.manager), 201)
        assert rest["amount"] == 1150
        assert rest["check"]["refunded_total"] == 1650
        nothing = await refund(client, t, paid["id"], {"reason": "again"}, t.manager)
        assert nothing.status_code == 422
        assert problem_type(nothing) == "refund-exceeds-payment"
        assert nothing.json()["refundable"] == 0
        x = ok(await client.get(t.url("/reports/x"), headers=t.manager.headers))
        assert x["refunds"] == {"count": 2, "amount": 1650}
        assert await count(session, PaymentReversal, payment_id=paid["id"]) == 2

    async def test_a_refund_above_what_is_left_is_refused(
        self, client: AsyncClient, t: Till, session: AsyncSession
    ) -> None:
        paid = await paid_by_card(client, t)
        above = await refund(client, t, paid["id"], {"amount": 1651, "reason": "x"}, t.manager)
        assert above.status_code == 422
        assert problem_type(above) == "refund-exceeds-payment"
        assert above.json()["refundable"] == 1650
        ok(await refund(client, t, paid["id"], {"amount": 1000, "reason": "x"}, t.manager), 201)
        again = await refund(client, t, paid["id"], {"amount": 651, "reason": "x"}, t.manager)
        assert again.status_code == 422
        assert again.json()["refundable"] == 650
        assert await count(session, PaymentReversal, payment_id=paid["id"]) == 1

    async def test_a_cashier_needs_a_managers_approval(
        self, client: AsyncClient, t: Till, boss: Login, session: AsyncSession
    ) -> None:
        paid = await paid_by_card(client, t)
        body: dict[str, Any] = {"amount": 200, "reason": "spilled"}
        refused = await refund(client, t, paid["id"], body, t.world.cashier)
        assert refused.status_code == 403
        assert problem_type(refused) == "manager-approval-required"
        wrong = await refund(
            client,
            t,
            paid["id"],
            {**body, "approval": {"username": boss.user.username, "password": "not it at all"}},
            t.world.cashier,
        )
        assert wrong.status_code == 403
        assert problem_type(wrong) == "approval-invalid"
        assert await count(session, PaymentReversal, payment_id=paid["id"]) == 0
        approved = ok(
            await refund(
                client,
                t,
                paid["id"],
                {**body, "approval": {"username": boss.user.username, "password": PASSWORD}},
                t.world.cashier,
            ),
            201,
        )
        assert approved["approved_by"] == boss.user.id
        assert approved["approval_method"] == "password"
        assert approved["created_by"] == t.world.cashier.user.id
        waiter = await refund(client, t, paid["id"], body, t.world.waiter)
        assert waiter.status_code == 403

    async def test_a_refund_is_for_paid_checks_and_other_restaurants_see_nothing(
        self, client: AsyncClient, t: Till
    ) -> None:
        opened = await open_check(client, t, items=[pizzas(t, 2)])
        part = ok(
            await pay(client, t, opened["check"]["id"], {"method": "card", "amount": 1000}), 201
        )
        early = await refund(client, t, part["id"], {"reason": "x"}, t.manager)
        assert early.status_code == 409
        assert problem_type(early) == "check-not-paid"
        for url in (f"/payments/{part['id']}/refund", f"/payments/{part['id']}/void"):
            other = await client.post(
                t.other_url(url), json={"reason": "x"}, headers=t.other_owner.headers
            )
            assert other.status_code == 404, other.text
            assert problem_type(other) == "not-found"
        anonymous = await client.post(refund_url(t, part["id"]), json={"reason": "x"})
        assert anonymous.status_code == 401
        no_reason = await refund(client, t, part["id"], {}, t.manager)
        assert no_reason.status_code == 422

    async def test_a_retried_refund_refunds_once(self, client: AsyncClient, t: Till) -> None:
        paid = await paid_by_card(client, t)
        headers = {**t.manager.headers, **key()}
        body = {"amount": 300, "reason": "cold"}
        first = await client.post(refund_url(t, paid["id"]), json=body, headers=headers)
        again = await client.post(refund_url(t, paid["id"]), json=body, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json()["id"] == first.json()["id"]
        check = ok(
            await client.get(t.url(f"/checks/{paid['check']['id']}"), headers=t.manager.headers)
        )
        assert check["refunded_total"] == 300
        assert check["payments"][0]["refunded_total"] == 300

    async def test_a_cash_refund_comes_out_of_the_drawer(
        self, client: AsyncClient, t: Till
    ) -> None:
        till = ok(
            await client.post(t.url("/tills"), json={"name": "Front"}, headers=t.manager.headers),
            201,
        )
        shift = await open_shift(client, t, till["id"], 10_000)
        opened = await open_check(client, t, items=[pizzas(t)])
        paid = ok(
            await pay(
                client,
                t,
                opened["check"]["id"],
                {"method": "cash", "tendered": 2000, "till_id": till["id"]},
            ),
            201,
        )
        assert paid["change"] == 350
        refunded = ok(
            await refund(
                client,
                t,
                paid["id"],
                {"amount": 400, "reason": "x", "till_id": till["id"]},
                t.manager,
            ),
            201,
        )
        assert refunded["method"] == "cash"
        assert refunded["cash"] == 400
        assert refunded["shift_id"] == shift["id"]
        closed = ok(
            await client.post(
                t.url(f"/shifts/{shift['id']}/close"),
                json={"counted_cash": 10_000 + 1650 - 400},
                headers=t.world.cashier.headers,
            )
        )
        figures = closed["figures"]
        assert figures["cash_refunds"] == 400
        assert figures["expected_cash"] == 10_000 + 1650 - 400
        assert figures["variance"] == 0

    async def test_a_refund_after_todays_z_is_refused(self, client: AsyncClient, t: Till) -> None:
        paid = await paid_by_card(client, t)
        ok(await client.post(t.url("/reports/z"), json={}, headers=t.manager.headers), 201)
        late = await refund(client, t, paid["id"], {"reason": "x"}, t.manager)
        assert late.status_code == 409
        assert problem_type(late) == "business-day-closed"


class TestVoids:
    async def test_a_void_reopens_the_balance_and_leaves_the_totals(
        self, client: AsyncClient, t: Till
    ) -> None:
        opened = await open_check(client, t, items=[pizzas(t)])
        check_id = opened["check"]["id"]
        part = ok(
            await pay(client, t, check_id, {"method": "card", "amount": 1000, "tip": 50}), 201
        )
        voided = ok(await void(client, t, part["id"], {"reason": "wrong card"}, t.manager), 201)
        assert voided["kind"] == "void"
        assert voided["amount"] == 1000
        assert voided["tip"] == 50
        assert voided["payment"]["voided_at"] is not None
        check = voided["check"]
        assert check["status"] == "open"
        assert check["paid_total"] == 0
        assert check["balance"] == 1650
        assert check["tip_total"] == 0
        twice = await void(client, t, part["id"], {"reason": "again"}, t.manager)
        assert twice.status_code == 409
        assert problem_type(twice) == "payment-voided"
        tip = await client.post(tip_url(t, part["id"]), json={"tip": 1}, headers=t.manager.headers)
        assert tip.status_code == 409
        assert problem_type(tip) == "payment-voided"
        settled = ok(await pay(client, t, check_id, {"method": "card"}), 201)
        assert settled["check"]["status"] == "paid"
        assert len(settled["check"]["payments"]) == 2
        voided_refund = await refund(client, t, part["id"], {"reason": "x"}, t.manager)
        assert voided_refund.status_code == 409
        assert problem_type(voided_refund) == "payment-voided"
        x = ok(await client.get(t.url("/reports/x"), headers=t.manager.headers))
        assert x["payments"] == [{"method": "card", "count": 1, "amount": 1650, "tips": 0}]
        assert x["payment_voids"] == {"count": 1, "amount": 1000}

    async def test_a_paid_checks_payment_is_refunded_not_voided(
        self, client: AsyncClient, t: Till
    ) -> None:
        paid = await paid_by_card(client, t)
        refused = await void(client, t, paid["id"], {"reason": "x"}, t.manager)
        assert refused.status_code == 409
        assert problem_type(refused) == "check-paid"

    async def test_a_cashier_voids_with_approval_and_the_cash_goes_back(
        self, client: AsyncClient, t: Till, boss: Login
    ) -> None:
        till = ok(
            await client.post(t.url("/tills"), json={"name": "Bar"}, headers=t.manager.headers), 201
        )
        shift = await open_shift(client, t, till["id"], 5000)
        opened = await open_check(client, t, items=[pizzas(t, 2)])
        part = ok(
            await pay(
                client,
                t,
                opened["check"]["id"],
                {"method": "cash", "amount": 1000, "tendered": 2000, "till_id": till["id"]},
            ),
            201,
        )
        refused = await void(client, t, part["id"], {"reason": "x"}, t.world.cashier)
        assert refused.status_code == 403
        assert problem_type(refused) == "manager-approval-required"
        voided = ok(
            await void(
                client,
                t,
                part["id"],
                {
                    "reason": "keyed twice",
                    "till_id": till["id"],
                    "approval": {"username": boss.user.username, "password": PASSWORD},
                },
                t.world.cashier,
            ),
            201,
        )
        assert voided["cash"] == 1000
        assert voided["shift_id"] == shift["id"]
        x = ok(await client.get(t.url("/reports/x"), headers=t.manager.headers))
        (summary,) = [s for s in x["shifts"] if s["shift_id"] == shift["id"]]
        assert summary["cash_refunds"] == 1000
        assert summary["expected_cash"] == 5000

    async def test_a_split_part_with_a_voided_payment_keeps_its_split(
        self, client: AsyncClient, t: Till, session: AsyncSession
    ) -> None:
        opened = await open_check(client, t, items=[pizzas(t, 2)])
        check_id = opened["check"]["id"]
        split = ok(
            await client.post(
                t.url(f"/checks/{check_id}/split"),
                json={"by": "even", "parts": 2},
                headers=t.world.cashier.headers,
            ),
            201,
        )
        part_id = split["parts"][0]["id"]
        paid = ok(await pay(client, t, part_id, {"method": "card", "amount": 500}), 201)
        ok(await void(client, t, paid["id"], {"reason": "wrong card"}, t.manager), 201)
        merged = await client.post(
            t.url(f"/checks/{check_id}/merge"), headers=t.world.cashier.headers
        )
        assert merged.status_code == 409, merged.text
        assert problem_type(merged) == "check-has-payments"
        assert await count(session, PaymentReversal, payment_id=paid["id"]) == 1
