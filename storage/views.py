"""Batch reads for the reminder engine: every active task and what hangs off it, in a handful of queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import Deadline, Plan, Snooze, StatusReport, Task, TaskUnit, Unit


def active_tasks_with_year(*, session: Session) -> list[tuple[Task, int, int | None, str, int | None]]:
    """Every live task of every open plan with its plan's year, last year, short name and office, in plan order."""
    stmt = (select(Task, Plan.year, Plan.period_end, Plan.short_name, Plan.office_id)
            .join(Plan, col(Plan.id) == Task.plan_id)
            .where(Plan.active, col(Task.removed).is_(False)).order_by(Task.plan_id, Task.position))
    return list(session.exec(stmt).all())


def roles_of(*, session: Session, task_ids: Sequence[int]) -> list[TaskUnit]:
    stmt = select(TaskUnit).where(col(TaskUnit.task_id).in_(task_ids)).order_by(TaskUnit.position)
    return list(session.exec(stmt).all())


def deadlines_of(*, session: Session, task_ids: Sequence[int]) -> list[Deadline]:
    return list(session.exec(select(Deadline).where(col(Deadline.task_id).in_(task_ids), Deadline.active)).all())


def reports_of(*, session: Session, task_ids: Sequence[int]) -> list[StatusReport]:
    """Reports of these tasks, oldest first."""
    stmt = (select(StatusReport).where(col(StatusReport.task_id).in_(task_ids))
            .order_by(col(StatusReport.created_at), StatusReport.id))
    return list(session.exec(stmt).all())


def snoozes_of(*, session: Session, task_ids: Sequence[int], now: datetime) -> list[Snooze]:
    """Snoozes of these tasks still running at `now`."""
    stmt = select(Snooze).where(col(Snooze.task_id).in_(task_ids), col(Snooze.until) > now)
    return list(session.exec(stmt).all())


def unit_ids_named(*, session: Session, names: Sequence[str]) -> list[int]:
    if not names:
        return []
    return [u.id for u in session.exec(select(Unit).where(col(Unit.name).in_(names))).all()]
