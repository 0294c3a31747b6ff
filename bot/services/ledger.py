"""The progress ledger (台账) as an .xlsx workbook."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from sqlmodel import Session

from bot.config import Settings
from bot.render.task_text import STATUS_CN
from bot.services.board import LIGHT_CN, board
from bot.workdays import WorkCalendar
from storage import repo

HEADERS = ["序号", "工作任务", "牵头单位", "配合单位", "时限", "最新状态", "完成比例", "进展说明", "反馈时间", "状态灯"]
FILLS = {"red": "F8CBAD", "yellow": "FFE699", "green": "C6EFCE", "done": "BDD7EE", "unowned": "D9D9D9"}


def ledger_xlsx(*, session: Session, now: datetime, settings: Settings, calendar: WorkCalendar) -> bytes:
    lights = board(session=session, now=now, settings=settings, calendar=calendar)
    latest = repo.latest_reports(session=session, task_ids=[t.task_id for t in lights])
    tz = settings.app.tz
    wb = Workbook()
    ws = wb.active
    ws.title = "督办台账"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for t in lights:
        r = latest.get(t.task_id)
        notes = [n for n in repo.reports_for_task(session=session, task_id=t.task_id) if n.note]
        due = t.overdue_since or t.next_deadline
        ws.append([
            t.ref, t.title, "、".join(t.lead), "、".join(t.co), due.isoformat() if due else "",
            STATUS_CN.get(r.status, "") if r else "未反馈", f"{r.percent}%" if r and r.percent is not None else "",
            notes[-1].note if notes else "", r.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if r else "",
            LIGHT_CN[t.light][2:],
        ])
        ws.cell(ws.max_row, len(HEADERS)).fill = PatternFill("solid", fgColor=FILLS[t.light])
    for col, width in zip("ABCDEFGHIJ", (6, 36, 14, 30, 12, 10, 10, 40, 17, 12), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
