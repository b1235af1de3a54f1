"""Shared annotated types of request input: ids, bounded integers and text.

Every value a client sends is bounded by what its column holds, so that a bad value is
answered by validation, never by the database (an overflow or an invalid byte is a 500):

- an id in a body or a query (:data:`Id`) is 1 ≤ id ≤ :data:`MAX_ID` (a 64-bit
  column: BIGINT on servers, INTEGER on SQLite); beyond it, 422 ``validation-error``
  naming the field;
- an id in a path (:data:`PathId`) beyond :data:`MAX_ID` is a 404 ``not-found``, as is
  any id no row has (no row can have it); below 1 it stays a 422;
- small integers stored in 32-bit columns (positions, versions) are bounded by
  :data:`MAX_INT32` (:data:`Position`, :data:`Version`), a list's ``offset`` by
  :data:`MAX_OFFSET` (:data:`Offset`);
- money is :data:`brigade.money.Money`;
- text (:data:`SingleLine`: names, usernames, passwords, codes; :data:`FreeText`: notes,
  descriptions, reasons) never holds a control character: PostgreSQL refuses NUL in
  text, SQLite would store it, and neither is anything a person types. Free text keeps
  tab, newline and carriage return. Lengths stay per field (``Field(max_length=...)``).

Use them as the field's type, with the field's own ``Field(...)`` for lengths and
descriptions::

    name: SingleLine = Field(min_length=1, max_length=100)
    table_id: Id | None = None
    async def get_order(order_id: PathId, ...) -> OrderRead: ...
"""

from __future__ import annotations

import re
from typing import Annotated, Final

from fastapi import Path, Query
from pydantic import AfterValidator, Field

from brigade.infra.errors import NotFound

__all__ = [
    "MAX_ID",
    "MAX_INT32",
    "MAX_OFFSET",
    "FreeText",
    "Id",
    "Offset",
    "PathId",
    "Position",
    "SingleLine",
    "Version",
]

#: The largest id a column holds: a signed 64-bit integer.
MAX_ID: Final = 2**63 - 1
#: The largest value of a 32-bit column (INTEGER on PostgreSQL and MySQL).
MAX_INT32: Final = 2**31 - 1
#: The largest ``offset`` of a list (far beyond any restaurant's rows; an offset past
#: the end answers an empty page).
MAX_OFFSET: Final = MAX_INT32

#: An id in a body or a query: 1..MAX_ID (422 beyond). Written as ``< 2^63``: OpenAPI's
#: document holds a body's bounds as floats, where 2^63 is exact and 2^63 - 1 is not.
Id = Annotated[int, Field(ge=1, lt=MAX_ID + 1)]


def _existing_id(value: int) -> int:
    if value > MAX_ID:
        raise NotFound(f"no record has id {value}")
    return value


#: An id in a path: 1..MAX_ID; beyond MAX_ID a 404 ``not-found`` (below 1, a 422).
#: The 404 is raised while the path is validated, so for ``restaurant_id`` (checked by
#: the access dependency) it comes before authentication: no restaurant has that id.
PathId = Annotated[
    int,
    Path(ge=1, json_schema_extra={"maximum": MAX_ID}),
    AfterValidator(_existing_id),
]

#: A record's ``version`` as the client read it (a 32-bit column): 1..MAX_INT32.
Version = Annotated[int, Field(ge=1, le=MAX_INT32)]
#: A display position (a 32-bit column); smaller first.
Position = Annotated[int, Field(ge=-MAX_INT32 - 1, le=MAX_INT32)]
#: A list's ``offset`` query parameter: rows to skip, 0..MAX_OFFSET.
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")]

# C0 controls and DEL; free text allows tab, newline and carriage return.
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_CONTROL_IN_FREE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SINGLE_LINE_PATTERN = "^[^\\u0000-\\u001f\\u007f]*$"
_FREE_TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"


def _single_line(value: str) -> str:
    found = _CONTROL.search(value)
    if found is not None:
        raise ValueError(f"must not contain the control character U+{ord(found.group()):04X}")
    return value


def _free_text(value: str) -> str:
    found = _CONTROL_IN_FREE_TEXT.search(value)
    if found is not None:
        raise ValueError(
            f"must not contain the control character U+{ord(found.group()):04X}"
            " (tab and line breaks are allowed)"
        )
    return value


#: Text of one line without control characters (U+0000-U+001F, U+007F): names,
#: usernames, passwords, codes, references. A control character is a 422.
SingleLine = Annotated[
    str, AfterValidator(_single_line), Field(json_schema_extra={"pattern": _SINGLE_LINE_PATTERN})
]
#: Text a person types, possibly over several lines (notes, descriptions, reasons):
#: tab, newline and carriage return allowed, every other control character a 422.
FreeText = Annotated[
    str, AfterValidator(_free_text), Field(json_schema_extra={"pattern": _FREE_TEXT_PATTERN})
]
