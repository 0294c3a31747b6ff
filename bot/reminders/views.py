"""Load the policy's view of the store in a handful of queries (never one per task)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session

from bot.deadlines import Recurrence
from bot.reminders.policy import DeadlineView, TaskView
from storage import views as store


def load_task_views(*, session: Session, now: datetime, tz) -> list[TaskView]:
    rows = store.active_tasks_with_year(session=session)
    # Reminders name the plan where an office runs several ("安全生产第3项").
    plans_per_office: dict[int | None, set[int]] = {}
    for t, _year, _end, _short, office in rows:
        plans_per_office.setdefault(office, set()).add(t.plan_id)
    views = {
        t.id: TaskView(t.id, t.ref, t.title, year, [], [], [], period_end=end or year, plan_id=t.plan_id,
                       plan_label=short if len(plans_per_office[office]) > 1 else "")
        for t, year, end, short, office in rows
    }
    if not views:
        return []
    ids = list(views)
    for tu in store.roles_of(session=session, task_ids=ids):
        (views[tu.task_id].lead if tu.role == "lead" else views[tu.task_id].co).append(tu.unit_id)
    for d in store.deadlines_of(session=session, task_ids=ids):
        rec = Recurrence(**json.loads(d.recurrence)) if d.recurrence else None
        views[d.task_id].deadlines.append(
            DeadlineView(d.id, d.due_date, d.text, d.source, d.kind, rec, d.certain or d.confirmed)
        )
    for r in store.reports_of(session=session, task_ids=ids):
        v = views[r.task_id]
        v.last_report = r.created_at.astimezone(tz).date()
        # Done is the lead's word (or an admin's, who reports without a unit); a co-unit finishing its part is not.
        if r.status != "note" and (r.unit_id is None or r.unit_id in v.lead or not v.lead):
            v.done = r.status == "done"
    for s in store.snoozes_of(session=session, task_ids=ids, now=now):
        v = views[s.task_id]
        v.snoozed[s.unit_id] = max(s.until.astimezone(tz), v.snoozed.get(s.unit_id, s.until.astimezone(tz)))
    return list(views.values())


def unit_ids(*, session: Session, names: list[str]) -> list[int]:
    return store.unit_ids_named(session=session, names=names)
