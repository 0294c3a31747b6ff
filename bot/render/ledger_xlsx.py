"""The progress ledger (台账) written as an .xlsx workbook: 任务总览, 分单位台账 and 反馈记录 sheets.

Dates and times are real Excel cells (naive, on the office's clock, with a number format); every sheet
has a frozen header, filters, column widths and light fills, and names the plan in its print header.
"""

from __future__ import annotations

import io
from datetime import datetime, tzinfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.render.closure_xlsx import closure_sheets
from bot.render.task_text import LIGHT_LABEL, ROLE_CN, STATUS_CN, cn_date, local_stamp
from bot.services.ledger import Ledger, LedgerRow

HEADERS = ["序号", "工作任务", "牵头单位", "配合单位", "时限", "最新状态", "完成比例", "进展说明", "反馈时间", "状态灯"]
WIDTHS = (6, 36, 14, 30, 12, 10, 10, 40, 17, 12)
UNIT_HEADERS = ["序号", "工作任务", "责任单位", "角色", "时限", "最新状态", "完成比例", "进展说明", "反馈时间",
                "反馈次数", "佐证材料", "状态灯"]
UNIT_WIDTHS = (6, 36, 16, 6, 12, 10, 10, 40, 17, 9, 9, 12)
HISTORY_HEADERS = ["序号", "工作任务", "反馈单位", "角色", "状态", "完成比例", "说明", "反馈人", "反馈时间"]
HISTORY_WIDTHS = (6, 36, 16, 6, 10, 10, 44, 18, 17)
FILLS = {"red": "F8CBAD", "yellow": "FFE699", "green": "C6EFCE", "done": "BDD7EE", "review": "E2EFDA", "unowned": "D9D9D9"}
HEADER_FILL = "DDEBF7"
DATE_FMT = "yyyy-mm-dd"
STAMP_FMT = "yyyy-mm-dd hh:mm"
PERCENT_FMT = "0%"
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def ledger_xlsx(ledger: Ledger | list[LedgerRow], *, tz: tzinfo) -> bytes:
    """The workbook's bytes.

    The first (active) sheet keeps the one-row-per-task layout the chat and CLI have always sent;
    its 完成比例 and 反馈时间 stay text there ("60%", "2021-08-23 09:30") as before. The 分单位台账 and
    反馈记录 sheets carry typed cells throughout. A bare list of rows (the old call) writes that sheet alone.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "任务总览"
    if isinstance(ledger, list):
        _task_sheet(ws, ledger, tz=tz, heading="")
    else:
        heading = f"{ledger.plan_title}　督办台账（截至{cn_date(ledger.as_of.astimezone(tz).date())}）"
        wb.properties.title = heading
        _task_sheet(ws, ledger.tasks, tz=tz, heading=heading)
        _unit_sheet(wb.create_sheet("分单位台账"), ledger, tz=tz, heading=heading)
        _history_sheet(wb.create_sheet("反馈记录"), ledger, tz=tz, heading=heading)
        if ledger.instructions:
            _instruction_sheet(wb.create_sheet("领导批示"), ledger, tz=tz, heading=heading)
        closure_sheets(wb, ledger, tz=tz, heading=heading, finish=_finish, title=_heading)  # 办结审核, 签收
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _local(at: datetime | None, tz: tzinfo) -> datetime | None:
    """A stored instant as a naive wall-clock datetime: Excel cells carry no time zone."""
    return at.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0) if at else None


def _status(status) -> str:
    return STATUS_CN.get(status, "") if status else "未反馈"


def _task_sheet(ws: Worksheet, rows: list[LedgerRow], *, tz: tzinfo, heading: str) -> None:
    """One row per task; the header stays on row 1 (the chat and CLI tests read it there)."""
    ws.append(HEADERS)
    for row in rows:
        t = row.light
        ws.append([
            t.ref, t.title, "、".join(t.lead), "、".join(t.co), row.due, _status(row.status),
            f"{row.percent}%" if row.percent is not None else "",
            row.note, local_stamp(row.reported_at, tz) if row.reported_at else "", LIGHT_LABEL[t.light],
        ])
        ws.cell(ws.max_row, 5).number_format = DATE_FMT
        ws.cell(ws.max_row, len(HEADERS)).fill = _fill(FILLS[t.light])
    _finish(ws, header_row=1, widths=WIDTHS, heading=heading)


def _unit_sheet(ws: Worksheet, ledger: Ledger, *, tz: tzinfo, heading: str) -> None:
    """One row per task × owning unit, lead first, with that unit's own latest report."""
    _heading(ws, heading.replace("督办台账", "分单位督办台账"), len(UNIT_HEADERS))
    ws.append(UNIT_HEADERS)
    for u in ledger.units:
        ws.append([
            u.ref, u.title, u.unit, ROLE_CN[u.role], u.due, _status(u.status),
            u.percent / 100 if u.percent is not None else None, u.note, _local(u.reported_at, tz), u.reports,
            u.evidence, LIGHT_LABEL[u.light],
        ])
        r = ws.max_row
        ws.cell(r, 5).number_format = DATE_FMT
        ws.cell(r, 7).number_format = PERCENT_FMT
        ws.cell(r, 9).number_format = STAMP_FMT
        ws.cell(r, len(UNIT_HEADERS)).fill = _fill(FILLS[u.light])
        if u.reported_at is None:
            ws.cell(r, 6).fill = _fill(FILLS["yellow"])  # this unit has said nothing on the task yet
    _finish(ws, header_row=2, widths=UNIT_WIDTHS, heading=heading)


def _history_sheet(ws: Worksheet, ledger: Ledger, *, tz: tzinfo, heading: str) -> None:
    """Every report of the plan's tasks, oldest first."""
    _heading(ws, heading.replace("督办台账", "反馈记录"), len(HISTORY_HEADERS))
    ws.append(HISTORY_HEADERS)
    for h in ledger.history:
        ws.append([
            h.ref, h.title, h.unit or "（管理员）", ROLE_CN[h.role] if h.role else "", STATUS_CN.get(h.status, h.status),
            h.percent / 100 if h.percent is not None else None, h.note, h.reporter, _local(h.at, tz),
        ])
        r = ws.max_row
        ws.cell(r, 6).number_format = PERCENT_FMT
        ws.cell(r, 9).number_format = STAMP_FMT
    _finish(ws, header_row=2, widths=HISTORY_WIDTHS, heading=heading)


INSTRUCTION_HEADERS = ["序号", "工作任务", "批示领导", "批示内容", "批示时限", "批示时间", "已反馈领导"]
INSTRUCTION_WIDTHS = (8, 36, 12, 44, 12, 17, 17)


def _instruction_sheet(ws: Worksheet, ledger: Ledger, *, tz: tzinfo, heading: str) -> None:
    """Leaders' instructions on the plan's tasks and items (issue 22), oldest first."""
    _heading(ws, heading.replace("督办台账", "领导批示"), len(INSTRUCTION_HEADERS))
    ws.append(INSTRUCTION_HEADERS)
    for x in ledger.instructions:
        ws.append([x.ref, x.title, x.author, x.words, x.due, _local(x.at, tz), _local(x.answered_at, tz)])
        r = ws.max_row
        ws.cell(r, 5).number_format = DATE_FMT
        ws.cell(r, 6).number_format = STAMP_FMT
        ws.cell(r, 7).number_format = STAMP_FMT
    _finish(ws, header_row=2, widths=INSTRUCTION_WIDTHS, heading=heading)


def _fill(rgb: str) -> PatternFill:
    return PatternFill("solid", fgColor=rgb)


def _heading(ws: Worksheet, text: str, ncols: int) -> None:
    """Row 1: the plan named, across the table."""
    ws.append([text])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    cell = ws.cell(1, 1)
    cell.font = Font(bold=True, size=14)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28


def _finish(ws: Worksheet, *, header_row: int, widths: tuple[int, ...], heading: str) -> None:
    """Header style, frozen panes, filters, widths, wrapping, borders and a print header naming the plan."""
    last = get_column_letter(len(widths))
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = _fill(HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BORDER
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for cells in ws.iter_rows(min_row=header_row + 1):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.border = _BORDER
    ws.freeze_panes = f"C{header_row + 1}"  # header rows and the 序号/工作任务 columns stay in view
    ws.auto_filter.ref = f"A{header_row}:{last}{max(ws.max_row, header_row)}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if heading:
        ws.oddHeader.center.text = heading
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
