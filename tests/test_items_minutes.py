"""A meeting's minutes (会议纪要) imported as 会议议定 items through the plans' reader: `plan import --as-items`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

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


# --- the diff, the review sheet, and another office's minutes -------------------------------------------------
WEIJIAN = Path(__file__).parent / "fixtures" / "minutes"


def test_a_changed_date_shows_as_changed_and_moves_only_that_item(store, tmp_path):
    assert store("plan", "import", str(MINUTES), "--as-items", "--yes", "--now", NOW)[0] == 0
    moved = tmp_path / "纪要修订.txt"
    moved.write_text(MINUTES.read_text(encoding="utf-8").replace("9月30日前完成全县", "10月8日前完成全县"),
                     encoding="utf-8")
    code, out, err = store("plan", "import", str(moved), "--as-items", "--now", NOW)
    flat = out.replace("\n", "")
    assert code == 0, err
    assert "有变化 1 项：  1. 会议1 校舍安全隐患排查：时限 2021-09-30 → 2021-10-08" in flat
    assert "已导入过、不变 7 项" in flat and "新增" not in flat and "导入会议议定事项 0 项" in flat
    assert _listed(store)[0] == ("会议1", "校舍安全隐患排查", ["安全办"], ["基教股", "财务股"], "2021-10-08")
    assert len(_listed(store)) == 8
    code, out, _ = store("plan", "import", str(moved), "--as-items", "--now", NOW)  # once more: nothing to do
    assert code == 0 and "已导入过、不变 8 项" in out.replace("\n", "") and "没有要创建或修改的督办事项" in out


def test_another_meetings_minutes_are_other_items(store, tmp_path):
    assert store("plan", "import", str(MINUTES), "--as-items", "--now", NOW)[0] == 0
    tenth = tmp_path / "第10次.txt"
    tenth.write_text(MINUTES.read_text(encoding="utf-8").replace("2021年第9次", "2021年第10次"), encoding="utf-8")
    code, out, _ = store("plan", "import", str(tenth), "--as-items", "--now", NOW)
    assert code == 0 and "新增 8 项" in out and "《县教育局局务会议纪要（2021年第10次）》" in out
    assert len(_listed(store)) == 16


def test_doubts_write_the_review_sheet_and_the_corrected_sheet_imports(store, tmp_path):
    text = MINUTES.read_text(encoding="utf-8").replace(
        "县教育局办公室\n", "九、关于校车安全检查\n会议要求，10月底前完成全县校车安全检查，请抓紧落实。\n\n县教育局办公室\n")
    path = tmp_path / "纪要九项.txt"
    path.write_text(text, encoding="utf-8")
    sheet = tmp_path / "核对.xlsx"
    code, out, err = store("plan", "import", str(path), "--as-items", "--xlsx", str(sheet), "--now", NOW)
    assert code == 1 and "议定事项9（校车安全检查）：请写明牵头单位" in err and "解析把握 " in out
    assert f"核对表已写入 {sheet}" in err.replace("\n", "") and _listed(store) == []
    wb = load_workbook(sheet)
    ws = wb["任务"]
    head = next(r for r in ws.iter_rows(values_only=True) if r and "牵头单位" in r)
    row = next(r for r in ws.iter_rows() if r[0].value == "9")
    row[head.index("牵头单位")].value = "安全办"
    row[head.index("待核（解析把握）")].value = None
    wb.save(sheet)
    code, out, err = store("plan", "import", str(sheet), "--as-items", "--now", NOW)
    assert code == 0, err
    assert "导入会议议定事项 9 项" in out and "会议9 校车安全检查（安全办牵头" in out
    assert {r["instructed_by"] for r in json.loads(store("tasks", "--source", "会议", "--json")[1])} == {
        "县教育局局务会议纪要（2021年第9次）"}  # the sheet keeps the meeting: the text again creates nothing
    code, out, _ = store("plan", "import", str(path), "--as-items", "--now", NOW)
    assert "已导入过、不变 8 项" in out.replace("\n", "") and len(_listed(store)) == 9


class _Terminal(io.StringIO):
    """A person at a terminal typing `answer`."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("answer, created", [("n\n", 0), ("y\n", 8)])
def test_at_a_terminal_the_import_asks_first(store, monkeypatch, answer, created):
    monkeypatch.setattr("sys.stdin", _Terminal(answer))
    code, out, err = store("plan", "import", str(MINUTES), "--as-items", "--now", NOW)
    assert "新增 8 项" in out and "确认导入吗？" in out
    assert (code, len(_listed(store))) == ((0, 8) if created else (1, 0))
    assert created or "已取消，没有创建督办事项" in err


def test_minutes_naming_no_unit_write_the_sheet_beside_them_and_create_nothing(store, tmp_path):
    text = "\n".join(line for line in MINUTES.read_text(encoding="utf-8").splitlines() if "牵头单位" not in line)
    path = tmp_path / "纪要.txt"
    path.write_text(text, encoding="utf-8")
    for extra in ((), ("--yes",)):  # --yes does not take guessed units
        code, _, err = store("plan", "import", str(path), "--as-items", *extra, "--now", NOW)
        assert code == 1 and "没有在 纪要.txt 中读到议定事项" in err and "核对表已写入" in err
    assert (tmp_path / "核对表_纪要.xlsx").exists() and _listed(store) == []


def test_a_signature_date_is_no_time_limit(store, tmp_path):
    path = tmp_path / "纪要.txt"
    path.write_text(MINUTES.read_text(encoding="utf-8").replace("10月20日前完成", "近期完成"), encoding="utf-8")
    assert store("plan", "import", str(path), "--as-items", "--yes", "--now", NOW)[0] == 0
    assert _listed(store)[-1][-1] == "2021-10-11"  # the source's default (20 working days), not 2021-09-07


def test_a_health_commissions_minutes_become_its_items(cli):
    assert cli("plan", "import", str(WEIJIAN / "weijian_plan_2022.txt"), "--now", "2022-03-15T10:00+08:00")[0] == 0
    code, out, err = cli("plan", "import", str(WEIJIAN / "weijian_2022_03.txt"), "--as-items",
                         "--now", "2022-03-15T10:00+08:00")
    assert code == 0, err
    assert "《县卫生健康委员会党组会议纪要〔2022〕第3期》" in out and "新增 7 项" in out
    rows = json.loads(cli("tasks", "--source", "会议议定", "--json")[1])
    assert [(r["ref"], r["lead"], r["co"], r["due"]) for r in rows] == [
        ("会议1", ["医政股"], ["县人民医院", "县中医院"], "2022-04-30"),
        ("会议2", ["人事股"], ["基层卫生股"], "2022-06-30"),
        ("会议3", ["疾控中心"], ["公卫股"], "2022-03-31"),
        ("会议4", ["妇幼保健院"], ["财务股"], "2022-05-31"),
        ("会议5", ["卫生监督所"], [], "2022-07-15"),
        ("会议6", ["规划信息股"], ["县人民医院"], "2022-09-30"),
        ("会议7", ["财务股"], ["人事股"], "2022-04-15"),
    ]
    assert rows[0]["title"] == "启动县域医共体牵头医院绩效考核，4月30日前拿出考核方案"
    code, out, _ = cli("plan", "import", str(WEIJIAN / "weijian_2022_03.txt"), "--as-items",
                       "--now", "2022-03-16T10:00+08:00")
    assert code == 0 and "已导入过、不变 7 项" in out.replace("\n", "") and len(
        json.loads(cli("tasks", "--source", "会议议定", "--json")[1])) == 7
