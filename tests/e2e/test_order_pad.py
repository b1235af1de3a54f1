"""The issue's four-line order in a dozen taps, as a waiter on a tablet (1024×768), and the
pad on a phone (390×844).

The order: two large pepperoni pizzas, one of them with extra cheese; a medium Hawaiian
on seat 2 with a note; a small veggie pizza held for course 2. Every tap from the order
pad's opening to "Send" goes through :class:`Taps`, which counts them; the only typing
is the note. The order's lines are then checked through the API. Seating the table
(tap, covers, "Open order") comes before and creates nothing on the server: the order
exists only once its first lines are sent.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Locator, Page, expect

from tests.e2e.conftest import DemoServer, SignIn, eventually, screenshot

pytestmark = pytest.mark.e2e

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


class Taps:
    """Clicks that are counted: what a waiter's finger does."""

    def __init__(self) -> None:
        self.count = 0

    async def tap(self, target: Locator) -> None:
        """Tap ``target`` (one tap)."""
        await target.click()
        self.count += 1


def orders_of_table(demo_server: DemoServer, token: str, table_id: int) -> list[dict[str, Any]]:
    rid = demo_server.restaurant_id
    listed = demo_server.api("GET", f"/restaurants/{rid}/orders?status=open", token=token)
    return [o for o in listed["items"] if o["table_id"] == table_id]


async def seat_table(waiter: Page, name: str, covers: int) -> None:
    """Tap the free table, set the covers, open its (draft) order with Enter."""
    await waiter.get_by_role("button", name=re.compile(rf"^Table {name}, Free")).click()
    dialog = waiter.get_by_role("dialog", name=f"Seat Table {name}")
    covers_field = dialog.get_by_label("Covers")
    await expect(covers_field).to_be_focused()  # Enter opens the order, not "−"
    await covers_field.fill(str(covers))
    await covers_field.press("Enter")
    await expect(waiter.get_by_role("heading", level=1)).to_contain_text(f"Table {name}")


async def test_the_four_line_order_in_twelve_taps(sign_in: SignIn, demo_server: DemoServer) -> None:
    rid = demo_server.restaurant_id
    token = demo_server.token("waiter")
    table_id = demo_server.table_id(token, "5")
    waiter = await sign_in("waiter", viewport=TABLET)

    # tapping a table and leaving creates nothing on the server
    await seat_table(waiter, "5", 2)
    assert orders_of_table(demo_server, token, table_id) == []
    await waiter.get_by_role("link", name="Back to floor").click()
    await expect(waiter.get_by_role("button", name=re.compile(r"^Table 5, Free"))).to_be_visible()
    assert orders_of_table(demo_server, token, table_id) == []

    await seat_table(waiter, "5", 2)
    taps = Taps()
    pad = waiter
    await taps.tap(pad.get_by_role("button", name="Classic", exact=True))
    # 1 large pepperoni from the tile's sizes; the second with extra cheese in the picker
    await taps.tap(pad.get_by_role("button", name="The Pepperoni Pizza, Large", exact=True))
    await taps.tap(pad.get_by_role("button", name="The Pepperoni Pizza", exact=True))
    picker = pad.get_by_role("region", name="The Pepperoni Pizza")
    await taps.tap(picker.get_by_role("button", name="Extra cheese"))
    await screenshot(pad, "order-pad-line")
    await taps.tap(picker.get_by_role("button", name=re.compile(r"^Large")))
    # a medium Hawaiian on seat 2, with a note
    await taps.tap(pad.get_by_role("button", name="Seat 2", exact=True))
    await taps.tap(pad.get_by_role("button", name="The Hawaiian Pizza, Medium", exact=True))
    await taps.tap(pad.get_by_role("button", name="Note for The Hawaiian Pizza"))
    await pad.keyboard.type("no pineapple near the edge")
    await pad.keyboard.press("Enter")
    # a small veggie held for course 2
    await taps.tap(pad.get_by_role("button", name="Course 2", exact=True))
    await taps.tap(pad.get_by_role("button", name="Veggie", exact=True))
    await taps.tap(
        pad.get_by_role("button", name="The Vegetables + Vegetables Pizza, Small", exact=True)
    )
    await screenshot(pad, "order-pad-draft")
    await taps.tap(pad.get_by_role("button", name="Send", exact=True))

    assert taps.count <= 12, taps.count
    await expect(pad).to_have_url(re.compile(rf"/r/{rid}/orders/\d+$"))
    order_id = int(pad.url.rsplit("/", 1)[1])
    await expect(pad.get_by_role("button", name="Fire course 2")).to_be_visible()
    await expect(pad.get_by_text("Order #", exact=False)).to_contain_text(str(order_id))

    order = await eventually(
        lambda: demo_server.api("GET", f"/restaurants/{rid}/orders/{order_id}", token=token),
        lambda o: all(i["status"] != "pending" for i in o["items"] if i["course"] == 1),
    )
    assert order["table_id"] == table_id
    assert order["covers"] == 2
    lines = sorted(
        (
            i["name"],
            i["variation_name"],
            i["quantity"],
            [m["label"] for m in i["modifiers"]],
            i["seat"],
            i["course"],
            i["notes"],
            i["status"],
        )
        for i in order["items"]
    )
    assert lines == [
        ("The Hawaiian Pizza", "Medium", 1, [], 2, 1, "no pineapple near the edge", "fired"),
        ("The Pepperoni Pizza", "Large", 1, [], None, 1, "", "fired"),
        ("The Pepperoni Pizza", "Large", 1, ["Extra cheese"], None, 1, "", "fired"),
        # the seat bar still says seat 2: it sets the seat of the lines that follow
        ("The Vegetables + Vegetables Pizza", "Small", 1, [], 2, 2, "", "pending"),
    ]
    await screenshot(pad, "order-pad")


async def test_keyboard_adds_the_highlighted_result_and_sends(
    sign_in: SignIn, demo_server: DemoServer
) -> None:
    rid = demo_server.restaurant_id
    token = demo_server.token("waiter")
    waiter = await sign_in("waiter", viewport=TABLET)
    await seat_table(waiter, "6", 2)
    search = waiter.get_by_label("Search menu")
    await search.fill("pepperoni pizza")
    await search.press("Enter")  # the picker opens, focus on its first size
    picker = waiter.get_by_role("region", name="The Pepperoni Pizza")
    await expect(picker.get_by_role("button", name=re.compile(r"^Small"))).to_be_focused()
    await waiter.keyboard.press("Tab")
    await waiter.keyboard.press("Enter")  # Medium
    await expect(waiter.locator(".pad-line-draft")).to_contain_text("The Pepperoni Pizza")
    # a removal from the pizza's ingredients, as the kitchen reads it
    await picker.get_by_role("button", name="NO Mozzarella Cheese").click()
    await picker.get_by_role("button", name=re.compile(r"^Small")).click()
    await expect(waiter.locator(".pad-to-send")).to_contain_text("NO Mozzarella Cheese")
    await waiter.keyboard.press("Alt+s")
    await expect(waiter).to_have_url(re.compile(rf"/r/{rid}/orders/\d+$"))
    order_id = int(waiter.url.rsplit("/", 1)[1])
    await expect(waiter.locator(".pad-line.status-fired")).to_have_count(2)
    order = demo_server.api("GET", f"/restaurants/{rid}/orders/{order_id}", token=token)
    assert sorted(
        (i["variation_name"], [m["label"] for m in i["modifiers"]]) for i in order["items"]
    ) == [
        ("Medium", []),
        ("Small", ["NO Mozzarella Cheese"]),
    ]
    tickets = demo_server.api(
        "GET", f"/restaurants/{rid}/kitchen/tickets", token=demo_server.token("kitchen")
    )
    labels = [
        m["label"]
        for t in tickets["items"]
        if t["order_id"] == order_id
        for i in t["items"]
        for m in i["modifiers"]
    ]
    assert labels == ["NO Mozzarella Cheese"]


def inside(box: dict[str, float] | None, viewport: dict[str, int]) -> bool:
    """Whether ``box`` lies wholly within the viewport."""
    assert box is not None
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


async def test_on_a_phone_the_menu_and_send_are_visible_together(
    sign_in: SignIn, demo_server: DemoServer
) -> None:
    waiter = await sign_in("waiter", viewport=PHONE)
    await seat_table(waiter, "7", 2)
    first_item = waiter.locator(".pad-items .pad-item").first
    send = waiter.get_by_role("button", name="Send order", exact=True)
    await expect(first_item).to_be_visible()
    await first_item.click()  # the first Chicken pizza: the picker opens above the menu
    await waiter.locator(".pad-picker .pad-size").first.click()
    await waiter.get_by_role("button", name="Done").click()
    await expect(send).to_be_enabled()
    assert inside(await first_item.bounding_box(), PHONE)
    assert inside(await send.bounding_box(), PHONE)
    await screenshot(waiter, "order-pad-phone")
