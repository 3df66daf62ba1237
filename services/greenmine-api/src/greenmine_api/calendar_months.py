"""Calendar months: review cycles, lead times and rectification periods are counted in them."""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """Calendar months later (or earlier), clamped to the month's end (8-31 + 6 → 2-28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
