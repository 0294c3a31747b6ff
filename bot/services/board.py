"""Traffic lights: green on track, yellow near a deadline without a recent report, red overdue."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.config import Settings
from bot.reminders.policy import TaskView, effective_deadlines, occurrences_of
from bot.reminders.views import load_task_views, load_views_of
from bot.workdays import WorkCalendar
from storage import repo
from storage.models import Plan


class Light(enum.StrEnum):
    """A task's traffic light on one day."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    DONE = "done"
    UNOWNED = "unowned"


@dataclass
class TaskLight:
    """One task's traffic light on one day."""

    task_id: int
    ref: str
    title: str
    lead: list[str]
    co: list[str]
    light: str  # green | yellow | red | review (待审核) | done | unowned
    next_deadline: date | None
    overdue_since: date | None
    last_report: date | None

    def to_dict(self) -> dict:
        return {"ref": self.ref, "title": self.title, "lead": self.lead, "co": self.co, "light": self.light,
                "next_deadline": self.next_deadline, "overdue_since": self.overdue_since,
                "last_report": self.last_report}


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    first_of_next = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def light_of(view: TaskView, today: date, *, calendar: WorkCalendar, settings: Settings) -> tuple[str, date | None, date | None]:
    """(light, next deadline, first missed deadline) for one task on one day."""
    if view.done:
        return "done", None, None
    if view.review_pending:
        return "review", None, None  # 申请办结 awaiting the office's review: neither late nor done
    if not (view.lead or view.co):
        return "unowned", None, None  # nobody to chase: the office must assign it, not a red mark on a unit
    due = due_days(view, today, calendar=calendar, settings=settings)
    missed = [x for x in due if x < today and not (view.last_report and view.last_report > x and _recurring(view))]
    upcoming = [x for x in due if x >= today]
    nxt = upcoming[0] if upcoming else None
    if missed:
        return "red", nxt, missed[0]
    fresh = view.last_report is not None and (today - view.last_report).days < settings.reminders.report_fresh_days
    if nxt and calendar.workdays_between(today, nxt) <= settings.reminders.yellow_days and not fresh:
        return "yellow", nxt, None
    return "green", nxt, None


def due_days(view: TaskView, today: date, *, calendar: WorkCalendar, settings: Settings,
             every: bool = False) -> list[date]:
    """The days a task is due, as the board reckons them: its effective deadlines, each moved back to a working
    day; of a recurring one, the latest passed and the next occurrence (`every`: all of them to next year's end)."""
    dates: list[date] = []
    for d in effective_deadlines(view, settings.reminders):
        if d.kind == "recurring" and d.recurrence:
            occ = occurrences_of(d, view, date(max(view.year, today.year) + 1, 12, 31))
            if every:
                dates += occ
                continue
            # Only the latest passed occurrence can be missed; earlier ones were followed by later periods.
            past = [o for o in occ if calendar.previous_workday(o) < today]
            future = [o for o in occ if calendar.previous_workday(o) >= today]
            dates += past[-1:] + future[:1]
        elif d.date:
            dates.append(d.date)
    return sorted(calendar.previous_workday(x) for x in dates)


def _recurring(view: TaskView) -> bool:
    return any(d.kind == "recurring" for d in view.deadlines)


def light_for(*, session: Session, task_id: int, now: datetime, settings: Settings,
              calendar: WorkCalendar) -> TaskLight | None:
    """One task's light, from the state kept on its row: what "第N项进展如何" needs, whatever the plan's size."""
    views = load_views_of(session=session, task_ids=[task_id], now=now, tz=settings.app.tz, lights=True)
    if not views:
        return None
    (lit,) = lights_of(session=session, views=views[:1], today=now.astimezone(settings.app.tz).date(),
                       calendar=calendar, settings=settings)
    return lit


def lights_of(*, session: Session, views: list[TaskView], today: date, calendar: WorkCalendar,
              settings: Settings) -> list[TaskLight]:
    """The lights of these tasks on `today`, their units by name (one statement for the names)."""
    names = repo.unit_names_of(session=session, unit_ids=list({u for v in views for u in (*v.lead, *v.co)}))
    out = []
    for v in views:
        light, nxt, missed = light_of(v, today, calendar=calendar, settings=settings)
        out.append(TaskLight(v.id, v.ref, v.title, [names[u] for u in v.lead], [names[u] for u in v.co], light, nxt,
                             missed, v.last_report))
    return out


def board(*, session: Session, now: datetime, settings: Settings, calendar: WorkCalendar, plan_only: bool = True,
          plan: Plan | None = None, office_id: int | None = None) -> list[TaskLight]:
    """Lights for every active task of `plan` (default: the office's main plan; all plans with plan_only=False)."""
    tz = settings.app.tz
    today = now.astimezone(tz).date()
    if plan is None:
        from bot.services.offices import main_plan

        plan = main_plan(session=session, office_id=office_id)
    views = None
    if plan_only and plan is not None:
        ids, newest = repo.plan_board_rows(session=session, plan_id=plan.id)
        if newest is None or newest <= now:
            # The plan's tasks only, their state off the rows: what load_task_views gives them then.
            views = load_views_of(session=session, task_ids=ids, now=now, tz=tz, lights=True) if ids else []
        else:  # a report dated after `now` (an as-of board): the history is read, as for every plan
            keep = set(ids)
            views = [v for v in load_task_views(session=session, now=now, tz=tz) if v.id in keep]
    if views is None:
        views = load_task_views(session=session, now=now, tz=tz)
    return lights_of(session=session, views=views, today=today, calendar=calendar, settings=settings)


@dataclass(frozen=True)
class OfficeLights:
    """One office's lights over all its open plans: how many tasks are red, yellow, green, done, unowned."""

    office: str
    plans: int
    counts: dict[str, int]

    def to_dict(self) -> dict:
        return {"office": self.office, "plans": self.plans, "counts": self.counts}


def rollup(*, session: Session, now: datetime, settings: Settings, calendar: WorkCalendar,
           parent_id: int) -> list[OfficeLights]:
    """The lights of each office that follows `parent_id` (a city bureau over its counties)."""
    children = repo.child_offices(session=session, parent_id=parent_id)
    if not children:
        return []
    lights = board(session=session, now=now, settings=settings, calendar=calendar, plan_only=False)
    plan_of = repo.plan_of_tasks(session=session, task_ids=[t.task_id for t in lights])
    out = []
    for office in children:
        plan_ids = {p.id for p in repo.active_plans(session=session, office_id=office.id)}
        counts = {k: 0 for k in ("red", "yellow", "green", "review", "done", "unowned")}
        for t in lights:
            if plan_of.get(t.task_id) in plan_ids:
                counts[t.light] += 1
        out.append(OfficeLights(office.name, len(plan_ids), counts))
    return out
