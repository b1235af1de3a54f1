"""The benchmark's and the replay client's pure logic: the dataset's figures, the SKU
mapping, the report comparison and the load generator's percentiles."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from bench.dataset import Figures, cents, figures, load_orders
from bench.load import percentile
from bench.replay import compare, difference, sku_map
from bench.run import order_bodies

FOLDER = Path(__file__).resolve().parents[3] / "shared" / "data" / "pizza-place"
FIRST_WEEK = (date(2015, 1, 1), date(2015, 1, 7))


def test_first_week_figures_from_great_tables() -> None:
    orders = load_orders(None, *FIRST_WEEK)

    assert figures(orders) == Figures(orders=430, items_sold=1001, net_sales=1_656_070)
    assert orders[0].ref == "2015-000001"
    assert orders[0].lines == {"hawaiian_m": (1, 1325)}
    assert [o.opened for o in orders] == sorted(o.opened for o in orders)


def test_whole_year_gives_the_published_figures() -> None:
    orders = load_orders(None, date(2015, 1, 1), date(2015, 12, 31))

    assert figures(orders) == Figures(orders=21_350, items_sold=49_574, net_sales=81_786_005)


@pytest.mark.skipif(not FOLDER.is_dir(), reason="the four published CSVs are not here")
def test_folder_and_great_tables_agree() -> None:
    from_folder = load_orders(FOLDER, *FIRST_WEEK)
    from_package = load_orders(None, *FIRST_WEEK)

    assert figures(from_folder) == figures(from_package)
    assert [o.lines for o in from_folder] == [o.lines for o in from_package]


def test_cents_refuses_fractions_of_a_cent() -> None:
    assert cents("12.75") == 1275
    assert cents("16") == 1600
    with pytest.raises(ValueError, match="fraction of a cent"):
        cents("1.005")


def test_sku_map_reads_the_whole_menu_document() -> None:
    menu = {
        "categories": [
            {
                "items": [
                    {
                        "id": 7,
                        "station": "oven",
                        "variations": [
                            {"id": 70, "sku": "hawaiian_s"},
                            {"id": 71, "sku": "hawaiian_m"},
                        ],
                    }
                ]
            }
        ]
    }

    assert sku_map(menu) == {"hawaiian_s": (7, 70, "oven"), "hawaiian_m": (7, 71, "oven")}


def test_compare_reports_mismatch(capsys: pytest.CaptureFixture[str]) -> None:
    expected = Figures(430, 1001, 1_656_070)
    before = Figures(2, 5, 10_000)

    assert compare(expected, difference(Figures(432, 1006, 1_666_070), before))
    assert not compare(expected, difference(Figures(431, 1006, 1_666_070), before))
    assert capsys.readouterr().out.splitlines()[-1] == "MISMATCH"


def test_order_bodies_have_three_distinct_lines() -> None:
    pairs = [(item, item * 10 + size) for item in range(1, 6) for size in range(3)]

    bodies = order_bodies(pairs, count=20)

    for raw in bodies:
        items = json.loads(raw)["items"]
        assert len({line["variation_id"] for line in items}) == 3


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]

    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([3.0], 0.99) == 3.0
