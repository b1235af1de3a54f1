"""Course pacing (issue 11): a course fired while an earlier one is not ready needs
``confirm``; the next course fires by itself N minutes after the course before it was
bumped (``course_auto_fire_minutes``), once, through the same service as a manual fire.

Everything through HTTP except the pacer's step, which is called with a due time in the
past (or a clock given), as the background task calls it."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.infra.db import utcnow
from brigade.orders.models import Order
from brigade.orders.pacing import CoursePacer, due_fires, fire_due_courses, fire_scheduled
from brigade.runtime import Runtime
from tests.orders.floor_support import (
    floor_tables,
    get_order,
    line,
    post_ok,
    send,
    station_step,
    tickets_of,
)
from tests.orders.support import (
    World,
    event_types,
    last_seq,
    make_world,
    open_order,
    problem_type,
    snapshot,
)


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    return await make_world(session, runtime)


async def three_courses(client: AsyncClient, world: World) -> dict[str, Any]:
    """An order of a pizza (course 1, station pizza), a soup (course 2, kitchen) and a
    cola (course 3, bar), course 1 sent."""
    order = await open_order(
        client,
        world,
        items=[line(world), line(world, "soup", course=2), line(world, "cola", course=3)],
    )
    await send(client, world, order["id"])
    return order


def fire_url(world: World, order_id: int, course: int) -> str:
    return f"{world.orders_url}/{order_id}/courses/{course}/fire"


async def set_pacing(client: AsyncClient, world: World, minutes: int) -> dict[str, Any]:
    response = await client.patch(
        world.url(""), json={"course_auto_fire_minutes": minutes}, headers=world.owner.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def schedule(session: AsyncSession, order_id: int) -> tuple[int | None, datetime | None]:
    row = (
        await session.execute(
            select(Order.next_fire_course, Order.next_fire_at).where(Order.id == order_id)
        )
    ).one()
    return row[0], row[1]


class TestFireConfirmation:
    async def test_refused_while_the_earlier_course_is_in_the_kitchen(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await three_courses(client, world)
        before = await snapshot(session, world.rid)
        response = await client.post(fire_url(world, order["id"], 2), headers=world.waiter.headers)
        assert response.status_code == 409
        assert problem_type(response) == "earlier-course-not-ready"
        body = response.json()
        assert body["course"] == 2
        assert body["earlier_course"] == 1
        assert body["earlier_state"] == "fired"
        assert body["item_ids"] == [order["items"][0]["id"]]
        assert "course 1 is fired" in body["detail"]
        assert await snapshot(session, world.rid) == before  # nothing fired, no ticket

        await station_step(client, world, order["id"], "pizza", "start")
        preparing = await client.post(
            fire_url(world, order["id"], 2), json={}, headers=world.waiter.headers
        )
        assert preparing.status_code == 409
        assert preparing.json()["earlier_state"] == "preparing"

    async def test_a_held_earlier_course_is_named_held(
        self, client: AsyncClient, world: World
    ) -> None:
        order = await open_order(
            client, world, items=[line(world), line(world, "soup", course=2)]
        )  # nothing sent: course 1 is held
        response = await client.post(fire_url(world, order["id"], 2), headers=world.waiter.headers)
        assert response.status_code == 409
        assert response.json()["earlier_state"] == "held"
        assert response.json()["earlier_course"] == 1

    async def test_the_first_course_not_ready_is_named(
        self, client: AsyncClient, world: World
    ) -> None:
        order = await three_courses(client, world)
        await station_step(client, world, order["id"], "pizza", "bump")  # course 1 ready
        response = await client.post(fire_url(world, order["id"], 3), headers=world.waiter.headers)
        assert response.status_code == 409
        assert (response.json()["earlier_course"], response.json()["earlier_state"]) == (2, "held")

    async def test_confirmed_fires(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await three_courses(client, world)
        fired = await post_ok(
            client,
            fire_url(world, order["id"], 2),
            world.waiter.headers,
            json={"confirm": True, "version": 2},
        )
        assert [i["status"] for i in fired["items"]] == ["fired", "fired", "pending"]
        assert (await event_types(session, world.rid))[-1] == "order.course.fired"

    async def test_no_warning_once_the_earlier_course_is_ready(
        self, client: AsyncClient, world: World
    ) -> None:
        order = await three_courses(client, world)
        await station_step(client, world, order["id"], "pizza", "bump")
        fired = await post_ok(client, fire_url(world, order["id"], 2), world.waiter.headers)
        assert fired["items"][1]["status"] == "fired"

    async def test_voided_and_served_lines_do_not_hold_the_fire(
        self, client: AsyncClient, world: World
    ) -> None:
        order = await open_order(
            client,
            world,
            items=[line(world), line(world, "cola"), line(world, "soup", course=2)],
        )
        await send(client, world, order["id"])
        await station_step(client, world, order["id"], "bar", "bump")
        await post_ok(client, f"{world.orders_url}/{order['id']}/serve", world.waiter.headers)
        pizza = order["items"][0]["id"]
        await post_ok(
            client,
            f"{world.orders_url}/{order['id']}/items/{pizza}/void",
            world.owner.headers,
            json={"reason": "wrong table"},
        )
        fired = await post_ok(client, fire_url(world, order["id"], 2), world.waiter.headers)
        assert fired["items"][2]["status"] == "fired"

    async def test_confirm_must_be_a_boolean(self, client: AsyncClient, world: World) -> None:
        order = await three_courses(client, world)
        response = await client.post(
            fire_url(world, order["id"], 2), json={"confirm": "later"}, headers=world.waiter.headers
        )
        assert response.status_code == 422
        unknown = await client.post(
            fire_url(world, order["id"], 2), json={"force": True}, headers=world.waiter.headers
        )
        assert unknown.status_code == 422


class TestPacingSetting:
    async def test_set_and_read(self, client: AsyncClient, world: World) -> None:
        assert (await set_pacing(client, world, 12))["course_auto_fire_minutes"] == 12
        read = await client.get(world.url(""), headers=world.owner.headers)
        assert read.json()["course_auto_fire_minutes"] == 12
        assert (await set_pacing(client, world, 0))["course_auto_fire_minutes"] == 0

    @pytest.mark.parametrize("minutes", [-1, 241, "soon"])
    async def test_out_of_range(self, client: AsyncClient, world: World, minutes: Any) -> None:
        response = await client.patch(
            world.url(""), json={"course_auto_fire_minutes": minutes}, headers=world.owner.headers
        )
        assert response.status_code == 422

    async def test_a_waiter_may_not_set_it(self, client: AsyncClient, world: World) -> None:
        response = await client.patch(
            world.url(""), json={"course_auto_fire_minutes": 5}, headers=world.waiter.headers
        )
        assert response.status_code == 403


class TestAutomaticFire:
    async def test_bump_schedules_the_next_course(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        await set_pacing(client, world, 10)
        order = await three_courses(client, world)
        assert await schedule(session, order["id"]) == (None, None)
        before = utcnow()
        await station_step(client, world, order["id"], "pizza", "bump")
        course, due = await schedule(session, order["id"])
        assert course == 2
        assert due is not None
        assert before + timedelta(minutes=10) <= due <= utcnow() + timedelta(minutes=10)
        tile = (await floor_tables(client, world))[world.table]
        assert tile["next_fire_course"] == 2
        assert tile["held_course"] == 2

    async def test_fires_when_due_once(
        self, client: AsyncClient, session: AsyncSession, world: World, runtime: Runtime
    ) -> None:
        await set_pacing(client, world, 10)
        order = await three_courses(client, world)
        await station_step(client, world, order["id"], "pizza", "bump")
        _, due = await schedule(session, order["id"])
        assert due is not None

        # not yet due: nothing happens
        assert await fire_due_courses(runtime.db, runtime.bus, now=due - timedelta(seconds=1)) == []
        seq = await last_seq(session, world.rid)
        done = await fire_due_courses(runtime.db, runtime.bus, now=due + timedelta(seconds=1))
        assert [(d.order_id, d.course, d.fired) for d in done] == [(order["id"], 2, True)]
        assert await event_types(session, world.rid, seq) == [
            "ticket.created",
            "order.course.fired",
        ]
        read = await get_order(client, world, order["id"])
        assert [i["status"] for i in read["items"]] == ["ready", "fired", "pending"]
        assert await schedule(session, order["id"]) == (None, None)
        # a retry (or another worker's run) fires nothing more
        assert await fire_due_courses(runtime.db, runtime.bus, now=due + timedelta(hours=1)) == []
        assert len(await tickets_of(client, world, order["id"])) == 2

        # course 2 bumped: course 3 is scheduled in turn
        await station_step(client, world, order["id"], "kitchen", "bump")
        assert (await schedule(session, order["id"]))[0] == 3

    async def test_two_workers_that_read_the_same_due_fire_once(
        self, client: AsyncClient, session: AsyncSession, world: World, runtime: Runtime
    ) -> None:
        await set_pacing(client, world, 1)
        order = await three_courses(client, world)
        await station_step(client, world, order["id"], "pizza", "bump")
        later = utcnow() + timedelta(minutes=5)
        first = await due_fires(runtime.db, later)
        second = await due_fires(runtime.db, later)  # the other worker read it too
        mine = [d for d in first if d.order_id == order["id"]]
        assert len(mine) == 1
        assert [d.fired for d in await fire_scheduled(runtime.db, runtime.bus, mine)] == [True]
        theirs = [d for d in second if d.order_id == order["id"]]
        assert await fire_scheduled(runtime.db, runtime.bus, theirs) == []
        assert len(await tickets_of(client, world, order["id"])) == 2

    async def test_a_manual_fire_clears_the_schedule(
        self, client: AsyncClient, session: AsyncSession, world: World, runtime: Runtime
    ) -> None:
        await set_pacing(client, world, 10)
        order = await three_courses(client, world)
        await station_step(client, world, order["id"], "pizza", "bump")
        await post_ok(client, fire_url(world, order["id"], 2), world.waiter.headers)
        assert await schedule(session, order["id"]) == (None, None)
        later = utcnow() + timedelta(hours=1)
        assert [d for d in await due_fires(runtime.db, later) if d.order_id == order["id"]] == []

    async def test_a_recalled_course_refuses_the_automatic_fire(
        self, client: AsyncClient, session: AsyncSession, world: World, runtime: Runtime
    ) -> None:
        await set_pacing(client, world, 10)
        order = await three_courses(client, world)
        await station_step(client, world, order["id"], "pizza", "bump")
        await station_step(client, world, order["id"], "pizza", "recall")  # being redone
        before = await snapshot(session, world.rid)
        done = await fire_due_courses(runtime.db, runtime.bus, now=utcnow() + timedelta(hours=1))
        mine = [d for d in done if d.order_id == order["id"]]
        assert [(d.fired, d.refused) for d in mine] == [(False, "earlier-course-not-ready")]
        assert await snapshot(session, world.rid) == before  # nothing fired
        assert await schedule(session, order["id"]) == (None, None)  # not tried again

    async def test_off_schedules_nothing(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order = await three_courses(client, world)
        await station_step(client, world, order["id"], "pizza", "bump")
        assert await schedule(session, order["id"]) == (None, None)

    async def test_turned_off_after_scheduling_fires_nothing(
        self, client: AsyncClient, session: AsyncSession, world: World, runtime: Runtime
    ) -> None:
        await set_pacing(client, world, 10)
        order = await three_courses(client, world)
        await station_step(client, world, order["id"], "pizza", "bump")
        await set_pacing(client, world, 0)
        done = await fire_due_courses(runtime.db, runtime.bus, now=utcnow() + timedelta(hours=1))
        assert [d for d in done if d.order_id == order["id"]] == []
        assert (await get_order(client, world, order["id"]))["items"][1]["status"] == "pending"

    async def test_a_stored_schedule_fires_after_a_restart(
        self, client: AsyncClient, session: AsyncSession, world: World, runtime: Runtime
    ) -> None:
        """The due time is in the database: a new process's pacer fires it."""
        await set_pacing(client, world, 10)
        order = await three_courses(client, world)
        await station_step(client, world, order["id"], "pizza", "bump")
        await session.execute(
            update(Order)
            .where(Order.id == order["id"], Order.restaurant_id == world.rid)
            .values(next_fire_at=utcnow() - timedelta(minutes=1))
        )
        await session.commit()
        pacer = CoursePacer(runtime.db, runtime.bus, interval=0.05)  # a fresh process's
        pacer.start()
        try:
            # (the test's one connection is the pacer's while it runs: no reads meanwhile)
            for _ in range(200):
                if pacer.passes:
                    break
                await asyncio.sleep(0.05)
        finally:
            await pacer.stop()
        assert await schedule(session, order["id"]) == (None, None)
        read = await get_order(client, world, order["id"])
        assert read["items"][1]["status"] == "fired"
