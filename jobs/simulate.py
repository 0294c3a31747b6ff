"""Dry-run the reminder policy over a period on a throwaway store."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.notify import from_payload
from bot.plan.model import ParsedPlan
from bot.reminders.engine import start_over
from bot.reminders.policy import Reminder
from bot.reminders.views import load_task_views, supervisors_of
from bot.render import task_text
from bot.services.importer import apply_plan
from bot.services.leaders import ensure_leader
from bot.workdays import WorkCalendar
from jobs.digest import weekly_digests
from jobs.simulate_script import Step, run_steps
from jobs.sweep import due_batches
from storage import repo
from storage.copy import copy_store
from storage.db import open_store, session_scope
from storage.models import ChatIdentity, Unit


def simulate_store(source: Engine, *, start: date, end: date, settings: Settings,
                   script: dict[date, list[Step]] | None = None) -> dict:
    """`simulate` over a copy of a store's plans and 督办 items (never the store itself): every open plan's series
    are worked out afresh from `start`, as if nothing had been sent yet."""
    engine = open_store("sqlite://")
    try:
        copy_store(source=source, target=engine)
        with session_scope(engine) as session:
            for plan in repo.active_plans(session=session):
                start_over(session=session, plan_id=plan.id)
        result = _run(engine, start=start, end=end, settings=settings, load=None, script=script)
    finally:
        engine.dispose()
    return result


def simulate(parsed: ParsedPlan, *, start: date, end: date, settings: Settings,
             script: dict[date, list[Step]] | None = None) -> dict:
    """Every reminder the engine would send between `start` and `end`, at the first sweep of each day.

    The same code as the sweep (jobs.sweep.due_batches over the persisted schedule) and the weekly digest
    (jobs.digest.weekly_digests, on its day and hour), on a throwaway store where every unit, the supervisors and
    the leaders are reachable and nobody reports, so the overdue policy runs to its end — unless `script`
    (jobs.simulate_script) says who reports and how the office reviews, on which day, before that day's sweep.
    """
    parsed = ParsedPlan.coerce(parsed)  # a dict in the plan-JSON shape too
    engine = open_store("sqlite://")
    try:
        result = _run(engine, start=start, end=end, settings=settings, load=parsed, script=script)
    finally:
        engine.dispose()
    result["warnings"] = list(parsed.warnings) + result["warnings"]
    return result


def _run(engine, *, start: date, end: date, settings: Settings, load: ParsedPlan | None,
         script: dict[date, list[Step]] | None = None) -> dict:
    """The day-by-day dry run on a throwaway store, after importing `load` into it when given."""
    tz = settings.app.tz
    calendar = WorkCalendar.from_settings(settings)
    out = []
    with session_scope(engine) as session:
        t0 = datetime.combine(start, settings.office_hours.start, tz)
        if load is not None:
            apply_plan(session=session, parsed=load, now=t0, source_name="simulate",
                       config_aliases=settings.aliases)
        owners = load_task_views(session=session, now=t0, tz=tz)
        _reach_everyone(session, settings, t0)
        units = repo.unit_names(session=session)
        texts = repo.deadline_labels(session=session)
        supervisors = supervisors_of(session=session, names=settings.reminders.supervisors + settings.reminders.leaders)
        digest_at = time(settings.reminders.weekly_digest_hour)
        day = start
        while day <= end:
            if calendar.is_workday(day):
                now = datetime.combine(day, settings.office_hours.start, tz)
                out += run_steps(session=session, steps=(script or {}).get(day, []), now=now, settings=settings)
                for tasks, reminders in due_batches(session=session, now=now, days=[day], calendar=calendar,
                                                    settings=settings, supervisors=supervisors):
                    out += [_entry(r, now.isoformat(), units, tasks, texts) for r in reminders]
                later = datetime.combine(day, max(digest_at, settings.office_hours.start), tz)
                if weekly_digests(session=session, now=later, settings=settings, calendar=calendar):
                    out += _weekly(session, later, units)
            day += timedelta(days=1)
    warnings = [f"第{t.ref}项没有责任单位，不会发送任何提醒" for t in owners if not (t.lead or t.co)]
    warnings += calendar.warnings
    return {"reminders": out, "warnings": warnings}


def _reach_everyone(session, settings: Settings, now: datetime) -> None:
    """Give every unit, supervisor and leader a chat on the throwaway store, so every digest is written."""
    office = next((p.office_id for p in repo.plans_of(session=session)), None)
    names = set(repo.unit_names(session=session).values())
    for name in settings.reminders.supervisors:
        if name not in names:
            session.add(Unit(name=name, office_id=office, created_at=now))
    for name in settings.reminders.leaders:
        if name not in names:
            ensure_leader(session=session, office_id=office, name=name, now=now)
    session.flush()
    for u in repo.all_units(session=session):
        session.add(ChatIdentity(platform="simulate", address=str(u.id), user_id=str(u.id), unit_id=u.id,
                                 created_at=now))
    session.flush()


def _weekly(session, now: datetime, units: dict[int, str]) -> list[dict]:
    rows = repo.digests_written(session=session, at=now)
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
        if refs[r.task_id].plan_label:  # several plans (a plan and 督办 items): the ref names its plan
            entry["plan"] = refs[r.task_id].plan_label
        if refs[r.task_id].item_word:  # a 督办 item as people write it ("批示1")
            entry["item"] = refs[r.task_id].item_word + refs[r.task_id].ref
        entry["workdays_left"] = r.workdays_left
        if r.final:
            entry["final"] = True
    return entry


EVENT_CN = {"apply": "申请办结（暂停提醒）", "pass": "通过·已销号（提醒结束）", "return": "退回·推进中（恢复提醒）",
            "done": "已完成", "in_progress": "推进中", "blocked": "有困难", "not_started": "未开始"}


def timeline(result: dict) -> str:
    """The readable form of a simulation."""
    kinds = {"event": "脚本", "upcoming": "临近", "due": "到期", "overdue": "逾期", "escalation": "升级", "checkin": "填报", "digest": "汇总",
             "weekly": "周报"}
    roles = {"lead": "牵头", "co": "配合", "supervisor": "督办"}
    lines = []
    weekly: dict[str, list[dict]] = {}
    for e in result["reminders"]:
        if e["kind"] == "weekly":
            weekly.setdefault(e["at"], []).append(e)
    for e in result["reminders"]:
        when = e["at"][:16].replace("T", " ")
        if e["kind"] == "event":
            lines.append(f"{when}  [{EVENT_CN[e['event']]}] 第{e['task']}项 {e['title']}")
        elif e["kind"] == "weekly":
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
            lines.append(f"{when}  [{kinds[e['kind']]}] {e['unit']}（{roles[e['role']]}）{e.get('item') or task_text.plan_ref(e.get('plan', ''), e['task'])} {e['title']}"
                         f"{dl}{late}{last}")
    counts = {}
    for e in result["reminders"]:
        counts[e["kind"]] = counts.get(e["kind"], 0) + 1
    lines.append(f"共 {len(result['reminders'])} 条：" + "，".join(f"{kinds[k]} {n}" for k, n in counts.items()) + "。"
                 if counts else "共 0 条提醒。")
    lines += [f"提示：{w}" for w in result["warnings"]]
    return "\n".join(lines)
