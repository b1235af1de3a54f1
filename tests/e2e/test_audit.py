"""Settings and the audit log in a real browser: the owner sets a station's target prep
time and turns tips off on the Settings screen (kept after a reload), and the Audit log
shows that change and a waiter's void, with who, from where, before and after."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import DemoServer, SignIn, screenshot

pytestmark = pytest.mark.e2e


async def test_settings_change_and_the_audit_log(sign_in: SignIn, demo_server: DemoServer) -> None:
    rid = demo_server.restaurant_id
    owner = await sign_in("owner")
    await owner.goto(f"/r/{rid}/admin/settings")
    form = owner.get_by_role("form", name="Service settings")
    await form.get_by_role("button", name="Add station target").click()
    station = form.get_by_label("Station 1", exact=True)
    await expect(station).to_have_value("oven")  # the demo menu's station, suggested
    await form.get_by_label("Target minutes (station 1)").fill("12")
    await form.get_by_role("checkbox", name="Tips on card payments").uncheck()
    await form.get_by_role("button", name="Add opening period").click()
    await form.get_by_label("Weekday of period 1").select_option("Friday")
    await form.get_by_label("Closes (period 1)").fill("02:00")
    await form.get_by_role("button", name="Save service settings").click()
    await expect(form.get_by_role("status")).to_have_text("Service settings saved.")
    await screenshot(owner, "admin-settings-service")

    await owner.reload()
    form = owner.get_by_role("form", name="Service settings")
    await expect(form.get_by_label("Station 1", exact=True)).to_have_value("oven")
    await expect(form.get_by_label("Target minutes (station 1)")).to_have_value("12")
    await expect(form.get_by_role("checkbox", name="Tips on card payments")).not_to_be_checked()
    await expect(form.get_by_label("Closes (period 1)")).to_have_value("02:00")
    settings = demo_server.api("GET", f"/restaurants/{rid}", token=demo_server.token("owner"))
    assert settings["station_prep_targets"]["oven"] == 720
    assert settings["features"]["tips"] is False

    # a waiter voids a line of a sent order
    waiter = demo_server.token("waiter")
    line = demo_server.line(waiter, "The Hawaiian Pizza", "Medium")
    order = demo_server.place_order(waiter, "5", [line])
    demo_server.api(
        "POST",
        f"/restaurants/{rid}/orders/{order['id']}/items/{order['items'][0]['id']}/void",
        token=waiter,
        headers={"Idempotency-Key": uuid.uuid4().hex},
        body={"reason": "guest changed their mind"},
    )

    tabs = owner.get_by_role("navigation", name="Admin")
    await tabs.get_by_role("link", name="Audit log").click()
    await expect(owner).to_have_url(re.compile(rf"/r/{rid}/admin/audit$"))
    table = owner.get_by_role("table")
    changed = table.get_by_role("row").filter(has_text="Settings changed")
    await expect(changed.first).to_contain_text("station_prep_targets")
    await expect(changed.first).to_contain_text('{"oven":720}')
    voided = table.get_by_role("row").filter(has_text="Line voided")
    await expect(voided.first).to_contain_text("guest changed their mind")
    await expect(voided.first).to_contain_text("127.0.0.1")

    filters = owner.get_by_role("form", name="Audit filters")
    await filters.get_by_label("What").select_option(label="Line voided")
    await filters.get_by_role("button", name="Show").click()
    await expect(table.get_by_role("row").filter(has_text="Settings changed")).to_have_count(0)
    await expect(table.get_by_role("row").filter(has_text="Line voided").first).to_be_visible()
    await screenshot(owner, "admin-audit")
