"""Tills through HTTP: shifts with float, paid-in/out and the blind count, cash payments
counted into the drawer, the X report and the numbered Z report that closes the day."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.events.models import OutboxEvent
from brigade.infra.db import utcnow
from brigade.runtime import Runtime
from brigade.tills.models import TillShift
from tests.orders.support import count, event_types, last_seq, problem_type
from tests.tills.support import (
    Till,
    close,
    make_till_world,
    move,
    new_till,
    ok,
    open_check,
    open_shift,
    pay,
    pizzas,
)


@pytest.fixture
async def t(session: AsyncSession, runtime: Runtime) -> Till:
    return await make_till_world(session, runtime)


def today(t: Till) -> str:
    return utcnow().astimezone(ZoneInfo(t.world.restaurant.time_zone)).date().isoformat()


class TestTills:
    async def test_unauthenticated_other_restaurant_and_roles(
        self, client: AsyncClient, t: Till
    ) -> None:
        till = await new_till(client, t)
        url = t.url(f"/tills/{till['id']}")
        assert (await client.get(url)).status_code == 401
        # a member of another restaurant: this restaurant is not found for them ...
        assert (await client.get(url, headers=t.other_owner.headers)).status_code == 404
        # ... and in their own restaurant the till does not exist
        theirs = await client.get(
            t.other_url(f"/tills/{till['id']}"), headers=t.other_owner.headers
        )
        assert theirs.status_code == 404
        assert problem_type(theirs) == "not-found"
        opened = await client.post(
            t.other_url(f"/tills/{till['id']}/shifts"),
            json={"opening_float": 100},
            headers=t.other_owner.headers,
        )
        assert opened.status_code == 404
        w = t.world
        for response in (
            await client.get(url, headers=w.waiter.headers),
            await client.post(t.url("/tills"), json={"name": "Bar"}, headers=w.waiter.headers),
            await client.post(t.url("/tills"), json={"name": "Bar"}, headers=w.cashier.headers),
            await client.post(
                t.url(f"/tills/{till['id']}/shifts"),
                json={"opening_float": 100},
                headers=w.waiter.headers,
            ),
        ):
            assert response.status_code == 403, response.text
            assert problem_type(response) == "permission-denied"

    async def test_create_list_and_name_taken(self, client: AsyncClient, t: Till) -> None:
        front = await new_till(client, t, "Front")
        bar = await new_till(client, t, "Bar")
        taken = await client.post(
            t.url("/tills"), json={"name": "Front"}, headers=t.manager.headers
        )
        assert taken.status_code == 409
        assert problem_type(taken) == "till-name-taken"
        shift = await open_shift(client, t, front["id"], 10000)
        listed = ok(await client.get(t.url("/tills"), headers=t.world.cashier.headers))
        assert listed["total"] == 2
        assert [(i["name"], i["open_shift_id"]) for i in listed["items"]] == [
            ("Bar", None),
            ("Front", shift["id"]),
        ]
        assert bar["open_shift_id"] is None


class TestShift:
    async def test_open_float_paid_in_out_and_close_with_variance(
        self, client: AsyncClient, session: AsyncSession, t: Till
    ) -> None:
        till = await new_till(client, t)
        before = await last_seq(session, t.world.rid)
        shift = await open_shift(client, t, till["id"], 20000)
        assert shift["status"] == "open"
        assert shift["opening_float"] == 20000
        assert shift["opened_by"] == t.world.cashier.user.id
        assert shift["business_date"] == today(t)
        assert shift["figures"] is None
        paid_in = ok(
            await move(client, t, shift["id"], "paid-in", 5000, "change from the bank"), 201
        )
        assert (paid_in["kind"], paid_in["amount"], paid_in["reason"]) == (
            "paid_in",
            5000,
            "change from the bank",
        )
        ok(await move(client, t, shift["id"], "paid-out", 1250, "window cleaner"), 201)
        ok(await move(client, t, shift["id"], "paid-out", 750, "milk"), 201)
        # the count is blind: nothing of the expected cash shows while the shift is open
        blind = ok(
            await client.get(t.url(f"/shifts/{shift['id']}"), headers=t.world.cashier.headers)
        )
        assert blind["figures"] is None
        closed = ok(await close(client, t, shift["id"], 22900))
        figures = closed["figures"]
        assert closed["status"] == "closed"
        assert closed["closed_by"] == t.world.cashier.user.id
        assert figures == {
            "opening_float": 20000,
            "cash_in": 0,
            "change_out": 0,
            "cash_sales": 0,
            "paid_in": 5000,
            "paid_out": 2000,
            "cash_refunds": 0,
            "expected_cash": 23000,
            "counted_cash": 22900,
            "variance": -100,
        }
        assert await event_types(session, t.world.rid, before) == ["shift.opened", "shift.closed"]
        # the till is free again
        again = await open_shift(client, t, till["id"], 0)
        assert again["id"] != shift["id"]

    async def test_second_open_shift_on_a_till_is_refused(
        self, client: AsyncClient, session: AsyncSession, t: Till
    ) -> None:
        till = await new_till(client, t)
        first = await open_shift(client, t, till["id"], 1000)
        second = await client.post(
            t.url(f"/tills/{till['id']}/shifts"),
            json={"opening_float": 500},
            headers=t.cashier2.headers,
        )
        assert second.status_code == 409
        assert problem_type(second) == "shift-already-open"
        assert second.json()["shift_id"] == first["id"]
        assert await count(session, TillShift, restaurant_id=t.world.rid) == 1
        # another till opens fine
        other = await new_till(client, t, "Bar")
        await open_shift(client, t, other["id"], 500, t.cashier2)

    async def test_a_closed_shift_takes_no_more_writes(self, client: AsyncClient, t: Till) -> None:
        till = await new_till(client, t)
        shift = await open_shift(client, t, till["id"], 1000)
        closed = ok(await close(client, t, shift["id"], 1000))
        assert closed["figures"]["variance"] == 0
        for response in (
            await move(client, t, shift["id"], "paid-in", 100),
            await move(client, t, shift["id"], "paid-out", 100),
            await close(client, t, shift["id"], 5000),
        ):
            assert response.status_code == 409, response.text
            assert problem_type(response) == "shift-closed"
        still = ok(await client.get(t.url(f"/shifts/{shift['id']}"), headers=t.manager.headers))
        assert still == closed
        # a payment into that till is refused: it has no open shift
        sale = await open_check(client, t, items=[pizzas(t)])
        refused = await pay(
            client,
            t,
            sale["check"]["id"],
            {"method": "cash", "tendered": 2000, "till_id": till["id"]},
        )
        assert refused.status_code == 409
        assert problem_type(refused) == "till-not-open"

    async def test_bad_input(self, client: AsyncClient, t: Till) -> None:
        till = await new_till(client, t)
        shift = await open_shift(client, t, till["id"], 1000)
        for body in ({"amount": 100}, {"amount": 100, "reason": ""}, {"amount": 0, "reason": "x"}):
            response = await client.post(
                t.url(f"/shifts/{shift['id']}/paid-out"), json=body, headers=t.world.cashier.headers
            )
            assert response.status_code == 422, body
        negative = await client.post(
            t.url(f"/tills/{till['id']}/shifts"),
            json={"opening_float": -1},
            headers=t.world.cashier.headers,
        )
        assert negative.status_code == 422
        missing = await close(client, t, 999_999, 0)
        assert missing.status_code == 404
        stale = await client.post(
            t.url(f"/shifts/{shift['id']}/close"),
            json={"counted_cash": 0, "version": 99},
            headers=t.world.cashier.headers,
        )
        assert stale.status_code == 409
        assert problem_type(stale) == "stale-version"

    async def test_idempotent_open_and_close(
        self, client: AsyncClient, session: AsyncSession, t: Till
    ) -> None:
        till = await new_till(client, t)
        url = t.url(f"/tills/{till['id']}/shifts")
        headers = {**t.world.cashier.headers, "Idempotency-Key": "open-1"}
        first = await client.post(url, json={"opening_float": 300}, headers=headers)
        again = await client.post(url, json={"opening_float": 300}, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
        assert await count(session, TillShift, restaurant_id=t.world.rid) == 1
        shift_id = first.json()["id"]
        move_headers = {**t.world.cashier.headers, "Idempotency-Key": "in-1"}
        body = {"amount": 100, "reason": "coins"}
        for _ in range(2):
            r = await client.post(
                t.url(f"/shifts/{shift_id}/paid-in"), json=body, headers=move_headers
            )
            assert r.status_code == 201
        close_headers = {**t.world.cashier.headers, "Idempotency-Key": "close-1"}
        closes = [
            await client.post(
                t.url(f"/shifts/{shift_id}/close"),
                json={"counted_cash": 400},
                headers=close_headers,
            )
            for _ in range(2)
        ]
        assert [c.status_code for c in closes] == [200, 200]
        assert closes[1].headers["Idempotent-Replayed"] == "true"
        # the paid-in was recorded once: 300 + 100
        assert closes[0].json()["figures"]["expected_cash"] == 400
        assert closes[0].json()["figures"]["variance"] == 0


class TestCashPayments:
    async def test_cash_in_and_change_out_are_counted(self, client: AsyncClient, t: Till) -> None:
        till = await new_till(client, t)
        shift = await open_shift(client, t, till["id"], 10000)
        first = await open_check(client, t, items=[pizzas(t)])  # 1500 + 150 tax
        paid = ok(
            await pay(
                client,
                t,
                first["check"]["id"],
                {"method": "cash", "tendered": 2000, "till_id": till["id"]},
            ),
            201,
        )
        assert (paid["amount"], paid["tendered"], paid["change"]) == (1650, 2000, 350)
        assert (paid["till_id"], paid["shift_id"]) == (till["id"], shift["id"])
        # without till_id: the cashier's one open shift takes it
        second = await open_check(client, t, items=[pizzas(t, 2)], table=t.world.table2)  # 3300
        part = ok(
            await pay(client, t, second["check"]["id"], {"method": "cash", "amount": 1000}), 201
        )
        assert part["shift_id"] == shift["id"]
        card = ok(await pay(client, t, second["check"]["id"], {"method": "card"}), 201)
        assert card["amount"] == 2300
        assert card["shift_id"] == shift["id"]  # on the shift, not in the drawer
        closed = ok(await close(client, t, shift["id"], 12650))
        assert closed["figures"] == {
            "opening_float": 10000,
            "cash_in": 3000,
            "change_out": 350,
            "cash_sales": 2650,
            "paid_in": 0,
            "paid_out": 0,
            "cash_refunds": 0,
            "expected_cash": 12650,
            "counted_cash": 12650,
            "variance": 0,
        }

    async def test_which_drawer_a_payment_goes_to(self, client: AsyncClient, t: Till) -> None:
        front = await new_till(client, t, "Front")
        bar = await new_till(client, t, "Bar")
        sale = await open_check(client, t, items=[pizzas(t, 3)])  # 4950
        check_id = sale["check"]["id"]
        # a cashier without an open shift: taken into no drawer (as before tills)
        loose = ok(await pay(client, t, check_id, {"method": "cash", "amount": 100}), 201)
        assert (loose["till_id"], loose["shift_id"]) == (None, None)
        # a till without an open shift is refused, another restaurant's till is not found
        closed_till = await pay(
            client, t, check_id, {"method": "cash", "amount": 100, "till_id": front["id"]}
        )
        assert closed_till.status_code == 409
        assert problem_type(closed_till) == "till-not-open"
        ok(
            await client.post(
                t.other_url("/tills"), json={"name": "Theirs"}, headers=t.other_owner.headers
            ),
            201,
        )
        theirs = ok(await client.get(t.other_url("/tills"), headers=t.other_owner.headers))[
            "items"
        ][0]
        foreign = await pay(
            client, t, check_id, {"method": "cash", "amount": 100, "till_id": theirs["id"]}
        )
        assert foreign.status_code == 404
        # a cashier with two open shifts must name the till for cash
        await open_shift(client, t, front["id"], 0)
        await open_shift(client, t, bar["id"], 0)
        ambiguous = await pay(client, t, check_id, {"method": "cash", "amount": 100})
        assert ambiguous.status_code == 422
        assert problem_type(ambiguous) == "till-required"
        named = ok(
            await pay(client, t, check_id, {"method": "cash", "amount": 100, "till_id": bar["id"]}),
            201,
        )
        assert named["till_id"] == bar["id"]
        # another cashier pays into the front till by naming it
        other = ok(
            await pay(
                client,
                t,
                check_id,
                {"method": "cash", "amount": 100, "till_id": front["id"]},
                t.cashier2,
            ),
            201,
        )
        assert other["till_id"] == front["id"]
        balance = ok(await client.get(t.url(f"/checks/{check_id}"), headers=t.manager.headers))
        assert balance["paid_total"] == 300  # the refused ones wrote nothing


async def _close_everything(client: AsyncClient, t: Till) -> dict[str, object]:
    """A day: two tables paid (one cash with change, one card), a voided line, a
    paid-in and paid-out, the shift closed 50 short."""
    w = t.world
    till = await new_till(client, t)
    shift = await open_shift(client, t, till["id"], 10000)
    a = await open_check(
        client, t, items=[pizzas(t), {"menu_item_id": w.cola.id}], covers=3
    )  # 1800 + 180
    order_id = a["order"]["id"]
    cola_line = a["order"]["items"][1]["id"]
    voided = await client.post(
        w.url(f"/orders/{order_id}/items/{cola_line}/void"),
        json={"reason": "spilled"},
        headers=w.waiter.headers,
    )
    assert voided.status_code == 200, voided.text
    ok(await pay(client, t, a["check"]["id"], {"method": "cash", "tendered": 2000}), 201)  # 1650
    b = await open_check(client, t, items=[pizzas(t, 2)], table=w.table2, covers=4)  # 3300
    ok(await pay(client, t, b["check"]["id"], {"method": "card"}), 201)
    ok(await move(client, t, shift["id"], "paid-in", 1000, "coins"), 201)
    ok(await move(client, t, shift["id"], "paid-out", 400, "ice"), 201)
    return {"till": till, "shift": shift, "a": a, "b": b}


class TestXReport:
    async def test_figures_of_the_day_so_far(self, client: AsyncClient, t: Till) -> None:
        day = await _close_everything(client, t)
        x = ok(await client.get(t.url("/reports/x"), headers=t.manager.headers))
        assert x["business_date"] == today(t)
        assert x["currency"] == "EUR"
        assert (x["orders"], x["covers"], x["checks"]) == (2, 7, 2)
        assert x["sales"] == 1650 + 3300
        assert x["payments"] == [
            {"method": "card", "count": 1, "amount": 3300, "tips": 0},
            {"method": "cash", "count": 1, "amount": 1650, "tips": 0},
        ]
        assert x["payments_total"] == 4950
        assert x["tax"] == [{"rate_bp": 1000, "inclusive": False, "taxable": 4500, "tax": 450}]
        assert x["tax_total"] == 450
        assert x["tips"] == 0
        assert x["discounts"] == {"count": 0, "amount": 0}
        assert x["comps"] == {"count": 0, "amount": 0}
        assert x["refunds"] == {"count": 0, "amount": 0}
        assert x["voids"] == {"count": 1, "amount": 300}
        (shift,) = x["shifts"]
        assert shift["shift_id"] == day["shift"]["id"]  # type: ignore[index]
        assert shift["status"] == "open"
        # the manager sees what the drawer should hold; the count is still to come
        assert shift["expected_cash"] == 10000 + 2000 - 350 + 1000 - 400
        assert (shift["counted_cash"], shift["variance"]) == (None, None)
        # not stored: the X report of another day is empty
        yesterday = (utcnow() - timedelta(days=3)).date().isoformat()
        empty = ok(
            await client.get(
                t.url(f"/reports/x?business_date={yesterday}"), headers=t.manager.headers
            )
        )
        assert (empty["orders"], empty["payments"], empty["shifts"]) == (0, [], [])

    async def test_permissions(self, client: AsyncClient, t: Till) -> None:
        url = t.url("/reports/x")
        assert (await client.get(url)).status_code == 401
        for who in (t.world.waiter, t.world.cashier):
            denied = await client.get(url, headers=who.headers)
            assert denied.status_code == 403
            assert problem_type(denied) == "permission-denied"
        assert (await client.get(url, headers=t.other_owner.headers)).status_code == 404


async def events_of(
    session: AsyncSession, rid: int, kind: str, z_report_id: int
) -> list[dict[str, object]]:
    """The ``z_report`` payloads of the restaurant's ``kind`` events for that report."""
    rows = await session.execute(
        select(OutboxEvent.payload).where(
            OutboxEvent.restaurant_id == rid, OutboxEvent.type == kind
        )
    )
    return [p["z_report"] for p in rows.scalars() if p["z_report"]["id"] == z_report_id]


class TestZReport:
    async def test_refused_while_checks_or_shifts_are_open(
        self, client: AsyncClient, session: AsyncSession, t: Till
    ) -> None:
        w = t.world
        till = await new_till(client, t)
        shift = await open_shift(client, t, till["id"], 0)
        sale = await open_check(client, t, items=[pizzas(t)])
        z = await client.post(t.url("/reports/z"), json={}, headers=t.manager.headers)
        assert z.status_code == 409
        assert problem_type(z) == "day-not-closable"
        body = z.json()
        assert body["open_checks"] == [
            {
                "check_id": sale["check"]["id"],
                "order_id": sale["order"]["id"],
                "table_id": w.table,
                "table_name": "T1",
            }
        ]
        assert body["open_shifts"] == [
            {"shift_id": shift["id"], "till_id": till["id"], "till_name": "Front"}
        ]
        ok(await pay(client, t, sale["check"]["id"], {"method": "cash", "tendered": 1650}), 201)
        only_shift = await client.post(t.url("/reports/z"), json={}, headers=t.manager.headers)
        assert only_shift.status_code == 409
        assert only_shift.json()["open_checks"] == []
        assert len(only_shift.json()["open_shifts"]) == 1
        assert await count(session, TillShift, restaurant_id=w.rid, status="open") == 1

    async def test_numbered_immutable_and_once_per_day(
        self, client: AsyncClient, session: AsyncSession, t: Till
    ) -> None:
        day = await _close_everything(client, t)
        shift = day["shift"]
        ok(await close(client, t, shift["id"], 12200), 200)  # type: ignore[index]
        before = await last_seq(session, t.world.rid)
        # a day closed earlier first: number 1
        earlier = (
            (utcnow() - timedelta(days=2)).astimezone(ZoneInfo(t.world.restaurant.time_zone)).date()
        )
        first = ok(
            await client.post(
                t.url("/reports/z"),
                json={"business_date": earlier.isoformat()},
                headers=t.manager.headers,
            ),
            201,
        )
        assert (first["number"], first["business_date"]) == (1, earlier.isoformat())
        assert first["report"]["orders"] == 0
        headers = {**t.manager.headers, "Idempotency-Key": "z-today"}
        z = ok(await client.post(t.url("/reports/z"), json={}, headers=headers), 201)
        replay = await client.post(t.url("/reports/z"), json={}, headers=headers)
        assert replay.status_code == 201
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert replay.json() == z
        assert z["number"] == 2
        assert z["business_date"] == today(t)
        assert z["taken_by"] == t.manager.user.id
        report = z["report"]
        assert (report["orders"], report["covers"], report["checks"]) == (2, 7, 2)
        assert report["tax_total"] == 450
        assert report["voids"] == {"count": 1, "amount": 300}
        (s,) = report["shifts"]
        assert (s["expected_cash"], s["counted_cash"], s["variance"]) == (12250, 12200, -50)
        assert (report["expected_cash"], report["counted_cash"], report["variance"]) == (
            12250,
            12200,
            -50,
        )
        assert await event_types(session, t.world.rid, before) == [
            "z_report.taken",
            "z_report.taken",
        ]
        (event,) = await events_of(session, t.world.rid, "z_report.taken", z["id"])
        assert event == {k: v for k, v in z.items() if k != "report"}
        # once per day
        second = await client.post(t.url("/reports/z"), json={}, headers=t.manager.headers)
        assert second.status_code == 409
        assert problem_type(second) == "z-report-exists"
        assert second.json()["number"] == 2
        # no shift opens on a closed day
        reopened = await client.post(
            t.url(f"/tills/{day['till']['id']}/shifts"),  # type: ignore[index]
            json={"opening_float": 0},
            headers=t.world.cashier.headers,
        )
        assert reopened.status_code == 409
        assert problem_type(reopened) == "day-closed"
        # listed latest first, fetched by number, never changed
        listed = ok(await client.get(t.url("/reports/z"), headers=t.manager.headers))
        assert listed["total"] == 2
        assert [i["number"] for i in listed["items"]] == [2, 1]
        fetched = ok(await client.get(t.url(f"/reports/z/{z['id']}"), headers=t.manager.headers))
        assert fetched == z
        url = t.url(f"/reports/z/{z['id']}")
        for method in ("PUT", "PATCH", "DELETE"):
            response = await client.request(method, url, json={}, headers=t.manager.headers)
            assert response.status_code == 405
        # an id no Z report has (ids are not per restaurant: another test's may remain)
        unknown = z["id"] + 1000
        assert (
            await client.get(t.url(f"/reports/z/{unknown}"), headers=t.manager.headers)
        ).status_code == 404

    async def test_future_date_permissions_and_other_restaurant(
        self, client: AsyncClient, t: Till
    ) -> None:
        future = (utcnow() + timedelta(days=3)).date().isoformat()
        bad = await client.post(
            t.url("/reports/z"), json={"business_date": future}, headers=t.manager.headers
        )
        assert bad.status_code == 422
        assert problem_type(bad) == "invalid-business-date"
        url = t.url("/reports/z")
        assert (await client.post(url, json={})).status_code == 401
        for who in (t.world.waiter, t.world.cashier):
            denied = await client.post(url, json={}, headers=who.headers)
            assert denied.status_code == 403
            assert (await client.get(url, headers=who.headers)).status_code == 403
        assert (await client.post(url, json={}, headers=t.other_owner.headers)).status_code == 404
        # the owner closes an empty day
        assert (await client.post(url, json={}, headers=t.world.owner.headers)).status_code == 201
