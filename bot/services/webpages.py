"""The web board's unit and item pages as data, and what a viewer may see and download of them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from bot.services.board import TaskLight
from bot.services.itemview import InstructionLine, view_of
from bot.services.sheet import Sheet, build_sheet
from bot.services.tasks import EventLine, ReportLine, TaskRecord, task_record
from bot.services.webboard import Scope, lit_tasks
from bot.services.weblinks import Viewer
from storage import repo
from storage import web as store
from storage.models import Deferral, Evidence, ItemInfo, Outbox, Plan, Task, Unit


@dataclass(frozen=True)
class UnitItem:
    light: TaskLight
    role: str  # lead | co
    plan: str
    last_report: datetime | None  # this unit's own newest report on it
    returns: int = 0  # times the office's review sent its 申请办结 back (审核退回)


@dataclass(frozen=True)
class UnitPage:
    unit_id: int
    name: str
    items: list[UnitItem]
    counts: dict[str, int]


def unit_page(scope: Scope, unit_id: int) -> UnitPage | None:
    """A unit's items as lead and as co-unit, with light, deadline and its last report."""
    unit = scope.session.get(Unit, unit_id)
    if unit is None:
        return None
    rows = repo.unit_task_rows(session=scope.session, unit_id=unit_id)
    role = {task_id: r for task_id, _ref, _title, _plan, r in rows}
    plans = {p: scope.session.get(Plan, p) for p in {r[3] for r in rows}}
    lit = lit_tasks(scope, [r[0] for r in rows], plans)
    last = repo.last_report_by_unit(session=scope.session, task_ids=[x.view.id for x in lit])
    returns, _said = store.returns_and_instructions(session=scope.session, task_ids=[x.view.id for x in lit])
    items = [UnitItem(x.light, role[x.view.id], x.plan.short_name or x.plan.title, last.get((x.view.id, unit_id)),
                      returns.get(x.view.id, 0)) for x in lit]
    items.sort(key=lambda i: (i.role != "lead", i.light.overdue_since is None,
                              i.light.overdue_since or i.light.next_deadline or datetime.max.date()))
    return UnitPage(unit_id, unit.name, items, dict(Counter(i.light.light for i in items if i.role == "lead")))


@dataclass
class ItemPage:
    task_id: int
    record: TaskRecord
    light: TaskLight | None
    owners: dict[int, str]  # unit id → role (lead | co | leader)
    unit_names: dict[int, str]
    reports: list[ReportLine]
    evidence: list[Evidence]
    deferrals: list[Deferral]
    reminders: list[Outbox] = field(default_factory=list)
    hidden: int = 0  # reports and files of other units this viewer may not see
    instructions: list[InstructionLine] = field(default_factory=list)  # leaders' 批示, oldest first
    events: list[EventLine] = field(default_factory=list)  # 签收, 退回, 申请办结, 审核…, oldest first
    origin: ItemInfo | None = None  # a 督办 item's source and the instruction it came from


def item_page(scope: Scope, task_id: int) -> ItemPage | None:
    """Everything about one task: source, units, deadlines and 延期, reports, 佐证, reminders, 批示 and the
    closing loop's record."""
    task = scope.session.get(Task, task_id)
    if task is None or task.removed:
        return None
    record = task_record(session=scope.session, task=task)
    plan = scope.session.get(Plan, task.plan_id)
    lit = lit_tasks(scope, [task_id], {plan.id: plan}) if plan else []
    owners = {tu.unit_id: tu.role for tu, _unit in repo.roles_for_task(session=scope.session, task_id=task_id)}
    evidence = store.evidence_rows(session=scope.session, task_id=task_id)
    item = view_of(session=scope.session, task=task)
    ids = set(owners) | {r.unit for r in record.reports if r.unit} | {e.unit_id for e in evidence if e.unit_id}
    return ItemPage(task_id, record, lit[0].light if lit else None, owners,
                    repo.unit_names_of(session=scope.session, unit_ids=list(ids)), list(record.reports), evidence,
                    store.deferrals_of(session=scope.session, task_id=task_id),
                    store.reminders_of(session=scope.session, task_id=task_id), 0,
                    item.instructions if item else [], list(record.events), item.info if item else None)


def may_open_item(viewer: Viewer, page: ItemPage) -> bool:
    """The office sees every item; a unit the items it leads or supports."""
    return viewer.sees_office or page.owners.get(viewer.unit_id) in ("lead", "co")


def may_open_unit(viewer: Viewer, unit_id: int) -> bool:
    return viewer.sees_office or viewer.unit_id == unit_id


def for_viewer(page: ItemPage, viewer: Viewer, *, units_see_others: bool) -> ItemPage:
    """The page as `viewer` may see it: a unit sees only its own notes and files unless the office allows more;
    of the closing loop, its own steps and the office's decisions (批示 go to every unit of the item)."""
    if viewer.sees_office or units_see_others:
        return page
    reports = [r for r in page.reports if r.unit == viewer.unit_id]
    evidence = [e for e in page.evidence if e.unit_id == viewer.unit_id]
    reminders = [o for o in page.reminders if o.unit_id == viewer.unit_id]
    deferrals = [d for d in page.deferrals if d.unit_id == viewer.unit_id]
    events = [e for e in page.events if e.unit in ("", viewer.name)]
    hidden = len(page.reports) - len(reports) + len(page.evidence) - len(evidence) + len(page.events) - len(events)
    return ItemPage(page.task_id, page.record, page.light, page.owners, page.unit_names, reports, evidence,
                    deferrals, reminders, hidden, page.instructions, events, page.origin)


def sheet_kinds(viewer: Viewer, page: ItemPage, *, units_see_others: bool) -> list[str]:
    """The sheets this viewer may download of the item: the 督办单, and the 催办单 while it is overdue. A sheet
    carries every unit's reports, so a unit gets one of its own items only where units see each other's notes."""
    if not (viewer.sees_office or (units_see_others and may_open_item(viewer, page))):
        return []
    return ["督办", "催办"] if page.light is not None and page.light.light == "red" else ["督办"]


def item_sheet(scope: Scope, task_id: int, kind: str) -> Sheet:
    """The item's 督办单 or 催办单 as `duban sheet` writes it, as of today."""
    task = scope.session.get(Task, task_id)
    return build_sheet(session=scope.session, task=task, kind=kind, today=scope.today, calendar=scope.calendar)
