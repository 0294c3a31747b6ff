"""Rows by id for the chat layer, which does no session work of its own."""

from __future__ import annotations

from sqlmodel import Session

from storage.items import ITEMS
from storage.models import Deferral, Plan, Task, Unit


def live_task(*, session: Session, task_id: int) -> Task | None:
    """The task, unless it is gone or was removed by a revision."""
    task = session.get(Task, task_id)
    return None if task is None or task.removed else task


def task(*, session: Session, task_id: int) -> Task | None:
    """The task as stored (removed or not)."""
    return session.get(Task, task_id)


def plan_of(*, session: Session, task: Task) -> Plan:
    return session.get(Plan, task.plan_id)


def item_word(*, session: Session, task: Task) -> str:
    """The short name a 督办 item is written with ("会议" of 会议1); "" for a plan document's task (第12项)."""
    plan = plan_of(session=session, task=task)
    return plan.short_name if plan.kind == ITEMS else ""


def deferral(*, session: Session, deferral_id: int) -> Deferral | None:
    return session.get(Deferral, deferral_id)


def unit_name(*, session: Session, unit_id: int) -> str:
    return session.get(Unit, unit_id).name


def unit(*, session: Session, unit_id: int) -> Unit | None:
    """The unit with this id, or None."""
    return session.get(Unit, unit_id)
