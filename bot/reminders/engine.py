"""The reminder engine as one sweep sees it: what is due, in batches of units, and moving a batch on.

The schedule's speed-ups (the calendar's remembered answers, the shapes shared across batches, the views read
once) stay inside: a caller asks `due()` for the batches, `owed(batch)` for each one's reminders per day, and
`advance(batch)` once it has written them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.config import Settings
from bot.reminders import schedule
from bot.reminders.calendar_cache import cached
from bot.reminders.model import Reminder, TaskView
from bot.reminders.policy import reminders_on
from bot.reminders.views import load_views_of
from bot.workdays import WorkCalendar
from storage import views as store

BATCH = schedule.BATCH  # tasks per batch: fewer, larger commits after downtime


@dataclass
class DueBatch:
    """Units whose series are due, never split, and the tasks those series are of."""

    units: list[int]
    task_ids: list[int]
    tasks: list[TaskView] = field(default_factory=list)  # the live ones, once `owed` has read them
    _worked: object = field(default=None, repr=False)  # what `owed` worked out, for `advance` to reuse


class ReminderEngine:
    """One sweep's engine: one clock, calendar, settings and set of supervisors, over days it was asked for."""

    def __init__(self, *, session: Session, now: datetime, days: list[date], calendar: WorkCalendar,
                 settings: Settings, supervisors: list[int]) -> None:
        self.session, self.now, self.days, self.settings, self.supervisors = session, now, days, settings, supervisors
        self.calendar = cached(calendar)  # the same answers, each worked out once
        self.today = days[-1]
        self.monday = schedule.week_start(self.today)
        self.until = self.monday + timedelta(days=6)
        self._shared = schedule.Shared()  # a shape met in one batch is not worked out again
        self._loaded: dict = {}  # the views read this sweep (it changes no task): a task is read once

    def _kw(self) -> dict:
        return {"calendar": self.calendar, "settings": self.settings, "supervisors": self.supervisors}

    def due(self, *, batch_rows: int = BATCH) -> list[DueBatch]:
        """The units with a series due by the end of this week and not yet swept today, in batches of about
        `batch_rows` tasks; stale tasks are worked out first."""
        schedule.resolve_stale(session=self.session, after=min(self.days[0], self.monday), now=self.now,
                               cache=self._loaded, **self._kw())
        by_unit: dict[int, set[int]] = {}
        fresh: set[int] = set()  # units with a series not yet swept today
        for task_id, unit_id, swept in store.due_window(session=self.session, until=self.until, today=self.today):
            by_unit.setdefault(unit_id, set()).add(task_id)
            if not swept:
                fresh.add(unit_id)
        groups = unit_batches([(u, len(by_unit[u])) for u in sorted(fresh)], batch_rows)
        return [DueBatch(group, sorted({t for u in group for t in by_unit[u]})) for group in groups]

    def owed(self, batch: DueBatch) -> dict[date, list[Reminder]]:
        """The batch's units' reminders on each of the days asked for, worked out on their tasks' candidate
        days only; `batch.tasks` then holds the live tasks they are about."""
        grace = self.settings.reminders.ended_plan_grace_days
        views = load_views_of(session=self.session, task_ids=batch.task_ids, now=self.now, tz=self.settings.app.tz,
                              cache=self._loaded)
        batch.tasks = [t for t in views if t.live_on(self.today, grace)]
        units = set(batch.units)
        memo, batch._worked = schedule.work_out(batch.tasks, schedule.week_start(self.days[0]), self.until,
                                                units=units, shared=self._shared, **self._kw())
        return {d: [r for r in reminders_on(batch.tasks, d, calendar=self.calendar, policy=self.settings.reminders,
                                            supervisors=self.supervisors, memo=memo) if r.unit_id in units]
                for d in self.days}

    def advance(self, batch: DueBatch) -> None:
        """Move the batch's units' series on to their next day, marked swept today."""
        rows = schedule.series_rows(batch.tasks, self.monday, units=set(batch.units), swept_on=self.today,
                                    worked=batch._worked, shared=self._shared, **self._kw())
        store.replace_series(session=self.session, task_ids=batch.task_ids, rows=rows, unit_ids=batch.units)


def unit_batches(counts: list[tuple[int, int]], size: int) -> list[list[int]]:
    """Units (with their due series counts) packed into batches of about `size` series; a unit is never split."""
    out: list[list[int]] = []
    n = 0
    for unit, count in counts:
        if not out or n + count > size:
            out.append([])
            n = 0
        out[-1].append(unit)
        n += count
    return [b for b in out if b]


def start_over(*, session: Session, plan_id: int) -> None:
    """A plan's series are worked out afresh at the next sweep, as if nothing had been sent yet (a dry run over a
    copied store starts this way)."""
    schedule.reschedule(session=session, plan_id=plan_id)
