"""Answers to "who owns what": the data behind `duban units/tasks/task` and the chat questions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlmodel import Session

from bot.services.tasks import TaskRecord, require_plan, require_task, task_record
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
    plan: str = ""  # the plan's short name, set when the office runs several

    def to_dict(self) -> dict:
        d = asdict(self)
        if self.role is None:
            d.pop("role")
        if not self.plan:
            d.pop("plan")
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


def unit_overview(*, session: Session, office_id: int | None = None) -> list[UnitRow]:
    """Every unit (of one office), in the order they were first seen."""
    counts = repo.role_counts(session=session)
    rows = []
    for unit in sorted(repo.units_by_name(session=session, office_id=office_id).values(), key=lambda u: u.id):
        c = counts.get(unit.id, {"lead": 0, "co": 0})
        rows.append(UnitRow(unit.name, repo.aliases_of(session=session, unit_id=unit.id), c["lead"], c["co"]))
    return rows


def _briefs(session: Session, rows: list[tuple], plans: dict[int, str] | None = None) -> list[TaskBrief]:
    """(task id, ref, title, plan id, role) rows as briefs, their owners read in one query (not one per task)."""
    names = repo.names_by_role(session=session, task_ids=[r[0] for r in rows])
    return [TaskBrief(ref, title, (n := names.get(tid, {})).get("lead", []), n.get("co", []), role,
                      (plans or {}).get(plan_id, "")) for tid, ref, title, plan_id, role in rows]


def _plan_names(session: Session, office_id: int | None) -> dict[int, str]:
    """Plan id → short name, when the office runs several plans (answers then say which)."""
    plans = repo.active_plans(session=session, office_id=office_id)
    return {p.id: p.short_name or p.title for p in plans} if len(plans) > 1 else {}


def unit_tasks(*, session: Session, unit: str | None, role: str | None = None,
               aliases: dict[str, str] | None = None, office_id: int | None = None) -> UnitTasks:
    """Tasks of one unit across its office's open plans (lead and co, or one role), or every task of the main plan."""
    if unit is None:
        plan = require_plan(session=session, office_id=office_id)
        tasks = repo.active_tasks(session=session, plan_id=plan.id)
        return UnitTasks(None, role, _briefs(session, [(t.id, t.ref, t.title, t.plan_id, None) for t in tasks]))
    found = require_unit(session=session, name=unit, aliases=aliases, office_id=office_id)
    rows = repo.unit_task_rows(session=session, unit_id=found.id, role=role)
    plans = _plan_names(session, found.office_id)
    return UnitTasks(found.name, role, _briefs(session, rows, plans),
                     repo.aliases_of(session=session, unit_id=found.id))


def task_detail(*, session: Session, ref: str, office_id: int | None = None) -> TaskRecord:
    return task_record(session=session, task=require_task(session=session, ref=ref, office_id=office_id))
