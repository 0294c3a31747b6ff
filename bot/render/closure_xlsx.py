"""The ledger's 办结情况 and 办结记录 sheets (签收时间, 申请办结时间, 销号时间, 退回次数; every event)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from openpyxl import Workbook

from bot.render.task_text import EVENT_CN, LIGHT_LABEL

CLOSING_HEADERS = ["序号", "工作任务", "牵头单位", "签收时间", "申请办结时间", "销号时间", "退回次数", "状态灯"]
CLOSING_WIDTHS = (6, 36, 14, 17, 17, 17, 9, 12)
EVENT_HEADERS = ["序号", "工作任务", "事项", "单位", "说明", "操作人", "时间"]
EVENT_WIDTHS = (6, 36, 18, 14, 44, 18, 17)
STAMP_FMT = "yyyy-mm-dd hh:mm"


def _local(at: datetime | None, tz: tzinfo) -> datetime | None:
    return at.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0) if at else None


def closure_sheets(wb: Workbook, ledger, *, tz: tzinfo, heading: str, finish, title) -> None:
    """Append the two sheets when the ledger has a closing part; `finish` and `title` style them as the others."""
    if not ledger.closing:
        return
    ws = wb.create_sheet("办结情况")
    title(ws, heading.replace("督办台账", "办结情况"), len(CLOSING_HEADERS))
    ws.append(CLOSING_HEADERS)
    for c in ledger.closing:
        ws.append([c.ref, c.title, "、".join(c.lead), _local(c.signed_at, tz), _local(c.applied_at, tz),
                   _local(c.closed_at, tz), c.returns, LIGHT_LABEL[c.light]])
        for col in (4, 5, 6):
            ws.cell(ws.max_row, col).number_format = STAMP_FMT
    finish(ws, header_row=2, widths=CLOSING_WIDTHS, heading=heading)
    ws = wb.create_sheet("办结记录")
    title(ws, heading.replace("督办台账", "办结记录"), len(EVENT_HEADERS))
    ws.append(EVENT_HEADERS)
    for r in ledger.events:
        e = r.event
        ws.append([r.ref, r.title, EVENT_CN.get(e.kind, e.kind), e.unit, e.note, e.actor, _local(e.at, tz)])
        ws.cell(ws.max_row, 7).number_format = STAMP_FMT
    finish(ws, header_row=2, widths=EVENT_WIDTHS, heading=heading)
