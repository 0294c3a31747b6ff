"""Migration 0005 on a store at 0004 with tasks and reports: task state backfilled, nothing sent is sent again."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Boolean, Date, Integer, column, insert, inspect, table, text
from sqlmodel import select

from bot.config import Settings
from bot.workdays import WorkCalendar
from jobs.sweep import sweep_due
from storage.db import make_engine, migrate, session_scope
from storage.models import Outbox, ReminderSeries, Task
from storage.types import AwareDateTime
from tests.helpers import at
from tests.test_delivery_migration import downgrade_to, upgrade_to

NOW = at(2021, 8, 23)


def _t(name: str, *cols: str, ts: tuple[str, ...] = (), **typed):
    return table(name, *(column(c) for c in cols), *(column(c, AwareDateTime()) for c in ts),
                 *(column(c, t) for c, t in typed.items()))


def test_upgrade_from_0004_backfills_task_state_and_resends_nothing(store_url):
    engine = make_engine(store_url)
    upgrade_to(engine, "0004")
    earlier = at(2021, 8, 10)
    with engine.begin() as conn:
        conn.execute(insert(_t("office", "id", "name", ts=("created_at",))), [{"id": 1, "name": "本单位",
                                                                               "created_at": earlier}])
        conn.execute(insert(_t("plan", "id", "office_id", "title", "year", "period_start", "period_end", "short_name",
                               "source_name", "content_hash", ts=("imported_at",), active=Boolean())),
                     [{"id": 1, "office_id": 1, "title": "2021年工作要点", "year": 2021, "period_start": 2021,
                       "period_end": 2021, "short_name": "工作要点", "source_name": "", "content_hash": "x",
                       "active": True, "imported_at": earlier}])
        conn.execute(insert(_t("unit", "id", "office_id", "name", ts=("created_at",))),
                     [{"id": i, "office_id": 1, "name": n, "created_at": earlier}
                      for i, n in ((1, "职教办"), (2, "人事股"))])
        conn.execute(insert(_t("task", "id", "plan_id", "ref", "position", "title", "objective", "measures",
                               ts=("created_at", "updated_at"), removed=Boolean())),
                     [{"id": i, "plan_id": 1, "ref": str(10 + i), "position": i, "title": f"任务{i}", "objective": "",
                       "measures": "", "removed": False, "created_at": earlier, "updated_at": earlier} for i in (1, 2, 3)])
        conn.execute(insert(_t("taskunit", "task_id", "unit_id", "role", "position", "written_as")),
                     [{"task_id": t, "unit_id": u, "role": r, "position": 0, "written_as": ""}
                      for t, u, r in ((1, 1, "lead"), (1, 2, "co"), (2, 1, "lead"), (3, 1, "lead"), (3, 2, "co"))])
        conn.execute(insert(_t("deadline", "id", "task_id", "text", "label", "source", "kind", ts=("created_at",),
                               due_date=Date(), certain=Boolean(), confirmed=Boolean(), active=Boolean())),
                     [{"id": t, "task_id": t, "due_date": date(2021, 9, 1), "text": "9月1日前", "label": "",
                       "source": "extracted", "kind": "once", "certain": True, "confirmed": False, "active": True,
                       "created_at": earlier} for t in (1, 2, 3)])
        conn.execute(insert(_t("statusreport", "task_id", "unit_id", "status", "percent", "note", "reporter",
                               ts=("created_at",))), [
            {"task_id": 1, "unit_id": 2, "status": "done", "percent": 100, "note": "", "reporter": "t",
             "created_at": at(2021, 8, 11)},  # a co-unit's "done" is not the task's
            {"task_id": 1, "unit_id": 1, "status": "in_progress", "percent": 50, "note": "", "reporter": "t",
             "created_at": at(2021, 8, 12)},
            {"task_id": 2, "unit_id": 1, "status": "done", "percent": 100, "note": "", "reporter": "t",
             "created_at": at(2021, 8, 12)},
            {"task_id": 2, "unit_id": 1, "status": "note", "percent": None, "note": "照片", "reporter": "t",
             "created_at": at(2021, 8, 13)},
        ])
        conn.execute(insert(_t("chatidentity", "platform", "address", "user_id", "unit_id", ts=("created_at",),
                               is_group=Boolean(), active=Boolean())),
                     [{"platform": "console", "address": "zjb", "user_id": "", "unit_id": 1, "is_group": False,
                       "active": True, "created_at": earlier}])
        # Task 11's step this morning already went out before the upgrade.
        conn.execute(insert(_t("outbox", "key", "task_id", "deadline_id", "unit_id", "recipient", "kind", "occurrence",
                               "payload", "state", "error", ts=("created_at", "next_attempt_at", "sent_at"),
                               attempts=Integer(), parts_sent=Integer())),
                     [{"key": "1|1@2021-09-01|console:zjb|upcoming|2021-08-23", "task_id": 1, "deadline_id": 1,
                       "unit_id": 1, "recipient": "console:zjb", "kind": "upcoming", "occurrence": "2021-08-23",
                       "payload": "{}", "state": "sent", "error": "", "attempts": 1, "parts_sent": 0,
                       "created_at": NOW, "next_attempt_at": NOW, "sent_at": NOW}])
    migrate(engine)
    with session_scope(engine) as s:
        state = {t.id: (t.last_status, t.last_percent, t.done, t.last_report_at) for t in s.exec(select(Task)).all()}
        assert state == {1: ("in_progress", 50, False, at(2021, 8, 12)), 2: ("done", 100, True, at(2021, 8, 13)),
                         3: (None, None, False, None)}
        assert sorted(r.task_id for r in s.exec(select(ReminderSeries)).all()) == [1, 2, 3]  # stale, to work out
    with session_scope(engine) as s:
        result = sweep_due(session=s, now=NOW.replace(hour=10), settings=Settings(), calendar=WorkCalendar())
    with session_scope(engine) as s:
        rows = s.exec(select(Outbox).order_by(Outbox.id)).all()
        # Task 11 was sent already and task 12 is done: only task 13's step is new.
        assert result.written == 1 and [(r.task_id, r.state) for r in rows] == [(1, "sent"), (3, "pending")]
        assert not any(r.task_id == 2 for r in s.exec(select(ReminderSeries)).all())
    engine.dispose()


def _series(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT id, task_id, deadline_id, unit_id, role, kind, next_due, swept_on FROM reminderseries ORDER BY id"))]


def test_upgrade_from_0007_drops_the_series_keys_and_keeps_the_schedule(store_url):
    from tests.test_schedule_restart import sweep, world

    engine = make_engine(store_url)
    # Today's code writes the world and its schedule (its models know columns added after 0007, such as 0014's on
    # the task); going down to 0007 then leaves the schema that release had, with the series it wrote in it.
    migrate(engine)
    world(engine)
    cal, morning = WorkCalendar(), at(2021, 8, 23).replace(hour=10)
    sent = sweep(engine, morning, cal)
    downgrade_to(engine, "0007")
    assert sent and inspect(engine).get_foreign_keys("reminderseries")
    before = _series(engine)
    migrate(engine)
    assert inspect(engine).get_foreign_keys("reminderseries") == []
    assert {i["name"] for i in inspect(engine).get_indexes("reminderseries")} >= {
        "ix_reminderseries_task_id", "ix_reminderseries_due_unit"}
    assert _series(engine) == before  # the same rows, ids and days: nothing worked out again
    assert sweep(engine, morning + timedelta(minutes=10), cal) == set()  # nothing sent again
    assert sweep(engine, at(2021, 8, 24).replace(hour=10), cal)  # and the next day goes on
    engine.dispose()
