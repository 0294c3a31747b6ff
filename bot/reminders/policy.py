"""The reminder policy as a pure function of the plan's state and one working day: the day rules (read off the
ladder, bot.reminders.ladder), digests, and each series' next day (confirmed on its candidate days)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from bot.config import ReminderSettings
from bot.reminders.candidates import SERIES_KIND, Candidates, SeriesKey, candidate_days, series_of
from bot.reminders.ladder import (
    checkin_day,
    countdowns,
    due_dates,
    effective_deadlines,
    escalation_number,
    last_overdue_day,
    needs_checkins,
    occurrences_of,
    overdue_nudge,
    rung,
)
from bot.reminders.model import KIND_ORDER, DeadlineView, Reminder, Supervisors, TaskView, plan_live, watchers
from bot.reminders.said import co_settled
from bot.workdays import WorkCalendar

# Callers import the engine's records and rules from here as before; they live in model, ladder and candidates.
__all__ = [
    "KIND_ORDER", "SERIES_KIND", "Candidates", "DeadlineView", "Reminder", "SeriesKey", "Supervisors", "TaskView",
    "candidate_days", "effective_deadlines", "occurrences_of", "escalation_number", "last_overdue_day", "needs_checkins", "next_days",
    "overdue_nudge", "plan_live", "reminders_for_day", "reminders_on", "series_of", "watchers", "week_workdays",
    "with_digests",
]


def reminders_for_day(
    tasks: list[TaskView],
    day: date,
    *,
    calendar: WorkCalendar,
    policy: ReminderSettings,
    supervisors: list[int],
) -> list[Reminder]:
    """Every reminder owed on `day` (a working day), before digests are formed."""
    if not calendar.is_workday(day):
        return []
    out: list[Reminder] = []
    for task in tasks:
        if task.done or task.review_pending or not (task.lead or task.co):
            continue
        mine: list[Reminder] = []
        for dl in effective_deadlines(task, policy):
            dues = due_dates(dl, task, day, calendar)
            for i, due in enumerate(dues):
                # A recurring occurrence is answered by any report since the previous one.
                if dl.kind == "recurring" and task.last_report is not None and (
                        task.last_report > (dues[i - 1] if i else date(task.year, 1, 1))):
                    continue
                if day <= due:
                    mine += _ladder(task, dl, due, day, calendar, policy)
                if i + 1 == len(dues) or day < dues[i + 1]:
                    mine += _overdue(task, dl, due, day, calendar, policy, supervisors)
        if needs_checkins(task) and task.lead:
            mine += _checkin(task, day, calendar, policy)
        out += [r for r in mine if not _snoozed(task, r, day)]
    return out


def _ladder(task, dl, due, day, calendar, policy) -> list[Reminder]:
    out = []
    left = calendar.workdays_between(day, due)
    for role, units, target in countdowns(due, task.lead, task.co, calendar, policy):
        if (found := rung(day, target, calendar, policy)) is None:
            continue
        kind, steps_left = found
        for unit in units:
            if role == "co" and task.said and co_settled(task, unit, due, day, policy):
                continue  # its part is in (bot.reminders.said)
            out.append(Reminder(task.id, task.ref, unit, role, kind, dl.id, target, day,
                                left if role == "lead" else steps_left))
    return out


def _overdue(task, dl, due, day, calendar, policy, supervisors) -> list[Reminder]:
    if day <= due or not task.lead:
        return []
    late = calendar.workdays_between(due, day)
    out = []
    if n := overdue_nudge(late, policy):
        final = n == policy.overdue_max
        out += [Reminder(task.id, task.ref, u, "lead", "overdue", dl.id, due, day, -late, final=final)
                for u in task.lead]
    if n := escalation_number(late, policy):
        final = n == policy.escalate_max
        out += [Reminder(task.id, task.ref, u, "supervisor", "escalation", dl.id, due, day, -late, final=final)
                for u in watchers(task, supervisors)]
    return out


def _checkin(task, day, calendar, policy) -> list[Reminder]:
    target = checkin_day(day.year, day.month, calendar, policy)
    if day != target:
        return []
    if task.last_report and (day - task.last_report).days < policy.report_fresh_days:
        return []
    return [Reminder(task.id, task.ref, u, "lead", "checkin", None, None, day) for u in task.lead]


def _snoozed(task: TaskView, r: Reminder, day: date) -> bool:
    until = task.snoozed.get(r.unit_id)
    return until is not None and until.date() > day


def with_digests(reminders: list[Reminder], *, threshold: int) -> list[Reminder]:
    """Fold a unit's reminders of one day into one digest where there are `threshold` or more."""
    by_unit: dict[tuple[int, date], list[Reminder]] = {}
    for r in reminders:
        by_unit.setdefault((r.unit_id, r.occurrence), []).append(r)
    out: list[Reminder] = []
    for (unit, day), group in by_unit.items():
        if len(group) >= threshold:
            group.sort(key=lambda r: (KIND_ORDER[r.kind], r.deadline or day))
            out.append(Reminder(None, "", unit, group[0].role, "digest", None, None, day, items=tuple(group)))
        else:
            out += group
    return out


def week_workdays(day: date, calendar: WorkCalendar) -> list[date]:
    monday = day.fromordinal(day.toordinal() - day.weekday())
    return [d for d in (monday.fromordinal(monday.toordinal() + i) for i in range(7)) if calendar.is_workday(d)]


def reminders_on(
    tasks: list[TaskView],
    day: date,
    *,
    calendar: WorkCalendar,
    policy: ReminderSettings,
    supervisors: list[int],
    memo: dict[date, list[Reminder]] | None = None,
) -> list[Reminder]:
    """The reminders to send on `day`, with a unit's busy week folded into one Monday digest.

    Each day needs its whole week; callers walking several days pass one `memo` so a day is worked out once.
    """
    if not calendar.is_workday(day):
        return []
    kw = {"calendar": calendar, "policy": policy, "supervisors": supervisors}
    days = week_workdays(day, calendar)
    memo = {} if memo is None else memo
    for d in days:
        if d not in memo:
            memo[d] = reminders_for_day(tasks, d, **kw)
    week = {d: memo[d] for d in days}
    upcoming: dict[int, list[Reminder]] = {}
    for d in days:
        for r in week[d]:
            if r.kind == "upcoming":
                upcoming.setdefault(r.unit_id, []).append(r)
    # A unit with several tasks coming due this week gets one digest on the week's first working day
    # instead of a ping per task per ladder step.
    weekly = {u for u, rs in upcoming.items() if len({r.task_id for r in rs}) >= policy.digest_threshold}
    today = [r for r in week[day] if not (r.kind == "upcoming" and r.unit_id in weekly)]
    out: list[Reminder] = []
    if day == days[0]:
        for unit in sorted(weekly):
            extra = [r for r in today if r.unit_id == unit]
            today = [r for r in today if r.unit_id != unit]
            items = sorted(extra + _latest_per_task(upcoming[unit]), key=lambda r: (KIND_ORDER[r.kind], r.deadline or day))
            out.append(Reminder(None, "", unit, items[0].role, "digest", None, None, day, items=tuple(items)))
    return out + with_digests(today, threshold=policy.digest_threshold)


def _latest_per_task(rs: list[Reminder]) -> list[Reminder]:
    """One line per (task, role) in a weekly digest: the step nearest its date."""
    best: dict[tuple, Reminder] = {}
    for r in rs:
        key = (r.task_id, r.role, r.deadline)
        if key not in best or r.occurrence > best[key].occurrence:
            best[key] = r
    return list(best.values())



def next_days(task: TaskView, after: date, *, calendar: WorkCalendar, policy: ReminderSettings,
              supervisors: list[int], grace_days: int, tries: int = 4, cands: Candidates | None = None,
              known: dict[date, list[Reminder]] | None = None,
              units: Collection[int] | None = None) -> dict[SeriesKey, date]:
    """For each reminder series of `task`: its first reminder day on or after `after`, or a day before it.

    Candidate days come from the same rules (ladder steps before each due date, overdue and escalation
    steps after it, check-in days) and each is confirmed by `reminders_for_day` itself, so answered
    occurrences, snoozes and done tasks are the policy's call. A series still unconfirmed after `tries`
    candidates (an overdue run through a long snooze) gets its last candidate: a day never after its next
    reminder, so the sweep looks again then. A series with no reminder left (or none before the plan
    ends, `live_on`) is absent. `cands` and `known` (reminders_for_day of this task on some days) save
    working them out again; `units` keeps only those units' series.
    """
    if cands is None:
        cands = candidate_days(task, after, calendar=calendar, policy=policy, supervisors=supervisors,
                               units=units)
    cands, endless = {d: ks for d, ks in cands[0].items() if d >= after}, cands[1]
    if units is not None:  # only these units' series
        cands = {d: mine for d, ks in cands.items() if (mine := {k for k in ks if k[1] in units})}
    known = known or {}
    keys = {k for ks in cands.values() for k in ks}
    found: dict[SeriesKey, date] = {}
    misses: dict[SeriesKey, int] = {}
    last: dict[SeriesKey, date] = {}
    for day in sorted(cands):
        pending = [k for k in cands[day] if k not in found]
        if not pending:
            continue
        if not task.live_on(day, grace_days):
            return found  # the plan has ended by then: nothing later is owed
        said = known.get(day)
        if said is None:
            said = reminders_for_day([task], day, calendar=calendar, policy=policy, supervisors=supervisors)
        for r in said:
            found.setdefault(series_of(r), day)
        for k in pending:
            last[k] = day
            if k not in found:
                misses[k] = misses.get(k, 0) + 1
                if misses[k] >= tries:
                    found[k] = day  # not confirmed: a lower bound, looked at again when it comes
        if len(found) >= len(keys) and keys <= found.keys():
            break
    for k in endless:  # an endless run cut short while unconfirmed: look again at its last day generated
        if k not in found and k in last:
            found[k] = last[k]
    return found
