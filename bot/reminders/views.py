"""Load the policy's view of the store in a handful of queries (never one per task)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, col, select

from bot.deadlines import Recurrence
from jobs.policy import DeadlineView, TaskView
from storage.models import Deadline, Plan, Snooze, StatusReport, Task, TaskUnit, Unit


def load_task_views(*, session: Session, now: datetime, tz) -> list[TaskView]:
    rows = session.exec(
        select(Task, Plan.year)
        .join(Plan, col(Plan.id) == Task.plan_id)
        .where(Plan.active, col(Task.removed).is_(False))
        .order_by(Task.plan_id, Task.position)
    ).all()
    views = {t.id: TaskView(t.id, t.ref, t.title, year, [], [], []) for t, year in rows}
    if not views:
        return []
    ids = list(views)
    for tu in session.exec(select(TaskUnit).where(col(TaskUnit.task_id).in_(ids)).order_by(TaskUnit.position)).all():
        (views[tu.task_id].lead if tu.role == "lead" else views[tu.task_id].co).append(tu.unit_id)
    for d in session.exec(select(Deadline).where(col(Deadline.task_id).in_(ids), Deadline.active)).all():
        rec = Recurrence(**json.loads(d.recurrence)) if d.recurrence else None
        views[d.task_id].deadlines.append(
            DeadlineView(d.id, d.due_date, d.text, d.source, d.kind, rec, d.certain or d.confirmed)
        )
    reports = session.exec(
        select(StatusReport).where(col(StatusReport.task_id).in_(ids)).order_by(col(StatusReport.created_at), StatusReport.id)
    ).all()
    for r in reports:
        v = views[r.task_id]
        v.last_report = r.created_at.astimezone(tz).date()
        # Done is the lead's word (or an admin's, who reports without a unit); a co-unit finishing its part is not.
        if r.status != "note" and (r.unit_id is None or r.unit_id in v.lead or not v.lead):
            v.done = r.status == "done"
    for s in session.exec(select(Snooze).where(col(Snooze.task_id).in_(ids), col(Snooze.until) > now)).all():
        v = views[s.task_id]
        v.snoozed[s.unit_id] = max(s.until.astimezone(tz), v.snoozed.get(s.unit_id, s.until.astimezone(tz)))
    return list(views.values())


def unit_ids(*, session: Session, names: list[str]) -> list[int]:
    if not names:
        return []
    found = session.exec(select(Unit).where(col(Unit.name).in_(names))).all()
    return [u.id for u in found]
