"""Reading the CSV files importers take: decoding as real exports come, rows by column.

Exports from other systems arrive as UTF-8 (often with a byte order mark) or as
Windows-1252 (spreadsheets saved on Windows); both are read. Rows are parsed by Python's
:mod:`csv` module with its default (Excel) dialect.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from brigade.imports.exceptions import ImportSourceError


def decode_text(path: Path) -> str:
    """The text of ``path``: UTF-8 (BOM allowed), else Windows-1252."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ImportSourceError(f"{path} does not exist") from None
    except OSError as exc:
        raise ImportSourceError(f"{path} cannot be read: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportSourceError(
            f"{path} is neither UTF-8 nor Windows-1252 (byte {exc.start})"
        ) from None


def read_rows(name: str, text: str, columns: Sequence[str]) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield ``(where, row)`` for each data row of CSV ``text``, ``where`` being
    ``"file:line"``. Raises :class:`ImportSourceError` when a column is missing or a row
    is short."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in columns if c not in header]
    if missing:
        raise ImportSourceError(
            f"{name}: expected the columns {', '.join(columns)}; "
            f"found {', '.join(header) or 'no header'} (missing {', '.join(missing)})"
        )
    reader.fieldnames = header
    for row in reader:
        where = f"{name}:{reader.line_num}"
        if any(row.get(c) is None for c in columns):
            raise ImportSourceError(f"{where}: the row has fewer fields than the header")
        yield where, {c: row[c].strip() for c in columns}


def parse_price(value: str, where: str, *, exponent: int) -> int:
    """A decimal amount in major units (``"20.75"``) as minor units, exactly: ``exponent``
    is the currency's number of decimals (ISO 4217: 2 for USD, 0 for JPY; Babel's
    ``get_currency_precision``). A thousands separator or a currency sign is refused,
    as are negative amounts and more decimals than the currency has.

    Raises :class:`ImportSourceError` naming ``where`` (``"file:line"``) and the value.
    """
    try:
        minor = Decimal(value) * 10**exponent
    except InvalidOperation:
        raise ImportSourceError(f"{where}: price {value!r} is not a number") from None
    if not minor.is_finite() or minor < 0 or minor != minor.to_integral_value():
        raise ImportSourceError(
            f"{where}: price {value!r} is not an amount with at most {exponent} decimals"
        )
    return int(minor)
