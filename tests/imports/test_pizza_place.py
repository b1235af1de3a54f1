"""The pizza place importer on the published files: slices for the rules and the error
paths, the whole year (marked ``slow``, once per database run) for the published
figures, through the reports' HTTP API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

import brigade.imports.pizza_place as pizza_place
from brigade.auth.permissions import Role
from brigade.billing.models import Check, Payment
from brigade.events.models import OutboxEvent
from brigade.imports.exceptions import ImportConflict, ImportSourceError
from brigade.imports.pizza_place import (
    PizzaPlaceData,
    import_pizza_place,
    load_pizza_place,
)
from brigade.menu.models import Category, MenuItem, Variation
from brigade.orders.models import Order, OrderItem
from brigade.restaurants.exceptions import UnknownTimeZone
from brigade.restaurants.models import Restaurant
from brigade.runtime import Runtime
from tests.factories import make_restaurant, make_user, unique
from tests.imports.support import (
    SHARED_DATA,
    great_tables_file,
    requires_shared_data,
    write_folder_slice,
    write_great_tables_slice,
)

SLICE_END = "2015-01-02"


async def count(session: AsyncSession, model: type, restaurant_id: int) -> int:
    """Rows of ``model`` in the restaurant."""
    value = await session.scalar(
        select(func.count()).select_from(model).where(model.restaurant_id == restaurant_id)  # type: ignore[attr-defined]
    )
    return int(value or 0)


async def counts(session: AsyncSession, restaurant_id: int) -> dict[str, int]:
    models = (Category, MenuItem, Variation, Order, OrderItem, Check, Payment, OutboxEvent)
    return {m.__name__: await count(session, m, restaurant_id) for m in models}


@pytest.fixture
def folder_slice(tmp_path: Path) -> Path:
    if not (SHARED_DATA / "orders.csv").is_file():
        pytest.skip(f"the published pizza place CSVs are absent ({SHARED_DATA})")
    return write_folder_slice(tmp_path / "pizza-place", SLICE_END)


@pytest.fixture
def great_tables_slice(tmp_path: Path) -> Path:
    return write_great_tables_slice(tmp_path / "05-pizzaplace.csv", SLICE_END)


class TestFolderShape:
    async def test_builds_the_menu_with_sizes_prices_and_ingredients(
        self, session: AsyncSession, folder_slice: Path
    ) -> None:
        report = await import_pizza_place(
            session, load_pizza_place(folder_slice), slug=unique("pp")
        )
        rid = report.restaurant_id
        assert (report.categories_created, report.items_created, report.variations_created) == (
            4,
            32,
            96,
        )
        categories = set(
            await session.scalars(select(Category.name).where(Category.restaurant_id == rid))
        )
        assert categories == {"Chicken", "Classic", "Supreme", "Veggie"}
        calabrese = (
            await session.execute(
                select(MenuItem.name, MenuItem.ingredients, MenuItem.station).where(
                    MenuItem.restaurant_id == rid, MenuItem.external_ref == "calabrese"
                )
            )
        ).one()
        # pizza_types.csv is Windows-1252: byte 0x91 is a left single quotation mark.
        assert calabrese.ingredients[0] == "\u2018Nduja Salami"
        assert calabrese.name == "The Calabrese Pizza"
        assert calabrese.station == "oven"
        small_bbq = (
            await session.execute(
                select(Variation.name, Variation.price).where(
                    Variation.restaurant_id == rid, Variation.sku == "bbq_ckn_s"
                )
            )
        ).one()
        assert tuple(small_bbq) == ("Small", 1275)
        the_greek_xxl = await session.scalar(
            select(Variation.price).where(
                Variation.restaurant_id == rid, Variation.sku == "the_greek_xxl"
            )
        )
        assert the_greek_xxl == 3595

    async def test_orders_are_settled_at_their_local_time(
        self, session: AsyncSession, folder_slice: Path
    ) -> None:
        data = load_pizza_place(folder_slice)
        report = await import_pizza_place(session, data, slug=unique("pp"))
        rid = report.restaurant_id
        assert report.orders_created == len(data.orders) == 136
        assert report.lines_created == data.line_count
        first = (
            await session.execute(
                select(Order).where(Order.restaurant_id == rid, Order.external_ref == "2015-000001")
            )
        ).scalar_one()
        # 2015-01-01 11:38:36 in New York (EST, UTC-5).
        assert first.opened_at == datetime(2015, 1, 1, 16, 38, 36, tzinfo=UTC)
        assert first.closed_at == first.opened_at
        assert first.business_date == date(2015, 1, 1)
        assert (first.kind, first.status, first.table_id) == ("dine_in", "closed", None)
        line = (
            await session.execute(select(OrderItem).where(OrderItem.order_id == first.id))
        ).scalar_one()
        assert (line.name, line.variation_name, line.sku, line.category_name) == (
            "The Hawaiian Pizza",
            "Medium",
            "hawaiian_m",
            "Classic",
        )
        assert (line.quantity, line.unit_price, line.line_total, line.status) == (
            1,
            1325,
            1325,
            "served",
        )
        check = (
            await session.execute(select(Check).where(Check.order_id == first.id))
        ).scalar_one()
        assert (check.status, check.subtotal, check.tax_total, check.total, check.paid_total) == (
            "paid",
            1325,
            0,
            1325,
            1325,
        )
        payment = (
            await session.execute(select(Payment).where(Payment.check_id == check.id))
        ).scalar_one()
        assert (payment.method, payment.amount) == ("other", 1325)
        # A late order keeps its local business date though it is the next day in UTC.
        late = next(o for o in data.orders if o.local_time.hour >= 20)
        late_row = (
            await session.execute(
                select(Order.opened_at, Order.business_date).where(
                    Order.restaurant_id == rid, Order.external_ref == late.ref
                )
            )
        ).one()
        assert late_row.business_date == late.local_time.date()
        assert late_row.opened_at.date() == date(2015, 1, late.local_time.day + 1)
        statuses = set(
            await session.scalars(
                select(OrderItem.status).where(OrderItem.restaurant_id == rid).distinct()
            )
        )
        assert statuses == {"served"}

    async def test_one_summary_event_and_no_event_per_order(
        self, session: AsyncSession, folder_slice: Path
    ) -> None:
        report = await import_pizza_place(
            session, load_pizza_place(folder_slice), slug=unique("pp")
        )
        await session.commit()  # numbers the recorded events into the outbox
        types = list(
            await session.scalars(
                select(OutboxEvent.type).where(OutboxEvent.restaurant_id == report.restaurant_id)
            )
        )
        assert types == ["import.completed"]

    async def test_second_run_changes_nothing(
        self, session: AsyncSession, folder_slice: Path, great_tables_slice: Path
    ) -> None:
        slug = unique("pp")
        first = await import_pizza_place(session, load_pizza_place(folder_slice), slug=slug)
        before = await counts(session, first.restaurant_id)
        again = await import_pizza_place(session, load_pizza_place(folder_slice), slug=slug)
        assert not again.changed
        assert again.orders_skipped == first.orders_created
        # The other shape of the same days has the same keys: nothing new either.
        other_shape = await import_pizza_place(
            session, load_pizza_place(great_tables_slice), slug=slug
        )
        assert not other_shape.changed
        assert await counts(session, first.restaurant_id) == before

    async def test_time_zone_decides_utc_times(
        self, session: AsyncSession, folder_slice: Path
    ) -> None:
        report = await import_pizza_place(
            session, load_pizza_place(folder_slice), slug=unique("pp"), time_zone="Europe/Rome"
        )
        rid = report.restaurant_id
        assert (await session.get(Restaurant, rid)).time_zone == "Europe/Rome"  # type: ignore[union-attr]
        opened_at = await session.scalar(
            select(Order.opened_at).where(
                Order.restaurant_id == rid, Order.external_ref == "2015-000001"
            )
        )
        assert opened_at == datetime(2015, 1, 1, 10, 38, 36, tzinfo=UTC)

    async def test_progress_reports_every_chunk(
        self, session: AsyncSession, folder_slice: Path
    ) -> None:
        calls: list[tuple[str, int, int]] = []
        await import_pizza_place(
            session,
            load_pizza_place(folder_slice),
            slug=unique("pp"),
            chunk_size=50,
            progress=lambda *args: calls.append(args),
        )
        assert calls == [
            ("orders", 0, 136),
            ("orders", 50, 136),
            ("orders", 100, 136),
            ("orders", 136, 136),
        ]


class TestGreatTablesShape:
    async def test_readable_names_from_the_bundled_menu(
        self, session: AsyncSession, great_tables_slice: Path
    ) -> None:
        data = load_pizza_place(great_tables_slice)
        assert data.shape == "great-tables"
        report = await import_pizza_place(session, data, slug=unique("pp"))
        rid = report.restaurant_id
        names = set(
            await session.scalars(select(MenuItem.name).where(MenuItem.restaurant_id == rid))
        )
        assert len(names) == 32
        assert "The Hawaiian Pizza" in names
        assert all(name.startswith("The ") for name in names)
        # Every size of the menu, including those never sold in the file (big_meat_m).
        assert report.variations_created == 96

    async def test_rows_of_one_pizza_become_one_line_with_a_quantity(
        self, session: AsyncSession, great_tables_slice: Path
    ) -> None:
        data = load_pizza_place(great_tables_slice)
        report = await import_pizza_place(session, data, slug=unique("pp"))
        multi = next((o, line) for o in data.orders for line in o.lines if line.quantity > 1)
        order, line = multi
        quantity = await session.scalar(
            select(OrderItem.quantity)
            .join(Order, Order.id == OrderItem.order_id)
            .where(
                Order.restaurant_id == report.restaurant_id,
                Order.external_ref == order.ref,
                OrderItem.sku == line.sku,
            )
        )
        assert quantity == line.quantity > 1
        assert report.pizzas_created == data.pizza_count

    @requires_shared_data
    async def test_same_orders_as_the_published_folder(
        self, folder_slice: Path, great_tables_slice: Path
    ) -> None:
        folder = load_pizza_place(folder_slice)
        great = load_pizza_place(great_tables_slice)

        def orders(data: PizzaPlaceData) -> dict[str, object]:
            by_sku = lambda line: line.sku  # noqa: E731
            return {o.ref: (o.local_time, sorted(o.lines, key=by_sku)) for o in data.orders}

        assert len(folder.orders) == len(great.orders) == 136
        assert orders(folder) == orders(great)


def test_bundled_menu_is_readable_utf8() -> None:
    """The package data the great-tables shape relies on (shipped in the wheel)."""
    types, pizzas = pizza_place._bundled_menu()
    assert len(types) == 32
    assert len(pizzas) == 96
    assert types["calabrese"].ingredients[0] == "\u2018Nduja Salami"
    assert types["thai_ckn"].name == "The Thai Chicken Pizza"
    assert pizzas["the_greek_xxl"].price == 3595


class TestLoadErrors:
    def test_missing_path(self, tmp_path: Path) -> None:
        with pytest.raises(ImportSourceError, match="does not exist"):
            load_pizza_place(tmp_path / "nowhere")

    def test_folder_without_a_file(self, folder_slice: Path) -> None:
        (folder_slice / "order_details.csv").unlink()
        with pytest.raises(ImportSourceError, match="order_details.csv does not exist"):
            load_pizza_place(folder_slice)

    def test_bad_header_names_the_file_and_columns(self, folder_slice: Path) -> None:
        (folder_slice / "orders.csv").write_text("id,day,hour\n1,2015-01-01,11:38:36\n")
        with pytest.raises(ImportSourceError, match=r"orders.csv: expected the columns order_id"):
            load_pizza_place(folder_slice)

    def test_bad_value_names_file_and_line(self, folder_slice: Path) -> None:
        text = (folder_slice / "pizzas.csv").read_bytes().decode()
        (folder_slice / "pizzas.csv").write_text(text.replace("12.75", "12.7x", 1))
        with pytest.raises(ImportSourceError, match=r"pizzas.csv:2: price '12.7x'"):
            load_pizza_place(folder_slice)

    def test_unknown_pizza_in_an_order(self, folder_slice: Path) -> None:
        with (folder_slice / "order_details.csv").open("a") as handle:
            handle.write("999999,1,calzone_m,1\n")
        with pytest.raises(ImportSourceError, match="'calzone_m' is not in pizzas.csv"):
            load_pizza_place(folder_slice)

    def test_one_of_the_four_files_asks_for_the_folder(self, folder_slice: Path) -> None:
        with pytest.raises(ImportSourceError, match="give the folder"):
            load_pizza_place(folder_slice / "orders.csv")

    def test_great_tables_bad_header(self, tmp_path: Path) -> None:
        path = tmp_path / "pizzas.tsv"
        path.write_text("id;date;time\n")
        with pytest.raises(ImportSourceError, match="expected the columns id, date, time, name"):
            load_pizza_place(path)

    def test_great_tables_not_installed(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(pizza_place, "find_spec", lambda _name: None)
        with pytest.raises(ImportSourceError, match="great-tables is not installed"):
            load_pizza_place(None)


class TestImportErrors:
    async def test_unknown_time_zone_writes_nothing(
        self, session: AsyncSession, folder_slice: Path
    ) -> None:
        slug = unique("pp")
        with pytest.raises(UnknownTimeZone):
            await import_pizza_place(
                session, load_pizza_place(folder_slice), slug=slug, time_zone="Mars/Olympus"
            )
        assert await session.scalar(select(Restaurant.id).where(Restaurant.slug == slug)) is None

    async def test_other_time_zone_of_an_existing_restaurant(
        self, session: AsyncSession, folder_slice: Path
    ) -> None:
        restaurant = await make_restaurant(session, time_zone="Asia/Tokyo")
        with pytest.raises(ImportConflict, match="Asia/Tokyo"):
            await import_pizza_place(
                session,
                load_pizza_place(folder_slice),
                slug=restaurant.slug,
                time_zone="America/New_York",
            )
        assert await count(session, Order, restaurant.id) == 0

    async def test_other_currency_of_an_existing_restaurant(
        self, session: AsyncSession, folder_slice: Path
    ) -> None:
        restaurant = await make_restaurant(session, currency="EUR")
        with pytest.raises(ImportConflict, match="EUR"):
            await import_pizza_place(session, load_pizza_place(folder_slice), slug=restaurant.slug)
        assert await count(session, MenuItem, restaurant.id) == 0


# ------------------------------------------------------------------------ the whole year


async def check_published_figures(
    session: AsyncSession, client: AsyncClient, runtime: Runtime, data: PizzaPlaceData
) -> None:
    """Import the year and read the reports as the owner: the published figures."""
    report = await import_pizza_place(session, data, slug=unique("pp"))
    assert report.orders_created == 21_350
    assert report.pizzas_created == 49_574
    restaurant = await session.get(Restaurant, report.restaurant_id)
    assert restaurant is not None
    owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
    await session.commit()
    base = f"/api/v1/restaurants/{restaurant.id}/reports"
    year = {"start_date": "2015-01-01", "end_date": "2015-12-31"}

    sales = await client.get(f"{base}/sales", params=year, headers=owner.headers)
    assert sales.status_code == 200, sales.text
    assert sales.json() == {
        "start_date": "2015-01-01",
        "end_date": "2015-12-31",
        "currency": "USD",
        "orders": 21_350,
        "items_sold": 49_574,
        "net_sales": 81_786_005,
        "tax": 0,
        "average_order_value": 3_831,
    }
    by_revenue = await client.get(
        f"{base}/products", params={**year, "sort": "revenue"}, headers=owner.headers
    )
    assert by_revenue.status_code == 200, by_revenue.text
    body = by_revenue.json()
    assert body["total"] == 32
    top = body["items"][0]
    assert (top["name"], top["category"], top["net_sales"]) == (
        "The Thai Chicken Pizza",
        "Chicken",
        4_343_425,
    )
    assert sum(item["net_sales"] for item in body["items"]) == 81_786_005
    by_quantity = await client.get(
        f"{base}/products", params={**year, "sort": "quantity"}, headers=owner.headers
    )
    top = by_quantity.json()["items"][0]
    assert (top["name"], top["quantity"]) == ("The Classic Deluxe Pizza", 2_453)

    before = await counts(session, restaurant.id)
    again = await import_pizza_place(session, data, slug=restaurant.slug)
    assert not again.changed
    assert await counts(session, restaurant.id) == before


@pytest.mark.slow
@requires_shared_data
async def test_whole_year_from_the_published_files(
    session: AsyncSession, client: AsyncClient, runtime: Runtime
) -> None:
    await check_published_figures(session, client, runtime, load_pizza_place(SHARED_DATA))


@pytest.mark.slow
async def test_whole_year_from_great_tables(
    session: AsyncSession, client: AsyncClient, runtime: Runtime
) -> None:
    great_tables_file()
    await check_published_figures(session, client, runtime, load_pizza_place(None))
