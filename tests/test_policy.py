"""The reminder policy as a pure function of dates: ladders, holidays, overdue, escalation, digests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from bot.config import ReminderSettings
from bot.deadlines import Recurrence
from bot.reminders.policy import DeadlineView, TaskView, next_days, reminders_for_day, reminders_on
from bot.workdays import WorkCalendar

CAL = WorkCalendar()
POLICY = ReminderSettings()
SUPERVISOR = 99


def view(tid: int, due: date | None, lead=(1,), co=(), **kw) -> TaskView:
    dls = [DeadlineView(tid * 10, due, "测试时限", "extracted")] if due else []
    return TaskView(tid, str(tid), f"任务{tid}", 2021, list(lead), list(co), dls, **kw)


def days_with(tasks, start: date, end: date, **kw) -> dict[date, list]:
    out, d = {}, start
    while d <= end:
        rs = reminders_for_day(tasks, d, calendar=CAL, policy=kw.get("policy", POLICY), supervisors=[SUPERVISOR])
        if rs:
            out[d] = rs
        d += timedelta(days=1)
    return out


def test_lead_ladder_counts_working_days_and_skips_weekends():
    # 2021-09-01 is a Wednesday: 7/3/1/0 working days before are 08-23, 08-27, 08-31, 09-01.
    got = days_with([view(1, date(2021, 9, 1))], date(2021, 8, 1), date(2021, 9, 1))
    lead = {d: [r.kind for r in rs if r.role == "lead"] for d, rs in got.items()}
    assert {d: k for d, k in lead.items() if k} == {
        date(2021, 8, 23): ["upcoming"], date(2021, 8, 27): ["upcoming"],
        date(2021, 8, 31): ["upcoming"], date(2021, 9, 1): ["due"],
    }


def test_co_units_are_asked_earlier_to_feed_the_lead():
    got = days_with([view(1, date(2021, 9, 1), co=(2,))], date(2021, 8, 1), date(2021, 9, 1))
    co_days = sorted(d for d, rs in got.items() if any(r.role == "co" for r in rs))
    # The co-units' internal date is 3 working days earlier: 2021-08-27.
    assert co_days[-1] == date(2021, 8, 27)
    assert all(r.deadline == date(2021, 8, 27) for rs in got.values() for r in rs if r.role == "co")


def test_deadline_in_national_day_break_counts_back_and_make_up_saturday_works():
    # 2021-10-03 is inside the National Day break: due on 09-30; the make-up Saturday 10-09 is a working day.
    got = days_with([view(1, date(2021, 10, 3))], date(2021, 9, 1), date(2021, 10, 20))
    assert [r.kind for r in got[date(2021, 9, 30)]] == ["due"]
    assert date(2021, 10, 4) not in got  # holiday: nothing goes out
    overdue = sorted(d for d, rs in got.items() if any(r.kind == "overdue" for r in rs))
    # 1st overdue working day is 10-08, the next 2 working days on: 10-11, because the make-up Saturday 10-09
    # counts (without it the 2nd would be 10-12); then 2 more, 10-13.
    assert overdue[:3] == [date(2021, 10, 8), date(2021, 10, 11), date(2021, 10, 13)]
    assert not any(d.weekday() == 6 or (d.weekday() == 5 and d != date(2021, 10, 9)) for d in got)


def test_escalation_after_five_overdue_working_days_goes_to_the_supervisor():
    got = days_with([view(1, date(2021, 6, 1))], date(2021, 6, 2), date(2021, 6, 30))
    esc = [(d, r) for d, rs in got.items() for r in rs if r.kind == "escalation"]
    assert esc[0][0] == CAL.add_workdays(date(2021, 6, 1), 5)
    assert all(r.unit_id == SUPERVISOR and r.role == "supervisor" for _, r in esc)


def test_done_task_and_task_without_owner_get_nothing():
    tasks = [view(1, date(2021, 9, 1), done=True), view(2, date(2021, 9, 1), lead=())]
    assert days_with(tasks, date(2021, 8, 1), date(2021, 12, 31)) == {}


def test_task_without_date_gets_year_end_and_monthly_checkins():
    got = days_with([view(1, None)], date(2021, 1, 1), date(2021, 12, 31))
    checkins = sorted(d for d, rs in got.items() if any(r.kind == "checkin" for r in rs))
    assert len(checkins) == 12 and all(CAL.is_workday(d) and d.day <= 25 for d in checkins)
    assert date(2021, 12, 31) in got and got[date(2021, 12, 31)][0].kind == "due"


def test_recurring_deadline_answered_by_a_report_stops_its_overdue_nudges():
    rec = DeadlineView(7, date(2021, 1, 25), "每月25日前报送", "extracted", "recurring", Recurrence("monthly", 25))
    silent = TaskView(1, "1", "月报", 2021, [1], [], [rec])
    answered = TaskView(1, "1", "月报", 2021, [1], [], [rec], last_report=date(2021, 3, 26))
    d = date(2021, 3, 30)  # the 2nd overdue nudge after March 25th's due date (3 working days late)
    assert [r.kind for r in reminders_for_day([silent], d, calendar=CAL, policy=POLICY, supervisors=[])] == ["overdue"]
    assert reminders_for_day([answered], d, calendar=CAL, policy=POLICY, supervisors=[]) == []


def test_busy_week_becomes_one_digest_on_its_first_working_day():
    tasks = [view(i, date(2021, 9, 3)) for i in (1, 2, 3)]  # three tasks for unit 1, all due Friday
    monday = reminders_on(tasks, date(2021, 8, 30), calendar=CAL, policy=POLICY, supervisors=[])
    assert [r.kind for r in monday] == ["digest"] and len(monday[0].items) == 3
    wednesday = reminders_on(tasks, date(2021, 9, 1), calendar=CAL, policy=POLICY, supervisors=[])
    assert wednesday == []  # the week's upcoming pings were folded into Monday's digest
    friday = reminders_on(tasks, date(2021, 9, 3), calendar=CAL, policy=POLICY, supervisors=[])
    assert [r.kind for r in friday] == ["digest"]  # three "due" on one day: one message
    assert {i.kind for i in friday[0].items} == {"due"}


def test_2027_without_override_falls_back_loudly():
    cal = WorkCalendar()
    rs = reminders_for_day([view(1, date(2027, 3, 5))], date(2027, 3, 5), calendar=cal, policy=POLICY, supervisors=[])
    assert [r.kind for r in rs] == ["due"]
    assert any("2027" in w for w in cal.warnings)


def test_overdue_nudges_back_off_then_stop_and_escalations_end_too():
    # Due Wednesday 2021-06-30; defaults: nudges after 2, 2, 5, 5… working days, six at most; escalations every
    # 5 working days, three at most. Over the rest of the year nothing else is sent.
    due = date(2021, 6, 30)
    got = days_with([view(1, due)], date(2021, 7, 1), date(2021, 12, 31))
    late = {d: CAL.workdays_between(due, d) for d in got}
    nudges = [late[d] for d, rs in sorted(got.items()) if any(r.kind == "overdue" for r in rs)]
    escalations = [late[d] for d, rs in sorted(got.items()) if any(r.kind == "escalation" for r in rs)]
    assert nudges == [1, 3, 5, 10, 15, 20]
    assert escalations == [5, 10, 15]
    finals = [(r.kind, late[d]) for d, rs in got.items() for r in rs if r.final]
    assert sorted(finals) == [("escalation", 15), ("overdue", 20)]


def test_overdue_policy_is_configurable_and_reads_the_older_key():
    never_stop = ReminderSettings(overdue_backoff=[3], overdue_max=0, escalate_max=0)
    due = date(2021, 3, 1)
    got = days_with([view(1, due)], date(2021, 3, 2), date(2021, 12, 31), policy=never_stop)
    nudges = [CAL.workdays_between(due, d) for d, rs in sorted(got.items()) if any(r.kind == "overdue" for r in rs)]
    assert nudges[:4] == [1, 4, 7, 10] and len(nudges) > 50  # every 3 working days, to the year's end
    older = ReminderSettings.model_validate({"overdue_every": 4})
    assert older.overdue_backoff == [4]
    with pytest.raises(ValidationError, match="逾期提醒间隔"):
        ReminderSettings(overdue_backoff=[0])


def test_the_ended_overdue_run_leaves_no_series_in_the_schedule():
    due = date(2021, 6, 30)
    task = view(1, due)
    kw = {"calendar": CAL, "policy": POLICY, "supervisors": [SUPERVISOR], "grace_days": 30}
    assert next_days(task, date(2021, 7, 1), **kw)  # nudges and escalations to come
    assert next_days(task, date(2021, 8, 2), **kw) == {}  # the run ended on 07-28 (20 working days late)
