"""The CSV order-history importer (``brigade import orders``) on the real files of both
data sets and on small exports written here: its shapes, its idempotence, the reports it
feeds and its errors."""

from __future__ import annotations

import csv
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from brigade.auth.permissions import Role
from brigade.cli import app as cli
from brigade.imports.csv_orders import (
    CsvMapping,
    import_csv_history,
    load_csv_history,
    load_mapping,
)
from brigade.imports.exceptions import ImportConflict, ImportSourceError
from brigade.imports.pizza_place import load_pizza_place
from brigade.menu.models import MenuItem, Variation
from brigade.orders.models import Order, OrderItem
from brigade.restaurants.exceptions import UnknownTimeZone
from brigade.restaurants.models import Restaurant
from brigade.runtime import Runtime
from tests.factories import make_restaurant, make_user, unique
from tests.imports.support import SHARED_DATA, requires_shared_data, write_folder_slice

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "restaurant-orders.toml"
RESTAURANT_ORDERS = SHARED_DATA.parent / "restaurant-orders"

requires_restaurant_orders = pytest.mark.skipif(
    not (RESTAURANT_ORDERS / "order_details.csv").is_file(),
    reason=f"the Restaurant Orders CSVs are absent ({RESTAURANT_ORDERS}): "
    "../shared/data must stand beside the repository",
)


def mapping_for(slug: str, **sections: dict[str, object]) -> CsvMapping:
    """The example mapping of the Restaurant Orders set, for another restaurant slug."""
    mapping = load_mapping(EXAMPLE, {"restaurant.slug": slug})
    return mapping.model_copy(update=sections)


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


async def counts(session: AsyncSession, restaurant_id: int) -> tuple[int, int, int]:
    orders = await session.scalar(
        select(func.count()).select_from(Order).where(Order.restaurant_id == restaurant_id)
    )
    lines = await session.scalar(
        select(func.count()).select_from(OrderItem).where(OrderItem.restaurant_id == restaurant_id)
    )
    items = await session.scalar(
        select(func.count()).select_from(MenuItem).where(MenuItem.restaurant_id == restaurant_id)
    )
    return int(orders or 0), int(lines or 0), int(items or 0)


# --------------------------------------------------------- the Restaurant Orders data set


def published_figures() -> tuple[int, int, int, Counter[str]]:
    """Orders, lines, revenue (cents) and quantity per item name, computed here from the
    two CSVs with the csv module alone (the way the published analyses compute them)."""
    with (RESTAURANT_ORDERS / "menu_items.csv").open(newline="", encoding="utf-8") as f:
        menu = {row["menu_item_id"]: row for row in csv.DictReader(f)}
    with (RESTAURANT_ORDERS / "order_details.csv").open(newline="", encoding="utf-8") as f:
        lines = list(csv.DictReader(f))
    revenue = sum(
        int(Decimal(menu[row["item_id"]]["price"]) * 100) for row in lines if row["item_id"] in menu
    )
    sold = Counter(menu[row["item_id"]]["item_name"] for row in lines if row["item_id"] in menu)
    return len({row["order_id"] for row in lines}), len(lines), revenue, sold


@requires_restaurant_orders
async def test_restaurant_orders_import_gives_the_published_figures(
    session: AsyncSession, client: AsyncClient, runtime: Runtime
) -> None:
    orders, lines, revenue, sold = published_figures()
    assert (orders, lines, revenue) == (5_370, 12_234, 15_921_790)  # as published
    assert sold.most_common(1) == [("Hamburger", 622)]

    mapping = mapping_for(unique("ro"))
    data = load_csv_history(RESTAURANT_ORDERS, mapping)
    assert (len(data.orders), data.line_count, data.missing_items) == (5_370, 12_234, 137)
    report = await import_csv_history(session, data, mapping)
    assert (report.orders_created, report.lines_created, report.items_created) == (
        5_370,
        12_234,
        32,
    )
    restaurant = await session.get(Restaurant, report.restaurant_id)
    assert restaurant is not None
    assert restaurant.time_zone == "America/New_York"
    owner = await make_user(session, runtime, restaurant=restaurant, role=Role.owner)
    await session.commit()

    base = f"/api/v1/restaurants/{restaurant.id}/reports"
    quarter = {"start_date": "2023-01-01", "end_date": "2023-03-31"}
    sales = await client.get(f"{base}/sales", params=quarter, headers=owner.headers)
    assert sales.status_code == 200, sales.text
    body = sales.json()
    assert (body["orders"], body["items_sold"], body["net_sales"]) == (5_370, 12_234, 15_921_790)
    products = await client.get(
        f"{base}/products", params={**quarter, "sort": "quantity"}, headers=owner.headers
    )
    assert products.status_code == 200, products.text
    top = products.json()["items"][0]
    assert (top["name"], top["category"], top["quantity"]) == ("Hamburger", "American", 622)

    # the lines without an item are kept as lines without a menu item, at zero
    orphans = (
        await session.execute(
            select(func.count(), func.sum(OrderItem.line_total)).where(
                OrderItem.restaurant_id == restaurant.id, OrderItem.menu_item_id.is_(None)
            )
        )
    ).one()
    assert tuple(orphans) == (137, 0)
    # the first order is at its local time: 01-01-2023 11:38:36 in New York is 16:38:36 UTC
    first = await session.scalar(
        select(Order).where(Order.restaurant_id == restaurant.id, Order.external_ref == "1")
    )
    assert first is not None
    assert first.opened_at.isoformat() == "2023-01-01T16:38:36+00:00"
    assert first.business_date.isoformat() == "2023-01-01"

    before = await counts(session, restaurant.id)
    again = await import_csv_history(session, data, mapping)
    assert not again.changed
    assert again.orders_skipped == 5_370
    assert await counts(session, restaurant.id) == before


@requires_restaurant_orders
def test_the_documented_month_first_format_stops_at_the_thirteenth() -> None:
    """The data set is described as MM-DD-YYYY; its file is DD-MM-YYYY. Read as described,
    the import names the first line that cannot be a month-first date."""
    mapping = load_mapping(EXAMPLE, {"format.date": "%m-%d-%Y"})
    with pytest.raises(ImportSourceError, match=r"order_details.csv:\d+: '13-01-2023 "):
        load_csv_history(RESTAURANT_ORDERS, mapping)


# ------------------------------------------------------------- orders and lines (pizza)


PIZZA_MAPPING = {
    "restaurant.slug": "",
    "restaurant.time_zone": "America/New_York",
    "menu.file": "pizzas.csv",
    "menu.id": "pizza_id",
    "menu.item": "pizza_type_id",
    "menu.name": "pizza_type_id",
    "menu.size": "size",
    "menu.price": "price",
    "orders.file": "orders.csv",
    "orders.id": "order_id",
    "orders.date": "date",
    "orders.time": "time",
    "lines.file": "order_details.csv",
    "lines.order": "order_id",
    "lines.item": "pizza_id",
    "lines.quantity": "quantity",
}


@requires_shared_data
async def test_orders_and_lines_in_two_files(session: AsyncSession, tmp_path: Path) -> None:
    """The pizza place's published files as an export of orders and lines: the same
    orders, lines and amounts as its own importer reads."""
    folder = write_folder_slice(tmp_path / "pp", "2015-01-03")
    mapping = load_mapping(None, {**PIZZA_MAPPING, "restaurant.slug": unique("pp")})
    data = load_csv_history(folder, mapping)
    reference = load_pizza_place(folder)
    assert len(data.orders) == len(reference.orders) > 100
    assert data.line_count == reference.line_count
    assert sorted((o.ref, o.local_time) for o in data.orders) == sorted(
        (str(int(o.ref.split("-")[1])), o.local_time) for o in reference.orders
    )
    total = sum(line.quantity * line.unit_price for o in data.orders for line in o.lines)
    assert total == sum(
        line.quantity * line.unit_price for o in reference.orders for line in o.lines
    )

    report = await import_csv_history(session, data, mapping)
    # 32 pizzas, each with its sizes (the item key groups the rows of one pizza)
    assert (report.items_created, report.variations_created) == (32, 96)
    sizes = await session.scalars(
        select(Variation.name)
        .join(MenuItem, MenuItem.id == Variation.item_id)
        .where(MenuItem.restaurant_id == report.restaurant_id, MenuItem.external_ref == "bbq_ckn")
        .order_by(Variation.position)
    )
    assert list(sizes) == ["S", "M", "L"]


# ------------------------------------------------------------ lines only, no menu file


LINES = ["ticket", "when", "dish", "size", "qty", "price", "group"]


def cafe_export(folder: Path) -> Path:
    folder.mkdir()
    write_csv(
        folder / "sales.csv",
        LINES,
        [
            ["A1", "03/02/2024 08:15", "Flat white", "Large", "2", "4.20", "Coffee"],
            ["A1", "03/02/2024 08:15", "Croissant", "", "1", "2.80", "Bakery"],
            ["A2", "03/02/2024 09:40", "Flat white", "Small", "1", "3.60", "Coffee"],
            ["A2", "03/02/2024 09:40", "", "", "1", "", ""],
            ["A3", "04/02/2024 23:55", "Croissant", "", "3", "2.80", "Bakery"],
        ],
    )
    return folder


CAFE = {
    "restaurant.currency": "EUR",
    "restaurant.time_zone": "Europe/Paris",
    "lines.file": "sales.csv",
    "lines.order": "ticket",
    "lines.datetime": "when",
    "lines.item": "dish",
    "lines.size": "size",
    "lines.quantity": "qty",
    "lines.price": "price",
    "lines.category": "group",
    "format.datetime": "%d/%m/%Y %H:%M",
    "ref_prefix": "till-",
}


async def test_lines_only_builds_the_menu_from_the_lines(
    session: AsyncSession, tmp_path: Path
) -> None:
    folder = cafe_export(tmp_path / "cafe")
    mapping = load_mapping(None, {**CAFE, "restaurant.slug": unique("cafe")})
    data = load_csv_history(folder, mapping)
    report = await import_csv_history(session, data, mapping)
    assert (report.orders_created, report.lines_created) == (3, 5)
    assert (report.categories_created, report.items_created, report.variations_created) == (
        2,
        2,
        3,
    )
    restaurant = await session.get(Restaurant, report.restaurant_id)
    assert restaurant is not None
    assert (restaurant.currency, restaurant.time_zone) == ("EUR", "Europe/Paris")
    rows = (
        await session.execute(
            select(Order.external_ref, Order.business_date, OrderItem.name, OrderItem.line_total)
            .join(OrderItem, OrderItem.order_id == Order.id)
            .where(Order.restaurant_id == restaurant.id)
            .order_by(OrderItem.id)
        )
    ).all()
    assert [(r[0], r[1].isoformat(), r[2], r[3]) for r in rows] == [
        ("till-A1", "2024-02-03", "Flat white", 840),
        ("till-A1", "2024-02-03", "Croissant", 280),
        ("till-A2", "2024-02-03", "Flat white", 360),
        ("till-A2", "2024-02-03", "(no item)", 0),
        # 23:55 in Paris is the local date, not UTC's
        ("till-A3", "2024-02-04", "Croissant", 840),
    ]


def test_cli_imports_then_has_nothing_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("BRIGADE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("BRIGADE_DATABASE_URL", f"sqlite+aiosqlite:///{data_dir / 'brigade.db'}")
    folder = cafe_export(tmp_path / "cafe")
    mapping = tmp_path / "cafe.toml"
    mapping.write_text(
        '[restaurant]\nslug = "le-cafe"\ncurrency = "EUR"\ntime_zone = "Europe/Paris"\n',
        encoding="utf-8",
    )
    args = ["import", "orders", str(folder), "--mapping", str(mapping)]
    for key, value in CAFE.items():
        if not key.startswith("restaurant."):
            args += ["--set", f"{key}={value}"]
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    first = runner.invoke(cli, args)
    output = " ".join(first.output.split())
    assert first.exit_code == 0, output
    assert "read 3 orders, 5 lines (1 without an item)" in output
    assert "2 items, 3 sizes, 3 orders, 5 lines" in output
    second = runner.invoke(cli, args)
    assert second.exit_code == 0
    assert "nothing to do" in second.output

    bad = runner.invoke(cli, [*args, "--set", "format.datetime=%Y-%m-%d"])
    assert bad.exit_code == 2
    assert "sales.csv:2: '03/02/2024 08:15' does not match the format '%Y-%m-%d'" in " ".join(
        bad.output.split()
    )
    malformed = runner.invoke(cli, [*args, "--set", "lines.order"])
    assert malformed.exit_code == 2
    assert "expected SECTION.FIELD=VALUE" in malformed.output


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"lines.date": ""}, "lines.date: String should have at least 1 character"),
        ({"lines.datetime": "when"}, "either datetime or date and time"),
        ({"menu.file": ""}, "menu.file: String should have at least 1 character"),
        ({"restaurant.slug": "Not A Slug"}, "restaurant.slug: String should match pattern"),
        ({"restaurant.currency": "dollars"}, "restaurant.currency"),
        ({"surprise.field": "x"}, "surprise: Extra inputs are not permitted"),
    ],
)
def test_a_bad_mapping_says_what_is_wrong(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ImportSourceError, match=message):
        load_mapping(EXAMPLE, overrides)


def test_a_mapping_without_lines_or_dates(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text('[restaurant]\nslug = "x"\n', encoding="utf-8")
    with pytest.raises(ImportSourceError, match="lines: Field required"):
        load_mapping(path)
    path.write_text(
        '[restaurant]\nslug = "x"\n[lines]\nfile = "l.csv"\norder = "o"\nitem = "i"\n',
        encoding="utf-8",
    )
    with pytest.raises(ImportSourceError, match="needs the column of the order's date"):
        load_mapping(path)
    path.write_text("[restaurant\n", encoding="utf-8")
    with pytest.raises(ImportSourceError, match="not a TOML mapping file"):
        load_mapping(path)


def test_source_errors_name_the_file_and_line(tmp_path: Path) -> None:
    folder = cafe_export(tmp_path / "cafe")
    base = {**CAFE, "restaurant.slug": "x"}
    with pytest.raises(ImportSourceError, match="nowhere is not a folder"):
        load_csv_history(tmp_path / "nowhere", load_mapping(None, base))
    with pytest.raises(ImportSourceError, match="other.csv does not exist"):
        load_csv_history(folder, load_mapping(None, {**base, "lines.file": "other.csv"}))
    with pytest.raises(
        ImportSourceError, match=r"sales.csv: expected the columns .*missing amount"
    ):
        load_csv_history(folder, load_mapping(None, {**base, "lines.price": "amount"}))

    write_csv(folder / "bad.csv", LINES, [["B1", "03/02/2024 08:15", "Tea", "", "two", "1", ""]])
    with pytest.raises(ImportSourceError, match="bad.csv:2: quantity 'two' is not a whole number"):
        load_csv_history(folder, load_mapping(None, {**base, "lines.file": "bad.csv"}))
    write_csv(folder / "bad.csv", LINES, [["B1", "03/02/2024 08:15", "Tea", "", "1", "1.234", ""]])
    with pytest.raises(ImportSourceError, match="bad.csv:2: price '1.234' is not an amount"):
        load_csv_history(folder, load_mapping(None, {**base, "lines.file": "bad.csv"}))
    write_csv(
        folder / "bad.csv",
        LINES,
        [
            ["B1", "03/02/2024 08:15", "Tea", "", "1", "1", ""],
            ["B1", "03/02/2024 08:16", "Tea", "", "1", "1", ""],
        ],
    )
    with pytest.raises(ImportSourceError, match="bad.csv:3: order 'B1' was placed at"):
        load_csv_history(folder, load_mapping(None, {**base, "lines.file": "bad.csv"}))


@requires_restaurant_orders
def test_a_line_naming_an_item_the_menu_lacks(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "menu_items.csv").write_bytes((RESTAURANT_ORDERS / "menu_items.csv").read_bytes())
    write_csv(
        folder / "order_details.csv",
        ["order_details_id", "order_id", "order_date", "order_time", "item_id"],
        [["1", "1", "01-01-2023", "11:38:36", "999"]],
    )
    with pytest.raises(
        ImportSourceError, match="order_details.csv:2: item '999' is not in menu_items.csv"
    ):
        load_csv_history(folder, load_mapping(EXAMPLE))


async def test_an_unknown_time_zone_writes_nothing(session: AsyncSession, tmp_path: Path) -> None:
    folder = cafe_export(tmp_path / "cafe")
    slug = unique("cafe")
    mapping = load_mapping(
        None, {**CAFE, "restaurant.slug": slug, "restaurant.time_zone": "Mars/Olympus"}
    )
    with pytest.raises(UnknownTimeZone):
        await import_csv_history(session, load_csv_history(folder, mapping), mapping)
    assert await session.scalar(select(Restaurant.id).where(Restaurant.slug == slug)) is None


async def test_an_existing_restaurant_in_another_currency(
    session: AsyncSession, tmp_path: Path
) -> None:
    restaurant = await make_restaurant(session, currency="USD", time_zone="Europe/Paris")
    folder = cafe_export(tmp_path / "cafe")
    mapping = load_mapping(None, {**CAFE, "restaurant.slug": restaurant.slug})
    with pytest.raises(ImportConflict, match="uses USD; the imported prices are EUR"):
        await import_csv_history(session, load_csv_history(folder, mapping), mapping)
    assert (await counts(session, restaurant.id))[0] == 0
