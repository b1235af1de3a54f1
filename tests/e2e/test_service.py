"""A whole service in three browsers side by side — waiter, kitchen, cashier — with no
reload anywhere: what one does, the others see live.

The waiter opens table 4, orders two medium barbecue chicken pizzas with extra cheese
(course 1) and a large Hawaiian for course 2, and sends; the kitchen display shows the
ticket; the cook bumps it; the waiter sees it ready, marks it served and fires course 2;
the kitchen gets and bumps that ticket; the cashier opens the check and settles it in
cash with change; the table is free again on the waiter's floor.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.e2e.conftest import DemoServer, SignIn, screenshot

pytestmark = pytest.mark.e2e


def decimal(minor: int) -> str:
    """``5300`` → ``"53.00"`` (what a money field holds)."""
    return f"{minor // 100}.{minor % 100:02d}"


def usd(minor: int) -> str:
    """``5300`` → ``"$53.00"`` (the demo restaurant's currency is USD)."""
    return f"${minor // 100:,}.{minor % 100:02d}"


def count_navigations(page: Page) -> list[str]:
    """The URLs of every document load of ``page``'s main frame from now on (a reload
    or a full navigation; the app's own in-page route changes are not loads)."""
    loads: list[str] = []
    page.on("load", lambda loaded: loads.append(loaded.url))
    return loads


async def test_full_service(sign_in: SignIn, demo_server: DemoServer) -> None:
    rid = demo_server.restaurant_id
    owner_token = demo_server.token("owner")
    menu: dict[str, Any] = demo_server.api("GET", f"/restaurants/{rid}/menu", token=owner_token)
    items = {i["name"]: i for c in menu["categories"] for i in c["items"]}
    bbq = items["The Barbecue Chicken Pizza"]
    hawaiian = items["The Hawaiian Pizza"]
    bbq_medium = next(v["price"] for v in bbq["variations"] if v["name"] == "Medium")
    hawaiian_large = next(v["price"] for v in hawaiian["variations"] if v["name"] == "Large")
    extra_cheese = next(
        m["price_delta"]
        for g in bbq["modifier_groups"]
        for m in g["modifiers"]
        if m["name"] == "Extra cheese"
    )
    line_one = 2 * (bbq_medium + extra_cheese)
    subtotal = line_one + hawaiian_large

    waiter = await sign_in("waiter")
    kitchen = await sign_in("kitchen")
    cashier = await sign_in("cashier")
    kitchen_loads = count_navigations(kitchen)
    cashier_loads = count_navigations(cashier)
    await expect(kitchen.get_by_role("heading", name="Kitchen — All (expo)")).to_be_visible()
    await expect(cashier.get_by_role("heading", name="Till", exact=True)).to_be_visible()

    # --- the waiter seats table 4 --------------------------------------------------------
    tile = waiter.get_by_role("button", name=re.compile(r"^Table 4, "))
    await expect(tile).to_have_accessible_name(re.compile(r"^Table 4, Free"))
    await tile.click()
    seat = waiter.get_by_role("dialog", name="Seat Table 4")
    await seat.get_by_label("Covers").fill("3")
    await seat.get_by_role("button", name="Open order").click()
    await expect(waiter.get_by_role("heading", level=1)).to_contain_text("Table 4")

    # two medium barbecue chicken pizzas with extra cheese, course 1 (the compact picker)
    await waiter.get_by_role("button", name="The Barbecue Chicken Pizza", exact=True).click()
    picker = waiter.get_by_role("region", name="The Barbecue Chicken Pizza")
    await picker.get_by_role("button", name="Extra cheese").click()
    await picker.get_by_role("button", name=re.compile(r"^Medium")).click()
    await waiter.get_by_role("button", name="One more The Barbecue Chicken Pizza").click()
    await waiter.get_by_role("button", name="Done").click()

    # a large Hawaiian for the second course, found with the search box
    await waiter.get_by_role("button", name="Course 2", exact=True).click()
    await waiter.get_by_label("Search menu").fill("hawaii")
    await waiter.get_by_role("button", name="The Hawaiian Pizza", exact=True).click()
    picker = waiter.get_by_role("region", name="The Hawaiian Pizza")
    await picker.get_by_label("Note for the kitchen").fill("well done")
    await picker.get_by_role("button", name=re.compile(r"^Large")).click()
    await expect(waiter.get_by_test_id("order-total")).to_have_text(usd(subtotal))

    # the order exists on the server from its first send
    await waiter.get_by_role("button", name="Send", exact=True).click()
    await expect(waiter).to_have_url(re.compile(rf"/r/{rid}/orders/\d+$"))
    order_id = int(waiter.url.rsplit("/", 1)[1])
    await expect(waiter.get_by_role("button", name="Fire course 2")).to_be_visible()

    # --- the kitchen sees course 1 arrive, and only course 1 --------------------------
    ticket_one = kitchen.get_by_role(
        "article", name=re.compile(rf"· Table 4 · Order {order_id} · Course 1$")
    )
    ticket_two = kitchen.get_by_role(
        "article", name=re.compile(rf"· Table 4 · Order {order_id} · Course 2$")
    )
    await expect(ticket_one).to_be_visible()
    await expect(ticket_one).to_contain_text("2 ×")
    await expect(ticket_one).to_contain_text("The Barbecue Chicken Pizza")
    await expect(ticket_one).to_contain_text("(Medium)")
    await expect(ticket_one).to_contain_text("+ Extra cheese")
    await expect(ticket_two).to_have_count(0)
    await screenshot(kitchen, "kitchen")

    # the cook bumps it: it leaves the board for "Recently bumped"
    await ticket_one.get_by_role("button", name="Bump").click()
    await expect(ticket_one).to_have_count(0)
    bumped = kitchen.get_by_role("region", name="Recently bumped")
    await expect(bumped.get_by_role("listitem").filter(has_text=f"#{order_id}")).to_be_visible()

    # --- the waiter sees it ready, serves it, fires course 2 --------------------------
    serve = waiter.get_by_role("button", name="Mark served")
    await expect(serve).to_be_visible()
    await expect(waiter.locator(".pad-course").filter(has_text="Course 1")).to_contain_text("Ready")
    await expect(waiter.locator(".pad-course").filter(has_text="Course 2")).to_contain_text("Held")
    await serve.click()
    await expect(waiter.locator(".pad-course").filter(has_text="Course 1")).to_contain_text(
        "Served"
    )
    await waiter.get_by_role("button", name="Fire course 2").click()
    await expect(waiter.get_by_role("button", name="Fire course 2")).to_have_count(0)

    await expect(ticket_two).to_be_visible()
    await expect(ticket_two).to_contain_text("The Hawaiian Pizza")
    await expect(ticket_two).to_contain_text("well done")
    await ticket_two.get_by_role("button", name="Bump").click()
    await expect(ticket_two).to_have_count(0)

    # the floor says so without a reload
    await waiter.get_by_role("link", name="Back to floor").click()
    await expect(tile).to_have_accessible_name(re.compile(r"^Table 4, Ready to serve"))
    await screenshot(waiter, "floor")

    # --- the cashier settles the check in cash, with change ---------------------------
    row = cashier.get_by_role("option", name=re.compile(r"^Table 4, 3 covers, "))
    await expect(row).to_be_visible()
    await row.click()
    await expect(cashier.get_by_role("heading", name=f"Table 4 · Order {order_id}")).to_be_visible()
    await cashier.get_by_role("button", name="Open check").click()
    await expect(cashier.get_by_role("button", name="Charge")).to_be_visible()
    checks = demo_server.api("GET", f"/restaurants/{rid}/checks?status=open", token=owner_token)
    check = next(c for c in checks["items"] if c["order_id"] == order_id)
    total = check["total"]
    assert total >= subtotal  # tax may be added on top of the lines
    tendered = (total // 5000 + 1) * 5000  # the next $50 above the total
    change = tendered - total
    await cashier.get_by_role("radio", name="Cash").check()
    await expect(cashier.get_by_label("Amount")).to_have_value(decimal(total))
    await cashier.get_by_label("Tendered").fill(decimal(tendered))
    await expect(cashier.get_by_text(f"Change {usd(change)}")).to_be_visible()
    await screenshot(cashier, "till")
    await cashier.get_by_role("button", name="Charge").click()
    await expect(cashier.get_by_text(f"Paid — change {usd(change)}")).to_be_visible()
    await expect(row).to_have_count(0)

    # --- table 4 is free again on the waiter's floor ----------------------------------
    await expect(tile).to_have_accessible_name(re.compile(r"^Table 4, Free"))
    order = demo_server.api("GET", f"/restaurants/{rid}/orders/{order_id}", token=owner_token)
    assert order["status"] == "closed"

    # nobody reloaded: the kitchen and the till were kept live by the realtime channel
    assert kitchen_loads == []
    assert cashier_loads == []
