"""Tasks with their deadlines and the units named on them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from storage.models import (
    Deadline,
    Plan,
    Task,
    TaskUnit,
    Unit,
)
from storage.prebuilt import among, ids_value, prebuilt
from storage.views import core_rows


def active_tasks(*, session: Session, plan_id: int) -> Sequence[Task]:
    stmt = select(Task).where(Task.plan_id == plan_id, col(Task.removed).is_(False)).order_by(Task.position)
    return session.exec(stmt).all()


@prebuilt
def _task_by_ref(_dialect: str):
    return select(Task).where(Task.plan_id == bindparam("plan"), Task.ref == bindparam("ref"))


def task_by_ref(*, session: Session, plan_id: int, ref: str) -> Task | None:
    return session.exec(_task_by_ref(session), params={"plan": plan_id, "ref": ref}).first()


def leader_task_refs(*, session: Session, unit_ids: Sequence[int]) -> dict[int, list[str]]:
    """Leader id → refs of the live tasks (of open plans) they are named on."""
    if not unit_ids:
        return {}
    stmt = (select(TaskUnit.unit_id, Task.ref).join(Task, col(Task.id) == TaskUnit.task_id)
            .join(Plan, col(Plan.id) == Task.plan_id)
            .where(col(TaskUnit.unit_id).in_(list(unit_ids)), TaskUnit.role == "leader", Plan.active,
                   col(Task.removed).is_(False)).order_by(Task.plan_id, Task.position))
    out: dict[int, list[str]] = {}
    for unit_id, ref in session.exec(stmt).all():
        out.setdefault(unit_id, []).append(ref)
    return out


def roles_for_task(*, session: Session, task_id: int) -> list[tuple[TaskUnit, Unit]]:
    stmt = (
        select(TaskUnit, Unit)
        .join(Unit, col(Unit.id) == TaskUnit.unit_id)
        .where(TaskUnit.task_id == task_id)
        .order_by(TaskUnit.position)
    )
    return list(session.exec(stmt).all())


@prebuilt
def _deadlines_for_task(_dialect: str, active_only: bool):
    stmt = select(Deadline).where(Deadline.task_id == bindparam("task"))
    if active_only:
        stmt = stmt.where(Deadline.active)
    return stmt.order_by(col(Deadline.due_date), Deadline.id)


def deadlines_for_task(*, session: Session, task_id: int, active_only: bool = True) -> list[Deadline]:
    return list(session.exec(_deadlines_for_task(session, active_only), params={"task": task_id}).all())


@prebuilt
def _role_of(_dialect: str):
    return select(TaskUnit.role).where(TaskUnit.task_id == bindparam("task"), TaskUnit.unit_id == bindparam("unit"))


def role_of(*, session: Session, task_id: int, unit_id: int) -> str | None:
    """The unit's role on a task (lead or co), or None."""
    found = core_rows(session, _role_of(session), {"task": task_id, "unit": unit_id})
    return found[0][0] if found else None


def active_deadlines(*, session: Session, task_id: int) -> list[Deadline]:
    """The task's deadlines in force."""
    return list(session.exec(select(Deadline).where(Deadline.task_id == task_id, Deadline.active)).all())


def all_tasks(*, session: Session, plan_id: int) -> list[Task]:
    """Every task of a plan, removed ones included (a revision may bring one back)."""
    return list(session.exec(select(Task).where(Task.plan_id == plan_id)).all())


def task_units(*, session: Session, task_id: int) -> list[TaskUnit]:
    return list(session.exec(select(TaskUnit).where(TaskUnit.task_id == task_id)).all())


def units_of_tasks(*, session: Session, task_ids: Sequence[int],
                   roles: Sequence[str] = ("lead", "co")) -> dict[int, set[int]]:
    """Task id → the ids of its units in these roles (its owners by default; ("leader",) for its leaders)."""
    if not task_ids:
        return {}
    out: dict[int, set[int]] = {}
    stmt = select(TaskUnit.task_id, TaskUnit.unit_id).where(col(TaskUnit.task_id).in_(list(task_ids)),
                                                            col(TaskUnit.role).in_(list(roles)))
    for task_id, unit_id in session.exec(stmt).all():
        out.setdefault(task_id, set()).add(unit_id)
    return out


@prebuilt
def _names_by_role(dialect: str):
    return (select(TaskUnit.task_id, TaskUnit.role, Unit.name).join(Unit, col(Unit.id) == TaskUnit.unit_id)
            .where(among(dialect, col(TaskUnit.task_id))).order_by(TaskUnit.task_id, TaskUnit.position))


def names_by_role(*, session: Session, task_ids: Sequence[int]) -> dict[int, dict[str, list[str]]]:
    """Task id → role (lead, co, leader) → unit names in listing order, for these tasks, in one query."""
    if not task_ids:
        return {}
    out: dict[int, dict[str, list[str]]] = {}
    for task_id, role, name in core_rows(session, _names_by_role(session), {"ids": ids_value(session, task_ids)}):
        out.setdefault(task_id, {}).setdefault(role, []).append(name)
    return out


@prebuilt
def _unit_task_rows(_dialect: str, of_role: bool):
    stmt = (select(Task.id, Task.ref, Task.title, Task.plan_id, TaskUnit.role)
            .join(TaskUnit, col(TaskUnit.task_id) == Task.id)
            .join(Plan, col(Plan.id) == Task.plan_id)
            .where(TaskUnit.unit_id == bindparam("unit"), Plan.active, col(Task.removed).is_(False))
            .order_by(Task.plan_id, Task.position))
    return stmt.where(TaskUnit.role == bindparam("role")) if of_role else stmt


def unit_task_rows(*, session: Session, unit_id: int,
                   role: str | None = None) -> list[tuple[int, str, str, int, str]]:
    """(task id, ref, title, plan id, role) of the live tasks of open plans a unit leads or co-owns (one role
    when given), by plan and position: the columns a listing reads, no whole tasks."""
    rows = core_rows(session, _unit_task_rows(session, bool(role)), {"unit": unit_id, "role": role and str(role)})
    return [tuple(r) for r in rows]


def deadline_labels(*, session: Session) -> dict[int, str]:
    """Deadline id → its label, or its text where it has none, for every deadline."""
    return {d.id: d.label or d.text for d in session.exec(select(Deadline)).all()}
