"""A meeting's minutes (会议纪要) imported as 会议议定 items through the plans' reader: `plan import --as-items`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document

MINUTES = Path(__file__).parent / "fixtures" / "minutes" / "jiwu_2021_09.txt"
NOW = "2021-09-07T10:00+08:00"
EXPECTED = [
    ("会议1", "校舍安全隐患排查", ["安全办"], ["基教股", "财务股"], "2021-09-30"),
    ("会议2", "课后服务全覆盖", ["基教股"], ["财务股"], "2021-10-15"),
    ("会议3", "教师招聘补录", ["人事股"], [], "2021-10-31"),
    ("会议4", "学生资助资金发放", ["资助中心"], ["财务股"], "2021-11-10"),
    ("会议5", "校园食品安全专项检查", ["营养办"], ["安全办"], "2021-09-30"),
    ("会议6", "教育信访积案化解", ["信访办"], ["法宣股"], "2021-12-31"),
    ("会议7", "教研室送教下乡", ["教研室"], ["教师进修学校"], "2021-11-30"),
    ("会议8", "电教设备维护", ["电教馆"], ["仪器站"], "2021-10-20"),
]


@pytest.fixture
def store(cli, seed_path):
    assert cli("plan", "import", str(seed_path), "--now", NOW)[0] == 0
    return cli


def _docx(path: Path, text: str) -> Path:
    doc = Document()
    for line in text.splitlines():
        doc.add_paragraph(line)
    doc.save(str(path))
    return path


def _listed(store) -> list[tuple]:
    rows = json.loads(store("tasks", "--source", "会议议定", "--json")[1])
    return [(r["ref"], r["title"], r["lead"], r["co"], r["due"]) for r in rows]


@pytest.mark.parametrize("kind", ["txt", "docx"])
def test_minutes_import_as_items_once(store, tmp_path, kind):
    path = MINUTES if kind == "txt" else _docx(tmp_path / "纪要.docx", MINUTES.read_text(encoding="utf-8"))
    code, out, err = store("plan", "import", str(path), "--as-items", "--now", NOW)
    assert code == 0, err
    assert f"从 {path.name} 导入会议议定事项 8 项" in out and "会议1 校舍安全隐患排查" in out
    assert _listed(store) == EXPECTED
    rec = json.loads(store("task", "会议1", "--json")[1])
    assert rec["item"]["source"] == "会议议定" and "建立问题清单" in rec["item"]["instruction"]
    # Imported again: nothing new.
    code, out, _ = store("plan", "import", str(path), "--as-items", "--now", NOW)
    assert code == 0 and "导入会议议定事项 0 项" in out and "跳过 8 项" in out.replace("\n", "")
    assert len(_listed(store)) == 8
    # The plan itself is untouched: its 26 tasks and main plan stay what a bare number means.
    assert json.loads(store("task", "1", "--json")[1])["plan"]["title"].startswith("县委教育工委")


def test_minutes_with_an_unknown_unit_create_nothing(store, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text(MINUTES.read_text(encoding="utf-8").replace("牵头单位：电教馆", "牵头单位：宣传部"), encoding="utf-8")
    code, _, err = store("plan", "import", str(bad), "--as-items", "--now", NOW)
    assert code == 1 and "“宣传部”不是本办公室的单位，未创建任何督办事项" in err and err.count("\n") == 1
    assert _listed(store) == []


def test_minutes_read_after_a_date_passed_create_nothing(store):
    code, _, err = store("plan", "import", str(MINUTES), "--as-items", "--now", "2021-10-16T10:00+08:00")
    assert code == 1 and "议定事项1（校舍安全隐患排查）：办理时限 2021-09-30 已经过去" in err
    assert _listed(store) == []
