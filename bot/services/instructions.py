"""A leader's instruction (批示) on a task or item: logged, its time limit made a deadline, answered by the next report.

The chat layer sends the words on (to the lead and co units and the office) and, after a report is recorded on
a task with an instruction still waiting, sends that report to the leader (`answered`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.nlu.items import read_time_limit
from bot.reminders.schedule import reschedule
from bot.services.errors import UserError
from storage import items as store
from storage import repo
from storage.models import AuditLog, Deadline, ItemInstruction, StatusReport, Task, Unit

# Words that only acknowledge: logged, but they tell nobody anything.
_ACK = re.compile(r"^(?:已?阅|已?知悉|同意|收到|圈阅|好的?|可|可以|已批|拟同意|阅示)[。.!！]*$")
REPORTS_KEY = "duban.reports"  # session.info: the reports this unit of work recorded (see record_report)


def is_ack(words: str) -> bool:
    """True for "阅", "已阅", "同意" and the like."""
    return bool(_ACK.match(words.strip()))


@dataclass(frozen=True)
class Given:
    """An instruction logged: whether it tells anyone, the deadline it set, and who must hear it."""

    row: ItemInstruction
    due: date | None
    due_text: str
    lead: list[Unit]
    co: list[Unit]


def give(*, session: Session, task: Task, leader: Unit, words: str, today: date, now: datetime,
         actor: str) -> Given:
    """Log a leader's words on a task; a time limit in them ("月底前报结果") becomes one of its deadlines."""
    words = words.strip()
    if not words:
        raise UserError("批示内容是空的，请写上批示的话，如：第12项批示：抓紧推进，月底前报结果。")
    ack = is_ack(words)
    due, due_text = (None, "") if ack else read_time_limit(words, today=today)
    row = ItemInstruction(task_id=task.id, leader_unit_id=leader.id, author=leader.name, words=words, due_date=due,
                          notifies=not ack, created_at=now)
    session.add(row)
    if due is not None:
        session.add(Deadline(task_id=task.id, due_date=due, text=words, label=f"批示：{due_text}", source="manual",
                             kind="once", certain=True, confirmed=True, created_at=now))
    session.add(AuditLog(at=now, actor=actor, action="item.instruction", detail=f"{task.id}: {words}"))
    session.flush()
    if due is not None:
        reschedule(session=session, task_ids=[task.id], now=now)
    lead, co = [], []
    for tu, unit in repo.roles_for_task(session=session, task_id=task.id):
        (lead if tu.role == "lead" else co if tu.role == "co" else []).append(unit)
    return Given(row, due, due_text, lead, co)


def note_report(session: Session, report: StatusReport) -> None:
    """Remember a report recorded in this unit of work, so the chat layer can answer the leaders waiting on it."""
    session.info.setdefault(REPORTS_KEY, []).append(report)


def answered(*, session: Session, now: datetime) -> list[tuple[ItemInstruction, StatusReport]]:
    """The waiting instructions the reports of this unit of work answer, marked answered: (instruction, report)."""
    out = []
    for report in session.info.pop(REPORTS_KEY, []):
        for row in store.awaiting_answer(session=session, task_id=report.task_id):
            if row.created_at <= report.created_at:
                row.answered_at = now
                session.add(row)
                out.append((row, report))
    return out
