"""Expand a Recurrence into due dates."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Recurrence

# Last month of each period, per frequency.
_PERIOD_END_MONTHS = {
    "monthly": tuple(range(1, 13)),
    "quarterly": (3, 6, 9, 12),
    "halfyearly": (6, 12),
}


def month_end(year: int, month: int) -> date:
    """Return the last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _day_in_month(year: int, month: int, day: int | None) -> date:
    # "每月31日" in February means the month's last day, not an error.
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last if day is None else min(day, last))


def occurrences(rec: Recurrence, start: date, end: date) -> list[date]:
    """Return every due date of `rec` in [start, end], in order."""
    if end < start:
        return []
    if rec.freq == "weekly":
        weekday = (rec.day or 7) - 1  # None = end of the week (Sunday)
        first = start + timedelta(days=(weekday - start.weekday()) % 7)
        return (
            [first + timedelta(weeks=i) for i in range((end - first).days // 7 + 1)] if first <= end else []
        )
    if rec.freq == "yearly":
        months: tuple[int, ...] = (rec.month or 12,)
    else:
        months = _PERIOD_END_MONTHS[rec.freq]
    out = []
    for year in range(start.year, end.year + 1):
        for month in months:
            d = _day_in_month(year, month, rec.day)
            if start <= d <= end:
                out.append(d)
    return out


def first_occurrence(rec: Recurrence, after: date) -> date:
    """Return the first due date of `rec` on or after `after`."""
    return occurrences(rec, after, after.replace(year=after.year + 1) + timedelta(days=7))[0]
