"""Load the policy's view of the store in a handful of queries (never one per task)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from bot.deadlines import Recurrence
from bot.reminders.policy import DeadlineView, Supervisors, TaskView
from storage import views as store
from storage.items import ITEMS as ITEM_PLAN


def load_task_views(*, session: Session, now: datetime, tz) -> list[TaskView]:
    """Every live task of every open plan as of `now` (board, ledger, bulletin).

    The state is read off the task rows (kept current by each report), so the cost does not grow with the
    report history; only an `as of` earlier than the newest report (a past period's bulletin) reads the
    history, up to `now`.
    """
    rows = store.active_tasks_with_year(session=session)
    views = _views(session, rows, tz)
    if not views:
        return []
    _attach(session, views, now, tz, None)
    newest = max((t.last_report_at for t, *_ in rows if t.last_report_at is not None), default=None)
    if newest is None or newest <= now:
        for t, *_ in rows:
            v = views[t.id]
            v.done = t.done
            v.review_pending = t.review_pending
            v.last_report = t.last_report_at.astimezone(tz).date() if t.last_report_at else None
        return list(views.values())
    for r in store.reports_of(session=session):
        v = views.get(r.task_id)
        if v is None or r.created_at > now:
            continue
        v.last_report = r.created_at.astimezone(tz).date()
        # Done is the lead's word (or an admin's, who reports without a unit); a co-unit finishing its part is not.
        if r.status != "note" and (r.unit_id is None or r.unit_id in v.lead or not v.lead):
            v.done = r.status == "done"
    return list(views.values())


def load_views_of(*, session: Session, task_ids: Sequence[int], now: datetime, tz,
                  cache: dict[int, tuple | None] | None = None, lights: bool = False) -> list[TaskView]:
    """The views of one batch of tasks (live tasks of open plans only), state read off the task rows, in plan
    order. `cache` (kept by the caller for one sweep, which changes no task): task id → (plan, position, view),
    or None for a task not live; tasks already in it are not read again. `lights`: only what a traffic light
    reads (no snoozes, no plan labels), two statements fewer for a chat's 进展 answer."""
    wanted = task_ids if cache is None else [t for t in task_ids if t not in cache]
    rows = store.task_rows(session=session, task_ids=wanted) if wanted else []
    views = {}
    if rows:
        plans = {} if lights else store.open_plans_per_office(session=session)
        for (task_id, plan_id, position, ref, title, done, last_report_at, review_pending, year, period_end,
             short_name, office_id, created_at, kind) in rows:  # unpacked: a Row's attributes cost more than its items
            views[task_id] = TaskView(task_id, ref, title, year, [], [], [], done=done, review_pending=review_pending,
                                      starts=created_at.astimezone(tz).date(),
                                      last_report=last_report_at.astimezone(tz).date() if last_report_at else None,
                                      period_end=period_end or year, plan_id=plan_id, office_id=office_id,
                                      plan_label=short_name if plans.get(office_id, 0) > 1 else "",
                                      item_word=short_name if kind == ITEM_PLAN else "")
            if cache is not None:
                cache[task_id] = (plan_id, position, views[task_id])
        _attach(session, views, now, tz, list(views), snoozes=not lights)
    if cache is None:
        return list(views.values())
    for t in wanted:
        cache.setdefault(t, None)
    got = [c for t in dict.fromkeys(task_ids) if (c := cache[t]) is not None]
    got.sort(key=lambda c: (c[0], c[1]))  # (plan_id, position), as task_rows orders them
    return [c[2] for c in got]


def _views(session: Session, rows, tz) -> dict[int, TaskView]:
    seen: dict[int | None, set[int]] = {}
    for t, _year, _end, _short, office, _kind in rows:
        seen.setdefault(office, set()).add(t.plan_id)
    plans_per_office = {office: len(ids) for office, ids in seen.items()}
    # Reminders name the plan where an office runs several ("安全生产第3项").
    return {
        t.id: TaskView(t.id, t.ref, t.title, year, [], [], [], period_end=end or year, plan_id=t.plan_id,
                       office_id=office, starts=t.created_at.astimezone(tz).date(),
                       plan_label=short if plans_per_office.get(office, 0) > 1 else "",
                       item_word=short if kind == ITEM_PLAN else "")
        for t, year, end, short, office, kind in rows
    }


def _attach(session: Session, views: dict[int, TaskView], now: datetime, tz, ids: list[int] | None,
            snoozes: bool = True) -> None:
    """Owners, deadlines in force and running snoozes (unless not wanted): of `ids`, or of every live task when
    None."""
    for task_id, unit_id, role, _position in store.roles_of(session=session, task_ids=ids):
        if (v := views.get(task_id)) is not None:
            {"lead": v.lead, "co": v.co, "leader": v.leaders}.get(role, v.co).append(unit_id)
    for (deadline_id, task_id, due_date, text, source, kind, recurrence, certain, confirmed,
         label) in store.deadlines_of(session=session, task_ids=ids):
        if (v := views.get(task_id)) is None:
            continue
        rec = Recurrence(**json.loads(recurrence)) if recurrence else None
        v.deadlines.append(DeadlineView(deadline_id, due_date, text, source, kind, rec, certain or confirmed, label))
    for s in store.snoozes_of(session=session, now=now, task_ids=ids) if snoozes else ():
        if (v := views.get(s.task_id)) is None:
            continue
        until = s.until.astimezone(tz)
        v.snoozed[s.unit_id] = max(until, v.snoozed.get(s.unit_id, until))
    if snoozes and ids is not None:  # what each unit said (bot.reminders.said): the sweep's views only
        for r in store.unit_reports_of(session=session, now=now, task_ids=ids):
            if (v := views.get(r.task_id)) is not None:
                v.said[r.unit_id] = r.created_at.astimezone(tz).date()


def unit_ids(*, session: Session, names: list[str]) -> list[int]:
    return store.unit_ids_named(session=session, names=names)


def supervisors_of(*, session: Session, names: list[str]) -> Supervisors:
    """The units (and leaders) of these names in every office, each knowing its office."""
    return Supervisors(store.units_named_with_office(session=session, names=names))
