"""Read tasks the way people ask for them: by number, by unit, as a full record."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from bot.numerals import cn_int
from bot.services.errors import NotFound
from bot.services.evidence import evidence_lines
from storage import events, repo
from storage.models import Plan, ReportStatus, Section, StatusReport, Task


def cn_to_int(text: str) -> int | None:
    """A small numeral typed in chat ("12", "十二") → int; None when it is not one."""
    try:
        return cn_int(text)
    except KeyError:
        return None


# A task number as people write it: "12", "第十二项", "3.2", "1-2", "第5条任务".
_REF_BODY = r"第?\s*(?P<num>[0-9]+(?:[.\-][0-9]+)*|[零〇一二两三四五六七八九十百]+)\s*(?:项|条|个|号)?(?:任务)?"
_REF = re.compile(_REF_BODY)
_REF_TAIL = re.compile(f"({_REF_BODY})$")


def _bare(text: str) -> str:
    """The text as a ref is matched: NFKC, lower case, without a leading "task", "#" or "no."."""
    t = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"^(task|#|no\.?)\s*", "", t)


def normalise_ref(text: str) -> str:
    """ "第12项" / "12" / "第十二项" / "task 12" → "12"; other refs ("3.2") pass through."""
    t = _bare(text)
    m = _REF.fullmatch(t)
    if not m:
        return t
    n = cn_to_int(m.group("num"))
    return str(n) if n is not None else m.group("num")


def looks_like_ref(text: str) -> bool:
    """True for "12", "第十二项", "3.2", "task 12"."""
    t = _bare(text)
    return bool(t) and _REF.fullmatch(t) is not None


def split_plan_ref(text: str) -> tuple[str, str]:
    """ "安全生产第3项" → ("安全生产", "第3项"); "12" → ("", "12"): a ref may be led by a word naming its plan."""
    t = unicodedata.normalize("NFKC", text).strip()
    if looks_like_ref(t):
        return "", t
    m = _REF_TAIL.search(t)
    if m and m.start() > 0:
        word = t[: m.start()].strip().rstrip("的")
        if word and not word[-1].isdigit():
            return word, m.group(1)
    return "", t


def require_plan(*, session: Session, office_id: int | None = None) -> Plan:
    """The office's main plan (what a bare task number means when nothing else says)."""
    from bot.services.offices import main_plan

    plan = main_plan(session=session, office_id=office_id)
    if plan is None:
        raise NotFound("还没有导入任何工作计划。请先运行 duban plan import 文件。")
    return plan


def require_task(*, session: Session, ref: str, plan: Plan | None = None, office_id: int | None = None) -> Task:
    """The task a person means by `ref` ("12", "第十二项", "安全生产第3项"), in `plan` unless the ref names one."""
    from bot.services.plan_names import plan_named

    word, ref = split_plan_ref(ref)
    if word:  # the plan named, or NotFound with the choices: never another plan's task of that number
        plan = plan_named(session=session, office_id=office_id, word=word)
    plan = plan or require_plan(session=session, office_id=office_id)
    key = normalise_ref(ref)
    task = repo.task_by_ref(session=session, plan_id=plan.id, ref=key)
    if task is None or task.removed:
        count = len(repo.active_tasks(session=session, plan_id=plan.id))
        raise NotFound(f"《{plan.title}》没有第{key}项任务（共 {count} 项）。")
    return task


def owners(*, session: Session, task_id: int) -> tuple[list[str], list[str]]:
    """The task's lead and co units, by name (its leaders are not owners)."""
    lead, co, _ = _parties(session, task_id)
    return lead, co


def _parties(session: Session, task_id: int) -> tuple[list[str], list[str], list[str]]:
    """(lead, co, leader) names of one task."""
    names = repo.names_by_role(session=session, task_ids=[task_id]).get(task_id, {})
    return names.get("lead", []), names.get("co", []), names.get("leader", [])


@dataclass(frozen=True)
class DeadlineLine:
    """One deadline of a task as people read it."""

    id: int
    date: date | None
    text: str
    label: str
    source: str
    kind: str
    certain: bool
    confirmed: bool

    def to_dict(self) -> dict:
        d = asdict(self)
        d["date"] = self.date.isoformat() if self.date else None
        return d


@dataclass(frozen=True)
class ReportLine:
    """One status report; `at` is an aware datetime, formatted by the renderers in the office's zone."""

    status: ReportStatus
    percent: int | None
    note: str
    unit: int | None
    reporter: str
    at: datetime

    def to_dict(self) -> dict:
        return {"status": str(self.status), "percent": self.percent, "note": self.note, "unit": self.unit,
                "reporter": self.reporter, "at": self.at.isoformat()}


@dataclass(frozen=True)
class PlanRef:
    id: int
    title: str
    year: int


@dataclass(frozen=True)
class EventLine:
    """One step of the closing loop on the task (签收, 退回, 重新交办, 申请办结, 通过, 审核退回)."""

    kind: str  # a TaskEventKind
    unit: str
    note: str
    actor: str
    at: datetime

    def to_dict(self) -> dict:
        return {"kind": self.kind, "unit": self.unit, "note": self.note, "actor": self.actor,
                "at": self.at.isoformat()}


@dataclass
class TaskRecord:
    """Everything about one task, as `duban task N` and `/task N` show it."""

    ref: str
    plan: PlanRef | None
    section: str
    title: str
    objective: str
    measures: str
    lead: list[str]
    co: list[str]
    deadlines: list[DeadlineLine]
    reports: list[ReportLine]
    removed: bool = False
    evidence: list = field(default_factory=list)  # EvidenceLine: 佐证材料 sent for the task
    leaders: list[str] = field(default_factory=list)  # 牵头领导: hear its escalations
    events: list[EventLine] = field(default_factory=list)  # the closing loop's record, oldest first
    review_pending: bool = False  # a 申请办结 awaits review
    closed: bool = False
    returns: int = 0  # reviews that sent a 申请办结 back

    @property
    def latest(self) -> ReportLine | None:
        """The newest report that set a status (progress notes do not)."""
        return next((r for r in reversed(self.reports) if r.status != ReportStatus.NOTE), None)

    def to_dict(self) -> dict:
        return {
            "ref": self.ref,
            "plan": asdict(self.plan) if self.plan else None,
            "section": self.section,
            "title": self.title,
            "objective": self.objective,
            "measures": self.measures,
            "lead": self.lead,
            "co": self.co,
            "leaders": self.leaders,
            "deadlines": [d.to_dict() for d in self.deadlines],
            "reports": [r.to_dict() for r in self.reports],
            "latest": self.latest.to_dict() if self.latest else None,
            "removed": self.removed,
            "evidence": [e.to_dict() for e in self.evidence],
            "events": [e.to_dict() for e in self.events],
            "review_pending": self.review_pending,
            "closed": self.closed,
            "returns": self.returns,
        }


def report_lines(reports: Sequence[StatusReport]) -> list[ReportLine]:
    return [ReportLine(ReportStatus(r.status), r.percent, r.note, r.unit_id, r.reporter, r.created_at)
            for r in reports]


def recent_reports(*, session: Session, task_id: int, n: int = 3) -> list[ReportLine]:
    """The task's `n` newest reports, oldest first (notes included)."""
    return report_lines(repo.newest_reports(session=session, task_id=task_id, n=n))


def task_record(*, session: Session, task: Task, history: bool = True) -> TaskRecord:
    """Everything about one task, in a handful of queries; without `history`, its reports are only the newest
    one that set a status (its `latest`: what /task shows), whatever the history's length."""

    plan = session.get(Plan, task.plan_id)
    section = session.get(Section, task.section_id) if task.section_id else None
    lead, co, leaders = _parties(session, task.id)
    deadlines = [
        DeadlineLine(d.id, d.due_date, d.text, d.label, d.source, d.kind, d.certain, d.confirmed)
        for d in repo.deadlines_for_task(session=session, task_id=task.id)
    ]
    reports = report_lines(repo.reports_for_task(session=session, task_id=task.id) if history else
                           repo.newest_reports(session=session, task_id=task.id, n=1, status_only=True))
    return TaskRecord(
        ref=task.ref,
        plan=PlanRef(plan.id, plan.title, plan.year) if plan else None,
        section=section.path if section else "",
        title=task.title,
        objective=task.objective,
        measures=task.measures,
        lead=lead,
        co=co,
        deadlines=deadlines,
        reports=reports,
        removed=task.removed,
        evidence=evidence_lines(session=session, task_id=task.id),
        leaders=leaders,
        events=event_lines(session=session, task_id=task.id),
        review_pending=task.review_pending,
        closed=task.done,
        returns=task.returns or 0,
    )


def event_lines(*, session: Session, task_id: int) -> list[EventLine]:
    """The task's closing-loop events with the names of their units, oldest first."""
    rows = events.events_of(session=session, task_ids=[task_id])
    names = repo.unit_names_of(session=session, unit_ids=list({e.unit_id for e in rows if e.unit_id}))
    return [EventLine(e.kind, names.get(e.unit_id, "") if e.unit_id else "", e.note, e.actor, e.at) for e in rows]
