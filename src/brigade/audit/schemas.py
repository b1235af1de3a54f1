"""Response bodies of the audit trail (Pydantic v2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AuditEntryRead(BaseModel):
    """One entry of the audit trail.

    ``user_id``/``username``: who did it (``null`` for an API token or the system, then
    named in ``actor``: ``token:2``, ``system``; for a failed login ``actor`` is the
    username tried); ``address``: the client's IP address; ``kind``: what happened
    (``line.voided``, ``discount.approved``, …); ``subject``: what it happened to
    (``order_item:12``); ``before``/``after``: the values it changed (JSON, ``null`` when
    there is nothing to show). Money in minor units; ``at`` in UTC."""

    id: int
    restaurant_id: int | None = Field(description="null: the platform's trail (logins).")
    at: datetime
    kind: str
    user_id: int | None
    username: str | None
    actor: str
    address: str | None
    subject: str
    summary: str
    before: Any = None
    after: Any = None


class AuditList(BaseModel):
    """Entries, newest first, one page of them, and how many match in all."""

    items: list[AuditEntryRead]
    total: int
