"""Restaurant (the tenant) and membership (a user's role in one restaurant)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from brigade.infra.db import Base, IdType, UTCDateTime


class Restaurant(Base):
    """A restaurant: the tenant every other row belongs to.

    ``currency`` is ISO 4217; ``time_zone`` an IANA name deciding the business day;
    ``tax_rate_bp`` the default sales tax in basis points (1/100 of a percent), either
    included in menu prices (``tax_inclusive``) or added on the check: the rate of every
    line whose menu item and category name no :class:`TaxRate`.

    Billing settings: ``service_charge_bp`` (basis points of the discounted lines, 0 =
    none), applied to every check when ``service_charge_min_covers`` is 0, else to orders
    of at least that many covers, and taxed (at the default rate) when
    ``service_charge_taxable``; ``cash_rounding_unit`` (minor units; 1 = no rounding, 5
    rounds cash due to 0.05); ``discount_approval_bp``: discounts on a check beyond this
    share of its subtotal (basis points) need a manager's approval.

    Voids: ``void_reasons``, the reasons a waiter picks from when voiding a line (an
    empty list: any reason may be typed).

    Receipts: ``address`` (free text, one line per line of the postal address) and
    ``locale`` (a CLDR identifier such as ``de_DE``, deciding how amounts and dates are
    written).

    Course pacing: ``course_auto_fire_minutes`` (0 = off): the next held course of an
    order fires by itself this many minutes after the kitchen bumped the course before
    it (:mod:`brigade.orders.pacing`).
    Service: ``opening_hours`` (``[{"weekday": 1..7 ISO, "opens": "HH:MM", "closes":
    "HH:MM"}]``, local time; a period whose ``closes`` is not after ``opens`` ends the
    next day), ``station_prep_targets`` (``{station: seconds}``: how long a ticket of
    that kitchen station should take from fire to ready) and ``features`` (the feature
    switches, ``{"coursing", "tips", "loyalty", "guest_ordering": bool}``; see
    :class:`brigade.restaurants.schemas.Features`).
    Order pad: ``quick_notes``, the short notes a waiter taps onto a line ("allergy:
    nuts", "well done"), in display order.
    """

    __tablename__ = "restaurants"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    tax_rate_bp: Mapped[int] = mapped_column(Integer, default=0)
    tax_inclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    service_charge_bp: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    service_charge_min_covers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    service_charge_taxable: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    cash_rounding_unit: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    discount_approval_bp: Mapped[int] = mapped_column(Integer, default=2000, server_default="2000")
    address: Mapped[str] = mapped_column(Text, default="", server_default="")
    locale: Mapped[str] = mapped_column(String(35), default="en_US", server_default="en_US")
    void_reasons: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    course_auto_fire_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    opening_hours: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, server_default="[]"
    )
    station_prep_targets: Mapped[dict[str, int]] = mapped_column(
        JSON, default=dict, server_default="{}"
    )
    features: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict, server_default="{}")
    quick_notes: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TaxRate(Base):
    """A named tax rate of a restaurant (``VAT 10 %``, ``Alcohol``): ``rate_bp`` basis
    points, ``inclusive`` when menu prices contain it (VAT-style), else added on the
    check. Menu categories name one; an item may name another (:mod:`brigade.menu`).
    """

    __tablename__ = "tax_rates"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    rate_bp: Mapped[int] = mapped_column(Integer)
    inclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Membership(Base):
    """A user's role (``owner``, ``manager``, ``waiter``, ``kitchen``, ``cashier``) in one
    restaurant."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("restaurant_id", "user_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
