"""督办 items (issue 22): leaders' instructions, meeting decisions and tasks handed down, outside any plan file.

Design (decided for issue 22): an item is a Task in a standing Plan per office, source and year ("2021年领导批示件",
plan.kind = "items", plan.source = "领导批示": columns of migration 0013; short name
from config such as "批示"), so its ref reads "批示3" and reminders, escalation, one-tap status, 延期, 佐证, the
board, the ledger, 通报, chat questions and several offices work on it unchanged. What only an item has (source, the instruction: who and the words, 牵头领导, 交办 date,
urgency) is kept in ItemInfo, keyed by the task id. Units are never invented: an item names units the office has.
"""

from __future__ import annotations

import calendar as cal
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from bot.config import ItemSettings, ItemSource
from bot.reminders.schedule import reschedule
from bot.services.errors import NotFound, UserError
from bot.services.leaders import set_task_leaders
from bot.services.offices import DEFAULT_OFFICE, ensure_office
from bot.services.receipts import request_receipts
from bot.services.units import find_unit, suggest
from bot.workdays import WorkCalendar
from storage import items as store
from storage import repo
from storage.models import AuditLog, Deadline, ItemInfo, Office, Plan, Role, Task, TaskUnit, UnitKind


@dataclass(frozen=True)
class ItemSpec:
    """What a person gave for a new item; the time limit comes from `due`, `days`, or the source's default."""

    title: str
    source: str
    lead: tuple[str, ...]
    co: tuple[str, ...] = ()
    due: date | None = None
    days: int | None = None
    urgent: bool = False
    leader: str = ""
    instructed_by: str = ""
    instruction: str = ""
    assigned_on: date | None = None


@dataclass(frozen=True)
class ItemCreated:
    """A new item: its ref as people write it ("批示3"), and its time limit."""

    ref: str
    task_id: int
    plan_id: int
    title: str
    source: str
    due: date
    lead: list[str]
    co: list[str]

    def to_dict(self) -> dict:
        return {"ref": self.ref, "task_id": self.task_id, "plan_id": self.plan_id, "title": self.title,
                "source": self.source, "due": self.due.isoformat(), "lead": self.lead, "co": self.co}


@dataclass(frozen=True)
class ItemRow:
    """An item as `duban tasks --source` lists it."""

    ref: str
    title: str
    source: str
    lead: list[str]
    co: list[str]
    due: date | None
    done: bool
    assigned_on: date | None
    instructed_by: str = ""
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"ref": self.ref, "title": self.title, "source": self.source, "lead": self.lead, "co": self.co,
                "due": self.due.isoformat() if self.due else None, "done": self.done,
                "assigned_on": self.assigned_on.isoformat() if self.assigned_on else None,
                "instructed_by": self.instructed_by}


def office_sources(settings: ItemSettings, office_name: str | None) -> list[str]:
    """The sources an office uses: its own list from config, else every configured source."""
    return list(settings.offices.get(office_name or "", []) or settings.sources)


def resolve_source(word: str, settings: ItemSettings, office_name: str | None = None) -> str:
    """The configured source a word names ("领导批示", "批示", "局长批示"), or one clear line."""
    allowed = office_sources(settings, office_name)
    w = (word or "").strip()
    for name in allowed:
        src = settings.sources[name]
        if w in (name, src.short) or w in src.words:
            return name
    raise UserError(f"没有来源“{w}”。可用的来源：{'、'.join(allowed)}。")


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, the day clamped to the month's end (1月31日 + 1 → 2月28日)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, cal.monthrange(year, month)[1]))


def default_due(src: ItemSource, *, assigned_on: date, urgent: bool, calendar: WorkCalendar) -> date:
    """The source's default time limit from the 交办 date: months, or (urgent) working days."""
    if src.months:
        return add_months(assigned_on, src.months)
    days = src.urgent_days if urgent and src.urgent_days else src.days
    return calendar.add_workdays(assigned_on, days)


def time_limit(spec: ItemSpec, src: ItemSource, *, today: date, calendar: WorkCalendar) -> date:
    """The item's 办理时限: the date given, else `days` working days, else the source's default; never past."""
    assigned = spec.assigned_on or today
    if spec.due is not None:
        due = spec.due
    elif spec.days is not None:
        if spec.days < 1:
            raise UserError("--days 应为正整数（工作日数）。")
        due = calendar.add_workdays(assigned, spec.days)
    else:
        due = default_due(src, assigned_on=assigned, urgent=spec.urgent, calendar=calendar)
    if due < today:
        raise UserError(f"办理时限 {due.isoformat()} 已经过去（今天是 {today.isoformat()}），请给出今天或以后的日期。")
    return due


def office_units(session: Session, office_id: int | None, names: tuple[str, ...]) -> list[str]:
    """The office's units these names mean, canonical; one clear line for any it lacks (never invented)."""
    out: list[str] = []
    for name in names:
        unit = find_unit(session=session, name=name, office_id=office_id)
        if unit is None or unit.kind != UnitKind.UNIT:
            hints = suggest(session=session, name=name, office_id=office_id)
            tail = f"你是不是要找：{'、'.join(hints)}？" if hints else "请先导入含该单位的计划，或写已有单位的名称。"
            raise NotFound(f"本办公室没有单位“{name}”，未创建督办事项。{tail}", hints)
        if unit.name not in out:
            out.append(unit.name)
    return out


def standing_plan(session: Session, *, office_id: int | None, source: str, short: str, year: int,
                  now: datetime) -> Plan:
    """The office's open item plan for this source and year, made on first use ("2021年领导批示件")."""
    plan = store.item_plan(session=session, office_id=office_id, source=source, year=year)
    if plan is not None:
        return plan
    taken = {p.short_name for p in repo.active_plans(session=session, office_id=office_id)}
    name = short if short not in taken else f"{year}{short}"
    # No document to hash: the content hash only has to match no file's.
    plan = Plan(office_id=office_id, title=f"{year}年{source}件", year=year, period_start=year, period_end=year,
                short_name=name, source_name="", content_hash=f"items:{source}:{year}", imported_at=now,
                kind=store.ITEMS, source=source)
    session.add(plan)
    session.flush()
    return plan


@dataclass(frozen=True)
class Checked:
    """An item's spec checked against the office: its canonical source and units, and its time limit."""

    title: str
    source: str
    lead: list[str]
    co: list[str]
    due: date


def check_item(*, session: Session, spec: ItemSpec, office_id: int | None, settings: ItemSettings,
               calendar: WorkCalendar, today: date) -> Checked:
    """Everything `create_item` refuses, refused here without writing: one clear line each."""
    title = " ".join((spec.title or "").split())
    if not title:
        raise UserError("督办事项的标题不能为空。")
    office = session.get(Office, office_id) if office_id is not None else None
    source = resolve_source(spec.source, settings, office.name if office else None)
    if not [n for n in spec.lead if n.strip()]:
        raise UserError("请写明牵头单位（如 --lead 安全办），未创建督办事项。")
    lead = office_units(session, office_id, tuple(n for n in spec.lead if n.strip()))
    co = [n for n in office_units(session, office_id, tuple(n for n in spec.co if n.strip())) if n not in lead]
    due = time_limit(spec, settings.sources[source], today=today, calendar=calendar)
    return Checked(title, source, lead, co, due)


def unknown_units(*, session: Session, office_id: int | None, names: list[str]) -> list[str]:
    """The names among these that mean no unit of the office (asked about in chat, never invented)."""
    out = []
    for name in names:
        unit = find_unit(session=session, name=name, office_id=office_id)
        if (unit is None or unit.kind != UnitKind.UNIT) and name not in out:
            out.append(name)
    return out


def create_item(*, session: Session, spec: ItemSpec, office_id: int | None, settings: ItemSettings,
                calendar: WorkCalendar, now: datetime, actor: str, receipts: bool = False) -> ItemCreated:
    """Check everything, then write one item; a mistake raises UserError before anything is written.

    `receipts`: ask each lead unit to sign for it (`[supervision] receipt` = "items" or "all")."""
    if office_id is None:  # a one-office store: its only office, as the importer picks it
        office_id = ensure_office(session=session, name=None, default_name=DEFAULT_OFFICE, now=now).id
    c = check_item(session=session, spec=spec, office_id=office_id, settings=settings, calendar=calendar,
                   today=now.date())
    assigned = spec.assigned_on or now.date()
    plan = standing_plan(session, office_id=office_id, source=c.source, short=settings.sources[c.source].short,
                         year=assigned.year, now=now)
    plan.period_end = max(plan.period_end or plan.year, c.due.year)  # an item due next year keeps its plan live
    number = store.highest_ref(session=session, plan_id=plan.id) + 1
    task = Task(plan_id=plan.id, ref=str(number), position=number, title=c.title, created_at=now, updated_at=now)
    session.add(task)
    session.flush()
    units = repo.units_by_name(session=session, office_id=office_id)
    for pos, (name, role) in enumerate([(n, Role.LEAD) for n in c.lead] + [(n, Role.CO) for n in c.co]):
        session.add(TaskUnit(task_id=task.id, unit_id=units[name].id, role=role, position=pos, written_as=name))
    session.add(Deadline(task_id=task.id, due_date=c.due, text="办理时限", label="办理时限",
                         source="manual", kind="once", certain=True, confirmed=True, created_at=now))
    session.add(ItemInfo(task_id=task.id, source=c.source, instructed_by=spec.instructed_by.strip(),
                         instruction=spec.instruction.strip(), leader=spec.leader.strip(), assigned_on=assigned,
                         urgent=spec.urgent, created_by=actor, created_at=now))
    session.add(AuditLog(at=now, actor=actor, action="item.add", detail=f"{plan.short_name}{number} {c.title}"))
    session.flush()
    if spec.leader.strip():
        set_task_leaders(session=session, task=task, add=[spec.leader], remove=[], now=now, actor=actor)
    reschedule(session=session, task_ids=[task.id], now=now)
    if receipts:
        request_receipts(session=session, task_ids=[task.id], now=now, actor=actor)
    return ItemCreated(f"{plan.short_name}{number}", task.id, plan.id, c.title, c.source, c.due, c.lead, c.co)


def list_items(*, session: Session, office_id: int | None, settings: ItemSettings, source: str | None = None,
               open_only: bool = False) -> list[ItemRow]:
    """The office's items (of one source, or all), by plan and number; `open_only` leaves out those done."""
    office = session.get(Office, office_id) if office_id is not None else None
    name = resolve_source(source, settings, office.name if office else None) if source else None
    plans = {p.id: p for p in store.item_plans(session=session, office_id=office_id, source=name)}
    pairs = store.items_of_plans(session=session, plan_ids=list(plans))
    names = repo.names_by_role(session=session, task_ids=[t.id for t, _ in pairs])
    rows = []
    for task, info in pairs:
        if open_only and task.done:
            continue
        dates = [d.due_date for d in repo.deadlines_for_task(session=session, task_id=task.id) if d.due_date]
        roles = names.get(task.id, {})
        rows.append(ItemRow(f"{plans[task.plan_id].short_name}{task.ref}", task.title, info.source,
                            roles.get("lead", []), roles.get("co", []), max(dates) if dates else None, task.done,
                            info.assigned_on, info.instructed_by))
    return rows


def item_info(*, session: Session, task: Task) -> ItemInfo | None:
    """The item facts of a task, None for a plan task."""
    return session.get(ItemInfo, task.id)
