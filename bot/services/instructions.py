"""A leader's instruction (批示) on a task or item: logged, its time limit made a deadline, answered by the next report.

The chat layer sends the words on (to the lead and co units and the office). The next report recorded on the task,
from whatever path records it (bot.services.reports.record_report: chat words, taps, notes, `duban report`), goes
to each leader whose instruction still waits (`answer_report`), once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.nlu.items import impossible_date, read_time_limit
from bot.notify import OutboundMessage, Recipient
from bot.reminders.schedule import reschedule
from bot.services import notices
from bot.services.errors import UserError
from bot.services.records import item_word
from bot.services.status_words import STATUS_CN
from bot.workdays import WorkCalendar
from storage import items as store
from storage import repo
from storage.models import (
    AuditLog,
    Deadline,
    ItemInstruction,
    Plan,
    StatusReport,
    Task,
    Unit,
    UnitKind,
)
from storage.outbox import outbox_key

# Words that only acknowledge: logged, but they tell nobody anything.
_ACK = re.compile(r"^(?:已?阅|已?知悉|同意|收到|圈阅|好的?|可|可以|已批|拟同意|阅示)[。.!！]*$")


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


def give(*, session: Session, task: Task, leader: Unit | None, words: str, today: date, now: datetime,
         calendar: WorkCalendar, actor: str, author: str = "") -> Given:
    """Log a leader's words on a task; a time limit in them ("月底前报结果") becomes one of its deadlines.

    `leader`: the bound leader who wrote (or whom the office's words name), who hears the next report; None when
    the office records words of a leader duban does not know, in `author`'s name."""
    words = words.strip()
    if not words:
        raise UserError("批示内容是空的，请写上批示的话，如：第12项批示：抓紧推进，月底前报结果。")
    bad = impossible_date(words)
    if bad:
        raise UserError(f"批示中的“{bad}”不是有效的日期，未记录。请改正日期后重新发送，如：第12项批示：10月31日前报结果。")
    ack = is_ack(words)
    due, due_text = (None, "") if ack else read_time_limit(words, today=today, calendar=calendar)
    row = ItemInstruction(task_id=task.id, leader_unit_id=leader.id if leader else None,
                          author=author or (leader.name if leader else ""), words=words, due_date=due,
                          notifies=not ack, created_at=now)
    session.add(row)
    if due is not None:
        session.add(Deadline(task_id=task.id, due_date=due, text=words, label=f"批示：{due_text}", source="manual",
                             kind="once", certain=True, confirmed=True, created_at=now))
    session.add(AuditLog(at=now, actor=actor, action="item.instruction", detail=f"{task.id}: {row.author}: {words}"))
    session.flush()
    if due is not None:
        reschedule(session=session, task_ids=[task.id], now=now)
    lead, co = [], []
    for tu, unit in repo.roles_for_task(session=session, task_id=task.id):
        (lead if tu.role == "lead" else co if tu.role == "co" else []).append(unit)
    return Given(row, due, due_text, lead, co)


def answer_report(*, session: Session, task: Task, report: StatusReport, now: datetime) -> int:
    """Send `report` to each leader whose instruction on its task waits for one, and mark those answered;
    returns how many messages were queued (each keyed by instruction and report: never twice)."""
    rows = [r for r in store.awaiting_answer(session=session, task_id=task.id) if r.created_at <= report.created_at]
    if not rows:
        return 0
    session.flush()  # the report's id is in the keys
    ref = ref_of(session, task)
    unit = session.get(Unit, report.unit_id).name if report.unit_id else "督办办公室"
    queued = 0
    for row in rows:
        row.answered_at = now
        session.add(row)
        message = OutboundMessage(text=answer_words(row.author, ref, task.title, unit, report))
        for chat in repo.bound_chats(session=session, unit_id=row.leader_unit_id):
            r = Recipient(chat.platform, chat.address)
            queued += notices.queue(session=session, recipient=r, message=message, kind="notice", now=now,
                                    today=now.date(), task_id=task.id,
                                    key=outbox_key(task_id=task.id, topic=f"instruction:{row.id}", recipient=r.key(),
                                                   kind="answer", occurrence=str(report.id)))
    return queued


# The leader's answer is worded here, beside the one write that owes it, so that every path recording a report
# (chat, CLI, a script) sends the same words: services import no renderer (tests/test_layers.py). The statuses'
# names come from the one table the renderer reads too (bot.services.status_words).
def answer_words(leader: str, ref: str, title: str, unit: str, report: StatusReport) -> str:
    """"【批示反馈】张副局长：您批示的批示3「…」有了新反馈——\n安全办：推进中 50%：已排查一半"."""
    pct = f" {report.percent}%" if report.percent is not None else ""
    note = f"：{report.note}" if report.note else ""
    said = f"{STATUS_CN.get(report.status, report.status)}{pct}{note}"
    return f"【批示反馈】{leader}：您批示的{ref}「{title}」有了新反馈——\n{unit}：{said}"


def named_leader(*, session: Session, office_id: int | None, name: str) -> Unit | None:
    """The office's registered leader of exactly this name ("张副局长"), None for a title duban does not know."""
    unit = repo.unit_named(session=session, office_id=office_id, name=name.strip()) if name.strip() else None
    return unit if unit is not None and unit.kind == UnitKind.LEADER else None


def ref_of(session: Session, task: Task) -> str:
    """"批示3" for an item; "第12项" for a plan task (led by its plan's name when the office runs several)."""
    word = item_word(session=session, task=task)
    if word:
        return f"{word}{task.ref}"
    plan = session.get(Plan, task.plan_id)
    several = len(repo.active_plans(session=session, office_id=plan.office_id)) > 1
    return f"{plan.short_name if several else ''}第{task.ref}项"
