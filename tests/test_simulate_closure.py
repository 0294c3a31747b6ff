"""`duban simulate --script`: 已完成 → 申请办结 → 退回 → 推进中 → 申请办结 → 通过 → 已销号 over a year, reminders
paused, resumed and ended on the right days."""

from __future__ import annotations

from datetime import date

import pytest

from bot.config import Settings
from bot.services.errors import UserError
from jobs.simulate import simulate, timeline
from jobs.simulate_script import parse_script
from tests.helpers import plan, task

pytestmark = pytest.mark.review

SCRIPT = """# 职教办 leads 1 (due 9-30); 2 runs alongside with nobody reporting
2021-09-15 1 已完成 实训基地已建成
2021-09-24 1 退回 缺少验收报告
2021-09-28 1 已完成 验收报告已补充
2021-09-29 1 通过
"""


def _run(script: str | None, closure: str = "review"):
    parsed = plan(task("1", ["职教办"], deadline=date(2021, 9, 30)), task("2", ["人事股"], deadline=date(2021, 9, 30)))
    settings = Settings(supervision={"closure": closure})
    return simulate(parsed, start=date(2021, 9, 1), end=date(2021, 12, 31), settings=settings,
                    script=parse_script(script) if script else None)


def _days(result, ref: str) -> list[str]:
    return [e["at"][:10] for e in result["reminders"] if e.get("task") == ref and e["kind"] not in ("event", "weekly")]


def test_the_loop_pauses_resumes_and_ends_reminders():
    quiet, scripted = _run(None), _run(SCRIPT)
    events = [(e["at"][:10], e["event"]) for e in scripted["reminders"] if e["kind"] == "event"]
    assert events == [("2021-09-15", "apply"), ("2021-09-24", "return"), ("2021-09-28", "apply"),
                      ("2021-09-29", "pass")]
    before, after = _days(quiet, "1"), _days(scripted, "1")
    assert _days(quiet, "2") == _days(scripted, "2") == before  # the other task is untouched
    paused = [d for d in before if "2021-09-15" <= d < "2021-09-24"]  # the 7-working-day step (9-22)
    assert paused and not [d for d in after if "2021-09-15" <= d < "2021-09-24"]  # paused while under review
    assert [d for d in after if "2021-09-24" <= d < "2021-09-28"] == [
        d for d in before if "2021-09-24" <= d < "2021-09-28"] != []  # resumed once returned (9-27)
    assert not [d for d in after if d >= "2021-09-28"] and [d for d in before if d > "2021-09-30"]  # ended
    text = timeline(scripted)
    assert "[申请办结（暂停提醒）] 第1项" in text and "[退回·推进中（恢复提醒）] 第1项" in text
    assert "[通过·已销号（提醒结束）] 第1项" in text


def test_self_closure_closes_on_the_first_done():
    result = _run("2021-09-10 1 已完成\n", closure="self")
    assert [e["event"] for e in result["reminders"] if e["kind"] == "event"] == ["done"]
    assert not [d for d in _days(result, "1") if d >= "2021-09-10"]


def test_a_bad_script_line_is_named():
    with pytest.raises(UserError, match="第2行"):
        parse_script("2021-09-10 1 已完成\n9月10日 1 已完成\n")
    with pytest.raises(UserError, match="没有待审核的办结申请"):
        _run("2021-09-10 1 通过\n")
