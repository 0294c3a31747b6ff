"""Queries over 督办 items: the standing item plans, item facts and leaders' instructions (drafts are read by key)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from storage.models import ItemInfo, ItemInstruction, Plan, Task

ITEMS = "items"  # plan.kind of a standing item plan


def item_plan(*, session: Session, office_id: int | None, source: str, year: int) -> Plan | None:
    """The office's open standing plan for `source` items of `year`."""
    stmt = select(Plan).where(Plan.kind == ITEMS, Plan.source == source, Plan.year == year, Plan.active)
    stmt = stmt.where(Plan.office_id == office_id) if office_id is not None else stmt
    return session.exec(stmt.order_by(col(Plan.id).desc())).first()


def item_plans(*, session: Session, office_id: int | None, source: str | None = None) -> list[Plan]:
    """The office's open item plans (of one source, or of every source), oldest first."""
    stmt = select(Plan).where(Plan.kind == ITEMS, Plan.active)
    if office_id is not None:
        stmt = stmt.where(Plan.office_id == office_id)
    if source is not None:
        stmt = stmt.where(Plan.source == source)
    return list(session.exec(stmt.order_by(col(Plan.id))).all())


def highest_ref(*, session: Session, plan_id: int) -> int:
    """The largest numeric ref among the plan's tasks (0 for none): items are numbered 1, 2, 3…"""
    refs = session.exec(select(Task.ref).where(Task.plan_id == plan_id)).all()
    return max((int(r) for r in refs if r.isdigit()), default=0)


def items_of_plans(*, session: Session, plan_ids: Sequence[int]) -> list[tuple[Task, ItemInfo]]:
    """The live items of these plans with their facts, by plan and number."""
    if not plan_ids:
        return []
    stmt = (select(Task, ItemInfo).join(ItemInfo, col(ItemInfo.task_id) == col(Task.id))
            .where(col(Task.plan_id).in_(list(plan_ids)), col(Task.removed).is_(False))
            .order_by(col(Task.plan_id), col(Task.position), col(Task.id)))
    return list(session.exec(stmt).all())


def instructions_of(*, session: Session, task_ids: Sequence[int]) -> list[ItemInstruction]:
    """Leaders' instructions on these items, oldest first."""
    if not task_ids:
        return []
    stmt = (select(ItemInstruction).where(col(ItemInstruction.task_id).in_(list(task_ids)))
            .order_by(col(ItemInstruction.created_at), col(ItemInstruction.id)))
    return list(session.exec(stmt).all())


def awaiting_answer(*, session: Session, task_id: int) -> list[ItemInstruction]:
    """The item's instructions whose leader has not yet heard a report filed after them."""
    stmt = (select(ItemInstruction)
            .where(ItemInstruction.task_id == task_id, col(ItemInstruction.notifies).is_(True),
                   col(ItemInstruction.answered_at).is_(None), col(ItemInstruction.leader_unit_id).is_not(None))
            .order_by(col(ItemInstruction.id)))
    return list(session.exec(stmt).all())
