"""sweep_due: ask the store what is owed now and write it to the outbox, once per key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from bot.config import Settings
from bot.notify import ALL_CAPS, Cap, OutboundMessage, Recipient, to_payload
from bot.reminders.policy import Reminder, TaskView, reminders_on
from bot.reminders.views import load_task_views, unit_ids
from bot.render import reminder_text
from bot.services.buttons import signing_key
from bot.workdays import OfficeHours, WorkCalendar, in_office_hours
from storage.models import ChatIdentity, Deadline, JobState, Outbox, Unit
from storage.outbox import enqueue, outbox_key

LAST_DAY = "sweep.last_day"
CATCHUP_WORKDAYS = 10  # after downtime, look back this far at most


@dataclass
class SweepResult:
    day: date | None
    written: int = 0
    skipped: str = ""
    missed_days: list[date] = field(default_factory=list)
    undeliverable: list[str] = field(default_factory=list)  # units with nobody bound
    warnings: list[str] = field(default_factory=list)


def recipients_by_unit(*, session: Session, settings: Settings, units: dict[int, Unit]) -> dict[int, list[Recipient]]:
    """Where each unit's nudges go: its bound chats, plus any group robot configured for it (one query)."""
    out: dict[int, list[Recipient]] = {}
    for c in session.exec(select(ChatIdentity).where(ChatIdentity.active).order_by(ChatIdentity.id)).all():
        if c.unit_id is not None:
            out.setdefault(c.unit_id, []).append(Recipient(c.platform, c.address))
    by_name = {u.name: u for u in units.values()}
    for name, robot in settings.robots.items():
        for wanted in robot.units:
            unit = by_name.get(settings.aliases.get(wanted, wanted))
            if unit is not None:
                out.setdefault(unit.id, []).append(Recipient("robot", name))
    return out


def unknown_robot_units(*, settings: Settings, units: dict[int, Unit]) -> list[str]:
    """Robot `units` entries that name no unit in the store: a typo would silently send nothing."""
    names = {u.name for u in units.values()}
    return [f"群机器人 {name} 的 units 中“{w}”不是已知单位，不会收到提醒"
            for name, robot in settings.robots.items() for w in robot.units
            if settings.aliases.get(w, w) not in names]


def reminder_key(r: Reminder, recipient: Recipient) -> str:
    """The outbox key of one reminder to one recipient."""
    return outbox_key(task_id=r.task_id, topic=r.deadline_key if r.kind != "digest" else "digest",
                      recipient=recipient.key(), kind=r.kind, occurrence=r.occurrence.isoformat())


def coalesce(per_day: dict[date, list[Reminder]]) -> list[Reminder]:
    """Missed days collapse to the newest reminder per (task, deadline, unit, role): sent once, not a flood."""
    best: dict[tuple, Reminder] = {}
    for day in sorted(per_day):
        for r in per_day[day]:
            key = ("digest", r.unit_id) if r.kind == "digest" else (r.task_id, r.deadline_key, r.unit_id, r.role)
            best[key] = r  # later days replace earlier ones
    return list(best.values())


def days_to_sweep(last: date | None, today: date, calendar: WorkCalendar) -> list[date]:
    if last is None or last >= today:
        return [today]
    start = max(last + timedelta(days=1), calendar.add_workdays(today, -CATCHUP_WORKDAYS))
    return [start + timedelta(days=i) for i in range((today - start).days + 1) if calendar.is_workday(start + timedelta(days=i))]


def sweep_due(*, session: Session, now: datetime, settings: Settings, calendar: WorkCalendar,
              caps: Callable[[str], frozenset[Cap]] = lambda _platform: ALL_CAPS) -> SweepResult:
    """Write outbox rows for everything owed at `now`; a no-op outside office hours.

    `caps` tells what each platform's channel can do (the notifier knows), so each row is worded for it.
    """
    tz = settings.app.tz
    local = now.astimezone(tz)
    today = local.date()
    if not in_office_hours(local, calendar, OfficeHours.from_settings(settings)):
        return SweepResult(day=None, skipped="非工作时间，不发送提醒")
    state = session.get(JobState, LAST_DAY)
    last = date.fromisoformat(state.value) if state else None
    days = days_to_sweep(last, today, calendar)
    tasks = load_task_views(session=session, now=now, tz=tz)
    supervisors = unit_ids(session=session, names=settings.reminders.supervisors + settings.reminders.leaders)
    memo: dict = {}
    per_day = {
        d: reminders_on(tasks, d, calendar=calendar, policy=settings.reminders, supervisors=supervisors, memo=memo)
        for d in days
    }
    result = SweepResult(day=today, missed_days=[d for d in days if d != today], warnings=list(calendar.warnings))
    result.warnings += unknown_robot_units(settings=settings, units={u.id: u for u in session.exec(select(Unit)).all()})
    result.written = write_outbox(session=session, reminders=coalesce(per_day), tasks=tasks, now=now,
                                  settings=settings, result=result, caps=caps)
    if state is None:
        state = JobState(name=LAST_DAY, updated_at=now)
        session.add(state)
    state.value, state.updated_at = today.isoformat(), now
    return result


def write_outbox(*, session: Session, reminders: list[Reminder], tasks: list[TaskView], now: datetime,
                 settings: Settings, result: SweepResult,
                 caps: Callable[[str], frozenset[Cap]] = lambda _platform: ALL_CAPS) -> int:
    key = signing_key(session=session, now=now)
    units = {u.id: u for u in session.exec(select(Unit)).all()}
    views = {t.id: t for t in tasks}
    deadline_texts = _deadline_texts(session, reminders)
    written = 0
    routes = recipients_by_unit(session=session, settings=settings, units=units)
    for r in reminders:
        unit = units[r.unit_id]
        recipients = routes.get(unit.id, [])
        if not recipients:
            if unit.name not in result.undeliverable:
                result.undeliverable.append(unit.name)
            continue
        worded: dict[frozenset[Cap], OutboundMessage] = {}
        for recipient in recipients:
            can = caps(recipient.platform)
            if can not in worded:
                worded[can] = _render(r, views, units, deadline_texts, key, can)
            row = Outbox(
                key=reminder_key(r, recipient), task_id=r.task_id, deadline_id=r.deadline_id, unit_id=r.unit_id,
                recipient=recipient.key(), kind=r.kind, occurrence=r.occurrence.isoformat(),
                payload=to_payload(worded[can]),
                created_at=now, next_attempt_at=now,
            )
            written += enqueue(session=session, row=row)
    return written


def _deadline_texts(session: Session, reminders: list[Reminder]) -> dict[int, str]:
    ids = {r.deadline_id for r in reminders if r.deadline_id} | {
        i.deadline_id for r in reminders for i in r.items if i.deadline_id
    }
    if not ids:
        return {}
    return {d.id: d.label or d.text for d in session.exec(select(Deadline).where(col(Deadline.id).in_(ids))).all()}


def _render(r: Reminder, views: dict[int, TaskView], units: dict[int, Unit], texts: dict[int, str], key: bytes,
            caps: frozenset[Cap]) -> OutboundMessage:
    def info(task_id: int) -> reminder_text.TaskInfo:
        v = views[task_id]
        return reminder_text.TaskInfo(v.title, v.ref, [units[u].name for u in v.lead])

    unit_name = units[r.unit_id].name
    if r.kind == "digest":
        items = [reminder_text.line(i, info(i.task_id), unit_name, _dl(i, texts)) for i in r.items]
        return reminder_text.render(r, task=None, unit_name=unit_name, deadline_text="", key=key, items=items,
                                    caps=caps)
    return reminder_text.render(r, task=info(r.task_id), unit_name=unit_name, deadline_text=_dl(r, texts), key=key,
                                caps=caps)


def _dl(r: Reminder, texts: dict[int, str]) -> str:
    if r.deadline_id is None:
        return "默认：计划年度年底" if r.kind != "checkin" else ""
    return texts.get(r.deadline_id, "")
