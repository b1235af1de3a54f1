"""Errors of the tables context (problem+json ``type`` slugs are stable)."""

from __future__ import annotations

from brigade.infra.errors import Conflict, InvalidInput, NotAuthenticated


class TableOccupied(Conflict):
    """The table has another open order (it cannot be seated again or deleted)."""

    type = "table-occupied"
    title = "The table has an open order"


class TableNameTaken(Conflict):
    """Another table of the restaurant has this name."""

    type = "table-name-taken"
    title = "A table with this name exists"


class InvalidTableToken(NotAuthenticated):
    """The guest link's table token is missing, forged, or names a table that is gone."""

    type = "invalid-table-token"
    title = "Invalid table token"


class TableOffPlan(InvalidInput):
    """The table's box would reach past its area's plan (``plan_x + plan_width`` above
    :data:`brigade.tables.schemas.PLAN_WIDTH`, or the same for y and the height)."""

    type = "table-off-plan"
    title = "The table does not fit on the plan"


class WaiterNotOnStaff(InvalidInput):
    """The waiter a table is assigned to is not a member of the restaurant."""

    type = "waiter-not-on-staff"
    title = "The waiter is not on the restaurant's staff"
