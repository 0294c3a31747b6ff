"""Answers to "who owns what": the data behind `duban units/tasks/task` and the chat questions."""

from __future__ import annotations

from sqlmodel import Session

from bot.services.tasks import owners, require_plan, require_task, task_record
from bot.services.units import require_unit
from storage import repo


def unit_overview(*, session: Session) -> list[dict]:
    counts = repo.role_counts(session=session)
    rows = []
    for unit in sorted(repo.units_by_name(session=session).values(), key=lambda u: u.id):
        c = counts.get(unit.id, {"lead": 0, "co": 0})
        rows.append(
            {"name": unit.name, "aliases": repo.aliases_of(session=session, unit_id=unit.id), "lead": c["lead"], "co": c["co"]}
        )
    return rows


def _brief(session: Session, task, role: str | None = None) -> dict:
    lead, co = owners(session=session, task_id=task.id)
    out = {"ref": task.ref, "title": task.title, "lead": lead, "co": co}
    if role:
        out["role"] = role
    return out


def unit_tasks(*, session: Session, unit: str | None, role: str | None = None, aliases: dict[str, str] | None = None) -> dict:
    """Tasks of one unit (lead and co, or one role), or every task of the current plan."""
    if unit is None:
        plan = require_plan(session=session)
        tasks = [_brief(session, t) for t in repo.active_tasks(session=session, plan_id=plan.id)]
        return {"unit": None, "role": role, "tasks": tasks}
    found = require_unit(session=session, name=unit, aliases=aliases)
    rows = repo.tasks_for_unit(session=session, unit_id=found.id, role=role)
    return {
        "unit": found.name,
        "aliases": repo.aliases_of(session=session, unit_id=found.id),
        "role": role,
        "tasks": [_brief(session, t, r) for t, r in rows],
    }


def task_detail(*, session: Session, ref: str) -> dict:
    return task_record(session=session, task=require_task(session=session, ref=ref))
