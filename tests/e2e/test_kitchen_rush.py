"""The kitchen display at rush, on a 1024×768 tablet.

Six tables send three-line orders: all six tickets fit the screen, every "Bump" in view
(measured from the page's boxes, no scrolling). Table 1 sends again: the new line joins
its open ticket, marked ADDED, instead of a seventh ticket. The all-day counts add up
what is open. The bump bar picks a ticket by its number, bumps it with Enter and recalls
it with R. The cook counts an item ("2 left"); two orders take it to 0 and 86 it, the
next order is refused, and raising the count brings it back.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.e2e.conftest import TABLET, DemoServer, SignIn, screenshot

pytestmark = pytest.mark.e2e

#: Tables no other e2e test uses (they use 4, 7, 8 and 9).
TABLES = ("1", "2", "3", "5", "6", "10")
#: On every ticket of this test, and on no other test's: the all-day count is exact.
COUNTED_ON_EVERY_TICKET = "The Napolitana Pizza"
#: The item this test counts down (no other test orders it).
COUNTED = "The Southwest Chicken Pizza"


def open_ticket_of(page: Page, table: str) -> Any:
    return page.get_by_role("article", name=re.compile(rf"· Table {table} · Order \d+ · Course 1$"))


async def assert_inside_viewport(page: Page, what: Any, label: str) -> None:
    box = await what.bounding_box()
    assert box is not None, f"{label} has no box"
    assert box["x"] >= 0, (label, box)
    assert box["y"] >= 0, (label, box)
    assert box["x"] + box["width"] <= TABLET["width"], (label, box)
    assert box["y"] + box["height"] <= TABLET["height"], (label, box)


def takeaway(demo_server: DemoServer, token: str, items: list[dict[str, Any]]) -> Any:
    return demo_server.api(
        "POST",
        f"/restaurants/{demo_server.restaurant_id}/orders",
        token=token,
        headers={"Idempotency-Key": uuid.uuid4().hex},
        body={"kind": "takeaway", "items": items},
    )


async def test_the_kitchen_holds_the_rush(sign_in: SignIn, demo_server: DemoServer) -> None:
    kitchen = await sign_in("kitchen")
    await expect(kitchen.get_by_role("heading", name="Kitchen — All (expo)")).to_be_visible()
    await expect(kitchen.get_by_role("status").filter(has_text="Live")).to_be_visible()
    waiter = demo_server.token("waiter")
    rid = demo_server.restaurant_id

    # --- six tables send three-line orders -------------------------------------------
    orders: dict[str, Any] = {}
    for n, table in enumerate(TABLES):
        orders[table] = demo_server.place_order(
            waiter,
            table,
            [
                demo_server.line(waiter, "The Thai Chicken Pizza", "Medium", 1 + n % 2),
                demo_server.line(waiter, COUNTED_ON_EVERY_TICKET, "Large", 1),
                demo_server.line(waiter, "The Hawaiian Pizza", "Small", 1, notes="cut in 8"),
            ],
        )
    for table in TABLES:
        await expect(open_ticket_of(kitchen, table)).to_be_visible()

    # at least six tickets are in view without scrolling, each with its Bump in view
    board = kitchen.get_by_role("region", name="Open tickets")
    articles = board.get_by_role("article")
    assert await articles.count() >= 6
    assert await kitchen.evaluate("window.scrollY") == 0
    for index in range(6):
        article = articles.nth(index)
        label = await article.get_attribute("aria-label")
        await assert_inside_viewport(kitchen, article, f"ticket {label}")
        await assert_inside_viewport(
            kitchen, article.get_by_role("button", name="Bump"), f"Bump of {label}"
        )

    # the all-day panel leaves the six tickets and their Bump in view
    await kitchen.get_by_role("button", name="All day").click()
    await expect(kitchen.get_by_role("region", name="All-day counts")).to_be_visible()
    for index in range(6):
        await assert_inside_viewport(
            kitchen, articles.nth(index).get_by_role("button", name="Bump"), f"Bump {index + 1}"
        )
    await kitchen.get_by_role("button", name="All day").click()

    # --- table 1 sends again: the line joins its open ticket, marked ADDED -------------
    tickets_before = await articles.count()
    order = orders["1"]
    demo_server.api(
        "POST",
        f"/restaurants/{rid}/orders/{order['id']}/items",
        token=waiter,
        body={"items": [demo_server.line(waiter, "The Chicken Pesto Pizza", "Medium", 1, seat=2)]},
    )
    demo_server.api("POST", f"/restaurants/{rid}/orders/{order['id']}/send", token=waiter)
    table_one = open_ticket_of(kitchen, "1")
    added_line = table_one.get_by_role(
        "button",
        name=re.compile(r"^1 × The Chicken Pesto Pizza \(Medium\) · Seat 2 · ADDED · New$"),
    )
    await expect(added_line).to_be_visible()
    await expect(table_one.locator(".kitchen-badge-added")).to_have_text("ADDED")
    await expect(table_one).to_have_count(1)
    await expect(articles).to_have_count(tickets_before)  # no ticket of its own
    # the first lines are not marked
    await expect(
        table_one.get_by_role(
            "button", name=re.compile(r"^1 × The Napolitana Pizza \(Large\) · New$")
        )
    ).to_be_visible()

    # --- all-day counts --------------------------------------------------------------
    await kitchen.get_by_role("button", name="All day").click()
    all_day = kitchen.get_by_role("region", name="All-day counts")
    await expect(
        all_day.get_by_role("listitem").filter(has_text=COUNTED_ON_EVERY_TICKET)
    ).to_have_text(f"6 × {COUNTED_ON_EVERY_TICKET} (Large)")
    await expect(
        all_day.get_by_role("listitem").filter(has_text="The Chicken Pesto Pizza")
    ).to_have_text("1 × The Chicken Pesto Pizza (Medium)")
    await screenshot(kitchen, "kitchen-rush")
    await kitchen.get_by_role("button", name="All day").click()
    await expect(all_day).to_have_count(0)

    # --- the bump bar: its number picks table 2's ticket, Enter bumps, R recalls -------
    table_two = open_ticket_of(kitchen, "2")
    key = (await table_two.locator(".kitchen-ticket-key").inner_text()).strip()
    assert re.fullmatch(r"[1-9]", key), key
    await kitchen.keyboard.press(key)
    await expect(table_two).to_have_attribute("aria-current", "true")
    await kitchen.keyboard.press("Enter")
    await expect(table_two).to_have_count(0)
    bumped = kitchen.get_by_role("region", name="Recently bumped")
    order_number = re.escape(str(orders["2"]["id"]))
    entry = bumped.get_by_role(
        "listitem", name=re.compile(rf"^Ticket \d+ · Table 2 · #{order_number} · .*\d\d:\d\d:\d\d")
    )
    await expect(entry).to_be_visible()
    await expect(entry).to_contain_text("2 × The Thai Chicken Pizza (Medium)")
    await kitchen.keyboard.press("r")
    await expect(table_two).to_be_visible()
    await expect(table_two.locator(".kitchen-badge", has_text="Recalled")).to_be_visible()

    # --- counts: "2 left", 86'd at 0, refused, back when the count is raised -----------
    await kitchen.get_by_role("button", name="86 and counts").click()
    counts = kitchen.get_by_role("region", name="86 and counts")
    await counts.get_by_label(f"Count of {COUNTED}", exact=True).fill("2")
    await counts.get_by_role("button", name=f"Set count of {COUNTED}").click()
    row = counts.get_by_role("listitem").filter(has_text=COUNTED)
    await expect(row.get_by_role("status")).to_have_text("2 left")
    try:
        takeaway(demo_server, waiter, [demo_server.line(waiter, COUNTED, "Large", 1)])
        await expect(row.get_by_role("status")).to_have_text("1 left")
        takeaway(demo_server, waiter, [demo_server.line(waiter, COUNTED, "Small", 1)])
        await expect(row.get_by_role("status")).to_have_text("86'd")
        await expect(counts.get_by_role("button", name=f"Back on {COUNTED}")).to_be_visible()
        with pytest.raises(AssertionError, match="item-unavailable"):
            takeaway(demo_server, waiter, [demo_server.line(waiter, COUNTED, "Small", 1)])
        await counts.get_by_label(f"Count of {COUNTED}", exact=True).fill("3")
        await counts.get_by_role("button", name=f"Set count of {COUNTED}").click()
        await expect(row.get_by_role("status")).to_have_text("3 left")
        await screenshot(kitchen, "kitchen-counts")
    finally:
        menu = demo_server.api("GET", f"/restaurants/{rid}/menu", token=waiter)
        item_id = next(
            i["id"] for c in menu["categories"] for i in c["items"] if i["name"] == COUNTED
        )
        demo_server.api(
            "PUT",
            f"/restaurants/{rid}/menu/items/{item_id}/availability",
            token=demo_server.token("kitchen"),
            body={"remaining": None},
        )
