"""Restaurant (the tenant) and membership (a user's role in one restaurant)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from brigade.infra.db import Base, IdType, UTCDateTime


class Restaurant(Base):
    """A restaurant: the tenant every other row belongs to.

    ``currency`` is ISO 4217; ``time_zone`` an IANA name deciding the business day;
    ``tax_rate_bp`` the sales tax in basis points (1/100 of a percent), either included
    in menu prices (``tax_inclusive``) or added on the check.
    """

    __tablename__ = "restaurants"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    tax_rate_bp: Mapped[int] = mapped_column(Integer, default=0)
    tax_inclusive: Mapped[bool] = mapped_column(Boolean, default=False)
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
