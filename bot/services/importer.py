"""Import a parsed plan into the store in one transaction, keeping the history of unchanged tasks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from bot.plan.model import ParsedPlan
from bot.reminders.schedule import reschedule
from bot.services.leaders import ensure_leader, leader_name, sync_document_leaders
from bot.services.offices import DEFAULT_OFFICE, ensure_office, period_of, unique_short_name
from bot.services.plandiff import (
    DOC_SOURCES,
    NeedsConfirmation,
    NeedsMatchAnswers,
    PlanDiff,
    UnitQuestion,
    UnitResolver,
    check_answers,
    content_hash,
    deadline_key,
    diff_plan,
    doc_deadlines,
    refuse_unconfirmed,
    task_owners,
    unique_refs,
)
from bot.services.receipts import request_receipts
from bot.services.renumber import place_refs
from storage import repo
from storage.models import AuditLog, Deadline, Plan, Section, Task, TaskUnit, Unit, UnitAlias

__all__ = ["ImportResult", "NeedsConfirmation", "NeedsMatchAnswers", "PlanDiff", "UnitQuestion", "apply_plan",
           "content_hash", "diff_plan"]


@dataclass
class ImportResult:
    plan_id: int
    diff: PlanDiff
    tasks: int
    units: int
    lead: int
    co: int
    warnings: list[str]
    merges: list[str]
    retired: list[str] = field(default_factory=list)  # earlier plans this one replaced

    def to_dict(self) -> dict:
        return {
            "plan_id": self.plan_id,
            "tasks": self.tasks,
            "units": self.units,
            "lead_assignments": self.lead,
            "co_assignments": self.co,
            "warnings": self.warnings,
            "merges": self.merges,
            "retired_plans": self.retired,
            "diff": self.diff.to_dict(),
        }


def apply_plan(
    *,
    session: Session,
    parsed: ParsedPlan | dict,
    now: datetime,
    source_name: str = "",
    actor: str = "cli",
    config_aliases: dict[str, str] | None = None,
    answers: dict[str, str] | None = None,
    confirmed: bool = False,
    office_id: int | None = None,
    revises: str | None = None,
    new: bool = False,
    matches: dict[str, str] | None = None,
    receipts: bool = False,
) -> ImportResult:
    """Write a parsed plan into the store (the caller's transaction); return what it did.

    `parsed` is a ParsedPlan (a dict in the plan-JSON shape is accepted, e.g. a stashed upload).
    Raises UserError, storing nothing, for a file that is not a plan, NeedsConfirmation
    when a revision would remove over a third of the plan's tasks, and NeedsMatchAnswers when a
    revision's tasks match stored ones only uncertainly, unless `confirmed` (the best guess is taken).
    `answers` are aliases a person confirmed for `diff.unit_questions` (new name → unit); `matches` a
    person's answers to `diff.match_questions` (new ref → stored ref, or "" for a new task).
    `receipts`: ask each lead unit of every task this import adds to sign for it (`[supervision] receipt = "all"`).
    """
    parsed = ParsedPlan.coerce(parsed)
    if office_id is None:  # a one-office store: its only office (made on the first import)
        office_id = ensure_office(session=session, name=None, default_name=DEFAULT_OFFICE, now=now).id
    diff = diff_plan(session=session, parsed=parsed, config_aliases=config_aliases, answers=answers,
                     office_id=office_id, revises=revises, new=new, matches=matches)
    if not confirmed:
        refuse_unconfirmed(diff)
    resolve = UnitResolver(session, parsed, config_aliases or {},
                           check_answers(session, parsed, answers or {}, office_id=office_id), office_id=office_id)
    warnings = list(parsed.warnings)
    if diff.empty:
        return _unchanged_result(diff, parsed, resolve, warnings)
    merges: list[str] = []
    retired: list[str] = []
    if diff.plan_id is not None:
        plan = session.get(Plan, diff.plan_id)
        assert plan is not None
    else:
        start, end = period_of(diff.title, diff.year)
        plan = Plan(
            office_id=office_id, title=diff.title, year=diff.year, period_start=start, period_end=end,
            source_name=source_name, content_hash="", imported_at=now,
        )
        session.add(plan)
        session.flush()
        # Another plan never ends this office's others, nor another office's: each ends with its period.
    plan.title, plan.source_name, plan.imported_at = diff.title, source_name, now
    plan.short_name = unique_short_name(session=session, office_id=office_id, title=plan.title, year=plan.year,
                                        plan_id=plan.id)
    plan.content_hash = content_hash(parsed)
    units = repo.units_by_name(session=session, office_id=office_id)
    known_aliases = repo.alias_map(session=session, office_id=office_id)

    def unit_for(name: str) -> Unit:
        unit = units.get(name)
        if unit is None:
            unit = Unit(name=name, office_id=office_id, created_at=now)
            session.add(unit)
            session.flush()
            units[name] = unit
        return unit

    def leader_for(name: str) -> Unit | None:
        # A 牵头领导 that is really a unit's name (rare) stays a unit: it is not made a leader twice over.
        clean = leader_name(name)
        if not clean or clean in units:
            return None
        return ensure_leader(session=session, office_id=office_id, name=clean, now=now)

    for alias, canonical in sorted(resolve.to_canonical.items()):
        target = resolve(canonical)
        if alias == target or alias in units or alias in known_aliases:
            continue
        unit = unit_for(target)
        session.add(UnitAlias(office_id=office_id, unit_id=unit.id, alias=alias))
        known_aliases[alias] = unit.id
        merges.append(f"{alias} → {target}")

    sections: dict[str, Section] = {}
    for s in repo.sections_of(session=session, plan_id=plan.id):
        sections[s.path] = s
    wanted = {ref for ref, _ in unique_refs(parsed.tasks)}
    existing = place_refs(session, repo.all_tasks(session=session, plan_id=plan.id), diff.matches, wanted)
    keep: set[str] = set()
    lead_n = co_n = 0
    added: list[int] = []
    used_units: set[str] = set()
    for position, (ref, t) in enumerate(unique_refs(parsed.tasks)):
        keep.add(ref)
        section = _section_for(session, plan.id, t.section or "", sections)
        task = existing.get(diff.matches[ref]) if ref in diff.matches else None
        fields = {
            "title": t.title or f"第{ref}项",
            "objective": t.objective or "",
            "measures": t.measures or "",
            "section_id": section.id if section else None,
            "position": position,
        }
        if task is None:
            task = Task(plan_id=plan.id, ref=ref, created_at=now, updated_at=now, **fields)
            session.add(task)
            session.flush()
            added.append(task.id)
        else:
            changed = any(getattr(task, k) != v for k, v in fields.items()) or task.removed
            for k, v in fields.items():
                setattr(task, k, v)
            task.removed = False
            if changed:
                task.updated_at = now
        _sync_owners(session, task, task_owners(t, resolve), unit_for)
        sync_document_leaders(session=session, task=task, names=list(t.leaders), leader_for=leader_for)
        for name, role, _ in task_owners(t, resolve):
            used_units.add(name)
            lead_n += role == "lead"
            co_n += role == "co"
        _sync_deadlines(session, task, doc_deadlines(t), now)
    kept = set(diff.matches.values())
    for task_id, task in existing.items():
        if task_id not in kept and not task.removed:
            task.removed, task.updated_at = True, now
    session.add(
        AuditLog(
            at=now,
            actor=actor,
            action="plan.import",
            detail=json.dumps(
                {"plan_id": plan.id, "source": source_name, **diff.to_dict()}, ensure_ascii=False
            ),
        )
    )
    session.flush()
    reschedule(session=session, plan_id=plan.id, now=now)  # the plan's reminder series are worked out afresh
    if receipts:
        request_receipts(session=session, task_ids=added, now=now, actor=actor)
    return ImportResult(
        plan_id=plan.id,
        diff=diff,
        tasks=len(keep),
        units=len(used_units),
        lead=lead_n,
        co=co_n,
        warnings=warnings,
        merges=merges,
        retired=retired,
    )


def _section_for(session: Session, plan_id: int, path: str, sections: dict[str, Section]) -> Section | None:
    """The plan's section at `path`, made on first use; None for a task outside any section."""
    section = sections.get(path)
    if section is None and path:
        section = Section(plan_id=plan_id, path=path, position=len(sections))
        session.add(section)
        session.flush()
        sections[path] = section
    return section


def _unchanged_result(
    diff: PlanDiff, parsed: ParsedPlan, resolve: UnitResolver, warnings: list[str]
) -> ImportResult:
    """Same plan again: report what is there, write nothing."""
    owners = [o for t in parsed.tasks for o in task_owners(t, resolve)]
    return ImportResult(
        plan_id=diff.plan_id or 0,
        diff=diff,
        tasks=len(parsed.tasks),
        units=len({name for name, _, _ in owners}),
        lead=sum(role == "lead" for _, role, _ in owners),
        co=sum(role == "co" for _, role, _ in owners),
        warnings=warnings,
        merges=[],
    )


def _sync_owners(session: Session, task: Task, owners: list[tuple[str, str, str]], unit_for) -> None:
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
        if key in by_key:
            keep.add(key)
            continue
        rec = d.get("recurrence")
        session.add(
            Deadline(
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
        )
        keep.add(key)
    for key, d in by_key.items():
        if key not in keep:
            d.active = False
