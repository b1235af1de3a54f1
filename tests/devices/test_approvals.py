"""A manager's PIN approval (and the void rules it serves) through HTTP, on SQLite and
PostgreSQL: void reasons from the restaurant's list, a void after preparation refused
without a manager and accepted with a manager's PIN on a registered device, the kitchen
seeing the void at once, and a discount beyond the threshold approved by PIN."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.runtime import Runtime
from tests.devices.support import MANAGER_PIN, WAITER_PIN, Pad, make_pad
from tests.orders.floor_support import get_order, line, send, station_step, tickets_of
from tests.orders.support import World, make_world, open_order, problem_type, snapshot


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    return await make_world(session, runtime)


@pytest.fixture
async def pad(client: AsyncClient, world: World) -> Pad:
    return await make_pad(client, world)


async def started_line(client: AsyncClient, world: World) -> tuple[dict[str, Any], int]:
    """An order with one pizza sent and started by the kitchen: (order, line id)."""
    order = await open_order(client, world, items=[line(world)])
    await send(client, world, order["id"])
    await station_step(client, world, order["id"], "pizza", "start")
    fresh = await get_order(client, world, order["id"])
    assert fresh["items"][0]["status"] == "preparing"
    return fresh, fresh["items"][0]["id"]


def void_url(world: World, order: dict[str, Any], item_id: int) -> str:
    return f"{world.orders_url}/{order['id']}/items/{item_id}/void"


def pin_approval(pad: Pad, pin: str = MANAGER_PIN, who: int | None = None) -> dict[str, Any]:
    return {"method": "pin", "approver_id": who or pad.world.owner.user.id, "pin": pin}


class TestVoidReasons:
    async def test_free_text_while_the_list_is_empty(
        self, client: AsyncClient, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world)])
        response = await client.post(
            void_url(world, order, order["items"][0]["id"]),
            json={"reason": "guest left early"},
            headers=world.waiter.headers,
        )
        assert response.status_code == 200, response.text
        assert response.json()["items"][0]["void_reason"] == "guest left early"

    async def test_reasons_from_the_restaurants_list(
        self, client: AsyncClient, world: World, session: AsyncSession
    ) -> None:
        reasons = ["Wrong item entered", "Guest changed mind", "wrong item entered"]
        patched = await client.patch(
            world.url(""), json={"void_reasons": reasons}, headers=world.owner.headers
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["void_reasons"] == ["Wrong item entered", "Guest changed mind"]
        order = await open_order(client, world, items=[line(world)])
        url = void_url(world, order, order["items"][0]["id"])
        before = await snapshot(session, world.rid)
        refused = await client.post(
            url, json={"reason": "I felt like it"}, headers=world.waiter.headers
        )
        assert refused.status_code == 422
        assert problem_type(refused) == "unknown-void-reason"
        assert refused.json()["void_reasons"] == ["Wrong item entered", "Guest changed mind"]
        assert await snapshot(session, world.rid) == before
        accepted = await client.post(
            url, json={"reason": "guest changed MIND"}, headers=world.waiter.headers
        )
        assert accepted.status_code == 200
        assert accepted.json()["items"][0]["void_reason"] == "Guest changed mind"

    async def test_a_waiter_cannot_set_the_list(self, client: AsyncClient, world: World) -> None:
        response = await client.patch(
            world.url(""), json={"void_reasons": ["x"]}, headers=world.waiter.headers
        )
        assert response.status_code == 403


class TestVoidAfterPreparation:
    async def test_a_fired_line_not_started_needs_no_approval(
        self, client: AsyncClient, world: World
    ) -> None:
        order = await open_order(client, world, items=[line(world)])
        await send(client, world, order["id"])
        response = await client.post(
            void_url(world, order, order["items"][0]["id"]),
            json={"reason": "wrong table"},
            headers=world.waiter.headers,
        )
        assert response.status_code == 200
        assert response.json()["items"][0]["void_approval_method"] is None

    async def test_refused_without_a_manager(
        self, client: AsyncClient, world: World, session: AsyncSession
    ) -> None:
        order, item_id = await started_line(client, world)
        before = await snapshot(session, world.rid)
        response = await client.post(
            void_url(world, order, item_id), json={"reason": "burnt"}, headers=world.waiter.headers
        )
        assert response.status_code == 403
        assert problem_type(response) == "void-approval-required"
        assert response.json()["line_status"] == "preparing"
        assert await snapshot(session, world.rid) == before

    async def test_a_manager_voids_it_on_their_own(self, client: AsyncClient, world: World) -> None:
        order, item_id = await started_line(client, world)
        response = await client.post(
            void_url(world, order, item_id), json={"reason": "burnt"}, headers=world.owner.headers
        )
        assert response.status_code == 200
        voided = response.json()["items"][0]
        assert voided["void_approval_method"] == "permission"
        assert voided["void_approved_by"] == world.owner.user.id

    async def test_a_managers_pin_off_a_registered_device_is_refused(
        self, client: AsyncClient, pad: Pad, session: AsyncSession
    ) -> None:
        w = pad.world
        order, item_id = await started_line(client, w)
        before = await snapshot(session, w.rid)
        body = {"reason": "burnt", "approval": pin_approval(pad)}
        no_device = await client.post(
            void_url(w, order, item_id), json=body, headers=w.waiter.headers
        )
        assert no_device.status_code == 403
        assert problem_type(no_device) == "approval-invalid"
        unknown = await client.post(
            void_url(w, order, item_id),
            json=body,
            headers={**w.waiter.headers, "X-Brigade-Device": "brd_unknown"},
        )
        assert problem_type(unknown) == "approval-invalid"
        assert await snapshot(session, w.rid) == before

    async def test_a_wrong_pin_or_a_waiters_pin_is_refused(
        self, client: AsyncClient, pad: Pad
    ) -> None:
        w = pad.world
        order, item_id = await started_line(client, w)
        headers = {**w.waiter.headers, **pad.headers}
        wrong = await client.post(
            void_url(w, order, item_id),
            json={"reason": "burnt", "approval": pin_approval(pad, "9999")},
            headers=headers,
        )
        assert wrong.status_code == 403
        assert problem_type(wrong) == "approval-invalid"
        waiter = await client.post(
            void_url(w, order, item_id),
            json={"reason": "burnt", "approval": pin_approval(pad, WAITER_PIN, w.waiter.user.id)},
            headers=headers,
        )
        assert problem_type(waiter) == "approval-invalid"
        assert "not a manager" in waiter.json()["detail"]

    async def test_accepted_with_a_managers_pin_and_the_kitchen_sees_it(
        self, client: AsyncClient, pad: Pad
    ) -> None:
        w = pad.world
        order, item_id = await started_line(client, w)
        response = await client.post(
            void_url(w, order, item_id),
            json={"reason": "burnt", "approval": pin_approval(pad)},
            headers={**w.waiter.headers, **pad.headers},
        )
        assert response.status_code == 200, response.text
        voided = response.json()["items"][0]
        assert voided["status"] == "voided"
        assert voided["void_approval_method"] == "pin"
        assert voided["void_approved_by"] == w.owner.user.id
        assert voided["voided_at"] is not None
        (ticket,) = await tickets_of(client, w, order["id"])
        assert ticket["items"][0]["voided"] is True

    async def test_a_malformed_approval_is_422(self, client: AsyncClient, pad: Pad) -> None:
        w = pad.world
        order, item_id = await started_line(client, w)
        for approval in (
            {"method": "pin", "approver_id": w.owner.user.id, "pin": "12"},
            {"method": "fingerprint"},
            {"method": "pin", "username": "x", "password": "y"},
        ):
            response = await client.post(
                void_url(w, order, item_id),
                json={"reason": "burnt", "approval": approval},
                headers={**w.waiter.headers, **pad.headers},
            )
            assert response.status_code == 422, approval


class TestDiscountByPin:
    async def test_a_discount_beyond_the_threshold_approved_by_pin(
        self, client: AsyncClient, pad: Pad
    ) -> None:
        w = pad.world
        order = await open_order(client, w, items=[line(w)])
        check = await client.post(f"{w.orders_url}/{order['id']}/check", headers=w.cashier.headers)
        assert check.status_code == 201, check.text
        url = w.url(f"/checks/{check.json()['id']}/discounts")
        body = {"kind": "percent", "value": 5000, "reason": "regular"}
        refused = await client.post(url, json=body, headers=w.cashier.headers)
        assert problem_type(refused) == "discount-approval-required"
        off_device = await client.post(
            url, json={**body, "approval": pin_approval(pad)}, headers=w.cashier.headers
        )
        assert problem_type(off_device) == "approval-invalid"
        approved = await client.post(
            url,
            json={**body, "approval": pin_approval(pad)},
            headers={**w.cashier.headers, **pad.headers},
        )
        assert approved.status_code == 201, approved.text
        (discount,) = approved.json()["discounts"]
        assert discount["approval_method"] == "pin"
        assert discount["approved_by"] == w.owner.user.id
        assert discount["approved_at"] is not None
