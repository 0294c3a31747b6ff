"""The duban command line, run in-process as a user would type it."""

from __future__ import annotations

import json
from datetime import date, datetime, time

import chinese_calendar
import pytest


def test_import_query_and_reimport(cli, seed_path):
    code, out, _ = cli("plan", "import", str(seed_path))
    assert code == 0 and "任务 26 项" in out and "“进修学校”与“教师进修学校”" in out  # look-alikes stay apart
    code, out, _ = cli("plan", "import", str(seed_path))
    assert code == 0 and "没有变化" in out
    code, out, _ = cli("tasks", "--unit", "安全办", "--json")
    data = json.loads(out)
    assert {(t["ref"], t["role"]) for t in data["tasks"]} == {("25", "lead"), ("7", "co")}
    code, out, _ = cli("tasks", "--unit", "安全办", "--role", "lead", "--json")
    assert [t["ref"] for t in json.loads(out)["tasks"]] == ["25"]
    code, out, _ = cli("task", "12", "--json")
    rec = json.loads(out)
    assert rec["lead"] == ["职教办"] and rec["deadlines"][0]["date"] == "2021-09-01"
    code, out, _ = cli("units", "--json")
    units = {u["name"]: u for u in json.loads(out)}
    assert units["教师进修学校"]["aliases"] == [] and "进修学校" in units and units["安全办"]["lead"] == 1


def test_diff_shows_revision_without_applying(cli, seed_path, tmp_path):
    cli("plan", "import", str(seed_path))
    revised = tmp_path / "revised.txt"
    text = seed_path.read_text(encoding="utf-8")
    revised.write_text(text.replace("责任股室(单位):安全办、信访办、", "责任股室(单位):安全办、督导室、"), encoding="utf-8")
    code, out, _ = cli("plan", "diff", str(revised))
    assert code == 0 and "第25项增加配合单位：督导室" in out and "第25项去掉配合单位：信访办" in out
    code, out, _ = cli("task", "25", "--json")
    assert "信访办" in json.loads(out)["co"]  # diff applied nothing
    code, out, _ = cli("plan", "import", str(revised))
    assert "已应用以上变化" in out
    code, out, _ = cli("task", "25", "--json")
    assert "督导室" in json.loads(out)["co"] and "信访办" not in json.loads(out)["co"]


@pytest.mark.parametrize(
    "args, message",
    [
        (("plan", "import", "/nonexistent/plan.txt"), "文件不存在"),
        (("task", "99"), "没有第99项任务"),
        (("tasks", "--unit", "安全股"), "你是不是要找"),
        (("tasks", "--role", "boss"), "--role 只能是"),
        (("deadline", "set", "12", "2021-02-30"), "不存在"),
        (("deadline", "set", "99", "2021-09-30"), "没有第99项任务"),
        (("sweep", "--now", "yesterday"), "无法识别的时间"),
    ],
)
def test_user_mistakes_get_one_clear_line_and_change_nothing(cli, seed_path, args, message):
    cli("plan", "import", str(seed_path))
    before = cli("task", "12", "--json")[1]
    code, out, err = cli(*args)
    assert code == 1 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert cli("task", "12", "--json")[1] == before


def test_bad_config_is_named(cli, tmp_path, seed_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[app]\ntimezone = "Mars/Olympus"\n[office_hours]\nstart = "18:00"\nend = "09:00"\n', encoding="utf-8")
    code, _, err = cli("plan", "parse", str(seed_path), config_file=bad)
    assert code == 1 and "app.timezone" in err and "office_hours" in err
    code, _, err = cli("units", config_file=tmp_path / "missing.toml")
    assert code == 1 and "找不到配置文件" in err


def test_empty_and_binary_files_are_refused(cli, tmp_path):
    empty, binary = tmp_path / "empty.txt", tmp_path / "blob.txt"
    empty.write_bytes(b"")
    binary.write_bytes(bytes(range(256)) * 20)
    for f in (empty, binary):
        code, out, err = cli("plan", "parse", str(f), "--json")
        assert code == 1 and out == "" and err.startswith("错误：")


def test_deadline_set_and_confirm(cli, seed_path):
    cli("plan", "import", str(seed_path))
    code, out, _ = cli("deadline", "confirm", "12", "--json")
    assert json.loads(out)["confirmed"][0]["date"] == "2021-09-01"
    code, out, _ = cli("task", "12", "--json")
    assert json.loads(out)["deadlines"][0]["confirmed"] is True
    code, out, _ = cli("deadline", "set", "25", "2021-06-30", "--label", "隐患排查完成")
    assert code == 0
    code, out, _ = cli("task", "25", "--json")
    dl = json.loads(out)["deadlines"]
    assert [(d["date"], d["source"], d["label"]) for d in dl] == [("2021-06-30", "manual", "隐患排查完成")]
    code, out, _ = cli("deadline", "confirm", "1", "--json")  # no date in the text: the default year end
    assert json.loads(out)["confirmed"][0]["date"] == "2021-12-31"


def test_simulate_seed_2021(cli, seed_path):
    code, out, err = cli("simulate", str(seed_path), "--from", "2021-01-01", "--to", "2021-12-31", "--json")
    assert code == 0, err
    data = json.loads(out)
    for r in data["reminders"]:
        when = datetime.fromisoformat(r["at"])
        assert when.utcoffset().total_seconds() == 8 * 3600
        assert chinese_calendar.is_workday(when.date()), r
        assert time(9, 0) <= when.time() < time(17, 30)
        assert r["kind"] in {"upcoming", "due", "overdue", "escalation", "digest", "checkin", "weekly"}
    ladder = [r["at"][:10] for r in data["reminders"]
              if r["task"] == "12" and r["unit"] == "职教办" and r["kind"] in ("upcoming", "due")]
    assert ladder == ["2021-08-23", "2021-08-27", "2021-08-31", "2021-09-01"]
    assert all(r["deadline"] == "2021-09-01" and r["role"] == "lead" for r in data["reminders"]
               if r["task"] == "12" and r["unit"] == "职教办" and r["kind"] != "checkin")
    assert any("第26项" in w for w in data["warnings"])
    assert not any(r["task"] == "26" for r in data["reminders"])
    code, out, _ = cli("simulate", str(seed_path), "--from", "2021-08-20", "--to", "2021-09-02")
    assert "职教办（牵头）第12项 大力发展职业教育 时限2021年9月1日" in out


def test_simulate_a_year_shows_weekly_digests_and_the_overdue_policy_ending(cli, seed_path):
    code, out, err = cli("simulate", str(seed_path), "--from", "2021-01-01", "--to", "2021-12-31", "--json")
    data = json.loads(out)["reminders"]
    weekly = [r for r in data if r["kind"] == "weekly"]
    fridays = {r["at"][:10] for r in weekly}
    assert len(fridays) >= 48 and all(date.fromisoformat(d).isoweekday() == 5 for d in fridays)
    per_unit_week = [(r["unit"], r["week"]) for r in weekly if "督办周报·" not in r["text"]]
    assert len(per_unit_week) == len(set(per_unit_week))  # once per unit per week
    lights = [r for r in weekly if "【督办周报·全局】" in r["text"]]
    assert {r["unit"] for r in lights} == {"督导室"} and len(lights) == len(fridays)
    # 职教办's task 12 (due 9月1日, never reported): nudges back off and stop; escalations stop too.
    nudges = [r for r in data if r["task"] == "12" and r["kind"] == "overdue"]
    assert [-r["workdays_left"] for r in nudges] == [1, 3, 5, 10, 15, 20] and nudges[-1].get("final")
    escalations = [r for r in data if r["task"] == "12" and r["kind"] == "escalation"]
    assert [-r["workdays_left"] for r in escalations] == [5, 10, 15] and escalations[-1].get("final")
    assert any("周报" in r["text"] and "第12项" in r["text"] for r in weekly if r["at"] > "2021-11")  # still carried
    code, out, _ = cli("simulate", str(seed_path), "--from", "2021-09-20", "--to", "2021-10-15")
    assert "最后一次，此后由周报跟进" in out and "个单位各收到本单位周报" in out and "督导室：【督办周报·全局】" in out


def test_simulate_2027_warns_without_override_and_uses_it_when_given(cli, tmp_path):
    plan = tmp_path / "p.txt"
    plan.write_text("县教育局2027年工作要点\n一、安全\n1.校园安全排查\n工作措施:2027年2月10日前完成排查。\n责任单位:安全办\n",
                    encoding="utf-8")
    code, out, _ = cli("simulate", str(plan), "--from", "2027-02-01", "--to", "2027-02-15", "--json")
    data = json.loads(out)
    assert any("2027年节假日安排未知" in w for w in data["warnings"])
    cfg = tmp_path / "cal.toml"
    cfg.write_text(cli.config.read_text() + '[calendar.2027]\nholidays = ["2027-02-05", "2027-02-08", "2027-02-09", '
                   '"2027-02-10", "2027-02-11"]\nworkdays = ["2027-02-07"]\n', encoding="utf-8")
    code, out, err = cli("simulate", str(plan), "--from", "2027-02-01", "--to", "2027-02-15", "--json", config_file=cfg)
    data = json.loads(out)
    assert not any("2027年节假日安排未知" in w for w in data["warnings"])
    due = [r for r in data["reminders"] if r["kind"] == "due"]
    # 02-10 is a holiday in the override: due on the previous working day, the make-up Sunday 02-07.
    assert due and due[0]["at"][:10] == "2027-02-07" and date.fromisoformat(due[0]["deadline"]) == date(2027, 2, 7)


def test_sweep_now_sends_to_a_bound_console(cli, seed_path):
    cli("plan", "import", str(seed_path))
    code, out, _ = cli("bind", "职教办", "console:console")
    assert code == 0
    code, out, err = cli("sweep", "--now", "2021-08-23T09:30+08:00", "--json")
    assert code == 0, err
    data = json.loads(out[out.index("{\n"):])
    assert data["written"] >= 1 and data["sent"] == data["written"]
    assert "第12项「大力发展职业教育」" in out
    code, out, _ = cli("sweep", "--now", "2021-08-23T10:30+08:00", "--json")
    assert json.loads(out[out.index("{\n"):])["written"] == 0


def test_board_export_and_outbox(cli, seed_path, tmp_path):
    from openpyxl import load_workbook

    cli("plan", "import", str(seed_path))
    code, out, _ = cli("board", "--now", "2021-09-02T10:00+08:00", "--json")
    lights = {t["ref"]: t for t in json.loads(out)}
    assert lights["12"]["light"] == "red" and lights["12"]["overdue_since"] == "2021-09-01"
    assert lights["26"]["light"] == "unowned" and lights["25"]["light"] == "green"
    code, out, _ = cli("board", "--now", "2021-09-02T10:00+08:00")
    assert "🔴 逾期 1" in out and "第12项 大力发展职业教育" in out
    target = tmp_path / "台账.xlsx"
    code, out, _ = cli("export", str(target), "--now", "2021-09-02T10:00+08:00")
    assert code == 0 and target.exists()
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "工作任务", "牵头单位") and rows[12][0] == "12" and rows[12][-1] == "逾期"
    assert cli("export", str(tmp_path / "x.csv"))[2].startswith("错误：台账只能导出为 .xlsx")
    cli("bind", "职教办", "console:console")
    cli("sweep", "--now", "2021-08-23T09:30+08:00")
    code, out, _ = cli("outbox", "--json")
    (row,) = json.loads(out)
    assert (row["state"], row["kind"], row["recipient"]) == ("sent", "upcoming", "console:console")
    assert json.loads(cli("outbox", "--state", "unknown", "--json")[1]) == []
    assert cli("outbox", "--state", "lost")[0] == 1
