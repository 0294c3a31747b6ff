"""The progress ledger (台账) written as an .xlsx workbook."""

from __future__ import annotations

import io
from datetime import tzinfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from bot.render.task_text import LIGHT_LABEL, STATUS_CN, local_stamp
from bot.services.ledger import LedgerRow

HEADERS = ["序号", "工作任务", "牵头单位", "配合单位", "时限", "最新状态", "完成比例", "进展说明", "反馈时间", "状态灯"]
FILLS = {"red": "F8CBAD", "yellow": "FFE699", "green": "C6EFCE", "done": "BDD7EE", "unowned": "D9D9D9"}
WIDTHS = (6, 36, 14, 30, 12, 10, 10, 40, 17, 12)


def ledger_xlsx(rows: list[LedgerRow], *, tz: tzinfo) -> bytes:
    """The workbook's bytes: one sheet, a bold header, one coloured row per task."""
    wb = Workbook()
    ws = wb.active
    ws.title = "督办台账"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        t = row.light
        ws.append([
            t.ref, t.title, "、".join(t.lead), "、".join(t.co), row.due.isoformat() if row.due else "",
            STATUS_CN.get(row.status, "") if row.status else "未反馈",
            f"{row.percent}%" if row.percent is not None else "",
            row.note, local_stamp(row.reported_at, tz) if row.reported_at else "", LIGHT_LABEL[t.light],
        ])
        ws.cell(ws.max_row, len(HEADERS)).fill = PatternFill("solid", fgColor=FILLS[t.light])
    for col, width in zip("ABCDEFGHIJ", WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
