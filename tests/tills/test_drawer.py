"""The drawer's expected cash, as a property: whatever sequence of cash payments (with
tendered and change), paid-ins and paid-outs a shift sees, the expected cash is what a
drawer handled by hand would hold, and counting exactly that is a variance of 0.

Checked on :func:`brigade.tills.service.expected_cash` alone, and through HTTP (the
payments, movements and the close of a real shift) on the test database.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from httpx import AsyncClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.runtime import Runtime
from brigade.tills.service import expected_cash
from tests.tills.support import Till, close, make_till_world, move, ok, open_shift, pay


@dataclass(frozen=True)
class Op:
    """``cash`` (``amount`` settled, ``extra`` tendered on top, given back as change),
    ``paid_in`` or ``paid_out`` of ``amount`` (minor units)."""

    kind: str
    amount: int
    extra: int = 0


OPS = st.lists(
    st.one_of(
        st.builds(
            Op,
            kind=st.just("cash"),
            amount=st.integers(1, 5000),
            extra=st.integers(0, 5000),
        ),
        st.builds(Op, kind=st.sampled_from(["paid_in", "paid_out"]), amount=st.integers(1, 5000)),
    ),
    max_size=8,
)


def by_hand(opening_float: int, ops: list[Op]) -> int:
    """The drawer, one hand-over at a time: the guest's notes go in, the change comes
    out; a paid-in goes in, a paid-out comes out."""
    drawer = opening_float
    for op in ops:
        if op.kind == "cash":
            tendered = op.amount + op.extra
            drawer += tendered
            drawer -= tendered - op.amount
        elif op.kind == "paid_in":
            drawer += op.amount
        else:
            drawer -= op.amount
    return drawer


@given(opening_float=st.integers(0, 100_000), ops=OPS)
def test_expected_cash_is_the_drawer_by_hand(opening_float: int, ops: list[Op]) -> None:
    cash = [op for op in ops if op.kind == "cash"]
    expected = expected_cash(
        opening_float,
        cash_in=sum(op.amount + op.extra for op in cash),
        change_out=sum(op.extra for op in cash),
        paid_in=sum(op.amount for op in ops if op.kind == "paid_in"),
        paid_out=sum(op.amount for op in ops if op.kind == "paid_out"),
    )
    assert expected == by_hand(opening_float, ops)


@pytest.fixture
async def t(session: AsyncSession, runtime: Runtime) -> Till:
    return await make_till_world(session, runtime)


_tills = itertools.count(1)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(opening_float=st.integers(0, 100_000), ops=OPS, short=st.integers(-500, 500))
async def test_no_sequence_leaves_the_drawer_wrong(
    client: AsyncClient, t: Till, opening_float: int, ops: list[Op], short: int
) -> None:
    w = t.world
    till = ok(
        await client.post(
            t.url("/tills"), json={"name": f"Till {next(_tills)}"}, headers=t.manager.headers
        ),
        201,
    )
    shift = await open_shift(client, t, till["id"], opening_float)
    # a takeaway order big enough for every payment: 99 x 1500 + 10 % tax
    order = ok(
        await client.post(
            w.orders_url,
            json={
                "kind": "takeaway",
                "items": [
                    {
                        "menu_item_id": w.pizza.id,
                        "variation_id": w.pizza.variations["L"],
                        "quantity": 99,
                    }
                ],
            },
            headers=w.waiter.headers,
        ),
        201,
    )
    check = ok(
        await client.post(w.url(f"/orders/{order['id']}/check"), headers=w.cashier.headers), 201
    )
    for op in ops:
        if op.kind == "cash":
            body = {
                "method": "cash",
                "amount": op.amount,
                "tendered": op.amount + op.extra,
                "till_id": till["id"],
            }
            paid = ok(await pay(client, t, check["id"], body), 201)
            assert paid["change"] == op.extra
        else:
            ok(await move(client, t, shift["id"], op.kind.replace("_", "-"), op.amount), 201)
    drawer = by_hand(opening_float, ops)
    closed = ok(await close(client, t, shift["id"], max(drawer + short, 0)))
    figures = closed["figures"]
    assert figures["expected_cash"] == drawer
    assert figures["variance"] == max(drawer + short, 0) - drawer
    assert figures["cash_sales"] == sum(op.amount for op in ops if op.kind == "cash")
