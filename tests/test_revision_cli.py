"""`duban plan import` of a revision: renumbering shown as such, uncertain matches asked at a terminal."""

from __future__ import annotations

import io
import json
import sys

import pytest
from sqlmodel import select

from bot.services.reports import record_report
from storage.db import open_store, session_scope
from storage.models import ReportStatus, StatusReport, Task
from tests.conftest import SAMPLE
from tests.helpers import at

SEED = SAMPLE.read_text(encoding="utf-8")
ITEM_25 = SEED[SEED.index("25.守牢教育安全稳定底线"):SEED.index("26.常态化开展疫情防控工作")]


def store(tmp_path):
    return open_store(f"sqlite:///{tmp_path / 'duban.db'}")


def report_on(tmp_path, ref: str, note: str) -> None:
    eng = store(tmp_path)
    with session_scope(eng) as s:
        task = s.exec(select(Task).where(Task.ref == ref, Task.removed == False)).one()  # noqa: E712
        record_report(session=s, task=task, unit_id=None, status=ReportStatus.IN_PROGRESS, percent=None, note=note,
                      reporter="t", now=at(2021, 5, 1))
    eng.dispose()


def notes_by_title(tmp_path) -> dict[str, tuple[str, bool, list[str]]]:
    eng = store(tmp_path)
    with session_scope(eng) as s:
        out = {t.title: (t.ref, t.removed, [r.note for r in s.exec(
            select(StatusReport).where(StatusReport.task_id == t.id)).all()]) for t in s.exec(select(Task)).all()}
    eng.dispose()
    return out


def write(tmp_path, text: str):
    path = tmp_path / "revised.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_deleting_item_25_renumbers_26_and_leaves_the_reports(cli, tmp_path):
    assert cli("plan", "import", str(SAMPLE))[0] == 0
    report_on(tmp_path, "25", "完成隐患排查")
    revised = write(tmp_path, SEED.replace(ITEM_25, "").replace("26.常态化", "25.常态化"))
    code, out, _ = cli("plan", "diff", revised)
    assert "删除第25项：守牢教育安全稳定底线" in out and "原第26项 → 第25项：常态化开展疫情防控工作" in out
    diff = json.loads(cli("plan", "diff", revised, "--json")[1])
    assert diff["renumbered"] == [{"from": "26", "to": "25", "title": "常态化开展疫情防控工作"}]
    code, out, err = cli("plan", "import", revised)
    assert code == 0, err
    after = notes_by_title(tmp_path)
    assert after["守牢教育安全稳定底线"] == ("原25", True, ["完成隐患排查"])
    assert after["常态化开展疫情防控工作"] == ("25", False, [])


REWORDED = SEED.replace("25.守牢教育安全稳定底线", "25.守牢校园安全稳定底线").replace(
    "目标任务:健全完善安全维稳工作机制", "目标任务:建立校园安全风险清单,健全完善维稳机制")


def test_uncertain_match_is_refused_without_a_terminal_or_yes(cli, tmp_path):
    assert cli("plan", "import", str(SAMPLE))[0] == 0
    report_on(tmp_path, "25", "完成隐患排查")
    revised = write(tmp_path, REWORDED)
    diff = json.loads(cli("plan", "diff", revised, "--json")[1])
    assert [q["ref"] for q in diff["match_questions"]] == ["25"]
    code, out, err = cli("plan", "import", revised)
    assert code == 1 and "--yes" in err and len(err.strip().splitlines()) == 1
    assert notes_by_title(tmp_path)["守牢教育安全稳定底线"] == ("25", False, ["完成隐患排查"])
    code, out, err = cli("plan", "import", revised, "--yes")  # the best guess: it is 原第25项, reworded
    assert code == 0, err
    assert notes_by_title(tmp_path)["守牢校园安全稳定底线"] == ("25", False, ["完成隐患排查"])


class Terminal(io.StringIO):
    """What a person types at a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("typed", "same"), [("1\n", True), ("0\n", False)], ids=["same-task", "new-task"])
def test_terminal_asks_which_task(cli, tmp_path, monkeypatch, typed, same):
    assert cli("plan", "import", str(SAMPLE))[0] == 0
    report_on(tmp_path, "25", "完成隐患排查")
    revised = write(tmp_path, REWORDED)
    monkeypatch.setattr(sys, "stdin", Terminal(typed))
    code, out, err = cli("plan", "import", revised)
    assert code == 0, err
    assert "修订版第25项“守牢校园安全稳定底线”对应原计划哪一项？" in out and "0) 都不是，这是新增任务" in out
    after = notes_by_title(tmp_path)
    if same:
        assert after["守牢校园安全稳定底线"] == ("25", False, ["完成隐患排查"])
        assert "守牢教育安全稳定底线" not in after
    else:
        assert after["守牢校园安全稳定底线"] == ("25", False, [])
        assert after["守牢教育安全稳定底线"] == ("原25", True, ["完成隐患排查"])


def reworded(seed_path) -> str:
    return seed_path.read_text(encoding="utf-8").replace("25.守牢教育安全稳定底线", "25.守牢校园安全稳定底线").replace(
        "目标任务:健全完善安全维稳工作机制", "目标任务:建立校园安全风险清单,健全完善维稳机制")


@pytest.mark.parametrize(("label", "same"), [("第25项是原第25项", True), ("第25项是新增任务", False)])
async def test_chat_upload_asks_uncertain_matches_as_buttons(memory_engine, seed_path, label, same):
    from tests.chat_harness import Chat, button

    chat = Chat(memory_engine, seed_path)
    admin = {"user": "1", "chat": "1", "group": False}
    with session_scope(memory_engine) as s:
        task = s.exec(select(Task).where(Task.ref == "25")).one()
        record_report(session=s, task=task, unit_id=None, status=ReportStatus.IN_PROGRESS, percent=None,
                      note="完成隐患排查", reporter="t", now=chat.now)
    replies = await chat.send(**admin, file_name="修订.txt", file_bytes=reworded(seed_path).encode())
    asked = replies[0]
    assert "第25项“守牢校园安全稳定底线”可能是原第25项" in asked.text
    answered = await chat.tap(button([asked], label), **admin, message_id="5")
    assert "已确认的对应：" + label in answered[0].text
    done = await chat.tap(button(answered, "确认导入"), **admin, message_id="5")
    assert "已应用以上变化" in done[0].text
    with session_scope(memory_engine) as s:
        new = s.exec(select(Task).where(Task.title == "守牢校园安全稳定底线")).one()
        notes = [r.note for r in s.exec(select(StatusReport).where(StatusReport.task_id == new.id)).all()]
        assert notes == (["完成隐患排查"] if same else [])
