"""Tasks that share a shape get, id for id, what the policy gives each of them on its own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.config import Settings
from bot.deadlines import Recurrence
from bot.reminders import schedule
from bot.reminders.policy import DeadlineView, TaskView, next_days, reminders_for_day
from bot.workdays import WorkCalendar

SETTINGS = Settings()
CAL = WorkCalendar()
MONDAY = date(2021, 9, 13)
SUPERVISOR = 99


def views(starts: date | None = None) -> list[TaskView]:
    """Tasks in a few shapes whose deadlines are worded each its own way (text, label), with co-units,
    a recurring deadline, a done task and one reported on: every shape met more than once. `starts`: the
    day their plan came into duban (the same for a plan's tasks, so it must not keep them from sharing)."""
    out = []
    for i in range(1, 41):
        due = date(2021, 9, 15) + timedelta(days=7 * (i % 4))
        dls = [DeadlineView(1000 + i, due, f"第{i}项的时限写法{i}", "extracted", label="一期" if i % 3 else "")]
        if i % 5 == 0:
            dls.append(DeadlineView(2000 + i, None, f"每月{i % 28 + 1}号前报送", "extracted", kind="recurring",
                                    recurrence=Recurrence(freq="monthly", day=20)))
        out.append(TaskView(i, str(i), f"任务{i}", 2021, [i % 7 + 1], [i % 3 + 10] if i % 2 else [], dls,
                            done=i % 11 == 0, last_report=date(2021, 9, 1) if i % 13 == 0 else None,
                            period_end=2021, plan_id=1, office_id=1, starts=starts))
    return out


@pytest.mark.parametrize("starts", [None, date(2021, 9, 20)], ids=["no-start", "imported-mid-window"])
def test_shared_shapes_give_what_each_task_gets_alone(starts):
    tasks = views(starts)
    units = {u for v in tasks for u in (*v.lead, *v.co)} | {SUPERVISOR}
    kw = {"calendar": schedule.cached(CAL), "settings": SETTINGS, "supervisors": [SUPERVISOR]}
    memo, worked = schedule.work_out(tasks, MONDAY, MONDAY + timedelta(days=20), units=units,
                                     shared=schedule.Shared(), **kw)
    assert len(worked) < len(tasks) / 2 and any(memo.values())  # shapes shared, not each task worked out
    for day, said in memo.items():
        alone = reminders_for_day(tasks, day, calendar=CAL, policy=SETTINGS.reminders, supervisors=[SUPERVISOR])
        assert sorted(said, key=repr) == sorted(alone, key=repr), day
    rows = schedule.series_rows(tasks, MONDAY, units=units, worked=worked, shared=schedule.Shared(), **kw)
    each = [{"task_id": v.id, "deadline_id": d, "unit_id": u, "role": role, "kind": kind, "next_due": day,
             "swept_on": None}
            for v in tasks
            for (d, u, role, kind), day in next_days(v, MONDAY, calendar=CAL, policy=SETTINGS.reminders,
                                                    supervisors=[SUPERVISOR],
                                                    grace_days=SETTINGS.reminders.ended_plan_grace_days).items()]
    assert sorted(rows, key=repr) == sorted(each, key=repr) and rows
