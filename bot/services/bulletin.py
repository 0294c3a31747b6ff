"""督办通报 as data: a period's figures, overdue tasks, unit rankings and commended units.

The bulletin is computed as of the period's end (or now, when that is earlier) with the board's own
views and `light_of`, so its figures agree with `/board` (or `duban board --now …`) at that instant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from bot.config import Settings
from bot.reminders.policy import TaskView, effective_deadlines, needs_checkins, occurrences_of
from bot.services.board import TaskLight, month_end
from bot.services.bulletin_closure import closure_counts
from bot.services.errors import UserError
from bot.services.ledger import plan_lights, resolve_plan
from bot.workdays import WorkCalendar
from storage import repo
from storage.models import Plan, Role

QUARTER_CN = {1: "一", 2: "二", 3: "三", 4: "四"}
_PERIOD = re.compile(r"(\d{4})(?:-(?:(\d{1,2})|[Qq]([1-4])))?")


@dataclass(frozen=True)
class Period:
    """A month, a quarter or a year."""

    start: date
    end: date
    label: str  # 2021年6月 / 2021年第二季度 / 2021年
    code: str  # 2021-06 / 2021-Q2 / 2021, for file names


def parse_period(text: str) -> Period:
    """YYYY-MM (a month), YYYY-Qn (a quarter) or YYYY (a year)."""
    m = _PERIOD.fullmatch(text.strip())
    if not m:
        raise UserError(f"无法识别的时段 {text!r}，请写成 2021-06（月）、2021-Q2（季度）或 2021（年）")
    year = int(m[1])
    if m[2]:
        month = int(m[2])
        if not 1 <= month <= 12:
            raise UserError(f"月份应在 1–12 之间，收到 {text!r}")
        start = date(year, month, 1)
        return Period(start, month_end(start), f"{year}年{month}月", f"{year}-{month:02d}")
    if m[3]:
        q = int(m[3])
        start = date(year, 3 * q - 2, 1)
        return Period(start, month_end(date(year, 3 * q, 1)), f"{year}年第{QUARTER_CN[q]}季度", f"{year}-Q{q}")
    return Period(date(year, 1, 1), date(year, 12, 31), f"{year}年", str(year))


def month_of(day: date) -> Period:
    """The month `day` falls in."""
    return parse_period(f"{day.year}-{day.month:02d}")


@dataclass(frozen=True)
class Figures:
    """The headline numbers (the board's lights at `as_of`, and the period's reports)."""

    tasks: int
    done: int
    green: int
    yellow: int
    red: int
    unowned: int
    reports: int  # reports made within the period (notes too)
    reporting_units: int  # units that made at least one of them
    units: int  # units owning at least one task


@dataclass(frozen=True)
class OverdueItem:
    """A red task: who owns it and how late it is at `as_of`."""

    ref: str
    title: str
    lead: list[str]
    co: list[str]
    due: date  # the first missed deadline (working-day adjusted, as on the board)
    workdays_late: int
    days_late: int


@dataclass(frozen=True)
class UnitStanding:
    """One unit's record for the period."""

    unit: str
    overdue: int  # red tasks it leads
    overdue_co: int  # red tasks it supports
    owed: int  # reports it owed in the period (see build_bulletin)
    late: int  # of those, made after the date
    missing: int  # of those, never made
    reports: int  # reports it made in the period
    returns: int = 0  # its 申请办结 sent back by review in the period (办结审核)
    unsigned: int = 0  # items it was asked to sign for (签收) and had not at `as_of`


@dataclass(frozen=True)
class Bulletin:
    plan_title: str
    plan_year: int
    period: Period
    as_of: date
    issued: date  # the day it was drafted
    office: str  # who issues it (the first supervisor unit)
    figures: Figures
    overdue: list[OverdueItem]  # most overdue first
    by_overdue: list[UnitStanding]  # units with red tasks they lead, most first
    by_reports: list[UnitStanding]  # units with late or missing reports, most first
    commended: list[str]
    by_closure: list[UnitStanding] = field(default_factory=list)  # units with 退回 or unsigned items, most first


def _as_of(period: Period, now: datetime, settings: Settings) -> datetime:
    end = datetime.combine(period.end, time(23, 59), tzinfo=settings.app.tz)
    if period.start > now.astimezone(settings.app.tz).date():
        raise UserError(f"{period.label}尚未开始，无法通报")
    return min(end, now)


def _plan_for(session: Session, period: Period, which: str | None, office_id: int | None,
              default: Plan | None) -> Plan:
    """The named plan; else `default` (a chat's plan) when it covers the period's year; else the office's newest
    open plan of that year; else its main plan."""
    if which:
        return resolve_plan(session=session, which=which, office_id=office_id)
    year = period.start.year
    if default is not None and (default.period_start or default.year) <= year <= (default.period_end or default.year):
        return default
    same_year = repo.active_plans(session=session, year=year, office_id=office_id)
    return same_year[0] if same_year else resolve_plan(session=session, office_id=office_id)


def report_dates(view: TaskView, start: date, end: date, *, calendar: WorkCalendar,
                 settings: Settings) -> dict[Role, list[date]]:
    """The dates in [start, end] by which the lead and the co-units owe a report on a task.

    The lead owes one by each deadline (working-day adjusted, as on the board) and, for a task on
    monthly check-ins (no stated date, or ongoing work), by each check-in day; co-units owe one by their
    internal date, `co_lead_days` working days before each deadline, as their reminders say.
    """
    policy = settings.reminders
    dues: list[date] = []
    for d in effective_deadlines(view, policy):
        if d.kind == "recurring" and d.recurrence:
            raw = occurrences_of(d, view, end + timedelta(days=31))
        else:
            raw = [d.date] if d.date else []
        dues += [calendar.previous_workday(x) for x in raw]
    lead = {x for x in dues if start <= x <= end}
    if needs_checkins(view):
        m = date(start.year, start.month, 1)
        while m <= end:
            day = calendar.previous_workday(date(m.year, m.month, policy.checkin_day))
            if start <= day <= end:
                lead.add(day)
            m = month_end(m) + timedelta(days=1)
    co = {calendar.add_workdays(x, -policy.co_lead_days) for x in dues}
    return {Role.LEAD: sorted(lead), Role.CO: sorted(x for x in co if start <= x <= end)}


def build_bulletin(*, session: Session, period: Period, now: datetime, settings: Settings, calendar: WorkCalendar,
                   plan: str | None = None, office_id: int | None = None, default: Plan | None = None) -> Bulletin:
    """The bulletin of `period` for the plan of that year (or the active plan named `plan`).

    Reports owed: each date from `report_dates` in the period up to `as_of`, per owning unit, on tasks
    not done at `as_of` (a finished task asks nothing more of anyone). A report owed by a date is on
    time when the unit reported on the task (any kind, a plain note too) between the previous such date
    (or the period's start) and that date; late when it reported only afterwards, before its next date
    or `as_of`; missing when it did not report in that span at all.

    Commended units (通报表扬): units that own at least one task of the plan, lead no overdue (red)
    task at `as_of`, owed no report they made late or missed in the period, and reported at least once
    within it. Co-units are not blamed for a lead's overdue task; their own reports are what counts.
    """
    tz = settings.app.tz
    as_of = _as_of(period, now, settings)
    today = as_of.astimezone(tz).date()
    the_plan = _plan_for(session, period, plan, office_id, default)
    pairs = plan_lights(session=session, plan=the_plan, now=as_of, settings=settings, calendar=calendar)
    names = repo.unit_names(session=session)
    begin = datetime.combine(period.start, time(0, 0), tzinfo=tz)
    spoke, reports_by_unit, n_reports = _reports_in(session, [v.id for v, _ in pairs], begin, as_of, tz)

    order, stand, overdue = _standings(pairs, spoke, period, today, settings, calendar)
    closing = closure_counts(session=session, pairs=pairs, begin=begin, as_of=as_of)
    standings = {u: UnitStanding(names[u], reports=reports_by_unit.get(u, 0), **s, **closing.get(u, {}))
                 for u, s in stand.items()}
    units = sorted(standings, key=order.__getitem__)
    by_overdue = sorted((standings[u] for u in units if standings[u].overdue),
                        key=lambda s: (-s.overdue, -s.overdue_co))
    by_reports = sorted((standings[u] for u in units if standings[u].late or standings[u].missing),
                        key=lambda s: (-(s.missing + s.late), -s.missing))
    by_closure = sorted((standings[u] for u in units if standings[u].returns or standings[u].unsigned),
                        key=lambda s: (-(s.returns + s.unsigned), -s.returns))
    commended = [standings[u].unit for u in units
                 if not (standings[u].overdue or standings[u].late or standings[u].missing or standings[u].returns
                         or standings[u].unsigned) and standings[u].reports]
    lights = [t.light for _, t in pairs]
    figures = Figures(len(pairs), lights.count("done"), lights.count("green"), lights.count("yellow"),
                      lights.count("red"), lights.count("unowned"), n_reports, len(reports_by_unit), len(stand))
    overdue.sort(key=lambda o: (o.due, _ref_key(o.ref)))
    office = settings.reminders.supervisors[0] if settings.reminders.supervisors else "督导室"
    return Bulletin(the_plan.title, the_plan.year, period, today, now.astimezone(tz).date(), office, figures, overdue,
                    by_overdue, by_reports, commended, by_closure)


def _reports_in(session: Session, task_ids: list[int], begin: datetime, as_of: datetime,
                tz) -> tuple[dict[tuple[int, int], list[date]], dict[int, int], int]:
    """(task, unit) → the local dates it reported in the period; unit → how many; and how many in all (an
    admin's report counts there but is no unit's)."""
    spoke: dict[tuple[int, int], list[date]] = {}  # (task, unit) → local dates it reported in the period
    reports_by_unit: dict[int, int] = {}
    n_reports = 0
    for r in repo.reports_for_tasks(session=session, task_ids=task_ids):
        if not begin <= r.created_at <= as_of:
            continue
        n_reports += 1
        if r.unit_id is None:  # an admin's report: counted, but it is no unit's
            continue
        spoke.setdefault((r.task_id, r.unit_id), []).append(r.created_at.astimezone(tz).date())
        reports_by_unit[r.unit_id] = reports_by_unit.get(r.unit_id, 0) + 1
    return spoke, reports_by_unit, n_reports


def _standings(pairs, spoke: dict[tuple[int, int], list[date]], period: Period, today: date, settings: Settings,
               calendar: WorkCalendar) -> tuple[dict[int, int], dict[int, dict[str, int]], list[OverdueItem]]:
    """Unit → first appearance in plan order; unit → its counts (overdue as lead or co, owed, late, missing);
    the overdue tasks."""
    order: dict[int, int] = {}  # unit → first appearance in plan order
    stand: dict[int, dict[str, int]] = {}
    overdue: list[OverdueItem] = []
    for v, t in pairs:
        if t.light == "unowned":
            continue
        for u in v.lead + v.co:
            order.setdefault(u, len(order))
            stand.setdefault(u, {"overdue": 0, "overdue_co": 0, "owed": 0, "late": 0, "missing": 0})
        if t.light == "red" and t.overdue_since:
            overdue.append(_overdue_item(t, today, calendar))
            for u in v.lead:
                stand[u]["overdue"] += 1
            for u in v.co:
                stand[u]["overdue_co"] += 1
        if t.light in ("done", "review"):  # a 申请办结 under review owes no report
            continue
        dates = report_dates(v, period.start, today, calendar=calendar, settings=settings)
        for role, units in ((Role.LEAD, v.lead), (Role.CO, v.co)):
            for u in units:
                _score(stand[u], dates[role], spoke.get((v.id, u), []), period.start, today)
    return order, stand, overdue


def _score(s: dict[str, int], targets: list[date], said: list[date], start: date, today: date) -> None:
    """Count one unit's owed reports on one task as on time, late or missing."""
    for i, target in enumerate(targets):
        since = targets[i - 1] + timedelta(days=1) if i else start
        until = targets[i + 1] - timedelta(days=1) if i + 1 < len(targets) else today
        if any(since <= d <= target for d in said):
            s["owed"] += 1
            continue
        if target >= today:  # due today: not missed yet
            continue
        s["owed"] += 1
        if any(target < d <= until for d in said):
            s["late"] += 1
        else:
            s["missing"] += 1


def _overdue_item(t: TaskLight, today: date, calendar: WorkCalendar) -> OverdueItem:
    due = t.overdue_since
    assert due is not None
    return OverdueItem(t.ref, t.title, t.lead, t.co, due, calendar.workdays_between(due, today), (today - due).days)


def _ref_key(ref: str) -> tuple[int, str]:
    return (int(ref), "") if ref.isdigit() else (10**9, ref)
