"""A revision's tasks are matched to the stored ones by what they say, not by their printed number."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.render.plan_text import diff_lines
from bot.services import deferrals
from bot.services.importer import NeedsMatchAnswers, apply_plan, diff_plan
from bot.services.reports import record_report, set_deadline
from bot.services.revision import Shape, likeness, match_tasks
from storage import repo
from storage.db import session_scope
from storage.models import Deferral, ReportStatus, StatusReport, Task
from tests.helpers import at

NOW = at(2021, 3, 1)
LATER = at(2021, 7, 1)

# (title, section, lead, co, measures): a plan of distinct tasks, as a real plan reads
TASKS = [
    ("深化教育领域综合改革", "一、改革", ["办公室"], ["人事股"], "推进县管校聘改革，完善教师退出机制。"),
    ("完善“五育并举”工作机制", "一、改革", ["基教股"], ["体卫艺股"], "开齐开足体育美育劳动教育课程。"),
    ("做好疫情防控常态化工作", "二、安全", ["安全办"], ["体卫艺股"], "落实晨午检和因病缺课追踪登记。"),
    ("守牢教育安全稳定底线", "二、安全", ["安全办"], ["信访办"], "开展校园安全隐患排查整治，化解矛盾纠纷。"),
    ("加强学校食堂食品安全管理", "二、安全", ["后勤股"], ["安全办"], "推行明厨亮灶，落实陪餐制度。"),
    ("推进义务教育优质均衡发展", "三、发展", ["基教股"], [], "新建扩建学校三所，消除大班额。"),
]


def task(ref: int, title: str, section: str, lead: list[str], co: list[str], measures: str) -> dict:
    return {"ref": str(ref), "section": section, "title": title, "objective": "", "measures": measures,
            "lead": lead, "co": co, "deadlines": [], "warnings": []}


def plan(rows: list[tuple]) -> dict:
    return {"plan": {"title": "2021年工作要点", "year": 2021}, "units": [], "warnings": [],
            "tasks": [task(i + 1, *row) for i, row in enumerate(rows)]}


def by_title(s) -> dict[str, Task]:
    return {t.title: t for t in s.exec(select(Task)).all()}


@pytest.fixture
def seeded(engine):
    """The plan, with a report, a deadline an admin set and a deferral on 守牢教育安全稳定底线 (第4项)."""
    with session_scope(engine) as s:
        apply_plan(session=s, parsed=plan(TASKS), now=NOW)
    with session_scope(engine) as s:
        t = by_title(s)["守牢教育安全稳定底线"]
        record_report(session=s, task=t, unit_id=None, status=ReportStatus.IN_PROGRESS, percent=40,
                      note="排查隐患12处", reporter="t", now=NOW)
        set_deadline(session=s, task=t, when=date(2021, 9, 30), label="排查完毕", now=NOW, actor="t")
        deferrals.request(session=s, task=t, unit_id=None, requested_by="t", now=NOW)
    return engine


def history(s, title: str) -> tuple[str, list[str], list[str], int]:
    """(ref, report notes, manual deadlines, deferrals) of the active task with that title."""
    t = next(t for t in by_title(s).values() if t.title == title and not t.removed)
    notes = [r.note for r in s.exec(select(StatusReport).where(StatusReport.task_id == t.id)).all()]
    manual = [d.label for d in repo.deadlines_for_task(session=s, task_id=t.id) if d.source == "manual"]
    n_def = len(s.exec(select(Deferral).where(Deferral.task_id == t.id)).all())
    return t.ref, notes, manual, n_def


def test_deletion_renumbers_and_history_stays_with_its_task(seeded):
    revised = plan(TASKS[:2] + TASKS[3:])  # 第3项 疫情防控 deleted: 守牢… is now 第3项
    with session_scope(seeded) as s:
        diff = diff_plan(session=s, parsed=revised)
        assert diff.removed == [("3", "做好疫情防控常态化工作")]
        assert diff.added == [] and diff.match_questions == []
        assert ("4", "3", "守牢教育安全稳定底线") in diff.renumbered
        text = diff_lines(diff)
        assert "原第4项 → 第3项" in text and "删除第3项：做好疫情防控常态化工作" in text
        s.rollback()
    with session_scope(seeded) as s:
        apply_plan(session=s, parsed=revised, now=LATER)
    with session_scope(seeded) as s:
        assert history(s, "守牢教育安全稳定底线") == ("3", ["排查隐患12处"], ["排查完毕"], 1)
        gone = by_title(s)["做好疫情防控常态化工作"]
        assert gone.removed and gone.ref == "原3"
        assert s.exec(select(StatusReport).where(StatusReport.task_id == gone.id)).all() == []


def test_insertion_shifts_numbers_without_moving_history(seeded):
    new_task = ("实施教师队伍素质提升工程", "一、改革", ["人事股"], [], "开展全员培训，培养骨干教师。")
    revised = plan(TASKS[:1] + [new_task] + TASKS[1:])
    with session_scope(seeded) as s:
        diff = diff_plan(session=s, parsed=revised)
        assert diff.added == [("2", "实施教师队伍素质提升工程")] and diff.removed == []
        assert sorted(diff.renumbered) == [(str(i), str(i + 1), TASKS[i - 1][0]) for i in range(2, 7)]
        s.rollback()
    with session_scope(seeded) as s:
        apply_plan(session=s, parsed=revised, now=LATER)
    with session_scope(seeded) as s:
        assert history(s, "守牢教育安全稳定底线") == ("5", ["排查隐患12处"], ["排查完毕"], 1)
        assert history(s, "实施教师队伍素质提升工程") == ("2", [], [], 0)


def test_reorder_swaps_numbers(seeded):
    rows = list(TASKS)
    rows[2], rows[3] = rows[3], rows[2]  # 守牢… moves up to 第3项, 疫情防控 down to 第4项
    with session_scope(seeded) as s:
        apply_plan(session=s, parsed=plan(rows), now=LATER)
    with session_scope(seeded) as s:
        assert history(s, "守牢教育安全稳定底线")[:2] == ("3", ["排查隐患12处"])
        assert history(s, "做好疫情防控常态化工作")[:2] == ("4", [])


def test_number_reused_by_another_task_is_not_that_task(seeded):
    """The reported bug: item 4 deleted and 疫情防控 renumbered onto 第4项 must not inherit 守牢…'s reports."""
    rows = [TASKS[0], TASKS[1], TASKS[4], TASKS[2], TASKS[5]]  # 守牢… deleted; 疫情防控 is now 第4项
    with session_scope(seeded) as s:
        apply_plan(session=s, parsed=plan(rows), now=LATER)
    with session_scope(seeded) as s:
        assert history(s, "做好疫情防控常态化工作")[:2] == ("4", [])
        kept = by_title(s)["守牢教育安全稳定底线"]
        assert kept.removed and kept.ref == "原4"


MERGED = ("守牢教育安全稳定底线，加强学校食堂食品安全管理", "二、安全", ["安全办"], ["后勤股", "信访办"],
          "开展校园安全隐患排查整治，化解矛盾纠纷。推行明厨亮灶，落实陪餐制度。")


def test_merge_asks_which_task_it_continues(seeded):
    revised = plan(TASKS[:3] + [MERGED] + TASKS[5:])
    with session_scope(seeded) as s:
        diff = diff_plan(session=s, parsed=revised)
        assert [q.ref for q in diff.match_questions] == ["4"]
        assert {r for r, _ in diff.match_questions[0].choices} == {"4", "5"}
        assert "？" in diff_lines(diff)
        with pytest.raises(NeedsMatchAnswers) as exc:
            apply_plan(session=s, parsed=revised, now=LATER)
        assert "--yes" in str(exc.value) and "\n" not in str(exc.value)
        s.rollback()
    with session_scope(seeded) as s:  # the person says: the merged task continues 原第5项
        apply_plan(session=s, parsed=revised, now=LATER, matches={"4": "5"})
    with session_scope(seeded) as s:
        merged = by_title(s)[MERGED[0]]
        assert merged.ref == "4" and not merged.removed
        assert s.exec(select(StatusReport).where(StatusReport.task_id == merged.id)).all() == []
        old = by_title(s)["守牢教育安全稳定底线"]
        assert old.removed and len(s.exec(select(StatusReport).where(StatusReport.task_id == old.id)).all()) == 1


def test_merge_best_guess_when_confirmed(seeded):
    revised = plan(TASKS[:3] + [MERGED] + TASKS[5:])
    with session_scope(seeded) as s:
        apply_plan(session=s, parsed=revised, now=LATER, confirmed=True)
    with session_scope(seeded) as s:
        merged = by_title(s)[MERGED[0]]
        # the best guess keeps the task whose number and owners it shares: 原第4项 with its report
        assert history(s, MERGED[0]) == ("4", ["排查隐患12处"], ["排查完毕"], 1)
        assert by_title(s)["加强学校食堂食品安全管理"].removed and merged.ref == "4"


def test_split_asks_and_one_half_keeps_the_history(seeded):
    halves = [("守牢教育安全稳定底线", "二、安全", ["安全办"], ["信访办"], "开展校园安全隐患排查整治。"),
              ("化解教育领域矛盾纠纷", "二、安全", ["信访办"], ["安全办"], "化解矛盾纠纷，及时回应群众诉求。")]
    revised = plan(TASKS[:3] + halves + TASKS[4:])
    with session_scope(seeded) as s:
        diff = diff_plan(session=s, parsed=revised)
        assert diff.added == [("5", "化解教育领域矛盾纠纷")]
        assert diff.removed == [] and ("5", "6", "加强学校食堂食品安全管理") in diff.renumbered
        s.rollback()
    with session_scope(seeded) as s:
        apply_plan(session=s, parsed=revised, now=LATER, confirmed=True)
    with session_scope(seeded) as s:
        assert history(s, "守牢教育安全稳定底线") == ("4", ["排查隐患12处"], ["排查完毕"], 1)
        assert history(s, "化解教育领域矛盾纠纷") == ("5", [], [], 0)


def test_an_answer_that_it_is_new_keeps_the_old_task_apart(seeded):
    reworded = ("守牢校园安全稳定底线", "二、安全", ["安全办"], ["信访办"], "开展校园安全隐患排查整治，建立风险清单。")
    revised = plan(TASKS[:3] + [reworded] + TASKS[4:])
    with session_scope(seeded) as s:
        diff = diff_plan(session=s, parsed=revised)
        assert [q.ref for q in diff.match_questions] == ["4"]
        s.rollback()
    with session_scope(seeded) as s:
        apply_plan(session=s, parsed=revised, now=LATER, matches={"4": ""})
    with session_scope(seeded) as s:
        assert history(s, "守牢校园安全稳定底线") == ("4", [], [], 0)
        assert by_title(s)["守牢教育安全稳定底线"].removed


def test_likeness_reads_content_not_numbers():
    a = Shape("4", "守牢教育安全稳定底线", "二、安全", frozenset({"安全办", "信访办"}), "开展校园安全隐患排查整治")
    b = Shape("3", "守牢教育安全稳定底线", "（二）安全", frozenset({"安全办", "信访办"}), "开展校园安全隐患排查整治")
    c = Shape("4", "做好疫情防控常态化工作", "二、安全", frozenset({"安全办"}), "落实晨午检")
    assert likeness(a, b) == 1.0  # a renumbered section is the same section
    assert likeness(a, c) < 0.6
    matching = match_tasks([b, c], [a])
    assert matching.pairs == {"3": "4"} and matching.questions == []
