"""Compare a parsed plan with the stored plan it revises: what `duban plan diff` shows.

Which unit a name means lives in services/unitresolve.py, which plan and which stored task a revision
revises in services/revision.py; this module puts them together into the diff.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlmodel import Session

from bot.plan.model import ParsedPlan, ParsedTask
from bot.services.errors import UserError
from bot.services.revision import (
    AmbiguousRevision,
    Matching,
    MatchQuestion,
    Shape,
    check_match_answers,
    match_tasks,
    revised_plan,
)
from bot.services.unitresolve import (
    UnitQuestion,
    UnitResolver,
    check_answers,
    resembles,
    task_owners,
    unique_refs,
)
from storage import repo
from storage.models import Task

__all__ = ["AmbiguousRevision", "MatchQuestion", "NeedsConfirmation", "NeedsMatchAnswers", "PlanDiff",
           "UnitQuestion", "UnitResolver", "check_answers", "content_hash", "diff_plan", "resembles",
           "task_owners", "unique_refs"]

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



class NeedsMatchAnswers(UserError):
    """A revision whose tasks match stored ones only uncertainly: apply when a person answers or accepts."""

    def __init__(self, diff: PlanDiff) -> None:
        n = len(diff.match_questions)
        first = diff.match_questions[0].text
        super().__init__(f"修订版有 {n} 项任务无法确定对应原计划哪一项（如：{first}），未做任何修改；"
                         "请在终端中运行以逐项回答，或加 --yes 采用最可能的对应。")
        self.diff = diff


@dataclass
class PlanDiff:
    """What importing a parsed plan would change."""

    title: str
    year: int
    plan_id: int | None  # the plan being revised, None for a new one
    same_content: bool = False
    added: list[tuple[str, str]] = field(default_factory=list)  # (ref, title)
    removed: list[tuple[str, str]] = field(default_factory=list)
    renumbered: list[tuple[str, str, str]] = field(default_factory=list)  # (stored ref, new ref, title)
    reworded: list[tuple[str, list[str]]] = field(default_factory=list)  # (ref, fields changed)
    owners_gained: list[tuple[str, str, str]] = field(default_factory=list)  # (ref, unit, role)
    owners_lost: list[tuple[str, str, str]] = field(default_factory=list)
    deadlines_moved: list[tuple[str, str, str]] = field(default_factory=list)  # (ref, old, new)
    unit_questions: list[UnitQuestion] = field(default_factory=list)  # new names that resemble others
    new_aliases: list[tuple[str, str]] = field(default_factory=list)  # (alias, unit) confirmed, not yet stored
    tasks_before: int = 0  # active tasks of the revised plan
    tasks_after: int = 0  # tasks in the parsed plan
    match_questions: list[MatchQuestion] = field(default_factory=list)  # uncertain matches of tasks
    matches: dict[str, int] = field(default_factory=dict)  # new ref → stored task id (the best guesses too)

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
                self.renumbered,
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
            "renumbered": [{"from": a, "to": b, "title": t} for a, b, t in self.renumbered],
            "reworded": [{"ref": r, "fields": f} for r, f in self.reworded],
            "owners_gained": [{"ref": r, "unit": u, "role": ro} for r, u, ro in self.owners_gained],
            "owners_lost": [{"ref": r, "unit": u, "role": ro} for r, u, ro in self.owners_lost],
            "deadlines_moved": [{"ref": r, "from": a, "to": b} for r, a, b in self.deadlines_moved],
            "unit_questions": [q.to_dict() for q in self.unit_questions],
            "match_questions": [q.to_dict() for q in self.match_questions],
            "new_aliases": [{"alias": a, "unit": u} for a, u in self.new_aliases],
            "tasks_before": self.tasks_before,
            "tasks_after": self.tasks_after,
            "needs_confirmation": self.needs_confirmation,
            "confirmation": self.confirmation_text,
        }


def refuse_unconfirmed(diff: PlanDiff) -> None:
    """A revision removing much, or matching tasks only uncertainly, waits for a person's word."""
    if diff.needs_confirmation:
        raise NeedsConfirmation(diff)
    if diff.match_questions:
        raise NeedsMatchAnswers(diff)


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



def doc_deadlines(task: ParsedTask) -> list[dict]:
    return [d for d in task.deadlines if d.get("source", "extracted") in DOC_SOURCES]


def deadline_key(d: dict) -> str:
    return f"{d.get('date') or '—'} {d.get('text', '')}".strip()



def diff_plan(
    *,
    session: Session,
    parsed: ParsedPlan | dict,
    config_aliases: dict[str, str] | None = None,
    answers: dict[str, str] | None = None,
    office_id: int | None = None,
    revises: str | None = None,
    new: bool = False,
    matches: dict[str, str] | None = None,
) -> PlanDiff:
    """Compare a parsed plan with the plan of the office it revises, without changing anything.

    Refuses (UserError, one line) what is not a plan; `answers` are aliases a person confirmed
    in reply to `unit_questions` (alias → existing unit), e.g. from `--alias`; `matches` are a person's
    answers to `match_questions` (new ref → stored ref, or "" for a new task).
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
    matching = _match(session, existing.id, new_tasks, old, resolve, matches or {})
    diff.match_questions = matching.questions
    for ref, t in new_tasks:
        cur = old.get(matching.pairs.get(ref, ""))
        if cur is None:
            diff.added.append((ref, t.title))
            continue
        diff.matches[ref] = cur.id
        if cur.ref != ref:
            diff.renumbered.append((cur.ref, ref, t.title or cur.title))
        _compare(session, diff, ref, t, cur, resolve)
    matched = set(matching.pairs.values())
    diff.removed = [(ref, t.title) for ref, t in old.items() if ref not in matched]
    return diff


def _match(session: Session, plan_id: int, new_tasks: list[tuple[str, ParsedTask]], old: dict[str, Task],
           resolve: UnitResolver, answers: dict[str, str]) -> Matching:
    """Pair the revision's tasks with the stored ones by what they say (services/revision.py)."""
    answers = check_match_answers(answers, (ref for ref, _ in new_tasks), old)
    paths = {s.id: s.path for s in repo.sections_of(session=session, plan_id=plan_id)}
    new = [Shape(ref, t.title or "", t.section or "", frozenset(n for n, _, _ in task_owners(t, resolve)),
                 f"{t.objective or ''}{t.measures or ''}", i) for i, (ref, t) in enumerate(new_tasks)]
    shapes = []
    for i, t in enumerate(old.values()):
        owners = frozenset(u.name for tu, u in repo.roles_for_task(session=session, task_id=t.id)
                           if tu.role in ("lead", "co"))
        shapes.append(Shape(t.ref, t.title, paths.get(t.section_id, ""), owners, f"{t.objective}{t.measures}", i))
    return match_tasks(new, shapes, answers)


def _compare(session: Session, diff: PlanDiff, ref: str, t: ParsedTask, cur: Task, resolve: UnitResolver) -> None:
    """What a revision changes in one task it keeps: wording, owners, leaders, the document's deadlines."""
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
