"""The score sheet (效能考核): one row per unit with every component, and the items behind each point."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.services.scores import COMPONENTS, Point, UnitScore

COMPONENT_CN = {"lead_on_time": "牵头按时办结", "co_on_time": "配合按时办结", "lead_overdue": "牵头逾期",
                "co_overdue": "配合逾期", "returned": "办结退回", "report_late": "迟报", "report_missing": "未报",
                "praised": "通报表扬"}


def score_xlsx(rows: list[UnitScore], points: list[Point], *, heading: str) -> bytes:
    """得分 (per unit: count and points of each component, then the total) and 得分明细 (one row per point)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "得分"
    ws.append([heading])
    ws.cell(1, 1).font = Font(bold=True, size=14)
    header = ["单位"] + [f"{COMPONENT_CN[c]}{x}" for c in COMPONENTS for x in ("（次）", "（分）")] + ["合计"]
    ws.append(header)
    for r in rows:
        ws.append([r.unit] + [v for c in COMPONENTS for v in (r.counts[c], r.points[c])] + [r.total])
    _tidy(ws, 2)
    detail = wb.create_sheet("得分明细")
    detail.append(["单位", "项目", "任务编号", "任务/时段", "说明", "分值"])
    for p in sorted(points, key=lambda p: (p.unit, COMPONENTS.index(p.component), p.ref)):
        detail.append([p.unit, COMPONENT_CN[p.component], p.ref, p.title, p.detail, p.points])
    _tidy(detail, 1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _tidy(ws, header_row: int) -> None:
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    ws.freeze_panes = f"B{header_row + 1}"
    ws.auto_filter.ref = f"A{header_row}:{ws.cell(header_row, ws.max_column).column_letter}{ws.max_row}"
    ws.column_dimensions["A"].width = 16
