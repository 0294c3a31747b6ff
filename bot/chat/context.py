"""What every chat handler gets: one session, the actor, the clock, and a way to queue pushes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from bot.chat.events import ChatEvent
from bot.config import Settings
from bot.notify import OutboundMessage, Recipient
from bot.services import notices, offices, records
from bot.services.binding import Actor, admin_recipients
from bot.services.tasks import looks_like_ref, normalise_ref, require_task, split_plan_ref
from bot.workdays import WorkCalendar
from storage import repo
from storage.models import Plan, Task


def _no_link(_code: str) -> str | None:
    return None


@dataclass
class Ctx:
    """One event's unit of work."""

    session: Session
    settings: Settings
    calendar: WorkCalendar
    now: datetime
    actor: Actor
    event: ChatEvent
    key: bytes  # button signing key
    invite_link: Callable[[str], str | None] = _no_link  # a channel's deep link for an invite code
    queued: int = 0
    notes: list[str] = field(default_factory=list)
    _memo: dict = field(default_factory=dict, repr=False)  # office and plans, asked many times per event
    answer: Callable[[object], list[OutboundMessage]] = field(default=lambda _r: [], repr=False)  # the router's

    @property
    def today(self):
        return self.now.astimezone(self.settings.app.tz).date()

    @property
    def office_id(self) -> int | None:
        """The office this chat works for: its unit's, else the store's only office (None: every office)."""
        if self.actor.unit is not None:
            return self.actor.unit.office_id
        if "office" not in self._memo:
            found = repo.offices(session=self.session)
            self._memo["office"] = found[0].id if len(found) == 1 else None
        return self._memo["office"]

    @property
    def plan(self) -> Plan | None:
        """The plan a bare "第12项" means here: the one this chat last used, else the office's main plan."""
        if "plan" not in self._memo:
            plans = self.active_plans()
            self._memo["plan"] = offices.chat_current_plan(session=self.session, office_id=self.office_id,
                                                           platform=self.event.platform, address=self.event.chat_id,
                                                           plans=plans, chosen=self._memo["chosen"])
        return self._memo["plan"]

    def task(self, ref: str) -> Task:
        """The task `ref` names in this chat ("12", "安全生产第3项"); naming a plan makes it the chat's plan."""
        task = require_task(session=self.session, ref=ref, plan=self.plan, office_id=self.office_id)
        plan = records.plan_of(session=self.session, task=task)
        if split_plan_ref(ref)[0]:
            offices.remember_chat_plan(session=self.session, platform=self.event.platform,
                                       address=self.event.chat_id, plan=plan, now=self.now)
            self._memo["plan"] = plan
        return task

    def take_task(self, args: list[str]) -> tuple[Task, list[str]]:
        """The task named by the first arguments ("12" or "安全生产 3" or "安全生产第3项"), and the rest."""
        if len(args) > 1 and not looks_like_ref(args[0]) and looks_like_ref(args[1]):
            return self.task(f"{args[0]}第{normalise_ref(args[1])}项"), args[2:]
        return self.task(args[0]), args[1:]

    def active_plans(self) -> list[Plan]:
        """The office's open plans, newest first, read once per event with the plan this chat last used."""
        if "plans" not in self._memo:
            self._memo["plans"], self._memo["chosen"] = repo.plans_and_chat_choice(
                session=self.session, office_id=self.office_id, platform=self.event.platform,
                address=self.event.chat_id)
        return self._memo["plans"]

    def several_plans(self) -> bool:
        """True when answers must name the plan: the office runs more than one."""
        return len(self.active_plans()) > 1

    def admin_recipients(self) -> list[Recipient]:
        return admin_recipients(self.settings)

    def push(self, recipient: Recipient, message: OutboundMessage, *, key: str, kind: str = "notice",
             task_id: int | None = None, at: datetime | None = None) -> None:
        """Queue a message for the dispatcher (durable, exactly once per key)."""
        self.queued += notices.queue(session=self.session, recipient=recipient, message=message, key=key, kind=kind,
                                     now=self.now, today=self.today, task_id=task_id, at=at)


def reply(text: str, **kw) -> list[OutboundMessage]:
    return [OutboundMessage(text=text, **kw)]
