"""Courses and the floor (issue 11) in two browsers: the owner lays out the terrace on the
floor plan (places a table, drags it, makes it round and gives it to the waiter); the
waiter's floor shows the plan with the table where it was dragged, "My tables" keeps the
waiter's section; on the order pad, firing course 2 while course 1 is still in the
kitchen asks first, and "Fire anyway" fires it.

The plan is put back as it was at the end (tables off the plan, no waiter), so that the
later e2e tests of the package find the floor's tile list.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import DemoServer, SignIn, eventually, screenshot

pytestmark = pytest.mark.e2e

#: The terrace's tables this test uses (the other e2e tests use the dining room's).
PLANNED, ORDERED, OTHER = "11", "12", "10"


def table(demo_server: DemoServer, token: str, name: str) -> dict[str, Any]:
    rid = demo_server.restaurant_id
    found: dict[str, Any] = demo_server.api(
        "GET", f"/restaurants/{rid}/tables/{demo_server.table_id(token, name)}", token=token
    )
    return found


async def settled(
    demo_server: DemoServer, token: str, done: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Table :data:`PLANNED` as the server has it once ``done`` holds (the editor saves
    after the gesture; bounded wait of 10 s)."""
    for _ in range(100):
        found = table(demo_server, token, PLANNED)
        if done(found):
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"table {PLANNED} never reached the state: {found}")


async def test_floor_plan_sections_and_the_fire_warning(
    sign_in: SignIn, demo_server: DemoServer
) -> None:
    rid = demo_server.restaurant_id
    owner_token = demo_server.token("owner")
    waiter_token = demo_server.token("waiter")
    me = demo_server.api("GET", "/auth/me", token=waiter_token)
    waiter_label = me["full_name"].strip() or me["username"]
    try:
        await _plan_and_fire(sign_in, demo_server, owner_token, waiter_token, waiter_label)
    finally:
        for name in (PLANNED, ORDERED, OTHER):
            demo_server.api(
                "PATCH",
                f"/restaurants/{rid}/tables/{demo_server.table_id(owner_token, name)}",
                token=owner_token,
                body={"plan_x": None, "plan_y": None, "waiter_id": None},
            )


async def _plan_and_fire(
    sign_in: SignIn,
    demo_server: DemoServer,
    owner_token: str,
    waiter_token: str,
    waiter_label: str,
) -> None:
    rid = demo_server.restaurant_id
    waiter_id = demo_server.api("GET", "/auth/me", token=waiter_token)["id"]

    # --- the owner lays out the terrace ----------------------------------------------------
    owner = await sign_in("owner")
    await owner.goto(f"/r/{rid}/admin/floor-plan")
    await expect(owner.get_by_role("heading", name="Floor plan", level=1)).to_be_visible()
    await owner.get_by_role("group", name="Area").get_by_role("button", name="Terrace").click()
    await owner.get_by_role("button", name=f"Place Table {PLANNED} on the plan").click()
    plan = owner.get_by_role("group", name="Floor plan")
    placed = plan.get_by_role("button", name=re.compile(rf"^Table {PLANNED}, at "))
    await expect(placed).to_have_accessible_name(f"Table {PLANNED}, at 20, 20")
    first = await settled(demo_server, owner_token, lambda t: t["plan_x"] == 20)

    # drag it right and down with the mouse (pointer events), the plan in view
    await plan.scroll_into_view_if_needed()
    box = await placed.bounding_box()
    plan_box = await plan.bounding_box()
    assert box is not None
    assert plan_box is not None
    scale = 1000 / plan_box["width"]  # plan units per CSS pixel
    start_x, start_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    await owner.mouse.move(start_x, start_y)
    await owner.mouse.down()
    await owner.mouse.move(start_x + 150, start_y + 90, steps=8)
    await owner.mouse.up()
    expected_x = round(20 + 150 * scale)
    expected_y = round(20 + 90 * scale)
    moved = await settled(demo_server, owner_token, lambda t: t["version"] > first["version"])
    assert abs(moved["plan_x"] - expected_x) <= 3, moved
    assert abs(moved["plan_y"] - expected_y) <= 3, moved

    # round, six seats, the waiter's section
    await placed.click()
    form = owner.get_by_role("form", name=f"Table {PLANNED} on the plan")
    await form.get_by_label("Shape").select_option("round")
    await form.get_by_label("Seats").fill("6")
    await form.get_by_label("Waiter (section)").select_option(label=waiter_label)
    await form.get_by_role("button", name="Save table").click()
    await expect(placed).to_have_class(re.compile(r"shape-round"))
    saved = await settled(demo_server, owner_token, lambda t: t["waiter_id"] == waiter_id)
    assert (saved["shape"], saved["seats"], saved["waiter_id"]) == ("round", 6, waiter_id)
    # another table on the plan, nobody's
    await owner.get_by_role("button", name=f"Place Table {OTHER} on the plan").click()
    await expect(
        plan.get_by_role("button", name=re.compile(rf"^Table {OTHER}, at "))
    ).to_be_visible()
    await owner.evaluate("window.scrollTo(0, 0)")
    await screenshot(owner, "floor-plan-editor")

    # --- the waiter's floor shows the plan --------------------------------------------
    order = demo_server.place_order(
        waiter_token,
        ORDERED,
        [
            demo_server.line(waiter_token, "The Hawaiian Pizza", "Medium"),
            demo_server.line(waiter_token, "The Barbecue Chicken Pizza", "Large", course=2),
        ],
    )
    waiter = await sign_in("waiter")
    await waiter.goto(f"/r/{rid}/floor")
    terrace = waiter.get_by_role("group", name="Plan of Terrace")
    on_plan = terrace.get_by_role("button", name=f"Table {PLANNED}, Free")
    await expect(on_plan).to_be_visible()
    await expect(on_plan).to_have_class(re.compile(r"shape-round"))
    tile_box = await on_plan.bounding_box()
    terrace_box = await terrace.bounding_box()
    assert tile_box is not None
    assert terrace_box is not None
    # where the owner dragged it, in the plan's proportions
    left = (tile_box["x"] - terrace_box["x"]) / terrace_box["width"] * 1000
    assert abs(left - saved["plan_x"]) <= 8, (left, saved)
    # the ordered table is not on the plan: listed under it, with its held course
    ordered = waiter.get_by_role("button", name=re.compile(rf"^Table {ORDERED}, In kitchen"))
    await expect(ordered).to_be_visible()
    await expect(terrace.get_by_role("button", name=f"Table {OTHER}, Free")).to_be_visible()

    await waiter.get_by_role("button", name="My tables").click()
    await expect(waiter.get_by_role("button", name="My tables")).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(on_plan).to_be_visible()  # the waiter's section
    await expect(ordered).to_be_visible()  # the order the waiter opened
    await expect(terrace.get_by_role("button", name=f"Table {OTHER}, Free")).to_have_count(0)
    await screenshot(waiter, "floor-plan")

    # the tile list still has the held course and the waiter
    await waiter.get_by_role("button", name="List").click()
    tile = waiter.get_by_role("button", name=re.compile(rf"^Table {ORDERED}, In kitchen"))
    await expect(tile).to_have_accessible_description(re.compile(r"course 2 held"))
    await expect(tile).to_have_accessible_description(re.compile(r"fired (just now|\d+ min ago)"))

    # --- firing course 2 while course 1 is in the kitchen ---------------------------------
    await tile.click()
    await expect(waiter).to_have_url(re.compile(rf"/r/{rid}/orders/{order['id']}$"))
    await waiter.get_by_role("button", name="Fire course 2").click()
    warning = waiter.get_by_role("dialog", name="Fire course 2 now?")
    await expect(warning).to_contain_text("Course 1 is in the kitchen")
    await screenshot(waiter, "fire-warning")
    await warning.get_by_role("button", name="Wait").click()
    await expect(warning).to_have_count(0)
    rid_orders = f"/restaurants/{rid}/orders/{order['id']}"
    held = demo_server.api("GET", rid_orders, token=waiter_token)
    assert [i["status"] for i in held["items"]] == ["fired", "pending"]

    await waiter.get_by_role("button", name="Fire course 2").click()
    await warning.get_by_role("button", name="Fire course 2 anyway").click()
    await expect(waiter.get_by_role("button", name="Fire course 2")).to_have_count(0)
    fired = await eventually(
        lambda: demo_server.api("GET", rid_orders, token=waiter_token),
        lambda o: all(i["status"] != "pending" for i in o["items"]),
    )
    assert [i["status"] for i in fired["items"]] == ["fired", "fired"]
