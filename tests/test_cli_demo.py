"""``brigade demo``: its setup (migrate, import, modifier groups, floor, staff logins) on
a fresh SQLite data folder, the logins working through ``POST /api/v1/auth/login``, the
README's walk-through (an order with modifiers), a second run that changes nothing, and
the command printing the logins before serving.

The setup runs on a two-day slice of great-tables' file (the whole year is imported and
checked in ``tests/imports``); it runs its own event loop, so these tests are plain
functions.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from typer.testing import CliRunner

import brigade.cli
import brigade.imports.demo
from brigade.app import create_app
from brigade.imports.demo import DEMO_MODIFIER_GROUPS, INGREDIENT_GROUP, LOGINS_FILE, setup_demo
from brigade.infra.settings import Settings
from tests.imports.support import write_great_tables_slice

ROLES = ["admin", "owner", "manager", "waiter", "kitchen", "cashier"]


@pytest.fixture
def demo_settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'data' / 'brigade.db'}",
    )


@pytest.fixture
def pizzas(tmp_path: Path) -> Path:
    return write_great_tables_slice(tmp_path / "05-pizzaplace.csv", "2015-01-02")


def row_counts(settings: Settings) -> dict[str, int]:
    """Rows per table of the demo's SQLite file."""
    path = settings.resolved_database_url.split(":///", 1)[1]
    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608


def query(settings: Settings, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    path = settings.resolved_database_url.split(":///", 1)[1]
    with sqlite3.connect(path) as db:
        return list(db.execute(sql, params))


async def login_all(settings: Settings, logins: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Log every user in through the app; username → ``/auth/me`` body."""
    app = create_app(settings)
    out: dict[str, dict[str, Any]] = {}
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://127.0.0.1") as c:
        for username, password in logins.items():
            response = await c.post(
                "/api/v1/auth/login", json={"username": username, "password": password}
            )
            assert response.status_code == 200, (username, response.text)
            token = response.json()["access_token"]
            me = await c.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 200
            out[username] = me.json()
    await app.state.runtime.db.dispose()
    return out


def test_setup_creates_restaurant_floor_and_working_logins(
    demo_settings: Settings, pizzas: Path
) -> None:
    result = setup_demo(demo_settings, pizzas)

    assert result.import_report.orders_created == 136
    assert [x.role for x in result.logins] == ROLES
    logins_file = demo_settings.data_dir / LOGINS_FILE
    assert result.logins_file == logins_file
    assert stat.S_IMODE(logins_file.stat().st_mode) == 0o600
    saved = json.loads(logins_file.read_text())
    assert {x["username"]: x["password"] for x in saved["logins"]} == {
        x.username: x.password for x in result.logins
    }

    tables = query(
        demo_settings,
        "SELECT a.name, t.name, t.seats FROM floor_tables t JOIN floor_areas a "
        "ON a.id = t.area_id ORDER BY t.position",
    )
    assert [t[1] for t in tables] == [str(n) for n in range(1, 13)]
    assert {t[0] for t in tables} == {"Dining room", "Terrace"}
    assert all(t[2] >= 2 for t in tables)
    names = {r[0] for r in query(demo_settings, "SELECT name FROM menu_items")}
    assert "The Thai Chicken Pizza" in names

    me = asyncio.run(login_all(demo_settings, {x.username: x.password for x in result.logins}))
    assert me["admin"]["is_admin"] is True
    for role in ROLES[1:]:
        assert [(m["restaurant_id"], m["role"]) for m in me[role]["memberships"]] == [
            (result.restaurant_id, role)
        ]


def modifier_offers(settings: Settings) -> list[tuple[str, int, int, str, int]]:
    """``(group, min, max, modifier, price_delta)`` of every modifier, by group then
    modifier position."""
    return [
        tuple(row)
        for row in query(
            settings,
            "SELECT g.name, g.min_choices, g.max_choices, m.name, m.price_delta "
            "FROM menu_modifier_groups g JOIN menu_modifiers m ON m.group_id = g.id "
            "WHERE m.kind = 'add' ORDER BY g.position, g.id, m.position, m.id",
        )
    ]


def pizzas_without_both_groups(settings: Settings) -> list[str]:
    """Names of the imported pizzas that do not offer exactly the two demo groups, in
    any order, and their own ingredient group (each imported pizza has ingredients)."""
    links: dict[str, list[str]] = {}
    for item, group in query(
        settings,
        "SELECT i.name, g.name FROM menu_items i "
        "LEFT JOIN menu_item_modifier_groups l ON l.item_id = i.id "
        "LEFT JOIN menu_modifier_groups g ON g.id = l.group_id "
        "WHERE i.external_ref IS NOT NULL ORDER BY i.id, l.position",
    ):
        links.setdefault(item, []).append(group)
    wanted = [*(name for name, *_ in DEMO_MODIFIER_GROUPS), INGREDIENT_GROUP]
    return [item for item, groups in links.items() if sorted(groups) != sorted(wanted)]


def ingredient_holds(settings: Settings, item_name: str) -> list[tuple[str, str, int]]:
    """``(kind, modifier, price_delta)`` of the item's "Hold or light" group, in order."""
    return [
        tuple(row)
        for row in query(
            settings,
            "SELECT m.kind, m.name, m.price_delta FROM menu_items i "
            "JOIN menu_item_modifier_groups l ON l.item_id = i.id "
            "JOIN menu_modifier_groups g ON g.id = l.group_id "
            "JOIN menu_modifiers m ON m.group_id = g.id "
            "WHERE i.name = ? AND g.name = ? ORDER BY m.position",
            (item_name, INGREDIENT_GROUP),
        )
    ]


def test_pizzas_offer_toppings_and_crusts_once_after_two_runs(
    demo_settings: Settings, pizzas: Path
) -> None:
    first = setup_demo(demo_settings, pizzas)
    pizza_count = query(
        demo_settings, "SELECT count(*) FROM menu_items WHERE external_ref IS NOT NULL"
    )[0][0]
    # the two shared groups, and each pizza's own ingredients to hold or lighten
    assert first.modifier_groups_created == 2 + pizza_count
    assert first.items_linked == pizza_count > 0

    second = setup_demo(demo_settings, pizzas)

    assert (second.modifier_groups_created, second.items_linked) == (0, 0)
    assert modifier_offers(demo_settings) == [
        ("Extra toppings", 0, 3, "Extra cheese", 150),
        ("Extra toppings", 0, 3, "Pepperoni", 150),
        ("Extra toppings", 0, 3, "Mushrooms", 100),
        ("Extra toppings", 0, 3, "Jalapeños", 100),
        ("Crust", 0, 1, "Thin crust", 0),
        ("Crust", 0, 1, "Gluten-free crust", 250),
    ]
    assert pizzas_without_both_groups(demo_settings) == []
    # the pizza place's ingredients: "Barbecued Chicken, Red Peppers, Green Peppers,
    # Tomatoes, Red Onions, Barbecue Sauce"
    assert ingredient_holds(demo_settings, "The Barbecue Chicken Pizza") == [
        ("remove", "Barbecued Chicken", 0),
        ("remove", "Red Peppers", 0),
        ("remove", "Green Peppers", 0),
        ("remove", "Tomatoes", 0),
        ("remove", "Red Onions", 0),
        ("remove", "Barbecue Sauce", 0),
        ("light", "Barbecue Sauce", 0),
    ]


def test_a_pizza_that_lost_a_group_gets_it_back(demo_settings: Settings, pizzas: Path) -> None:
    setup_demo(demo_settings, pizzas)
    path = demo_settings.resolved_database_url.split(":///", 1)[1]
    with sqlite3.connect(path) as db:  # someone took the crusts off item 1
        db.execute(
            "DELETE FROM menu_item_modifier_groups WHERE item_id = 1 AND group_id = "
            "(SELECT id FROM menu_modifier_groups WHERE name = 'Crust')"
        )

    again = setup_demo(demo_settings, pizzas)

    assert (again.modifier_groups_created, again.items_linked) == (0, 1)
    assert again.changed
    assert pizzas_without_both_groups(demo_settings) == []
    assert len(modifier_offers(demo_settings)) == 6


async def walk_through(settings: Settings, password: str) -> dict[str, Any]:
    """The README's "Try it" as the waiter, with its ids: the menu, the floor, then an
    order at table 1 of two medium barbecue chicken pizzas (item 1, variation 2) with
    extra cheese (modifier 1) on a thin crust (modifier 5). Returns ``{"offered"`` (the
    item's modifier name → id), ``"tables"``, ``"order"}``."""
    app = create_app(settings)
    try:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://127.0.0.1") as c:
            token = (
                await c.post(
                    "/api/v1/auth/login", json={"username": "waiter", "password": password}
                )
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            base = "/api/v1/restaurants/1"
            menu = (await c.get(f"{base}/menu", headers=headers)).json()
            tables = (await c.get(f"{base}/tables", headers=headers)).json()
            (item,) = [i for s in menu["categories"] for i in s["items"] if i["id"] == 1]
            offered = {m["label"]: m["id"] for g in item["modifier_groups"] for m in g["modifiers"]}
            response = await c.post(
                f"{base}/orders",
                json={
                    "kind": "dine_in",
                    "table_id": 1,
                    "covers": 2,
                    "items": [
                        {
                            "menu_item_id": 1,
                            "variation_id": 2,
                            "quantity": 2,
                            "modifier_ids": [5, 1],
                        }
                    ],
                },
                headers={**headers, "Idempotency-Key": "readme-walk-through"},
            )
            assert response.status_code == 201, response.text
            return {"offered": offered, "tables": tables, "order": response.json()}
    finally:
        await app.state.runtime.db.dispose()


def test_readme_walk_through_orders_two_pizzas_with_modifiers(
    demo_settings: Settings, pizzas: Path
) -> None:
    result = setup_demo(demo_settings, pizzas)
    assert result.restaurant_id == 1
    waiter = next(x.password for x in result.logins if x.username == "waiter")

    seen = asyncio.run(walk_through(demo_settings, waiter))

    assert seen["tables"]["items"][0]["name"] == "1"
    offered = seen["offered"]
    assert {label: offered[label] for label in list(offered)[:6]} == {
        "Extra cheese": 1,
        "Pepperoni": 2,
        "Mushrooms": 3,
        "Jalapeños": 4,
        "Thin crust": 5,
        "Gluten-free crust": 6,
    }
    # then the pizza's own ingredients, to hold or lighten
    assert list(offered)[6:] == [
        "NO Barbecued Chicken",
        "NO Red Peppers",
        "NO Green Peppers",
        "NO Tomatoes",
        "NO Red Onions",
        "NO Barbecue Sauce",
        "LIGHT Barbecue Sauce",
    ]
    (line,) = seen["order"]["items"]
    assert (line["name"], line["variation_name"], line["sku"]) == (
        "The Barbecue Chicken Pizza",
        "Medium",
        "bbq_ckn_m",
    )
    assert [m["name"] for m in line["modifiers"]] == ["Extra cheese", "Thin crust"]
    assert line["modifiers_total"] == 150 + 0
    assert line["line_total"] == 2 * (line["unit_price"] + 150)
    assert seen["order"]["subtotal"] == line["line_total"]
    assert seen["order"]["currency"] == "USD"


async def reports(settings: Settings, password: str) -> list[Any]:
    """The owner's sales and product reports of the slice's two days."""
    app = create_app(settings)
    try:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://127.0.0.1") as c:
            token = (
                await c.post("/api/v1/auth/login", json={"username": "owner", "password": password})
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            days = {"start_date": "2015-01-01", "end_date": "2015-01-02"}
            out = []
            for path in ("sales", "products"):
                r = await c.get(
                    f"/api/v1/restaurants/1/reports/{path}", params=days, headers=headers
                )
                assert r.status_code == 200, r.text
                out.append(r.json())
            return out
    finally:
        await app.state.runtime.db.dispose()


def test_modifier_groups_change_neither_the_import_nor_the_reports(
    tmp_path: Path, pizzas: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def settings_in(name: str) -> Settings:
        return Settings(
            data_dir=tmp_path / name,
            database_url=f"sqlite+aiosqlite:///{tmp_path / name / 'brigade.db'}",
        )

    with_groups = setup_demo(settings_in("with"), pizzas)
    with monkeypatch.context() as patch:

        async def no_groups(*_args: object) -> None:
            return None

        patch.setattr(brigade.imports.demo, "_ensure_modifiers", no_groups)
        without = setup_demo(settings_in("without"), pizzas)
    assert with_groups.modifier_groups_created == 2 + with_groups.items_linked
    assert without.modifier_groups_created == 0

    def figures(report: Any) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(report).items() if k != "seconds"}

    assert figures(with_groups.import_report) == figures(without.import_report)
    owner = {x.username: x.password for x in with_groups.logins}["owner"]
    owner_too = {x.username: x.password for x in without.logins}["owner"]
    assert asyncio.run(reports(settings_in("with"), owner)) == asyncio.run(
        reports(settings_in("without"), owner_too)
    )


def test_second_run_changes_nothing_and_shows_the_same_logins(
    demo_settings: Settings, pizzas: Path
) -> None:
    first = setup_demo(demo_settings, pizzas)
    before = row_counts(demo_settings)
    file_before = (demo_settings.data_dir / LOGINS_FILE).read_bytes()

    second = setup_demo(demo_settings, pizzas)

    assert not second.changed
    assert second.logins == first.logins
    assert row_counts(demo_settings) == before
    assert (demo_settings.data_dir / LOGINS_FILE).read_bytes() == file_before


def test_lost_logins_file_gets_new_passwords_that_work(
    demo_settings: Settings, pizzas: Path
) -> None:
    first = setup_demo(demo_settings, pizzas)
    (demo_settings.data_dir / LOGINS_FILE).unlink()

    again = setup_demo(demo_settings, pizzas)

    assert again.passwords_reset == len(ROLES)
    assert again.users_created == 0
    assert {x.password for x in again.logins}.isdisjoint({x.password for x in first.logins})
    assert stat.S_IMODE((demo_settings.data_dir / LOGINS_FILE).stat().st_mode) == 0o600
    asyncio.run(login_all(demo_settings, {x.username: x.password for x in again.logins}))


def test_command_prints_the_logins_then_serves(
    demo_settings: Settings, pizzas: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIGADE_DATA_DIR", str(demo_settings.data_dir))
    monkeypatch.setenv("BRIGADE_DATABASE_URL", demo_settings.resolved_database_url)
    served: list[dict[str, Any]] = []
    monkeypatch.setattr(brigade.cli, "serve", lambda **kwargs: served.append(kwargs))

    result = CliRunner().invoke(brigade.cli.app, ["demo", str(pizzas), "--port", "8123"])

    assert result.exit_code == 0, result.output
    saved = json.loads((demo_settings.data_dir / LOGINS_FILE).read_text())
    for login in saved["logins"]:
        assert login["username"] in result.output
        assert login["password"] in result.output
    assert served == [{"host": "127.0.0.1", "port": 8123, "workers": 1}]


def test_command_with_a_missing_path_fails_clearly(
    demo_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIGADE_DATA_DIR", str(demo_settings.data_dir))
    monkeypatch.setenv("BRIGADE_DATABASE_URL", demo_settings.resolved_database_url)
    monkeypatch.setattr(brigade.cli, "serve", lambda **_kwargs: pytest.fail("served"))

    result = CliRunner().invoke(brigade.cli.app, ["demo", str(tmp_path / "nowhere")])

    assert result.exit_code == 2
    assert "nowhere does not exist" in " ".join(result.output.split())
    assert not demo_settings.data_dir.exists()
