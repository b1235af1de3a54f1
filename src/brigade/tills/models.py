"""Tills, their cash shifts, paid-in and paid-out, and the Z reports of the day.

Money in minor units of the restaurant's currency; times UTC; business dates are the
restaurant's local date (its IANA ``time_zone``).
"""

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from brigade.infra.db import Base, IdType, UTCDateTime


class Till(Base):
    """A named cash drawer of a restaurant (names unique per restaurant)."""

    __tablename__ = "tills"
    __table_args__ = (UniqueConstraint("restaurant_id", "name"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TillShift(Base):
    """A cashier's shift on a till, from the opening float to the blind count.

    ``status`` is ``open`` or ``closed``. ``open_till_id`` is ``till_id`` while the shift
    is open and ``NULL`` once closed: its unique constraint
    (``uq_till_shifts_restaurant_id_open_till_id``) allows one open shift per till even
    when two requests race (NULLs are distinct on every database). ``business_date`` is
    the local date it was opened, which the Z report of that day counts it in.

    The cash figures (minor units) are written once, at close, and never change:
    ``cash_in`` (cash handed over by guests: tendered), ``change_out`` (change given),
    ``paid_in``/``paid_out`` (sums of the shift's movements), ``cash_refunds`` (0 until
    refunds exist), ``expected_cash``, ``counted_cash`` and ``variance`` (counted -
    expected).
    """

    __tablename__ = "till_shifts"
    __table_args__ = (
        UniqueConstraint("restaurant_id", "open_till_id"),
        Index("ix_till_shifts_restaurant_id_status", "restaurant_id", "status"),
        Index("ix_till_shifts_restaurant_id_business_date", "restaurant_id", "business_date"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    till_id: Mapped[int] = mapped_column(IdType, ForeignKey("tills.id", ondelete="CASCADE"))
    open_till_id: Mapped[int | None] = mapped_column(IdType, default=None)
    status: Mapped[str] = mapped_column(String(16), default="open")
    business_date: Mapped[date] = mapped_column(Date)
    opening_float: Mapped[int] = mapped_column(BigInteger)
    opened_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    cash_in: Mapped[int | None] = mapped_column(BigInteger, default=None)
    change_out: Mapped[int | None] = mapped_column(BigInteger, default=None)
    paid_in: Mapped[int | None] = mapped_column(BigInteger, default=None)
    paid_out: Mapped[int | None] = mapped_column(BigInteger, default=None)
    cash_refunds: Mapped[int | None] = mapped_column(BigInteger, default=None)
    expected_cash: Mapped[int | None] = mapped_column(BigInteger, default=None)
    counted_cash: Mapped[int | None] = mapped_column(BigInteger, default=None)
    variance: Mapped[int | None] = mapped_column(BigInteger, default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)


class CashMovement(Base):
    """Cash put into (``paid_in``) or taken out of (``paid_out``) a shift's drawer that
    is no sale: change brought from the bank, a supplier paid in cash. ``amount`` ≥ 1
    (minor units); ``reason`` is required."""

    __tablename__ = "cash_movements"
    __table_args__ = (Index("ix_cash_movements_shift_id", "shift_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    shift_id: Mapped[int] = mapped_column(IdType, ForeignKey("till_shifts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ZReport(Base):
    """The close of a business day: ``number`` 1, 2, 3… per restaurant, one per
    ``business_date``, never changed once written. ``figures`` is the day's
    :class:`brigade.tills.schemas.DayReport` as JSON (minor units)."""

    __tablename__ = "z_reports"
    __table_args__ = (
        UniqueConstraint("restaurant_id", "number"),
        UniqueConstraint("restaurant_id", "business_date"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column(Integer)
    business_date: Mapped[date] = mapped_column(Date)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    taken_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())
