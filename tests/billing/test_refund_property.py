"""A property, through HTTP on the test database: no sequence of payments (card with
tips, cash with change), voids, refunds and tip adjustments leaves a check over- or
under-paid, or a drawer's expected cash wrong.

A model kept by hand (what a cashier would write on paper) predicts every answer (its
status and problem type) and the check and drawer after each step."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from httpx import AsyncClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.runtime import Runtime
from tests.billing.test_refunds import takeaway_check
from tests.orders.support import problem_type
from tests.tills.support import Till, make_till_world, ok, open_shift, pizzas

TOTAL = 3 * 1650  # three pizzas L at 1500 + 10 % tax


@dataclass(frozen=True)
class Op:
    """``card`` (``amount``, ``extra`` the tip), ``cash`` (``amount``, ``extra``
    tendered on top), ``void``/``refund``/``tip`` of the ``index``-th payment
    (``amount``: the refund, or the new tip)."""

    kind: str
    amount: int = 0
    extra: int = 0
    index: int = 0


OPS = st.lists(
    st.one_of(
        st.builds(
            Op,
            kind=st.sampled_from(["card", "cash"]),
            amount=st.integers(1, 3000),
            extra=st.integers(0, 500),
        ),
        st.builds(
            Op,
            kind=st.sampled_from(["void", "refund", "tip"]),
            amount=st.integers(0, 2000),
            index=st.integers(0, 7),
        ),
    ),
    min_size=1,
    max_size=10,
)


@dataclass
class Paper:
    """The cashier's notes: each payment's method, amount, tip, refunds, voided."""

    drawer: int
    payments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def standing(self) -> list[dict[str, Any]]:
        return [p for p in self.payments if not p["voided"]]

    @property
    def paid(self) -> int:
        return sum(p["amount"] for p in self.standing)


_tills = itertools.count(1)


@pytest.fixture
async def t(session: AsyncSession, runtime: Runtime) -> Till:
    return await make_till_world(session, runtime)


def _expect(response: Any, status: int, problem: str | None = None) -> Any:
    assert response.status_code == status, response.text
    if problem is not None:
        assert problem_type(response) == problem
    return response.json()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(opening_float=st.integers(0, 50_000), ops=OPS)
async def test_no_sequence_leaves_a_check_or_a_drawer_wrong(
    client: AsyncClient, t: Till, opening_float: int, ops: list[Op]
) -> None:
    boss = t.manager.headers
    till = ok(
        await client.post(t.url("/tills"), json={"name": f"Prop {next(_tills)}"}, headers=boss),
        201,
    )
    shift = await open_shift(client, t, till["id"], opening_float)
    opened = await takeaway_check(client, t, [pizzas(t, 3)])
    check_id = opened["check"]["id"]
    assert opened["check"]["total"] == TOTAL
    paper = Paper(drawer=opening_float)
    for op in ops:
        is_paid = paper.paid >= TOTAL
        if op.kind in ("card", "cash"):
            url = t.url(f"/checks/{check_id}/payments")
            amount = min(op.amount, TOTAL - paper.paid)
            if is_paid:
                body = {"method": "card", "amount": op.amount}
                _expect(await client.post(url, json=body, headers=boss), 409, "check-paid")
                continue
            if op.kind == "card":
                body = {"method": "card", "amount": amount, "tip": op.extra}
            else:
                body = {
                    "method": "cash",
                    "amount": amount,
                    "tendered": amount + op.extra,
                    "till_id": till["id"],
                }
            made = _expect(await client.post(url, json=body, headers=boss), 201)
            paper.payments.append(
                {
                    "id": made["id"],
                    "method": op.kind,
                    "amount": amount,
                    "tip": op.extra if op.kind == "card" else 0,
                    "refunded": 0,
                    "voided": False,
                }
            )
            if op.kind == "cash":
                assert made["change"] == op.extra
                paper.drawer += amount
        elif paper.payments:
            p = paper.payments[op.index % len(paper.payments)]
            base = t.url(f"/payments/{p['id']}")
            if op.kind == "void":
                answer = await client.post(
                    f"{base}/void", json={"reason": "prop", "till_id": till["id"]}, headers=boss
                )
                if is_paid:
                    _expect(answer, 409, "check-paid")
                elif p["voided"]:
                    _expect(answer, 409, "payment-voided")
                else:
                    _expect(answer, 201)
                    p["voided"] = True
                    if p["method"] == "cash":
                        paper.drawer -= p["amount"]
            elif op.kind == "refund":
                body: dict[str, Any] = {"reason": "prop", "till_id": till["id"]}
                if op.amount:
                    body["amount"] = op.amount
                answer = await client.post(f"{base}/refund", json=body, headers=boss)
                left = p["amount"] - p["refunded"]
                wanted = op.amount or left
                if p["voided"]:
                    _expect(answer, 409, "payment-voided")
                elif not is_paid:
                    _expect(answer, 409, "check-not-paid")
                elif wanted < 1 or wanted > left:
                    assert _expect(answer, 422, "refund-exceeds-payment")["refundable"] == left
                else:
                    _expect(answer, 201)
                    p["refunded"] += wanted
                    if p["method"] == "cash":
                        paper.drawer -= wanted
            else:
                answer = await client.post(f"{base}/tip", json={"tip": op.amount}, headers=boss)
                if p["method"] != "card":
                    _expect(answer, 422, "tip-not-allowed")
                elif p["voided"]:
                    _expect(answer, 409, "payment-voided")
                else:
                    _expect(answer, 200)
                    p["tip"] = op.amount
        check = ok(await client.get(t.url(f"/checks/{check_id}"), headers=boss))
        assert check["total"] == TOTAL
        assert check["paid_total"] == paper.paid <= TOTAL
        assert check["balance"] == TOTAL - paper.paid
        assert check["status"] == ("paid" if paper.paid >= TOTAL else "open")
        assert check["refunded_total"] == sum(p["refunded"] for p in paper.standing)
        assert check["tip_total"] == sum(p["tip"] for p in paper.standing)
        for read in check["payments"]:
            assert 0 <= read["refunded_total"] <= read["amount"]
    x = ok(await client.get(t.url("/reports/x"), headers=boss))
    (summary,) = [s for s in x["shifts"] if s["shift_id"] == shift["id"]]
    assert summary["expected_cash"] == paper.drawer
    closed = ok(
        await client.post(
            t.url(f"/shifts/{shift['id']}/close"),
            json={"counted_cash": max(paper.drawer, 0)},
            headers=t.world.cashier.headers,
        )
    )
    assert closed["figures"]["expected_cash"] == paper.drawer
