"""Devices, PINs and PIN sign-in through HTTP, on SQLite and PostgreSQL: registration
by a manager with a full login, a PIN valid only with a registered device's secret,
limits per person and per device, revocation and idle expiry."""

from __future__ import annotations

import asyncio
from typing import Any

import jwt
import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.devices.ratelimit import LIMITER_KEY, PinLimiter
from brigade.runtime import Runtime
from tests.devices.support import (
    API,
    MANAGER_PIN,
    WAITER_PIN,
    Pad,
    bearer,
    make_pad,
    pin_login,
    register,
)
from tests.orders.support import World, make_world, problem_type


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    return await make_world(session, runtime)


@pytest.fixture
async def pad(client: AsyncClient, world: World) -> Pad:
    return await make_pad(client, world)


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


class TestRegistration:
    async def test_unauthenticated(self, client: AsyncClient, world: World) -> None:
        response = await client.post(world.url("/devices"), json={"name": "T", "kind": "till"})
        assert response.status_code == 401

    async def test_other_restaurant(self, client: AsyncClient, world: World) -> None:
        response = await client.post(
            world.url("/devices"),
            json={"name": "T", "kind": "till"},
            headers=world.stranger.headers,
        )
        assert response.status_code == 404

    async def test_a_waiter_cannot_register_a_device(
        self, client: AsyncClient, world: World
    ) -> None:
        response = await client.post(
            world.url("/devices"), json={"name": "T", "kind": "till"}, headers=world.waiter.headers
        )
        assert response.status_code == 403

    async def test_the_secret_is_shown_once(self, client: AsyncClient, world: World) -> None:
        device = await register(client, world, kind="kitchen", name="Pass screen")
        assert device["secret"].startswith("brd_")
        assert device["secret"].startswith(device["prefix"])
        assert device["kind"] == "kitchen"
        listed = (await client.get(world.url("/devices"), headers=world.owner.headers)).json()
        assert listed["total"] == 1
        assert "secret" not in listed["items"][0]
        assert listed["items"][0]["name"] == "Pass screen"

    async def test_an_unknown_kind_is_refused(self, client: AsyncClient, world: World) -> None:
        response = await client.post(
            world.url("/devices"), json={"name": "T", "kind": "fridge"}, headers=world.owner.headers
        )
        assert response.status_code == 422

    async def test_a_pin_login_cannot_register_or_revoke(
        self, client: AsyncClient, pad: Pad
    ) -> None:
        w = pad.world
        login = (await pin_login(client, pad, w.owner.user.id, MANAGER_PIN)).json()
        refused = await client.post(
            w.url("/devices"),
            json={"name": "T", "kind": "till"},
            headers=bearer(login["access_token"]),
        )
        assert refused.status_code == 403
        assert problem_type(refused) == "full-login-required"
        revoke = await client.delete(
            w.url(f"/devices/{pad.device['id']}"), headers=bearer(login["access_token"])
        )
        assert problem_type(revoke) == "full-login-required"

    async def test_revoke_of_an_unknown_device_is_404(self, client: AsyncClient, pad: Pad) -> None:
        w = pad.world
        response = await client.delete(w.url("/devices/999999"), headers=w.owner.headers)
        assert response.status_code == 404
        stranger = await client.delete(
            w.url(f"/devices/{pad.device['id']}"), headers=w.stranger.headers
        )
        assert stranger.status_code == 404


class TestPins:
    async def test_a_member_sets_their_own_pin(self, client: AsyncClient, world: World) -> None:
        device = await register(client, world)
        response = await client.put(
            world.url("/pin"), json={"pin": "987654"}, headers=world.kitchen.headers
        )
        assert response.status_code == 204
        current = await client.get(
            f"{API}/devices/current", headers={"X-Brigade-Device": device["secret"]}
        )
        assert [s["user_id"] for s in current.json()["staff"]] == [world.kitchen.user.id]
        login = await client.post(
            f"{API}/devices/current/pin-login",
            json={"user_id": world.kitchen.user.id, "pin": "987654"},
            headers={"X-Brigade-Device": device["secret"]},
        )
        assert login.status_code == 200, login.text

    @pytest.mark.parametrize("pin", ["123", "1234567", "12a4", " 1234", ""])
    async def test_a_pin_is_4_to_6_digits(
        self, client: AsyncClient, world: World, pin: str
    ) -> None:
        response = await client.put(
            world.url("/pin"), json={"pin": pin}, headers=world.waiter.headers
        )
        assert response.status_code == 422

    async def test_a_waiter_cannot_set_anothers_pin(
        self, client: AsyncClient, world: World
    ) -> None:
        response = await client.put(
            world.url(f"/staff/{world.cashier.user.id}/pin"),
            json={"pin": "1111"},
            headers=world.waiter.headers,
        )
        assert response.status_code == 403

    async def test_no_pin_for_a_stranger(self, client: AsyncClient, world: World) -> None:
        response = await client.put(
            world.url(f"/staff/{world.stranger.user.id}/pin"),
            json={"pin": "1111"},
            headers=world.owner.headers,
        )
        assert response.status_code == 404


class TestPinLogin:
    async def test_the_device_lists_who_can_sign_in(self, client: AsyncClient, pad: Pad) -> None:
        response = await client.get(f"{API}/devices/current", headers=pad.headers)
        assert response.status_code == 200
        body = response.json()
        assert {s["user_id"] for s in body["staff"]} == {
            pad.world.owner.user.id,
            pad.world.waiter.user.id,
        }
        assert body["idle_seconds"] == 300  # a tablet's default
        assert body["device"]["id"] == pad.device["id"]

    async def test_a_pin_login_says_it_came_from_the_device(
        self, client: AsyncClient, pad: Pad
    ) -> None:
        w = pad.world
        response = await pin_login(client, pad, w.waiter.user.id, WAITER_PIN)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["device_id"] == pad.device["id"]
        assert body["restaurant_id"] == w.rid
        assert body["expires_in"] == 300
        assert claims(body["access_token"])["dev"] == pad.device["id"]
        orders = await client.get(w.orders_url, headers=bearer(body["access_token"]))
        assert orders.status_code == 200
        # a refresh keeps the device's claim and its idle time
        refreshed = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": body["refresh_token"]}
        )
        assert refreshed.status_code == 200
        assert refreshed.json()["expires_in"] == 300
        assert claims(refreshed.json()["access_token"])["dev"] == pad.device["id"]

    async def test_switching_user_is_another_pin_login(self, client: AsyncClient, pad: Pad) -> None:
        w = pad.world
        first = (await pin_login(client, pad, w.waiter.user.id, WAITER_PIN)).json()
        second = (await pin_login(client, pad, w.owner.user.id, MANAGER_PIN)).json()
        assert first["user"]["id"] == w.waiter.user.id
        assert second["user"]["id"] == w.owner.user.id

    async def test_refused_without_a_device_secret(self, client: AsyncClient, pad: Pad) -> None:
        response = await pin_login(client, pad, pad.world.waiter.user.id, WAITER_PIN, secret="")
        assert response.status_code == 403
        assert problem_type(response) == "device-not-registered"
        current = await client.get(f"{API}/devices/current")
        assert problem_type(current) == "device-not-registered"

    async def test_refused_on_an_unregistered_device(self, client: AsyncClient, pad: Pad) -> None:
        response = await pin_login(
            client, pad, pad.world.waiter.user.id, WAITER_PIN, secret="brd_not-a-device"
        )
        assert response.status_code == 403
        assert problem_type(response) == "device-not-registered"

    async def test_a_wrong_pin(self, client: AsyncClient, pad: Pad) -> None:
        response = await pin_login(client, pad, pad.world.waiter.user.id, "0000")
        assert response.status_code == 401
        assert problem_type(response) == "invalid-pin"

    async def test_no_pin_set_or_not_a_member(self, client: AsyncClient, pad: Pad) -> None:
        w = pad.world
        no_pin = await pin_login(client, pad, w.cashier.user.id, WAITER_PIN)
        assert problem_type(no_pin) == "invalid-pin"
        stranger = await pin_login(client, pad, w.stranger.user.id, WAITER_PIN)
        assert problem_type(stranger) == "invalid-pin"

    async def test_revoking_the_device_ends_its_logins(self, client: AsyncClient, pad: Pad) -> None:
        w = pad.world
        login = (await pin_login(client, pad, w.waiter.user.id, WAITER_PIN)).json()
        assert (await client.get(w.orders_url, headers=bearer(login["access_token"]))).is_success
        revoked = await client.delete(
            w.url(f"/devices/{pad.device['id']}"), headers=w.owner.headers
        )
        assert revoked.status_code == 204
        after = await client.get(w.orders_url, headers=bearer(login["access_token"]))
        assert after.status_code == 401
        refresh = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": login["refresh_token"]}
        )
        assert refresh.status_code == 401
        again = await pin_login(client, pad, w.waiter.user.id, WAITER_PIN)
        assert problem_type(again) == "device-not-registered"
        listed = (await client.get(w.url("/devices"), headers=w.owner.headers)).json()
        assert listed["items"][0]["revoked_at"] is not None


class TestLimits:
    async def test_per_person(self, client: AsyncClient, pad: Pad, runtime: Runtime) -> None:
        runtime.extras[LIMITER_KEY] = PinLimiter.for_rate("2/minute")
        w = pad.world
        for _ in range(2):
            assert (await pin_login(client, pad, w.waiter.user.id, "0000")).status_code == 401
        locked = await pin_login(client, pad, w.waiter.user.id, WAITER_PIN)
        assert locked.status_code == 429
        assert int(locked.headers["Retry-After"]) >= 1
        # another person on the same device is not locked out by it
        other = await pin_login(client, pad, w.owner.user.id, MANAGER_PIN)
        assert other.status_code == 200

    async def test_per_device(
        self, client: AsyncClient, pad: Pad, runtime: Runtime, session: AsyncSession
    ) -> None:
        runtime.extras[LIMITER_KEY] = PinLimiter.for_rate("1/minute")  # device: 4
        w = pad.world
        people = [w.waiter, w.kitchen, w.cashier, w.stranger]
        for person in people:
            assert (await pin_login(client, pad, person.user.id, "0000")).status_code == 401
        locked = await pin_login(client, pad, w.owner.user.id, MANAGER_PIN)
        assert locked.status_code == 429
        # the same person on another registered device is not
        other = await register(client, w, name="Tablet 2")
        elsewhere = await pin_login(
            client, pad, w.owner.user.id, MANAGER_PIN, secret=other["secret"]
        )
        assert elsewhere.status_code == 200


class TestIdle:
    async def test_idle_times_per_kind(self, client: AsyncClient, world: World) -> None:
        times = await client.get(world.url("/device-idle-times"), headers=world.waiter.headers)
        assert times.json() == {"till": 120, "tablet": 300, "kitchen": 1800}
        refused = await client.patch(
            world.url("/device-idle-times"), json={"till": 60}, headers=world.waiter.headers
        )
        assert refused.status_code == 403
        bad = await client.patch(
            world.url("/device-idle-times"), json={"till": 0}, headers=world.owner.headers
        )
        assert bad.status_code == 422
        changed = await client.patch(
            world.url("/device-idle-times"), json={"till": 60}, headers=world.owner.headers
        )
        assert changed.json() == {"till": 60, "tablet": 300, "kitchen": 1800}

    async def test_an_idle_device_signs_the_person_out(self, client: AsyncClient, pad: Pad) -> None:
        w = pad.world
        response = await client.patch(
            w.url("/device-idle-times"), json={"tablet": 1}, headers=w.owner.headers
        )
        assert response.status_code == 200
        login = (await pin_login(client, pad, w.waiter.user.id, WAITER_PIN)).json()
        assert login["idle_seconds"] == 1
        assert login["expires_in"] == 1
        await asyncio.sleep(2.1)
        after = await client.get(w.orders_url, headers=bearer(login["access_token"]))
        assert after.status_code == 401
        refresh = await client.post(
            f"{API}/auth/refresh", json={"refresh_token": login["refresh_token"]}
        )
        assert refresh.status_code == 401
