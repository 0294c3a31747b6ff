"""How sure the reading is: each task's doubts (what was guessed) and a score the plan adds up.

A doubt is one Chinese line a clerk can check; the score multiplies one weight per doubt, so a task
with owners taken from a labelled field and a dated deadline stays at 1.0.
"""

from __future__ import annotations

from .model import ParsedPlan, ParsedTask

NO_OWNER = "未找到责任单位"
HEADING_OWNER = "责任单位取自小标题，按单位名称的样子推断"
LEAD_IN_OWNER = "责任单位取自本部分开头的分工句"
FLAT_TABLE = "表格由一行文字还原，表头和单元格为推断"
ESTIMATED = "期限为估计日期"
UNDATED = "期限无法换算成日期"
ONLY_CO = "只找到配合单位"

GUESSED_PREFIX = "未找到责任单位，按"  # candidates.GUESSED: owners guessed from names in the text
WEIGHTS = {GUESSED_PREFIX: 0.3, NO_OWNER: 0.2, ONLY_CO: 0.6, HEADING_OWNER: 0.8, LEAD_IN_OWNER: 0.8, FLAT_TABLE: 0.8,
           ESTIMATED: 0.9, UNDATED: 0.8}
SURE = 0.75  # below this a task is marked for checking


def doubt(task: ParsedTask, text: str) -> None:
    """Record one doubt on a task (once)."""
    if text not in task.doubts:
        task.doubts.append(text)


def assess(plan: ParsedPlan) -> None:
    """Add the doubts every task shows by itself, then score each task."""
    for t in plan.tasks:
        if not t.lead and not t.co:
            doubt(t, NO_OWNER)
        elif not t.lead:
            doubt(t, ONLY_CO)
        if any(d.get("date") and d.get("certain") is False for d in t.deadlines):
            doubt(t, ESTIMATED)
        if any(d.get("date") is None and d.get("kind") == "once" for d in t.deadlines):
            doubt(t, UNDATED)
        score = 1.0
        for d in t.doubts:
            score *= next((w for key, w in WEIGHTS.items() if d.startswith(key)), 0.9)
        t.confidence = round(score, 2)


def unsure(plan: ParsedPlan) -> list[ParsedTask]:
    """The tasks a clerk should check."""
    return [t for t in plan.tasks if t.confidence < SURE]
