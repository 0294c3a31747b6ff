"""督办 items from the command line: `duban task add`, `duban tasks --source`, and items in the sweep, board, ledger."""

from __future__ import annotations

import json
import sqlite3

import pytest
from openpyxl import load_workbook

NOW = "2021-09-01T09:00+08:00"  # a Wednesday


def _add(cli, *args, now=NOW):
    return cli("task", "add", *args, "--now", now)


@pytest.fixture
def store(cli, seed_path):
    """A store holding the sample plan: its units (安全办, 基教股, 财务股…) are the office's units."""
    assert cli("plan", "import", str(seed_path), "--now", NOW)[0] == 0
    return cli


def test_add_prints_the_ref_and_the_item_reads_back(store):
    code, out, err = _add(store, "完成校舍安全排查", "--source", "领导批示", "--lead", "安全办", "--co", "基教股",
                          "--co", "财务股", "--due", "2021-10-31", "--leader", "张副局长", "--from", "局长",
                          "--note", "抓紧排查，10月底前完成")
    assert code == 0, err
    assert "已创建督办事项 批示1：完成校舍安全排查" in out and "2021年10月31日" in out
    code, out, _ = store("task", "批示1", "--json")
    rec = json.loads(out)
    assert rec["lead"] == ["安全办"] and rec["co"] == ["基教股", "财务股"] and rec["leaders"] == ["张副局长"]
    assert rec["deadlines"][0]["date"] == "2021-10-31"
    assert rec["item"]["source"] == "领导批示" and rec["item"]["instructed_by"] == "局长"
    assert rec["item"]["instruction"] == "抓紧排查，10月底前完成" and rec["item"]["assigned_on"] == "2021-09-01"
    code, out, _ = store("task", "批示1")
    assert "编号：批示1" in out and "交办意见：局长：抓紧排查" in out
    # The plan's own 第1项 is still what a bare number means.
    assert json.loads(store("task", "1", "--json")[1])["plan"]["title"].startswith("县委教育工委")


@pytest.mark.parametrize("args, due", [
    (("--source", "领导批示", "--urgent"), "2021-09-08"),  # 急件: 5 working days
    (("--source", "批示"), "2021-09-23"),  # 一般: 15 working days (the 中秋 holiday 9-20/21 skipped, 9-18 worked)
    (("--source", "会议议定"), "2021-09-29"),  # 20 working days
    (("--source", "人大建议"), "2021-12-01"),  # 3 months from 交办
    (("--source", "上级交办", "--days", "3"), "2021-09-06"),
])
def test_time_limit_defaults_by_source_and_urgency(store, args, due):
    code, out, err = _add(store, "某项工作", "--lead", "基教股", *args, "--json")
    assert code == 0, err
    assert json.loads(out)["due"] == due


@pytest.mark.parametrize("args, message", [
    (("x", "--source", "领导批示"), "请写明牵头单位"),
    (("x", "--source", "领导批示", "--lead", "安全股"), "本办公室没有单位“安全股”"),
    (("x", "--source", "领导批示", "--lead", "安全办", "--co", "宣传部"), "本办公室没有单位“宣传部”"),
    ((" ", "--source", "领导批示", "--lead", "安全办"), "标题不能为空"),
    (("x", "--source", "领导批示", "--lead", "安全办", "--due", "2021-02-30"), "不存在"),
    (("x", "--source", "领导批示", "--lead", "安全办", "--due", "2021-08-31"), "已经过去"),
    (("x", "--source", "小道消息", "--lead", "安全办"), "没有来源“小道消息”"),
    (("x", "--source", "领导批示", "--lead", "安全办", "--leader", "安全办"), "是责任单位，不是领导"),
])
def test_bad_input_gets_one_line_and_creates_nothing(store, args, message):
    code, out, err = _add(store, *args)
    assert code == 1 and message in err and err.count("\n") == 1 and out == ""
    assert json.loads(store("tasks", "--source", "领导批示", "--json")[1]) == []
    units = {u["name"] for u in json.loads(store("units", "--json")[1])}
    assert "安全股" not in units and "宣传部" not in units  # never invented


def test_tasks_by_source_and_open(store):
    _add(store, "校舍排查", "--source", "领导批示", "--lead", "安全办")
    _add(store, "食堂检查", "--source", "领导批示", "--lead", "安全办", "--co", "财务股")
    _add(store, "课后服务", "--source", "会议议定", "--lead", "基教股")
    rows = json.loads(store("tasks", "--source", "领导批示", "--json")[1])
    assert [(r["ref"], r["title"]) for r in rows] == [("批示1", "校舍排查"), ("批示2", "食堂检查")]
    assert rows[1]["co"] == ["财务股"]
    assert [r["ref"] for r in json.loads(store("tasks", "--source", "会议", "--json")[1])] == ["会议1"]
    out = store("tasks", "--source", "领导批示", "--open")[1]
    assert "批示1 校舍排查" in out and "批示2 食堂检查" in out and "会议1" not in out
    # The unit's own task list holds its items beside its plan tasks.
    refs = {(t["plan"], t["ref"]) for t in json.loads(store("tasks", "--unit", "安全办", "--json")[1])["tasks"]}
    assert ("批示", "1") in refs and ("批示", "2") in refs


def test_items_are_reminded_and_escalated_by_simulate_over_the_store(store, tmp_path):
    _add(store, "食堂检查", "--source", "领导批示", "--lead", "安全办", "--urgent", "--leader", "张副局长")
    _add(store, "课后服务", "--source", "会议议定", "--lead", "基教股", "--co", "财务股")
    code, out, err = store("simulate", "--from", "2021-09-01", "--to", "2021-10-20", "--json")
    assert code == 0, err
    mine = [(e["kind"], e["unit"], e["task"]) for e in json.loads(out)["reminders"] if e.get("plan") == "批示"]
    assert ("due", "安全办", "2") not in mine and ("due", "安全办", "1") in mine
    assert ("overdue", "安全办", "1") in mine
    assert {("escalation", "督导室", "1"), ("escalation", "张副局长", "1")} <= set(mine)
    meeting = {(e["kind"], e["unit"]) for e in json.loads(out)["reminders"] if e.get("plan") == "会议"}
    assert ("due", "基教股") in meeting and ("due", "财务股") in meeting
    text = store("simulate", "--from", "2021-09-01", "--to", "2021-09-10")[1]
    assert "安全办（牵头）批示1 食堂检查" in text
    # The dry run worked on a copy: the store itself got no outbox row.
    with sqlite3.connect(tmp_path / "duban.db") as db:
        assert db.execute("select count(*) from outbox").fetchone() == (0,)


def test_items_on_the_board_and_in_the_ledger(store, tmp_path):
    _add(store, "食堂检查", "--source", "领导批示", "--lead", "安全办", "--urgent")
    code, out, _ = store("board", "--plan", "批示", "--json", "--now", "2021-09-15T09:00+08:00")
    rows = json.loads(out)
    assert [(r["ref"], r["light"]) for r in rows] == [("1", "red")]
    xlsx = tmp_path / "items.xlsx"
    assert store("export", str(xlsx), "--plan", "批示", "--now", "2021-09-15T09:00+08:00")[0] == 0
    sheet = load_workbook(xlsx).worksheets[0]
    assert any("食堂检查" in str(c.value) for row in sheet.iter_rows() for c in row)
