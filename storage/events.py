"""The closing loop's record: task events (签收, 退回, 申请办结, 通过…) and the tasks awaiting a review."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import literal
from sqlmodel import Session, col, select

from storage.models import Plan, Task, TaskEvent, TaskEventKind

_LIVE = (col(Plan.active), col(Task.removed).is_(False))
# Written into the SQL ("= 1" on SQLite, "= true" on PostgreSQL), so either planner can prove the condition of
# ix_task_review_pending, the partial index holding just these tasks.
_REVIEW_PENDING = col(Task.review_pending) == literal(True, literal_execute=True)


def add_event(*, session: Session, task_id: int, kind: TaskEventKind, unit_id: int | None, actor: str, note: str,
              at: datetime) -> TaskEvent:
    """Append one event (never overwritten)."""
    event = TaskEvent(task_id=task_id, kind=kind, unit_id=unit_id, actor=actor, note=note, at=at)
    session.add(event)
    return event


def events_of(*, session: Session, task_ids: Sequence[int]) -> list[TaskEvent]:
    """The events of these tasks, oldest first."""
    if not task_ids:
        return []
    stmt = (select(TaskEvent).where(col(TaskEvent.task_id).in_(list(task_ids)))
            .order_by(TaskEvent.at, TaskEvent.id))
    return list(session.exec(stmt).all())


def events_between(*, session: Session, start: datetime, end: datetime,
                   office_id: int | None = None) -> list[TaskEvent]:
    """Every event in [start, end) of the office's tasks (every office when None), oldest first."""
    stmt = (select(TaskEvent).join(Task, col(Task.id) == TaskEvent.task_id)
            .join(Plan, col(Plan.id) == Task.plan_id)
            .where(col(TaskEvent.at) >= start, col(TaskEvent.at) < end))
    if office_id is not None:
        stmt = stmt.where(Plan.office_id == office_id)
    return list(session.exec(stmt.order_by(TaskEvent.at, TaskEvent.id)).all())


def awaiting_review(*, session: Session, office_id: int | None = None) -> list[tuple[Task, Plan]]:
    """Live tasks of open plans whose 申请办结 awaits review, the oldest request first."""
    # Each sweep asks this; the ids come first from the partial index alone, since a planner that weighs the
    # join may prefer another index and read every task (25 ms at 100,000 tasks), and mostly there are none.
    ids = list(session.exec(select(Task.id).where(_REVIEW_PENDING)).all())
    if not ids:
        return []
    stmt = (select(Task, Plan).join(Plan, col(Plan.id) == Task.plan_id)
            .where(col(Task.id).in_(ids), *_LIVE))
    if office_id is not None:
        stmt = stmt.where(Plan.office_id == office_id)
    return list(session.exec(stmt.order_by(Task.applied_at, Task.id)).all())


def receipts(*, session: Session, office_id: int | None = None) -> list[tuple[TaskEvent, TaskEvent | None]]:
    """Each 签收 asked of a lead unit on a live task, with that unit's 签收 (None while unsigned), oldest first."""
    stmt = (select(TaskEvent).join(Task, col(Task.id) == TaskEvent.task_id).join(Plan, col(Plan.id) == Task.plan_id)
            .where(col(TaskEvent.kind).in_([TaskEventKind.ASK_SIGN, TaskEventKind.SIGN]), *_LIVE))
    if office_id is not None:
        stmt = stmt.where(Plan.office_id == office_id)
    asked: dict[tuple[int, int | None], TaskEvent] = {}
    signed: dict[tuple[int, int | None], TaskEvent] = {}
    for e in session.exec(stmt.order_by(TaskEvent.at, TaskEvent.id)).all():
        book = asked if e.kind == TaskEventKind.ASK_SIGN else signed
        book.setdefault((e.task_id, e.unit_id), e)
    return [(a, signed.get(k)) for k, a in asked.items()]
