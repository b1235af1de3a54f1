"""Staff on a shared device, in a real browser: a manager registers this browser as a
device in the admin; on it staff sign in and switch with their PIN and are signed out
after the device's idle time; a PIN is refused on a browser that is no registered
device; a void after preparation is refused without a manager's PIN and accepted with
it (the kitchen's ticket shows the line voided)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.e2e.conftest import DemoServer, NewContext, SignIn, screenshot

pytestmark = pytest.mark.e2e

WAITER_PIN = "2468"
MANAGER_PIN = "1357"


def staff_ids(demo_server: DemoServer, token: str) -> dict[str, int]:
    """username → user id of the demo restaurant's staff."""
    staff = demo_server.api("GET", f"/restaurants/{demo_server.restaurant_id}/staff", token=token)
    return {m["username"]: m["user_id"] for m in staff["items"]}


def set_pins(demo_server: DemoServer, token: str) -> dict[str, int]:
    """Give the demo waiter and manager their PINs (as the owner would in the admin)."""
    ids = staff_ids(demo_server, token)
    rid = demo_server.restaurant_id
    for username, pin in (("waiter", WAITER_PIN), ("manager", MANAGER_PIN)):
        demo_server.api(
            "PUT", f"/restaurants/{rid}/staff/{ids[username]}/pin", token=token, body={"pin": pin}
        )
    return ids


def set_idle(demo_server: DemoServer, token: str, kind: str, seconds: int) -> None:
    demo_server.api(
        "PATCH",
        f"/restaurants/{demo_server.restaurant_id}/device-idle-times",
        token=token,
        body={kind: seconds},
    )


async def type_pin(page: Page, pin: str) -> None:
    """Tap the PIN on the pad's keys, then OK."""
    keys = page.get_by_role("group", name="PIN keys")
    for digit in pin:
        await keys.get_by_role("button", name=digit, exact=True).click()
    await keys.get_by_role("button", name="OK").click()


async def pin_sign_in(page: Page, name: str, pin: str) -> None:
    await (
        page.get_by_role("list", name="Staff").get_by_role("button", name=re.compile(name)).click()
    )
    await type_pin(page, pin)


async def pair(page: Page, demo_server: DemoServer, device: dict[str, Any]) -> None:
    """Make this browser the registered ``device`` (what the admin's "Use this browser"
    stores), without going through the admin."""
    registration = {
        "secret": device["secret"],
        "id": device["id"],
        "name": device["name"],
        "kind": device["kind"],
        "restaurantId": demo_server.restaurant_id,
        "idleSeconds": 300,
    }
    await page.goto("/login")
    await page.evaluate(
        "value => localStorage.setItem('brigade.device', value)", json.dumps(registration)
    )
    await page.goto("/login")


async def test_pin_switching_and_idle_sign_out(sign_in: SignIn, demo_server: DemoServer) -> None:
    owner_token = demo_server.token("owner")
    set_pins(demo_server, owner_token)
    rid = demo_server.restaurant_id

    # a manager registers this browser as the till, in the admin (full sign-in)
    page = await sign_in("manager")
    await page.goto(f"/r/{rid}/admin/devices")
    form = page.locator("form", has=page.get_by_role("heading", name="Register a device"))
    await form.get_by_label("Device name").fill("Front till")
    await form.get_by_label("Kind").select_option("till")
    await form.get_by_role("button", name="Register device").click()
    await expect(page.get_by_text("This browser is the device Front till")).to_be_visible()
    await expect(page.get_by_role("table", name="Devices")).to_contain_text("Front till")
    await screenshot(page, "admin-devices")
    await page.get_by_role("button", name="Sign out").click()

    # the PIN sign-in: tap your name, type your PIN
    await expect(page.get_by_role("heading", name="Front till: who is signing in?")).to_be_visible()
    await expect(page.get_by_role("list", name="Staff")).to_contain_text("Wendy Waiter")
    await screenshot(page, "pin-sign-in")
    await pin_sign_in(page, "Wendy Waiter", "0000")
    await expect(page.get_by_role("alert")).to_contain_text(re.compile("PIN", re.IGNORECASE))
    await type_pin(page, WAITER_PIN)
    await expect(page).to_have_url(re.compile(rf"/r/{rid}/floor$"))
    banner = page.get_by_role("banner")
    await expect(banner).to_contain_text("Wendy Waiter")
    nav = page.get_by_role("navigation", name="Screens")
    await expect(nav.get_by_role("link", name="Admin")).to_have_count(0)

    # "Switch user": the manager takes over the same till with their PIN
    await page.get_by_role("button", name="Switch user").click()
    await pin_sign_in(page, "Marco Manager", MANAGER_PIN)
    await expect(banner).to_contain_text("Marco Manager")
    await expect(nav.get_by_role("link", name="Admin")).to_be_visible()
    # a PIN sign-in does not open the device admin's writes: full sign-in needed
    await page.goto(f"/r/{rid}/admin/devices")
    form = page.locator("form", has=page.get_by_role("heading", name="Register a device"))
    await form.get_by_label("Device name").fill("Not allowed")
    await form.get_by_role("button", name="Register device").click()
    await expect(form.get_by_role("alert")).to_contain_text("full sign-in")

    # idle sign-out: the till's idle time is 3 s; a sign-in without activity ends
    set_idle(demo_server, owner_token, "till", 3)
    try:
        await page.get_by_role("button", name="Switch user").click()
        await pin_sign_in(page, "Wendy Waiter", WAITER_PIN)
        await expect(banner).to_contain_text("Wendy Waiter")
        await expect(page).to_have_url(re.compile(r"/login\?idle=1$"), timeout=15_000)
        await expect(page.get_by_role("status")).to_contain_text("without activity")
        await expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    finally:
        set_idle(demo_server, owner_token, "till", 120)


async def test_pin_refused_on_an_unregistered_device(
    new_context: NewContext, demo_server: DemoServer
) -> None:
    owner_token = demo_server.token("owner")
    ids = set_pins(demo_server, owner_token)
    # the API refuses a PIN without a registered device's secret
    with pytest.raises(AssertionError, match="device-not-registered"):
        demo_server.api(
            "POST",
            "/devices/current/pin-login",
            body={"user_id": ids["waiter"], "pin": WAITER_PIN},
        )
    # a browser that is no device gets the full sign-in only
    context = await new_context()
    page = await context.new_page()
    await page.goto("/login")
    await expect(page.get_by_role("heading", name="Sign in to Brigade")).to_be_visible()
    await expect(page.get_by_role("group", name="PIN keys")).to_have_count(0)
    # a browser holding a revoked (or made-up) registration forgets it: full sign-in
    await pair(
        page, demo_server, {"secret": "brd_made-up", "id": 999, "name": "Fake", "kind": "tablet"}
    )
    await expect(page.get_by_role("heading", name="Sign in to Brigade")).to_be_visible()
    stored = await page.evaluate("() => localStorage.getItem('brigade.device')")
    assert stored is None


async def test_void_after_preparation_needs_a_managers_pin(
    new_context: NewContext, demo_server: DemoServer
) -> None:
    rid = demo_server.restaurant_id
    owner_token = demo_server.token("owner")
    set_pins(demo_server, owner_token)
    device = demo_server.api(
        "POST",
        f"/restaurants/{rid}/devices",
        token=owner_token,
        body={"name": "Tablet 3", "kind": "tablet"},
    )
    # the waiter's order is sent and the kitchen has started on it
    waiter_token = demo_server.token("waiter")
    kitchen_token = demo_server.token("kitchen")
    sent = demo_server.place_order(
        waiter_token, "9", [demo_server.line(waiter_token, "The Hawaiian Pizza", "Large")]
    )
    tickets = demo_server.api("GET", f"/restaurants/{rid}/kitchen/tickets", token=kitchen_token)
    ticket = next(t for t in tickets["items"] if t["order_id"] == sent["id"])
    demo_server.api(
        "POST", f"/restaurants/{rid}/kitchen/tickets/{ticket['id']}/start", token=kitchen_token
    )

    context = await new_context()
    page = await context.new_page()
    await pair(page, demo_server, device)
    await pin_sign_in(page, "Wendy Waiter", WAITER_PIN)
    await expect(page).to_have_url(re.compile(rf"/r/{rid}/floor$"))
    await page.goto(f"/r/{rid}/orders/{sent['id']}")
    await page.get_by_role("button", name=re.compile(r"^Void .*Hawaiian")).click()
    dialog = page.get_by_role("dialog", name=re.compile(r"^Void 1 × The Hawaiian Pizza"))
    await dialog.get_by_label("Reason").fill("guest is allergic")
    approval = dialog.get_by_role("group", name="Manager approval")
    await expect(approval).to_contain_text("being prepared")

    # refused: no manager chosen, then a wrong PIN (the server says so)
    await dialog.get_by_role("button", name="Approve and void").click()
    await expect(approval).to_contain_text("Choose the manager")
    await approval.get_by_role("radio", name="Marco Manager").check()
    await approval.get_by_label("Manager PIN").fill("9999")
    await dialog.get_by_role("button", name="Approve and void").click()
    await expect(approval.get_by_role("alert")).to_contain_text(re.compile("PIN is wrong"))
    order = demo_server.api("GET", f"/restaurants/{rid}/orders/{sent['id']}", token=owner_token)
    assert order["items"][0]["status"] == "preparing"
    await screenshot(page, "void-manager-pin")

    # accepted with the manager's PIN; the kitchen's ticket shows the line voided
    await approval.get_by_label("Manager PIN").fill(MANAGER_PIN)
    await dialog.get_by_role("button", name="Approve and void").click()
    await expect(dialog).to_have_count(0)
    order = demo_server.api("GET", f"/restaurants/{rid}/orders/{sent['id']}", token=owner_token)
    line = order["items"][0]
    assert line["status"] == "voided"
    assert line["void_approval_method"] == "pin"
    assert line["void_approved_by"] == staff_ids(demo_server, owner_token)["manager"]
    ticket = demo_server.api(
        "GET", f"/restaurants/{rid}/kitchen/tickets/{ticket['id']}", token=kitchen_token
    )
    assert ticket["items"][0]["voided"] is True
