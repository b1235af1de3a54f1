"""Settings read from ``BRIGADE_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

import ipaddress
import json
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SECRET_FILE = "secret.key"  # noqa: S105 - a file name


class Settings(BaseSettings):
    """Everything Brigade needs to start.

    ``data_dir`` holds the SQLite database and the generated secret; ``database_url``
    defaults to ``sqlite+aiosqlite:///<data_dir>/brigade.db``; ``redis_url`` unset means
    in-memory fan-out and limits (one process).
    """

    model_config = SettingsConfigDict(env_prefix="BRIGADE_", extra="ignore")

    data_dir: Path = Field(default=Path("./var"))
    database_url: str | None = None
    database_pool_size: int = Field(
        default=24,
        ge=1,
        description="Connections each worker process keeps to a database server "
        "(PostgreSQL; SQLite has one): all of them stay open, so workers x pool size must "
        "stay under the server's max_connections.",
    )
    redis_url: str | None = None
    realtime_channel: str = Field(
        default="brigade-realtime",
        description="Redis pub/sub channel of the Socket.IO fan-out; deployments sharing "
        "one Redis need distinct channels.",
    )
    secret_key: str | None = Field(
        default=None,
        description="JWT signing key; generated into the data dir on first start when unset.",
    )
    access_token_ttl_seconds: int = 15 * 60
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    login_rate_limit: str = Field(
        default="5/minute",
        description="Failed logins allowed per username from one client address (limits "
        "syntax); an address gets 4 times as many, a username from all addresses 10 times.",
    )
    pin_rate_limit: str = Field(
        default="5/minute",
        description="Wrong PINs allowed per person (limits syntax); a registered device "
        "gets 4 times as many, whoever is tried.",
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1,
        description="Largest request body accepted, in bytes; a larger one is refused "
        "with 413 payload-too-large before it is read whole (brigade.infra.bodylimit).",
    )
    course_pacing_interval_seconds: float = Field(
        default=15.0,
        gt=0,
        description="How often each worker fires the courses due to fire by themselves "
        "(brigade.orders.pacing), in seconds.",
    )
    cors_origins: list[str] = Field(default_factory=list)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="IP addresses or CIDR networks of the reverse proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto are believed (comma-separated or a JSON "
        "list); default none: the client address is the connection's peer.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL that table QR codes point at.",
    )
    sql_echo: bool = False
    web_dir: Path | None = Field(
        default=None,
        description="Folder of the built web app served at / (index.html, assets/); "
        "unset: web/dist of the source checkout, when running from one.",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_trusted_proxies(cls, value: object) -> object:
        """Accept ``"10.0.0.1, 10.1.0.0/16"`` as well as a JSON list."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_trusted_proxies(cls, value: list[str]) -> list[str]:
        """Each entry must be an IP address or network (``ipaddress``); a host name or a
        typo is refused at start rather than silently trusting nothing (or too much)."""
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError as exc:
                raise ValueError(f"{entry!r} is not an IP address or CIDR network") from exc
        return value

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'brigade.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite (single writer, file in the data dir)."""
        return self.resolved_database_url.startswith("sqlite")

    @cached_property
    def signing_key(self) -> str:
        """The JWT and table-token signing key.

        Taken from ``BRIGADE_SECRET_KEY`` when set; otherwise read from
        ``<data_dir>/secret.key``, which is created with 64 random bytes (hex) and mode
        0600 on first use. There is no default secret in code.
        """
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / SECRET_FILE
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_hex(64))
        return path.read_text().strip()
