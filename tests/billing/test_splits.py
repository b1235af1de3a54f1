"""Splitting a check through HTTP: even, by seat, by lines with shares, by amounts; each
part paid on its own; merging back; the error paths (on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.billing.models import Check, CheckPartLine
from brigade.runtime import Runtime
from tests.orders.support import (
    World,
    count,
    event_types,
    last_seq,
    make_world,
    open_order,
    problem_type,
    snapshot,
)


@pytest.fixture
async def world(session: AsyncSession, runtime: Runtime) -> World:
    return await make_world(session, runtime, tax_rate_bp=1000, tax_inclusive=False)


def pizza(world: World, seat: int | None = None) -> dict[str, Any]:
    """Pizza S: 1000."""
    return {
        "menu_item_id": world.pizza.id,
        "variation_id": world.pizza.variations["S"],
        "seat": seat,
    }


def cola(world: World, seat: int | None = None) -> dict[str, Any]:
    """Cola: 300."""
    return {"menu_item_id": world.cola.id, "seat": seat}


def soup(world: World, seat: int | None = None) -> dict[str, Any]:
    """Soup: 650."""
    return {"menu_item_id": world.soup.id, "seat": seat}


async def checked(
    client: AsyncClient, world: World, items: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An order of ``items`` and its open check."""
    order = await open_order(client, world, items=items)
    response = await client.post(
        world.url(f"/orders/{order['id']}/check"), headers=world.cashier.headers
    )
    assert response.status_code == 201, response.text
    return order, response.json()


async def split(
    client: AsyncClient, world: World, check_id: int, body: dict[str, Any], **headers: str
) -> Any:
    return await client.post(
        world.url(f"/checks/{check_id}/split"),
        json=body,
        headers={**world.cashier.headers, **headers},
    )


async def pay(client: AsyncClient, world: World, check_id: int, body: dict[str, Any]) -> Any:
    return await client.post(
        world.url(f"/checks/{check_id}/payments"), json=body, headers=world.cashier.headers
    )


def adds_up(whole: dict[str, Any], parts: list[dict[str, Any]]) -> None:
    """The parts add up to the whole, amount by amount and rate by rate."""
    for key in ("subtotal", "discount_total", "service_charge", "tax_total", "total"):
        assert sum(p[key] for p in parts) == whole[key], key
    for tax in whole["taxes"]:
        at = [t for p in parts for t in p["taxes"] if t["name"] == tax["name"]]
        assert sum(t["tax"] for t in at) == tax["tax"]
        assert sum(t["base"] for t in at) == tax["base"]
    for p in parts:
        assert p["status"] == "open"
        assert p["parent_id"] == whole["id"]
        assert p["balance"] == p["total"]


class TestSplit:
    async def test_unauthenticated_other_restaurant_and_role(
        self, client: AsyncClient, world: World
    ) -> None:
        _, check = await checked(client, world, [pizza(world)])
        url = world.url(f"/checks/{check['id']}/split")
        body = {"by": "even", "parts": 2}
        assert (await client.post(url, json=body)).status_code == 401
        assert (
            await client.post(url, json=body, headers=world.stranger.headers)
        ).status_code == 404
        denied = await client.post(url, json=body, headers=world.waiter.headers)
        assert denied.status_code == 403
        assert problem_type(denied) == "permission-denied"
        merge = world.url(f"/checks/{check['id']}/merge")
        assert (await client.post(merge, headers=world.stranger.headers)).status_code == 404

    async def test_even_split_each_part_paid_on_its_own_closes_the_order(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order, check = await checked(client, world, [pizza(world), cola(world)])
        assert check["total"] == 1430  # 1300 + 10 %
        before = await last_seq(session, world.rid)
        response = await split(client, world, check["id"], {"by": "even", "parts": 3})
        assert response.status_code == 201, response.text
        body = response.json()
        whole, parts = body["check"], body["parts"]
        assert whole["status"] == "split"
        assert whole["split_by"] == "even"
        assert whole["part_ids"] == [p["id"] for p in parts]
        # 1430 in three: 477 + 477 + 476, the leftover cents to the first parts.
        assert [p["total"] for p in parts] == [477, 477, 476]
        assert [p["tax_total"] for p in parts] == [44, 43, 43]
        adds_up(whole, parts)
        assert [line["share"] for line in parts[0]["lines"]] == ["477/1430", "477/1430"]
        assert await event_types(session, world.rid, before) == ["check.split"]
        # The order's check is the split one; it takes no payment.
        got = await client.get(
            world.url(f"/orders/{order['id']}/check"), headers=world.cashier.headers
        )
        assert got.json()["id"] == check["id"]
        assert got.json()["part_ids"] == whole["part_ids"]
        refused = await pay(client, world, check["id"], {"method": "card"})
        assert refused.status_code == 409
        assert problem_type(refused) == "check-split"
        # Each part on its own; the order closes with the last.
        for n, part in enumerate(parts):
            paid = await pay(client, world, part["id"], {"method": "card"})
            assert paid.status_code == 201, paid.text
            assert paid.json()["check"]["status"] == "paid"
            assert paid.json()["amount"] == part["total"]
            state = await client.get(
                world.url(f"/orders/{order['id']}"), headers=world.waiter.headers
            )
            assert state.json()["status"] == ("closed" if n == 2 else "open")
        again = await pay(client, world, parts[0]["id"], {"method": "card", "amount": 1})
        assert again.status_code == 409
        assert problem_type(again) == "check-paid"

    async def test_by_seat_shares_the_lines_without_a_seat(
        self, client: AsyncClient, world: World
    ) -> None:
        order, check = await checked(client, world, [pizza(world, 1), cola(world, 2), soup(world)])
        lines = {li["name"]: li["order_item_id"] for li in check["lines"]}
        response = await split(client, world, check["id"], {"by": "seat"})
        assert response.status_code == 201, response.text
        whole, parts = response.json()["check"], response.json()["parts"]
        adds_up(whole, parts)
        assert [
            [(li["order_item_id"], li["share"], li["share_amount"]) for li in p["lines"]]
            for p in parts
        ] == [
            [(lines["Margherita"], "1", 1000), (lines["Soup"], "1/2", 325)],
            [(lines["Cola"], "1", 300), (lines["Soup"], "1/2", 325)],
        ]
        assert [p["subtotal"] for p in parts] == [1325, 625]
        # The tax, 195, spread over the bases 1325 and 625: 132.5 and 62.5, the cent
        # left to the first part on a tie.
        assert [p["tax_total"] for p in parts] == [133, 62]
        assert [p["total"] for p in parts] == [1458, 687]
        assert order["id"] == whole["order_id"]

    async def test_by_lines_a_third_of_a_pizza(self, client: AsyncClient, world: World) -> None:
        _, check = await checked(client, world, [pizza(world), cola(world)])
        p_id, c_id = (li["order_item_id"] for li in check["lines"])
        third = {"order_item_id": p_id, "share": "1/3"}
        body = {"by": "lines", "parts": [[third, {"order_item_id": c_id}], [third], [third]]}
        response = await split(client, world, check["id"], body)
        assert response.status_code == 201, response.text
        whole, parts = response.json()["check"], response.json()["parts"]
        adds_up(whole, parts)
        assert [p["subtotal"] for p in parts] == [634, 333, 333]
        assert [p["tax_total"] for p in parts] == [64, 33, 33]
        assert [p["total"] for p in parts] == [698, 366, 366]

    async def test_by_amounts(self, client: AsyncClient, world: World) -> None:
        _, check = await checked(client, world, [pizza(world), cola(world)])
        response = await split(
            client, world, check["id"], {"by": "amounts", "amounts": [1000, 430]}
        )
        assert response.status_code == 201, response.text
        whole, parts = response.json()["check"], response.json()["parts"]
        assert [p["total"] for p in parts] == [1000, 430]
        adds_up(whole, parts)

    async def test_discounts_are_split_with_the_lines(
        self, client: AsyncClient, world: World
    ) -> None:
        _, check = await checked(client, world, [pizza(world), cola(world)])
        discounted = await client.post(
            world.url(f"/checks/{check['id']}/discounts"),
            json={"kind": "fixed", "value": 100, "reason": "regular"},
            headers=world.cashier.headers,
        )
        assert discounted.status_code == 201, discounted.text
        response = await split(client, world, check["id"], {"by": "even", "parts": 2})
        assert response.status_code == 201, response.text
        whole, parts = response.json()["check"], response.json()["parts"]
        assert whole["discount_total"] == 100
        adds_up(whole, parts)
        refused = await client.post(
            world.url(f"/checks/{parts[0]['id']}/discounts"),
            json={"kind": "fixed", "value": 1, "reason": "more"},
            headers=world.cashier.headers,
        )
        assert refused.status_code == 409
        assert problem_type(refused) == "check-is-part"

    async def test_a_part_is_never_overpaid(self, client: AsyncClient, world: World) -> None:
        _, check = await checked(client, world, [pizza(world)])
        parts = (await split(client, world, check["id"], {"by": "even", "parts": 2})).json()[
            "parts"
        ]
        over = await pay(client, world, parts[0]["id"], {"method": "card", "amount": 551})
        assert over.status_code == 422
        assert problem_type(over) == "payment-exceeds-balance"
        half = await pay(client, world, parts[0]["id"], {"method": "cash", "amount": 300})
        assert half.status_code == 201
        assert half.json()["check"]["balance"] == 250

    async def test_idempotency_key(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        _, check = await checked(client, world, [pizza(world)])
        body = {"by": "even", "parts": 2}
        first = await split(client, world, check["id"], body, **{"Idempotency-Key": "split-1"})
        assert first.status_code == 201
        again = await split(client, world, check["id"], body, **{"Idempotency-Key": "split-1"})
        assert again.status_code == 201
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
        assert await count(session, Check, restaurant_id=world.rid) == 3
        other = await split(
            client, world, check["id"], {"by": "even", "parts": 3}, **{"Idempotency-Key": "split-1"}
        )
        assert other.status_code == 422


class TestSplitErrors:
    async def test_invalid_splits_write_nothing(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        _, check = await checked(client, world, [pizza(world), cola(world)])
        p_id, c_id = (li["order_item_id"] for li in check["lines"])
        before = await snapshot(session, world.rid)
        bad: list[dict[str, Any]] = [
            # shares of the pizza sum to 2/3
            {
                "by": "lines",
                "parts": [
                    [{"order_item_id": p_id, "share": "1/3"}, {"order_item_id": c_id}],
                    [{"order_item_id": p_id, "share": "1/3"}],
                ],
            },
            # the cola on no part
            {"by": "lines", "parts": [[{"order_item_id": p_id, "share": "0.5"}]] * 2},
            # an unknown line
            {
                "by": "lines",
                "parts": [
                    [{"order_item_id": p_id}, {"order_item_id": c_id}],
                    [{"order_item_id": 999_999}],
                ],
            },
            # a share above 1, and one that is no fraction
            {
                "by": "lines",
                "parts": [[{"order_item_id": p_id, "share": "3/2"}], [{"order_item_id": c_id}]],
            },
            {
                "by": "lines",
                "parts": [[{"order_item_id": p_id, "share": "1/0"}], [{"order_item_id": c_id}]],
            },
            # amounts not summing to the total
            {"by": "amounts", "amounts": [1000, 429]},
            # no seats
            {"by": "seat"},
        ]
        for body in bad:
            response = await split(client, world, check["id"], body)
            assert response.status_code == 422, (body, response.text)
            assert problem_type(response) == "invalid-split", response.text
        for body in (
            {"by": "even", "parts": 1},
            {"by": "thirds"},
            {"by": "amounts", "amounts": [0, 1430]},
        ):
            response = await split(client, world, check["id"], body)
            assert response.status_code == 422
            assert problem_type(response) == "validation-error"
        assert await snapshot(session, world.rid) == before

    async def test_split_a_paid_check(self, client: AsyncClient, world: World) -> None:
        _, paid = await checked(client, world, [pizza(world)])
        assert (await pay(client, world, paid["id"], {"method": "card"})).status_code == 201
        response = await split(client, world, paid["id"], {"by": "even", "parts": 2})
        assert response.status_code == 409
        assert problem_type(response) == "check-paid"

    async def test_split_a_check_with_a_payment(self, client: AsyncClient, world: World) -> None:
        _, check = await checked(client, world, [pizza(world)])
        assert (
            await pay(client, world, check["id"], {"method": "card", "amount": 100})
        ).status_code == 201
        response = await split(client, world, check["id"], {"by": "even", "parts": 2})
        assert response.status_code == 409
        assert problem_type(response) == "check-has-payments"

    async def test_split_twice_and_split_a_part(self, client: AsyncClient, world: World) -> None:
        _, check = await checked(client, world, [pizza(world)])
        parts = (await split(client, world, check["id"], {"by": "even", "parts": 2})).json()[
            "parts"
        ]
        twice = await split(client, world, check["id"], {"by": "even", "parts": 2})
        assert twice.status_code == 409
        assert problem_type(twice) == "check-split"
        nested = await split(client, world, parts[0]["id"], {"by": "even", "parts": 2})
        assert nested.status_code == 409
        assert problem_type(nested) == "check-is-part"


class TestMerge:
    async def test_merge_back_before_any_payment(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        order, check = await checked(client, world, [pizza(world), cola(world)])
        parts = (await split(client, world, check["id"], {"by": "even", "parts": 2})).json()[
            "parts"
        ]
        before = await last_seq(session, world.rid)
        merged = await client.post(
            world.url(f"/checks/{parts[1]['id']}/merge"), headers=world.cashier.headers
        )
        assert merged.status_code == 200, merged.text
        body = merged.json()
        assert body["id"] == check["id"]
        assert body["status"] == "open"
        assert body["split_by"] is None
        assert body["part_ids"] == []
        assert body["total"] == 1430
        assert await event_types(session, world.rid, before) == ["check.merged"]
        gone = await client.get(
            world.url(f"/checks/{parts[0]['id']}"), headers=world.cashier.headers
        )
        assert gone.status_code == 404
        assert await count(session, CheckPartLine, restaurant_id=world.rid) == 0
        # Open again: it follows the order and takes a payment.
        paid = await pay(client, world, check["id"], {"method": "card"})
        assert paid.status_code == 201
        assert paid.json()["check"]["status"] == "paid"
        state = await client.get(world.url(f"/orders/{order['id']}"), headers=world.waiter.headers)
        assert state.json()["status"] == "closed"

    async def test_merge_after_a_part_is_paid_and_an_unsplit_check(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        _, check = await checked(client, world, [pizza(world)])
        not_split = await client.post(
            world.url(f"/checks/{check['id']}/merge"), headers=world.cashier.headers
        )
        assert not_split.status_code == 409
        assert problem_type(not_split) == "check-not-split"
        parts = (await split(client, world, check["id"], {"by": "even", "parts": 2})).json()[
            "parts"
        ]
        assert (
            await pay(client, world, parts[1]["id"], {"method": "cash", "amount": 10})
        ).status_code == 201
        before = await snapshot(session, world.rid)
        refused = await client.post(
            world.url(f"/checks/{check['id']}/merge"), headers=world.cashier.headers
        )
        assert refused.status_code == 409
        assert problem_type(refused) == "check-has-payments"
        assert await snapshot(session, world.rid) == before


class TestMoveLines:
    async def test_move_a_line_to_another_part(
        self, client: AsyncClient, session: AsyncSession, world: World
    ) -> None:
        _, check = await checked(client, world, [pizza(world, 1), cola(world, 1), soup(world, 2)])
        p_id, c_id, s_id = (li["order_item_id"] for li in check["lines"])
        first, second = (await split(client, world, check["id"], {"by": "seat"})).json()["parts"]
        assert [p["subtotal"] for p in (first, second)] == [1300, 650]
        url = world.url(f"/checks/{first['id']}/lines/move")
        body = {"order_item_ids": [c_id], "to_check_id": second["id"]}
        before = await last_seq(session, world.rid)
        moved = await client.post(url, json=body, headers=world.cashier.headers)
        assert moved.status_code == 200, moved.text
        whole, parts = moved.json()["check"], moved.json()["parts"]
        assert whole["split_by"] == "lines"
        assert [p["id"] for p in parts] == [first["id"], second["id"]]
        assert [[li["order_item_id"] for li in p["lines"]] for p in parts] == [
            [p_id],
            [c_id, s_id],
        ]
        assert [p["subtotal"] for p in parts] == [1000, 950]
        adds_up(whole, parts)
        assert await event_types(session, world.rid, before) == ["check.lines.moved"]
        # Errors: a line not on the part, the part itself as target, a part left empty.
        for bad in (
            {"order_item_ids": [c_id], "to_check_id": second["id"]},
            {"order_item_ids": [p_id], "to_check_id": first["id"]},
            {"order_item_ids": [p_id], "to_check_id": second["id"]},
        ):
            refused = await client.post(url, json=bad, headers=world.cashier.headers)
            assert refused.status_code == 422, refused.text
            assert problem_type(refused) == "invalid-split"
        unsplit = await client.post(
            world.url(f"/checks/{check['id']}/lines/move"), json=body, headers=world.cashier.headers
        )
        assert unsplit.status_code == 409
        assert problem_type(unsplit) == "check-not-split"
        assert (
            await pay(client, world, second["id"], {"method": "card", "amount": 5})
        ).status_code == 201
        back = {"order_item_ids": [c_id], "to_check_id": first["id"]}
        paid = await client.post(
            world.url(f"/checks/{second['id']}/lines/move"),
            json=back,
            headers=world.cashier.headers,
        )
        assert paid.status_code == 409
        assert problem_type(paid) == "check-has-payments"
        other = await client.post(url, json=body, headers=world.stranger.headers)
        assert other.status_code == 404
