"""Compare a parsed plan with the stored plan it revises: what `duban plan diff` shows."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from sqlmodel import Session

from bot.plan.model import ParsedPlan, ParsedTask
from bot.services.errors import UserError
from storage import repo

DOC_SOURCES = ("stated", "extracted")  # deadlines that come from the document and follow its revisions

# Bounds on what a plan may hold; outside them the file is refused with one line, nothing stored.
YEAR_MIN, YEAR_MAX = 1990, 2100
MAX_UNIT_NAME = 40
MAX_TITLE = 200
MAX_TASKS = 5000
REMOVE_LIMIT = 1 / 3  # a revision removing more than this share of a plan's tasks needs confirming


class NeedsConfirmation(UserError):
    """A revision would remove many tasks (or all): apply only when the person confirms."""

    def __init__(self, diff: PlanDiff) -> None:
        super().__init__(f"{diff.confirmation_text}未做任何修改；确认无误请重新导入并确认（命令行加 --yes）。")
        self.diff = diff


@dataclass(frozen=True)
class UnitQuestion:
    """A new unit name that resembles another: is it another name for it? Only a person says yes."""

    name: str  # the new name as the document writes it
    candidates: tuple[str, ...]  # units it may be another name for, best first
    refs: tuple[str, ...] = ()  # tasks that write it

    @property
    def text(self) -> str:
        return f"新单位“{self.name}”：是否为“{self.candidates[0]}”的别称？"

    def answer(self, candidate: str | None = None) -> str:
        """The `--alias` value that says yes."""
        return f"{self.name}={candidate or self.candidates[0]}"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "candidates": list(self.candidates), "refs": list(self.refs),
                "question": self.text}


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
    unit_questions: list[UnitQuestion] = field(default_factory=list)  # new names that resemble others
    new_aliases: list[tuple[str, str]] = field(default_factory=list)  # (alias, unit) confirmed, not yet stored
    tasks_before: int = 0  # active tasks of the revised plan
    tasks_after: int = 0  # tasks in the parsed plan

    @property
    def needs_confirmation(self) -> bool:
        """Removing over a third of the plan's tasks, or all of them, is likely a truncated file."""
        if self.plan_id is None or not self.removed:
            return False
        return self.tasks_after == 0 or len(self.removed) > self.tasks_before * REMOVE_LIMIT

    @property
    def confirmation_text(self) -> str:
        if not self.needs_confirmation:
            return ""
        n = len(self.removed)
        why = "，删除后计划将没有任务" if self.tasks_after == 0 else "（超过三分之一）"
        return f"这份修订版将删除《{self.title}》现有 {self.tasks_before} 项任务中的 {n} 项{why}，文件可能不完整。"

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
                self.new_aliases,
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
            "unit_questions": [q.to_dict() for q in self.unit_questions],
            "new_aliases": [{"alias": a, "unit": u} for a, u in self.new_aliases],
            "tasks_before": self.tasks_before,
            "tasks_after": self.tasks_after,
            "needs_confirmation": self.needs_confirmation,
            "confirmation": self.confirmation_text,
        }


def content_hash(parsed: ParsedPlan | dict) -> str:
    """Hash of what was parsed, so the same plan in another encoding or format counts as the same."""
    d = ParsedPlan.coerce(parsed).to_dict()
    body = {"plan": d["plan"], "tasks": d["tasks"], "units": d["units"]}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def check_plan(parsed: ParsedPlan) -> None:
    """Refuse, with one Chinese line, what is not a plan or is outside sensible bounds."""
    if not any(t.lead or t.co for t in parsed.tasks):
        raise UserError("没有找到带责任单位的任务：这份文件不像工作计划（或格式无法识别），未导入任何内容。")
    if parsed.year is None:
        raise UserError("没有从标题或正文中识别出计划年份（如“2021年”），未导入任何内容。")
    if not YEAR_MIN <= parsed.year <= YEAR_MAX:
        raise UserError(f"计划年份 {parsed.year} 不合理（应在 {YEAR_MIN}—{YEAR_MAX} 年之间），未导入任何内容。")
    if len(parsed.title) > MAX_TITLE:
        raise UserError(f"计划标题过长（{len(parsed.title)} 字，上限 {MAX_TITLE} 字），未导入任何内容。")
    if len(parsed.tasks) > MAX_TASKS:
        raise UserError(f"任务过多（{len(parsed.tasks)} 项，上限 {MAX_TASKS} 项），未导入任何内容。")
    for t in parsed.tasks:
        for name in (*t.lead, *t.co):
            if len(name) > MAX_UNIT_NAME:
                raise UserError(
                    f"第{t.ref}项的单位名称过长（{len(name)} 字，上限 {MAX_UNIT_NAME} 字）：“{name[:12]}…”，未导入任何内容。"
                )
            if not name.strip() or any(ord(c) < 32 for c in name):
                raise UserError(f"第{t.ref}项有空白或含控制字符的单位名称，未导入任何内容。")


_GROUP = re.compile(r"^(各|有关|相关|全县|全市|全区|县直|市直|区直|其他|其它)")


def _key(name: str) -> str:
    return re.sub(r"委员会$", "委", re.sub(r"办公室$", "办", name))


def resembles(a: str, b: str) -> bool:
    """Could `a` be another way of writing `b`? Only ever used to ask, never to merge."""
    if a == b or _GROUP.match(a) or _GROUP.match(b):
        return False
    ka, kb = _key(a), _key(b)
    if ka == kb:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 2 and short in long_:
        return True
    ks, kl = sorted((ka, kb), key=len)
    if len(ks) >= 2 and ks[0] == kl[0] and ks[-1] == kl[-1]:
        it = iter(kl)
        return all(ch in it for ch in ks) and fuzz.ratio(ks, kl) >= 70
    return False


def _rank(name: str, candidates: list[str]) -> tuple[str, ...]:
    """Best first: same name once 办公室/委员会 are shortened, then the closest spelling."""
    uniq = list(dict.fromkeys(c for c in candidates if c != name))
    return tuple(sorted(uniq, key=lambda c: (_key(c) != _key(name), -fuzz.ratio(c, name))))


class UnitResolver:
    """Map a unit name as written to its canonical unit: stored and confirmed aliases only.

    The parser's own merges (units[].aliases) are suggestions: one applies only between names the
    store has never seen, and only when the group is unambiguous (教师进修学校 ← 进修学校). A name
    that would join two units, or that resembles a unit already stored, stays a separate unit and
    becomes a question (`questions`) until a person answers it (config aliases or `answers`).
    """

    def __init__(
        self,
        session: Session,
        parsed: ParsedPlan | dict,
        config_aliases: dict[str, str],
        answers: dict[str, str] | None = None,
        office_id: int | None = None,
    ) -> None:
        parsed = ParsedPlan.coerce(parsed)
        self.to_canonical: dict[str, str] = {}
        stored = repo.alias_map(session=session, office_id=office_id)
        units = repo.units_by_name(session=session, office_id=office_id)
        names_by_id = {u.id: u.name for u in units.values()}
        for alias, unit_id in stored.items():
            self.to_canonical[alias] = names_by_id[unit_id]
        self.stored_units = set(units)
        known = set(units) | set(stored)
        explicit = {**config_aliases, **(answers or {})}
        held: dict[str, list[str]] = {}  # name -> what the parser would have merged it with
        for unit in parsed.units:
            canonical, aliases = unit["name"], [a for a in unit.get("aliases", []) if a not in explicit]
            if not aliases or canonical in explicit:
                continue
            group = [canonical, *aliases]
            fresh = not any(n in known for n in group)
            clear = len(aliases) == 1 or all(resembles(a, b) for a in aliases for b in aliases if a != b)
            if fresh and clear:
                for alias in aliases:
                    self.to_canonical.setdefault(alias, canonical)
                continue
            # ask about the name the parser wanted to merge into, or else about each new alias
            if canonical not in known:
                held.setdefault(canonical, []).extend(aliases)
            else:
                for alias in aliases:
                    if alias not in known:
                        held.setdefault(alias, []).append(canonical)
        self.to_canonical.update(explicit)
        self.held = held

    def __call__(self, written: str) -> str:
        seen = set()
        name = written
        while name in self.to_canonical and name not in seen:  # alias chains end at a canonical name
            seen.add(name)
            name = self.to_canonical[name]
        return name

    def questions(self, parsed: ParsedPlan) -> list[UnitQuestion]:
        """New names (as written) that resemble a stored unit or that the parser wanted to merge."""
        refs: dict[str, list[str]] = {}
        for ref, t in unique_refs(parsed.tasks):
            for written in (*t.lead, *t.co):
                if self(written) == written and written not in self.stored_units:
                    refs.setdefault(written, []).append(ref)
        out = []
        for name, where in refs.items():
            cands = list(self.held.get(name, []))
            cands += [u for u in sorted(self.stored_units) if u[:1] == name[:1] or u[-1:] == name[-1:]
                      if resembles(name, u)]
            # a held candidate that itself resolves elsewhere is asked about by its resolved name
            ranked = _rank(name, [self(c) for c in cands])
            if ranked:
                out.append(UnitQuestion(name=name, candidates=ranked[:3], refs=tuple(dict.fromkeys(where))))
        return out


def task_owners(task: ParsedTask, resolve: UnitResolver) -> list[tuple[str, str, str]]:
    """(canonical unit, role, as written) in document order, first role wins for a repeated unit."""
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for role in ("lead", "co"):
        for written in getattr(task, role):
            name = resolve(written)
            if name and name not in seen:
                seen.add(name)
                out.append((name, role, written))
    return out


def doc_deadlines(task: ParsedTask) -> list[dict]:
    return [d for d in task.deadlines if d.get("source", "extracted") in DOC_SOURCES]


def deadline_key(d: dict) -> str:
    return f"{d.get('date') or '—'} {d.get('text', '')}".strip()


def unique_refs(tasks: list[ParsedTask]) -> list[tuple[str, ParsedTask]]:
    """Give a repeated task number a suffix so both tasks survive (the parser already warned)."""
    seen: dict[str, int] = {}
    out = []
    for t in tasks:
        ref = str(t.ref or len(out) + 1)
        n = seen.get(ref, 0) + 1
        seen[ref] = n
        out.append((ref if n == 1 else f"{ref}-{n}", t))
    return out


_REVISION_MARK = re.compile(r"[（(](?:修订稿|修订版|修改稿|征求意见稿|送审稿|讨论稿|最终稿|定稿|终稿|正式稿)[）)]\s*$")


def _series(title: str) -> str:
    """A title without its revision marker: "…工作要点（修订稿）" is in the series of "…工作要点"."""
    return re.sub(r"\s+", "", _REVISION_MARK.sub("", title.strip()))


def revised_plan(*, session: Session, title: str, year: int, office_id: int | None = None,
                 revises: str | None = None, new: bool = False):
    """The open plan of the office a parsed document revises, or None for a new plan.

    Only the same title series is a revision ("…工作要点（修订稿）" revises "…工作要点"); a title that
    merely extends another ("…（第二批）") or a different plan of the same year is a new plan. When a
    title is close to an open plan's but not in its series, the importer asks (`revises` / `new`
    settle it) instead of guessing.
    """
    from bot.services.offices import require_plan_named

    if new:
        return None
    if revises:
        return require_plan_named(session=session, office_id=office_id, word=revises)
    plans = list(repo.active_plans(session=session, office_id=office_id))
    series = _series(title)
    for plan in plans:
        if _series(plan.title) == series:
            return plan
    close = [p for p in plans if p.year == year and fuzz.ratio(_series(p.title), series) >= 90]
    if close:
        raise AmbiguousRevision(title, close[0].id, close[0].title)
    return None


class AmbiguousRevision(UserError):
    """A title close to an open plan's but not in its series: a person says which it is."""

    def __init__(self, title: str, plan_id: int, plan_title: str) -> None:
        self.title, self.plan_id, self.plan_title = title, plan_id, plan_title
        super().__init__(f"《{title}》与已有计划《{plan_title}》（编号 {plan_id}）很接近："
                         f"如是它的修订版，请加 --revises {plan_id}；如是另一份计划，请加 --new。")


def diff_plan(
    *,
    session: Session,
    parsed: ParsedPlan | dict,
    config_aliases: dict[str, str] | None = None,
    answers: dict[str, str] | None = None,
    office_id: int | None = None,
    revises: str | None = None,
    new: bool = False,
) -> PlanDiff:
    """Compare a parsed plan with the plan of the office it revises, without changing anything.

    Refuses (UserError, one line) what is not a plan; `answers` are aliases a person confirmed
    in reply to `unit_questions` (alias → existing unit), e.g. from `--alias`.
    """
    parsed = ParsedPlan.coerce(parsed)
    check_plan(parsed)
    answers = check_answers(session, parsed, answers or {}, office_id=office_id)
    title, year = parsed.title or "未命名计划", int(parsed.year or 0)
    existing = revised_plan(session=session, title=title, year=year, office_id=office_id, revises=revises, new=new)
    diff = PlanDiff(title=title, year=year, plan_id=existing.id if existing else None)
    resolve = UnitResolver(session, parsed, config_aliases or {}, answers, office_id=office_id)
    diff.unit_questions = resolve.questions(parsed)
    stored = set(repo.alias_map(session=session, office_id=office_id)) | resolve.stored_units
    diff.new_aliases = [(a, resolve(a)) for a in sorted(answers) if a not in stored]
    new_tasks = unique_refs(parsed.tasks)
    diff.tasks_after = len(new_tasks)
    if existing is None:
        diff.added = [(ref, t.title) for ref, t in new_tasks]
        return diff
    diff.same_content = existing.content_hash == content_hash(parsed)
    old = {t.ref: t for t in repo.active_tasks(session=session, plan_id=existing.id)}
    diff.tasks_before = len(old)
    for ref, t in new_tasks:
        cur = old.pop(ref, None)
        if cur is None:
            diff.added.append((ref, t.title))
            continue
        changed = [f for f in ("title", "objective", "measures") if (getattr(t, f) or "") != getattr(cur, f)]
        if changed:
            diff.reworded.append((ref, changed))
        # Leaders count as owners here (role "leader"), except those an admin named: a revision keeps them.
        old_roles = {(u.name, tu.role) for tu, u in repo.roles_for_task(session=session, task_id=cur.id)
                     if not (tu.role == "leader" and tu.written_as == "admin")}
        new_roles = {(name, role) for name, role, _ in task_owners(t, resolve)}
        new_roles |= {(name, "leader") for name in dict.fromkeys(t.leaders) if name}
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


def check_answers(session: Session, parsed: ParsedPlan, answers: dict[str, str],
                  office_id: int | None = None) -> dict[str, str]:
    """A confirmed alias must name a unit written in the plan and an existing (or written) unit."""
    written = {n for t in parsed.tasks for n in (*t.lead, *t.co)}
    known = (set(repo.units_by_name(session=session, office_id=office_id))
             | set(repo.alias_map(session=session, office_id=office_id)) | written)
    out = {}
    for alias, target in answers.items():
        alias, target = alias.strip(), target.strip()
        if not alias or not target or alias == target:
            raise UserError(f"别称“{alias}={target}”无效，请写成 新名称=已有单位，如 安全办公室=安全办")
        if target not in known:
            raise UserError(f"别称“{alias}={target}”中的单位“{target}”不存在，未导入任何内容。")
        out[alias] = target
    return out
