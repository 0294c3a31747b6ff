"""The persisted schedule follows every write that changes what a task is owed, and the sweep reads only it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event
from sqlmodel import select

from bot.config import Settings
from bot.services.binding import bind_directly
from bot.services.offices import close_plan
from bot.services.reports import record_report, set_deadline, snooze
from bot.services.tasks import require_task
from bot.workdays import OfficeHours, WorkCalendar
from jobs.sweep import sweep_due
from storage.db import session_scope
from storage.models import Outbox, Plan, ReminderSeries, ReportStatus, Task
from tests.helpers import at, load, plan, task

SETTINGS = Settings()
MONDAY = at(2021, 8, 23)


def sweep(engine, now):
    with session_scope(engine) as s:
        return sweep_due(session=s, now=now, settings=SETTINGS, calendar=WorkCalendar())


def series(engine, ref: str) -> dict[tuple, date | None]:
    with session_scope(engine) as s:
        t = s.exec(select(Task).where(Task.ref == ref)).one()
        rows = s.exec(select(ReminderSeries).where(ReminderSeries.task_id == t.id)).all()
        return {(r.kind, r.role, r.unit_id): r.next_due for r in rows}


def setup(engine) -> None:
    load(engine, plan(task("12", ["职教办"], ["人事股"], date(2021, 9, 1)), task("13", ["安全办"], [], date(2021, 10, 29)),
                      task("14", ["督导室"], [], date(2021, 12, 1))), MONDAY)
    with session_scope(engine) as s:
        for unit, address in (("职教办", "zjb"), ("人事股", "rsg"), ("安全办", "aqb"), ("督导室", "ddb")):
            bind_directly(session=s, unit_name=unit, platform="console", address=address, now=MONDAY, actor="t")


def test_import_leaves_stale_rows_the_sweep_works_out(engine):
    setup(engine)
    assert set(series(engine, "12")) == {("stale", "", None)}
    assert sweep(engine, MONDAY).written == 1  # 职教办: 7 working days before 09-01
    rows = series(engine, "12")
    kinds = {k for k, _r, _u in rows}
    assert kinds == {"ladder", "overdue", "escalation"}  # the lead's and co-unit's ladders, overdue, 督导室
    ladder = sorted(d for (k, role, _u), d in rows.items() if k == "ladder")
    assert ladder == [date(2021, 8, 23), date(2021, 8, 24)]  # the lead's step today; the co-unit's 3 before 08-27
    assert rows[next(k for k in rows if k[0] == "overdue")] == date(2021, 9, 2)
    # Task 13's October ladder is weeks away: its rows exist but are not read this week.
    assert min(series(engine, "13").values()) == date(2021, 10, 20)


def test_report_updates_task_state_and_schedule(engine):
    setup(engine)
    sweep(engine, MONDAY)
    with session_scope(engine) as s:
        t = require_task(session=s, ref="12")
        record_report(session=s, task=t, unit_id=None, status=ReportStatus.IN_PROGRESS, percent=40, note="",
                      reporter="t", now=MONDAY)
    assert set(series(engine, "12")) == {("stale", "", None)}
    with session_scope(engine) as s:
        t = require_task(session=s, ref="12")
        assert (t.last_status, t.last_percent, t.done) == ("in_progress", 40, False)
        record_report(session=s, task=t, unit_id=None, status=ReportStatus.DONE, percent=100, note="", reporter="t",
                      now=MONDAY)
    with session_scope(engine) as s:
        t = require_task(session=s, ref="12")
        assert (t.last_status, t.last_percent, t.done, t.last_report_at) == ("done", 100, True, MONDAY)
    sweep(engine, at(2021, 8, 24))
    assert series(engine, "12") == {}  # a done task has no series
    assert sweep(engine, at(2021, 9, 2)).written == 0  # no overdue nudge for it


def test_deadline_change_moves_the_series(engine):
    setup(engine)
    sweep(engine, MONDAY)
    with session_scope(engine) as s:
        set_deadline(session=s, task=require_task(session=s, ref="13"), when=date(2021, 8, 27), label="", now=MONDAY,
                     actor="t")
    assert sweep(engine, MONDAY.replace(hour=11)).written == 0  # 4 working days away: no step today
    lead = sorted(d for (k, role, _u), d in series(engine, "13").items() if k == "ladder")
    assert lead == [date(2021, 8, 24)]  # 3 working days before 08-27
    assert sweep(engine, at(2021, 8, 24)).written >= 1
    with session_scope(engine) as s:
        assert s.exec(select(Outbox).where(Outbox.recipient == "console:aqb")).first() is not None


def test_snooze_holds_the_units_reminders_of_the_day(engine):
    setup(engine)
    with session_scope(engine) as s:
        snooze(session=s, task=require_task(session=s, ref="12"), unit_id=_unit(s, "职教办"), now=MONDAY.replace(hour=8),
               calendar=WorkCalendar(), hours=OfficeHours.from_settings(SETTINGS))
    assert sweep(engine, MONDAY).written == 0  # 职教办's step today is held until tomorrow's office hours
    lead = [d for (k, role, _u), d in series(engine, "12").items() if k == "ladder" and role == "lead"]
    assert lead == [date(2021, 8, 27)]  # its next step: 3 working days before 09-01
    assert sweep(engine, at(2021, 8, 27)).written == 2  # the lead's step and the co-unit's due day


def test_revision_and_plan_close_drop_series(engine):
    setup(engine)
    sweep(engine, MONDAY)
    load(engine, plan(task("12", ["职教办"], ["人事股"], date(2021, 9, 1)), task("14", ["督导室"], [], date(2021, 12, 1))),
         MONDAY)
    sweep(engine, MONDAY.replace(hour=10))
    assert series(engine, "13") == {}  # removed by the revision
    with session_scope(engine) as s:
        close_plan(session=s, plan=s.exec(select(Plan)).one(), now=MONDAY, actor="t")
    sweep(engine, MONDAY.replace(hour=11))
    with session_scope(engine) as s:
        assert s.exec(select(ReminderSeries)).all() == []  # a closed plan has no due series
    assert sweep(engine, at(2021, 9, 1)).written == 0
    with session_scope(engine) as s:
        close_plan(session=s, plan=s.exec(select(Plan)).one(), now=MONDAY, actor="t", reopen=True)
    assert sweep(engine, at(2021, 9, 1, 10)).written == 1
    assert {k for k, _r, _u in series(engine, "12")} == {"ladder", "overdue", "escalation"}


def test_outbox_rows_of_a_batch_go_in_one_statement(engine):
    load(engine, plan(*[task(str(i), [f"单位{i}"], [], date(2021, 8, 23)) for i in range(1, 41)]), MONDAY)
    with session_scope(engine) as s:
        for i in range(1, 41):
            bind_directly(session=s, unit_name=f"单位{i}", platform="console", address=f"u{i}", now=MONDAY, actor="t")
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_a):
        if statement.lstrip().upper().startswith("INSERT INTO OUTBOX"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert sweep(engine, MONDAY).written == 40
        assert len(statements) == 1 and "ON CONFLICT" in statements[0].upper()
        assert sweep(engine, MONDAY.replace(hour=15)).written == 0  # swept today: not even read again
    finally:
        event.remove(engine, "before_cursor_execute", count)
    with session_scope(engine) as s:
        assert len(s.exec(select(Outbox)).all()) == 40
        assert all(t.last_report_at is None for t in s.exec(select(Task)).all())


def _unit(s, name: str) -> int:
    from storage import repo

    return repo.units_by_name(session=s)[name].id


def test_a_chat_bound_mid_day_gets_what_its_unit_is_owed_that_day(engine):
    load(engine, plan(task("12", ["职教办"], [], date(2021, 9, 1))), MONDAY)  # 7 working days ahead on Monday
    assert sweep(engine, MONDAY).undeliverable == ["职教办"]  # nobody bound yet: said, not dropped
    with session_scope(engine) as s:
        bind_directly(session=s, unit_name="职教办", platform="console", address="zjb", now=MONDAY, actor="t")
    assert sweep(engine, MONDAY.replace(hour=11)).written == 1  # the same day, once bound
    assert sweep(engine, MONDAY.replace(hour=14)).written == 0  # and only once
