"""督办单 / 催办单 of one task or item: what the formal sheet an office sends for it says."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from bot.services.errors import UserError
from bot.services.itemview import view_of
from bot.services.tasks import task_record
from bot.workdays import WorkCalendar
from storage import repo
from storage.models import Office, Plan, ReportStatus, Task

KINDS = ("督办", "催办")


@dataclass(frozen=True)
class SheetEntry:
    """One line of the history: a report or a leader's instruction."""

    at: datetime
    who: str
    what: str  # "instruction" or a ReportStatus value
    percent: int | None
    words: str


@dataclass(frozen=True)
class Sheet:
    """Everything on a 督办单 (or 催办单)."""

    kind: str
    ref: str
    title: str
    source: str
    instructed_by: str
    instruction: str
    assigned_on: date | None
    due: date | None
    lead: list[str]
    co: list[str]
    leaders: list[str]
    done: bool
    latest: ReportStatus | None
    workdays_late: int  # > 0 overdue; < 0 working days still left; 0 due today or no date
    days_late: int
    office: str
    issued: date
    history: list[SheetEntry] = field(default_factory=list)


def build_sheet(*, session: Session, task: Task, kind: str, today: date, calendar: WorkCalendar) -> Sheet:
    """The sheet of one task as of `today`; 催办 is for a task not yet done."""
    if kind not in KINDS:
        raise UserError(f"--kind 只能是 {'或'.join(KINDS)}，收到 {kind!r}。")
    rec = task_record(session=session, task=task)
    if kind == "催办" and task.done:
        raise UserError(f"第{task.ref}项已办结，不需要催办。")
    plan = session.get(Plan, task.plan_id)
    item = view_of(session=session, task=task)
    info = item.info if item else None
    dates = [d.date for d in rec.deadlines if d.date]
    due = min((d for d in dates if d >= today), default=max(dates, default=None))
    overdue = [d for d in dates if d < today]
    late_from = max(overdue) if overdue and (due is None or due < today) else None
    workdays = calendar.workdays_between(late_from, today) if late_from else (
        -calendar.workdays_between(today, due) if due else 0)
    names = repo.unit_names_of(session=session, unit_ids=[r.unit for r in rec.reports if r.unit])
    history = [SheetEntry(r.at, names.get(r.unit, "督办办公室") if r.unit else "督办办公室", str(r.status), r.percent,
                          r.note) for r in rec.reports]
    history += [SheetEntry(x.at, x.author, "instruction", None, x.words) for x in (item.instructions if item else [])]
    office = session.get(Office, plan.office_id) if plan.office_id else None
    return Sheet(
        kind=kind, ref=item.ref if info else f"第{task.ref}项", title=task.title,
        source=info.source if info else f"《{plan.title}》", instructed_by=info.instructed_by if info else "",
        instruction=info.instruction if info else "", assigned_on=info.assigned_on if info else None,
        due=late_from or due, lead=rec.lead, co=rec.co, leaders=rec.leaders, done=task.done,
        latest=rec.latest.status if rec.latest else None, workdays_late=workdays,
        days_late=(today - late_from).days if late_from else 0, office=office.name if office else "",
        issued=today, history=sorted(history, key=lambda e: e.at))
