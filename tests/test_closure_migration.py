"""Migration 0014 on a store written by the previous release (0010): history intact, done tasks closed, triggers kept."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, insert, inspect, text
from sqlmodel import select

from bot.services import closure
from bot.services.reports import record_report
from storage.db import make_engine, migrate, session_scope
from storage.models import ReportStatus, StatusReport, Task, TaskEvent
from tests.helpers import at
from tests.test_delivery_migration import upgrade_to
from tests.test_schedule_migration import _t

NOW = at(2021, 8, 23)


def _previous_release_store(engine) -> None:
    earlier = at(2021, 8, 10)
    with engine.begin() as conn:
        conn.execute(insert(_t("office", "id", "name", ts=("created_at",))), [{"id": 1, "name": "本单位",
                                                                               "created_at": earlier}])
        conn.execute(insert(_t("plan", "id", "office_id", "title", "year", "period_start", "period_end", "short_name",
                               "source_name", "content_hash", ts=("imported_at",), active=Boolean())),
                     [{"id": 1, "office_id": 1, "title": "2021年工作要点", "year": 2021, "period_start": 2021,
                       "period_end": 2021, "short_name": "工作要点", "source_name": "", "content_hash": "x",
                       "active": True, "imported_at": earlier}])
        conn.execute(insert(_t("unit", "id", "office_id", "name", "kind", ts=("created_at",))),
                     [{"id": 1, "office_id": 1, "name": "职教办", "kind": "unit", "created_at": earlier}])
        conn.execute(insert(_t("task", "id", "plan_id", "ref", "position", "title", "objective", "measures",
                               "last_status", ts=("created_at", "updated_at", "last_report_at"), removed=Boolean(),
                               done=Boolean(), last_percent=Integer())),
                     [{"id": i, "plan_id": 1, "ref": str(10 + i), "position": i, "title": f"任务{i}", "objective": "",
                       "measures": "", "removed": False, "created_at": earlier, "updated_at": earlier,
                       "last_report_at": at(2021, 8, 12) if i == 2 else None, "last_status": "done" if i == 2 else None,
                       "last_percent": 100 if i == 2 else None, "done": i == 2} for i in (1, 2)])
        conn.execute(insert(_t("taskunit", "task_id", "unit_id", "role", "position", "written_as")),
                     [{"task_id": t, "unit_id": 1, "role": "lead", "position": 0, "written_as": ""} for t in (1, 2)])
        conn.execute(insert(_t("statusreport", "task_id", "unit_id", "status", "percent", "note", "reporter",
                               ts=("created_at",))),
                     [{"task_id": 2, "unit_id": 1, "status": "done", "percent": 100, "note": "已办结", "reporter": "t",
                       "created_at": at(2021, 8, 12)}])


def test_upgrade_from_0010_keeps_history_and_closes_what_was_done(store_url):
    engine = make_engine(store_url)
    upgrade_to(engine, "0010")
    _previous_release_store(engine)
    migrate(engine)
    assert "ix_taskevent_task_at" in {i["name"] for i in inspect(engine).get_indexes("taskevent")}
    with session_scope(engine) as s:
        tasks = {t.id: t for t in s.exec(select(Task)).all()}
        assert [(t.done, t.review_pending, t.returns, t.closed_at) for t in (tasks[1], tasks[2])] == [
            (False, False, 0, None), (True, False, 0, at(2021, 8, 12))]
        assert [r.note for r in s.exec(select(StatusReport)).all()] == ["已办结"]
        # The migrated store runs the closing loop.
        record_report(session=s, task=tasks[1], unit_id=1, status=ReportStatus.DONE, percent=100, note="完成",
                      reporter="t", now=NOW, closure="review")
        closure.decide_pass(session=s, task=tasks[1], actor="cli", now=NOW)
    with session_scope(engine) as s:
        assert [e.kind for e in s.exec(select(TaskEvent).order_by(TaskEvent.id)).all()] == ["apply", "pass"]
        assert s.get(Task, 1).done
    # The task table was altered in place: 0009's triggers still count a change of wording.
    with engine.begin() as conn:
        before = conn.execute(text("SELECT n FROM storeversion WHERE name = 'structure'")).scalar_one()
        conn.execute(text("UPDATE task SET title = '任务一' WHERE id = 1"))
        assert conn.execute(text("SELECT n FROM storeversion WHERE name = 'structure'")).scalar_one() == before + 1
    engine.dispose()
