"""Import a parsed plan into the store: diff against what is there, then apply in one transaction."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, select

from storage import repo
from storage.models import AuditLog, Deadline, Plan, Section, Task, TaskUnit, Unit, UnitAlias

DOC_SOURCES = ("stated", "extracted")  # deadlines that come from the document and follow its revisions


@dataclass
class PlanDiff:
    """What importing a parsed plan would change."""

    title: str
    year: int
    plan_id: int | None  # the plan being revised, None for a new one
    same_content: bool = False
    added: list[tuple[str, str]] = field(default_factory=list)  # (ref, title)
    removed: list[tuple[str, str]] = field(default_factory=list)
    reworded: list[tuple[str, list[str]]] = field(default_factory=list)  # (ref, fields changed)
    owners_gained: list[tuple[str, str, str]] = field(default_factory=list)  # (ref, unit, role)
    owners_lost: list[tuple[str, str, str]] = field(default_factory=list)
    deadlines_moved: list[tuple[str, str, str]] = field(default_factory=list)  # (ref, old, new)

    @property
    def empty(self) -> bool:
        return self.plan_id is not None and not any(
            (self.added, self.removed, self.reworded, self.owners_gained, self.owners_lost, self.deadlines_moved)
        )

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "year": self.year,
            "plan_id": self.plan_id,
            "new_plan": self.plan_id is None,
            "unchanged": self.empty,
            "added": [{"ref": r, "title": t} for r, t in self.added],
            "removed": [{"ref": r, "title": t} for r, t in self.removed],
            "reworded": [{"ref": r, "fields": f} for r, f in self.reworded],
            "owners_gained": [{"ref": r, "unit": u, "role": ro} for r, u, ro in self.owners_gained],
            "owners_lost": [{"ref": r, "unit": u, "role": ro} for r, u, ro in self.owners_lost],
            "deadlines_moved": [{"ref": r, "from": a, "to": b} for r, a, b in self.deadlines_moved],
        }


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

    def to_dict(self) -> dict:
        return {
            "plan_id": self.plan_id,
            "tasks": self.tasks,
            "units": self.units,
            "lead_assignments": self.lead,
            "co_assignments": self.co,
            "warnings": self.warnings,
            "merges": self.merges,
            "diff": self.diff.to_dict(),
        }


def content_hash(parsed: dict) -> str:
    """Hash of what was parsed, so the same plan in another encoding or format counts as the same."""
    body = {"plan": parsed.get("plan"), "tasks": parsed.get("tasks"), "units": parsed.get("units")}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


class UnitResolver:
    """Map a unit name as written to its canonical name: config aliases, the parse's merges, the store."""

    def __init__(self, session: Session, parsed: dict, config_aliases: dict[str, str]) -> None:
        self.to_canonical: dict[str, str] = {}
        stored = repo.alias_map(session=session)
        names_by_id = {u.id: u.name for u in repo.units_by_name(session=session).values()}
        for alias, unit_id in stored.items():
            self.to_canonical[alias] = names_by_id[unit_id]
        for unit in parsed.get("units", []):
            for alias in unit.get("aliases", []):
                self.to_canonical.setdefault(alias, unit["name"])
        self.to_canonical.update(config_aliases)

    def __call__(self, written: str) -> str:
        seen = set()
        name = written
        while name in self.to_canonical and name not in seen:  # alias chains end at a canonical name
            seen.add(name)
            name = self.to_canonical[name]
        return name


def _task_owners(task: dict, resolve: UnitResolver) -> list[tuple[str, str, str]]:
    """(canonical unit, role, as written) in document order, first role wins for a repeated unit."""
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for role in ("lead", "co"):
        for written in task.get(role, []):
            name = resolve(written)
            if name and name not in seen:
                seen.add(name)
                out.append((name, role, written))
    return out


def _doc_deadlines(task: dict) -> list[dict]:
    return [d for d in task.get("deadlines", []) if d.get("source", "extracted") in DOC_SOURCES]


def _deadline_key(d: dict) -> str:
    return f"{d.get('date') or '—'} {d.get('text', '')}".strip()


def _unique_refs(tasks: list[dict]) -> list[tuple[str, dict]]:
    """Give a repeated task number a suffix so both tasks survive (the parser already warned)."""
    seen: dict[str, int] = {}
    out = []
    for t in tasks:
        ref = str(t.get("ref") or len(out) + 1)
        n = seen.get(ref, 0) + 1
        seen[ref] = n
        out.append((ref if n == 1 else f"{ref}-{n}", t))
    return out


def diff_plan(*, session: Session, parsed: dict, config_aliases: dict[str, str] | None = None) -> PlanDiff:
    """Compare a parsed plan with the plan it revises, without changing anything."""
    meta = parsed.get("plan", {})
    title, year = meta.get("title") or "未命名计划", int(meta.get("year") or 0)
    existing = repo.plan_for(session=session, title=title, year=year)
    diff = PlanDiff(title=title, year=year, plan_id=existing.id if existing else None)
    resolve = UnitResolver(session, parsed, config_aliases or {})
    new_tasks = _unique_refs(parsed.get("tasks", []))
    if existing is None:
        diff.added = [(ref, t.get("title", "")) for ref, t in new_tasks]
        return diff
    diff.same_content = existing.content_hash == content_hash(parsed)
    old = {t.ref: t for t in repo.active_tasks(session=session, plan_id=existing.id)}
    for ref, t in new_tasks:
        cur = old.pop(ref, None)
        if cur is None:
            diff.added.append((ref, t.get("title", "")))
            continue
        changed = [f for f in ("title", "objective", "measures") if (t.get(f) or "") != getattr(cur, f)]
        if changed:
            diff.reworded.append((ref, changed))
        old_roles = {(u.name, tu.role) for tu, u in repo.roles_for_task(session=session, task_id=cur.id)}
        new_roles = {(name, role) for name, role, _ in _task_owners(t, resolve)}
        diff.owners_gained += [(ref, n, r) for n, r in sorted(new_roles - old_roles)]
        diff.owners_lost += [(ref, n, r) for n, r in sorted(old_roles - new_roles)]
        old_dl = sorted(
            _deadline_key({"date": d.due_date.isoformat() if d.due_date else None, "text": d.text})
            for d in repo.deadlines_for_task(session=session, task_id=cur.id)
            if d.source in DOC_SOURCES
        )
        new_dl = sorted(_deadline_key(d) for d in _doc_deadlines(t))
        if old_dl != new_dl:
            diff.deadlines_moved.append((ref, "；".join(old_dl) or "无", "；".join(new_dl) or "无"))
    diff.removed = [(ref, t.title) for ref, t in old.items()]
    return diff


def apply_plan(
    *,
    session: Session,
    parsed: dict,
    now: datetime,
    source_name: str = "",
    actor: str = "cli",
    config_aliases: dict[str, str] | None = None,
) -> ImportResult:
    """Write a parsed plan into the store (the caller's transaction); return what it did."""
    diff = diff_plan(session=session, parsed=parsed, config_aliases=config_aliases)
    resolve = UnitResolver(session, parsed, config_aliases or {})
    warnings = list(parsed.get("warnings", []))
    if diff.empty:
        return _unchanged_result(diff, parsed, resolve, warnings)
    merges: list[str] = []
    if diff.plan_id is not None:
        plan = session.get(Plan, diff.plan_id)
        assert plan is not None
    else:
        plan = Plan(title=diff.title, year=diff.year, source_name=source_name, content_hash="", imported_at=now)
        session.add(plan)
        session.flush()
    plan.title, plan.source_name, plan.imported_at = diff.title, source_name, now
    plan.content_hash = content_hash(parsed)
    units = repo.units_by_name(session=session)
    known_aliases = repo.alias_map(session=session)

    def unit_for(name: str) -> Unit:
        unit = units.get(name)
        if unit is None:
            unit = Unit(name=name, created_at=now)
            session.add(unit)
            session.flush()
            units[name] = unit
        return unit

    for alias, canonical in sorted(resolve.to_canonical.items()):
        target = resolve(canonical)
        if alias == target or alias in units or alias in known_aliases:
            continue
        unit = unit_for(target)
        session.add(UnitAlias(unit_id=unit.id, alias=alias))
        known_aliases[alias] = unit.id
        merges.append(f"{alias} → {target}")

    sections: dict[str, Section] = {}
    for s in session.exec(select(Section).where(Section.plan_id == plan.id)).all():
        sections[s.path] = s
    existing = {t.ref: t for t in session.exec(select(Task).where(Task.plan_id == plan.id)).all()}
    keep: set[str] = set()
    lead_n = co_n = 0
    used_units: set[str] = set()
    for position, (ref, t) in enumerate(_unique_refs(parsed.get("tasks", []))):
        keep.add(ref)
        path = t.get("section") or ""
        section = sections.get(path)
        if section is None and path:
            section = Section(plan_id=plan.id, path=path, position=len(sections))
            session.add(section)
            session.flush()
            sections[path] = section
        task = existing.get(ref)
        fields = {
            "title": t.get("title") or f"第{ref}项",
            "objective": t.get("objective") or "",
            "measures": t.get("measures") or "",
            "section_id": section.id if section else None,
            "position": position,
        }
        if task is None:
            task = Task(plan_id=plan.id, ref=ref, created_at=now, updated_at=now, **fields)
            session.add(task)
            session.flush()
        else:
            changed = any(getattr(task, k) != v for k, v in fields.items()) or task.removed
            for k, v in fields.items():
                setattr(task, k, v)
            task.removed = False
            if changed:
                task.updated_at = now
        _sync_owners(session, task, _task_owners(t, resolve), unit_for)
        for name, role, _ in _task_owners(t, resolve):
            used_units.add(name)
            lead_n += role == "lead"
            co_n += role == "co"
        _sync_deadlines(session, task, _doc_deadlines(t), now)
    for ref, task in existing.items():
        if ref not in keep and not task.removed:
            task.removed, task.updated_at = True, now
    session.add(
        AuditLog(
            at=now,
            actor=actor,
            action="plan.import",
            detail=json.dumps({"plan_id": plan.id, "source": source_name, **diff.to_dict()}, ensure_ascii=False),
        )
    )
    session.flush()
    return ImportResult(
        plan_id=plan.id,
        diff=diff,
        tasks=len(keep),
        units=len(used_units),
        lead=lead_n,
        co=co_n,
        warnings=warnings,
        merges=merges,
    )


def _unchanged_result(diff: PlanDiff, parsed: dict, resolve: UnitResolver, warnings: list[str]) -> ImportResult:
    """Same plan again: report what is there, write nothing."""
    owners = [o for t in parsed.get("tasks", []) for o in _task_owners(t, resolve)]
    return ImportResult(
        plan_id=diff.plan_id or 0,
        diff=diff,
        tasks=len(parsed.get("tasks", [])),
        units=len({name for name, _, _ in owners}),
        lead=sum(role == "lead" for _, role, _ in owners),
        co=sum(role == "co" for _, role, _ in owners),
        warnings=warnings,
        merges=[],
    )


def _sync_owners(session: Session, task: Task, owners: list[tuple[str, str, str]], unit_for) -> None:
    current = {tu.unit_id: tu for tu in session.exec(select(TaskUnit).where(TaskUnit.task_id == task.id)).all()}
    wanted: set[int] = set()
    for position, (name, role, written) in enumerate(owners):
        unit = unit_for(name)
        wanted.add(unit.id)
        tu = current.get(unit.id)
        if tu is None:
            session.add(TaskUnit(task_id=task.id, unit_id=unit.id, role=role, position=position, written_as=written))
        else:
            tu.role, tu.position, tu.written_as = role, position, written
    for unit_id, tu in current.items():
        if unit_id not in wanted:
            session.delete(tu)


def _sync_deadlines(session: Session, task: Task, wanted: list[dict], now: datetime) -> None:
    """Follow the document's deadlines; manual ones set by an admin stay untouched."""
    current = [
        d for d in session.exec(select(Deadline).where(Deadline.task_id == task.id, Deadline.active)).all()
        if d.source in DOC_SOURCES
    ]
    by_key = {_deadline_key({"date": d.due_date.isoformat() if d.due_date else None, "text": d.text}): d for d in current}
    keep = set()
    for d in wanted:
        key = _deadline_key(d)
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
                confirmed=False,
                created_at=now,
            )
        )
        keep.add(key)
    for key, d in by_key.items():
        if key not in keep:
            d.active = False
