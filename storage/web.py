"""What the web board reads and writes itself: link revocations, a window of reports, a task's reminders, the
offices' boards as last worked out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.db import conflict_insert
from storage.models import (
    BoardSnapshot,
    Deferral,
    Evidence,
    ItemInstruction,
    Outbox,
    Plan,
    StatusReport,
    Task,
    TaskEvent,
    TaskEventKind,
    WebRevocation,
)
from storage.prebuilt import among


def revoke(*, session: Session, holder: str, now: datetime) -> None:
    """Links of `holder` issued before `now` stop opening (a second revocation moves the instant on)."""
    stmt = conflict_insert(session, WebRevocation).values(holder=holder, revoked_at=now)
    session.execute(stmt.on_conflict_do_update(index_elements=["holder"], set_={"revoked_at": now}))


def revoked_at(*, session: Session, holder: str) -> datetime | None:
    """When `holder`'s links were last revoked, or None."""
    row = session.get(WebRevocation, holder)
    return row.revoked_at if row else None


def reports_between(*, session: Session, task_ids: Sequence[int], since: datetime,
                    until: datetime) -> list[tuple[int, int | None, str, str, datetime]]:
    """(task id, unit id, status, note, at) of the reports on these tasks within [since, until), oldest first."""
    dialect = session.get_bind().dialect.name
    stmt = (select(StatusReport.task_id, StatusReport.unit_id, StatusReport.status, StatusReport.note,
                   StatusReport.created_at)
            .where(among(dialect, col(StatusReport.task_id), ids=list(task_ids)),
                   col(StatusReport.created_at) >= since, col(StatusReport.created_at) < until)
            .order_by(col(StatusReport.created_at), StatusReport.id))
    return [tuple(r) for r in session.execute(stmt).all()]


def reminders_of(*, session: Session, task_id: int, limit: int = 50) -> list[Outbox]:
    """The task's reminders (outbox rows), newest first."""
    stmt = (select(Outbox).where(Outbox.task_id == task_id)
            .order_by(col(Outbox.created_at).desc(), col(Outbox.id).desc()).limit(limit))
    return list(session.exec(stmt).all())


def evidence_rows(*, session: Session, task_id: int) -> list[Evidence]:
    """The task's evidence rows (who sent what), oldest first."""
    return list(session.exec(select(Evidence).where(Evidence.task_id == task_id).order_by(Evidence.id)).all())


def deferrals_of(*, session: Session, task_id: int) -> list[Deferral]:
    """The task's 延期 requests and decisions, oldest first."""
    return list(session.exec(select(Deferral).where(Deferral.task_id == task_id).order_by(Deferral.id)).all())


def office_task_ids(*, session: Session, office_id: int | None) -> list[int]:
    """The live tasks of the office's open plans, by plan and position, in one statement."""
    stmt = (select(Task.id).join(Plan, col(Plan.id) == Task.plan_id)
            .where(Plan.office_id == office_id, Plan.active, col(Task.removed).is_(False))
            .order_by(Task.plan_id, Task.position))
    return list(session.exec(stmt).all())


def snapshot_of(*, session: Session, office_key: int) -> BoardSnapshot | None:
    """The office's board as last worked out, or None."""
    return session.get(BoardSnapshot, office_key, populate_existing=True)


def snapshot_stamp(*, session: Session, office_key: int) -> tuple[date, str] | None:
    """The day and version of the office's kept board, its data left unread (the sweep's tick asks every time)."""
    row = session.execute(select(BoardSnapshot.day, BoardSnapshot.version)
                          .where(BoardSnapshot.office_key == office_key)).first()
    return (row[0], row[1]) if row else None


def keep_snapshot(*, session: Session, office_key: int, day: date, version: str, data: str, now: datetime) -> None:
    """Store the office's board, replacing the one kept (two processes writing at once: the later one wins)."""
    values = {"day": day, "version": version, "data": data, "built_at": now}
    stmt = conflict_insert(session, BoardSnapshot).values(office_key=office_key, **values)
    session.execute(stmt.on_conflict_do_update(index_elements=["office_key"], set_=values))


def returns_and_instructions(*, session: Session, task_ids: Sequence[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Of these tasks: how often each was sent back by the office's review (审核退回), and how many leaders'
    instructions (批示) each has; tasks with none are left out. Two statements, whatever the number of tasks."""
    dialect = session.get_bind().dialect.name
    returns = select(Task.id, Task.returns).where(among(dialect, col(Task.id), ids=list(task_ids)),
                                                  col(Task.returns) > 0)
    said = (select(ItemInstruction.task_id, func.count())
            .where(among(dialect, col(ItemInstruction.task_id), ids=list(task_ids)))
            .group_by(ItemInstruction.task_id))
    return dict(session.execute(returns).all()), dict(session.execute(said).all())


def declines_by_unit(*, session: Session, task_ids: Sequence[int]) -> dict[int, int]:
    """Of these tasks: how many each unit handed back to the office as not its own (退回, 不属于本单位), counted on
    the unit that did it, whoever leads the task now; one statement."""
    dialect = session.get_bind().dialect.name
    stmt = (select(TaskEvent.unit_id, func.count())
            .where(among(dialect, col(TaskEvent.task_id), ids=list(task_ids)),
                   TaskEvent.kind == TaskEventKind.DECLINE, col(TaskEvent.unit_id).is_not(None))
            .group_by(TaskEvent.unit_id))
    return dict(session.execute(stmt).all())


def board_marks(*, session: Session) -> tuple[int, int]:
    """The newest closing-loop event and leader's instruction (their ids): a 审核通过, 退回 or 批示 changes the
    board without a report or a date, so a kept board checks these beside the store's change counters."""
    row = session.execute(select(select(func.max(TaskEvent.id)).scalar_subquery(),
                                 select(func.max(ItemInstruction.id)).scalar_subquery())).one()
    return row[0] or 0, row[1] or 0
