"""Tables of the devices context: registered devices, staff PINs, idle times per kind."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from brigade.infra.db import Base, IdType, UTCDateTime


class Device(Base):
    """A restaurant's registered device: ``kind`` ``till``, ``tablet`` or ``kitchen``.

    ``secret_hash`` is the SHA-256 hex digest of its secret (shown once at
    registration); ``prefix`` the secret's first characters, to recognise it.
    ``revoked_at`` set: the secret is refused and every PIN login made on it has ended.
    ``last_seen_at``: the last PIN login or PIN approval on it (UTC).
    """

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class StaffPin(Base):
    """A member's PIN in one restaurant (4-6 digits), as a password hash (argon2,
    :func:`brigade.auth.security.hash_password`). ``set_by``: who set it (the member or a
    manager)."""

    __tablename__ = "staff_pins"
    __table_args__ = (UniqueConstraint("restaurant_id", "user_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id", ondelete="CASCADE"))
    pin_hash: Mapped[str] = mapped_column(String(255))
    set_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeviceIdleTime(Base):
    """A restaurant's idle sign-out time for one device ``kind`` (seconds); kinds
    without a row use :data:`brigade.devices.schemas.DEFAULT_IDLE_SECONDS`."""

    __tablename__ = "device_idle_times"
    __table_args__ = (UniqueConstraint("restaurant_id", "kind"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    idle_seconds: Mapped[int] = mapped_column(Integer)
