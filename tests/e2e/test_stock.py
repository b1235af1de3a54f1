"""The Stock screen in a real browser: the manager sees the demo's ingredients with their
low flags and the reorder list, records a delivery, waste (a reason required) and a
count; an ingredient running out shows Out live and 86's its pizza, and a delivery
recorded on the screen brings the pizza back."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import DemoServer, SignIn, screenshot

pytestmark = pytest.mark.e2e

ALFREDO = "The Chicken Alfredo Pizza"


def _item(demo_server: DemoServer, token: str, name: str) -> dict[str, object]:
    items = demo_server.api(
        "GET", f"/restaurants/{demo_server.restaurant_id}/menu/items", token=token
    )
    return next(i for i in items["items"] if i["name"] == name)


async def test_manager_records_stock_and_an_ingredient_out_86s_its_pizza(
    sign_in: SignIn, demo_server: DemoServer
) -> None:
    rid = demo_server.restaurant_id
    token = demo_server.token("manager")
    page = await sign_in("manager")
    await page.goto(f"/r/{rid}/admin/stock")
    await expect(page.get_by_role("heading", level=1, name="Stock")).to_be_visible()
    table = page.get_by_role("table", name="Ingredients")
    await expect(table.get_by_role("row", name=re.compile("^Mozzarella Cheese"))).to_contain_text(
        "Latteria Rossi"
    )
    goat = table.get_by_role("row", name=re.compile("^Goat Cheese"))
    await expect(goat).to_contain_text("Low")
    await expect(page.get_by_role("table", name="Order from Latteria Rossi")).to_contain_text(
        "Goat Cheese"
    )
    await screenshot(page, "admin-stock")

    # a delivery of 2 kg takes the goat cheese off the reorder list
    form = page.get_by_role("form", name="Record stock")
    await form.get_by_label("Ingredient").select_option(label="Goat Cheese")
    await form.get_by_label("Quantity").fill("2")
    await form.get_by_role("button", name="Record delivery").click()
    await expect(form.get_by_role("status")).to_have_text("Delivery of 2 kg: Goat Cheese now 3 kg.")
    await expect(goat).to_contain_text("OK")
    await expect(page.get_by_role("region", name="Reorder list")).not_to_contain_text("Goat Cheese")

    # waste needs a reason; in grams it converts to the ingredient's kg
    await form.get_by_role("radio", name="Waste").check()
    await form.get_by_label("Quantity").fill("250")
    await form.get_by_label("Unit").select_option("g")
    await form.get_by_role("button", name="Record waste").click()
    await expect(form.get_by_text("Say why it was wasted.")).to_be_visible()
    await form.get_by_label("Reason").fill("dropped")
    await form.get_by_role("button", name="Record waste").click()
    await expect(form.get_by_role("status")).to_have_text(
        "Waste of 0.25 kg: Goat Cheese now 2.75 kg."
    )

    # a count sets the stock to what is there
    await form.get_by_role("radio", name="Count").check()
    await form.get_by_label("Counted").fill("2.5")
    await form.get_by_label("Unit").select_option("kg")
    await form.get_by_role("button", name="Record count").click()
    await expect(form.get_by_role("status")).to_have_text(
        "Count of 2.5 kg (correction -0.25 kg): Goat Cheese now 2.5 kg."
    )
    await expect(goat).to_contain_text("2.5 kg")

    # the Alfredo sauce is thrown away elsewhere: the screen shows it Out, the pizza is 86'd
    sauce = next(
        i
        for i in demo_server.api("GET", f"/restaurants/{rid}/inventory/ingredients", token=token)[
            "items"
        ]
        if i["name"] == "Alfredo Sauce"
    )
    demo_server.api(
        "POST",
        f"/restaurants/{rid}/inventory/waste",
        token=token,
        body={"ingredient_id": sauce["id"], "quantity": sauce["on_hand"], "reason": "spoiled"},
    )
    await expect(table.get_by_role("row", name=re.compile("^Alfredo Sauce"))).to_contain_text("Out")
    await expect(page.get_by_role("status", name="Low stock")).to_contain_text("Out: Alfredo Sauce")
    alfredo = _item(demo_server, token, ALFREDO)
    assert (alfredo["is_available"], alfredo["unavailable_reason"]) == (False, "stock")

    # a delivery recorded on the screen brings it back
    await form.get_by_role("radio", name="Delivery").check()
    await form.get_by_label("Ingredient").select_option(label="Alfredo Sauce")
    await form.get_by_label("Quantity").fill("10")
    await form.get_by_role("button", name="Record delivery").click()
    await expect(form.get_by_role("status")).to_have_text(
        "Delivery of 10 kg: Alfredo Sauce now 10 kg."
    )
    alfredo = _item(demo_server, token, ALFREDO)
    assert (alfredo["is_available"], alfredo["unavailable_reason"]) == (True, None)
