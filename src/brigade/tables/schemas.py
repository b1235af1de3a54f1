"""Request and response bodies of the tables context."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TableStatus = Literal["free", "occupied"]


class AreaCreate(BaseModel):
    """A new floor area."""

    name: str = Field(min_length=1, max_length=100)
    position: int = 0


class AreaUpdate(BaseModel):
    """Changes to an area; every field optional."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    position: int | None = None


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

    name: str = Field(min_length=1, max_length=50)
    seats: int = Field(default=4, ge=1, le=1000)
    area_id: int | None = None
    position: int = 0


class TableUpdate(BaseModel):
    """Changes to a table; every field optional. ``version``, when given, must be the
    current one (409 ``stale-version`` otherwise). ``area_id: null`` takes the table out
    of its area."""

    name: str | None = Field(default=None, min_length=1, max_length=50)
    seats: int | None = Field(default=None, ge=1, le=1000)
    area_id: int | None = None
    position: int | None = None
    version: int | None = None


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


class TableList(BaseModel):
    """Tables ordered by position, then name."""

    items: list[TableRead]
    total: int


class GuestLink(BaseModel):
    """The guest menu link of a table (what its QR code encodes) and its signed token."""

    url: str
    token: str
