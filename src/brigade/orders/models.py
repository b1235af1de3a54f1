"""Orders and their lines. Lines snapshot name, prices and modifiers when added."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from brigade.infra.db import Base, IdType, UTCDateTime


class Order(Base):
    """A dine-in (``table_id`` set) or takeaway order.

    ``status``: ``open`` until its check is paid, then ``closed``; or ``cancelled`` (nothing
    fired, with ``cancel_reason``). ``closed_at`` is when it was closed or cancelled (UTC).
    ``business_date`` is the local date (restaurant time zone) the order was opened,
    which reports group by. ``version`` increases with every write (409 when stale).
    """

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("restaurant_id", "external_ref"),
        # Covering for the reports (brigade.reporting): a range of business dates with the
        # status, waiter and time of each order, from the index alone.
        Index(
            "ix_orders_restaurant_id_business_date",
            "restaurant_id",
            "business_date",
            "status",
            "opened_by",
            "opened_at",
        ),
        Index("ix_orders_restaurant_id_status", "restaurant_id", "status"),
        Index("ix_orders_restaurant_id_opened_by", "restaurant_id", "opened_by"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    table_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("floor_tables.id", ondelete="SET NULL"), default=None
    )
    kind: Mapped[str] = mapped_column(String(16), default="dine_in")
    status: Mapped[str] = mapped_column(String(16), default="open")
    covers: Mapped[int] = mapped_column(Integer, default=0)
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    opened_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    cancel_reason: Mapped[str | None] = mapped_column(Text, default=None)
    business_date: Mapped[date] = mapped_column(Date)
    external_ref: Mapped[str | None] = mapped_column(String(100), default=None)


class OrderItem(Base):
    """One line of an order.

    Snapshots at the time it is added: ``name``, ``variation_name``, ``sku``,
    ``unit_price`` and ``modifiers`` (``[{"id", "name", "price_delta"}]``), all prices
    in minor units; ``line_total = quantity * (unit_price + modifiers_total)``.
    ``status``: ``pending → fired → preparing → ready → served``, or ``voided`` with
    ``void_reason``. ``added_by``, ``fired_by`` and ``voided_by`` are the users who
    added, fired and voided the line (``None`` for an API token, an import, or a user
    since deleted).
    """

    __tablename__ = "order_items"
    # Covering for the reports: an order's sold lines and their figures from the index.
    __table_args__ = (
        Index(
            "ix_order_items_order_id",
            "order_id",
            "restaurant_id",
            "status",
            "quantity",
            "line_total",
        ),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    order_id: Mapped[int] = mapped_column(IdType, ForeignKey("orders.id", ondelete="CASCADE"))
    menu_item_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("menu_items.id", ondelete="SET NULL"), default=None
    )
    variation_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("menu_variations.id", ondelete="SET NULL"), default=None
    )
    name: Mapped[str] = mapped_column(String(200))
    variation_name: Mapped[str] = mapped_column(String(100), default="")
    sku: Mapped[str] = mapped_column(String(100), default="")
    category_name: Mapped[str] = mapped_column(String(100), default="")
    station: Mapped[str] = mapped_column(String(64), default="kitchen")
    unit_price: Mapped[int] = mapped_column(BigInteger)
    modifiers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    modifiers_total: Mapped[int] = mapped_column(BigInteger, default=0)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    line_total: Mapped[int] = mapped_column(BigInteger)
    notes: Mapped[str] = mapped_column(Text, default="")
    seat: Mapped[int | None] = mapped_column(Integer, default=None)
    course: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    void_reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    added_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    fired_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    voided_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
