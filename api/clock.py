"""The one place the application asks for the time, so tests can move it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_date(moment: datetime, tz: str) -> date:
    """The calendar day of `moment` in timezone `tz`."""
    return moment.astimezone(ZoneInfo(tz)).date()
