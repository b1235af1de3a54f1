"""The kitchen display after a lost connection: nothing fired meanwhile is missed."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import DemoServer, SignIn

pytestmark = pytest.mark.e2e


async def test_kitchen_misses_no_ticket_after_a_lost_connection(
    sign_in: SignIn, demo_server: DemoServer
) -> None:
    kitchen = await sign_in("kitchen")
    await expect(kitchen.get_by_role("heading", name="Kitchen — All (expo)")).to_be_visible()
    await expect(kitchen.get_by_role("region", name="Open tickets")).to_be_visible()
    await expect(kitchen.get_by_role("status").filter(has_text="Live")).to_be_visible()
    ticket = kitchen.get_by_role("article", name=re.compile(r"· Table 9 · Order \d+ · Course 1$"))
    await expect(ticket).to_have_count(0)

    # the kitchen tablet loses its network; meanwhile a waiter sends an order for table 9
    await kitchen.context.set_offline(True)
    await expect(kitchen.get_by_text("Connection lost — reconnecting…")).to_be_visible()
    waiter = demo_server.token("waiter")
    demo_server.place_order(
        waiter,
        "9",
        [
            demo_server.line(waiter, "The Barbecue Chicken Pizza", "Medium", 1, ("Pepperoni",)),
            demo_server.line(waiter, "The Hawaiian Pizza", "Large", 1, notes="no pineapple"),
        ],
    )
    await kitchen.wait_for_timeout(1000)
    await expect(ticket).to_have_count(0)  # offline: it cannot have arrived

    # back online: the screen resumes from its last seq, says so, and shows the ticket
    await kitchen.context.set_offline(False)
    await expect(
        kitchen.get_by_text(re.compile(r"Reconnected — caught up [1-9]\d* events?"))
    ).to_be_visible()
    await expect(ticket).to_be_visible()
    await expect(ticket).to_contain_text("The Barbecue Chicken Pizza")
    await expect(ticket).to_contain_text("+ Pepperoni")
    await expect(ticket).to_contain_text("no pineapple")
    await expect(kitchen.get_by_text("Connection lost — reconnecting…")).to_have_count(0)
