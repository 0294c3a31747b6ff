"""The ladder, stated once: which dates a task's deadlines fall due on, whom each countdown is for, which day
of it speaks, and which working day late brings a nudge or an escalation.

The day rules (policy.reminders_for_day) and the candidate days (candidates.candidate_days) both read the
ladder from here, so a rule changed here changes both.
"""

from __future__ import annotations

from datetime import date

from bot.config import ReminderSettings
from bot.reminders.model import DeadlineView, TaskView
from bot.workdays import WorkCalendar


def effective_deadlines(task: TaskView, policy: ReminderSettings) -> list[DeadlineView]:
    """The dated deadlines that drive reminders; the default policy fills in for a task without one."""
    manual = [d for d in task.deadlines if d.source == "manual" and d.date]
    if manual:  # an admin's date replaces what was read from the document
        return manual
    dated = [d for d in task.deadlines if d.kind == "once" and d.date]
    recurring = [d for d in task.deadlines if d.kind == "recurring" and d.recurrence]
    if dated or recurring:
        return dated + recurring
    if policy.default_deadline == "year_end":
        return [DeadlineView(None, date(task.year, 12, 31), "年底前（默认）", "default", certain=False)]
    return []


def needs_checkins(task: TaskView) -> bool:
    """Ongoing work and tasks without a stated date get a monthly progress check-in."""
    return not any(d.date and d.kind == "once" and d.source != "default" for d in task.deadlines) and not any(
        d.kind == "recurring" for d in task.deadlines
    )


def occurrences_of(d: DeadlineView, task: TaskView, until: date) -> list[date]:
    """A deadline's dates up to `until`: every one a recurring deadline has from the plan year's start, or from
    the day the task came into duban when later (board, overdue lists, reminders and escalation all read this)."""
    if d.kind == "recurring" and d.recurrence:
        first = date(task.year, 1, 1)
        if task.starts is not None and task.starts > first:
            first = task.starts
        return d.recurrence.occurrences(first, until)
    return [d.date] if d.date else []


def due_dates(d: DeadlineView, task: TaskView, day: date, calendar: WorkCalendar) -> list[date]:
    """The working days a deadline falls due on, in order: its date, or each period's date of a recurring one
    over the plan year (from the task's start in duban) and into `day`'s year (so year-end ladders reach
    January), each moved back to a working day. Each due date's overdue run ends at the next one; a report after
    the one before answers it."""
    raw = occurrences_of(d, task, date(max(task.year, day.year), 12, 31))
    return [calendar.previous_workday(r) for r in raw]


def countdowns(due: date, lead: list[int], co: list[int], calendar: WorkCalendar,
               policy: ReminderSettings) -> list[tuple[str, list[int], date]]:
    """(role, units, the day their ladder counts down to) for one due date: the lead's is the due date, the
    co-units' `co_lead_days` working days earlier, so their part reaches the lead in time."""
    out = []
    if lead:
        out.append(("lead", lead, due))
    if co:
        out.append(("co", co, calendar.add_workdays(due, -policy.co_lead_days)))
    return out


def rung(day: date, target: date, calendar: WorkCalendar, policy: ReminderSettings) -> tuple[str, int] | None:
    """The ladder's reminder on `day` counting down to `target`: ("due", 0) on the day itself, ("upcoming", n)
    when `day` is n working days before and n is a step of the ladder, else None."""
    if day > target:
        return None
    steps_left = calendar.workdays_between(day, target)
    if steps_left not in policy.ladder:
        return None
    return ("due" if steps_left == 0 else "upcoming"), steps_left


def rung_days(target: date, calendar: WorkCalendar, policy: ReminderSettings) -> list[date]:
    """Every day `rung` may speak on for `target`: each step of the ladder counted back from it."""
    return [calendar.add_workdays(target, -step) for step in policy.ladder]


def overdue_nudge(late: int, policy: ReminderSettings) -> int:
    """Which overdue nudge falls on the `late`th working day past due (1 = the first), or 0 for none.

    The first comes on the first working day late, the next after each gap of `overdue_backoff` (the last gap
    repeating), and none after the `overdue_max`th.
    """
    if late < 1:
        return 0
    gaps, day, n = policy.overdue_backoff, 1, 1
    for gap in gaps[:-1]:
        if day == late:
            break
        day, n = day + gap, n + 1
        if day > late:
            return 0
    if day != late:
        rest = late - day
        if rest % gaps[-1]:
            return 0
        n += rest // gaps[-1]
    return n if not policy.overdue_max or n <= policy.overdue_max else 0


def escalation_number(late: int, policy: ReminderSettings) -> int:
    """Which escalation falls on the `late`th working day past due (every `escalate_after`), or 0 for none."""
    every = policy.escalate_after
    if late < every or (late - every) % every:
        return 0
    n = (late - every) // every + 1
    return n if not policy.escalate_max or n <= policy.escalate_max else 0


def last_overdue_day(policy: ReminderSettings) -> int | None:
    """The last working day late anything (a nudge or an escalation) is sent on, or None when they never end."""
    if not policy.overdue_max or not policy.escalate_max:
        return None
    gaps = policy.overdue_backoff
    nudge = 1 + sum(gaps[min(i, len(gaps) - 1)] for i in range(policy.overdue_max - 1))
    return max(nudge, policy.escalate_after * policy.escalate_max)


def checkin_day(year: int, month: int, calendar: WorkCalendar, policy: ReminderSettings) -> date:
    """The month's check-in day: its `checkin_day`, moved back to a working day."""
    return calendar.previous_workday(date(year, month, policy.checkin_day))
