"""Compare a parsed plan with the stored plan it revises: what `duban plan diff` shows."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from sqlmodel import Session

from storage import repo

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
            (
                self.added,
                self.removed,
                self.reworded,
                self.owners_gained,
                self.owners_lost,
                self.deadlines_moved,
            )
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


def task_owners(task: dict, resolve: UnitResolver) -> list[tuple[str, str, str]]:
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


def doc_deadlines(task: dict) -> list[dict]:
    return [d for d in task.get("deadlines", []) if d.get("source", "extracted") in DOC_SOURCES]


def deadline_key(d: dict) -> str:
    return f"{d.get('date') or '—'} {d.get('text', '')}".strip()


def unique_refs(tasks: list[dict]) -> list[tuple[str, dict]]:
    """Give a repeated task number a suffix so both tasks survive (the parser already warned)."""
    seen: dict[str, int] = {}
    out = []
    for t in tasks:
        ref = str(t.get("ref") or len(out) + 1)
        n = seen.get(ref, 0) + 1
        seen[ref] = n
        out.append((ref if n == 1 else f"{ref}-{n}", t))
    return out


def revised_plan(*, session: Session, title: str, year: int):
    """The active plan a parsed document revises: the same title, or a close one of the same year.

    "…工作要点（修订稿）" revises "…工作要点"; "2021年安全工作要点" beside "2021年工作要点" is a second plan.
    """
    same_year = repo.active_plans(session=session, year=year)
    for plan in repo.active_plans(session=session):
        if plan.title == title:
            return plan
    for plan in same_year:
        if title.startswith(plan.title) or plan.title.startswith(title) or fuzz.ratio(plan.title, title) >= 90:
            return plan
    return None


def diff_plan(*, session: Session, parsed: dict, config_aliases: dict[str, str] | None = None) -> PlanDiff:
    """Compare a parsed plan with the plan it revises, without changing anything."""
    meta = parsed.get("plan", {})
    title, year = meta.get("title") or "未命名计划", int(meta.get("year") or 0)
    existing = revised_plan(session=session, title=title, year=year)
    diff = PlanDiff(title=title, year=year, plan_id=existing.id if existing else None)
    resolve = UnitResolver(session, parsed, config_aliases or {})
    new_tasks = unique_refs(parsed.get("tasks", []))
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
        new_roles = {(name, role) for name, role, _ in task_owners(t, resolve)}
        diff.owners_gained += [(ref, n, r) for n, r in sorted(new_roles - old_roles)]
        diff.owners_lost += [(ref, n, r) for n, r in sorted(old_roles - new_roles)]
        old_dl = sorted(
            deadline_key({"date": d.due_date.isoformat() if d.due_date else None, "text": d.text})
            for d in repo.deadlines_for_task(session=session, task_id=cur.id)
            if d.source in DOC_SOURCES
        )
        new_dl = sorted(deadline_key(d) for d in doc_deadlines(t))
        if old_dl != new_dl:
            diff.deadlines_moved.append((ref, "；".join(old_dl) or "无", "；".join(new_dl) or "无"))
    diff.removed = [(ref, t.title) for ref, t in old.items()]
    return diff
