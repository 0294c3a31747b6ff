"""The progress ledger (台账) as data: one row per task with its light, latest status and note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.config import Settings
from bot.services.board import TaskLight, board
from bot.workdays import WorkCalendar
from storage import repo
from storage.models import ReportStatus


@dataclass(frozen=True)
class LedgerRow:
    """One task of the ledger."""

    light: TaskLight
    due: date | None
    status: ReportStatus | None  # None: no report yet
    percent: int | None
    note: str
    reported_at: datetime | None


def ledger_rows(*, session: Session, now: datetime, settings: Settings, calendar: WorkCalendar) -> list[LedgerRow]:
    """The ledger of the current plan as of `now`."""
    lights = board(session=session, now=now, settings=settings, calendar=calendar)
    ids = [t.task_id for t in lights]
    latest = repo.latest_reports(session=session, task_ids=ids)
    notes = repo.latest_notes(session=session, task_ids=ids)
    rows = []
    for t in lights:
        r = latest.get(t.task_id)
        rows.append(LedgerRow(t, t.overdue_since or t.next_deadline, ReportStatus(r.status) if r else None,
                              r.percent if r else None, notes.get(t.task_id, ""), r.created_at if r else None))
    return rows
