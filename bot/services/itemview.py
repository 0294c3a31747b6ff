"""An item's own record: its facts and the leaders' instructions on it, for `duban task`, /task and the 督办单."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.services.errors import UserError
from bot.services.tasks import require_task
from storage import items as store
from storage.models import ItemInfo, Plan, Task


@dataclass(frozen=True)
class InstructionLine:
    """One leader's instruction on an item."""

    author: str
    words: str
    at: datetime
    due: date | None

    def to_dict(self) -> dict:
        return {"author": self.author, "words": self.words, "at": self.at.isoformat(),
                "due": self.due.isoformat() if self.due else None}


@dataclass(frozen=True)
class ItemView:
    """An item's facts beyond its task: source, the instruction it came from, and what leaders said since."""

    ref: str
    info: ItemInfo | None  # None for a plan task a leader wrote on
    instructions: list[InstructionLine]

    def to_dict(self) -> dict:
        i = self.info
        if i is None:
            return {"ref": self.ref, "instructions": [x.to_dict() for x in self.instructions]}
        return {"ref": self.ref, "source": i.source, "instructed_by": i.instructed_by, "instruction": i.instruction,
                "leader": i.leader, "assigned_on": i.assigned_on.isoformat() if i.assigned_on else None,
                "urgent": i.urgent, "instructions": [x.to_dict() for x in self.instructions]}


def view_of(*, session: Session, task: Task) -> ItemView | None:
    """The item view of a task; for a plan task only its leaders' instructions, None when it has none."""
    info = session.get(ItemInfo, task.id)
    lines = [InstructionLine(x.author, x.words, x.created_at, x.due_date)
             for x in store.instructions_of(session=session, task_ids=[task.id])]
    if info is None and not lines:
        return None
    plan = session.get(Plan, task.plan_id)
    return ItemView(f"{plan.short_name}{task.ref}" if info else f"第{task.ref}项", info, lines)


def item_view(*, session: Session, ref: str, office_id: int | None) -> ItemView | None:
    """The item a ref means ("批示3"), or None when it is a plan task."""
    return view_of(session=session, task=require_task(session=session, ref=ref, office_id=office_id))


def require_item(*, session: Session, ref: str, office_id: int | None) -> tuple[Task, ItemView]:
    """The item a ref means, or one line saying it is a plan task."""
    task = require_task(session=session, ref=ref, office_id=office_id)
    view = view_of(session=session, task=task)
    if view is None or view.info is None:
        raise UserError(f"第{task.ref}项是工作计划中的任务，不是督办事项。")
    return task, view


@dataclass(frozen=True)
class InstructionRow:
    """A leader's instruction as the ledger lists it."""

    ref: str
    title: str
    author: str
    words: str
    due: date | None
    at: datetime
    answered_at: datetime | None


def instruction_rows(*, session: Session, tasks: dict[int, tuple[str, str]]) -> list[InstructionRow]:
    """Leaders' instructions on these tasks (task id → (ref, title)), oldest first."""
    return [InstructionRow(*tasks[x.task_id], x.author, x.words, x.due_date, x.created_at, x.answered_at)
            for x in store.instructions_of(session=session, task_ids=list(tasks))]
