"""The candidate days of a task's reminder series: every day one of them may speak (a superset), read off the
ladder (bot.reminders.ladder) so a task need be worked out on these days only."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from datetime import date, timedelta

from bot.config import ReminderSettings
from bot.reminders.ladder import (
    checkin_day,
    countdowns,
    due_dates,
    effective_deadlines,
    escalation_number,
    last_overdue_day,
    needs_checkins,
    overdue_nudge,
    rung_days,
)
from bot.reminders.model import Reminder, TaskView, watchers
from bot.workdays import WorkCalendar

SERIES_KIND = {"upcoming": "ladder", "due": "ladder", "overdue": "overdue", "escalation": "escalation",
               "checkin": "checkin"}
SeriesKey = tuple  # (deadline_id, unit_id, role, series kind)
Candidates = tuple  # (day → series keys that may speak on it, series cut short → the day they stop at)


def series_of(r: Reminder) -> SeriesKey:
    """The series a (non-digest) reminder belongs to: a deadline's ladder, its overdue nudges, its escalations
    to one supervisor, or the monthly check-ins, for one unit."""
    return (r.deadline_id, r.unit_id, r.role, SERIES_KIND[r.kind])


class _Found:
    """The candidate days found so far (those on or after `after`), and the runs cut short."""

    def __init__(self, after: date) -> None:
        self.after = after
        self.days: dict[date, set[SeriesKey]] = {}
        self.endless: dict[SeriesKey, date] = {}

    def add(self, day: date, keys) -> None:
        if day >= self.after:
            self.days.setdefault(day, set()).update(keys)


def candidate_days(task: TaskView, after: date, *, calendar: WorkCalendar, policy: ReminderSettings,
                   supervisors: Sequence[int], through: date | None = None,
                   units: Collection[int] | None = None) -> Candidates:
    """Every day on or after `after` a series of `task` (of `units`, when given) may speak: a superset of its
    reminder days, and the series whose run was cut short (overdue runs, check-ins) with the day it stopped at.

    Complete through `through` (and some working days past `after`); a day that is no candidate of a task
    has no reminder of it, so a caller may work the policy out for a task on its candidate days only.
    """
    found = _Found(after)
    if task.done or task.review_pending or not (task.lead or task.co):
        return found.days, found.endless

    def mine(us) -> list[int]:
        return [u for u in us if units is None or u in units]

    lead, co, sup = mine(task.lead), mine(task.co), mine(watchers(task, supervisors)) if task.lead else []
    horizon = date(max(task.year, after.year) + 1, 12, 31)
    add = found.add
    span = max(*policy.overdue_backoff, policy.escalate_after) * 3 + 1  # overdue working days generated
    bounds = (last_overdue_day(policy), span, through)  # once per task, not per due date
    for dl in effective_deadlines(task, policy):
        dues = due_dates(dl, task, horizon, calendar)
        overdue = [(dl.id, u, "lead", "overdue") for u in lead]
        escalation = [(dl.id, u, "supervisor", "escalation") for u in sup]
        for i, due in enumerate(dues):
            nxt = dues[i + 1] if i + 1 < len(dues) else None
            if due >= after:
                for role, us, target in countdowns(due, lead, co, calendar, policy):
                    keys = [(dl.id, u, role, "ladder") for u in us]
                    for day in rung_days(target, calendar, policy):
                        add(day, keys)
            if (overdue or escalation) and (nxt is None or nxt > after):
                _overdue_run(found, due, nxt, overdue, escalation, bounds, calendar, policy)
    if needs_checkins(task) and lead:
        _checkins(found, [(None, u, "lead", "checkin") for u in lead], calendar, policy)
    return found.days, found.endless


def _overdue_run(found: _Found, due: date, nxt: date | None, overdue: list, escalation: list,
                 bounds: tuple[int | None, int, date | None], calendar: WorkCalendar,
                 policy: ReminderSettings) -> None:
    """The days after `due` (till the next due date `nxt`) an overdue nudge or an escalation falls on; a run that
    ends (`bounds`: its last working day late) is generated to its end, an endless one `span` working days and
    on through `through`, then cut short."""
    ends, span, through = bounds
    day = calendar.next_workday(max(found.after, due + timedelta(days=1)))
    late = calendar.workdays_between(due, day)
    for n in itertools.count():
        if (nxt is not None and day >= nxt) or (ends is not None and late > ends):
            return
        if ends is None and n >= span and (through is None or day > through):
            found.endless.update(dict.fromkeys(overdue + escalation, day))
            return
        if overdue and overdue_nudge(late, policy):
            found.add(day, overdue)
        if escalation and escalation_number(late, policy):
            found.add(day, escalation)
        day, late = calendar.next_workday(day, inclusive=False), late + 1


def _checkins(found: _Found, keys: list, calendar: WorkCalendar, policy: ReminderSettings) -> None:
    """A year of monthly check-in days from `found.after`'s month on, then the run cut short."""
    y, m = found.after.year, found.after.month
    for _ in range(13):  # the check-in day may fall back into the month before: a superset either way
        found.add(checkin_day(y, m, calendar, policy), keys)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    found.endless.update(dict.fromkeys(keys, date(y, m, 1)))
