"""The back office in a real browser: the owner reaches every admin screen from the nav."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.async_api import Locator, Page, expect

from tests.e2e.conftest import PHONE, DemoServer, NewContext, SignIn, screenshot

pytestmark = pytest.mark.e2e

#: admin tab → (its path, the h1 of its screen, something only that screen shows)
ADMIN_SCREENS: dict[str, tuple[str, str | re.Pattern[str], Callable[[Page], Locator]]] = {
    "Menu": (
        "menu",
        "Menu editor",
        lambda page: page.get_by_role("button", name="86 The Barbecue Chicken Pizza"),
    ),
    "Tables & QR": ("tables", re.compile("Tables"), lambda page: page.get_by_text("Dining room")),
    "Staff": (
        "staff",
        "Staff",
        lambda page: page.get_by_role("row", name=re.compile(r"^waiter Wendy Waiter")),
    ),
    "API tokens": ("tokens", "API tokens", lambda page: page.get_by_label("Token name")),
    "Settings": ("settings", "Settings", lambda page: page.get_by_label("Time zone")),
}


async def test_owner_opens_every_admin_screen(sign_in: SignIn, demo_server: DemoServer) -> None:
    page = await sign_in("owner")
    await page.get_by_role("navigation", name="Screens").get_by_role("link", name="Admin").click()
    rid = demo_server.restaurant_id
    tabs = page.get_by_role("navigation", name="Admin")
    for tab, (path, heading, content) in ADMIN_SCREENS.items():
        await tabs.get_by_role("link", name=tab, exact=True).click()
        await expect(page).to_have_url(re.compile(rf"/r/{rid}/admin/{path}$"))
        await expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        await expect(content(page).first).to_be_visible()
        await expect(page.get_by_text("not built yet")).to_have_count(0)
        await screenshot(page, f"admin-{path}")


async def test_86_reaches_the_order_pad_live_and_the_guests(
    sign_in: SignIn, new_context: NewContext, demo_server: DemoServer
) -> None:
    """The owner 86s an item in the menu editor: a waiter's open order pad stops offering
    it without a reload, and the guest menu says "Sold out"; "Back on" undoes both."""
    rid = demo_server.restaurant_id
    item = "The Chicken Pesto Pizza"
    token = demo_server.token("owner")
    link = demo_server.api(
        "GET",
        f"/restaurants/{rid}/tables/{demo_server.table_id(token, '8')}/guest-link",
        token=token,
    )
    guest = await (await new_context(PHONE)).new_page()
    await guest.goto(link["url"])
    await expect(guest.get_by_role("article", name=item)).to_be_visible()
    await expect(guest.get_by_role("article", name=item)).not_to_contain_text("Sold out")

    waiter = await sign_in("waiter")
    await waiter.get_by_role("button", name="Takeaway").click()
    # a takeaway is a draft on the device until its first send: nothing on the server yet
    await expect(waiter).to_have_url(re.compile(rf"/r/{rid}/orders/new\?kind=takeaway$"))
    pick = waiter.get_by_role("button", name=item, exact=True)
    await expect(pick).to_be_enabled()
    loads: list[str] = []
    waiter.on("load", lambda loaded: loads.append(loaded.url))

    owner = await sign_in("owner")
    await owner.goto(f"/r/{rid}/admin/menu")
    await owner.get_by_role("button", name=f"86 {item}").click()
    row = owner.get_by_role("article", name=item)
    await expect(row).to_contain_text("86'd: sold out")
    await expect(owner.get_by_role("button", name=f"Back on {item}")).to_be_visible()

    await expect(pick).to_be_disabled()
    await expect(pick).to_contain_text("86'd — not available")
    assert loads == []
    await guest.reload()
    await expect(guest.get_by_role("article", name=item)).to_contain_text("Sold out")

    await owner.get_by_role("button", name=f"Back on {item}").click()
    await expect(row).to_contain_text("On the menu")
    await expect(pick).to_be_enabled()
    await guest.reload()
    await expect(guest.get_by_role("article", name=item)).not_to_contain_text("Sold out")

    # leaving the draft takeaway behind leaves nothing open on the server
    await waiter.get_by_role("button", name="Discard order").click()
    await expect(waiter).to_have_url(re.compile(rf"/r/{rid}/floor$"))
    listed = demo_server.api("GET", f"/restaurants/{rid}/orders?status=open", token=token)
    assert [o for o in listed["items"] if o["kind"] == "takeaway"] == []
