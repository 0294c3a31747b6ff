"""催办 by the office: which units to chase for which tasks, and the pushes to their chats (once a day each)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from bot.nlu import Status
from bot.notify import OutboundMessage, Recipient
from bot.services.notices import queue, unit_chats
from bot.services.vocab import PlanVocab
from storage.outbox import outbox_key


@dataclass
class UnitNudge:
    """One unit to chase: its chats (none: nothing can be sent) and its (task, role) items, in order."""

    unit_id: int
    chats: list[Recipient]
    items: list[tuple[int, str]] = field(default_factory=list)


def open_tasks_of(pv: PlanVocab, unit_id: int) -> list[tuple[int, str]]:
    """(task, role) of each task the unit leads or supports that is not done: the ones it leads first, each in
    plan order."""
    tasks, led = pv.vocab.tasks, pv.vocab.tasks_of(unit_id, "lead")
    open_ids = [t for t in pv.vocab.tasks_of(unit_id) if tasks[t].status is not Status.DONE]
    return [(t, "lead" if t in led else "co") for t in sorted(open_ids, key=lambda t: (t not in led, tasks[t].position))]


def whom(*, session: Session, pv: PlanVocab, task_ids: tuple[int, ...], unit_ids: tuple[int, ...]) -> list[UnitNudge]:
    """A task named chases its lead units (or the units named); a unit named alone, each of its open tasks."""
    vocab, named = pv.vocab, list(unit_ids)
    pairs: list[tuple[int, int, str]] = []
    for tid in task_ids:
        t = vocab.tasks[tid]
        if t.status is Status.DONE:
            continue
        pairs += [(tid, uid, "lead" if uid in t.lead_unit_ids else "co") for uid in named or list(t.lead_unit_ids)]
    if not task_ids:
        pairs += [(tid, uid, role) for uid in named for tid, role in open_tasks_of(pv, uid)]
    by_unit: dict[int, UnitNudge] = {}
    for tid, uid, role in pairs:
        if uid not in by_unit:
            by_unit[uid] = UnitNudge(uid, unit_chats(session=session, unit_id=uid))
        by_unit[uid].items.append((tid, role))
    return list(by_unit.values())


def send(*, session: Session, nudge: UnitNudge, message: OutboundMessage, task_id: int | None, now: datetime,
         today: date) -> int:
    """The message to each of the unit's chats, once per task, unit and day; how many were queued."""
    queued = 0
    for r in nudge.chats:
        queued += queue(session=session, recipient=r, message=message, task_id=task_id, kind="nudge", now=now,
                        today=today, key=outbox_key(task_id=task_id, topic=f"nudge:{nudge.unit_id}",
                                                    recipient=r.key(), kind="nudge", occurrence=today.isoformat()))
    return queued
