"""Answers to "who owns what": the data behind `duban units/tasks/task` and the chat questions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlmodel import Session

from bot.services.tasks import TaskRecord, owners, require_plan, require_task, task_record
from bot.services.units import require_unit
from storage import repo


@dataclass(frozen=True)
class UnitRow:
    """A unit with its aliases and how many tasks it leads and co-owns."""

    name: str
    aliases: list[str]
    lead: int
    co: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TaskBrief:
    """A task in a list: number, title, owners, and the listed unit's role when there is one."""

    ref: str
    title: str
    lead: list[str]
    co: list[str]
    role: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        if self.role is None:
            d.pop("role")
        return d


@dataclass(frozen=True)
class UnitTasks:
    """What one unit owns (or, with no unit, every task of the current plan)."""

    unit: str | None
    role: str | None
    tasks: list[TaskBrief]
    aliases: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = {"unit": self.unit, "role": self.role, "tasks": [t.to_dict() for t in self.tasks]}
        if self.unit is not None:
            d["aliases"] = self.aliases
        return d


def unit_overview(*, session: Session) -> list[UnitRow]:
    """Every unit, in the order they were first seen."""
    counts = repo.role_counts(session=session)
    rows = []
    for unit in sorted(repo.units_by_name(session=session).values(), key=lambda u: u.id):
        c = counts.get(unit.id, {"lead": 0, "co": 0})
        rows.append(UnitRow(unit.name, repo.aliases_of(session=session, unit_id=unit.id), c["lead"], c["co"]))
    return rows


def _brief(session: Session, task, role: str | None = None) -> TaskBrief:
    lead, co = owners(session=session, task_id=task.id)
    return TaskBrief(task.ref, task.title, lead, co, role)


def unit_tasks(*, session: Session, unit: str | None, role: str | None = None,
               aliases: dict[str, str] | None = None) -> UnitTasks:
    """Tasks of one unit (lead and co, or one role), or every task of the current plan."""
    if unit is None:
        plan = require_plan(session=session)
        return UnitTasks(None, role, [_brief(session, t) for t in repo.active_tasks(session=session, plan_id=plan.id)])
    found = require_unit(session=session, name=unit, aliases=aliases)
    rows = repo.tasks_for_unit(session=session, unit_id=found.id, role=role)
    return UnitTasks(found.name, role, [_brief(session, t, r) for t, r in rows],
                     repo.aliases_of(session=session, unit_id=found.id))


def task_detail(*, session: Session, ref: str) -> TaskRecord:
    return task_record(session=session, task=require_task(session=session, ref=ref))
