"""What every chat handler gets: one session, the actor, the clock, and a way to queue pushes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from bot.chat.events import ChatEvent
from bot.config import Settings
from bot.notify import OutboundMessage, Recipient
from bot.services import notices, offices, plan_names, records
from bot.services.binding import Actor, admin_recipients
from bot.services.tasks import looks_like_ref, normalise_ref, require_task, split_plan_ref
from bot.services.vocab import PlanVocab, VocabCache
from bot.workdays import WorkCalendar
from storage.chat_reads import ChatReads, OfficePlans, read_office_plans
from storage.items import ITEMS as ITEM_PLAN
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
    reads: ChatReads | None = None  # what the event read with its binding (storage.chat_reads)
    vocab: VocabCache | None = None  # the vocabularies of the plans (the composition root's)
    _pv: tuple = field(default=(), repr=False)  # (the chat's plan vocabulary,) once read: an event reads it once
    _plans: OfficePlans | None = field(default=None, repr=False)  # read by the first event part that needs them
    _plan: Plan | None = field(default=None, repr=False)  # the chat's current plan, once asked
    _plan_read: bool = field(default=False, repr=False)
    answer: Callable[[object], list[OutboundMessage]] = field(default=lambda _r: [], repr=False)  # the router's

    @property
    def today(self):
        return self.now.astimezone(self.settings.app.tz).date()

    def _office(self) -> OfficePlans:
        """The office's plans and the chat's choice, read once (storage.chat_reads)."""
        if self._plans is None:
            self._plans = read_office_plans(session=self.session, unit=self.actor.unit, platform=self.event.platform,
                                            address=self.event.chat_id)
        return self._plans

    @property
    def office_id(self) -> int | None:
        """The office this chat works for: its unit's, else the store's only office (None: every office)."""
        return self.actor.unit.office_id if self.actor.unit is not None else self._office().office_id

    @property
    def plan(self) -> Plan | None:
        """The plan a bare "第12项" means here: the one this chat last used, else the office's main plan."""
        if not self._plan_read:
            self._plan_read = True
            self._plan = offices.chat_current_plan(session=self.session, office_id=self.office_id,
                                                   platform=self.event.platform, address=self.event.chat_id,
                                                   plans=list(self._office().plans),
                                                   chosen=self._office().chosen_plan_id)
        return self._plan

    def task(self, ref: str, plan_id: int | None = None) -> Task:
        """The task `ref` names in this chat ("12", "安全生产第3项"); naming a plan in a command's ref makes it the
        chat's plan. A plan the plain words named (`plan_id`, read with them) binds this task only."""
        if plan_id is not None:
            return require_task(session=self.session, ref=ref, plan=self.plan_with_id(plan_id),
                                office_id=self.office_id)
        task = require_task(session=self.session, ref=ref, plan=self.plan, office_id=self.office_id)
        plan = records.plan_of(session=self.session, task=task)
        if split_plan_ref(ref)[0]:
            offices.remember_chat_plan(session=self.session, platform=self.event.platform,
                                       address=self.event.chat_id, plan=plan, now=self.now)
            self._plan, self._plan_read, self._pv = plan, True, ()
        return task

    def take_task(self, args: list[str]) -> tuple[Task, list[str]]:
        """The task named by the first arguments ("12" or "安全生产 3" or "安全生产第3项"), and the rest."""
        if len(args) > 1 and not looks_like_ref(args[0]) and looks_like_ref(args[1]):
            return self.task(f"{args[0]}第{normalise_ref(args[1])}项"), args[2:]
        return self.task(args[0]), args[1:]

    def plan_vocab(self) -> PlanVocab | None:
        """The vocabulary of the chat's current plan and the office's others (None: no plan yet), read once."""
        if not self._pv:
            plan = self.plan
            self._pv = (None if plan is None else self.vocab.plan_vocab(
                session=self.session, office_id=self.office_id, current=plan, tz=self.settings.app.tz,
                aliases=self.settings.aliases, plans=self.active_plans()),)
        return self._pv[0]

    def active_plans(self) -> list[Plan]:
        """The office's open plans, newest first (read with the chat's binding)."""
        return list(self._office().plans)

    def plan_with_id(self, plan_id: int) -> Plan:
        """One of the office's plans by id: an open one as read with the binding, else from the store (closed)."""
        plan = next((p for p in self.active_plans() if p.id == plan_id), None)
        return plan or plan_names.plan_by_id(session=self.session, plan_id=plan_id)

    def plan_in_words(self, word: str, plan_id: int | None) -> Plan | None:
        """The plan plain words named (None: none named): the open plan the language layer recognised, else the
        office's plan of that name, closed ones too; a name matching none raises NotFound with the choices."""
        if not word:
            return None
        if plan_id is not None:
            return self.plan_with_id(plan_id)
        return plan_names.plan_named(session=self.session, office_id=self.office_id, word=word)

    def plans_in_order(self) -> list[Plan]:
        """The office's open plans as lists and boards show them: the main (annual) plan first, then oldest first."""
        plans = sorted(self.active_plans(), key=lambda p: p.id)
        first = offices.main_plan(session=self.session, office_id=self.office_id, plans=plans)
        return [first, *(p for p in plans if p is not first)] if first is not None else plans

    def shown_ref(self, task: Task) -> str:
        """`task` as answers write it: "12" (第12项), or "会议1" for a 督办 item (its plan's short name first)."""
        return records.item_word(session=self.session, task=task) + task.ref

    def plan_label(self, task: Task) -> str:
        """The title of `task`'s plan when an answer about it must say which plan: the office runs several plan
        documents, or the plan is closed; "" otherwise. Standing item plans do not count: an item's ref says its
        source ("批示3"), and a bare "第12项" is the annual plan's whatever items the office follows."""
        plan = records.plan_of(session=self.session, task=task)
        documents = [p for p in self.active_plans() if p.kind != ITEM_PLAN]
        return plan.title if len(documents) > 1 or not plan.active else ""

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
