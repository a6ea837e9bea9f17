"""Date arithmetic for due dates."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 → 28 Feb)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last))


def clamped_date(year: int, month: int, day: int) -> datetime.date:
    """A date in `year`, moving 29 February to the 28th in common years."""
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))
