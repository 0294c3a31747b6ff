"""Queries over 督办 items: the standing item plans, item facts and leaders' instructions (drafts are read by key)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import column, table, update
from sqlmodel import Session, col, select

from storage.models import ItemInfo, ItemInstruction, Plan, Task

ITEMS = "items"  # plan.kind of a standing item plan
HASH_PREFIX = "items:"  # an item plan's content_hash ("items:领导批示:2021"): it has no document to hash
# plan.kind and plan.source (migration 0013), unmapped on Plan (see storage/models.py)
_PLAN = table("plan", column("id"), column("kind"), column("source"))
_KIND = _PLAN.alias("plan_kind")  # joined to Plan by id: the same row's kind and source
_IS_ITEMS = _KIND.c.kind == ITEMS


def item_plan(*, session: Session, office_id: int | None, source: str, year: int) -> Plan | None:
    """The office's open standing plan for `source` items of `year`."""
    stmt = select(Plan).join(_KIND, _KIND.c.id == Plan.id).where(_IS_ITEMS, _KIND.c.source == source,
                                                                  Plan.year == year, Plan.active)
    stmt = stmt.where(Plan.office_id == office_id) if office_id is not None else stmt
    return session.exec(stmt.order_by(col(Plan.id).desc())).first()


def item_plans(*, session: Session, office_id: int | None, source: str | None = None) -> list[Plan]:
    """The office's open item plans (of one source, or of every source), oldest first."""
    stmt = select(Plan).join(_KIND, _KIND.c.id == Plan.id).where(_IS_ITEMS, Plan.active)
    if office_id is not None:
        stmt = stmt.where(Plan.office_id == office_id)
    if source is not None:
        stmt = stmt.where(_KIND.c.source == source)
    return list(session.exec(stmt.order_by(col(Plan.id))).all())


def mark_item_plan(*, session: Session, plan_id: int, source: str) -> None:
    """Mark a new plan row as the standing plan of `source` items."""
    session.execute(update(_PLAN).where(_PLAN.c.id == plan_id).values(kind=ITEMS, source=source))


def plan_kinds(*, session: Session, plan_ids: list[int]) -> dict[int, tuple[str, str]]:
    """plan id → (kind, source)."""
    rows = session.execute(select(_PLAN.c.id, _PLAN.c.kind, _PLAN.c.source).where(_PLAN.c.id.in_(plan_ids))).all()
    return {r[0]: (r[1], r[2]) for r in rows}


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
