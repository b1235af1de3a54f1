"""Request and response bodies of the tables context."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from brigade.inputs import Id, Position, SingleLine, Version

TableStatus = Literal["free", "occupied"]
#: How a table is drawn on its area's plan.
TableShape = Literal["square", "round", "rectangle"]

#: An area's plan is a canvas of PLAN_WIDTH × PLAN_HEIGHT plan units (the floor screen
#: scales it to the screen); a table's box lies inside it.
PLAN_WIDTH = 1000
PLAN_HEIGHT = 700
#: The smallest and largest side of a table's box, in plan units.
PLAN_MIN_SIDE = 30
PLAN_MAX_SIDE = 400

_WAITER = "The staff member (user id) serving the table: their section; null for nobody."


class AreaCreate(BaseModel):
    """A new floor area."""

    name: SingleLine = Field(min_length=1, max_length=100)
    position: Position = 0


class AreaUpdate(BaseModel):
    """Changes to an area; every field optional."""

    name: SingleLine | None = Field(default=None, min_length=1, max_length=100)
    position: Position | None = None


class AreaRead(BaseModel):
    """A floor area."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    position: int


class AreaList(BaseModel):
    """Areas ordered by position, then id."""

    items: list[AreaRead]
    total: int


class TableCreate(BaseModel):
    """A new dining table. ``name`` is unique in the restaurant."""

    name: SingleLine = Field(min_length=1, max_length=50)
    seats: int = Field(default=4, ge=1, le=1000)
    area_id: Id | None = None
    position: Position = 0
    waiter_id: Id | None = Field(default=None, description=_WAITER)
    plan_x: int | None = Field(default=None, ge=0, le=PLAN_WIDTH - PLAN_MIN_SIDE)
    plan_y: int | None = Field(default=None, ge=0, le=PLAN_HEIGHT - PLAN_MIN_SIDE)
    plan_width: int = Field(default=80, ge=PLAN_MIN_SIDE, le=PLAN_MAX_SIDE)
    plan_height: int = Field(default=80, ge=PLAN_MIN_SIDE, le=PLAN_MAX_SIDE)
    shape: TableShape = "square"


class TableUpdate(BaseModel):
    """Changes to a table; every field optional. ``version``, when given, must be the
    current one (409 ``stale-version`` otherwise). ``area_id: null`` takes the table out
    of its area, ``waiter_id: null`` out of every section and ``plan_x``/``plan_y:
    null`` off the plan; a table's box must lie inside the plan
    (``plan_x + plan_width <= PLAN_WIDTH``, the same for y; 422 otherwise)."""

    name: SingleLine | None = Field(default=None, min_length=1, max_length=50)
    seats: int | None = Field(default=None, ge=1, le=1000)
    area_id: Id | None = None
    position: Position | None = None
    waiter_id: Id | None = Field(default=None, description=_WAITER)
    plan_x: int | None = Field(default=None, ge=0, le=PLAN_WIDTH - PLAN_MIN_SIDE)
    plan_y: int | None = Field(default=None, ge=0, le=PLAN_HEIGHT - PLAN_MIN_SIDE)
    plan_width: int | None = Field(default=None, ge=PLAN_MIN_SIDE, le=PLAN_MAX_SIDE)
    plan_height: int | None = Field(default=None, ge=PLAN_MIN_SIDE, le=PLAN_MAX_SIDE)
    shape: TableShape | None = None
    version: Version | None = None


class TableRead(BaseModel):
    """A dining table. ``status`` is ``occupied`` while ``current_order_id`` is an open
    order, seated since ``seated_at`` (UTC); ``version`` increases with every write."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    area_id: int | None
    name: str
    seats: int
    status: TableStatus
    current_order_id: int | None
    seated_at: datetime | None
    version: int
    position: int
    waiter_id: int | None = Field(description=_WAITER)
    plan_x: int | None = Field(description="Left edge on the plan; null: unplaced.")
    plan_y: int | None = Field(description="Top edge on the plan; null: unplaced.")
    plan_width: int = Field(description="Plan units.")
    plan_height: int = Field(description="Plan units.")
    shape: TableShape


ServiceState = Literal["free", "seated", "in_kitchen", "ready", "check_requested"]


class FloorTable(TableRead):
    """A table as the floor screen shows it: its :class:`TableRead` fields plus the live
    service state of its open order (``current_order_id``).

    ``service_state``, the first that holds of:

    - ``free``: no open order;
    - ``check_requested``: the order has an open check (``check_id``);
    - ``ready``: a line is ``ready`` (the kitchen bumped it, nobody served it yet);
    - ``in_kitchen``: a line is ``fired`` or ``preparing``;
    - ``seated``: otherwise (lines only pending, served or voided, or none yet).

    Line counts (of order lines, not quantities; voided lines never count):
    ``lines_pending`` not fired yet (held courses included), ``lines_in_kitchen`` fired
    or preparing, ``lines_ready`` ready and not served. A free table has ``order_id``,
    ``order_version``, ``covers``, ``order_subtotal`` and ``check_id`` ``null`` and
    counts of 0. ``seated_at`` is UTC; money is minor units of ``currency`` (the
    restaurant's, also on a free table).

    Pacing and sections (issue 11): ``held_course``, ``last_fired_at`` (the screen
    shows the minutes since), the automatic fire scheduled (``next_fire_course`` at
    ``next_fire_at``), the table's waiter (``waiter_id``, ``waiter_name``) and who opened
    the order (``opened_by``, ``opened_by_name``); "my tables" are those whose
    ``waiter_id`` or ``opened_by`` is the signed-in user.
    """

    service_state: ServiceState
    order_id: int | None = Field(description="The open order at the table.")
    order_version: int | None = Field(description="Its version, for the next write.")
    covers: int | None = Field(description="Guests at the table.")
    order_subtotal: int | None = Field(description="Minor units: the non-voided lines.")
    currency: str = Field(description="ISO 4217 code of the restaurant.")
    check_id: int | None = Field(description="The order's open check, when requested.")
    lines_pending: int = Field(description="Lines not fired yet.")
    lines_in_kitchen: int = Field(description="Lines fired or being prepared.")
    lines_ready: int = Field(description="Lines ready at the pass, not served.")
    waiter_name: str | None = Field(
        description="The table's waiter (``waiter_id``): full name, else username."
    )
    opened_by: int | None = Field(description="Who opened the order (user id).")
    opened_by_name: str | None = Field(description="Their full name or username.")
    held_course: int | None = Field(
        description="The next course waiting to be fired: the lowest course above the"
        " highest fired one (and above 1) with lines not fired yet.",
    )
    last_fired_at: datetime | None = Field(
        description="UTC: when a line of the order was last fired."
    )
    next_fire_course: int | None = Field(
        description="The course that fires by itself at ``next_fire_at``."
    )
    next_fire_at: datetime | None = Field(
        description="UTC: when ``next_fire_course`` fires (course pacing)."
    )


class Floor(BaseModel):
    """The whole floor: areas by position, then id; tables by position, then name."""

    areas: list[AreaRead]
    tables: list[FloorTable]


class TableList(BaseModel):
    """Tables ordered by position, then name."""

    items: list[TableRead]
    total: int


class GuestLink(BaseModel):
    """The guest menu link of a table (what its QR code encodes) and its signed token."""

    url: str
    token: str
