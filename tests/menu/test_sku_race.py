"""A SKU taken by a concurrent request between the pre-check and the write: the
database's unique constraint (``uq_menu_variations_restaurant_id_sku``) answers, and the
client gets the same 409 ``sku-taken`` as from the pre-check, never a 500.

The race is provoked by switching the pre-check off (``_check_skus`` passes), so the
write reaches the constraint, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access, Actor
from brigade.auth.permissions import Permission
from brigade.menu import service
from brigade.menu.exceptions import SkuTaken
from brigade.menu.models import Category, MenuItem, Variation
from brigade.menu.schemas import CategoryCreate, MenuItemCreate, VariationCreate
from tests.menu.conftest import Staff, events_of
from tests.menu.test_router import PIZZA_SIZES, make_category, make_item, problem


@pytest.fixture
def no_precheck(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SKU pre-check sees nothing, as when the other request has not committed yet."""

    async def passes(*_args: object, **_kwargs: object) -> None:
        return None

    monkeypatch.setattr(service, "_check_skus", passes)


def system(restaurant_id: int) -> Access:
    return Access(
        actor=Actor(),
        restaurant_id=restaurant_id,
        role=None,
        permissions=frozenset({Permission.menu_read, Permission.menu_write}),
    )


async def skus(session: AsyncSession, restaurant_id: int) -> Sequence[tuple[int, str, int]]:
    rows = await session.execute(
        select(Variation.item_id, Variation.sku, Variation.price)
        .where(Variation.restaurant_id == restaurant_id)
        .order_by(Variation.id)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


@pytest.mark.usefixtures("no_precheck")
class TestSkuRace:
    async def test_create_variation_answers_409_and_writes_nothing(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        chicken = await make_category(client, staff, "Chicken")
        await make_item(client, staff, chicken, "BBQ", variations=PIZZA_SIZES[:1])
        other = await make_item(client, staff, chicken, "Other")
        before = await skus(session, staff.restaurant.id)
        events = len(await events_of(session, staff.restaurant.id))

        r = await client.post(
            f"{staff.base}/menu/items/{other['id']}/variations",
            json=PIZZA_SIZES[0],
            headers=staff.owner,
        )

        body = problem(r, 409, "sku-taken")
        assert body["sku"] == "bbq_ckn_s"
        assert await skus(session, staff.restaurant.id) == before
        assert len(await events_of(session, staff.restaurant.id)) == events

    async def test_update_variation_answers_409_and_changes_nothing(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        chicken = await make_category(client, staff, "Chicken")
        item = await make_item(client, staff, chicken, "BBQ", variations=PIZZA_SIZES)
        medium = item["variations"][1]["id"]
        url = f"{staff.base}/menu/items/{item['id']}/variations/{medium}"
        before = await skus(session, staff.restaurant.id)

        r = await client.patch(url, json={"sku": "bbq_ckn_l", "price": 1}, headers=staff.owner)

        assert problem(r, 409, "sku-taken")["sku"] == "bbq_ckn_l"
        assert await skus(session, staff.restaurant.id) == before
        got = (await client.get(url, headers=staff.owner)).json()
        assert (got["sku"], got["price"]) == ("bbq_ckn_m", 1675)

    async def test_create_item_answers_409_and_writes_no_item(
        self, client: AsyncClient, staff: Staff, session: AsyncSession
    ) -> None:
        chicken = await make_category(client, staff, "Chicken")
        await make_item(client, staff, chicken, "BBQ", variations=PIZZA_SIZES[:1])

        r = await client.post(
            f"{staff.base}/menu/items",
            json={"category_id": chicken, "name": "Copy", "variations": PIZZA_SIZES[:2]},
            headers=staff.owner,
        )

        assert problem(r, 409, "sku-taken")["skus"] == ["bbq_ckn_s", "bbq_ckn_m"]
        names = set(
            await session.scalars(
                select(MenuItem.name).where(MenuItem.restaurant_id == staff.restaurant.id)
            )
        )
        assert names == {"BBQ"}
        assert [s for _, s, _ in await skus(session, staff.restaurant.id)] == ["bbq_ckn_s"]

    async def test_the_rest_of_the_transaction_survives(
        self, session: AsyncSession, staff: Staff
    ) -> None:
        access = system(staff.restaurant.id)
        category = await service.create_category(session, access, CategoryCreate(name="Pizza"))
        item = await service.create_item(
            session, access, MenuItemCreate(category_id=category.id, name="A")
        )
        await service.create_variation(session, access, item.id, VariationCreate(**PIZZA_SIZES[0]))

        with pytest.raises(SkuTaken):
            await service.create_variation(
                session, access, item.id, VariationCreate(**PIZZA_SIZES[0])
            )

        # the category, the item and the first variation are still there, and the
        # transaction takes more writes
        again = await service.create_variation(
            session, access, item.id, VariationCreate(**PIZZA_SIZES[1])
        )
        assert again.sku == "bbq_ckn_m"
        assert await session.scalar(select(Category.name).where(Category.id == category.id)) == (
            "Pizza"
        )
        assert [s for _, s, _ in await skus(session, staff.restaurant.id)] == [
            "bbq_ckn_s",
            "bbq_ckn_m",
        ]

    async def test_another_integrity_error_is_not_a_409(
        self, session: AsyncSession, staff: Staff
    ) -> None:
        access = system(staff.restaurant.id)
        category = await service.create_category(session, access, CategoryCreate(name="Pizza"))
        item = await service.create_item(
            session, access, MenuItemCreate(category_id=category.id, name="A")
        )
        nameless = VariationCreate.model_construct(
            name=None, sku="new_sku", price=100, is_available=True, position=0
        )

        with pytest.raises(IntegrityError):
            await service.create_variation(session, access, item.id, nameless)

        count = await session.scalar(
            select(func.count()).select_from(Variation).where(Variation.item_id == item.id)
        )
        assert count == 0
