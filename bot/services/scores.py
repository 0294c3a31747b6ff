"""The year's scores (效能考核): per-unit points from the record, each point traceable to its item.

Components (points from `[supervision.points]`): a 牵头 / co item closed (销号) by its deadline, one not closed by
its deadline (due within the period, before now), each review 退回 of a lead's 申请办结, each report owed and made
late or missed (as the 通报 counts them), each month's 通报 that commends the unit. Nothing for logins or clicks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from bot.config import PointsSettings, Settings
from bot.reminders.policy import TaskView, effective_deadlines
from bot.services.board import month_end
from bot.services.bulletin import Period, build_bulletin, parse_period
from bot.services.ledger import plan_lights, resolve_plan
from bot.workdays import WorkCalendar
from storage import events, repo
from storage.models import Plan, Task, TaskEventKind

COMPONENTS = ("lead_on_time", "co_on_time", "lead_overdue", "co_overdue", "returned", "report_late",
              "report_missing", "praised")


@dataclass(frozen=True)
class Point:
    """One scored fact: which unit, which component, the item (or period) behind it, and its points."""

    unit: str
    component: str  # one of COMPONENTS
    ref: str  # the task's ref, or "" for a period's fact
    title: str  # the task's title, or the period's label
    detail: str
    points: float


@dataclass(frozen=True)
class UnitScore:
    unit: str
    counts: dict[str, int]
    points: dict[str, float]

    @property
    def total(self) -> float:
        return round(sum(self.points.values()), 2)


def _due(view: TaskView, settings: Settings) -> date | None:
    dated = [d.date for d in effective_deadlines(view, settings.reminders) if d.kind != "recurring" and d.date]
    return max(dated) if dated else None


def _item_points(session: Session, pairs: list, period: Period, today: date, table: PointsSettings,
                 tz, names: dict[int, str], settings: Settings) -> list[Point]:
    out = []
    for v, _light in pairs:
        task = session.get(Task, v.id)
        due = _due(v, settings)
        closed = task.closed_at.astimezone(tz).date() if task.done and task.closed_at else None
        on_time = closed is not None and period.start <= closed <= period.end and (due is None or closed <= due)
        overdue = (not on_time and due is not None and period.start <= due <= period.end and due < today
                   and (closed is None or closed > due))
        if not (on_time or overdue):
            continue
        what = f"销号于{closed.isoformat()}" if closed else "未销号"
        detail = f"时限{due.isoformat() if due else '无'}，{what}"
        for role, units in (("lead", v.lead), ("co", v.co)):
            key = f"{role}_{'on_time' if on_time else 'overdue'}"
            out += [Point(names[u], key, v.ref, v.title, detail, getattr(table, key)) for u in units]
    return out


def _return_points(session: Session, pairs: list, begin: datetime, end: datetime, table: PointsSettings,
                   names: dict[int, str]) -> list[Point]:
    views = {v.id: v for v, _ in pairs}
    return [Point(names[u], "returned", views[e.task_id].ref, views[e.task_id].title, f"退回原因：{e.note}",
                  table.returned)
            for e in events.events_of(session=session, task_ids=list(views))
            if e.kind == TaskEventKind.RETURN and begin <= e.at < end for u in views[e.task_id].lead]


def _months(period: Period, today: date) -> list[Period]:
    out, m = [], period.start
    while m <= min(period.end, today):
        out.append(parse_period(f"{m.year}-{m.month:02d}"))
        m = month_end(m) + timedelta(days=1)
    return out


def score_points(*, session: Session, period: Period, now: datetime, settings: Settings, calendar: WorkCalendar,
                 office_id: int | None = None) -> list[Point]:
    """Every scored fact of the period for the plan of its year (the office's)."""
    tz, table = settings.app.tz, settings.supervision.points
    today = now.astimezone(tz).date()
    plan = score_plan(session=session, period=period, office_id=office_id)
    whole = build_bulletin(session=session, period=period, now=now, settings=settings, calendar=calendar,
                           office_id=office_id, default=plan)
    pairs = plan_lights(session=session, plan=plan, now=now, settings=settings, calendar=calendar)
    names = repo.unit_names(session=session)
    begin = datetime.combine(period.start, time(0, 0), tzinfo=tz)
    end = datetime.combine(period.end + timedelta(days=1), time(0, 0), tzinfo=tz)
    out = _item_points(session, pairs, period, today, table, tz, names, settings)
    out += _return_points(session, pairs, begin, end, table, names)
    for s in whole.by_reports:
        out += [Point(s.unit, "report_late", "", period.label, f"迟报{s.late}次", table.report_late)] * s.late
        out += [Point(s.unit, "report_missing", "", period.label, f"未报{s.missing}次",
                      table.report_missing)] * s.missing
    for month in _months(period, today):
        b = build_bulletin(session=session, period=month, now=now, settings=settings, calendar=calendar,
                           office_id=office_id, default=plan)
        out += [Point(u, "praised", "", month.label, "通报表扬", table.praised) for u in b.commended]
    return out


def unit_scores(points: list[Point], units: list[str]) -> list[UnitScore]:
    """One row per unit (every unit of the plan, scored or not), highest total first."""
    rows = {u: UnitScore(u, dict.fromkeys(COMPONENTS, 0), dict.fromkeys(COMPONENTS, 0.0)) for u in units}
    for p in points:
        row = rows.setdefault(p.unit, UnitScore(p.unit, dict.fromkeys(COMPONENTS, 0), dict.fromkeys(COMPONENTS, 0.0)))
        row.counts[p.component] += 1
        row.points[p.component] = round(row.points[p.component] + p.points, 2)
    return sorted(rows.values(), key=lambda r: -r.total)


def score_plan(*, session: Session, period: Period, office_id: int | None) -> Plan:
    """The plan scored: the office's newest open plan of the period's year, else its main plan (as the 通报)."""
    same_year = repo.active_plans(session=session, year=period.start.year, office_id=office_id)
    return same_year[0] if same_year else resolve_plan(session=session, office_id=office_id)


def plan_units(*, session: Session, plan: Plan) -> list[str]:
    """The units owning a task of the plan, in listing order."""
    tasks = repo.all_tasks(session=session, plan_id=plan.id)
    by_role = repo.names_by_role(session=session, task_ids=[t.id for t in tasks if not t.removed])
    return list(dict.fromkeys(n for roles in by_role.values() for r in ("lead", "co") for n in roles.get(r, [])))
