"""The guest menu behind a table's QR code, on a phone, without signing in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import PHONE, DemoServer, NewContext, screenshot

pytestmark = pytest.mark.e2e


def usd(minor: int) -> str:
    """``1275`` → ``"$12.75"`` (the demo restaurant's currency is USD)."""
    return f"${minor // 100:,}.{minor % 100:02d}"


async def test_guest_menu_from_a_tables_link(
    new_context: NewContext, demo_server: DemoServer
) -> None:
    rid = demo_server.restaurant_id
    token = demo_server.token("owner")
    table = demo_server.table_id(token, "7")
    link = demo_server.api("GET", f"/restaurants/{rid}/tables/{table}/guest-link", token=token)
    assert link["url"].startswith(f"{demo_server.base_url}/guest/{rid}?t=")
    menu: dict[str, Any] = demo_server.api("GET", f"/restaurants/{rid}/menu", token=token)

    context = await new_context(PHONE)  # a guest's phone, never signed in
    page = await context.new_page()
    await page.goto(link["url"])
    await expect(page.get_by_role("heading", level=1, name="The Pizza Place")).to_be_visible()
    await expect(page.get_by_text(re.compile(r"\bTable 7\b")).first).to_be_visible()
    for category in menu["categories"]:
        await expect(page.get_by_role("heading", level=2, name=category["name"])).to_be_visible()
    item = menu["categories"][0]["items"][0]
    sizes = page.get_by_role("list", name=f"Sizes of {item['name']}")
    for variation in item["variations"]:
        await expect(sizes).to_contain_text(variation["name"])
        await expect(sizes).to_contain_text(usd(variation["price"]))
    # the toppings every pizza of the category offers are listed once, under the category;
    # what the pizza itself can hold or lighten stays with it
    category = menu["categories"][0]["name"]
    shared = page.get_by_role("group", name=f"Options for every {category} item")
    await expect(shared).to_contain_text("Extra cheese")
    await expect(page.get_by_role("list", name="Extra toppings options")).to_have_count(
        len(menu["categories"])
    )
    pizza = page.get_by_role("article", name=item["name"])
    await expect(pizza).not_to_contain_text("Extra cheese")
    await expect(pizza).to_contain_text("NO Red Onions")
    # read-only and anonymous: nothing to order, nobody signed in
    await expect(page.get_by_role("button", name=re.compile("add|order|send", re.I))).to_have_count(
        0
    )
    await expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    await screenshot(page, "guest-menu")


async def test_guest_menu_with_a_bad_link(new_context: NewContext, demo_server: DemoServer) -> None:
    context = await new_context(PHONE)
    page = await context.new_page()
    await page.goto(f"/guest/{demo_server.restaurant_id}?t=not-a-table-token")
    await expect(
        page.get_by_role("heading", level=1, name="This menu link does not work")
    ).to_be_visible()
    await expect(page.get_by_text("$")).to_have_count(0)
