"""The back office in a real browser: the owner reaches every admin screen from the nav."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.async_api import Locator, Page, expect

from tests.e2e.conftest import DemoServer, SignIn, screenshot

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
