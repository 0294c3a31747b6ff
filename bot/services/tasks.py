"""Read tasks the way people ask for them: by number, by unit, as a full record."""

from __future__ import annotations

import re
import unicodedata

from sqlmodel import Session

from bot.numerals import cn_int
from bot.services.errors import NotFound
from storage import repo
from storage.models import Plan, Section, Task


def cn_to_int(text: str) -> int | None:
    """A small numeral typed in chat ("12", "十二") → int; None when it is not one."""
    try:
        return cn_int(text)
    except KeyError:
        return None


def normalise_ref(text: str) -> str:
    """ "第12项" / "12" / "第十二项" / "task 12" → "12"; other refs ("3.2") pass through."""
    t = unicodedata.normalize("NFKC", text).strip().lower()
    t = re.sub(r"^(task|#|no\.?)\s*", "", t)
    m = re.fullmatch(
        r"第?\s*([0-9]+(?:[.\-][0-9]+)*|[零〇一二两三四五六七八九十百]+)\s*(项|条|个|号)?(任务)?", t
    )
    if not m:
        return t
    n = cn_to_int(m.group(1))
    return str(n) if n is not None else m.group(1)


def require_plan(*, session: Session) -> Plan:
    plan = repo.current_plan(session=session)
    if plan is None:
        raise NotFound("还没有导入任何工作计划。请先运行 duban plan import 文件。")
    return plan


def require_task(*, session: Session, ref: str, plan: Plan | None = None) -> Task:
    plan = plan or require_plan(session=session)
    key = normalise_ref(ref)
    task = repo.task_by_ref(session=session, plan_id=plan.id, ref=key)
    if task is None or task.removed:
        count = len(repo.active_tasks(session=session, plan_id=plan.id))
        raise NotFound(f"没有第{key}项任务（当前计划共 {count} 项）。")
    return task


def owners(*, session: Session, task_id: int) -> tuple[list[str], list[str]]:
    lead, co = [], []
    for tu, unit in repo.roles_for_task(session=session, task_id=task_id):
        (lead if tu.role == "lead" else co).append(unit.name)
    return lead, co


def task_record(*, session: Session, task: Task) -> dict:
    """Everything about one task, as `duban task N --json` prints it."""
    plan = session.get(Plan, task.plan_id)
    section = session.get(Section, task.section_id) if task.section_id else None
    lead, co = owners(session=session, task_id=task.id)
    deadlines = [
        {
            "id": d.id,
            "date": d.due_date.isoformat() if d.due_date else None,
            "text": d.text,
            "label": d.label,
            "source": d.source,
            "kind": d.kind,
            "certain": d.certain,
            "confirmed": d.confirmed,
        }
        for d in repo.deadlines_for_task(session=session, task_id=task.id)
    ]
    reports = [
        {
            "status": r.status,
            "percent": r.percent,
            "note": r.note,
            "unit": r.unit_id,
            "reporter": r.reporter,
            "at": r.created_at.isoformat(),
        }
        for r in repo.reports_for_task(session=session, task_id=task.id)
    ]
    return {
        "ref": task.ref,
        "plan": {"id": plan.id, "title": plan.title, "year": plan.year} if plan else None,
        "section": section.path if section else "",
        "title": task.title,
        "objective": task.objective,
        "measures": task.measures,
        "lead": lead,
        "co": co,
        "deadlines": deadlines,
        "reports": reports,
        "latest": next((r for r in reversed(reports) if r["status"] != "note"), None),
        "removed": task.removed,
    }
