"""Recognise duban's own exports sent back as if they were plans: the ledger and a score sheet.

A ledger carries the plan's tasks with 牵头/配合 columns, so the table reader would happily offer it
as a revision of the plan; it is told apart by its progress columns (最新状态, 完成比例, 状态灯…) and
its sheet names, and named instead.
"""

from __future__ import annotations

from pathlib import Path

# columns only a progress export has: a plan never reports status or feedback times
_PROGRESS = {"最新状态", "完成比例", "进展说明", "反馈时间", "状态灯", "反馈次数", "佐证材料"}
_SCORE = {"得分", "评分", "考核得分", "扣分", "加分", "总分", "综合得分"}
LEDGER = "督办台账"
SCORE_SHEET = "评分表"


def own_export(data: bytes, filename: str) -> str | None:
    """Return what the file is (督办台账 / 评分表) when it is one of duban's exports, else None."""
    if Path(filename).suffix.lower() not in (".xlsx", ".xlsm") or not data.startswith(b"PK"):
        return None
    from .model import PlanReadError
    from .reader import xlsx_sheets

    try:
        sheets = xlsx_sheets(data, Path(filename).name)
    except PlanReadError:
        return None
    for _title, rows in sheets:
        for row in rows[:5]:
            cells = {str(c).strip() for c in row if c is not None}
            if len(cells & _PROGRESS) >= 3:
                return LEDGER
            if cells & _SCORE and cells & {"单位", "责任单位", "被考核单位", "序号"}:
                return SCORE_SHEET
    return None
