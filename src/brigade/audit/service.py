"""Reading the audit trail: filters, pages and the CSV export.

The trail is written by :mod:`brigade.audit.trail` in the units of work of the changes
themselves; nothing here writes, and no route changes or deletes an entry.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.audit.exceptions import InvalidDateRange
from brigade.audit.models import AuditEntry
from brigade.audit.schemas import AuditEntryRead, AuditList
from brigade.auth.dependencies import Access, Actor
from brigade.auth.exceptions import PlatformAdminOnly
from brigade.auth.service import usernames
from brigade.restaurants.service import get_restaurant
from brigade.tenancy import scoped

#: The most entries one page holds (a CSV export holds up to :data:`EXPORT_MAX`).
PAGE_MAX = 500
#: The most entries one CSV export holds.
EXPORT_MAX = 100_000
#: Columns of the CSV export, in order.
CSV_COLUMNS = (
    "id",
    "at",
    "kind",
    "user_id",
    "username",
    "actor",
    "address",
    "subject",
    "summary",
    "before",
    "after",
)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which entries: by person (``user_id``), by ``kinds`` (any of them; empty: all),
    from ``start_date`` to ``end_date`` inclusive (local dates of the restaurant; UTC
    dates on the platform's trail), ``limit`` from ``offset``, newest first."""

    user_id: int | None = None
    kinds: tuple[str, ...] = ()
    start_date: date | None = None
    end_date: date | None = None
    limit: int = 100
    offset: int = 0


def _bounds(f: AuditFilter, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """The UTC instants of ``f``'s dates: from the start of ``start_date`` to the start
    of the day after ``end_date``, local in ``zone``. Raises :class:`InvalidDateRange`."""
    if f.start_date and f.end_date and f.start_date > f.end_date:
        raise InvalidDateRange("start_date is after end_date")
    start = end = None
    if f.start_date is not None:
        start = datetime.combine(f.start_date, time(), zone).astimezone(UTC)
    if f.end_date is not None:
        end = datetime.combine(f.end_date + timedelta(days=1), time(), zone).astimezone(UTC)
    return start, end


def _filtered(
    query: Select[Any], f: AuditFilter, start: datetime | None, end: datetime | None
) -> Select[Any]:
    if f.user_id is not None:
        query = query.where(AuditEntry.user_id == f.user_id)
    if f.kinds:
        query = query.where(AuditEntry.kind.in_(f.kinds))
    if start is not None:
        query = query.where(AuditEntry.created_at >= start)
    if end is not None:
        query = query.where(AuditEntry.created_at < end)
    return query


async def _page(session: AsyncSession, query: Select[Any], f: AuditFilter) -> AuditList:
    total = await session.scalar(query.with_only_columns(func.count(AuditEntry.id)).order_by(None))
    rows = (
        await session.scalars(
            query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(f.limit)
            .offset(f.offset)
        )
    ).all()
    names = await usernames(session, {r.user_id for r in rows if r.user_id is not None})
    items = [
        AuditEntryRead(
            id=r.id,
            restaurant_id=r.restaurant_id,
            at=r.created_at,
            kind=r.kind,
            user_id=r.user_id,
            username=names.get(r.user_id) if r.user_id is not None else None,
            actor=r.actor,
            address=r.address,
            subject=r.subject,
            summary=r.summary,
            before=r.before,
            after=r.after,
        )
        for r in rows
    ]
    return AuditList(items=items, total=total or 0)


async def list_entries(session: AsyncSession, access: Access, f: AuditFilter) -> AuditList:
    """The restaurant's audit entries matching ``f``, newest first; dates are the
    restaurant's local dates. The caller holds ``audit:read`` (owners and managers).

    Raises :class:`InvalidDateRange` (422)."""
    restaurant = await get_restaurant(session, access.restaurant_id)
    start, end = _bounds(f, ZoneInfo(restaurant.time_zone))
    query = scoped(select(AuditEntry), access.restaurant_id)
    return await _page(session, _filtered(query, f, start, end), f)


async def list_platform_entries(session: AsyncSession, actor: Actor, f: AuditFilter) -> AuditList:
    """The platform's own trail (entries of no restaurant: logins, failed logins, the
    platform admin's deactivations) matching ``f``, newest first; dates are UTC.

    Raises :class:`~brigade.auth.exceptions.PlatformAdminOnly` (403) unless ``actor``
    is the platform admin, :class:`InvalidDateRange` (422)."""
    if not actor.is_admin:
        raise PlatformAdminOnly("only the platform admin reads the platform's audit trail")
    start, end = _bounds(f, ZoneInfo("UTC"))
    query = select(AuditEntry).where(AuditEntry.restaurant_id.is_(None))
    return await _page(session, _filtered(query, f, start, end), f)


#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV
#: Injection"): such text cells are written with a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(entries: Sequence[AuditEntryRead]) -> str:
    """``entries`` as CSV text (RFC 4180 by :mod:`csv`, a header row of
    :data:`CSV_COLUMNS`; ``before``/``after`` as compact JSON; times ISO 8601 UTC; a
    text that a spreadsheet would run as a formula starts with ``'``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        data = entry.model_dump()
        writer.writerow([_cell(data[column]) for column in CSV_COLUMNS])
    return out.getvalue()
