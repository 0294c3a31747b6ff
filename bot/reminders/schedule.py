"""The persisted schedule: a row per reminder series with the day it next speaks (storage ReminderSeries).

The policy stays the one source of the rules: a series' next day is `policy.next_days`, worked out from
the task's view. Writers that change what a task is owed (a plan import, a report, a deadline change, a
snooze, a plan closed or reopened) call `reschedule`, which only marks the task's series stale: it needs
no settings or calendar. The sweep, which has both, works stale tasks out before it selects what is due.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.config import Settings
from bot.reminders.policy import Reminder, TaskView, candidate_days, next_days, reminders_for_day
from bot.reminders.views import load_views_of
from bot.workdays import WorkCalendar
from storage import views as store

STALE_DAY = date(1970, 1, 1)  # the next_due of a "stale" row (storage/migrations/versions/0005)
BATCH = 500


def reschedule(*, session: Session, task_ids: Sequence[int] = (), plan_id: int | None = None,
               now: datetime | None = None) -> None:
    """The series of these tasks (or of every task of `plan_id`) must be worked out again before the next sweep."""
    del now  # the next sweep works them out from its own clock
    store.mark_stale(session=session, stale_day=STALE_DAY, task_ids=list(task_ids), plan_id=plan_id)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def work_out(views: list[TaskView], start: date, through: date, *, calendar: WorkCalendar, settings: Settings,
             supervisors: list[int], units: Collection[int]) -> tuple[dict[date, list[Reminder]], dict[int, tuple]]:
    """`reminders_for_day` for every working day from `start` through `through`, evaluating each task only
    on its candidate days for `units` (a task has no reminder on any other day; other units' reminders do
    not change what these units get): the memo `reminders_on` takes for these units, and per task
    (candidates, reminders per day) for `series_rows` to reuse."""
    policy = settings.reminders
    memo: dict[date, list[Reminder]] = {}
    day = start
    while day <= through:
        if calendar.is_workday(day):
            memo[day] = []
        day += timedelta(days=1)
    worked: dict[int, tuple] = {}
    on_day: dict[date, list[TaskView]] = {d: [] for d in memo}
    for v in views:  # in order, so each day's list is what reminders_for_day(views, day) gives
        cands = candidate_days(v, start, calendar=calendar, policy=policy, supervisors=supervisors, through=through,
                               units=units)
        worked[v.id] = (cands, {})
        for d in cands[0]:
            if d in on_day:
                on_day[d].append(v)
    for d, some in on_day.items():
        memo[d] = reminders_for_day(some, d, calendar=calendar, policy=policy, supervisors=supervisors)
        for v in some:
            worked[v.id][1][d] = []
        for r in memo[d]:
            worked[r.task_id][1][d].append(r)
    return memo, worked


def series_rows(views: list[TaskView], after: date, *, calendar: WorkCalendar, settings: Settings,
                supervisors: list[int], units: Collection[int] | None = None,
                swept_on: date | None = None, worked: dict[int, tuple] | None = None) -> list[dict]:
    """ReminderSeries rows for `views` (only those of `units` when given), next due on or after `after`."""
    out = []
    policy, grace = settings.reminders, settings.reminders.ended_plan_grace_days
    worked = worked or {}
    for v in views:
        cands, known = worked.get(v.id, (None, None))
        for (deadline_id, unit_id, role, kind), day in next_days(v, after, calendar=calendar, policy=policy,
                                                                 supervisors=supervisors, grace_days=grace,
                                                                 cands=cands, known=known, units=units).items():
            if units is None or unit_id in units:
                out.append({"task_id": v.id, "deadline_id": deadline_id, "unit_id": unit_id, "role": role,
                            "kind": kind, "next_due": day, "swept_on": swept_on})
    return out


def resolve_stale(*, session: Session, after: date, now: datetime, calendar: WorkCalendar, settings: Settings,
                  supervisors: list[int], batch: int = BATCH) -> int:
    """Work out the series of every stale task, `batch` tasks at a time; return how many tasks."""
    done = 0
    while ids := store.stale_task_ids(session=session, stale_day=STALE_DAY, limit=batch):
        views = load_views_of(session=session, task_ids=ids, now=now, tz=settings.app.tz)
        rows = series_rows(views, after, calendar=calendar, settings=settings, supervisors=supervisors)
        store.replace_series(session=session, task_ids=ids, rows=rows)
        done += len(ids)
    return done


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
