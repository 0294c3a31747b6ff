"""The ledger's closing-loop part: per task 签收/申请办结/销号 times and 退回 count, and every event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.services.tasks import EventLine, event_lines
from storage import events
from storage.models import Task


@dataclass(frozen=True)
class ClosingRow:
    """One task's closing loop: when its lead signed, asked to close and was closed (销号), and its returns."""

    ref: str
    title: str
    lead: list[str]
    signed_at: datetime | None
    applied_at: datetime | None
    closed_at: datetime | None  # only while the task is closed
    returns: int
    light: str


@dataclass(frozen=True)
class EventRow:
    """One event of one task, for the 办结记录 sheet."""

    ref: str
    title: str
    event: EventLine


def closing_part(*, session: Session, settings: Settings, pairs: list) -> tuple[list[ClosingRow], list[EventRow]]:
    """The rows for (view, light) `pairs` — empty under closure = "self" with no event recorded, so such a ledger
    keeps the three sheets it always had."""
    ids = [v.id for v, _ in pairs]
    if settings.supervision.closure != "review" and not events.events_of(session=session, task_ids=ids):
        return [], []
    rows, out = [], []
    for v, t in pairs:
        task = session.get(Task, v.id)
        rows.append(ClosingRow(v.ref, v.title, t.lead, task.signed_at, task.applied_at,
                               task.closed_at if task.done else None, task.returns or 0, t.light))
        out += [EventRow(v.ref, v.title, e) for e in event_lines(session=session, task_id=v.id)]
    out.sort(key=lambda r: r.event.at)
    return rows, out
