"""What the restaurants context offers other contexts to read, as SQL expressions.

A context that needs a restaurant's value in one of its own statements (no extra round
trip) embeds the expression returned here; the restaurants' table stays known to this
context only.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, ScalarSelect, Table, select

from brigade.restaurants.models import Restaurant
from brigade.tenancy import scoped

_restaurants = cast(Table, Restaurant.__table__)


def currency_of(restaurant_id: ColumnElement[Any]) -> ScalarSelect[Any]:
    """The ISO 4217 currency (``str``, e.g. ``"EUR"``) of the restaurant whose id is
    ``restaurant_id`` (a column or bind parameter of the caller's statement), as a
    scalar subquery; NULL when there is no such restaurant."""
    return scoped(select(_restaurants.c.currency), restaurant_id, _restaurants).scalar_subquery()


def auto_fire_minutes_of(restaurant_id: ColumnElement[Any]) -> ScalarSelect[Any]:
    """The course pacing (``course_auto_fire_minutes``, ``int``, 0 = off) of the
    restaurant whose id is ``restaurant_id`` (a column or bind parameter), as a scalar
    subquery; NULL when there is no such restaurant."""
    return scoped(
        select(_restaurants.c.course_auto_fire_minutes), restaurant_id, _restaurants
    ).scalar_subquery()
