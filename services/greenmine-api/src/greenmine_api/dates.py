"""Local dates: deadlines are dates in Asia/Shanghai, whatever the server's clock zone."""

import calendar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")


def local_today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(LOCAL).date()


def add_months(day: date, months: int) -> date:
    """Calendar months later (or earlier), clamped to the month's end (8-31 + 6 → 2-28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
