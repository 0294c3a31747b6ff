"""The schedule-driven sweep sends what the policy over every task would, day by day and after downtime."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import select

from bot.config import Settings
from bot.notify import Recipient
from bot.reminders.policy import reminders_on
from bot.reminders.views import load_task_views, unit_ids
from bot.services.binding import bind_directly
from bot.workdays import WorkCalendar
from jobs.sweep import coalesce, days_to_sweep, reminder_key, sweep_due
from storage.db import session_scope
from storage.models import Outbox
from tests.helpers import at, load, plan, task

SETTINGS = Settings()
UNITS = ["甲", "乙", "丙", "督导室"]


def monthly(ref: str, lead: list[str]) -> dict:
    t = task(ref, lead, [])
    t["deadlines"] = [{"date": "2021-01-25", "text": "每月25日前报送", "source": "extracted", "certain": True,
                       "kind": "recurring", "recurrence": {"freq": "monthly", "day": 25}}]
    return t


def world(engine) -> None:
    tasks = [task(str(i), ["甲"], ["乙"] if i % 2 else [], date(2021, 8, 20) + timedelta(days=3 * i)) for i in range(1, 9)]
    tasks += [task("20", ["乙"], ["丙"], date(2021, 9, 3)), task("21", ["丙"], [], date(2021, 8, 2)),
              task("22", ["丙"], [], None), monthly("23", ["乙"]), task("24", ["督导室"], [], date(2021, 12, 20))]
    load(engine, plan(*tasks), at(2021, 8, 2))
    with session_scope(engine) as s:
        for u in UNITS:
            bind_directly(session=s, unit_name=u, platform="console", address=u, now=at(2021, 8, 2), actor="t")


def expected(engine, now: datetime, last: date | None, cal: WorkCalendar) -> set[str]:
    """The keys the policy over every task (the engine before the schedule) writes at `now`."""
    today = now.date()
    with session_scope(engine) as s:
        tasks = [t for t in load_task_views(session=s, now=now, tz=SETTINGS.app.tz)
                 if t.live_on(today, SETTINGS.reminders.ended_plan_grace_days)]
        sup = unit_ids(session=s, names=SETTINGS.reminders.supervisors)
        names = {u: n for n, u in ((n, unit_ids(session=s, names=[n])[0]) for n in UNITS)}
    memo: dict = {}
    per_day = {d: reminders_on(tasks, d, calendar=cal, policy=SETTINGS.reminders, supervisors=sup, memo=memo)
               for d in days_to_sweep(last, today, cal)}
    return {reminder_key(r, Recipient("console", names[r.unit_id])) for r in coalesce(per_day)}


def sweep(engine, now, cal) -> set[str]:
    with session_scope(engine) as s:
        before = {o.key for o in s.exec(select(Outbox)).all()}
        sweep_due(session=s, now=now, settings=SETTINGS, calendar=cal)
    with session_scope(engine) as s:
        return {o.key for o in s.exec(select(Outbox)).all()} - before


def test_daily_sweeps_match_the_policy_over_every_task(engine):
    world(engine)
    cal = WorkCalendar()
    day, last, sent = date(2021, 8, 2), None, 0
    while day <= date(2021, 9, 30):
        if cal.is_workday(day):
            now = datetime.combine(day, datetime.min.time().replace(hour=9, minute=30), SETTINGS.app.tz)
            want = expected(engine, now, last, cal)
            with session_scope(engine) as s:
                want -= {o.key for o in s.exec(select(Outbox)).all()}
            assert sweep(engine, now, cal) == want, day
            assert sweep(engine, now.replace(hour=14), cal) == set()  # a second sweep that day writes nothing
            last, sent = day, sent + len(want)
        day += timedelta(days=1)
    assert sent > 40


def test_restart_after_two_weeks_down_carries_each_owed_reminder_once(engine):
    world(engine)
    cal = WorkCalendar()
    first = at(2021, 8, 16)
    assert sweep(engine, first, cal)
    back = at(2021, 8, 30)  # down for two weeks
    want = expected(engine, back, first.date(), cal)
    with session_scope(engine) as s:
        want -= {o.key for o in s.exec(select(Outbox)).all()}
    got = sweep(engine, back, cal)
    assert got == want and len(got) >= 4
    # Each owed series once: the newest of its missed reminders (a unit's digests fold into its newest one).
    per_series = {k.split("|")[0] + k.split("|")[1] + k.split("|")[2] for k in got if "|digest|" not in k}
    assert len(per_series) == len([k for k in got if "|digest|" not in k])
    assert sweep(engine, back.replace(hour=15), cal) == set()
    assert sweep(engine, at(2021, 8, 31), cal) == expected(engine, at(2021, 8, 31), back.date(), cal) - got
