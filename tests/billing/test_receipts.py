"""Receipts through HTTP: the preview (GET) and prints (POST) as HTML, PDF and ESC/POS,
the COPY mark of reprints, the restaurant's address and locale, Babel's amounts."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from httpx import AsyncClient, Response
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.permissions import Role
from brigade.billing.models import ReceiptPrint
from brigade.billing.receipts import (
    Formats,
    Receipt,
    ReceiptAdjustment,
    ReceiptMark,
    ReceiptPayment,
    layout,
)
from brigade.billing.schemas import CheckStatus
from brigade.runtime import Runtime
from tests.factories import make_menu_item, make_restaurant, make_table
from tests.orders.support import (
    World,
    count,
    event_types,
    last_seq,
    make_world,
    open_order,
    problem_type,
    quick_login,
)

NBSP = "\xa0"
ADDRESS = "12 Harbour Street\nSpringfield 4021"


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    world = await make_world(session, runtime, tax_rate_bp=1000, tax_inclusive=False)
    world.waiter.user.full_name = "Maria Lopez"
    await session.commit()
    return world


def loaded_pizza(world: World, quantity: int = 1, notes: str = "") -> dict[str, Any]:
    """Pizza L with cheese and olives: 1725 per unit."""
    return {
        "menu_item_id": world.pizza.id,
        "variation_id": world.pizza.variations["L"],
        "modifier_ids": [world.extras["cheese"], world.extras["olives"]],
        "quantity": quantity,
        "notes": notes,
    }


async def set_profile(client: AsyncClient, world: World, **changes: Any) -> dict[str, Any]:
    response = await client.patch(world.url(""), json=changes, headers=world.owner.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def a_check(client: AsyncClient, world: World, notes: str = "no basil") -> dict[str, Any]:
    """An open check at table T1: 2 loaded pizzas (3450) + 10 % tax (345) = 3795."""
    order = await open_order(client, world, items=[loaded_pizza(world, 2, notes)])
    response = await client.post(
        world.url(f"/orders/{order['id']}/check"), headers=world.cashier.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert body["total"] == 3795
    return body


async def pay(client: AsyncClient, world: World, check_id: int, body: dict[str, Any]) -> None:
    response = await client.post(
        world.url(f"/checks/{check_id}/payments"), json=body, headers=world.cashier.headers
    )
    assert response.status_code == 201, response.text


async def preview(
    client: AsyncClient, world: World, check_id: int, *, accept: str | None = None, **params: str
) -> Response:
    headers = dict(world.cashier.headers)
    if accept is not None:
        headers["Accept"] = accept
    return await client.get(
        world.url(f"/checks/{check_id}/receipt"), params=params, headers=headers
    )


async def print_receipt(
    client: AsyncClient, world: World, check_id: int, *, accept: str | None = None, **headers: str
) -> Response:
    all_headers = {**world.cashier.headers, **headers}
    if accept is not None:
        all_headers["Accept"] = accept
    return await client.post(world.url(f"/checks/{check_id}/receipt/prints"), headers=all_headers)


def pdf_text(response: Response) -> str:
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


class TestPreview:
    async def test_unauthenticated_other_restaurant_and_role(
        self, client: AsyncClient, world: World
    ) -> None:
        check = await a_check(client, world)
        url = world.url(f"/checks/{check['id']}/receipt")
        assert (await client.get(url)).status_code == 401
        assert (await client.get(url, headers=world.stranger.headers)).status_code == 404
        denied = await client.get(url, headers=world.kitchen.headers)  # no billing:read
        assert denied.status_code == 403
        assert problem_type(denied) == "permission-denied"
        # This restaurant's check asked for under the stranger's own restaurant: 404.
        mine = await client.get("/api/v1/restaurants", headers=world.stranger.headers)
        theirs = mine.json()["items"][0]["id"]
        stranger_url = f"/api/v1/restaurants/{theirs}/checks/{check['id']}/receipt"
        other = await client.get(stranger_url, headers=world.stranger.headers)
        assert other.status_code == 404
        assert problem_type(other) == "not-found"

    async def test_html_has_the_restaurant_lines_taxes_and_tip_suggestions(
        self, client: AsyncClient, world: World
    ) -> None:
        await set_profile(client, world, name="Chez <Nous>", address=ADDRESS)
        check = await a_check(client, world, notes="<b>no basil</b>")
        response = await preview(client, world, check["id"])  # no Accept: HTML
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["receipt-mark"] == "preview"
        html = response.text
        assert "Chez &lt;Nous&gt;" in html  # autoescaped
        assert "&lt;b&gt;no basil&lt;/b&gt;" in html
        assert "<b>no basil" not in html
        assert "12 Harbour Street" in html
        assert "Springfield 4021" in html
        assert "PREVIEW" in html
        assert f"Bill #{check['id']}" in html  # open: a bill, not yet a receipt
        assert "Margherita (L)" in html
        assert "cheese" in html
        assert "olives" in html
        assert "T1" in html
        assert "Maria Lopez" in html
        # Amounts of the check (EUR in en_US): lines, tax 10 %, total.
        for amount in ("€34.50", "€3.45", "€37.95", "€1.50", "€0.75"):
            assert amount in html, amount
        assert "Tax 10%" in html
        # An open check suggests tips: 15/18/20 % of 37.95 → 5.69 (5.6925), 6.83, 7.59.
        for tip, total in (("€5.69", "€43.64"), ("€6.83", "€44.78"), ("€7.59", "€45.54")):
            assert tip in html
            assert total in html

    async def test_preview_records_no_print(
        self, client: AsyncClient, world: World, session: AsyncSession
    ) -> None:
        check = await a_check(client, world)
        for fmt in ("html", "pdf", "escpos"):
            assert (await preview(client, world, check["id"], format=fmt)).status_code == 200
        assert await count(session, ReceiptPrint, check_id=check["id"]) == 0

    async def test_pdf_by_accept(self, client: AsyncClient, world: World) -> None:
        await set_profile(client, world, address=ADDRESS)
        check = await a_check(client, world)
        response = await preview(client, world, check["id"], accept="application/pdf")
        assert response.status_code == 200
        text = pdf_text(response)
        assert world.restaurant.name in text
        assert "12 Harbour Street" in text
        assert "PREVIEW" in text
        assert "Margherita (L)" in text
        assert "+ cheese" in text
        assert "no basil" in text
        assert "€37.95" in text
        assert "Served by" in text
        assert "Maria Lopez" in text

    async def test_escpos_by_accept_and_by_format(self, client: AsyncClient, world: World) -> None:
        check = await a_check(client, world)
        response = await preview(client, world, check["id"], accept="application/vnd.escpos")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/vnd.escpos"
        data = response.content
        assert data.startswith(b"\x1b@")  # ESC @: initialise the printer
        assert b"37.95" in data
        assert b"TOTAL" in data
        assert b"PREVIEW" in data
        assert b"\x1dV" in data  # GS V: cut
        octets = await preview(client, world, check["id"], accept="application/octet-stream")
        assert octets.headers["content-type"] == "application/octet-stream"
        assert octets.content.startswith(b"\x1b@")
        # format= wins over Accept.
        by_param = await preview(client, world, check["id"], accept="text/html", format="escpos")
        assert by_param.headers["content-type"] == "application/vnd.escpos"

    async def test_accept_preference_and_wildcards(self, client: AsyncClient, world: World) -> None:
        check = await a_check(client, world)
        cases = {
            "application/json;q=1, application/pdf;q=0.5": "application/pdf",
            "text/html;q=0.2, application/pdf": "application/pdf",
            "*/*": "text/html; charset=utf-8",
            "application/*": "application/pdf",
        }
        for accept, media_type in cases.items():
            response = await preview(client, world, check["id"], accept=accept)
            assert response.status_code == 200, accept
            assert response.headers["content-type"] == media_type, accept

    @pytest.mark.parametrize(
        ("accept", "params"),
        [
            ("application/json", {}),
            ("image/png, text/html;q=0", {}),
            (None, {"format": "xml"}),
            ("text/html", {"format": "docx"}),
        ],
    )
    async def test_unknown_format_is_406(
        self,
        client: AsyncClient,
        world: World,
        accept: str | None,
        params: dict[str, str],
    ) -> None:
        check = await a_check(client, world)
        response = await preview(client, world, check["id"], accept=accept, **params)
        assert response.status_code == 406
        assert problem_type(response) == "not-acceptable"
        assert response.json()["available"]["pdf"] == ["application/pdf"]

    async def test_print_in_an_unknown_format_is_406_and_records_nothing(
        self, client: AsyncClient, world: World, session: AsyncSession
    ) -> None:
        check = await a_check(client, world)
        response = await print_receipt(client, world, check["id"], accept="application/json")
        assert response.status_code == 406
        assert problem_type(response) == "not-acceptable"
        assert await count(session, ReceiptPrint, check_id=check["id"]) == 0

    async def test_unknown_check(self, client: AsyncClient, world: World) -> None:
        response = await preview(client, world, 987_654_321)
        assert response.status_code == 404
        assert problem_type(response) == "not-found"


class TestPrint:
    async def test_first_print_is_the_original_and_reprints_are_copies(
        self, client: AsyncClient, world: World, session: AsyncSession
    ) -> None:
        check = await a_check(client, world)
        await pay(client, world, check["id"], {"method": "cash", "tendered": 5000})
        seq = await last_seq(session, world.rid)
        first = await print_receipt(client, world, check["id"])
        assert first.status_code == 201, first.text
        assert first.headers["receipt-mark"] == "original"
        assert first.headers["receipt-print-number"] == "1"
        assert "COPY" not in first.text
        assert "PREVIEW" not in first.text
        assert f"Receipt #{check['id']}" in first.text  # paid: a receipt
        # Cash: tendered 50.00, change 12.05; no tip suggestions for cash.
        assert "€50.00" in first.text
        assert "€12.05" in first.text
        assert "Tip suggestions" not in first.text
        second = await print_receipt(client, world, check["id"], accept="application/pdf")
        assert second.status_code == 201
        assert second.headers["receipt-mark"] == "copy"
        assert second.headers["receipt-print-number"] == "2"
        assert "COPY" in pdf_text(second)
        third = await print_receipt(client, world, check["id"], accept="application/vnd.escpos")
        assert third.headers["receipt-print-number"] == "3"
        assert b"COPY" in third.content
        assert third.content.startswith(b"\x1b@")
        assert await count(session, ReceiptPrint, check_id=check["id"]) == 3
        assert await event_types(session, world.rid, seq) == ["receipt.printed"] * 3

    async def test_card_payment_without_tip_suggests_tips(
        self, client: AsyncClient, world: World
    ) -> None:
        check = await a_check(client, world)
        await pay(client, world, check["id"], {"method": "card", "reference": "VISA 4242"})
        response = await print_receipt(client, world, check["id"])
        assert response.status_code == 201
        assert "Card VISA 4242" in response.text
        assert "Tip suggestions" in response.text
        assert "15%: €5.69" in response.text
        assert "20%: €7.59" in response.text

    async def test_retry_with_the_same_key_reprints_nothing(
        self, client: AsyncClient, world: World, session: AsyncSession
    ) -> None:
        check = await a_check(client, world)
        key = {"Idempotency-Key": "print-1"}
        first = await print_receipt(client, world, check["id"], **key)
        again = await print_receipt(client, world, check["id"], **key)
        assert first.status_code == again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        assert "idempotent-replayed" not in first.headers
        assert again.headers["receipt-mark"] == "original"
        assert again.headers["receipt-print-number"] == "1"
        assert await count(session, ReceiptPrint, check_id=check["id"]) == 1
        # The same key for another format is another request: refused.
        other = await print_receipt(client, world, check["id"], accept="application/pdf", **key)
        assert other.status_code == 422
        assert problem_type(other) == "idempotency-key-reused"
        copy = await print_receipt(client, world, check["id"], **{"Idempotency-Key": "print-2"})
        assert copy.headers["receipt-mark"] == "copy"

    async def test_unauthenticated_other_restaurant_and_role(
        self, client: AsyncClient, world: World, session: AsyncSession
    ) -> None:
        check = await a_check(client, world)
        url = world.url(f"/checks/{check['id']}/receipt/prints")
        assert (await client.post(url)).status_code == 401
        assert (await client.post(url, headers=world.stranger.headers)).status_code == 404
        assert (await client.post(url, headers=world.kitchen.headers)).status_code == 403
        waiter = await client.post(url, headers=world.waiter.headers)  # waiters read checks
        assert waiter.status_code == 201
        assert await count(session, ReceiptPrint, check_id=check["id"]) == 1


class TestLocale:
    async def test_eur_in_de_de(self, client: AsyncClient, world: World) -> None:
        profile = await set_profile(client, world, locale="de-DE", time_zone="Europe/Berlin")
        assert profile["locale"] == "de_DE"
        check = await a_check(client, world)
        html = (await preview(client, world, check["id"])).text
        assert f"37,95{NBSP}€" in html
        assert f"3,45{NBSP}€" in html
        assert 'lang="de"' in html
        assert "Tax 10" in html
        assert f"10{NBSP}%" in html
        text = pdf_text(await preview(client, world, check["id"], format="pdf"))
        assert "37,95" in text
        assert "€" in text

    async def test_jpy_has_no_decimals(
        self, client: AsyncClient, session: AsyncSession, runtime: Runtime
    ) -> None:
        restaurant = await make_restaurant(session, currency="JPY", time_zone="Asia/Tokyo")
        ramen = await make_menu_item(session, restaurant, name="Ramen", prices={"Bowl": 1200})
        table = await make_table(session, restaurant, name="A1")
        waiter = await quick_login(session, runtime, restaurant, Role.waiter)
        cashier = await quick_login(session, runtime, restaurant, Role.cashier)
        owner = await quick_login(session, runtime, restaurant, Role.owner)
        await session.commit()
        base = f"/api/v1/restaurants/{restaurant.id}"
        order = await client.post(
            base + "/orders",
            json={"kind": "dine_in", "table_id": table, "items": [{"menu_item_id": ramen.id}]},
            headers=waiter.headers,
        )
        assert order.status_code == 201, order.text
        check = await client.post(
            base + f"/orders/{order.json()['id']}/check", headers=cashier.headers
        )
        check_id = check.json()["id"]
        url = base + f"/checks/{check_id}/receipt"
        html = (await client.get(url, headers=cashier.headers)).text
        assert "¥1,200" in html
        assert "¥1,200.00" not in html
        patched = await client.patch(base, json={"locale": "ja_JP"}, headers=owner.headers)
        assert patched.status_code == 200
        html = (await client.get(url, headers=cashier.headers)).text
        assert "￥1,200" in html  # ja_JP writes the full-width yen sign
        # The PDF and the printer write it in its compatibility form, which their fonts have.
        pdf = await client.get(url, params={"format": "pdf"}, headers=cashier.headers)
        assert "¥1,200" in pdf_text(pdf)
        escpos = await client.get(url, params={"format": "escpos"}, headers=cashier.headers)
        assert b"1,200" in escpos.content
        assert b"1,200." not in escpos.content

    async def test_unknown_locale_is_refused(self, client: AsyncClient, world: World) -> None:
        response = await client.patch(
            world.url(""), json={"locale": "xx_YY"}, headers=world.owner.headers
        )
        assert response.status_code == 422
        assert problem_type(response) == "unknown-locale"
        read = await client.get(world.url(""), headers=world.owner.headers)
        assert read.json()["locale"] == "en_US"
        assert read.json()["address"] == ""


class TestFormats:
    """Babel's formatting of amounts (minor units) and times (UTC → local)."""

    def test_amounts(self) -> None:
        assert Formats("EUR", "de_DE", "UTC").money(123456) == f"1.234,56{NBSP}€"
        assert Formats("EUR", "de_DE", "UTC").money(-250) == f"-2,50{NBSP}€"
        assert Formats("USD", "en_US", "UTC").money(5) == "$0.05"
        assert Formats("JPY", "ja_JP", "UTC").money(1200) == "￥1,200"
        assert Formats("JPY", "en_US", "UTC").money(1200) == "¥1,200"
        # ISO 4217's decimals, not CLDR's (which has none for HUF): no cents lost.
        assert Formats("HUF", "hu_HU", "UTC").money(123450) == f"1{NBSP}234,50{NBSP}Ft"
        assert Formats("KWD", "en_US", "UTC").money(1250).endswith("1.250")  # 3 decimals

    def test_times_in_the_restaurant_zone(self) -> None:
        moment = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)
        assert "16.01.2026, 00:30" in Formats("EUR", "de_DE", "Europe/Berlin").when(moment)
        assert "Jan 15, 2026" in Formats("USD", "en_US", "America/New_York").when(moment)
        assert "6:30" in Formats("USD", "en_US", "America/New_York").when(moment)


async def test_tax_included_in_the_prices_shows_under_the_total(
    client: AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    world = await make_world(session, runtime, tax_rate_bp=1900, tax_inclusive=True)
    order = await open_order(client, world, items=[loaded_pizza(world, 2)])
    check = await client.post(
        world.url(f"/orders/{order['id']}/check"), headers=world.cashier.headers
    )
    assert check.json()["total"] == 3450  # tax contained: 3450 - 3450 / 1.19 = 551
    body = check.json()
    html = (await preview(client, world, body["id"])).text
    assert "incl. Tax 19%" in html  # the default rate's name
    assert "€5.51" in html
    escpos = (await preview(client, world, body["id"], format="escpos")).content
    assert b"incl. Tax 19%" in escpos


def test_tip_and_discount_lines() -> None:
    """Amounts the check will carry (another part of issue 9 adds them): a discount and a
    card tip show, and a tip means no suggestions."""
    moment = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)
    receipt = Receipt(
        restaurant_name="Chez Nous",
        address_lines=(),
        locale="en_US",
        time_zone="UTC",
        currency="USD",
        check_id=1,
        order_id=1,
        status=CheckStatus.paid,
        table=None,
        waiter=None,
        issued_at=moment,
        printed_at=moment,
        mark=ReceiptMark.original,
        print_number=1,
        lines=(),
        subtotal=2000,
        adjustments=(ReceiptAdjustment("Discount", -200),),
        taxes=(),
        total=1800,
        tip_total=300,
        paid_total=1800,
        balance=0,
        payments=(ReceiptPayment("Card", "card", 1800, tip=300),),
    )
    texts = [row.text for row in layout(receipt)]
    assert any(t.startswith("Discount") and t.endswith("-$2.00") for t in texts)
    assert any(t.startswith("Tip") and t.endswith("$3.00") for t in texts)
    assert any(t.startswith("Total with tip") and t.endswith("$21.00") for t in texts)
    assert not any("Tip suggestions" in t for t in texts)


async def test_taxes_per_rate_discounts_and_service_charge(
    client: AsyncClient, world: World
) -> None:
    """Every part of the check on the receipt, and the shown amounts add up to the total."""
    await set_profile(client, world, service_charge_bp=1000)
    drinks = await client.post(
        world.url("/tax-rates"),
        json={"name": "Drinks 20 %", "rate_bp": 2000, "inclusive": False},
        headers=world.owner.headers,
    )
    assert drinks.status_code == 201, drinks.text
    category = await client.patch(
        world.url(f"/menu/categories/{world.cola.category_id}"),
        json={"tax_rate_id": drinks.json()["id"]},
        headers=world.owner.headers,
    )
    assert category.status_code == 200, category.text
    pizza = {"menu_item_id": world.pizza.id, "variation_id": world.pizza.variations["L"]}
    order = await open_order(client, world, items=[pizza, {"menu_item_id": world.cola.id}])
    opened = await client.post(
        world.url(f"/orders/{order['id']}/check"), headers=world.cashier.headers
    )
    check_id = opened.json()["id"]
    discounts = world.url(f"/checks/{check_id}/discounts")
    pizza_line = opened.json()["lines"][0]["order_item_id"]
    for body in (
        {"order_item_id": pizza_line, "kind": "percent", "value": 1000, "reason": "cold"},
        {"kind": "fixed", "value": 100, "reason": "regulars"},
    ):
        added = await client.post(discounts, json=body, headers=world.cashier.headers)
        assert added.status_code == 201, added.text
    check = added.json()
    assert check["service_charge"] > 0
    html = (await preview(client, world, check_id)).text
    assert "Discount Margherita 10%: cold" in html
    assert "-€1.50" in html
    assert "Discount: regulars" in html
    assert "-€1.00" in html
    assert "Service charge 10%" in html
    assert f"€{check['service_charge'] / 100:.2f}" in html
    taxes = {t["name"]: t["tax"] for t in check["taxes"]}
    assert set(taxes) == {"Tax", "Drinks 20 %"}
    assert f'Tax 10%</td><td class="amount">€{taxes["Tax"] / 100:.2f}' in html
    assert f'Drinks 20 %</td><td class="amount">€{taxes["Drinks 20 %"] / 100:.2f}' in html
    assert f"€{check['total'] / 100:.2f}" in html
    # The printer's rows: subtotal, adjustments and added taxes come to the total.
    escpos = (await preview(client, world, check_id, format="escpos")).content
    assert b"Drinks 20 %" in escpos
    assert b"Service charge 10%" in escpos
    shown = check["subtotal"] - 150 - 100 + check["service_charge"] + sum(taxes.values())
    assert shown == check["total"]
