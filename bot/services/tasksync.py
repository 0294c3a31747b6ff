"""A plan's stored tasks brought in line with a parsed plan: fields, sections, owners, leaders and deadlines."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from bot.plan.model import ParsedPlan, ParsedTask
from bot.services.leaders import ensure_leader, leader_name, sync_document_leaders
from bot.services.plandiff import (
    DOC_SOURCES,
    PlanDiff,
    UnitResolver,
    deadline_key,
    doc_deadlines,
    task_owners,
    unique_refs,
)
from bot.services.renumber import place_refs
from storage import repo
from storage.models import Deadline, Plan, Section, Task, TaskUnit, Unit


@dataclass
class OfficeUnits:
    """An office's units by name and its known aliases, a unit made on first mention."""

    session: Session
    office_id: int
    now: datetime
    by_name: dict[str, Unit]
    aliases: dict[str, int]

    @classmethod
    def load(cls, session: Session, office_id: int, now: datetime) -> OfficeUnits:
        """The office's stored units and aliases."""
        return cls(session=session, office_id=office_id, now=now,
                   by_name=repo.units_by_name(session=session, office_id=office_id),
                   aliases=repo.alias_map(session=session, office_id=office_id))

    def unit_for(self, name: str) -> Unit:
        """The unit of this name, made (and flushed, for its id) on first use."""
        unit = self.by_name.get(name)
        if unit is None:
            unit = Unit(name=name, office_id=self.office_id, created_at=self.now)
            self.session.add(unit)
            self.session.flush()
            self.by_name[name] = unit
        return unit

    def leader_for(self, name: str) -> Unit | None:
        """The leader a 牵头领导 names, made on first mention; None for an empty name or a unit's."""
        # A 牵头领导 that is really a unit's name (rare) stays a unit: it is not made a leader twice over.
        clean = leader_name(name)
        if not clean or clean in self.by_name:
            return None
        return ensure_leader(session=self.session, office_id=self.office_id, name=clean, now=self.now)


@dataclass
class SyncCounts:
    """What a task sync wrote: the refs kept, the units named, the assignments, and the tasks it added."""

    refs: set[str] = field(default_factory=set)
    units: set[str] = field(default_factory=set)
    lead: int = 0
    co: int = 0
    added: list[int] = field(default_factory=list)  # new task ids, for the 签收 asks

    def count(self, owners: list[tuple[str, str, str]]) -> None:
        """Tally one task's owners."""
        for name, role, _ in owners:
            self.units.add(name)
            self.lead += role == "lead"
            self.co += role == "co"


def sync_tasks(
    *, session: Session, plan: Plan, parsed: ParsedPlan, diff: PlanDiff, resolve: UnitResolver,
    units: OfficeUnits, now: datetime,
) -> SyncCounts:
    """Write the parsed tasks onto the plan's matched (or new) tasks; unmatched stored ones are marked removed."""
    sections = {s.path: s for s in repo.sections_of(session=session, plan_id=plan.id)}
    refs = unique_refs(parsed.tasks)
    existing = place_refs(session, repo.all_tasks(session=session, plan_id=plan.id), diff.matches,
                          {ref for ref, _ in refs})
    out = SyncCounts()
    for position, (ref, t) in enumerate(refs):
        out.refs.add(ref)
        section = _section_for(session, plan.id, t.section or "", sections)
        task = existing.get(diff.matches[ref]) if ref in diff.matches else None
        fields = _task_fields(t, ref, section, position)
        if task is None:
            task = Task(plan_id=plan.id, ref=ref, created_at=now, updated_at=now, **fields)
            session.add(task)
            session.flush()
            out.added.append(task.id)
        else:
            _update_task(task, fields, now)
        owners = task_owners(t, resolve)
        _sync_owners(session, task, owners, units.unit_for)
        sync_document_leaders(session=session, task=task, names=list(t.leaders), leader_for=units.leader_for)
        out.count(owners)
        _sync_deadlines(session, task, doc_deadlines(t), now)
    _retire_unmatched(existing, set(diff.matches.values()), now)
    return out


def _task_fields(t: ParsedTask, ref: str, section: Section | None, position: int) -> dict:
    """A task's stored fields as the document gives them."""
    return {
        "title": t.title or f"第{ref}项",
        "objective": t.objective or "",
        "measures": t.measures or "",
        "section_id": section.id if section else None,
        "position": position,
    }


def _update_task(task: Task, fields: dict, now: datetime) -> None:
    """Write the fields onto a kept task (restoring a removed one); it is stamped only when something changed."""
    changed = any(getattr(task, k) != v for k, v in fields.items()) or task.removed
    for k, v in fields.items():
        setattr(task, k, v)
    task.removed = False
    if changed:
        task.updated_at = now


def _retire_unmatched(existing: dict[int, Task], kept: set[int], now: datetime) -> None:
    """Mark removed the stored tasks the revision no longer holds (kept, not deleted, for their history)."""
    for task_id, task in existing.items():
        if task_id not in kept and not task.removed:
            task.removed, task.updated_at = True, now


def _section_for(session: Session, plan_id: int, path: str, sections: dict[str, Section]) -> Section | None:
    """The plan's section at `path`, made on first use; None for a task outside any section."""
    section = sections.get(path)
    if section is None and path:
        section = Section(plan_id=plan_id, path=path, position=len(sections))
        session.add(section)
        session.flush()
        sections[path] = section
    return section


def _sync_owners(
    session: Session, task: Task, owners: list[tuple[str, str, str]], unit_for: Callable[[str], Unit]
) -> None:
    """Follow the document's lead and co units for a task, in its order."""
    current = {  # the owners only: leaders are synced on their own (services/leaders.py)
        tu.unit_id: tu for tu in repo.task_units(session=session, task_id=task.id) if tu.role != "leader"
    }
    wanted: set[int] = set()
    for position, (name, role, written) in enumerate(owners):
        unit = unit_for(name)
        wanted.add(unit.id)
        tu = current.get(unit.id)
        if tu is None:
            session.add(
                TaskUnit(task_id=task.id, unit_id=unit.id, role=role, position=position, written_as=written)
            )
        else:
            tu.role, tu.position, tu.written_as = role, position, written
    for unit_id, tu in current.items():
        if unit_id not in wanted:
            session.delete(tu)


def _sync_deadlines(session: Session, task: Task, wanted: list[dict], now: datetime) -> None:
    """Follow the document's deadlines; manual ones set by an admin stay untouched."""
    current = [
        d
        for d in repo.active_deadlines(session=session, task_id=task.id)
        if d.source in DOC_SOURCES
    ]
    by_key = {
        deadline_key({"date": d.due_date.isoformat() if d.due_date else None, "text": d.text}): d
        for d in current
    }
    keep = set()
    for d in wanted:
        key = deadline_key(d)
        if key not in by_key:
            session.add(_new_deadline(task, d, now))
        keep.add(key)
    for key, d in by_key.items():
        if key not in keep:
            d.active = False


def _new_deadline(task: Task, d: dict, now: datetime) -> Deadline:
    """A deadline row for one the document gives."""
    rec = d.get("recurrence")
    return Deadline(
        task_id=task.id,
        due_date=date.fromisoformat(d["date"]) if d.get("date") else None,
        text=d.get("text", ""),
        label=d.get("label", ""),
        source=d.get("source", "extracted"),
        kind=d.get("kind", "once"),
        recurrence=json.dumps(rec, ensure_ascii=False) if rec else None,
        certain=bool(d.get("certain", True)),
        confirmed=bool(d.get("confirmed", False)),  # a date the clerk typed in the review sheet
        created_at=now,
    )
