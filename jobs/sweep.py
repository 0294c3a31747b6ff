"""sweep_due: ask the store what is owed now and write it to the outbox, once per key."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.config import Settings
from bot.notify import ALL_CAPS, Cap, OutboundMessage, Recipient, to_payload
from bot.reminders.engine import BATCH, ReminderEngine
from bot.reminders.policy import Reminder, TaskView
from bot.reminders.said import period_start, word_for
from bot.reminders.views import supervisors_of
from bot.render import reminder_text
from bot.services.buttons import signing_key
from bot.services.groups import fan_out
from bot.workdays import OfficeHours, WorkCalendar, in_office_hours
from jobs.receipts import send_receipts
from jobs.reviews import remind_reviewers
from storage import repo
from storage import views as store
from storage.models import JobState, Unit
from storage.outbox import insert_new, outbox_key, pending_row, units_of_keys

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
    """Where each unit's nudges go: its bound chats, plus any group robot configured for it (one query).

    A group unit (各股室…) with no chat of its own reaches each member's chats.
    """
    out: dict[int, list[Recipient]] = {}
    for unit_id, platform, address in repo.chat_routes(session=session):
        if unit_id is not None:
            out.setdefault(unit_id, []).append(Recipient(platform, address))
    by_name = {u.name: u for u in units.values()}
    for name, robot in settings.robots.items():
        for wanted in robot.units:
            unit = by_name.get(settings.aliases.get(wanted, wanted))
            if unit is not None:
                out.setdefault(unit.id, []).append(Recipient("robot", name))
    return fan_out(out, units, settings)


def unknown_robot_units(*, settings: Settings, units: dict[int, Unit]) -> list[str]:
    """Robot `units` entries that name no unit in the store: a typo would silently send nothing."""
    names = {u.name for u in units.values()}
    return [f"群机器人 {name} 的 units 中“{w}”不是已知单位，不会收到提醒"
            for name, robot in settings.robots.items() for w in robot.units
            if settings.aliases.get(w, w) not in names]


def reminder_key(r: Reminder, recipient: Recipient) -> str:
    """The outbox key of one reminder to one recipient: the unit (and role) it is owed to is part of its topic.

    One chat may hear of one day for several reasons (its unit's digest and a group's it belongs to, a robot
    serving two units); each reason is its own row (see storage.outbox).
    """
    about = r.deadline_key if r.kind != "digest" else "digest"
    return outbox_key(task_id=r.task_id, topic=f"{about}/{r.unit_id}:{r.role}", recipient=recipient.key(),
                      kind=r.kind, occurrence=r.occurrence.isoformat())


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
              caps: Callable[[str], frozenset[Cap]] = lambda _platform: ALL_CAPS,
              batch_rows: int = BATCH) -> SweepResult:
    """Write outbox rows for everything owed at `now`; a no-op outside office hours.

    Reads only the schedule's due series (storage ReminderSeries, see `due_batches`); each batch's outbox
    rows go in one statement, then its series move on and it commits. `caps` tells what each platform's channel can do (the notifier knows), so each row is worded
    for it.
    """
    tz = settings.app.tz
    local = now.astimezone(tz)
    today = local.date()
    if not in_office_hours(local, calendar, OfficeHours.from_settings(settings)):
        return SweepResult(day=None, skipped="非工作时间，不发送提醒")
    state = session.get(JobState, LAST_DAY)
    last = date.fromisoformat(state.value) if state else None
    days = days_to_sweep(last, today, calendar)
    supervisors = supervisors_of(session=session, names=settings.reminders.supervisors + settings.reminders.leaders)
    result = SweepResult(day=today, missed_days=[d for d in days if d != today])
    units = store.units_brief(session=session)
    routes = recipients_by_unit(session=session, settings=settings, units=units)
    for tasks, reminders in due_batches(session=session, now=now, days=days, calendar=calendar,
                                        settings=settings, supervisors=supervisors, batch_rows=batch_rows):
        result.written += write_outbox(session=session, reminders=reminders, tasks=tasks, now=now,
                                       settings=settings, result=result, caps=caps, units=units, routes=routes)
    result.written += remind_reviewers(session=session, now=now, settings=settings, calendar=calendar)  # 办结审核
    result.written += send_receipts(session=session, now=now, settings=settings, calendar=calendar)  # 签收
    result.warnings = list(calendar.warnings) + unknown_robot_units(settings=settings, units=units)
    if state is None:
        state = JobState(name=LAST_DAY, updated_at=now)
        session.add(state)
    state.value, state.updated_at = today.isoformat(), now
    return result


def due_batches(*, session: Session, now: datetime, days: list[date], calendar: WorkCalendar, settings: Settings,
                supervisors: list[int], batch_rows: int = BATCH) -> Iterator[tuple[list[TaskView], list[Reminder]]]:
    """The reminders owed on `days` (the last is today), one batch of units at a time, from the schedule.

    The engine reads the series due by the end of this week for units not yet swept today and packs them in
    batches (about `batch_rows` tasks, a unit never split, so its digest sees all its reminders); missed days
    coalesce. After the caller has handled a batch, its units' series move on and the batch commits (a restart
    resumes after it); the last batch is left to the caller's commit, which also records the day swept.
    """
    engine = ReminderEngine(session=session, now=now, days=days, calendar=calendar, settings=settings,
                            supervisors=supervisors)
    batches = engine.due(batch_rows=batch_rows)
    for n, batch in enumerate(batches, 1):
        per_day = engine.owed(batch)
        yield batch.tasks, coalesce(per_day)
        engine.advance(batch)
        if n < len(batches):
            session.commit()  # one transaction per batch; the last commits with the caller's (the sweep's mark)


def write_outbox(*, session: Session, reminders: list[Reminder], tasks: list[TaskView], now: datetime,
                 settings: Settings, result: SweepResult,
                 units: dict[int, Unit], routes: dict[int, list[Recipient]],
                 caps: Callable[[str], frozenset[Cap]] = lambda _platform: ALL_CAPS) -> int:
    """Word each reminder for each of its unit's recipients (`routes`, from recipients_by_unit) and insert the
    rows in one statement."""
    key = signing_key(session=session, now=now)
    views = {t.id: t for t in tasks}
    deadline_texts = _deadline_texts(session, reminders, views)
    feeds = co_feeds(session=session, reminders=reminders, views=views, settings=settings)
    words = unit_words(session=session, reminders=reminders, views=views, settings=settings, now=now)
    rows: dict[str, dict] = {}
    legacy: dict[str, tuple[str, int]] = {}
    for r in reminders:
        unit = units[r.unit_id]
        recipients = routes.get(unit.id, [])
        if not recipients:
            if unit.name not in result.undeliverable:
                result.undeliverable.append(unit.name)
            continue
        worded: dict[frozenset[Cap], str] = {}  # the payload per kind of channel, worded once
        for recipient in recipients:
            can = caps(recipient.platform)
            if can not in worded:
                worded[can] = to_payload(_render(r, views, units, deadline_texts, key, can, feeds, words))
            k = reminder_key(r, recipient)
            legacy[k] = (_legacy_key(r, recipient), r.unit_id)
            if k not in rows:
                rows[k] = pending_row(key=k, task_id=r.task_id, deadline_id=r.deadline_id, unit_id=r.unit_id,
                                      recipient=recipient.key(), kind=r.kind, occurrence=r.occurrence.isoformat(),
                                      payload=worded[can], now=now)
    # A row written before keys named their unit (an upgrade on the day) stands for the same unit's row.
    sent = units_of_keys(session=session, keys=sorted({old for old, _ in legacy.values()}))
    return insert_new(session=session, rows=[v for k, v in rows.items()
                                             if sent.get(legacy[k][0], -1) != legacy[k][1]])


def _legacy_key(r: Reminder, recipient: Recipient) -> str:
    """The key the same row had before keys named the unit owed it (migration-era rows)."""
    return outbox_key(task_id=r.task_id, topic=r.deadline_key if r.kind != "digest" else "digest",
                      recipient=recipient.key(), kind=r.kind, occurrence=r.occurrence.isoformat())


def _deadline_texts(session: Session, reminders: list[Reminder], views: dict[int, TaskView]) -> dict[int, str]:
    """Deadline id → its label, or its text where it has none: off the views, the store asked only for the rest."""
    ids = {r.deadline_id for r in reminders if r.deadline_id} | {
        i.deadline_id for r in reminders for i in r.items if i.deadline_id
    }
    known = {d.id: d.label or d.text for v in views.values() for d in v.deadlines if d.id in ids}
    rest = sorted(ids - known.keys())
    return known | store.deadline_texts(session=session, deadline_ids=rest) if rest else known


def co_feeds(*, session: Session, reminders: list[Reminder], views: dict[int, TaskView],
             settings: Settings) -> dict[Reminder, set[int]]:
    """For each reminder to a lead on a task with co-units: the co-units that reported since its period began.

    The period of a reminder about deadline D begins the day after the task's latest deadline before D
    (recurring occurrences included), or on 1 January of the plan year when D is its first. A report of
    any kind (a plain note too) counts. One query for the whole sweep.
    """
    leads = [i for r in reminders for i in (r.items or (r,)) if i.role == "lead" and i.task_id and views[i.task_id].co]
    if not leads:
        return {}
    last = repo.last_report_by_unit(session=session, task_ids=list({i.task_id for i in leads}))
    tz, out = settings.app.tz, {}
    for i in leads:
        v = views[i.task_id]
        since = period_start(v, i.deadline or i.occurrence, settings.reminders)
        out[i] = {u for u in v.co if (at := last.get((v.id, u))) is not None and at.astimezone(tz).date() >= since}
    return out


def unit_words(*, session: Session, reminders: list[Reminder], views: dict[int, TaskView], settings: Settings,
               now: datetime) -> dict[Reminder, reminder_text.Said]:
    """For each reminder to a lead or co-unit: what that unit last said on the task, where it said it in the
    reminder's period (bot.reminders.said), so the reminder shows it. One query, and none when no unit spoke."""
    items = [i for r in reminders for i in (r.items or (r,))
             if i.task_id and i.role in ("lead", "co") and i.unit_id in views[i.task_id].said]
    if not items:
        return {}
    tz, out = settings.app.tz, {}
    newest = {(r.task_id, r.unit_id): r for r in store.unit_reports_of(session=session, now=now,
                                                                       task_ids=sorted({i.task_id for i in items}))}
    for i in items:
        if (rep := newest.get((i.task_id, i.unit_id))) is None:
            continue
        on = rep.created_at.astimezone(tz).date()
        if word_for(on, i.deadline, i.occurrence, views[i.task_id], settings.reminders):
            out[i] = reminder_text.Said(on, rep.status, rep.percent, rep.note)
    return out


def _render(r: Reminder, views: dict[int, TaskView], units: dict[int, Unit], texts: dict[int, str], key: bytes,
            caps: frozenset[Cap], feeds: dict[Reminder, set[int]] | None = None,
            words: dict[Reminder, reminder_text.Said] | None = None) -> OutboundMessage:
    def info(item: Reminder) -> reminder_text.TaskInfo:
        v = views[item.task_id]
        seen = (feeds or {}).get(item)
        co = ([units[u].name for u in v.co if u in seen], [units[u].name for u in v.co if u not in seen]) \
            if seen is not None else ([], [])
        return reminder_text.TaskInfo(v.title, v.ref, [units[u].name for u in v.lead], *co, plan=v.plan_label, item_word=v.item_word,
                                      said=(words or {}).get(item))

    unit_name = units[r.unit_id].name
    if r.kind == "digest":
        items = [reminder_text.line(i, info(i), unit_name, _dl(i, texts)) for i in r.items]
        return reminder_text.render(r, task=None, unit_name=unit_name, deadline_text="", key=key, items=items,
                                    caps=caps)
    return reminder_text.render(r, task=info(r), unit_name=unit_name, deadline_text=_dl(r, texts), key=key,
                                caps=caps)


def _dl(r: Reminder, texts: dict[int, str]) -> str:
    if r.deadline_id is None:
        return "默认：计划年度年底" if r.kind != "checkin" else ""
    return texts.get(r.deadline_id, "")
