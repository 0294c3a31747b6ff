"""Status reports and evidence: what units said and sent about their tasks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Integer, bindparam
from sqlmodel import Session, col, func, select

from storage.models import (
    Evidence,
    StatusReport,
    Task,
)
from storage.prebuilt import prebuilt
from storage.views import core_rows


def reports_for_task(*, session: Session, task_id: int) -> list[StatusReport]:
    stmt = select(StatusReport).where(StatusReport.task_id == task_id)
    return list(session.exec(stmt.order_by(col(StatusReport.created_at), StatusReport.id)).all())


@prebuilt
def _newest_reports(_dialect: str, status_only: bool):
    stmt = select(StatusReport).where(StatusReport.task_id == bindparam("task"))
    if status_only:
        stmt = stmt.where(StatusReport.status != "note")
    return (stmt.order_by(col(StatusReport.created_at).desc(), col(StatusReport.id).desc())
            .limit(bindparam("n", type_=Integer)))


def newest_reports(*, session: Session, task_id: int, n: int, status_only: bool = False) -> list[StatusReport]:
    """The task's `n` newest reports (only those that set a status, with `status_only`), oldest first: what a
    chat answer shows, whatever the history's length."""
    found = session.exec(_newest_reports(session, status_only), params={"task": task_id, "n": n}).all()
    return list(reversed(found))


def latest_reports(*, session: Session, task_ids: Sequence[int]) -> dict[int, StatusReport]:
    """Task id → its newest status report (not plain notes)."""
    if not task_ids:
        return {}
    stmt = (
        select(StatusReport)
        .where(col(StatusReport.task_id).in_(task_ids), StatusReport.status != "note")
        .order_by(col(StatusReport.created_at), StatusReport.id)
    )
    out: dict[int, StatusReport] = {}
    for r in session.exec(stmt).all():
        out[r.task_id] = r
    return out


def latest_notes(*, session: Session, task_ids: Sequence[int]) -> dict[int, str]:
    """Task id → the newest non-empty report note."""
    if not task_ids:
        return {}
    stmt = (
        select(StatusReport.task_id, StatusReport.note)
        .where(col(StatusReport.task_id).in_(task_ids), StatusReport.note != "")
        .order_by(col(StatusReport.created_at), StatusReport.id)
    )
    return {task_id: note for task_id, note in session.exec(stmt).all()}


def reports_for_tasks(*, session: Session, task_ids: Sequence[int]) -> list[StatusReport]:
    """Every report (notes too) of these tasks, oldest first, in one query."""
    if not task_ids:
        return []
    stmt = (select(StatusReport).where(col(StatusReport.task_id).in_(task_ids))
            .order_by(col(StatusReport.created_at), StatusReport.id))
    return list(session.exec(stmt).all())


def last_report_by_unit(*, session: Session, task_ids: Sequence[int]) -> dict[tuple[int, int], datetime]:
    """(task id, unit id) → when that unit last reported on that task (any kind, notes too), in one query."""
    if not task_ids:
        return {}
    stmt = (
        select(StatusReport.task_id, StatusReport.unit_id, func.max(StatusReport.created_at))
        .where(col(StatusReport.task_id).in_(task_ids), col(StatusReport.unit_id).is_not(None))
        .group_by(StatusReport.task_id, StatusReport.unit_id)
    )
    return {(task_id, unit_id): at for task_id, unit_id, at in session.exec(stmt).all()}


@prebuilt
def _evidence_of(_dialect: str):
    return (select(Evidence).where(Evidence.task_id == bindparam("task"))
            .order_by(col(Evidence.created_at), Evidence.id))


def evidence_of(*, session: Session, task_id: int) -> list[Evidence]:
    """A task's evidence, oldest first."""
    return list(session.exec(_evidence_of(session), params={"task": task_id}).all())


def evidence_counts(*, session: Session, task_ids: Sequence[int]) -> dict[tuple[int, int | None], int]:
    """(task id, unit id) → how many pieces of evidence that unit sent for that task."""
    if not task_ids:
        return {}
    stmt = (select(Evidence.task_id, Evidence.unit_id, func.count())
            .where(col(Evidence.task_id).in_(task_ids)).group_by(Evidence.task_id, Evidence.unit_id))
    return {(t, u): n for t, u, n in session.exec(stmt).all()}


def latest_report_of(*, session: Session, task_id: int, unit_id: int | None) -> StatusReport | None:
    """The newest report one unit (or an admin, unit None) made on a task."""
    stmt = select(StatusReport).where(StatusReport.task_id == task_id)
    stmt = stmt.where(StatusReport.unit_id == unit_id) if unit_id is not None else stmt.where(
        col(StatusReport.unit_id).is_(None))
    return session.exec(stmt.order_by(col(StatusReport.created_at).desc(), col(StatusReport.id).desc())).first()


def reports_since(*, session: Session, since: datetime) -> list[StatusReport]:
    """Reports filed after `since` (a week's changes), oldest first."""
    stmt = select(StatusReport).where(col(StatusReport.created_at) > since)
    return list(session.exec(stmt.order_by(col(StatusReport.created_at), StatusReport.id)).all())


def reports_after(*, session: Session, after_id: int) -> list[tuple[int, int, int | None, str, datetime]]:
    """(id, task id, unit id, status, created at) of every report with an id above `after_id`, oldest first."""
    return _report_rows(session, col(StatusReport.id) > after_id)


def plan_reports_with_ids(*, session: Session,
                          plan_ids: Sequence[int]) -> list[tuple[int, int, int | None, str, datetime]]:
    """(id, task id, unit id, status, created at) of every report on these plans' tasks, oldest first."""
    on_plans = col(StatusReport.task_id).in_(select(Task.id).where(col(Task.plan_id).in_(list(plan_ids) or [-1])))
    return _report_rows(session, on_plans)


def _report_rows(session: Session, where) -> list[tuple[int, int, int | None, str, datetime]]:
    stmt = (select(StatusReport.id, StatusReport.task_id, StatusReport.unit_id, StatusReport.status,
                   StatusReport.created_at).where(where).order_by(col(StatusReport.created_at), StatusReport.id))
    return [tuple(r) for r in core_rows(session, stmt)]
