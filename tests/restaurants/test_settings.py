"""The restaurant's service settings through HTTP (SQLite and PostgreSQL): opening
hours per weekday, the stations' target prep times and the feature switches; every bad
value is a problem+json 422 that changes nothing; a change is announced at once."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.permissions import Role
from brigade.restaurants.models import Restaurant
from brigade.restaurants.service import get_profile_cache, restaurant_profile
from brigade.runtime import Runtime
from tests.factories import Login, make_restaurant, make_user
from tests.restaurants.test_router import events, problem_type, url

DEFAULT_FEATURES = {"coursing": True, "tips": True, "loyalty": False, "guest_ordering": False}


@pytest.fixture
async def place(session: AsyncSession) -> Restaurant:
    restaurant = await make_restaurant(session, time_zone="Europe/Rome")
    await session.commit()
    return restaurant


@pytest.fixture
async def owner(session: AsyncSession, runtime: Runtime, place: Restaurant) -> Login:
    login = await make_user(session, runtime, restaurant=place, role=Role.owner)
    await session.commit()
    return login


async def patch(client: AsyncClient, place: Restaurant, who: Login, body: Any) -> Response:
    return await client.patch(url(place), json=body, headers=who.headers)


def period(weekday: int, opens: str, closes: str) -> dict[str, Any]:
    return {"weekday": weekday, "opens": opens, "closes": closes}


class TestDefaults:
    async def test_a_new_restaurant_has_no_hours_no_targets_and_default_switches(
        self, client: AsyncClient, place: Restaurant, owner: Login
    ) -> None:
        body = (await client.get(url(place), headers=owner.headers)).json()
        assert body["opening_hours"] == []
        assert body["station_prep_targets"] == {}
        assert body["features"] == DEFAULT_FEATURES


class TestOpeningHours:
    async def test_split_shifts_and_a_night_past_midnight_are_kept_in_order(
        self, client: AsyncClient, place: Restaurant, owner: Login
    ) -> None:
        hours = [
            period(5, "18:00", "02:00"),  # Friday night into Saturday
            period(1, "18:00", "22:30"),
            period(1, "11:30", "14:30"),
            period(6, "02:00", "03:00"),  # touches Friday's end: no overlap
        ]
        response = await patch(client, place, owner, {"opening_hours": hours})
        assert response.status_code == 200, response.text
        assert response.json()["opening_hours"] == [hours[2], hours[1], hours[0], hours[3]]
        again = await client.get(url(place), headers=owner.headers)
        assert again.json()["opening_hours"] == response.json()["opening_hours"]
        cleared = await patch(client, place, owner, {"opening_hours": []})
        assert cleared.json()["opening_hours"] == []

    @pytest.mark.parametrize(
        ("hours", "detail"),
        [
            ([period(2, "12:00", "15:00"), period(2, "14:00", "18:00")], "overlaps"),
            ([period(3, "20:00", "03:00"), period(4, "02:00", "10:00")], "overlaps"),
            ([period(7, "22:00", "01:00"), period(1, "00:30", "09:00")], "overlaps"),
            ([period(4, "09:00", "09:00")], "is empty"),
        ],
    )
    async def test_overlaps_and_empty_periods_are_refused(
        self,
        client: AsyncClient,
        place: Restaurant,
        owner: Login,
        hours: list[dict[str, Any]],
        detail: str,
    ) -> None:
        kept = [period(1, "10:00", "11:00")]
        assert (await patch(client, place, owner, {"opening_hours": kept})).status_code == 200
        response = await patch(client, place, owner, {"opening_hours": hours, "name": "New"})
        assert response.status_code == 422
        assert problem_type(response) == "invalid-opening-hours"
        assert detail in response.json()["detail"]
        body = (await client.get(url(place), headers=owner.headers)).json()
        assert body["opening_hours"] == kept
        assert body["name"] == place.name

    @pytest.mark.parametrize(
        "bad",
        [
            period(0, "10:00", "11:00"),
            period(8, "10:00", "11:00"),
            period(1, "24:00", "11:00"),
            period(1, "9:00", "11:00"),
            period(1, "10:00", "11:60"),
            {"weekday": 1, "opens": "10:00"},
            {**period(1, "10:00", "11:00"), "extra": True},
        ],
    )
    async def test_malformed_periods_are_refused(
        self, client: AsyncClient, place: Restaurant, owner: Login, bad: dict[str, Any]
    ) -> None:
        response = await patch(client, place, owner, {"opening_hours": [bad]})
        assert response.status_code == 422
        assert problem_type(response) == "validation-error"


class TestPrepTargets:
    async def test_targets_replace_the_map_and_reach_the_read(
        self, client: AsyncClient, place: Restaurant, owner: Login
    ) -> None:
        first = await patch(client, place, owner, {"station_prep_targets": {"grill": 900}})
        assert first.json()["station_prep_targets"] == {"grill": 900}
        second = await patch(
            client, place, owner, {"station_prep_targets": {"bar": 240, "pizza": 600}}
        )
        assert second.json()["station_prep_targets"] == {"bar": 240, "pizza": 600}

    @pytest.mark.parametrize(
        "targets",
        [
            {"grill": -1},
            {"grill": 0},
            {"grill": 86_401},
            {"": 300},
            {" bar": 300},
            {"b\u0000r": 300},
            {"bar": "x"},
        ],
    )
    async def test_bad_targets_are_refused(
        self, client: AsyncClient, place: Restaurant, owner: Login, targets: dict[str, Any]
    ) -> None:
        response = await patch(client, place, owner, {"station_prep_targets": targets})
        assert response.status_code == 422
        assert problem_type(response) == "validation-error"
        body = (await client.get(url(place), headers=owner.headers)).json()
        assert body["station_prep_targets"] == {}


class TestFeatures:
    async def test_switches_change_one_by_one(
        self, client: AsyncClient, place: Restaurant, owner: Login
    ) -> None:
        off = await patch(client, place, owner, {"features": {"tips": False}})
        assert off.json()["features"] == {**DEFAULT_FEATURES, "tips": False}
        on = await patch(client, place, owner, {"features": {"guest_ordering": True}})
        assert on.json()["features"] == {**DEFAULT_FEATURES, "tips": False, "guest_ordering": True}
        unknown = await patch(client, place, owner, {"features": {"karaoke": True}})
        assert unknown.status_code == 422


class TestAnnounced:
    async def test_a_change_is_one_event_with_before_and_after_and_drops_the_profile(
        self,
        client: AsyncClient,
        place: Restaurant,
        owner: Login,
        session: AsyncSession,
        runtime: Runtime,
    ) -> None:
        cache = get_profile_cache(runtime)
        before = await restaurant_profile(session, cache, place.id)
        assert cache.get(place.id) == before
        body = {"time_zone": "Asia/Tokyo", "features": {"coursing": False}}
        response = await patch(client, place, owner, body)
        assert response.status_code == 200
        (event,) = await events(session, place.id, "restaurant.updated")
        assert sorted(event["changed"]) == ["features", "time_zone"]
        assert event["before"] == {"time_zone": "Europe/Rome", "features": DEFAULT_FEATURES}
        assert event["restaurant"]["features"]["coursing"] is False
        assert cache.get(place.id) is None  # dropped by the committed event
        assert (await restaurant_profile(session, cache, place.id)).time_zone == "Asia/Tokyo"
        same = await patch(client, place, owner, {"features": {"coursing": False}})
        assert same.status_code == 200
        assert len(await events(session, place.id, "restaurant.updated")) == 1

    async def test_bad_time_zone_and_permissions(
        self,
        client: AsyncClient,
        place: Restaurant,
        owner: Login,
        session: AsyncSession,
        runtime: Runtime,
    ) -> None:
        bad = await patch(client, place, owner, {"time_zone": "Mars/Olympus"})
        assert bad.status_code == 422
        assert problem_type(bad) == "unknown-time-zone"
        waiter = await make_user(session, runtime, restaurant=place, role=Role.waiter)
        await session.commit()
        denied = await patch(client, place, waiter, {"station_prep_targets": {"grill": 60}})
        assert denied.status_code == 403
        assert await events(session, place.id, "restaurant.updated") == []
