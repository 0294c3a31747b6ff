"""The progress ledger (台账) as data: per task, per task × unit (lead and co), and every report.

Reads are bounded: the plan's lights come from the same views and `light_of` as the board (so the
ledger agrees with `/board`), and every report of the plan is read in one query; the rows are
assembled in memory, never with a query per task or per unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from bot.config import Settings
from bot.reminders.policy import TaskView
from bot.reminders.views import load_task_views
from bot.services.board import TaskLight, lights_of
from bot.services.errors import UserError
from bot.services.itemview import instruction_rows
from bot.services.ledger_closure import closing_part
from bot.services.offices import find_plan, main_plan
from bot.workdays import WorkCalendar
from storage import repo
from storage.models import Plan, ReportStatus, Role, StatusReport


@dataclass(frozen=True)
class LedgerRow:
    """One task of the ledger (the 任务总览 sheet)."""

    light: TaskLight
    due: date | None
    status: ReportStatus | None  # None: no report yet
    percent: int | None
    note: str
    reported_at: datetime | None


@dataclass(frozen=True)
class UnitLedgerRow:
    """One task × one owning unit: that unit's own latest word on the task."""

    ref: str
    title: str
    unit: str
    role: Role
    light: str  # the task's light (see board.light_of)
    due: date | None
    status: ReportStatus | None  # the unit's newest status report; None: none yet
    percent: int | None
    note: str  # the unit's newest non-empty note
    reported_at: datetime | None  # the unit's newest report of any kind (a plain note counts)
    reports: int  # how many reports the unit made on the task
    evidence: int  # 佐证材料 attached by the unit (always 0 until evidence exists)


@dataclass(frozen=True)
class HistoryRow:
    """One status report, as written."""

    ref: str
    title: str
    unit: str  # "" when an admin reported without a unit
    role: Role | None  # the unit's role on the task; None for an admin or a former owner
    status: ReportStatus
    percent: int | None
    note: str
    reporter: str
    at: datetime


@dataclass(frozen=True)
class Ledger:
    """The whole ledger of one plan as of one instant."""

    plan_title: str
    plan_year: int
    as_of: datetime
    tasks: list[LedgerRow]
    units: list[UnitLedgerRow]
    history: list[HistoryRow]
    instructions: list = field(default_factory=list)  # InstructionLine-like rows: leaders' 批示 (issue 22)
    closing: list = field(default_factory=list)  # ledger_closure.ClosingRow: 签收/申请办结/销号 times, 退回 count
    events: list = field(default_factory=list)  # ledger_closure.EventRow: every 签收, 退回, 申请办结, 通过…


def resolve_plan(*, session: Session, which: str | None = None, office_id: int | None = None,
                 default: Plan | None = None) -> Plan:
    """The plan a ledger or bulletin is about: `default` (a chat's plan) or the office's main plan, else the open
    plan `which` names the way task refs name plans (id, short name, a word of the title), or its year."""
    if not which:
        plan = default or main_plan(session=session, office_id=office_id)
        if plan is None:
            raise UserError("还没有导入工作计划。")
        return plan
    which = which.strip()
    plan = find_plan(session=session, office_id=office_id, word=which)
    if plan is not None:
        return plan
    plans = repo.active_plans(session=session, office_id=office_id)
    hits = [p for p in plans if which in p.title or (len(which) == 4 and which.isdigit() and int(which) == p.year)]
    if not hits:
        known = "、".join(p.title for p in plans) or "无"
        raise UserError(f"没有名为“{which}”的在用计划（在用的计划：{known}）")
    if len(hits) > 1 and not which.isdigit():
        raise UserError(f"“{which}”对应多个计划：{'、'.join(p.title for p in hits)}，请写得更具体些")
    return hits[0]  # active_plans is newest first


def plan_lights(*, session: Session, plan: Plan, now: datetime, settings: Settings,
                calendar: WorkCalendar) -> list[tuple[TaskView, TaskLight]]:
    """Each live task of `plan` with its light, computed exactly as `board()` does (same views, same light_of)."""
    today = now.astimezone(settings.app.tz).date()
    ids = {t.id for t in repo.active_tasks(session=session, plan_id=plan.id)}
    views = [v for v in load_task_views(session=session, now=now, tz=settings.app.tz) if v.id in ids]
    return list(zip(views, lights_of(session=session, views=views, today=today, calendar=calendar,
                                     settings=settings), strict=True))


def evidence_counts(*, session: Session, task_ids: list[int]) -> dict[tuple[int, int], int]:
    """(task id, unit id) → number of 佐证材料 files the unit attached (one grouped query)."""
    return repo.evidence_counts(session=session, task_ids=task_ids)


def build_ledger(*, session: Session, now: datetime, settings: Settings, calendar: WorkCalendar,
                 plan: Plan | None = None) -> Ledger:
    """The ledger of `plan` (the current plan by default) as of `now`."""
    plan = plan or resolve_plan(session=session)
    pairs = plan_lights(session=session, plan=plan, now=now, settings=settings, calendar=calendar)
    ids = [v.id for v, _ in pairs]
    reports = repo.reports_for_tasks(session=session, task_ids=ids)  # oldest first, one query
    names = repo.unit_names(session=session)
    evidence = evidence_counts(session=session, task_ids=ids)

    latest: dict[int, StatusReport] = {}  # task → newest status report (not a plain note), any unit
    note_of: dict[int, str] = {}  # task → newest non-empty note
    by_unit: dict[tuple[int, int], list[StatusReport]] = {}
    for r in reports:
        if r.status != ReportStatus.NOTE:
            latest[r.task_id] = r
        if r.note:
            note_of[r.task_id] = r.note
        if r.unit_id is not None:
            by_unit.setdefault((r.task_id, r.unit_id), []).append(r)

    tasks, units = [], []
    roles: dict[tuple[int, int], Role] = {}
    refs = {v.id: v for v, _ in pairs}
    for v, t in pairs:
        due = t.overdue_since or t.next_deadline
        r = latest.get(v.id)
        tasks.append(LedgerRow(t, due, ReportStatus(r.status) if r else None, r.percent if r else None,
                               note_of.get(v.id, ""), r.created_at if r else None))
        for role, owners in ((Role.LEAD, v.lead), (Role.CO, v.co)):
            for unit_id in owners:
                roles[(v.id, unit_id)] = role
                mine = by_unit.get((v.id, unit_id), [])
                status = next((x for x in reversed(mine) if x.status != ReportStatus.NOTE), None)
                note = next((x.note for x in reversed(mine) if x.note), "")
                units.append(UnitLedgerRow(
                    v.ref, v.title, names[unit_id], role, t.light, due,
                    ReportStatus(status.status) if status else None, status.percent if status else None, note,
                    mine[-1].created_at if mine else None, len(mine), evidence.get((v.id, unit_id), 0)))
    history = [
        HistoryRow(refs[r.task_id].ref, refs[r.task_id].title, names.get(r.unit_id, "") if r.unit_id else "",
                   roles.get((r.task_id, r.unit_id)) if r.unit_id else None, ReportStatus(r.status), r.percent,
                   r.note, r.reporter, r.created_at)
        for r in reports
    ]
    closing, events = closing_part(session=session, plan_id=plan.id, pairs=pairs)
    instructions = instruction_rows(session=session, tasks={v.id: (v.ref, v.title) for v, _ in pairs})
    return Ledger(plan.title, plan.year, now, tasks, units, history, instructions, closing, events)


def ledger_rows(*, session: Session, now: datetime, settings: Settings, calendar: WorkCalendar) -> list[LedgerRow]:
    """The per-task rows of the current plan's ledger as of `now`."""
    return build_ledger(session=session, now=now, settings=settings, calendar=calendar).tasks
