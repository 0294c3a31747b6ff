"""The store: migrations on both backends, tz-aware timestamps, one-transaction imports."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import inspect
from sqlmodel import select

from bot.reminders.views import load_task_views
from bot.services.errors import NotFound
from bot.services.importer import apply_plan, diff_plan
from bot.services.queries import task_detail, unit_overview, unit_tasks
from bot.services.reports import record_report
from storage.db import session_scope
from storage.models import AuditLog, Plan, ReportStatus, Task, TaskUnit, Unit
from tests.conftest import SH

NOW = datetime(2021, 3, 1, 9, 0, tzinfo=SH)


def parsed_plan(**changes) -> dict:
    tasks = [
        {
            "ref": "1",
            "section": "一、党建",
            "title": "深入学习",
            "objective": "学习目标",
            "measures": "学习措施，6月底前完成",
            "lead": ["秘书股"],
            "co": ["人事股", "进修学校"],
            "deadlines": [{"date": "2021-06-30", "text": "6月底前完成", "source": "extracted"}],
            "warnings": [],
        },
        {
            "ref": "2",
            "section": "一、党建",
            "title": "安全稳定",
            "objective": "守牢底线",
            "measures": "排查隐患",
            "lead": ["安全办"],
            "co": ["信访办", "教师进修学校"],
            "deadlines": [],
            "warnings": [],
        },
        {"ref": "3", "section": "二、保障", "title": "疫情防控", "objective": "", "measures": "", "lead": [], "co": [],
         "deadlines": [], "warnings": ["task 3: no responsible unit listed"]},
    ]
    for ref, fields in changes.items():
        for t in tasks:
            if t["ref"] == ref:
                t.update(fields)
    return {
        "plan": {"title": "县教育局2021年工作要点", "year": 2021},
        "tasks": [t for t in tasks if t.get("title")],
        "units": [{"name": "教师进修学校", "aliases": ["进修学校"]}],
        "warnings": ["task 3: no responsible unit listed"],
    }


def test_migrations_create_every_table(engine):
    names = set(inspect(engine).get_table_names())
    assert {"plan", "task", "unit", "unitalias", "taskunit", "deadline", "statusreport", "person",
            "chatidentity", "invite", "outbox", "auditlog", "alembic_version"} <= names


def test_import_then_query(engine):
    with session_scope(engine) as s:
        result = apply_plan(session=s, parsed=parsed_plan(), now=NOW, source_name="p.txt")
    assert (result.tasks, result.lead, result.co) == (3, 2, 4)
    assert result.merges == ["进修学校 → 教师进修学校"]
    with session_scope(engine) as s:
        units = {u.name: u.to_dict() for u in unit_overview(session=s)}
        assert units["教师进修学校"] == {"name": "教师进修学校", "aliases": ["进修学校"], "lead": 0, "co": 2}
        assert "进修学校" not in units
        owned = unit_tasks(session=s, unit="进修学校", role="co").to_dict()
        assert owned["unit"] == "教师进修学校" and [t["ref"] for t in owned["tasks"]] == ["1", "2"]
        rec = task_detail(session=s, ref="第1项").to_dict()
        assert rec["lead"] == ["秘书股"] and rec["co"] == ["人事股", "教师进修学校"]
        assert rec["deadlines"][0]["date"] == "2021-06-30"
        assert rec["plan"]["year"] == 2021
        plan = s.exec(select(Plan)).one()
        assert plan.imported_at.tzinfo is not None and plan.imported_at == NOW


def test_reimport_same_plan_changes_nothing(engine):
    with session_scope(engine) as s:
        apply_plan(session=s, parsed=parsed_plan(), now=NOW)
    with session_scope(engine) as s:
        before = (len(s.exec(select(Task)).all()), len(s.exec(select(AuditLog)).all()))
        result = apply_plan(session=s, parsed=parsed_plan(), now=NOW.replace(day=2))
        assert result.diff.empty
    with session_scope(engine) as s:
        assert (len(s.exec(select(Task)).all()), len(s.exec(select(AuditLog)).all())) == before
        assert s.exec(select(Plan)).one().imported_at == NOW


def test_revised_plan_diff_and_history(engine):
    with session_scope(engine) as s:
        apply_plan(session=s, parsed=parsed_plan(), now=NOW)
        task2 = s.exec(select(Task).where(Task.ref == "2")).one()
        record_report(session=s, task=task2, unit_id=None, status=ReportStatus.IN_PROGRESS, percent=None,
                      note="排查中", reporter="t", now=NOW)
    revised = parsed_plan(**{
        "1": {"deadlines": [{"date": "2021-09-30", "text": "9月底前完成", "source": "extracted"}],
              "co": ["人事股"]},
        "2": {"lead": ["安全办"], "co": ["信访办", "教师进修学校", "法宣股"]},
        "3": {"title": ""},
    })
    revised["tasks"].append({"ref": "4", "section": "二、保障", "title": "资金监管", "objective": "", "measures": "",
                             "lead": ["财务股"], "co": [], "deadlines": [], "warnings": []})
    with session_scope(engine) as s:
        diff = diff_plan(session=s, parsed=revised)
        assert diff.added == [("4", "资金监管")]
        assert diff.removed == [("3", "疫情防控")]
        assert ("2", "法宣股", "co") in diff.owners_gained
        assert ("1", "教师进修学校", "co") in diff.owners_lost
        assert diff.deadlines_moved[0][0] == "1" and "2021-09-30" in diff.deadlines_moved[0][2]
        s.rollback()
    with session_scope(engine) as s:
        apply_plan(session=s, parsed=revised, now=NOW.replace(month=4))
    with session_scope(engine) as s:
        rec = task_detail(session=s, ref="2").to_dict()
        assert rec["co"] == ["信访办", "教师进修学校", "法宣股"]
        assert rec["reports"][0]["note"] == "排查中"  # history of an unchanged task survives
        assert [d["date"] for d in task_detail(session=s, ref="1").to_dict()["deadlines"]] == ["2021-09-30"]
        with pytest.raises(NotFound):
            task_detail(session=s, ref="3").to_dict()
        assert len(s.exec(select(Plan)).all()) == 1


def test_failed_import_changes_nothing(engine):
    bad = parsed_plan()
    bad["tasks"][1]["deadlines"] = [{"date": "2021-02-30", "text": "2月30日", "source": "extracted"}]
    with pytest.raises(ValueError):
        with session_scope(engine) as s:
            apply_plan(session=s, parsed=bad, now=NOW)
    with session_scope(engine) as s:
        assert s.exec(select(Plan)).all() == []
        assert s.exec(select(Unit)).all() == []
        assert s.exec(select(TaskUnit)).all() == []


def test_unknown_unit_suggests(engine):
    with session_scope(engine) as s:
        apply_plan(session=s, parsed=parsed_plan(), now=NOW)
    with session_scope(engine) as s:
        with pytest.raises(NotFound) as err:
            unit_tasks(session=s, unit="安全股").to_dict()
        assert "你是不是要找" in str(err.value) and "安全办" in err.value.suggestions
        assert unit_tasks(session=s, unit="安全办公室").to_dict()["unit"] == "安全办"


def test_next_years_plan_runs_beside_the_old_one_which_ends_with_its_period(engine):
    with session_scope(engine) as s:
        apply_plan(session=s, parsed=parsed_plan(), now=NOW)
    newer = parsed_plan()
    newer["plan"] = {"title": "县教育局2022年工作要点", "year": 2022}
    with session_scope(engine) as s:
        result = apply_plan(session=s, parsed=newer, now=NOW.replace(year=2022))
        assert result.retired == []  # another plan never ends this one
    with session_scope(engine) as s:
        plans = {p.year: p.active for p in s.exec(select(Plan)).all()}
        assert plans == {2021: True, 2022: True}
        # A bare number means the office's newest annual plan; the unit owns tasks in both.
        assert task_detail(session=s, ref="1").to_dict()["plan"]["year"] == 2022
        assert len(s.exec(select(Task)).all()) == 6
        assert [t["ref"] for t in unit_tasks(session=s, unit="安全办").to_dict()["tasks"]] == ["2", "2"]
        views = {v.year: v for v in load_task_views(session=s, now=NOW, tz=SH)}
        assert views[2021].live_on(date(2022, 1, 20), 30) and not views[2021].live_on(date(2022, 2, 1), 30)


def test_revision_is_matched_by_title_not_by_year_alone(engine):
    with session_scope(engine) as s:
        apply_plan(session=s, parsed=parsed_plan(), now=NOW)
    revision = parsed_plan()
    revision["plan"]["title"] = "县教育局2021年工作要点（修订稿）"
    other = parsed_plan()
    other["plan"]["title"] = "县教育局2021年校园安全专项整治方案"
    with session_scope(engine) as s:
        assert diff_plan(session=s, parsed=revision).plan_id is not None
        assert diff_plan(session=s, parsed=other).plan_id is None
