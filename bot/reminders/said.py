"""What a unit has said about a task, and what that settles of its reminders: the rule, stated once.

A unit's word on a task is its newest report, from any of its members in any of its chats (one person reports,
the unit has answered). A reminder's period is the time since the task's due date before the one it is about
(recurring occurrences too), or since 1 January of the plan year for its first. Then:

- a co-unit's countdown (报送配合情况 to the lead by its date) is settled by that co-unit's report in its period
  within `report_fresh_days` of the day: it is not sent;
- a lead's monthly check-in (进展填报) is settled by any owner's report within `report_fresh_days`, and a recurring
  occurrence by any report since the occurrence before (policy.reminders_for_day);
- anything else (a lead's countdown to a date that still stands, an overdue nudge) is sent, and where the unit
  has said something in the period it shows that newest line ("本单位已于12月3日反馈：推进中 60%，…") and asks
  for what is new, never as if nothing was said (`word_for`, worded by bot.render.reminder_text);
- escalations go to supervisors about the lead units and no report settles them.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.config import ReminderSettings
from bot.reminders.ladder import effective_deadlines
from bot.reminders.model import TaskView


def period_start(task: TaskView, due: date, policy: ReminderSettings) -> date:
    """The first day of the reminder period of `due`: the day after the task's latest due date before it (its
    recurring occurrences included), else 1 January of the plan year."""
    earlier: list[date] = []
    for d in effective_deadlines(task, policy):
        if d.kind == "recurring" and d.recurrence:
            earlier += d.recurrence.occurrences(date(task.year, 1, 1), due)
        elif d.date:
            earlier.append(d.date)
    earlier = [x for x in earlier if x < due]
    return max(earlier) + timedelta(days=1) if earlier else date(task.year, 1, 1)


def co_settled(task: TaskView, unit: int, due: date, day: date, policy: ReminderSettings) -> bool:
    """Whether co-unit `unit` already sent its part for `due`: it reported in the period, recently."""
    said = task.said.get(unit)
    return (said is not None and said >= period_start(task, due, policy)
            and (day - said).days < policy.report_fresh_days)


def word_for(said_on: date | None, due: date | None, day: date, task: TaskView, policy: ReminderSettings) -> bool:
    """Whether a reminder about `due` (its day `day`) shows the unit's report of `said_on`: one in its period."""
    if said_on is None or said_on > day:
        return False
    return said_on >= period_start(task, due or day, policy)
