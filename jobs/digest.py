"""The weekly digest (周报): once a week, each unit hears what it owes; supervisors and leaders see the lights.

Everything one chat hears in a week's 周报 (its unit's part, a group's it belongs to, the office picture it
watches) is one message: the parts are gathered per recipient in one pass, then written as one row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.config import Settings
from bot.notify import Recipient, to_payload
from bot.reminders.policy import plan_live
from bot.render import digest_text
from bot.render.web_text import with_board_link
from bot.services.board import TaskLight, board
from bot.services.weblinks import leader_link
from bot.workdays import WorkCalendar
from jobs.sweep import recipients_by_unit
from storage import repo
from storage import views as store
from storage.outbox import insert_new, outbox_key, pending_row

HORIZON_DAYS = 14  # a unit's digest lists what falls due in the next two weeks


def week_key(day) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_digests(*, session: Session, now: datetime, settings: Settings, calendar: WorkCalendar) -> int:
    """Queue this week's digests if today is the digest day; the key makes it once per unit per week.

    Returns how many rows were written (0 on other days, and on a second sweep of the same week).
    """
    local = now.astimezone(settings.app.tz)
    today = local.date()
    wanted = settings.reminders.weekly_digest_day
    if not wanted or today.isoweekday() != wanted or local.hour < settings.reminders.weekly_digest_hour:
        return 0
    every = board(session=session, now=now, settings=settings, calendar=calendar, plan_only=False)
    plan_of = repo.plan_of_tasks(session=session, task_ids=[t.task_id for t in every])
    plans = {p.id: p for p in repo.active_plans(session=session)}
    grace = settings.reminders.ended_plan_grace_days

    def live(t: TaskLight) -> bool:  # an ended plan sends nothing, digests included
        plan = plans.get(plan_of.get(t.task_id))
        return (plan is not None and t.light != "unowned"
                and plan_live(plan.period_end or plan.year, today, grace))

    lights = [t for t in every if live(t)]
    if not lights:
        return 0
    units = store.units_brief(session=session)  # by id: one name may be a unit in two offices
    week = _Week(now=now, today=today, key=week_key(today), lights=lights, units=units,
                 routes=recipients_by_unit(session=session, settings=settings, units=units),
                 owners=repo.units_of_tasks(session=session, task_ids=[t.task_id for t in lights]))
    _unit_digests(week, settings)
    _pictures(session, week, settings, plans, plan_of)
    return insert_new(session=session, rows=_rows(week.rows, week=week.key, now=now))


@dataclass
class _Week:
    """One digest day's reading: the live lights, who owns them, where each unit's digest goes, rows so far."""

    now: datetime
    today: date
    key: str
    lights: list[TaskLight]
    units: dict
    routes: dict[int, list[Recipient]]
    owners: dict[int, set[int]]
    rows: dict[str, tuple[Recipient, int, list]] = field(default_factory=dict)  # recipient → (where, first unit, parts)

    @property
    def names(self) -> dict[int, str]:
        return {u.id: u.name for u in self.units.values()}


def _unit_digests(week: _Week, settings: Settings) -> None:
    """Each unit hears what falls due within the horizon, what is overdue and what it has been silent on."""
    horizon = week.today + timedelta(days=HORIZON_DAYS)
    fresh = settings.reminders.report_fresh_days
    names = week.names
    for unit_id, recipients in week.routes.items():
        mine = [t for t in week.lights if unit_id in week.owners.get(t.task_id, ())]
        if not mine:
            continue
        due = [t for t in mine if t.light not in ("done", "red") and t.next_deadline and t.next_deadline <= horizon]
        overdue = [t for t in mine if t.light == "red"]
        silent = [t for t in mine if t.light not in ("done", "review")
                  and (t.last_report is None or (week.today - t.last_report).days >= fresh)]
        if not (due or overdue or silent):
            continue
        message = digest_text.unit_week(names[unit_id], week.today, due, overdue, silent)
        _queue(week.rows, recipients, message, unit_id=unit_id)


def _pictures(session: Session, week: _Week, settings: Settings, plans: dict, plan_of: dict[int, int]) -> None:
    """Supervisors and leaders named in [reminders] supervisors / leaders get the whole picture of their office's
    plans; a leader named on tasks (牵头领导) gets the picture of those tasks."""
    names = week.names
    wanted = set(settings.reminders.supervisors + settings.reminders.leaders)
    watchers = {i for i, n in names.items() if n in wanted}
    changed = repo.reports_since(session=session, since=week.now - timedelta(days=7))
    titles = {t.task_id: (plans[plan_of[t.task_id]].short_name or plans[plan_of[t.task_id]].title)
              for t in week.lights}

    def picture(unit_id: int, mine: list[TaskLight], leader: str = "") -> None:
        """Queue the lights of `mine` (and the week's reports on them) to one watcher or leader."""
        ids = {t.task_id for t in mine}
        if mine and week.routes.get(unit_id):
            message = digest_text.leaders_week(week.today, mine, names, week.owners,
                                               [r for r in changed if r.task_id in ids], plans=titles, leader=leader)
            message = with_board_link(message, leader_link(session=session, settings=settings,
                                                           unit=week.units[unit_id], now=week.now), settings.app.tz)
            _queue(week.rows, week.routes[unit_id], message, unit_id=unit_id)

    for unit_id in watchers:  # a 督导室 sees its own office's plans
        office = week.units[unit_id].office_id
        picture(unit_id, [t for t in week.lights if plans[plan_of[t.task_id]].office_id == office])
    led: dict[int, list[TaskLight]] = {}
    by_task = {t.task_id: t for t in week.lights}
    for task_id, leaders in repo.units_of_tasks(session=session, task_ids=list(by_task), roles=("leader",)).items():
        for leader in leaders - watchers:
            led.setdefault(leader, []).append(by_task[task_id])
    for leader, mine in led.items():
        picture(leader, mine, leader=names[leader])


def _queue(rows: dict[str, tuple[Recipient, int, list]], recipients: list[Recipient], message, *,
           unit_id: int) -> None:
    """Add `message` to each recipient's parts of the week (a chat reached twice gets one message)."""
    for r in recipients:
        rows.setdefault(r.key(), (r, unit_id, []))[2].append(message)


def _rows(parts: dict[str, tuple[Recipient, int, list]], *, week: str, now: datetime) -> list[dict]:
    """One outbox row per recipient and week, keyed by both: the 周报 is one message per chat per week."""
    out = []
    for key, (_r, unit_id, messages) in parts.items():
        k = outbox_key(task_id=None, topic="weekly", recipient=key, kind="digest", occurrence=week)
        out.append(pending_row(key=k, task_id=None, deadline_id=None, unit_id=unit_id, recipient=key, kind="digest",
                               occurrence=week, payload=to_payload(digest_text.together(messages)), now=now))
    return out
