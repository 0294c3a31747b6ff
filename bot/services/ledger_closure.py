"""The ledger's closing-loop part: per task 签收/申请办结/销号 times and 退回 count, and every event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.services.tasks import EventLine
from storage import events, repo


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


def closing_part(*, session: Session, plan_id: int, pairs: list) -> tuple[list[ClosingRow], list[EventRow]]:
    """The rows for (view, light) `pairs` of the plan, in three reads whatever its size; empty while no event
    (签收 asked, 申请办结, 退回…) is recorded on them, so such a ledger keeps the three sheets it always had."""
    views = {v.id: v for v, _ in pairs}
    rows = events.events_of(session=session, task_ids=list(views))
    if not rows:
        return [], []
    tasks = {t.id: t for t in repo.all_tasks(session=session, plan_id=plan_id)}
    names = repo.unit_names_of(session=session, unit_ids=list({e.unit_id for e in rows if e.unit_id}))
    closing = []
    for v, light in pairs:
        t = tasks[v.id]
        closing.append(ClosingRow(v.ref, v.title, light.lead, t.signed_at, t.applied_at,
                                  t.closed_at if t.done else None, t.returns or 0, light.light))
    out = [EventRow(views[e.task_id].ref, views[e.task_id].title,
                    EventLine(e.kind, names.get(e.unit_id, "") if e.unit_id else "", e.note, e.actor, e.at))
           for e in rows]
    return closing, out
