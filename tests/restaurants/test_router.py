"""HTTP tests of /restaurants and R (settings)."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.models import User
from brigade.auth.permissions import Role
from brigade.events.models import OutboxEvent
from brigade.restaurants.models import Membership, Restaurant
from brigade.runtime import Runtime
from tests.factories import PASSWORD, make_restaurant, make_user, unique

API = "/api/v1"

#: The billing settings of a new restaurant.
BILLING_DEFAULTS = {
    "service_charge_bp": 0,
    "service_charge_min_covers": 0,
    "service_charge_taxable": False,
    "cash_rounding_unit": 1,
    "discount_approval_bp": 2000,
}
#: The service settings of a new restaurant (tests/restaurants/test_settings.py).
SERVICE_DEFAULTS = {
    "opening_hours": [],
    "station_prep_targets": {},
    "features": {"coursing": True, "tips": True, "loyalty": False, "guest_ordering": False},
}


def problem_type(response: Response) -> str:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return str(response.json()["type"]).rsplit("/", 1)[-1]


def url(restaurant: Restaurant | int) -> str:
    rid = restaurant if isinstance(restaurant, int) else restaurant.id
    return f"{API}/restaurants/{rid}"


def new_restaurant(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Pizza Place",
        "slug": unique("pizza"),
        "currency": "usd",
        "time_zone": "America/New_York",
        "tax_rate_bp": 825,
        "tax_inclusive": False,
    }
    body.update(overrides)
    return body


async def restaurant_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Restaurant)) or 0)


async def events(session: AsyncSession, restaurant_id: int, type_: str) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(OutboxEvent.payload)
        .where(OutboxEvent.restaurant_id == restaurant_id, OutboxEvent.type == type_)
        .order_by(OutboxEvent.seq)
    )
    return list(rows.all())


class TestCreateRestaurant:
    async def test_unauthenticated(self, client: AsyncClient) -> None:
        response = await client.post(f"{API}/restaurants", json=new_restaurant())

        assert response.status_code == 401

    async def test_only_the_platform_admin(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        before = await restaurant_count(session)

        response = await client.post(
            f"{API}/restaurants", json=new_restaurant(), headers=owner.headers
        )

        assert response.status_code == 403
        assert problem_type(response) == "admin-only"
        assert await restaurant_count(session) == before

    async def test_admin_creates_a_restaurant(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        admin = await make_user(session, runtime, is_admin=True)
        body = new_restaurant()

        response = await client.post(f"{API}/restaurants", json=body, headers=admin.headers)

        assert response.status_code == 201, response.text
        created = response.json()
        assert created == {
            "id": created["id"],
            "name": "Pizza Place",
            "slug": body["slug"],
            "currency": "USD",
            "time_zone": "America/New_York",
            "tax_rate_bp": 825,
            "tax_inclusive": False,
            **BILLING_DEFAULTS,
            "address": "",
            "locale": "en_US",
            "void_reasons": [],
            "course_auto_fire_minutes": 0,
            **SERVICE_DEFAULTS,
            "quick_notes": [],
        }
        read = await client.get(url(created["id"]), headers=admin.headers)
        assert read.json() == created

    async def test_with_a_new_owner_who_can_log_in(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        admin = await make_user(session, runtime, is_admin=True)
        username = unique("owner")

        response = await client.post(
            f"{API}/restaurants",
            json=new_restaurant(
                owner={"username": username, "password": PASSWORD, "full_name": "Olga"}
            ),
            headers=admin.headers,
        )

        assert response.status_code == 201, response.text
        tokens = await client.post(
            f"{API}/auth/login", json={"username": username, "password": PASSWORD}
        )
        assert tokens.status_code == 200
        me = await client.get(
            f"{API}/auth/me",
            headers={"Authorization": f"Bearer {tokens.json()['access_token']}"},
        )
        assert me.json()["full_name"] == "Olga"
        assert me.json()["memberships"] == [
            {
                "restaurant_id": response.json()["id"],
                "restaurant_name": "Pizza Place",
                "role": "owner",
            }
        ]

    async def test_with_an_existing_user_as_owner(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        admin = await make_user(session, runtime, is_admin=True)
        existing = await make_user(session, runtime)

        response = await client.post(
            f"{API}/restaurants",
            json=new_restaurant(owner={"username": existing.user.username}),
            headers=admin.headers,
        )

        assert response.status_code == 201, response.text
        role = await session.scalar(
            select(Membership.role).where(
                Membership.restaurant_id == response.json()["id"],
                Membership.user_id == existing.user.id,
            )
        )
        assert role == "owner"

    async def test_new_owner_without_password_leaves_nothing(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        admin = await make_user(session, runtime, is_admin=True)
        before = await restaurant_count(session)
        username = unique("owner")

        response = await client.post(
            f"{API}/restaurants",
            json=new_restaurant(owner={"username": username}),
            headers=admin.headers,
        )

        assert response.status_code == 422
        assert problem_type(response) == "password-required"
        assert await restaurant_count(session) == before
        assert await session.scalar(select(User.id).where(User.username == username)) is None

    async def test_weak_owner_password(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        admin = await make_user(session, runtime, is_admin=True)
        before = await restaurant_count(session)

        response = await client.post(
            f"{API}/restaurants",
            json=new_restaurant(owner={"username": unique("o"), "password": "short"}),
            headers=admin.headers,
        )

        assert response.status_code == 422
        assert problem_type(response) == "weak-password"
        assert await restaurant_count(session) == before

    async def test_slug_taken(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        admin = await make_user(session, runtime, is_admin=True)
        existing = await make_restaurant(session)
        before = await restaurant_count(session)

        response = await client.post(
            f"{API}/restaurants", json=new_restaurant(slug=existing.slug), headers=admin.headers
        )

        assert response.status_code == 409
        assert problem_type(response) == "restaurant-slug-taken"
        assert await restaurant_count(session) == before

    async def test_bad_settings(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        admin = await make_user(session, runtime, is_admin=True)
        before = await restaurant_count(session)
        cases = [
            ({"currency": "XYZ"}, "unknown-currency"),
            ({"time_zone": "Mars/Olympus"}, "unknown-time-zone"),
            ({"locale": "xx_YY"}, "unknown-locale"),
            ({"locale": "not a locale"}, "unknown-locale"),
            ({"tax_rate_bp": 10_001}, "validation-error"),
            ({"tax_rate_bp": -1}, "validation-error"),
            ({"slug": "Not A Slug"}, "validation-error"),
        ]
        for overrides, expected in cases:
            response = await client.post(
                f"{API}/restaurants", json=new_restaurant(**overrides), headers=admin.headers
            )
            assert response.status_code == 422, overrides
            assert problem_type(response) == expected, overrides
        assert await restaurant_count(session) == before


class TestListRestaurants:
    async def test_unauthenticated(self, client: AsyncClient) -> None:
        assert (await client.get(f"{API}/restaurants")).status_code == 401

    async def test_member_sees_own_restaurants(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        mine = await make_restaurant(session, name="Mine")
        await make_restaurant(session, name="Theirs")
        waiter = await make_user(session, runtime, restaurant=mine, role=Role.waiter)

        response = await client.get(f"{API}/restaurants", headers=waiter.headers)

        assert response.status_code == 200
        assert response.json() == {
            "items": [
                {
                    "id": mine.id,
                    "name": "Mine",
                    "slug": mine.slug,
                    "currency": "USD",
                    "time_zone": "America/New_York",
                    "tax_rate_bp": 0,
                    "tax_inclusive": False,
                    **BILLING_DEFAULTS,
                    "address": "",
                    "locale": "en_US",
                    "void_reasons": [],
                    "course_auto_fire_minutes": 0,
                    **SERVICE_DEFAULTS,
                    "quick_notes": [],
                }
            ],
            "total": 1,
        }

    async def test_admin_sees_all(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        a = await make_restaurant(session)
        b = await make_restaurant(session)
        admin = await make_user(session, runtime, is_admin=True)

        response = await client.get(f"{API}/restaurants", headers=admin.headers)

        ids = {r["id"] for r in response.json()["items"]}
        assert {a.id, b.id} <= ids
        assert response.json()["total"] == await restaurant_count(session)


class TestGetRestaurant:
    async def test_unauthenticated(self, client: AsyncClient, session: AsyncSession) -> None:
        restaurant = await make_restaurant(session)

        assert (await client.get(url(restaurant))).status_code == 401

    async def test_other_restaurant(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        other = await make_restaurant(session)
        stranger = await make_user(session, runtime, restaurant=other, role=Role.owner)

        response = await client.get(url(restaurant), headers=stranger.headers)

        assert response.status_code == 404
        assert problem_type(response) == "not-found"

    async def test_unknown_restaurant_for_admin(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        admin = await make_user(session, runtime, is_admin=True)

        assert (await client.get(url(999_999), headers=admin.headers)).status_code == 404

    async def test_any_member_reads_settings(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session, tax_rate_bp=700, tax_inclusive=True)
        kitchen = await make_user(session, runtime, restaurant=restaurant, role=Role.kitchen)

        response = await client.get(url(restaurant), headers=kitchen.headers)

        assert response.status_code == 200
        assert response.json()["tax_rate_bp"] == 700
        assert response.json()["tax_inclusive"] is True


class TestUpdateRestaurant:
    async def test_unauthenticated(self, client: AsyncClient, session: AsyncSession) -> None:
        restaurant = await make_restaurant(session)

        assert (await client.patch(url(restaurant), json={"name": "X"})).status_code == 401

    async def test_other_restaurant(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session, name="Original")
        other = await make_restaurant(session)
        stranger = await make_user(session, runtime, restaurant=other, role=Role.owner)

        response = await client.patch(url(restaurant), json={"name": "X"}, headers=stranger.headers)

        assert response.status_code == 404
        name = await session.scalar(select(Restaurant.name).where(Restaurant.id == restaurant.id))
        assert name == "Original"

    async def test_role_without_permission(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session)
        waiter = await make_user(session, runtime, restaurant=restaurant, role=Role.waiter)

        response = await client.patch(url(restaurant), json={"name": "X"}, headers=waiter.headers)

        assert response.status_code == 403

    async def test_manager_changes_settings_and_an_event_is_recorded(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session, name="Before")
        manager = await make_user(session, runtime, restaurant=restaurant, role=Role.manager)

        response = await client.patch(
            url(restaurant),
            json={
                "name": "After",
                "currency": "eur",
                "time_zone": "Europe/Paris",
                "tax_rate_bp": 2000,
                "tax_inclusive": True,
            },
            headers=manager.headers,
        )

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["name"] == "After"
        assert body["currency"] == "EUR"
        assert body["time_zone"] == "Europe/Paris"
        assert (body["tax_rate_bp"], body["tax_inclusive"]) == (2000, True)
        assert (await client.get(url(restaurant), headers=manager.headers)).json() == body
        recorded = await events(session, restaurant.id, "restaurant.updated")
        assert len(recorded) == 1
        assert recorded[0]["restaurant"] == body
        assert set(recorded[0]["changed"]) == {
            "name",
            "currency",
            "time_zone",
            "tax_rate_bp",
            "tax_inclusive",
        }

    async def test_partial_update_keeps_the_rest(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session, name="Keep", tax_rate_bp=500)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)

        response = await client.patch(
            url(restaurant), json={"tax_rate_bp": 0}, headers=owner.headers
        )

        assert response.json()["name"] == "Keep"
        assert response.json()["tax_rate_bp"] == 0

    async def test_no_change_records_no_event(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session, name="Same")
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)

        response = await client.patch(url(restaurant), json={"name": "Same"}, headers=owner.headers)

        assert response.status_code == 200
        assert await events(session, restaurant.id, "restaurant.updated") == []

    async def test_bad_settings_change_nothing(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session, name="Stable", tax_rate_bp=100)
        owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
        cases = [
            ({"name": "New", "currency": "ABC"}, "unknown-currency"),
            ({"name": "New", "time_zone": "Nowhere/Else"}, "unknown-time-zone"),
            ({"name": "New", "locale": "zz"}, "unknown-locale"),
            ({"name": "New", "address": "x" * 501}, "validation-error"),
            ({"name": "New", "tax_rate_bp": 10_001}, "validation-error"),
            ({"name": ""}, "validation-error"),
        ]
        for body, expected in cases:
            response = await client.patch(url(restaurant), json=body, headers=owner.headers)
            assert response.status_code == 422, body
            assert problem_type(response) == expected, body
        current = (await client.get(url(restaurant), headers=owner.headers)).json()
        assert (current["name"], current["currency"], current["tax_rate_bp"]) == (
            "Stable",
            "USD",
            100,
        )
        assert await events(session, restaurant.id, "restaurant.updated") == []
