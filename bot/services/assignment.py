"""退回 (不属于本单位) and reassignment: a lead unit returns an item within the window; the office reassigns."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.notify import Button, Recipient
from bot.reminders.schedule import reschedule
from bot.services.buttons import Action, sign, signing_key
from bot.services.closure import Notice, reviewers
from bot.services.receipts import request_receipts
from bot.services.records import item_word
from bot.workdays import WorkCalendar
from storage import events, repo
from storage.models import AuditLog, Plan, Role, Task, TaskEventKind, TaskUnit, Unit


class CannotDecline(Exception):
    """A return refused: `why` is "co" (a co-unit), "other" (not the task's unit), "late" (after the window) or
    "reason" (none given); `days` is the window."""

    def __init__(self, task: Task, why: str, days: int = 0) -> None:
        super().__init__(why)
        self.task, self.why, self.days = task, why, days


def assigned_at(*, session: Session, task: Task) -> datetime:
    """When the task was last given to its lead (交办): its newest reassignment, else its creation."""
    moves = [e for e in events.events_of(session=session, task_ids=[task.id]) if e.kind == TaskEventKind.REASSIGN]
    return moves[-1].at if moves else task.created_at


def may_decline(*, session: Session, settings: Settings, calendar: WorkCalendar, task: Task, unit_id: int | None,
                now: datetime) -> None:
    """Raise CannotDecline unless the unit leads the task and the window since 交办 is still open."""
    role = repo.role_of(session=session, task_id=task.id, unit_id=unit_id) if unit_id is not None else None
    if role != Role.LEAD:
        raise CannotDecline(task, "co" if role == Role.CO else "other")
    tz, days = settings.app.tz, settings.supervision.decline_days
    given = assigned_at(session=session, task=task).astimezone(tz).date()
    if calendar.workdays_between(given, now.astimezone(tz).date()) > days:
        raise CannotDecline(task, "late", days)


def decline(*, session: Session, settings: Settings, calendar: WorkCalendar, task: Task, unit_id: int | None,
            reason: str, actor: str, now: datetime) -> Notice:
    """The lead unit returns the item: it stops being the lead (its reminders stop); the office is told, with a
    button per unit of the office to reassign it."""
    may_decline(session=session, settings=settings, calendar=calendar, task=task, unit_id=unit_id, now=now)
    if not reason.strip():
        raise CannotDecline(task, "reason")
    for tu in repo.task_units(session=session, task_id=task.id):
        if tu.unit_id == unit_id:
            session.delete(tu)
    event = events.add_event(session=session, task_id=task.id, kind=TaskEventKind.DECLINE, unit_id=unit_id,
                             actor=actor, note=reason.strip(), at=now)
    session.add(AuditLog(at=now, actor=actor, action="task.decline", detail=f"第{task.ref}项 {reason.strip()}"))
    session.flush()
    reschedule(session=session, task_ids=[task.id], now=now)
    key = signing_key(session=session, now=now)
    office_id = session.get(Plan, task.plan_id).office_id
    units = [u for u, _aliases in repo.office_units(session=session, office_id=office_id) if u.id != unit_id]
    buttons = [[Button(u.name[:12], sign(key, Action.REASSIGN, task.id, str(u.id))) for u in units[i:i + 3]]
               for i in range(0, len(units), 3)]
    name = repo.unit_names_of(session=session, unit_ids=[unit_id]).get(unit_id, "")
    return Notice("declined", task, reviewers(session=session, settings=settings, task=task), f"decline:{event.id}",
                  unit=name, note=reason.strip(), buttons=buttons,
                  item_word=item_word(session=session, task=task))


def reassign(*, session: Session, settings: Settings, task: Task, lead: Unit, co: list[Unit] | None, actor: str,
             now: datetime) -> Notice:
    """Give the item to `lead` (and, when given, make `co` its co-units); the new and the returning units are told."""
    owners = {tu.unit_id: tu for tu in repo.task_units(session=session, task_id=task.id) if tu.role != Role.LEADER}
    for unit_id, tu in owners.items():
        if tu.role == Role.LEAD or unit_id == lead.id or (co is not None and tu.role == Role.CO):
            session.delete(tu)
    session.flush()
    session.add(TaskUnit(task_id=task.id, unit_id=lead.id, role=Role.LEAD, position=0))
    for i, u in enumerate(co or []):
        if u.id != lead.id:
            session.add(TaskUnit(task_id=task.id, unit_id=u.id, role=Role.CO, position=i + 1))
    declined = [e for e in events.events_of(session=session, task_ids=[task.id]) if e.kind == TaskEventKind.DECLINE]
    note = f"牵头：{lead.name}" + (f"；配合：{'、'.join(u.name for u in co)}" if co else "")
    event = events.add_event(session=session, task_id=task.id, kind=TaskEventKind.REASSIGN, unit_id=lead.id,
                             actor=actor, note=note, at=now)
    session.add(AuditLog(at=now, actor=actor, action="task.reassign", detail=f"第{task.ref}项 {note}"))
    session.flush()
    reschedule(session=session, task_ids=[task.id], now=now)
    if settings.supervision.receipt != "off":
        request_receipts(session=session, task_ids=[task.id], now=now, actor=actor)
    told = [lead.id] + ([declined[-1].unit_id] if declined and declined[-1].unit_id else [])
    chats = [Recipient.parse(c) for cs in repo.chats_of_units(session=session, unit_ids=told).values() for c in cs]
    return Notice("reassigned", task, chats, f"reassign:{event.id}", unit=lead.name, note=note,
                  item_word=item_word(session=session, task=task))
