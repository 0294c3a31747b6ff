"""Keyword-only, session-first queries over the plan store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, func, select

from storage.models import (
    AuthFailure,
    ChatIdentity,
    Deadline,
    Deferral,
    Invite,
    Outbox,
    Plan,
    StatusReport,
    Task,
    TaskUnit,
    Unit,
    UnitAlias,
)


def current_plan(*, session: Session) -> Plan | None:
    """The newest active plan: the one chat questions and `duban task N` refer to."""
    stmt = select(Plan).where(Plan.active).order_by(col(Plan.imported_at).desc(), col(Plan.id).desc())
    return session.exec(stmt).first()


def active_plans(*, session: Session, year: int | None = None) -> Sequence[Plan]:
    stmt = select(Plan).where(Plan.active)
    if year is not None:
        stmt = stmt.where(Plan.year == year)
    return session.exec(stmt.order_by(col(Plan.id).desc())).all()


def active_tasks(*, session: Session, plan_id: int) -> Sequence[Task]:
    stmt = select(Task).where(Task.plan_id == plan_id, col(Task.removed).is_(False)).order_by(Task.position)
    return session.exec(stmt).all()


def task_by_ref(*, session: Session, plan_id: int, ref: str) -> Task | None:
    return session.exec(select(Task).where(Task.plan_id == plan_id, Task.ref == ref)).first()


def units_by_name(*, session: Session) -> dict[str, Unit]:
    return {u.name: u for u in session.exec(select(Unit)).all()}


def alias_map(*, session: Session) -> dict[str, int]:
    """Alias → unit id, for every stored alias."""
    return {a.alias: a.unit_id for a in session.exec(select(UnitAlias)).all()}


def aliases_of(*, session: Session, unit_id: int) -> list[str]:
    stmt = select(UnitAlias.alias).where(UnitAlias.unit_id == unit_id).order_by(UnitAlias.alias)
    return list(session.exec(stmt).all())


def roles_for_task(*, session: Session, task_id: int) -> list[tuple[TaskUnit, Unit]]:
    stmt = (
        select(TaskUnit, Unit)
        .join(Unit, col(Unit.id) == TaskUnit.unit_id)
        .where(TaskUnit.task_id == task_id)
        .order_by(TaskUnit.position)
    )
    return list(session.exec(stmt).all())


def tasks_for_unit(*, session: Session, unit_id: int, role: str | None = None) -> list[tuple[Task, str]]:
    """Active tasks of active plans that a unit leads or co-owns, with the role."""
    stmt = (
        select(Task, TaskUnit.role)
        .join(TaskUnit, col(TaskUnit.task_id) == Task.id)
        .join(Plan, col(Plan.id) == Task.plan_id)
        .where(TaskUnit.unit_id == unit_id, Plan.active, col(Task.removed).is_(False))
        .order_by(Task.plan_id, Task.position)
    )
    if role:
        stmt = stmt.where(TaskUnit.role == role)
    return list(session.exec(stmt).all())


def role_counts(*, session: Session) -> dict[int, dict[str, int]]:
    """Unit id → {"lead": n, "co": m} over active tasks of active plans."""
    stmt = (
        select(TaskUnit.unit_id, TaskUnit.role, func.count())
        .join(Task, col(Task.id) == TaskUnit.task_id)
        .join(Plan, col(Plan.id) == Task.plan_id)
        .where(Plan.active, col(Task.removed).is_(False))
        .group_by(TaskUnit.unit_id, TaskUnit.role)
    )
    out: dict[int, dict[str, int]] = {}
    for unit_id, role, n in session.exec(stmt).all():
        out.setdefault(unit_id, {"lead": 0, "co": 0})[role] = n
    return out


def deadlines_for_task(*, session: Session, task_id: int, active_only: bool = True) -> list[Deadline]:
    stmt = select(Deadline).where(Deadline.task_id == task_id)
    if active_only:
        stmt = stmt.where(Deadline.active)
    return list(session.exec(stmt.order_by(col(Deadline.due_date), Deadline.id)).all())


def reports_for_task(*, session: Session, task_id: int) -> list[StatusReport]:
    stmt = select(StatusReport).where(StatusReport.task_id == task_id)
    return list(session.exec(stmt.order_by(col(StatusReport.created_at), StatusReport.id)).all())


def latest_reports(*, session: Session, task_ids: Sequence[int]) -> dict[int, StatusReport]:
    """Task id → its newest status report (not plain notes)."""
    if not task_ids:
        return {}
    stmt = (
        select(StatusReport)
        .where(col(StatusReport.task_id).in_(task_ids), StatusReport.status != "note")
        .order_by(col(StatusReport.created_at), StatusReport.id)
    )
    out: dict[int, StatusReport] = {}
    for r in session.exec(stmt).all():
        out[r.task_id] = r
    return out


def rekey_address(*, session: Session, platform: str, old: str, new: str) -> int:
    """Move bindings and unsent outbox rows from one address to another (a group became a supergroup)."""
    idents = session.exec(
        select(ChatIdentity).where(ChatIdentity.platform == platform, ChatIdentity.address == old)
    ).all()
    for ident in idents:
        if identity_at(session=session, platform=platform, address=new) is None:
            ident.address = new
    for row in session.exec(
        select(Outbox).where(Outbox.recipient == f"{platform}:{old}", col(Outbox.state).in_(("pending", "retry")))
    ).all():
        row.recipient = f"{platform}:{new}"
    return len(idents)


# Platforms whose addresses are unique ignoring case: WeCom userids are (WangWu and wangwu are one member).
CASELESS_PLATFORMS = frozenset({"wecom"})


def identity_at(*, session: Session, platform: str, address: str, active_only: bool = False) -> ChatIdentity | None:
    """The binding of one address on one platform, if any."""
    stmt = select(ChatIdentity).where(ChatIdentity.platform == platform)
    if platform in CASELESS_PLATFORMS:
        stmt = stmt.where(func.lower(ChatIdentity.address) == address.lower())
    else:
        stmt = stmt.where(ChatIdentity.address == address)
    if active_only:
        stmt = stmt.where(ChatIdentity.active)
    return session.exec(stmt.order_by(ChatIdentity.id)).first()


def bound_chats(*, session: Session, unit_id: int) -> list[ChatIdentity]:
    """Every active chat bound to a unit."""
    stmt = select(ChatIdentity).where(ChatIdentity.unit_id == unit_id, ChatIdentity.active).order_by(ChatIdentity.id)
    return list(session.exec(stmt).all())


def outbox_by_message(*, session: Session, message_id: str, recipient: str | None = None,
                      recipient_prefix: str | None = None) -> Outbox | None:
    """The outbox row that became platform message `message_id` (at one recipient, or under a prefix)."""
    stmt = select(Outbox).where(Outbox.message_id == message_id)
    if recipient is not None:
        stmt = stmt.where(Outbox.recipient == recipient)
    if recipient_prefix is not None:
        stmt = stmt.where(col(Outbox.recipient).startswith(recipient_prefix))
    return session.exec(stmt).first()


def open_deferrals(*, session: Session, requested_by: str, status: str,
                   since: datetime | None = None) -> list[Deferral]:
    """A requester's deferrals in one state, newest first (only those created after `since`)."""
    stmt = select(Deferral).where(Deferral.requested_by == requested_by, Deferral.status == status)
    if since is not None:
        stmt = stmt.where(col(Deferral.created_at) > since)
    return list(session.exec(stmt.order_by(col(Deferral.created_at).desc(), col(Deferral.id).desc())).all())


def role_of(*, session: Session, task_id: int, unit_id: int) -> str | None:
    """The unit's role on a task (lead or co), or None."""
    stmt = select(TaskUnit.role).where(TaskUnit.task_id == task_id, TaskUnit.unit_id == unit_id)
    return session.exec(stmt).first()


def active_deadlines(*, session: Session, task_id: int) -> list[Deadline]:
    """The task's deadlines in force."""
    return list(session.exec(select(Deadline).where(Deadline.task_id == task_id, Deadline.active)).all())


def unit_names(*, session: Session) -> dict[int, str]:
    """Unit id → name, for every unit."""
    return {u.id: u.name for u in session.exec(select(Unit)).all()}


def auth_failures(*, session: Session, platform: str, user_id: str, since: datetime) -> int:
    """How many wrong invite codes this person sent since `since`."""
    stmt = select(func.count()).select_from(AuthFailure).where(
        AuthFailure.platform == platform, AuthFailure.user_id == user_id, col(AuthFailure.at) > since)
    return session.exec(stmt).one()


def invite_by_code(*, session: Session, code: str) -> Invite | None:
    """The invite with this code, used or not."""
    return session.exec(select(Invite).where(Invite.code == code)).first()


def pending_deferrals(*, session: Session) -> list[Deferral]:
    """Deferral requests waiting for an admin, oldest first."""
    stmt = select(Deferral).where(Deferral.status == "pending").order_by(col(Deferral.created_at), Deferral.id)
    return list(session.exec(stmt).all())


def latest_notes(*, session: Session, task_ids: Sequence[int]) -> dict[int, str]:
    """Task id → the newest non-empty report note."""
    if not task_ids:
        return {}
    stmt = (
        select(StatusReport.task_id, StatusReport.note)
        .where(col(StatusReport.task_id).in_(task_ids), StatusReport.note != "")
        .order_by(col(StatusReport.created_at), StatusReport.id)
    )
    return {task_id: note for task_id, note in session.exec(stmt).all()}


def outbox_rows(*, session: Session, state: str | None = None, limit: int = 50) -> list[Outbox]:
    """Outbox rows, newest first, optionally in one state."""
    stmt = select(Outbox).order_by(col(Outbox.id).desc()).limit(limit)
    if state:
        stmt = stmt.where(Outbox.state == state)
    return list(session.exec(stmt).all())


def any_plan(*, session: Session) -> bool:
    """True once any plan was ever imported."""
    return session.exec(select(Plan.id).limit(1)).first() is not None
