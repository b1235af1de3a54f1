"""HTTP tests of R/staff: list, add (new or existing user), change role, remove."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.models import User
from brigade.auth.permissions import Role
from brigade.events.models import OutboxEvent
from brigade.restaurants.models import Membership, Restaurant
from brigade.restaurants.service import add_member
from brigade.runtime import Runtime
from tests.factories import PASSWORD, make_restaurant, make_user, unique

API = "/api/v1"


def problem_type(response: Response) -> str:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return str(response.json()["type"]).rsplit("/", 1)[-1]


def staff_url(restaurant: Restaurant, user_id: int | None = None) -> str:
    base = f"{API}/restaurants/{restaurant.id}/staff"
    return base if user_id is None else f"{base}/{user_id}"


async def role_of(session: AsyncSession, restaurant: Restaurant, user_id: int) -> str | None:
    role: str | None = await session.scalar(
        select(Membership.role).where(
            Membership.restaurant_id == restaurant.id, Membership.user_id == user_id
        )
    )
    return role


async def staff_events(session: AsyncSession, restaurant: Restaurant) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(OutboxEvent.payload)
        .where(OutboxEvent.restaurant_id == restaurant.id, OutboxEvent.type == "staff.updated")
        .order_by(OutboxEvent.seq)
    )
    return list(rows.all())


async def member_count(session: AsyncSession, restaurant: Restaurant) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.restaurant_id == restaurant.id)
        )
        or 0
    )


class TestListStaff:
    async def test_unauthenticated(self, client: AsyncClient, session: AsyncSession) -> None:
        restaurant = await make_restaurant(session)

        assert (await client.get(staff_url(restaurant))).status_code == 401

    async def test_other_restaurant(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        other = await make_restaurant(session)
        stranger = await make_user(session, runtime, restaurant=other, role=Role.owner)

        assert (
            await client.get(staff_url(restaurant), headers=stranger.headers)
        ).status_code == 404

    async def test_role_without_permission(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        waiter = await make_user(session, runtime, restaurant=restaurant, role=Role.waiter)

        response = await client.get(staff_url(restaurant), headers=waiter.headers)

        assert response.status_code == 403

    async def test_lists_members_with_roles(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        other = await make_restaurant(session)
        owner = await make_user(
            session, runtime, restaurant=restaurant, role=Role.owner, username=unique("a-owner")
        )
        cook = await make_user(
            session, runtime, restaurant=restaurant, role=Role.kitchen, username=unique("b-cook")
        )
        await make_user(session, runtime, restaurant=other, role=Role.waiter)

        response = await client.get(staff_url(restaurant), headers=owner.headers)

        assert response.status_code == 200
        body = response.json()
        assert body["total"] == 2
        assert [(m["user_id"], m["role"]) for m in body["items"]] == [
            (owner.user.id, "owner"),
            (cook.user.id, "kitchen"),
        ]
        assert body["items"][1]["username"] == cook.user.username
        assert body["items"][1]["is_active"] is True
        assert "password_hash" not in body["items"][0]


class TestAddStaff:
    async def test_unauthenticated(self, client: AsyncClient, session: AsyncSession) -> None:
        restaurant = await make_restaurant(session)

        response = await client.post(
            staff_url(restaurant), json={"username": "x", "password": PASSWORD, "role": "waiter"}
        )

        assert response.status_code == 401

    async def test_other_restaurant(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        other = await make_restaurant(session)
        stranger = await make_user(session, runtime, restaurant=other, role=Role.owner)
        before = await member_count(session, restaurant)

        response = await client.post(
            staff_url(restaurant),
            json={"username": unique("w"), "password": PASSWORD, "role": "waiter"},
            headers=stranger.headers,
        )

        assert response.status_code == 404
        assert await member_count(session, restaurant) == before

    async def test_role_without_permission(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        cashier = await make_user(session, runtime, restaurant=restaurant, role=Role.cashier)

        response = await client.post(
            staff_url(restaurant),
            json={"username": unique("w"), "password": PASSWORD, "role": "waiter"},
            headers=cashier.headers,
        )

        assert response.status_code == 403

    async def test_creates_a_user_who_can_log_in(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        manager = await make_user(session, runtime, restaurant=restaurant, role=Role.manager)
        username = unique("waiter")

        response = await client.post(
            staff_url(restaurant),
            json={
                "username": username,
                "password": PASSWORD,
                "full_name": "Wendy",
                "role": "waiter",
            },
            headers=manager.headers,
        )

        assert response.status_code == 201, response.text
        member = response.json()
        assert (member["username"], member["full_name"], member["role"]) == (
            username,
            "Wendy",
            "waiter",
        )
        login = await client.post(
            f"{API}/auth/login", json={"username": username, "password": PASSWORD}
        )
        assert login.status_code == 200
        recorded = await staff_events(session, restaurant)
        assert recorded == [{"action": "added", "member": member}]

    async def test_the_platform_admin_adds_an_existing_user_without_touching_their_password(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        elsewhere = await make_restaurant(session)
        admin = await make_user(session, runtime, is_admin=True)
        existing = await make_user(session, runtime, restaurant=elsewhere, role=Role.waiter)
        hash_before = existing.user.password_hash

        response = await client.post(
            staff_url(restaurant),
            json={
                "username": existing.user.username,
                "password": "another password",
                "role": "cashier",
            },
            headers=admin.headers,
        )

        assert response.status_code == 201, response.text
        assert response.json()["user_id"] == existing.user.id
        assert await role_of(session, restaurant, existing.user.id) == "cashier"
        assert await role_of(session, elsewhere, existing.user.id) == "waiter"
        stored = await session.scalar(select(User.password_hash).where(User.id == existing.user.id))
        assert stored == hash_before

    @pytest.mark.parametrize("role", [Role.owner, Role.manager])
    async def test_an_owner_or_manager_cannot_attach_another_restaurants_login(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime, role: Role
    ) -> None:
        restaurant = await make_restaurant(session)
        elsewhere = await make_restaurant(session, name=unique("Chez Elsewhere"))
        boss = await make_user(session, runtime, restaurant=restaurant, role=role)
        existing = await make_user(session, runtime, restaurant=elsewhere, role=Role.waiter)
        hash_before = existing.user.password_hash
        before = await member_count(session, restaurant)

        attach = await client.post(
            staff_url(restaurant),
            json={"username": existing.user.username, "role": "waiter"},
            headers=boss.headers,
        )
        create = await client.post(
            staff_url(restaurant),
            json={"username": existing.user.username, "password": PASSWORD, "role": "waiter"},
            headers=boss.headers,
        )

        assert attach.status_code == 422
        assert problem_type(attach) == "password-required"
        assert create.status_code == 409
        assert problem_type(create) == "username-taken"
        detail = create.json()["detail"]
        assert "taken" in detail
        assert elsewhere.name not in create.text
        # No member names the user's id (the username and the URL may hold its digits).
        told = {k: v for k, v in create.json().items() if k != "instance"}
        told_text = json.dumps(told).replace(existing.user.username, "")
        assert re.search(rf"\b{existing.user.id}\b", told_text) is None
        assert await role_of(session, restaurant, existing.user.id) is None
        assert await member_count(session, restaurant) == before
        assert await role_of(session, elsewhere, existing.user.id) == "waiter"
        stored = await session.scalar(select(User.password_hash).where(User.id == existing.user.id))
        assert stored == hash_before
        assert await staff_events(session, restaurant) == []

    async def test_an_owner_learns_nothing_of_a_username_without_a_valid_password(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        elsewhere = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        existing = await make_user(session, runtime, restaurant=elsewhere, role=Role.waiter)
        fresh = unique("nobody-yet")

        async def answer(username: str, extra: dict[str, str]) -> tuple[int, Any]:
            response = await client.post(
                staff_url(restaurant),
                json={"username": username, "role": "waiter", **extra},
                headers=owner.headers,
            )
            return response.status_code, response.json()

        for extra in ({}, {"password": "12345678"}):
            taken = await answer(existing.user.username, extra)
            free = await answer(fresh, extra)
            assert taken[0] == 422, taken
            assert taken == free
        assert await session.scalar(select(User.id).where(User.username == fresh)) is None

    @pytest.mark.parametrize(
        "password",
        ["        ", "12345678", "password", "PassWord", "Sunshine", "abc1234", "   abc1234   "],
    )
    async def test_weak_passwords_are_refused(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime, password: str
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        username = unique("w")

        response = await client.post(
            staff_url(restaurant),
            json={"username": username, "password": password, "role": "waiter"},
            headers=owner.headers,
        )

        assert response.status_code == 422, response.text
        assert problem_type(response) == "weak-password"
        assert response.json()["detail"]
        assert await session.scalar(select(User.id).where(User.username == username)) is None
        assert await staff_events(session, restaurant) == []

    async def test_a_strong_password_passes(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        username = unique("w")

        response = await client.post(
            staff_url(restaurant),
            json={"username": username, "password": "Tuesday pans 4 Lucia", "role": "waiter"},
            headers=owner.headers,
        )

        assert response.status_code == 201, response.text
        login = await client.post(
            f"{API}/auth/login", json={"username": username, "password": "Tuesday pans 4 Lucia"}
        )
        assert login.status_code == 200

    async def test_already_a_member(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        waiter = await make_user(session, runtime, restaurant=restaurant, role=Role.waiter)

        response = await client.post(
            staff_url(restaurant),
            json={"username": waiter.user.username, "role": "manager"},
            headers=owner.headers,
        )

        assert response.status_code == 409
        assert problem_type(response) == "already-member"
        assert await role_of(session, restaurant, waiter.user.id) == "waiter"

    async def test_new_user_needs_a_password(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        username = unique("w")

        missing = await client.post(
            staff_url(restaurant),
            json={"username": username, "role": "waiter"},
            headers=owner.headers,
        )
        weak = await client.post(
            staff_url(restaurant),
            json={"username": username, "password": "1234", "role": "waiter"},
            headers=owner.headers,
        )

        assert missing.status_code == 422
        assert problem_type(missing) == "password-required"
        assert weak.status_code == 422
        assert problem_type(weak) == "weak-password"
        assert await session.scalar(select(User.id).where(User.username == username)) is None
        assert await staff_events(session, restaurant) == []

    async def test_unknown_role(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)

        response = await client.post(
            staff_url(restaurant),
            json={"username": unique("w"), "password": PASSWORD, "role": "boss"},
            headers=owner.headers,
        )

        assert response.status_code == 422
        assert problem_type(response) == "validation-error"

    async def test_manager_cannot_add_an_owner(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        manager = await make_user(session, runtime, restaurant=restaurant, role=Role.manager)
        username = unique("o")

        response = await client.post(
            staff_url(restaurant),
            json={"username": username, "password": PASSWORD, "role": "owner"},
            headers=manager.headers,
        )

        assert response.status_code == 403
        assert problem_type(response) == "owner-only"
        assert await session.scalar(select(User.id).where(User.username == username)) is None

    async def test_owner_and_admin_can_add_an_owner(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        admin = await make_user(session, runtime, is_admin=True)

        for login in (owner, admin):
            response = await client.post(
                staff_url(restaurant),
                json={"username": unique("o"), "password": PASSWORD, "role": "owner"},
                headers=login.headers,
            )
            assert response.status_code == 201, response.text
            assert response.json()["role"] == "owner"


class TestUpdateStaff:
    async def test_unauthenticated(self, client: AsyncClient, session: AsyncSession) -> None:
        restaurant = await make_restaurant(session)

        response = await client.patch(staff_url(restaurant, 1), json={"role": "waiter"})

        assert response.status_code == 401

    async def test_other_restaurant(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        other = await make_restaurant(session)
        waiter = await make_user(session, runtime, restaurant=restaurant, role=Role.waiter)
        stranger = await make_user(session, runtime, restaurant=other, role=Role.owner)

        response = await client.patch(
            staff_url(restaurant, waiter.user.id),
            json={"role": "manager"},
            headers=stranger.headers,
        )

        assert response.status_code == 404
        assert await role_of(session, restaurant, waiter.user.id) == "waiter"

    async def test_member_of_another_restaurant_is_not_found_here(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        other = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        elsewhere = await make_user(session, runtime, restaurant=other, role=Role.waiter)

        response = await client.patch(
            staff_url(restaurant, elsewhere.user.id),
            json={"role": "manager"},
            headers=owner.headers,
        )

        assert response.status_code == 404
        assert await role_of(session, other, elsewhere.user.id) == "waiter"

    async def test_role_without_permission(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        waiter = await make_user(session, runtime, restaurant=restaurant, role=Role.waiter)

        response = await client.patch(
            staff_url(restaurant, waiter.user.id), json={"role": "manager"}, headers=waiter.headers
        )

        assert response.status_code == 403
        assert await role_of(session, restaurant, waiter.user.id) == "waiter"

    async def test_changes_the_role(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        manager = await make_user(session, runtime, restaurant=restaurant, role=Role.manager)
        waiter = await make_user(session, runtime, restaurant=restaurant, role=Role.waiter)

        response = await client.patch(
            staff_url(restaurant, waiter.user.id), json={"role": "cashier"}, headers=manager.headers
        )

        assert response.status_code == 200, response.text
        assert response.json()["role"] == "cashier"
        assert await role_of(session, restaurant, waiter.user.id) == "cashier"
        staff_list = await client.get(
            f"{API}/restaurants/{restaurant.id}/staff", headers=waiter.headers
        )
        assert staff_list.status_code == 403  # a cashier still has no staff:read
        recorded = await staff_events(session, restaurant)
        assert [e["action"] for e in recorded] == ["updated"]
        assert recorded[0]["member"]["role"] == "cashier"

    async def test_manager_cannot_touch_an_owner(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        manager = await make_user(session, runtime, restaurant=restaurant, role=Role.manager)

        demote = await client.patch(
            staff_url(restaurant, owner.user.id), json={"role": "waiter"}, headers=manager.headers
        )
        promote_self = await client.patch(
            staff_url(restaurant, manager.user.id), json={"role": "owner"}, headers=manager.headers
        )

        assert demote.status_code == 403
        assert problem_type(demote) == "owner-only"
        assert promote_self.status_code == 403
        assert await role_of(session, restaurant, owner.user.id) == "owner"
        assert await role_of(session, restaurant, manager.user.id) == "manager"

    async def test_last_owner_cannot_be_demoted(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)

        response = await client.patch(
            staff_url(restaurant, owner.user.id), json={"role": "manager"}, headers=owner.headers
        )

        assert response.status_code == 409
        assert problem_type(response) == "last-owner"
        assert await role_of(session, restaurant, owner.user.id) == "owner"
        assert await staff_events(session, restaurant) == []

    async def test_an_owner_can_step_down_when_another_remains(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        await make_user(session, runtime, restaurant=restaurant, role=Role.owner)

        response = await client.patch(
            staff_url(restaurant, owner.user.id), json={"role": "manager"}, headers=owner.headers
        )

        assert response.status_code == 200
        assert await role_of(session, restaurant, owner.user.id) == "manager"


class TestRemoveStaff:
    async def test_unauthenticated(self, client: AsyncClient, session: AsyncSession) -> None:
        restaurant = await make_restaurant(session)

        assert (await client.delete(staff_url(restaurant, 1))).status_code == 401

    async def test_other_restaurant(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        other = await make_restaurant(session)
        waiter = await make_user(session, runtime, restaurant=restaurant, role=Role.waiter)
        stranger = await make_user(session, runtime, restaurant=other, role=Role.owner)

        response = await client.delete(
            staff_url(restaurant, waiter.user.id), headers=stranger.headers
        )

        assert response.status_code == 404
        assert await role_of(session, restaurant, waiter.user.id) == "waiter"

    async def test_role_without_permission(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        kitchen = await make_user(session, runtime, restaurant=restaurant, role=Role.kitchen)
        waiter = await make_user(session, runtime, restaurant=restaurant, role=Role.waiter)

        response = await client.delete(
            staff_url(restaurant, waiter.user.id), headers=kitchen.headers
        )

        assert response.status_code == 403
        assert await role_of(session, restaurant, waiter.user.id) == "waiter"

    async def test_removes_the_member_but_keeps_the_user(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        other = await make_restaurant(session)
        manager = await make_user(session, runtime, restaurant=restaurant, role=Role.manager)
        waiter = await make_user(session, runtime, restaurant=restaurant, role=Role.waiter)
        await add_member(session, other.id, waiter.user.id, Role.waiter)

        response = await client.delete(
            staff_url(restaurant, waiter.user.id), headers=manager.headers
        )

        assert response.status_code == 204
        assert await role_of(session, restaurant, waiter.user.id) is None
        assert await role_of(session, other, waiter.user.id) == "waiter"
        lost = await client.get(f"{API}/restaurants/{restaurant.id}", headers=waiter.headers)
        assert lost.status_code == 404
        recorded = await staff_events(session, restaurant)
        assert [(e["action"], e["member"]["user_id"]) for e in recorded] == [
            ("removed", waiter.user.id)
        ]

    async def test_not_a_member(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)

        response = await client.delete(staff_url(restaurant, 999_999), headers=owner.headers)

        assert response.status_code == 404

    async def test_last_owner_cannot_be_removed(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        admin = await make_user(session, runtime, is_admin=True)

        response = await client.delete(staff_url(restaurant, owner.user.id), headers=admin.headers)

        assert response.status_code == 409
        assert problem_type(response) == "last-owner"
        assert await role_of(session, restaurant, owner.user.id) == "owner"

    async def test_manager_cannot_remove_an_owner(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        first = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        manager = await make_user(session, runtime, restaurant=restaurant, role=Role.manager)

        response = await client.delete(
            staff_url(restaurant, first.user.id), headers=manager.headers
        )

        assert response.status_code == 403
        assert problem_type(response) == "owner-only"
        assert await role_of(session, restaurant, first.user.id) == "owner"

    async def test_an_owner_removes_another_owner(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        first = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        second = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)

        response = await client.delete(staff_url(restaurant, second.user.id), headers=first.headers)

        assert response.status_code == 204
        assert await role_of(session, restaurant, second.user.id) is None
