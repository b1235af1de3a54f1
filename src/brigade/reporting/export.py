"""Every report as CSV: the same figures as its JSON, one table per report.

The table of a report is its list of rows (``groups``, ``items``, ``sellers``,
``tables``, …: the first field holding a list of models); a report without one (the
sales report without ``group_by``, the checks report) is one row of its own figures.
Columns are the rows' fields in their order; dates are ISO, enums their value, null
empty. Written with :mod:`csv` (RFC 4180 quoting, CRLF line ends).

A route answers CSV when asked with ``format=csv`` or ``Accept: text/csv``
(:func:`wants_csv`), through :func:`answer`.
"""

from __future__ import annotations

import csv
import io
import typing
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

MEDIA_TYPE = "text/csv"
_M = TypeVar("_M", bound=BaseModel)

#: The OpenAPI ``responses`` entry of a report route: 200 is JSON or CSV.
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {MEDIA_TYPE: {"schema": {"type": "string"}}},
        "description": "The report; as CSV with ``format=csv`` or ``Accept: text/csv``.",
    }
}


class ReportFormat(StrEnum):
    """``json`` (the default) or ``csv``."""

    json = "json"
    csv = "csv"


def wants_csv(
    request: Request,
    report_format: Annotated[
        ReportFormat | None,
        Query(alias="format", description="csv for a CSV download (or Accept: text/csv)."),
    ] = None,
) -> bool:
    """Whether the caller asked for CSV: ``format=csv``, or no ``format`` and an
    ``Accept`` header naming ``text/csv``."""
    if report_format is not None:
        return report_format is ReportFormat.csv
    return MEDIA_TYPE in request.headers.get("accept", "").lower()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _table(report: BaseModel) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and rows of ``report`` (see the module's docstring)."""
    for name, field in type(report).model_fields.items():
        rows = getattr(report, name)
        args = typing.get_args(field.annotation)
        item_types = [a for a in args if typing.get_origin(a) is list] or (
            [field.annotation] if typing.get_origin(field.annotation) is list else []
        )
        if not item_types:
            continue
        (row_type,) = typing.get_args(item_types[0])
        if isinstance(row_type, type) and issubclass(row_type, BaseModel) and rows is not None:
            columns = list(row_type.model_fields)
            return columns, [{c: getattr(row, c) for c in columns} for row in rows]
    scalars = {
        name: getattr(report, name)
        for name in type(report).model_fields
        if not isinstance(getattr(report, name), list | BaseModel | type(None))
    }
    return list(scalars), [scalars]


def csv_text(report: BaseModel) -> str:
    """``report`` as CSV text: a header of column names, then one line per row."""
    columns, rows = _table(report)
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in columns])
    return out.getvalue()


def answer(report: _M, as_csv: bool, name: str) -> _M | Response:
    """``report`` itself (FastAPI writes the JSON), or as a CSV download named
    ``{name}-{start_date}-{end_date}.csv`` when ``as_csv``."""
    if not as_csv:
        return report
    dates = [getattr(report, f, None) for f in ("start_date", "end_date")]
    stem = "-".join([name, *(d.isoformat() for d in dates if isinstance(d, date))])
    return Response(
        csv_text(report),
        media_type=f"{MEDIA_TYPE}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'},
    )
