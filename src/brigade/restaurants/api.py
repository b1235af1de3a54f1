"""What the restaurants context offers other contexts to read, as SQL expressions.

A context that needs a restaurant's value in one of its own statements (no extra round
trip) embeds the expression returned here; the restaurants' table stays known to this
context only.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, ScalarSelect, Table, func, select

from brigade.auth.models import User
from brigade.restaurants.models import Membership, Restaurant
from brigade.tenancy import scoped

_restaurants = cast(Table, Restaurant.__table__)
_memberships = cast(Table, Membership.__table__)
_users = cast(Table, User.__table__)


def currency_of(restaurant_id: ColumnElement[Any]) -> ScalarSelect[Any]:
    """The ISO 4217 currency (``str``, e.g. ``"EUR"``) of the restaurant whose id is
    ``restaurant_id`` (a column or bind parameter of the caller's statement), as a
    scalar subquery; NULL when there is no such restaurant."""
    return scoped(select(_restaurants.c.currency), restaurant_id, _restaurants).scalar_subquery()


def staff_name_of(user_id: Any, restaurant_id: Any) -> ScalarSelect[Any]:
    """The full name (``str``, trimmed) of user ``user_id`` when they are on the staff of
    restaurant ``restaurant_id`` (columns or bind parameters of the caller's statement)
    and have one, as a scalar subquery; NULL otherwise (no such member, a blank name, a
    NULL id). The username is never given: it is half of a login (the rule of
    :func:`brigade.restaurants.service.staff_display_name`)."""
    return (
        scoped(
            select(func.nullif(func.trim(_users.c.full_name), "")).join(
                _memberships, _memberships.c.user_id == _users.c.id
            ),
            restaurant_id,
            _memberships,
        )
        .where(_memberships.c.user_id == user_id)
        .scalar_subquery()
    )
