"""Leaders (局长, 分管副局长): persons bound to chats who hear a task's escalations and the leaders' digest.

A leader is kept as a Unit row of kind "leader", so binding, the persisted schedule and the outbox serve leaders
exactly as they serve units; listings, the chat vocabulary and ownership answers show units only. A leader is
named per task (the plan's 牵头领导/分管领导 lines, or `duban task N --leader`) or for everything
(`[reminders] leaders`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from bot.reminders.schedule import reschedule
from bot.services.errors import UserError
from bot.services.offices import DEFAULT_OFFICE, ensure_office
from bot.services.units import clean_name
from storage import repo
from storage.models import AuditLog, Plan, Role, Task, TaskUnit, Unit, UnitKind

FROM_ADMIN = "admin"  # TaskUnit.written_as of a leader named by an admin: a re-import keeps it


@dataclass(frozen=True)
class LeaderRow:
    """A leader as `duban leaders` lists them."""

    name: str
    tasks: list[str] = field(default_factory=list)  # task refs they are named on
    chats: list[str] = field(default_factory=list)  # platform:address

    def to_dict(self) -> dict:
        return {"name": self.name, "tasks": self.tasks, "chats": self.chats}


def leader_name(text: str) -> str:
    """A leader's name as typed, cleaned ("张副局长"); empty when nothing is left."""
    return clean_name(text).strip("（）()")


def ensure_leader(*, session: Session, office_id: int | None, name: str, now: datetime) -> Unit:
    """The office's leader of this name, made on first mention; a responsible unit's name is refused."""
    clean = leader_name(name)
    if not clean:
        raise UserError("请写出领导的称呼，如 张副局长。")
    if office_id is None:  # the store's only office (as the importer picks it)
        office_id = ensure_office(session=session, name=None, default_name=DEFAULT_OFFICE, now=now).id
    found = repo.unit_named(session=session, office_id=office_id, name=clean)
    if found is not None:
        if found.kind != UnitKind.LEADER:
            raise UserError(f"“{clean}”是责任单位，不是领导；领导请写称呼或姓名，如 张副局长。")
        return found
    unit = Unit(name=clean, office_id=office_id, kind=UnitKind.LEADER, created_at=now)
    session.add(unit)
    session.flush()
    return unit


def set_task_leaders(*, session: Session, task: Task, add: list[str], remove: list[str], now: datetime,
                     actor: str) -> list[str]:
    """Name (or drop) a task's leaders; returns the task's leaders after. Escalations follow from the next sweep."""
    office_id = session.get(Plan, task.plan_id).office_id
    current = _leader_rows(session, task)
    names = repo.unit_names_of(session=session, unit_ids=list(current))
    for name in remove:
        clean = leader_name(name)
        hit = next((uid for uid, n in names.items() if n == clean), None)
        if hit is None:
            raise UserError(f"第{task.ref}项没有领导“{clean}”。现有：{'、'.join(names.values()) or '（无）'}")
        session.delete(current.pop(hit))
    for name in add:
        leader = ensure_leader(session=session, office_id=office_id, name=name, now=now)
        if leader.id not in current:
            tu = TaskUnit(task_id=task.id, unit_id=leader.id, role=Role.LEADER, position=100 + len(current),
                          written_as=FROM_ADMIN)
            session.add(tu)
            current[leader.id] = tu
    session.add(AuditLog(at=now, actor=actor, action="task.leaders",
                         detail=f"{task.id}: +{'、'.join(add)} -{'、'.join(remove)}"))
    session.flush()
    reschedule(session=session, task_ids=[task.id], now=now)
    return list(repo.unit_names_of(session=session, unit_ids=list(current)).values())


def sync_document_leaders(*, session: Session, task: Task, names: list[str], leader_for) -> None:
    """Follow the document's 牵头领导 for a task; leaders an admin named stay."""
    current = _leader_rows(session, task)
    wanted: set[int] = set()
    for position, name in enumerate(names):
        leader = leader_for(name)
        if leader is None:
            continue
        wanted.add(leader.id)
        if leader.id not in current:
            tu = TaskUnit(task_id=task.id, unit_id=leader.id, role=Role.LEADER, position=100 + position,
                          written_as=name)
            session.add(tu)
            current[leader.id] = tu
    for unit_id, tu in current.items():
        if unit_id not in wanted and tu.written_as != FROM_ADMIN:
            session.delete(tu)


def _leader_rows(session: Session, task: Task) -> dict[int, TaskUnit]:
    """Leader id → the task's row naming that leader."""
    return {tu.unit_id: tu for tu in repo.task_units(session=session, task_id=task.id) if tu.role == Role.LEADER}


def leader_rows(*, session: Session, office_id: int | None) -> list[LeaderRow]:
    """The office's leaders with the tasks they are named on and the chats bound to them."""
    leaders = repo.units_of_kind(session=session, office_id=office_id, kind=UnitKind.LEADER)
    refs = repo.leader_task_refs(session=session, unit_ids=[u.id for u in leaders])
    chats = repo.chats_of_units(session=session, unit_ids=[u.id for u in leaders])
    return [LeaderRow(u.name, refs.get(u.id, []), chats.get(u.id, [])) for u in leaders]
