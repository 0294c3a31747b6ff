"""Dry-run the reminder policy over a period on a throwaway store."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlmodel import col, select

from bot.config import Settings
from bot.notify import from_payload
from bot.plan.model import ParsedPlan
from bot.reminders.policy import Reminder
from bot.reminders.views import load_task_views, supervisors_of
from bot.render import task_text
from bot.services.importer import apply_plan
from bot.services.leaders import ensure_leader
from bot.workdays import WorkCalendar
from jobs.digest import weekly_digests
from jobs.sweep import due_batches
from storage.db import open_store, session_scope
from storage.models import ChatIdentity, Deadline, Outbox, Plan, Unit


def simulate(parsed: ParsedPlan, *, start: date, end: date, settings: Settings) -> dict:
    """Every reminder the engine would send between `start` and `end`, at the first sweep of each day.

    The same code as the sweep (jobs.sweep.due_batches over the persisted schedule) and the weekly digest
    (jobs.digest.weekly_digests, on its day and hour), on a throwaway store where every unit, the supervisors and
    the leaders are reachable and nobody reports, so the overdue policy runs to its end.
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
            _reach_everyone(session, settings, t0)
            units = {u.id: u.name for u in session.exec(select(Unit)).all()}
            texts = {d.id: d.label or d.text for d in session.exec(select(Deadline)).all()}
            supervisors = supervisors_of(session=session, names=settings.reminders.supervisors + settings.reminders.leaders)
            digest_at = time(settings.reminders.weekly_digest_hour)
            day = start
            while day <= end:
                if calendar.is_workday(day):
                    now = datetime.combine(day, settings.office_hours.start, tz)
                    for tasks, reminders in due_batches(session=session, now=now, days=[day], calendar=calendar,
                                                        settings=settings, supervisors=supervisors):
                        out += [_entry(r, now.isoformat(), units, tasks, texts) for r in reminders]
                    later = datetime.combine(day, max(digest_at, settings.office_hours.start), tz)
                    if weekly_digests(session=session, now=later, settings=settings, calendar=calendar):
                        out += _weekly(session, later, units)
                day += timedelta(days=1)
    finally:
        engine.dispose()
    warnings = list(parsed.warnings)
    warnings += [f"第{t.ref}项没有责任单位，不会发送任何提醒" for t in owners if not (t.lead or t.co)]
    warnings += calendar.warnings
    return {"reminders": out, "warnings": warnings}


def _reach_everyone(session, settings: Settings, now: datetime) -> None:
    """Give every unit, supervisor and leader a chat on the throwaway store, so every digest is written."""
    office = session.exec(select(Plan.office_id)).first()
    names = {u.name for u in session.exec(select(Unit)).all()}
    for name in settings.reminders.supervisors:
        if name not in names:
            session.add(Unit(name=name, office_id=office, created_at=now))
    for name in settings.reminders.leaders:
        if name not in names:
            ensure_leader(session=session, office_id=office, name=name, now=now)
    session.flush()
    for u in session.exec(select(Unit)).all():
        session.add(ChatIdentity(platform="simulate", address=str(u.id), user_id=str(u.id), unit_id=u.id,
                                 created_at=now))
    session.flush()


def _weekly(session, now: datetime, units: dict[int, str]) -> list[dict]:
    rows = session.exec(select(Outbox).where(Outbox.kind == "digest", Outbox.created_at == now)
                        .order_by(col(Outbox.id))).all()
    out = []
    for row in rows:
        text = from_payload(row.payload).text
        out.append({"at": now.isoformat(), "task": None, "unit": units.get(row.unit_id, ""), "role": "",
                    "kind": "weekly", "deadline": None, "week": row.occurrence, "text": text})
    return out


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
        if r.final:
            entry["final"] = True
    return entry


def timeline(result: dict) -> str:
    """The readable form of a simulation."""
    kinds = {"upcoming": "临近", "due": "到期", "overdue": "逾期", "escalation": "升级", "checkin": "填报", "digest": "汇总",
             "weekly": "周报"}
    roles = {"lead": "牵头", "co": "配合", "supervisor": "督办"}
    lines = []
    weekly: dict[str, list[dict]] = {}
    for e in result["reminders"]:
        if e["kind"] == "weekly":
            weekly.setdefault(e["at"], []).append(e)
    for e in result["reminders"]:
        when = e["at"][:16].replace("T", " ")
        if e["kind"] == "weekly":
            # One line per week: the units' digests counted, the supervisors' and leaders' pictures quoted.
            group = weekly.pop(e["at"], [])
            # A chat's 周报 is one message: its unit's part first, then any picture it watches.
            units = [g for g in group if "督办周报·" not in g["text"].splitlines()[0]]
            if units:
                lines.append(f"{when}  [{kinds['weekly']}] {len(units)} 个单位各收到本单位周报")
            lines += [f"{when}  [{kinds['weekly']}] {g['unit']}：{pic}" for g in group
                      for pic in g["text"].splitlines() if pic.startswith("【督办周报·")]
        elif e["kind"] == "digest":
            what = "、".join(f"第{i['task']}项" for i in e["items"])
            lines.append(f"{when}  [{kinds['digest']}] {e['unit']}：{what}")
        else:
            dl = f" 时限{task_text.cn_date(date.fromisoformat(e['deadline']))}" if e["deadline"] else ""
            late = f"，已逾期 {-e['workdays_left']} 个工作日" if e["workdays_left"] < 0 else ""
            last = "（最后一次，此后由周报跟进）" if e.get("final") else ""
            lines.append(f"{when}  [{kinds[e['kind']]}] {e['unit']}（{roles[e['role']]}）第{e['task']}项 {e['title']}"
                         f"{dl}{late}{last}")
    counts = {}
    for e in result["reminders"]:
        counts[e["kind"]] = counts.get(e["kind"], 0) + 1
    lines.append(f"共 {len(result['reminders'])} 条：" + "，".join(f"{kinds[k]} {n}" for k, n in counts.items()) + "。"
                 if counts else "共 0 条提醒。")
    lines += [f"提示：{w}" for w in result["warnings"]]
    return "\n".join(lines)
