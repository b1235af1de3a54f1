"""Local dates, hours and durations in SQL, on SQLite and PostgreSQL.

Orders store ``business_date`` (the restaurant's local date) and ``opened_at`` (UTC). A
report grouped by local hour needs ``opened_at`` in the restaurant's time zone:

* PostgreSQL converts with its own time zone database: ``timezone(tz, opened_at)``
  turns the ``timestamptz`` into the local wall-clock time, DST included;
* SQLite has no time zone database, only fixed modifiers (``'+3600 seconds'``). The
  offsets in force over the range are computed in Python from :mod:`zoneinfo` (the
  instants where the offset changes, found by stepping a week at a time and bisecting
  to the second), and the SQL picks the modifier with a ``CASE`` on ``opened_at``
  (stored as ``YYYY-MM-DD HH:MM:SS.ffffff`` text in UTC, which compares as it sorts).
  A year of New York has three branches.

Weekdays are ISO (Monday 1 … Sunday 7), weeks start on Monday (the ISO week) and are
keyed by their Monday, months by ``YYYY-MM``. Durations are in seconds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, Float, Integer, String, case, cast, func, literal

from brigade.infra.db import UTCDateTime

_WEEK = timedelta(days=7)
#: The dates :func:`day_bounds` keeps to (a margin either side stays representable).
_FIRST_DAY, _LAST_DAY = date(1, 1, 3), date(9999, 12, 28)


def offset_changes(time_zone: str, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """The UTC offsets (seconds) of ``time_zone`` from ``start`` to ``end`` (aware
    datetimes): ``[(since, offset), ...]``, the first ``since`` being ``start``, each
    later one the UTC instant (to the second) where the offset changes."""
    zone = ZoneInfo(time_zone)

    def offset(at: datetime) -> int:
        delta = at.astimezone(zone).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    changes = [(start, offset(start))]
    at = start
    while at < end:
        step = min(at + _WEEK, end)
        if offset(step) != changes[-1][1]:
            low, high = at, step  # offset(low) is the current one, offset(high) is not
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if offset(middle) == changes[-1][1]:
                    low = middle
                else:
                    high = middle
            high = high.replace(microsecond=0)
            changes.append((high, offset(high)))
        at = step
    return changes


def _modifier(seconds: int) -> str:
    return f"{seconds:+d} seconds"


def local_hour(
    dialect: str,
    opened_at: Any,
    time_zone: str,
    bounds: tuple[datetime, datetime] | None,
) -> ColumnElement[int]:
    """The hour (0–23) of ``opened_at`` (a UTC timestamp column) in ``time_zone``.
    ``bounds`` (aware UTC datetimes, required but on PostgreSQL) are the first and last
    ``opened_at`` the statement can meet: on SQLite only the offsets in force between
    them are written out."""
    if dialect == "postgresql":
        return cast(func.extract("hour", func.timezone(time_zone, opened_at)), Integer)
    if bounds is None:
        raise ValueError("SQLite needs the bounds of the times to convert")
    changes = offset_changes(time_zone, *bounds)
    modifier: ColumnElement[str]
    if len(changes) == 1:
        modifier = literal(_modifier(changes[0][1]), String)
    else:
        modifier = case(
            *(
                (opened_at < literal(since, UTCDateTime()), literal(_modifier(previous), String))
                for (since, _), (_, previous) in zip(changes[1:], changes, strict=False)
            ),
            else_=literal(_modifier(changes[-1][1]), String),
        )
    return cast(func.strftime("%H", opened_at, modifier), Integer)


def day_bounds(first: Any, last: Any) -> tuple[datetime, datetime]:
    """UTC instants surely before and after every time of local dates ``first..last``
    (dates): a day and a half of margin covers every time zone (−12 h … +14 h)."""
    first, last = max(first, _FIRST_DAY), min(last, _LAST_DAY)
    start = datetime.combine(first, time(), UTC) - timedelta(hours=36)
    end = datetime.combine(last, time(), UTC) + timedelta(hours=60)
    return start, end


def iso_weekday(dialect: str, day: Any) -> ColumnElement[int]:
    """The ISO weekday (Monday 1 … Sunday 7) of date ``day``."""
    if dialect == "postgresql":
        return cast(func.extract("isodow", day), Integer)
    # strftime('%w'): Sunday 0 … Saturday 6.
    return (cast(func.strftime("%w", day), Integer) + 6) % 7 + 1


def week_start(dialect: str, day: Any) -> ColumnElement[Any]:
    """The Monday of date ``day``'s ISO week (a date on PostgreSQL, ISO text on SQLite)."""
    if dialect == "postgresql":
        return cast(func.date_trunc("week", day), Date)
    # 'weekday 0' moves to the next Sunday (or stays on one); six days back is Monday.
    return func.date(day, "weekday 0", "-6 days")


def month_of(dialect: str, day: Any) -> ColumnElement[str]:
    """``YYYY-MM`` of date ``day``."""
    if dialect == "postgresql":
        return func.to_char(day, "YYYY-MM")
    return func.strftime("%Y-%m", day)


def seconds_between(dialect: str, start: Any, end: Any) -> ColumnElement[float]:
    """Seconds from timestamp ``start`` to ``end`` (a float)."""
    if dialect == "postgresql":
        return cast(func.extract("epoch", end - start), Float)
    return (func.julianday(end) - func.julianday(start)) * 86400.0
