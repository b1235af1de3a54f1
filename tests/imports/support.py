"""The pizza place files for tests: where they are, and small slices of them."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from brigade.imports.exceptions import ImportSourceError
from brigade.imports.pizza_place import great_tables_csv_path

#: The published files; CI has ``../shared`` beside the repository.
SHARED_DATA = (Path(__file__).parents[2] / ".." / "shared" / "data" / "pizza-place").resolve()

requires_shared_data = pytest.mark.skipif(
    not (SHARED_DATA / "orders.csv").is_file(),
    reason=f"the published pizza place CSVs are absent ({SHARED_DATA}): "
    "../shared/data must stand beside the repository",
)


def great_tables_file() -> Path:
    """great-tables' 05-pizzaplace.csv; skips the test when great-tables is missing."""
    try:
        return great_tables_csv_path()
    except ImportSourceError as exc:
        pytest.skip(f"great-tables is not installed: {exc}")


def _filter_csv(source: Path, dest: Path, keep: Callable[[dict[str, str]], bool]) -> set[str]:
    """Copy the rows of ``source`` for which ``keep(row)`` is true; return their first
    column's values (written as UTF-8 with LF)."""
    text = source.read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    index = {name: i for i, name in enumerate(header)}
    kept = [row for row in body if keep({k: row[i] for k, i in index.items()})]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(kept)
    dest.write_text(out.getvalue(), encoding="utf-8", newline="")
    return {row[0] for row in kept}


def write_folder_slice(dest: Path, last_date: str) -> Path:
    """The four published CSVs with only the orders up to ``last_date`` (YYYY-MM-DD).
    The menu files are copied byte for byte (pizza_types.csv stays Windows-1252, CRLF)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("pizza_types.csv", "pizzas.csv"):
        shutil.copyfile(SHARED_DATA / name, dest / name)
    order_ids = _filter_csv(
        SHARED_DATA / "orders.csv", dest / "orders.csv", lambda row: row["date"] <= last_date
    )
    _filter_csv(
        SHARED_DATA / "order_details.csv",
        dest / "order_details.csv",
        lambda row: row["order_id"] in order_ids,
    )
    return dest


def write_great_tables_slice(dest: Path, last_date: str) -> Path:
    """great-tables' file with only the rows up to ``last_date``."""
    _filter_csv(great_tables_file(), dest, lambda row: row["date"] <= last_date)
    return dest
