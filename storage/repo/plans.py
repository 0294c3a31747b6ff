"""Plans and offices: which plans are open, what they hold, a chat's choice among them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, func, select

from storage.models import (
    ChatPlan,
    Deadline,
    Office,
    Plan,
    Section,
    Task,
    TaskUnit,
)
from storage.prebuilt import prebuilt
from storage.views import core_rows


def current_plan(*, session: Session, office_id: int | None = None) -> Plan | None:
    """The newest open plan (of one office, or of any)."""
    stmt = select(Plan).where(Plan.active)
    if office_id is not None:
        stmt = stmt.where(Plan.office_id == office_id)
    return session.exec(stmt.order_by(col(Plan.imported_at).desc(), col(Plan.id).desc())).first()


@prebuilt
def _active_plans(_dialect: str, of_year: bool, of_office: bool):
    stmt = select(Plan).where(Plan.active)
    if of_year:
        stmt = stmt.where(Plan.year == bindparam("year"))
    if of_office:
        stmt = stmt.where(Plan.office_id == bindparam("office"))
    return stmt.order_by(col(Plan.id).desc())


def active_plans(*, session: Session, year: int | None = None, office_id: int | None = None) -> Sequence[Plan]:
    """Open plans, newest first (of one office, or of any)."""
    stmt = _active_plans(session, year is not None, office_id is not None)
    return session.exec(stmt, params={"year": year, "office": office_id}).all()


@prebuilt
def _plans_and_chat_choice(_dialect: str, of_office: bool):
    chosen = (select(ChatPlan.plan_id)
              .where(ChatPlan.platform == bindparam("platform"), ChatPlan.address == bindparam("address"))
              .scalar_subquery())
    stmt = select(Plan, chosen).where(Plan.active)
    if of_office:
        stmt = stmt.where(Plan.office_id == bindparam("office"))
    return stmt.order_by(col(Plan.id).desc())


def plans_and_chat_choice(*, session: Session, office_id: int | None, platform: str,
                          address: str) -> tuple[list[Plan], int | None]:
    """(the open plans as active_plans, the plan this chat last used if one of them): one statement, as every
    chat event asks both."""
    rows = session.exec(_plans_and_chat_choice(session, office_id is not None),
                        params={"office": office_id, "platform": platform, "address": address}).all()
    return [plan for plan, _ in rows], (rows[0][1] if rows else None)


def plans_of(*, session: Session, office_id: int | None = None) -> list[Plan]:
    """Every plan, open or closed, oldest first."""
    stmt = select(Plan)
    if office_id is not None:
        stmt = stmt.where(Plan.office_id == office_id)
    return list(session.exec(stmt.order_by(Plan.id)).all())


def task_counts(*, session: Session) -> dict[int, int]:
    """Plan id → how many live tasks it has."""
    stmt = select(Task.plan_id, func.count()).where(col(Task.removed).is_(False)).group_by(Task.plan_id)
    return dict(session.exec(stmt).all())


def offices(*, session: Session) -> list[Office]:
    return list(session.exec(select(Office).order_by(Office.id)).all())


def office_by_name(*, session: Session, name: str) -> Office | None:
    return session.exec(select(Office).where(Office.name == name)).first()


def child_offices(*, session: Session, parent_id: int) -> list[Office]:
    return list(session.exec(select(Office).where(Office.parent_id == parent_id).order_by(Office.id)).all())


def any_plan(*, session: Session) -> bool:
    """True once any plan was ever imported."""
    return session.exec(select(Plan.id).limit(1)).first() is not None


def plan_task_rows(*, session: Session, plan_ids: Sequence[int]) -> list[tuple[Task, str]]:
    """Live tasks of these plans with their section path ("" when none), by plan then position."""
    stmt = (select(Task, Section.path).join(Section, col(Section.id) == Task.section_id, isouter=True)
            .where(col(Task.plan_id).in_(list(plan_ids) or [-1]), col(Task.removed).is_(False))
            .order_by(Task.plan_id, Task.position))
    return [(t, path or "") for t, path in session.exec(stmt).all()]


def plan_roles(*, session: Session, plan_ids: Sequence[int]) -> list[tuple[int, int, str]]:
    """(task id, unit id, role) of these plans' tasks, in listing order."""
    stmt = (select(TaskUnit.task_id, TaskUnit.unit_id, TaskUnit.role).join(Task, col(Task.id) == TaskUnit.task_id)
            .where(col(Task.plan_id).in_(list(plan_ids) or [-1])).order_by(TaskUnit.task_id, TaskUnit.position))
    return list(session.exec(stmt).all())


def plan_due_dates(*, session: Session, plan_ids: Sequence[int]) -> list[tuple[int, object]]:
    """(task id, due date) of the dated deadlines in force of these plans' tasks."""
    stmt = (select(Deadline.task_id, Deadline.due_date).join(Task, col(Task.id) == Deadline.task_id)
            .where(col(Task.plan_id).in_(list(plan_ids) or [-1]), Deadline.active,
                   col(Deadline.due_date).is_not(None)))
    return list(session.exec(stmt).all())


def plan_of_tasks(*, session: Session, task_ids: Sequence[int]) -> dict[int, int]:
    """Task id → its plan id."""
    if not task_ids:
        return {}
    return dict(session.exec(select(Task.id, Task.plan_id).where(col(Task.id).in_(task_ids))).all())


def sections_of(*, session: Session, plan_id: int) -> list[Section]:
    return list(session.exec(select(Section).where(Section.plan_id == plan_id)).all())


@prebuilt
def _plan_board_rows(_dialect: str):
    newest = (select(func.max(Task.last_report_at)).join(Plan, col(Plan.id) == Task.plan_id)
              .where(Plan.active, col(Task.removed).is_(False)).scalar_subquery())
    return (select(Task.id, newest).where(Task.plan_id == bindparam("plan"), col(Task.removed).is_(False))
            .order_by(Task.position))


def plan_board_rows(*, session: Session, plan_id: int) -> tuple[list[int], datetime | None]:
    """(the plan's live task ids by position, the newest last_report_at of any live task of any open plan)."""
    rows = core_rows(session, _plan_board_rows(session), {"plan": plan_id})
    if not rows:
        return [], None
    return [r[0] for r in rows], rows[0][1]
