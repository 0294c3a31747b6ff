"""Dry-run the reminder policy over a period on a throwaway store."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import select

from bot.config import Settings
from bot.plan.model import ParsedPlan
from bot.reminders.policy import Reminder
from bot.reminders.views import load_task_views, unit_ids
from bot.render import task_text
from bot.services.importer import apply_plan
from bot.workdays import WorkCalendar
from jobs.sweep import due_batches
from storage.db import open_store, session_scope
from storage.models import Deadline, Unit


def simulate(parsed: ParsedPlan, *, start: date, end: date, settings: Settings) -> dict:
    """Every reminder the engine would send between `start` and `end`, at the first sweep of each day.

    The same code as the sweep (jobs.sweep.due_batches over the persisted schedule), on a throwaway store,
    with every unit taken as reachable.
    """
    parsed = ParsedPlan.coerce(parsed)  # a dict in the plan-JSON shape too
    tz = settings.app.tz
    calendar = WorkCalendar.from_settings(settings)
    engine = open_store("sqlite://")
    out = []
    try:
        with session_scope(engine) as session:
            t0 = datetime.combine(start, settings.office_hours.start, tz)
            apply_plan(session=session, parsed=parsed, now=t0, source_name="simulate",
                       config_aliases=settings.aliases)
            owners = load_task_views(session=session, now=t0, tz=tz)
            units = {u.id: u.name for u in session.exec(select(Unit)).all()}
            texts = {d.id: d.label or d.text for d in session.exec(select(Deadline)).all()}
            supervisors = unit_ids(session=session, names=settings.reminders.supervisors + settings.reminders.leaders)
            day = start
            while day <= end:
                if calendar.is_workday(day):
                    now = datetime.combine(day, settings.office_hours.start, tz)
                    for tasks, reminders in due_batches(session=session, now=now, days=[day], calendar=calendar,
                                                        settings=settings, supervisors=supervisors):
                        out += [_entry(r, now.isoformat(), units, tasks, texts) for r in reminders]
                day += timedelta(days=1)
    finally:
        engine.dispose()
    warnings = list(parsed.warnings)
    warnings += [f"第{t.ref}项没有责任单位，不会发送任何提醒" for t in owners if not (t.lead or t.co)]
    warnings += calendar.warnings
    return {"reminders": out, "warnings": warnings}


def _entry(r: Reminder, at: str, units: dict[int, str], tasks, texts: dict[int, str]) -> dict:
    refs = {t.id: t for t in tasks}
    entry = {
        "at": at,
        "task": r.ref or None,
        "unit": units[r.unit_id],
        "role": r.role,
        "kind": r.kind,
        "deadline": r.deadline.isoformat() if r.deadline else None,
    }
    if r.deadline_id:
        entry["deadline_text"] = texts.get(r.deadline_id, "")
    if r.kind == "digest":
        entry["items"] = [
            {"task": i.ref, "role": i.role, "kind": i.kind, "deadline": i.deadline.isoformat() if i.deadline else None}
            for i in r.items
        ]
    else:
        entry["title"] = refs[r.task_id].title
        entry["workdays_left"] = r.workdays_left
    return entry


def timeline(result: dict) -> str:
    """The readable form of a simulation."""
    kinds = {"upcoming": "临近", "due": "到期", "overdue": "逾期", "escalation": "升级", "checkin": "填报", "digest": "汇总"}
    roles = {"lead": "牵头", "co": "配合", "supervisor": "督办"}
    lines = []
    for e in result["reminders"]:
        when = e["at"][:16].replace("T", " ")
        if e["kind"] == "digest":
            what = "、".join(f"第{i['task']}项" for i in e["items"])
            lines.append(f"{when}  [{kinds['digest']}] {e['unit']}：{what}")
        else:
            dl = f" 时限{task_text.cn_date(date.fromisoformat(e['deadline']))}" if e["deadline"] else ""
            lines.append(f"{when}  [{kinds[e['kind']]}] {e['unit']}（{roles[e['role']]}）第{e['task']}项 {e['title']}{dl}")
    lines.append(f"共 {len(result['reminders'])} 条提醒。")
    lines += [f"提示：{w}" for w in result["warnings"]]
    return "\n".join(lines)
