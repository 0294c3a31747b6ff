"""办结审核: a lead unit's 已完成 becomes a 申请办结 that a reviewer passes (已销号) or returns (推进中 again).

The decisions change the task and say whom to tell (`Notice`); the caller words each notice (bot.render.
closure_text) and queues it with `push`, as services never word anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.notify import Button, OutboundMessage, Recipient, to_payload
from bot.reminders.schedule import reschedule
from bot.services.binding import Actor, admin_recipients
from bot.services.buttons import Action, sign, signing_key
from bot.services.records import item_word
from bot.workdays import WorkCalendar
from storage import events, repo
from storage.models import AuditLog, Outbox, Plan, ReportStatus, Role, Task, TaskEventKind
from storage.outbox import enqueue, outbox_key


class NotPending(Exception):
    """A decision on a task with no 申请办结 awaiting one (or from the card of an earlier request)."""

    def __init__(self, task: Task) -> None:
        super().__init__(task.ref)
        self.task = task


class NoReason(Exception):
    """A 退回 without its reason."""


class NotReviewer(Exception):
    """Someone who is neither an admin nor a supervisor unit's chat."""


@dataclass
class Notice:
    """Whom to tell what about one task: `what` is card | passed | returned | remind."""

    what: str
    task: Task
    to: list[Recipient]
    topic: str  # names the request, so each notice goes once per request and recipient
    unit: str = ""  # the applying unit
    note: str = ""  # the 办结报告, or the reason of a 退回
    evidence: int = 0
    buttons: list[list[Button]] = field(default_factory=list)
    item_word: str = ""  # a 督办 item's plan's short name: the item is written "会议1"

    @property
    def ref(self) -> str:
        """The task as its notice writes it: "12" (第12项), or "会议1" for a 督办 item."""
        return f"{self.item_word}{self.task.ref}"


def is_reviewer(settings: Settings, actor: Actor) -> bool:
    """Admins, and the chats bound to a supervisor unit (督导室), review 申请办结."""
    return actor.is_admin or (actor.unit is not None and actor.unit.name in settings.reminders.supervisors)


def require_reviewer(settings: Settings, actor: Actor) -> None:
    if not is_reviewer(settings, actor):
        raise NotReviewer("not a reviewer")


def stamp(task: Task) -> str:
    """The request's identity on a card (its time in seconds and the returns before it), so a card of an earlier
    request decides nothing, and its notices are keyed apart from the earlier one's even within a second."""
    return f"{int(task.applied_at.timestamp())}-{task.returns or 0}" if task.applied_at else ""


def review_card(*, session: Session, settings: Settings, task: Task, unit_id: int | None, note: str,
                now: datetime) -> Notice:
    """The 通过 / 退回 card every reviewer gets for the task's 申请办结."""
    key = signing_key(session=session, now=now)
    unit = repo.unit_names_of(session=session, unit_ids=[unit_id]).get(unit_id, "") if unit_id else ""
    return Notice("card", task, reviewers(session=session, settings=settings, task=task), f"review:{stamp(task)}",
                  unit=unit, note=note, evidence=len(repo.evidence_of(session=session, task_id=task.id)),
                  buttons=[[Button("通过", sign(key, Action.REVIEW_PASS, task.id, stamp(task))),
                            Button("退回", sign(key, Action.REVIEW_RETURN, task.id, stamp(task)))]],
                            item_word=item_word(session=session, task=task))


def reviewers(*, session: Session, settings: Settings, task: Task) -> list[Recipient]:
    """The admins and the bound chats of the task's office's supervisor units."""
    office_id = session.get(Plan, task.plan_id).office_id
    ids = [u.id for name in settings.reminders.supervisors
           if (u := repo.unit_named(session=session, office_id=office_id, name=name)) is not None]
    chats = [Recipient.parse(c) for cs in repo.chats_of_units(session=session, unit_ids=ids).values() for c in cs]
    return list(dict.fromkeys(admin_recipients(settings) + chats))


def push(*, session: Session, notice: Notice, text: str, now: datetime) -> int:
    """Queue the worded notice to each of its recipients (once per request); returns how many were queued."""
    payload = to_payload(OutboundMessage(text=text, buttons=notice.buttons))
    n = 0
    for r in notice.to:
        row = Outbox(key=outbox_key(task_id=notice.task.id, topic=notice.topic, recipient=r.key(), kind="notice",
                                    occurrence=""),
                     task_id=notice.task.id, recipient=r.key(), kind="notice", occurrence=now.date().isoformat(),
                     payload=payload, created_at=now, next_attempt_at=now)
        n += enqueue(session=session, row=row)
    return n


def _unit_chats(session: Session, task: Task, roles: set[str]) -> list[Recipient]:
    ids = [tu.unit_id for tu, _u in repo.roles_for_task(session=session, task_id=task.id) if tu.role in roles]
    return [Recipient.parse(c) for cs in repo.chats_of_units(session=session, unit_ids=ids).values() for c in cs]


def _pending_task(task: Task, card: str | None) -> None:
    """A decision needs a request awaiting one (and, from a card, that very request)."""
    if not task.review_pending or (card is not None and card != stamp(task)):
        raise NotPending(task)


def decide_pass(*, session: Session, task: Task, actor: str, now: datetime, card: str | None = None) -> Notice:
    """通过: the task is closed (已销号) and its reminders end; the notice tells its units and leaders."""
    _pending_task(task, card)
    topic = f"review-pass:{stamp(task)}"
    task.review_pending, task.done, task.closed_at = False, True, now
    session.add(task)
    events.add_event(session=session, task_id=task.id, kind=TaskEventKind.PASS, unit_id=None, actor=actor, note="",
                     at=now)
    session.add(AuditLog(at=now, actor=actor, action="review.pass", detail=f"第{task.ref}项"))
    reschedule(session=session, task_ids=[task.id], now=now)
    return Notice("passed", task, _unit_chats(session, task, {Role.LEAD, Role.CO, Role.LEADER}), topic,
                  item_word=item_word(session=session, task=task))


def decide_return(*, session: Session, task: Task, actor: str, reason: str, now: datetime,
                  card: str | None = None) -> Notice:
    """退回: back to 推进中 with the reason, reminders resume and the return is counted; the lead unit is told."""
    reason = reason.strip()
    _pending_task(task, card)
    if not reason:
        raise NoReason()
    topic = f"review-return:{stamp(task)}"
    task.review_pending, task.done = False, False
    task.last_status = ReportStatus.IN_PROGRESS
    task.returns = (task.returns or 0) + 1
    session.add(task)
    events.add_event(session=session, task_id=task.id, kind=TaskEventKind.RETURN, unit_id=None, actor=actor,
                     note=reason, at=now)
    session.add(AuditLog(at=now, actor=actor, action="review.return", detail=f"第{task.ref}项 {reason}"))
    reschedule(session=session, task_ids=[task.id], now=now)
    return Notice("returned", task, _unit_chats(session, task, {Role.LEAD}), topic, note=reason,
                  item_word=item_word(session=session, task=task))


def awaiting(*, session: Session, office_id: int | None) -> list[tuple[Task, list[str]]]:
    """Each 申请办结 awaiting review with its lead units' names, oldest first."""
    rows = events.awaiting_review(session=session, office_id=office_id)
    names = repo.names_by_role(session=session, task_ids=[t.id for t, _p in rows])
    return [(t, names.get(t.id, {}).get("lead", [])) for t, _p in rows]


def overdue_reviews(*, session: Session, settings: Settings, calendar: WorkCalendar, now: datetime) -> list[Notice]:
    """A reminder to the reviewers of each request unreviewed for `review_remind_days` working days."""
    tz, days = settings.app.tz, settings.supervision.review_remind_days
    today = now.astimezone(tz).date()
    out = []
    for task, _plan in events.awaiting_review(session=session):
        applied = task.applied_at.astimezone(tz).date() if task.applied_at else today
        if calendar.workdays_between(applied, today) >= days:
            out.append(Notice("remind", task, reviewers(session=session, settings=settings, task=task),
                              f"review-remind:{stamp(task)}", item_word=item_word(session=session, task=task)))
    return out
