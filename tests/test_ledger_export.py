"""The ledger workbook read back: per task, per task × unit, every report; typed cells; bounded reads."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import load_workbook
from sqlalchemy import event

from bot.config import Settings
from bot.render.ledger_xlsx import ledger_xlsx
from bot.services.ledger import build_ledger
from bot.services.reports import record_report
from bot.workdays import WorkCalendar
from storage import repo
from storage.db import session_scope
from storage.models import ReportStatus
from tests.conftest import SH
from tests.helpers import at, load, plan, task

SETTINGS = Settings()


def _report(s, ref: str, unit: str | None, status: str, when: datetime, percent=None, note="") -> None:
    p = repo.current_plan(session=s)
    t = repo.task_by_ref(session=s, plan_id=p.id, ref=ref)
    unit_id = repo.units_by_name(session=s)[unit].id if unit else None
    record_report(session=s, task=t, unit_id=unit_id, status=ReportStatus(status), percent=percent, note=note,
                  reporter="cli" if unit is None else "telegram:7", now=when)


def _store(engine):
    load(engine, plan(task("1", ["职教办"], ["人事股", "计财股"], date(2021, 9, 1)),
                      task("2", ["安全办"], [], date(2021, 12, 31)),
                      task("3", ["人事股"], ["职教办"], date(2021, 6, 30))), at(2021, 3, 1))
    with session_scope(engine) as s:
        _report(s, "1", "人事股", "note", at(2021, 8, 20, 10, 0), note="已报送师资数据")
        _report(s, "1", "职教办", "in_progress", at(2021, 8, 23, 9, 30), 60, "主体完工")
        _report(s, "3", "人事股", "done", at(2021, 6, 28, 16, 5), 100, "已完成")
        _report(s, "2", None, "blocked", at(2021, 8, 24, 11, 0), note="经费待落实")


def _workbook(engine, now):
    with session_scope(engine) as s:
        ledger = build_ledger(session=s, now=now, settings=SETTINGS, calendar=WorkCalendar())
    return ledger, load_workbook(io.BytesIO(ledger_xlsx(ledger, tz=SH)))


def test_unit_sheet_has_one_row_per_task_and_unit_with_that_units_latest_word(memory_engine):
    _store(memory_engine)
    ledger, wb = _workbook(memory_engine, at(2021, 9, 2, 10, 0))
    assert wb.sheetnames == ["任务总览", "分单位台账", "反馈记录"]
    ws = wb["分单位台账"]
    assert "2021年工作要点" in ws["A1"].value and "2021年9月2日" in ws["A1"].value
    header = [c.value for c in ws[2]]
    assert header[:4] == ["序号", "工作任务", "责任单位", "角色"] and "佐证材料" in header
    rows = {(r[0], r[2]): dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=3, values_only=True)}
    assert set(rows) == {("1", "职教办"), ("1", "人事股"), ("1", "计财股"), ("2", "安全办"), ("3", "人事股"),
                         ("3", "职教办")}
    lead = rows[("1", "职教办")]
    assert (lead["角色"], lead["最新状态"], lead["完成比例"], lead["进展说明"]) == ("牵头", "推进中", 0.6, "主体完工")
    assert lead["反馈时间"] == datetime(2021, 8, 23, 9, 30) and lead["时限"] == datetime(2021, 9, 1)
    assert lead["状态灯"] == "逾期" and lead["佐证材料"] == 0 and lead["反馈次数"] == 1
    co = rows[("1", "人事股")]  # only a note: no status, but it did report
    assert (co["角色"], co["最新状态"], co["进展说明"], co["反馈次数"]) == ("配合", "未反馈", "已报送师资数据", 1)
    assert co["反馈时间"] == datetime(2021, 8, 20, 10, 0)
    silent = rows[("1", "计财股")]
    assert silent["反馈时间"] is None and silent["反馈次数"] == 0 and silent["最新状态"] == "未反馈"
    # An admin's report (no unit) is nobody's row here, but it is in the task summary and the history.
    assert rows[("2", "安全办")]["反馈次数"] == 0
    assert rows[("3", "人事股")]["状态灯"] == "已完成"
    cell = ws.cell(3, 9)
    assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm" and ws.cell(3, 5).number_format == "yyyy-mm-dd"
    assert ws.cell(3, 7).number_format == "0%"
    assert ws.freeze_panes == "C3" and ws.auto_filter.ref == f"A2:L{ws.max_row}"
    assert ws.column_dimensions["B"].width == 36
    assert ws.cell(3, 12).fill.fgColor.rgb.endswith("F8CBAD")  # red light
    assert len(ledger.units) == ws.max_row - 2


def test_history_sheet_lists_every_report_oldest_first(memory_engine):
    _store(memory_engine)
    _, wb = _workbook(memory_engine, at(2021, 9, 2, 10, 0))
    ws = wb["反馈记录"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[2], r[3], r[4]) for r in rows] == [
        ("3", "人事股", "牵头", "已完成"), ("1", "人事股", "配合", "进展说明"), ("1", "职教办", "牵头", "推进中"),
        ("2", "（管理员）", None, "有困难")]
    assert rows[0][8] == datetime(2021, 6, 28, 16, 5) and rows[0][5] == 1.0
    assert ws.freeze_panes == "C3" and ws.auto_filter.ref == "A2:I6"


def test_task_sheet_keeps_its_layout_with_a_real_date(memory_engine):
    _store(memory_engine)
    _, wb = _workbook(memory_engine, at(2021, 9, 2, 10, 0))
    ws = wb.active
    assert ws.title == "任务总览" and ws.freeze_panes == "C2" and ws.auto_filter.ref == "A1:J4"
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "序号" and [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert rows[1][4] == datetime(2021, 9, 1) and rows[1][5:9] == ("推进中", "60%", "主体完工", "2021-08-23 09:30")
    assert rows[2][5] == "有困难" and rows[2][7] == "经费待落实"  # the admin's report counts for the task
    assert "2021年工作要点" in ws.oddHeader.center.text


def test_reads_are_bounded_whatever_the_plan_size(memory_engine):
    def queries(n_tasks: int) -> int:
        from storage.db import open_store

        eng = open_store("sqlite://")
        tasks = [task(str(i), ["职教办"], ["人事股", "计财股"], date(2021, 9, 1)) for i in range(1, n_tasks + 1)]
        load(eng, plan(*tasks), at(2021, 3, 1))
        with session_scope(eng) as s:
            for i in range(1, n_tasks + 1):
                _report(s, str(i), "人事股", "note", at(2021, 8, 20), note="x")
        seen: list[str] = []
        event.listen(eng, "before_cursor_execute", lambda *a: seen.append(a[2]))
        _workbook(eng, at(2021, 9, 2))
        eng.dispose()
        return len(seen)

    assert queries(3) == queries(30)
