"""Floor tables: areas and tables. ``status`` follows the table's open order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from brigade.infra.db import Base, IdType, UTCDateTime


class Area(Base):
    """A part of the floor (``Terrace``, ``Main room``)."""

    __tablename__ = "floor_areas"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)


class DiningTable(Base):
    """A table with ``seats``. ``status`` is ``free`` or ``occupied`` (while it has an
    open order, ``current_order_id``); ``version`` guards concurrent writes.

    Sections: ``waiter_id`` is the member serving the table (``None``: nobody's); a
    waiter's section is the tables that name them. The floor plan: the table's box on
    its area's plan, ``plan_x``/``plan_y`` its top-left corner (``None``: not placed),
    ``plan_width``/``plan_height`` its size, all in plan units (an area's plan is
    :data:`brigade.tables.schemas.PLAN_WIDTH` × ``PLAN_HEIGHT`` units), and ``shape``
    (``square``, ``round`` or ``rectangle``)."""

    __tablename__ = "floor_tables"
    __table_args__ = (UniqueConstraint("restaurant_id", "name"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("floor_areas.id", ondelete="SET NULL"), default=None
    )
    name: Mapped[str] = mapped_column(String(50))
    seats: Mapped[int] = mapped_column(Integer, default=4)
    status: Mapped[str] = mapped_column(String(16), default="free")
    current_order_id: Mapped[int | None] = mapped_column(IdType, default=None)
    seated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)
    waiter_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    plan_x: Mapped[int | None] = mapped_column(Integer, default=None)
    plan_y: Mapped[int | None] = mapped_column(Integer, default=None)
    plan_width: Mapped[int] = mapped_column(Integer, default=80, server_default="80")
    plan_height: Mapped[int] = mapped_column(Integer, default=80, server_default="80")
    shape: Mapped[str] = mapped_column(String(16), default="square", server_default="square")
