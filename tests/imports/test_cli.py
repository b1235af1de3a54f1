"""``brigade import pizza-place`` as a user runs it: on a fresh SQLite data folder, with
its messages and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from brigade.cli import app as cli
from tests.imports.support import write_great_tables_slice


@pytest.fixture
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("BRIGADE_DATA_DIR", str(folder))
    monkeypatch.setenv("BRIGADE_DATABASE_URL", f"sqlite+aiosqlite:///{folder / 'brigade.db'}")
    return folder


@pytest.fixture
def pizzas(tmp_path: Path) -> Path:
    return write_great_tables_slice(tmp_path / "05-pizzaplace.csv", "2015-01-01")


def run(*args: str) -> tuple[int, str]:
    result: Result = CliRunner().invoke(cli, list(args))
    return result.exit_code, " ".join(result.output.split())


def test_import_then_nothing_to_do(data_folder: Path, pizzas: Path) -> None:
    assert run("migrate")[0] == 0
    code, output = run("import", "pizza-place", str(pizzas))
    assert code == 0, output
    assert "imported into restaurant" in output
    assert "32 items, 96 sizes, 69 orders" in output
    assert " s" in output.rsplit("in ", 1)[1]  # the timing
    code, output = run("import", "pizza-place", str(pizzas))
    assert code == 0
    assert "nothing to do" in output


def test_database_not_migrated(data_folder: Path, pizzas: Path) -> None:
    code, output = run("import", "pizza-place", str(pizzas))
    assert code == 2
    assert "run `brigade migrate` first" in output


def test_missing_path(data_folder: Path, tmp_path: Path) -> None:
    assert run("migrate")[0] == 0
    code, output = run("import", "pizza-place", str(tmp_path / "nowhere"))
    assert code == 2
    assert "nowhere does not exist" in output


def test_unknown_time_zone(data_folder: Path, pizzas: Path) -> None:
    assert run("migrate")[0] == 0
    code, output = run("import", "pizza-place", str(pizzas), "--time-zone", "Mars/Olympus")
    assert code == 2
    assert "'Mars/Olympus' is not an IANA time zone" in output
