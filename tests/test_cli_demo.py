"""``brigade demo``: its setup (migrate, import, floor, staff logins) on a fresh SQLite
data folder, the logins working through ``POST /api/v1/auth/login``, a second run that
changes nothing, and the command printing the logins before serving.

The setup runs on a two-day slice of great-tables' file (the whole year is imported and
checked in ``tests/imports``); it runs its own event loop, so these tests are plain
functions.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from typer.testing import CliRunner

import brigade.cli
from brigade.app import create_app
from brigade.imports.demo import LOGINS_FILE, setup_demo
from brigade.settings import Settings
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


def query(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    path = settings.resolved_database_url.split(":///", 1)[1]
    with sqlite3.connect(path) as db:
        return list(db.execute(sql))


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
