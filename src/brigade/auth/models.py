"""Auth tables: users, refresh tokens (grouped by login) and restaurant API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from brigade.infra.db import Base, IdType, UTCDateTime


class User(Base):
    """A person with a login. ``is_admin`` marks the platform admin.

    ``tokens_not_before`` (UTC, whole seconds): access tokens issued before it are
    refused, whatever login they belong to; set when the password changes and when the
    account is deactivated (:mod:`brigade.auth.service`).
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200), default="")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    tokens_not_before: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RefreshToken(Base):
    """One opaque refresh token (stored as its SHA-256 hex digest).

    All tokens of one login share ``family_id``. Refresh rotates: the used token gets
    ``rotated_at`` and a new one is issued in the same family. Presenting a rotated token
    again revokes the whole family (OAuth 2.0 Security BCP, RFC 9700 §4.14.2).

    A PIN login on a registered device (:mod:`brigade.devices`) sets ``device_id`` and
    ``idle_seconds`` on every token of its family: each token then lives only
    ``idle_seconds`` (the device's idle sign-out) and its access tokens say ``dev``.
    """

    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id", ondelete="CASCADE"))
    family_id: Mapped[str] = mapped_column(String(64), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    device_id: Mapped[int | None] = mapped_column(IdType, default=None, index=True)
    idle_seconds: Mapped[int | None] = mapped_column(Integer, default=None)


class ApiToken(Base):
    """A restaurant's API token: scoped, shown once, stored as its SHA-256 hex digest."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
