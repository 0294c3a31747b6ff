"""The ladder stated once: the day rule and the candidate days read the same steps, so they cannot disagree."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.config import ReminderSettings
from bot.reminders.ladder import countdowns, due_dates, rung, rung_days
from bot.reminders.model import DeadlineView, TaskView
from bot.workdays import WorkCalendar

CAL = WorkCalendar()


@pytest.mark.parametrize("ladder", [[7, 3, 1, 0], [5, 0], [10, 2]])
def test_every_day_a_rung_speaks_on_is_one_of_its_candidate_days(ladder):
    policy = ReminderSettings(ladder=ladder)
    start = date(2021, 9, 1)
    for offset in range(60):
        target = CAL.previous_workday(start + timedelta(days=offset))
        candidates = set(rung_days(target, CAL, policy))
        spoken = {d for d in (target - timedelta(days=k) for k in range(25))
                  if CAL.is_workday(d) and rung(d, target, CAL, policy) is not None}
        assert spoken <= candidates
        assert spoken  # the due day itself, or the steps before it, always speak somewhere


def test_the_rung_names_the_day_due_and_the_steps_before_upcoming():
    policy = ReminderSettings(ladder=[3, 0])
    target = date(2021, 9, 15)  # a Wednesday
    assert rung(target, target, CAL, policy) == ("due", 0)
    assert rung(CAL.add_workdays(target, -3), target, CAL, policy) == ("upcoming", 3)
    assert rung(CAL.add_workdays(target, -2), target, CAL, policy) is None
    assert rung(target + timedelta(days=1), target, CAL, policy) is None


def test_co_units_count_down_to_an_earlier_day_than_the_lead():
    policy = ReminderSettings(co_lead_days=3)
    due = date(2021, 9, 15)
    assert countdowns(due, [1], [2], CAL, policy) == [("lead", [1], due), ("co", [2], CAL.add_workdays(due, -3))]
    assert countdowns(due, [], [2], CAL, policy) == [("co", [2], CAL.add_workdays(due, -3))]


def test_due_dates_fall_back_to_working_days():
    saturday = DeadlineView(1, date(2021, 8, 21), "8月21日前", "plan")
    task = TaskView(1, "1", "t", 2021, [1], [], [saturday])
    assert due_dates(saturday, task, date(2021, 8, 1), CAL) == [date(2021, 8, 20)]
