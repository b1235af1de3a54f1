"""Sections and the floor plan (issue 11): a table's waiter (``waiter_id``) and its box on
its area's plan (``plan_x``, ``plan_y``, ``plan_width``, ``plan_height``, ``shape``), set
through the tables API with version checks by those with ``floor:plan``; the floor's
tiles show the waiter, the held course and the last fire."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.permissions import Role
from brigade.runtime import Runtime
from tests.orders.floor_support import floor_tables, line, post_ok, send, station_step
from tests.orders.support import World, make_world, open_order, problem_type, quick_login, snapshot


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    return await make_world(session, runtime)


def table_url(world: World, table_id: int) -> str:
    return world.url(f"/tables/{table_id}")


async def patch(
    client: AsyncClient, world: World, table_id: int, body: dict[str, Any], headers: Any = None
) -> Any:
    return await client.patch(
        table_url(world, table_id), json=body, headers=headers or world.owner.headers
    )


class TestPlan:
    async def test_unauthenticated(self, client: AsyncClient, world: World) -> None:
        response = await client.patch(table_url(world, world.table), json={"plan_x": 10})
        assert response.status_code == 401

    async def test_other_restaurant(self, client: AsyncClient, world: World) -> None:
        response = await patch(
            client, world, world.other_table, {"plan_x": 10, "plan_y": 10}
        )  # the stranger's table, seen from this restaurant
        assert response.status_code == 404
        theirs = await patch(client, world, world.table, {"plan_x": 10}, world.stranger.headers)
        assert theirs.status_code == 404

    async def test_a_manager_places_and_shapes_a_table(
        self, client: AsyncClient, session: AsyncSession, world: World, runtime: Runtime
    ) -> None:
        manager = await quick_login(session, runtime, world.restaurant, Role.manager)
        await session.commit()
        body = {
            "plan_x": 120,
            "plan_y": 340,
            "plan_width": 140,
            "plan_height": 70,
            "shape": "rectangle",
            "seats": 6,
            "version": 1,
        }
        response = await patch(client, world, world.table, body, manager.headers)
        assert response.status_code == 200, response.text
        table = response.json()
        assert {k: table[k] for k in body if k != "version"} == {
            k: v for k, v in body.items() if k != "version"
        }
        assert table["version"] == 2
        tile = (await floor_tables(client, world))[world.table]
        assert (tile["plan_x"], tile["plan_y"], tile["shape"]) == (120, 340, "rectangle")
        # moved again, then taken off the plan
        moved = await patch(client, world, world.table, {"plan_x": 0, "plan_y": 0, "version": 2})
        assert (moved.json()["plan_x"], moved.json()["plan_y"]) == (0, 0)
        off = await patch(client, world, world.table, {"plan_x": None, "plan_y": None})
        assert (off.json()["plan_x"], off.json()["plan_y"]) == (None, None)
        assert off.json()["plan_width"] == 140  # untouched

    async def test_a_stale_drag_is_refused(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        await patch(client, world, world.table, {"plan_x": 10, "plan_y": 10, "version": 1})
        before = await snapshot(session, world.rid)
        stale = await patch(client, world, world.table, {"plan_x": 500, "version": 1})
        assert stale.status_code == 409
        assert problem_type(stale) == "stale-version"
        assert stale.json()["current_version"] == 2
        assert await snapshot(session, world.rid) == before

    @pytest.mark.parametrize(
        "body",
        [
            {"plan_x": -1},
            {"plan_y": 10_000},
            {"plan_width": 10},
            {"plan_height": 401},
            {"shape": "hexagon"},
            {"plan_x": "left"},
        ],
    )
    async def test_bad_boxes(self, client: AsyncClient, world: World, body: Any) -> None:
        response = await patch(client, world, world.table, body)
        assert response.status_code == 422
        assert problem_type(response) == "validation-error"

    async def test_a_box_past_the_plan(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        before = await snapshot(session, world.rid)
        response = await patch(client, world, world.table, {"plan_x": 950, "plan_width": 100})
        assert response.status_code == 422
        assert problem_type(response) == "table-off-plan"
        assert response.json()["plan_width"] == 1000
        # the size grows past the edge of where the table already stands
        await patch(client, world, world.table, {"plan_x": 600, "plan_y": 600})
        grown = await patch(client, world, world.table, {"plan_height": 200})
        assert problem_type(grown) == "table-off-plan"
        created = await client.post(
            world.url("/tables"),
            json={"name": "Edge", "plan_x": 0, "plan_y": 650, "plan_height": 80},
            headers=world.owner.headers,
        )
        assert problem_type(created) == "table-off-plan"
        assert (await snapshot(session, world.rid))["tables"][0][0] == before["tables"][0][0]

    async def test_a_waiter_may_not_move_tables_or_sections(
        self, client: AsyncClient, world: World
    ) -> None:
        moved = await patch(client, world, world.table, {"plan_x": 10}, world.waiter.headers)
        assert moved.status_code == 403
        assert problem_type(moved) == "permission-denied"
        section = await patch(
            client, world, world.table, {"waiter_id": world.waiter.user.id}, world.waiter.headers
        )
        assert section.status_code == 403
        created = await client.post(
            world.url("/tables"),
            json={"name": "T9", "shape": "round"},
            headers=world.waiter.headers,
        )
        assert created.status_code == 403
        # what a waiter could do before still works
        renamed = await patch(client, world, world.table, {"seats": 2}, world.waiter.headers)
        assert renamed.status_code == 200

    async def test_create_on_the_plan(self, client: AsyncClient, world: World) -> None:
        created = await post_ok(
            client,
            world.url("/tables"),
            world.owner.headers,
            json={
                "name": "R1",
                "plan_x": 400,
                "plan_y": 200,
                "plan_width": 90,
                "plan_height": 90,
                "shape": "round",
                "waiter_id": world.waiter.user.id,
            },
        )
        assert (created["shape"], created["waiter_id"], created["plan_x"]) == (
            "round",
            world.waiter.user.id,
            400,
        )


class TestSections:
    async def test_assign_and_clear_a_waiter(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        world.waiter.user.full_name = "Ana Lima"
        await session.commit()
        response = await patch(client, world, world.table, {"waiter_id": world.waiter.user.id})
        assert response.status_code == 200, response.text
        assert response.json()["waiter_id"] == world.waiter.user.id
        tiles = await floor_tables(client, world)
        assert tiles[world.table]["waiter_name"] == "Ana Lima"
        assert tiles[world.table2]["waiter_id"] is None
        cleared = await patch(client, world, world.table, {"waiter_id": None})
        assert cleared.json()["waiter_id"] is None
        assert (await floor_tables(client, world))[world.table]["waiter_name"] is None

    async def test_a_waiter_of_another_restaurant(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        before = await snapshot(session, world.rid)
        response = await patch(client, world, world.table, {"waiter_id": world.stranger.user.id})
        assert response.status_code == 422
        assert problem_type(response) == "waiter-not-on-staff"
        assert response.json()["waiter_id"] == world.stranger.user.id
        nobody = await patch(client, world, world.table, {"waiter_id": 987_654_321})
        assert problem_type(nobody) == "waiter-not-on-staff"
        assert await snapshot(session, world.rid) == before


class TestTiles:
    async def test_held_course_opener_and_last_fire(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        world.waiter.user.username = "ana"
        await session.commit()
        order = await open_order(
            client,
            world,
            items=[line(world), line(world, "soup", course=2), line(world, "cola", course=3)],
        )
        tile = (await floor_tables(client, world))[world.table]
        assert tile["held_course"] == 2  # course 1 goes with send
        assert tile["last_fired_at"] is None
        assert (tile["opened_by"], tile["opened_by_name"]) == (world.waiter.user.id, "ana")

        sent = await send(client, world, order["id"])
        tile = (await floor_tables(client, world))[world.table]
        assert tile["held_course"] == 2
        assert tile["last_fired_at"] == sent["items"][0]["fired_at"]

        await station_step(client, world, order["id"], "pizza", "bump")
        fired = await post_ok(
            client, f"{world.orders_url}/{order['id']}/courses/2/fire", world.waiter.headers
        )
        tile = (await floor_tables(client, world))[world.table]
        assert tile["held_course"] == 3
        assert tile["last_fired_at"] == fired["items"][1]["fired_at"]
        assert tile["next_fire_course"] is None

    async def test_a_free_table_has_no_order_fields(
        self, client: AsyncClient, world: World
    ) -> None:
        tile = (await floor_tables(client, world))[world.table2]
        assert (tile["held_course"], tile["opened_by"], tile["last_fired_at"]) == (None, None, None)
