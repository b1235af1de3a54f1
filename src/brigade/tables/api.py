"""What the tables context offers other contexts to read, as SQL expressions.

A context that needs a table's value in one of its own statements (no extra round trip)
embeds the expression returned here; the dining tables' table stays known to this
context only.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, ScalarSelect, Table, select

from brigade.tables.models import DiningTable
from brigade.tenancy import scoped

_tables = cast(Table, DiningTable.__table__)


def table_name_of(
    table_id: ColumnElement[Any], restaurant_id: ColumnElement[Any]
) -> ScalarSelect[Any]:
    """The name (``str``) of table ``table_id`` of restaurant ``restaurant_id`` (columns
    or bind parameters of the caller's statement), as a scalar subquery; NULL when the
    id is NULL or names no table of that restaurant."""
    return (
        scoped(select(_tables.c.name), restaurant_id, _tables)
        .where(_tables.c.id == table_id)
        .scalar_subquery()
    )
