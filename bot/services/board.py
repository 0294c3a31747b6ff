"""Traffic lights: green on track, yellow near a deadline without a recent report, red overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from bot.config import Settings
from bot.workdays import WorkCalendar
from jobs.policy import TaskView, effective_deadlines
from jobs.views import load_task_views
from storage import repo
from storage.models import Unit

LIGHT_CN = {"green": "🟢 正常", "yellow": "🟡 临近未反馈", "red": "🔴 逾期", "done": "✅ 已完成", "unowned": "⚪ 未列责任单位"}


@dataclass
class TaskLight:
    task_id: int
    ref: str
    title: str
    lead: list[str]
    co: list[str]
    light: str  # green | yellow | red | done | unowned
    next_deadline: date | None
    overdue_since: date | None
    last_report: date | None


def light_of(view: TaskView, today: date, *, calendar: WorkCalendar, settings: Settings) -> tuple[str, date | None, date | None]:
    """(light, next deadline, first missed deadline) for one task on one day."""
    if view.done:
        return "done", None, None
    if not (view.lead or view.co):
        return "unowned", None, None  # nobody to chase: the office must assign it, not a red mark on a unit
    dates: list[date] = []
    for d in effective_deadlines(view, settings.reminders):
        if d.kind == "recurring" and d.recurrence:
            occ = d.recurrence.occurrences(date(view.year, 1, 1), date(max(view.year, today.year) + 1, 12, 31))
            # Only the latest passed occurrence can be missed; earlier ones were followed by later periods.
            past = [o for o in occ if calendar.previous_workday(o) < today]
            future = [o for o in occ if calendar.previous_workday(o) >= today]
            dates += past[-1:] + future[:1]
        elif d.date:
            dates.append(d.date)
    due = sorted(calendar.previous_workday(x) for x in dates)
    missed = [x for x in due if x < today and not (view.last_report and view.last_report > x and _recurring(view))]
    upcoming = [x for x in due if x >= today]
    nxt = upcoming[0] if upcoming else None
    if missed:
        return "red", nxt, missed[0]
    fresh = view.last_report is not None and (today - view.last_report).days < settings.reminders.report_fresh_days
    if nxt and calendar.workdays_between(today, nxt) <= settings.reminders.yellow_days and not fresh:
        return "yellow", nxt, None
    return "green", nxt, None


def _recurring(view: TaskView) -> bool:
    return any(d.kind == "recurring" for d in view.deadlines)


def board(*, session: Session, now: datetime, settings: Settings, calendar: WorkCalendar, plan_only: bool = True) -> list[TaskLight]:
    """Lights for every active task (of the current plan by default)."""
    tz = settings.app.tz
    today = now.astimezone(tz).date()
    plan = repo.current_plan(session=session)
    views = load_task_views(session=session, now=now, tz=tz)
    if plan_only and plan is not None:
        ids = {t.id for t in repo.active_tasks(session=session, plan_id=plan.id)}
        views = [v for v in views if v.id in ids]
    names = {u.id: u.name for u in session.exec(select(Unit)).all()}
    out = []
    for v in views:
        light, nxt, missed = light_of(v, today, calendar=calendar, settings=settings)
        out.append(TaskLight(v.id, v.ref, v.title, [names[u] for u in v.lead], [names[u] for u in v.co], light, nxt,
                             missed, v.last_report))
    return out
