"""签收: each lead unit signs for a new item; unsigned ones are reminded once, then the office is told.

`request_receipts` records the ask (item creation and, with receipt = "all", plan import call it); the sweep's
job (jobs.receipts) words and queues the 签收 card, the reminder and the office's notice from `due_notices`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.notify import Button, Recipient
from bot.services.buttons import Action, sign, signing_key
from bot.services.closure import Notice, reviewers
from bot.services.records import item_word
from bot.workdays import WorkCalendar
from storage import events, repo
from storage.models import AuditLog, Role, Task, TaskEventKind


class NotAsked(Exception):
    """A 签收 by a unit that was not asked to sign for the task (a co-unit, another unit, or none asked)."""

    def __init__(self, task: Task) -> None:
        super().__init__(task.ref)
        self.task = task


def request_receipts(*, session: Session, task_ids: Sequence[int], now: datetime, actor: str = "cli") -> int:
    """Ask each lead unit of these tasks to sign for them (once per task and unit); returns how many asks."""
    done = {(a.task_id, a.unit_id) for a, _s in events.receipts(session=session)} if task_ids else set()
    n = 0
    for task_id in task_ids:
        for tu in repo.task_units(session=session, task_id=task_id):
            if tu.role == Role.LEAD and (task_id, tu.unit_id) not in done:
                events.add_event(session=session, task_id=task_id, kind=TaskEventKind.ASK_SIGN, unit_id=tu.unit_id,
                                 actor=actor, note="", at=now)
                n += 1
    return n


def sign_for(*, session: Session, task: Task, unit_id: int | None, actor: str, now: datetime) -> bool:
    """The unit signs for the task; False when it had signed already (nothing changes)."""
    mine = [(a, s) for a, s in events.receipts(session=session) if a.task_id == task.id and a.unit_id == unit_id]
    if unit_id is None or not mine:
        raise NotAsked(task)
    if mine[0][1] is not None:
        return False
    events.add_event(session=session, task_id=task.id, kind=TaskEventKind.SIGN, unit_id=unit_id, actor=actor,
                     note="", at=now)
    if task.signed_at is None:
        task.signed_at = now
        session.add(task)
    session.add(AuditLog(at=now, actor=actor, action="receipt.sign", detail=f"第{task.ref}项"))
    return True


def unsigned(*, session: Session, office_id: int | None, unit_id: int | None = None) -> list[tuple[Task, str, datetime]]:
    """(task, lead unit's name, asked at) of every 签收 still awaited (of one unit, when given), oldest first."""
    rows = [a for a, s in events.receipts(session=session, office_id=office_id)
            if s is None and (unit_id is None or a.unit_id == unit_id)]
    names = repo.unit_names_of(session=session, unit_ids=list({a.unit_id for a in rows}))
    return [(session.get(Task, a.task_id), names.get(a.unit_id, ""), a.at) for a in rows]


def due_notices(*, session: Session, settings: Settings, calendar: WorkCalendar, now: datetime) -> list[Notice]:
    """What the unsigned asks owe at `now`: the 签收 card at once, one reminder after `receipt_days` working days,
    the office's notice after twice that. Each notice's topic keeps it to once per ask and recipient."""
    tz, days = settings.app.tz, settings.supervision.receipt_days
    today = now.astimezone(tz).date()
    waiting = [ask for ask, signed in events.receipts(session=session) if signed is None]
    key = signing_key(session=session, now=now) if waiting else b""
    out: list[Notice] = []
    for ask in waiting:
        task = session.get(Task, ask.task_id)
        unit = repo.unit_names_of(session=session, unit_ids=[ask.unit_id]).get(ask.unit_id, "")
        chats = [Recipient.parse(c) for c in repo.chats_of_units(session=session, unit_ids=[ask.unit_id])
                 .get(ask.unit_id, [])]
        waited = calendar.workdays_between(ask.at.astimezone(tz).date(), today)
        buttons = [[Button("签收", sign(key, Action.SIGN, task.id))]]
        if waited <= settings.supervision.decline_days:  # after the window the button is gone
            buttons[0].append(Button("不属于本单位", sign(key, Action.DECLINE, task.id)))
        out.append(Notice("sign_card", task, chats, f"sign:{ask.id}", unit=unit, buttons=buttons,
                          item_word=item_word(session=session, task=task)))
        if waited >= days:
            out.append(Notice("sign_remind", task, chats, f"sign-remind:{ask.id}", unit=unit, buttons=buttons,
                              item_word=item_word(session=session, task=task)))
        if waited >= 2 * days:
            out.append(Notice("sign_office", task, reviewers(session=session, settings=settings, task=task),
                              f"sign-office:{ask.id}", unit=unit,
                              item_word=item_word(session=session, task=task)))
    return out


def unit_names(*, session: Session, unit_ids: Sequence[int | None]) -> dict[int, str]:
    return repo.unit_names_of(session=session, unit_ids=[u for u in set(unit_ids) if u is not None])


def refs_titles(*, session: Session, task_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Task id → (ref, title)."""
    return {i: (t.ref, t.title) for i in set(task_ids) if (t := session.get(Task, i)) is not None}
