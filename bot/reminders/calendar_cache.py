"""A work calendar's answers remembered per argument, for the many tasks of a sweep that share a few dates."""

from __future__ import annotations

from datetime import date

from bot.workdays import WorkCalendar


class CachedCalendar:
    """A WorkCalendar's answers remembered per argument (they never change for one configuration).

    The policy asks the same few questions (the working day before a due date, N working days before it,
    working days between two dates) for thousands of tasks sharing a handful of dates; a sweep batch asks
    each once. Only what the policy calls is wrapped; `warnings` is the wrapped calendar's own list.
    """

    def __init__(self, calendar: WorkCalendar) -> None:
        self.inner = calendar
        self.warnings = calendar.warnings
        self.is_workday = calendar.is_workday
        self._memo: dict[tuple, object] = {}

    def _ask(self, key: tuple, fn, *args, **kw):
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = fn(*args, **kw)
            return value

    def next_workday(self, d: date, *, inclusive: bool = True) -> date:
        return self._ask(("n", d, inclusive), self.inner.next_workday, d, inclusive=inclusive)

    def previous_workday(self, d: date, *, inclusive: bool = True) -> date:
        return self._ask(("p", d, inclusive), self.inner.previous_workday, d, inclusive=inclusive)

    def add_workdays(self, d: date, n: int) -> date:
        return self._ask(("a", d, n), self.inner.add_workdays, d, n)

    def workdays_between(self, start: date, end: date) -> int:
        return self._ask(("b", start, end), self.inner.workdays_between, start, end)


def cached(calendar: WorkCalendar | CachedCalendar) -> CachedCalendar:
    return calendar if isinstance(calendar, CachedCalendar) else CachedCalendar(calendar)
