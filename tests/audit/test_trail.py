"""The audit trail through HTTP (SQLite and PostgreSQL): a void, a discount and its
manager's approval, a refund, a settings change and logins are each written with who,
when, from which address, before and after, in the unit of work of the change; the
trail is read by owners and managers only, filtered, and exported as CSV."""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.audit.models import AuditEntry
from brigade.auth.permissions import Role
from brigade.runtime import Runtime
from tests.factories import PASSWORD, Login, make_user, unique
from tests.orders.support import count, problem_type
from tests.tills.support import Till, make_till_world, ok, pay, pizzas

#: The client address of httpx's in-process transport.
ADDRESS = "127.0.0.1"
_keys = itertools.count(1)


def key() -> dict[str, str]:
    return {"Idempotency-Key": f"audit-{next(_keys)}"}


@pytest.fixture
async def t(session: AsyncSession, runtime: Runtime) -> Till:
    return await make_till_world(session, runtime)


@pytest.fixture
async def boss(session: AsyncSession, runtime: Runtime, t: Till) -> Login:
    """A manager with a password (for an approval given in the cashier's request)."""
    login = await make_user(session, runtime, restaurant=t.world.restaurant, role=Role.manager)
    await session.commit()
    return login


async def trail(
    client: AsyncClient, t: Till, who: Login | None = None, **params: Any
) -> list[dict[str, Any]]:
    body = ok(await client.get(t.url("/audit"), params=params, headers=(who or t.manager).headers))
    assert body["total"] >= len(body["items"])
    items: list[dict[str, Any]] = body["items"]
    return items


async def order(client: AsyncClient, t: Till, quantity: int = 1) -> dict[str, Any]:
    w = t.world
    return ok(
        await client.post(
            w.orders_url,
            json={"kind": "takeaway", "items": [pizzas(t, quantity)]},
            headers=w.waiter.headers,
        ),
        201,
    )


async def check(client: AsyncClient, t: Till, order_id: int) -> dict[str, Any]:
    return ok(
        await client.post(
            t.world.url(f"/orders/{order_id}/check"), headers=t.world.cashier.headers
        ),
        201,
    )


class TestVoid:
    async def test_a_void_names_the_waiter_the_address_the_line_and_the_reason(
        self, client: AsyncClient, t: Till, session: AsyncSession
    ) -> None:
        placed = await order(client, t, quantity=2)
        line = placed["items"][0]
        url = f"{t.world.orders_url}/{placed['id']}/items/{line['id']}/void"
        ok(await client.post(url, json={"reason": "guest left"}, headers=t.world.waiter.headers))

        (entry,) = await trail(client, t, kind="line.voided")
        assert entry["user_id"] == t.world.waiter.user.id
        assert entry["username"] == t.world.waiter.user.username
        assert entry["actor"] == f"user:{t.world.waiter.user.id}"
        assert entry["address"] == ADDRESS
        assert entry["subject"] == f"order_item:{line['id']}"
        assert entry["before"]["quantity"] == 2
        assert entry["before"]["name"] == line["name"]
        assert entry["after"] == {"status": "voided", "void_reason": "guest left"}
        assert entry["restaurant_id"] == t.world.rid
        at = datetime.fromisoformat(entry["at"])
        assert abs(datetime.now(UTC) - at) < timedelta(minutes=1)

    async def test_a_refused_void_leaves_no_entry(
        self, client: AsyncClient, t: Till, session: AsyncSession
    ) -> None:
        placed = await order(client, t)
        url = f"{t.world.orders_url}/{placed['id']}/items/{placed['items'][0]['id']}/void"
        ok(await client.post(url, json={"reason": "x"}, headers=t.world.waiter.headers))
        again = await client.post(url, json={"reason": "y"}, headers=t.world.waiter.headers)
        assert again.status_code == 409
        assert await count(session, AuditEntry, restaurant_id=t.world.rid) == 1


class TestDiscountApproval:
    async def test_the_discount_is_the_cashiers_and_the_approval_the_managers(
        self, client: AsyncClient, t: Till, boss: Login
    ) -> None:
        placed = await order(client, t)
        opened = await check(client, t, placed["id"])
        body = {
            "kind": "percent",
            "value": 5000,
            "reason": "birthday",
            "approval": {"username": boss.user.username, "password": PASSWORD},
        }
        url = t.world.url(f"/checks/{opened['id']}/discounts")
        discounted = ok(await client.post(url, json=body, headers=t.world.cashier.headers), 201)
        (discount,) = discounted["discounts"]

        entries = await trail(client, t, kind=["discount.added", "discount.approved"])
        by_kind = {e["kind"]: e for e in entries}
        assert set(by_kind) == {"discount.added", "discount.approved"}
        added, approved = by_kind["discount.added"], by_kind["discount.approved"]
        assert added["user_id"] == t.world.cashier.user.id
        assert added["address"] == ADDRESS
        assert added["before"] == {"discount_total": 0}
        assert added["after"]["amount"] == discount["amount"] == 750
        assert added["after"]["reason"] == "birthday"
        assert approved["user_id"] == boss.user.id
        assert approved["username"] == boss.user.username
        assert approved["address"] == ADDRESS
        assert approved["after"] == {
            "discount_id": discount["id"],
            "amount": 750,
            "approval_method": "password",
            "requested_by": t.world.cashier.user.id,
        }
        # filtered by person: the manager's approvals, not the cashier's discount
        mine = await trail(client, t, user_id=boss.user.id)
        assert [e["kind"] for e in mine] == ["discount.approved"]

    async def test_a_refused_approval_writes_nothing(
        self, client: AsyncClient, t: Till, boss: Login, session: AsyncSession
    ) -> None:
        opened = await check(client, t, (await order(client, t))["id"])
        body = {
            "kind": "percent",
            "value": 5000,
            "reason": "birthday",
            "approval": {"username": boss.user.username, "password": "not the password"},
        }
        url = t.world.url(f"/checks/{opened['id']}/discounts")
        refused = await client.post(url, json=body, headers=t.world.cashier.headers)
        assert refused.status_code == 403
        assert await count(session, AuditEntry, restaurant_id=t.world.rid) == 0


class TestRefund:
    async def test_a_refund_shows_what_was_refunded_before_and_after(
        self, client: AsyncClient, t: Till
    ) -> None:
        opened = await check(client, t, (await order(client, t))["id"])
        paid = ok(await pay(client, t, opened["id"], {"method": "card"}, t.world.cashier), 201)
        refund_url = t.url(f"/payments/{paid['id']}/refund")
        body = {"amount": 500, "reason": "cold"}
        ok(await client.post(refund_url, json=body, headers={**t.manager.headers, **key()}), 201)
        ok(await client.post(refund_url, json=body, headers={**t.manager.headers, **key()}), 201)

        second, first = await trail(client, t, kind="payment.refunded")
        assert first["user_id"] == second["user_id"] == t.manager.user.id
        assert first["address"] == ADDRESS
        assert first["subject"] == f"payment:{paid['id']}"
        assert first["before"] == {"amount": 1650, "refunded_total": 0, "voided": False}
        assert second["before"]["refunded_total"] == 500
        assert first["after"]["amount"] == 500
        assert first["after"]["reason"] == "cold"
        assert second["id"] > first["id"]


class TestSettingsAndStaff:
    async def test_a_settings_change_keeps_before_and_after(
        self, client: AsyncClient, t: Till
    ) -> None:
        body = {"tax_rate_bp": 700, "station_prep_targets": {"pizza": 600}}
        ok(await client.patch(t.url(""), json=body, headers=t.world.owner.headers))

        (entry,) = await trail(client, t, kind="settings.changed")
        assert entry["user_id"] == t.world.owner.user.id
        assert entry["before"] == {"tax_rate_bp": 1000, "station_prep_targets": {}}
        assert entry["after"] == body

    async def test_an_86_and_a_role_change(
        self, client: AsyncClient, t: Till, session: AsyncSession
    ) -> None:
        item = t.world.pizza.id
        ok(
            await client.put(
                t.world.url(f"/menu/items/{item}/availability"),
                json={"is_available": False},
                headers=t.world.kitchen.headers,
            )
        )
        ok(
            await client.patch(
                t.world.url(f"/staff/{t.world.waiter.user.id}"),
                json={"role": "cashier"},
                headers=t.world.owner.headers,
            )
        )
        (eighty_six,) = await trail(client, t, kind="item.86d")
        assert eighty_six["user_id"] == t.world.kitchen.user.id
        assert eighty_six["after"] == {"is_available": False}
        (role,) = await trail(client, t, kind="staff.changed")
        assert role["before"] == {"role": "waiter", "is_active": True}
        assert role["after"]["role"] == "cashier"


class TestReading:
    async def test_access(self, client: AsyncClient, t: Till) -> None:
        url = t.url("/audit")
        assert (await client.get(url)).status_code == 401
        assert (await client.get(url, headers=t.other_owner.headers)).status_code == 404
        for who in (t.world.waiter, t.world.cashier, t.world.kitchen):
            denied = await client.get(url, headers=who.headers)
            assert denied.status_code == 403
            assert problem_type(denied) == "permission-denied"
        assert (await client.get(url, headers=t.world.owner.headers)).status_code == 200

    async def test_the_other_restaurants_trail_is_not_shown(
        self, client: AsyncClient, t: Till
    ) -> None:
        ok(await client.patch(t.url(""), json={"name": "Renamed"}, headers=t.world.owner.headers))
        other = ok(
            await client.get(
                f"/api/v1/restaurants/{t.other_rid}/audit", headers=t.other_owner.headers
            )
        )
        assert other == {"items": [], "total": 0}

    async def test_filter_by_local_date_and_bad_ranges(self, client: AsyncClient, t: Till) -> None:
        ok(await client.patch(t.url(""), json={"name": "Renamed"}, headers=t.world.owner.headers))
        today = datetime.now(ZoneInfo(t.world.restaurant.time_zone)).date()
        assert len(await trail(client, t, start_date=today, end_date=today)) == 1
        tomorrow = today + timedelta(days=1)
        assert await trail(client, t, start_date=tomorrow) == []
        assert await trail(client, t, end_date=today - timedelta(days=1)) == []
        backwards = await client.get(
            t.url("/audit"),
            params={"start_date": tomorrow.isoformat(), "end_date": today.isoformat()},
            headers=t.manager.headers,
        )
        assert backwards.status_code == 422
        assert problem_type(backwards) == "invalid-date-range"
        unknown = await client.get(
            t.url("/audit"), params={"kind": "nonsense"}, headers=t.manager.headers
        )
        assert unknown.status_code == 422

    async def test_csv_has_the_same_entries(self, client: AsyncClient, t: Till) -> None:
        ok(await client.patch(t.url(""), json={"name": 'A, "B"'}, headers=t.world.owner.headers))
        ok(await client.patch(t.url(""), json={"tax_rate_bp": 0}, headers=t.world.owner.headers))
        as_json = await trail(client, t)
        by_format = await client.get(
            t.url("/audit"), params={"format": "csv"}, headers=t.manager.headers
        )
        by_accept = await client.get(
            t.url("/audit"), headers={**t.manager.headers, "Accept": "text/csv"}
        )
        for response in (by_format, by_accept):
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/csv")
            rows = list(csv.DictReader(io.StringIO(response.text)))
            assert [int(r["id"]) for r in rows] == [e["id"] for e in as_json]
            assert [r["kind"] for r in rows] == ["settings.changed"] * 2
            assert json.loads(rows[1]["after"]) == {"name": 'A, "B"'}
            assert rows[0]["username"] == t.world.owner.user.username
            assert rows[0]["address"] == ADDRESS


class TestLogins:
    async def test_logins_and_failed_ones_are_on_the_platform_trail(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime, t: Till
    ) -> None:
        user = await make_user(session, runtime, restaurant=t.world.restaurant, role=Role.waiter)
        admin = await make_user(session, runtime, is_admin=True)
        await session.commit()
        name = user.user.username
        nobody_name = unique("nobody-here")
        good = await client.post(
            "/api/v1/auth/login", json={"username": name, "password": PASSWORD}
        )
        assert good.status_code == 200
        bad = await client.post(
            "/api/v1/auth/login", json={"username": name, "password": "wrong password"}
        )
        assert bad.status_code == 401
        assert problem_type(bad) == "invalid-credentials"
        nobody = await client.post(
            "/api/v1/auth/login", json={"username": nobody_name, "password": "whatever1"}
        )
        assert nobody.status_code == 401

        # (other tests' logins may be on the platform's trail too: only this test's)
        ours = {nobody_name, name, f"user:{user.user.id}"}
        body = ok(await client.get("/api/v1/audit", headers=admin.headers))
        items = [e for e in body["items"] if e["actor"] in ours]
        kinds = [(e["kind"], e["actor"], e["user_id"]) for e in items]
        assert kinds == [
            ("login.failed", nobody_name, None),
            ("login.failed", name, None),
            ("login", f"user:{user.user.id}", user.user.id),
        ]
        assert {e["address"] for e in items} == {ADDRESS}
        assert all(e["restaurant_id"] is None for e in items)
        # not on the restaurant's trail, and not for an owner to read
        assert await trail(client, t, kind=["login", "login.failed"]) == []
        denied = await client.get("/api/v1/audit", headers=t.world.owner.headers)
        assert denied.status_code == 403
        assert (await client.get("/api/v1/audit")).status_code == 401
        failed = ok(
            await client.get(
                "/api/v1/audit", params={"kind": "login.failed"}, headers=admin.headers
            )
        )
        assert {e["kind"] for e in failed["items"]} == {"login.failed"}
        assert {nobody_name, name} <= {e["actor"] for e in failed["items"]}

    async def test_the_platform_csv_never_hands_a_spreadsheet_a_formula(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        admin = await make_user(session, runtime, is_admin=True)
        await session.commit()
        tried = '=HYPERLINK("http://x")'
        bad = await client.post("/api/v1/auth/login", json={"username": tried, "password": "x"})
        assert bad.status_code == 401
        exported = await client.get(
            "/api/v1/audit", params={"format": "csv", "kind": "login.failed"}, headers=admin.headers
        )
        assert exported.status_code == 200
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        (row,) = [r for r in rows if tried in r["actor"]]
        assert row["actor"] == "'" + tried
        assert row["kind"] == "login.failed"
