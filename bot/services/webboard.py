"""What the web board shows, as data: an office's lights by plan and unit, a unit's items, one item's story.

Lights come from `board.light_of` over the same views the chat's /board reads (plan by plan, off the task rows),
so the board never disagrees with the chat. Which lights exist is read off the tasks: a state added to
`light_of` appears here with no change. Sections come from SECTION_SOURCES: one entry per kind of section
(plans today; sources of items when they come). bot/services/boardcache.py keeps an office's board per day
and store version (in the process and in the store), so a look costs a lookup, not a pass over every task.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from bot.config import Settings
from bot.reminders.policy import TaskView
from bot.reminders.views import load_views_of
from bot.services.board import OfficeLights, TaskLight, lights_of, rollup
from bot.services.bulletin import _score, report_dates
from bot.workdays import WorkCalendar
from storage import repo
from storage import web as store
from storage.models import Office, Plan, ReportStatus

TREND_WEEKS = 8
WORST_PER_SECTION = 5
CHANGES_SHOWN = 30  # the newest changes the page lists; the rest are counted


@dataclass(frozen=True)
class Scope:
    """One request's world: the store, the clock and the settings the board reads with."""

    session: Session
    now: datetime
    settings: Settings
    calendar: WorkCalendar

    @property
    def today(self) -> date:
        return self.now.astimezone(self.settings.app.tz).date()


@dataclass
class Lit:
    """One task's view and light, and the plan it belongs to."""

    view: TaskView
    light: TaskLight
    plan: Plan


@dataclass(frozen=True)
class Section:
    key: str  # "plan:3"
    title: str
    counts: dict[str, int]
    total: int
    worst: list[TaskLight]  # the longest overdue first, then the nearest deadlines


@dataclass
class UnitRow:
    unit_id: int
    name: str
    lead: int = 0
    co: int = 0
    done: int = 0
    overdue: int = 0
    late: int = 0
    missing: int = 0
    returned: int = 0  # times the office's review sent back the 申请办结 of an item it leads (审核退回)
    declined: int = 0  # items it handed back to the office as not its own (退办), wherever they went after
    instructions: int = 0  # leaders' instructions (批示) on the items it leads
    counts: dict[str, int] = field(default_factory=dict)  # the lights of the items it leads


@dataclass(frozen=True)
class Change:
    """Something that happened since a week ago: a report, or an item turning overdue."""

    at: date
    task_id: int
    ref: str
    title: str
    unit: str
    what: str  # a ReportStatus value, or "overdue"


@dataclass
class OfficeBoard:
    office: str
    as_of: date
    counts: dict[str, int]
    sections: list[Section]
    units: list[UnitRow]
    trend: list[tuple[date, int, int]]  # (week's Monday, reports, reports saying done)
    changes: list[Change]  # the newest CHANGES_SHOWN
    children: list[OfficeLights] = field(default_factory=list)
    read_at: datetime | None = None  # when the store was read for it
    more_changes: int = 0  # changes of the week beyond those listed


def lit_tasks(scope: Scope, task_ids: list[int], plans: dict[int, Plan]) -> list[Lit]:
    """These tasks' views and lights, read as /board reads them."""
    if not task_ids:
        return []
    views = load_views_of(session=scope.session, task_ids=task_ids, now=scope.now, tz=scope.settings.app.tz,
                          lights=True)
    lit = lights_of(session=scope.session, views=views, today=scope.today, calendar=scope.calendar,
                    settings=scope.settings)
    return [Lit(v, t, plans[v.plan_id]) for v, t in zip(views, lit, strict=True)]


def office_tasks(scope: Scope, office_id: int | None) -> list[Lit]:
    """Every live task of the office's open plans, lit."""
    plans = {p.id: p for p in repo.active_plans(session=scope.session, office_id=office_id)}
    return lit_tasks(scope, store.office_task_ids(session=scope.session, office_id=office_id), plans)


def _worst_first(t: TaskLight) -> tuple:
    return (t.overdue_since is None, t.overdue_since or t.next_deadline or date.max, t.ref)


def plan_sections(scope: Scope, lit: list[Lit]) -> list[Section]:
    """One section per open plan, in the order the office lists them."""
    by_plan: dict[int, list[Lit]] = {}
    for x in lit:
        by_plan.setdefault(x.plan.id, []).append(x)
    out = []
    for plan_id, xs in by_plan.items():
        plan = xs[0].plan
        open_ones = sorted((x.light for x in xs if x.light.light in ("red", "yellow")), key=_worst_first)
        out.append(Section(f"plan:{plan_id}", plan.short_name or plan.title, dict(Counter(x.light.light for x in xs)),
                           len(xs), open_ones[:WORST_PER_SECTION]))
    return out


# Each kind of section the office page shows, in order; sources of items add their own function here.
SECTION_SOURCES: list[Callable[[Scope, list[Lit]], list[Section]]] = [plan_sections]


def unit_rows(scope: Scope, lit: list[Lit], reports: list[tuple]) -> list[UnitRow]:
    """Per unit: items it leads and supports, done, overdue, reports owed this month made late or never, and on
    the items it leads the reviews' returns and the leaders' instructions, and the items it handed back."""
    names = repo.unit_names_of(session=scope.session, unit_ids=list({u for x in lit for u in (*x.view.lead, *x.view.co)}))
    rows: dict[int, UnitRow] = {}
    spoke: dict[tuple[int, int], list[date]] = {}
    tz = scope.settings.app.tz
    for task_id, unit_id, _status, _note, at in reports:
        if unit_id is not None:
            spoke.setdefault((task_id, unit_id), []).append(at.astimezone(tz).date())
    start = scope.today.replace(day=1)
    for x in lit:
        v, light = x.view, x.light.light
        dates = report_dates(v, start, scope.today, calendar=scope.calendar, settings=scope.settings) \
            if light not in ("done", "unowned") else {}
        for role, units in (("lead", v.lead), ("co", v.co)):
            for u in units:
                row = rows.setdefault(u, UnitRow(u, names[u]))
                setattr(row, role, getattr(row, role) + 1)
                if role == "lead":
                    row.done += light == "done"
                    row.overdue += light == "red"
                    row.counts[light] = row.counts.get(light, 0) + 1
                if dates:
                    tally = {"owed": 0, "late": 0, "missing": 0}
                    _score(tally, dates[role], spoke.get((v.id, u), []), start, scope.today)
                    row.late += tally["late"]
                    row.missing += tally["missing"]
    ids = [x.view.id for x in lit]
    returns, said = store.returns_and_instructions(session=scope.session, task_ids=ids)
    for x in lit:
        for u in x.view.lead:
            rows[u].returned += returns.get(x.view.id, 0)
            rows[u].instructions += said.get(x.view.id, 0)
    declined = store.declines_by_unit(session=scope.session, task_ids=ids)
    gone = repo.unit_names_of(session=scope.session, unit_ids=[u for u in declined if u not in rows])
    for u, n in declined.items():
        # A unit whose only item it handed back leads nothing now, yet the table still says it returned one.
        rows.setdefault(u, UnitRow(u, gone.get(u, ""))).declined = n
    return sorted(rows.values(), key=lambda r: (-r.overdue, -(r.late + r.missing), r.name))


def _trend_and_changes(scope: Scope, lit: list[Lit],
                       reports: list[tuple]) -> tuple[list[tuple[date, int, int]], list[Change]]:
    monday = scope.today - timedelta(days=scope.today.weekday())
    weeks = [monday - timedelta(weeks=i) for i in range(TREND_WEEKS - 1, -1, -1)]
    counts = {w: [0, 0] for w in weeks}
    tz = scope.settings.app.tz
    week_ago = scope.today - timedelta(days=7)
    by_id = {x.view.id: x.light for x in lit}
    names = repo.unit_names_of(session=scope.session, unit_ids=list({r[1] for r in reports if r[1] is not None}))
    changes = []
    for task_id, unit_id, status, _note, at in reports:
        day = at.astimezone(tz).date()
        week = day - timedelta(days=day.weekday())
        if week in counts:
            counts[week][0] += 1
            counts[week][1] += status == ReportStatus.DONE
        if day > week_ago and task_id in by_id:
            t = by_id[task_id]
            changes.append(Change(day, task_id, t.ref, t.title, names.get(unit_id, ""), str(status)))
    for t in by_id.values():
        if t.overdue_since and t.overdue_since >= week_ago:
            changes.append(Change(t.overdue_since, t.task_id, t.ref, t.title, "、".join(t.lead), "overdue"))
    changes.sort(key=lambda c: (c.at, c.ref), reverse=True)
    return [(w, *counts[w]) for w in weeks], changes


def build_office(scope: Scope, office_id: int | None) -> OfficeBoard:
    """The office page's data, worked out from the store."""
    lit = office_tasks(scope, office_id)
    tz = scope.settings.app.tz
    since = datetime.combine(min(scope.today.replace(day=1), scope.today - timedelta(weeks=TREND_WEEKS)),
                             time(0), tzinfo=tz)
    reports = store.reports_between(session=scope.session, task_ids=[x.view.id for x in lit], since=since,
                                    until=scope.now + timedelta(seconds=1))
    month = datetime.combine(scope.today.replace(day=1), time(0), tzinfo=tz)
    trend, changes = _trend_and_changes(scope, lit, reports)
    office = scope.session.get(Office, office_id) if office_id else None
    children = rollup(session=scope.session, now=scope.now, settings=scope.settings, calendar=scope.calendar,
                      parent_id=office_id) if office_id else []
    return OfficeBoard(office.name if office else "", scope.today, dict(Counter(x.light.light for x in lit)),
                       [s for source in SECTION_SOURCES for s in source(scope, lit)],
                       unit_rows(scope, lit, [r for r in reports if r[4] >= month]), trend,
                       changes[:CHANGES_SHOWN], children, scope.now, max(len(changes) - CHANGES_SHOWN, 0))
