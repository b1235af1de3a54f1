"""The manager's dashboard follows service live, in a browser, without a reload.

The manager opens the dashboard from the nav bar and sees today's figures as the server
counts them. A waiter (on another device: the API) seats a free table with two covers and
sends a pizza; the manager's open checks, covers and kitchen tickets move up by
themselves. The cashier settles it by card; the day's sales grow by the order's
subtotal and the open check is gone. Then the manager looks back at July 2015 of the
pizza place (the demo's year) and the charts fill: the pictures of docs/web.md.

The e2e tests share one demo server, so every figure is checked against the one read
before this test's order (another test may have left a table open).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.e2e.conftest import DemoServer, SignIn, screenshot

pytestmark = pytest.mark.e2e


def usd(minor: int) -> str:
    """``5300`` → ``"$53.00"`` (the demo restaurant's currency is USD)."""
    return f"${minor // 100:,}.{minor % 100:02d}"


def tile_value(page: Page, name: str) -> Any:
    """The big figure of today's tile ``name`` (``Sales``, ``Covers``, ...)."""
    return page.get_by_role("region", name=name, exact=True).locator(".dashboard-tile-value")


async def test_a_waiter_may_not_open_the_dashboard(
    sign_in: SignIn, demo_server: DemoServer
) -> None:
    waiter = await sign_in("waiter")
    await waiter.goto(f"/r/{demo_server.restaurant_id}/dashboard")
    await expect(waiter.get_by_role("heading", name="Not allowed")).to_be_visible()
    await expect(waiter.get_by_role("heading", name="Today")).to_have_count(0)
    await expect(waiter.get_by_role("link", name="Dashboard", exact=True)).to_have_count(0)


async def test_dashboard_follows_service_live(sign_in: SignIn, demo_server: DemoServer) -> None:
    rid = demo_server.restaurant_id
    reports = f"/restaurants/{rid}/reports"
    manager_token = demo_server.token("manager")
    waiter_token = demo_server.token("waiter")
    cashier_token = demo_server.token("cashier")

    manager = await sign_in("manager")
    loads: list[str] = []
    manager.on("load", lambda loaded: loads.append(loaded.url))
    await manager.get_by_role("link", name="Dashboard").click()
    await expect(manager).to_have_url(re.compile(rf"/r/{rid}/dashboard$"))
    await expect(manager.get_by_role("heading", name="Today")).to_be_visible()
    await expect(manager.get_by_text(re.compile(r"· live$"))).to_be_visible()

    before = demo_server.api("GET", f"{reports}/today", token=manager_token)
    await expect(tile_value(manager, "Sales")).to_have_text(usd(before["net_sales"]))
    await expect(tile_value(manager, "Open checks")).to_have_text(str(before["open_checks"]))
    await expect(tile_value(manager, "Covers")).to_have_text(str(before["covers"]))

    # --- the waiter seats a free table with two covers and sends a large pizza -----------
    tables = demo_server.api("GET", f"/restaurants/{rid}/tables", token=waiter_token)
    free = next(t for t in tables["items"] if t["status"] == "free")
    line = demo_server.line(waiter_token, "The Hawaiian Pizza", "Large")
    order = demo_server.place_order(waiter_token, free["name"], [line])
    subtotal = sum(i["line_total"] for i in order["items"])
    assert subtotal > 0
    await expect(tile_value(manager, "Open checks")).to_have_text(str(before["open_checks"] + 1))
    await expect(tile_value(manager, "Covers")).to_have_text(str(before["covers"] + 2))
    in_kitchen = before["tickets_open"] + 1
    await expect(manager.get_by_role("region", name="Tickets late", exact=True)).to_contain_text(
        f"of {in_kitchen} ticket{'s' if in_kitchen != 1 else ''} in the kitchen"
    )
    await expect(manager.get_by_role("list", name="Kitchen stations")).to_be_visible()

    # --- the cashier settles the check by card ----------------------------------------
    check = demo_server.api(
        "POST",
        f"/restaurants/{rid}/orders/{order['id']}/check",
        token=cashier_token,
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    demo_server.api(
        "POST",
        f"/restaurants/{rid}/checks/{check['id']}/payments",
        token=cashier_token,
        headers={"Idempotency-Key": uuid.uuid4().hex},
        body={"method": "card"},
    )
    await expect(tile_value(manager, "Sales")).to_have_text(usd(before["net_sales"] + subtotal))
    await expect(tile_value(manager, "Open checks")).to_have_text(str(before["open_checks"]))
    after = demo_server.api("GET", f"{reports}/today", token=manager_token)
    assert after["orders"] == before["orders"] + 1
    assert after["net_sales"] == before["net_sales"] + subtotal

    # --- July 2015 of the pizza place: the charts ----------------------------------------
    await manager.get_by_label("From", exact=True).fill("2015-07-01")
    await manager.get_by_label("to", exact=True).fill("2015-07-31")
    await manager.get_by_role("button", name="Show").click()
    await expect(
        manager.get_by_role("heading", name="Sales from 2015-07-01 to 2015-07-31")
    ).to_be_visible()
    july = "start_date=2015-07-01&end_date=2015-07-31"
    top = manager.get_by_role("figure", name="Top sellers")
    products = demo_server.api("GET", f"{reports}/products?{july}&limit=10", token=manager_token)
    best = products["items"][0]
    await expect(top.get_by_role("row").first).to_contain_text(best["name"])
    await expect(top.get_by_role("row").first).to_contain_text(usd(best["net_sales"]))
    await expect(top.locator(".recharts-bar-rectangle").first).to_be_visible()

    by_day = manager.get_by_role("figure", name="Sales by day")
    await expect(by_day.get_by_role("row")).to_have_count(31)
    days = demo_server.api("GET", f"{reports}/sales?{july}&group_by=day", token=manager_token)
    busiest = max(days["groups"], key=lambda g: g["net_sales"])
    busiest_row = by_day.get_by_role("row").filter(has_text=usd(busiest["net_sales"]))
    await expect(busiest_row).to_have_count(1)
    categories = demo_server.api(
        "GET", f"{reports}/sales?{july}&group_by=category", token=manager_token
    )
    first = max(categories["groups"], key=lambda g: g["net_sales"])
    mix = manager.get_by_role("figure", name="Category mix")
    await expect(mix.get_by_role("row").first).to_contain_text(first["label"])
    await expect(mix.get_by_role("row").first).to_contain_text(usd(first["net_sales"]))
    await expect(mix.locator(".recharts-pie-sector").first).to_be_visible()
    sizes = demo_server.api("GET", f"{reports}/sales?{july}&group_by=size", token=manager_token)
    sold = [g for g in sizes["groups"] if g["net_sales"] > 0]
    assert 1 < len(sold) <= 6  # one slice each (no "Other")
    size_mix = manager.get_by_role("figure", name="Size mix")
    await expect(size_mix.get_by_role("row")).to_have_count(len(sold))

    assert loads == [], f"the dashboard reloaded: {loads}"
    await manager.evaluate("window.scrollTo(0, 0)")
    await screenshot(manager, "dashboard")
    await by_day.evaluate("figure => figure.scrollIntoView({block: 'start'})")
    await screenshot(manager, "dashboard-charts")
