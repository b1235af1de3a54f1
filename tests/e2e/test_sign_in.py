"""Signing in, in a real browser: each role lands on its own screen, a wrong password is
refused next to the form, and a waiter cannot open the back office."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import DemoServer, NewContext, SignIn, screenshot

pytestmark = pytest.mark.e2e

#: role → (landing path under /r/<id>, its screen's heading, the nav links it sees, the
#: nav links it must not see)
LANDING = {
    "waiter": ("floor", "Floor", ["Floor"], ["Kitchen", "Till", "Dashboard", "Admin"]),
    "kitchen": (
        "kitchen",
        "Kitchen — All (expo)",
        ["Kitchen"],
        ["Floor", "Till", "Dashboard", "Admin"],
    ),
    "cashier": ("till", "Till", ["Floor", "Till"], ["Kitchen", "Dashboard", "Admin"]),
    "manager": ("floor", "Floor", ["Floor", "Kitchen", "Till", "Dashboard", "Admin"], []),
    "owner": ("floor", "Floor", ["Floor", "Kitchen", "Till", "Dashboard", "Admin"], []),
}


async def test_login_page_and_bad_password(
    new_context: NewContext, demo_server: DemoServer
) -> None:
    context = await new_context()
    page = await context.new_page()
    await page.goto("/")
    await expect(page).to_have_url(re.compile(r"/login$"))
    await expect(page.get_by_role("heading", name="Sign in to Brigade")).to_be_visible()
    await screenshot(page, "login")

    username, _ = demo_server.logins["waiter"]
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill("not-the-password")
    await page.get_by_role("button", name="Sign in").click()
    form = page.locator("form.login-form")
    alert = form.get_by_role("alert")
    await expect(alert).to_be_visible()
    await expect(alert).to_contain_text(re.compile(r"password", re.IGNORECASE))
    # still on the sign-in page, nothing of a screen shown
    await expect(page).to_have_url(re.compile(r"/login$"))
    await expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


@pytest.mark.parametrize("role", list(LANDING))
async def test_each_role_lands_on_its_screen(
    role: str, sign_in: SignIn, demo_server: DemoServer
) -> None:
    screen, heading, visible, hidden = LANDING[role]
    page = await sign_in(role)
    await expect(page).to_have_url(re.compile(rf"/r/{demo_server.restaurant_id}/{screen}$"))
    await expect(page.get_by_role("heading", level=1, name=heading, exact=True)).to_be_visible()
    nav = page.get_by_role("navigation", name="Screens")
    for label in visible:
        await expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    for label in hidden:
        await expect(nav.get_by_role("link", name=label, exact=True)).to_have_count(0)
    await expect(page.get_by_role("banner")).to_contain_text("Pizza")


async def test_platform_admin_picks_a_restaurant(sign_in: SignIn, demo_server: DemoServer) -> None:
    page = await sign_in("admin")
    await expect(page.get_by_role("heading", name="Choose a restaurant")).to_be_visible()
    await page.get_by_role("link", name=re.compile("Pizza")).click()
    await expect(page).to_have_url(re.compile(rf"/r/{demo_server.restaurant_id}/floor$"))
    await expect(
        page.get_by_role("navigation", name="Screens").get_by_role("link", name="Admin")
    ).to_be_visible()


async def test_waiter_cannot_open_admin(sign_in: SignIn, demo_server: DemoServer) -> None:
    page = await sign_in("waiter")
    rid = demo_server.restaurant_id
    for path in [
        "admin",
        "admin/menu",
        "admin/tables",
        "admin/staff",
        "admin/tokens",
        "admin/settings",
    ]:
        await page.goto(f"/r/{rid}/{path}")
        await expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
        # no admin content: no admin heading, neither the admin tabs nor an admin link
        await expect(page.get_by_role("heading", name="Menu editor")).to_have_count(0)
        await expect(page.get_by_role("button", name=re.compile(r"^86 "))).to_have_count(0)
        await expect(page.get_by_role("navigation", name="Admin")).to_have_count(0)
        await expect(page.get_by_role("link", name="Admin", exact=True)).to_have_count(0)
        await expect(page.get_by_role("link", name="Staff", exact=True)).to_have_count(0)
    # and the way back goes to the waiter's own screen
    await page.get_by_role("link", name="Go to my screen").click()
    await expect(page).to_have_url(re.compile(rf"/r/{rid}/floor$"))


async def test_waiter_is_refused_by_the_api_too(demo_server: DemoServer) -> None:
    """The screen is hidden and the server refuses the same thing (403 problem+json)."""
    token = demo_server.token("waiter")
    with pytest.raises(AssertionError, match=r"-> 403"):
        demo_server.api("GET", f"/restaurants/{demo_server.restaurant_id}/staff", token=token)
