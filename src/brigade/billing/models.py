"""Checks and payments, in minor units of the restaurant's currency.

Built so that splits (several checks per order), discounts and tips fit later: a check
names its order, and its amounts are stored, not recomputed on read.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from brigade.infra.db import Base, IdType, UTCDateTime


class Check(Base):
    """What the guests owe for an order: ``subtotal`` (lines), ``tax`` and ``total``.

    ``tax_rate_bp`` and ``tax_inclusive`` snapshot the restaurant's tax rule the check
    was computed with (inclusive: the tax is contained in ``subtotal``; exclusive: added).

    ``status``: ``open`` until payments cover ``total``, then ``paid``.
    """

    __tablename__ = "checks"
    __table_args__ = (Index("ix_checks_restaurant_id_status", "restaurant_id", "status"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    order_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="open")
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_total: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_total: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_total: Mapped[int] = mapped_column(BigInteger, default=0)
    tip_total: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_rate_bp: Mapped[int] = mapped_column(Integer, default=0)
    tax_inclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class Payment(Base):
    """A payment on a check: ``method`` is ``cash``, ``card`` or ``other``; ``amount``
    is what it settles, ``tendered``/``change`` record cash handed over and given back.
    ``till_id``/``shift_id`` name the cash drawer and its shift the payment was taken
    into (plain columns, set through :mod:`brigade.billing.hooks`; ``None``: none)."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    check_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("checks.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    tendered: Mapped[int | None] = mapped_column(BigInteger, default=None)
    change: Mapped[int] = mapped_column(BigInteger, default=0)
    tip: Mapped[int] = mapped_column(BigInteger, default=0)
    reference: Mapped[str] = mapped_column(String(100), default="")
    till_id: Mapped[int | None] = mapped_column(IdType, default=None)
    shift_id: Mapped[int | None] = mapped_column(IdType, default=None, index=True)
    created_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
