"""A meeting's minutes (会议纪要) as 督办 items: each 议定事项 the plan reader finds, with its units and date, becomes
an item of source 会议议定. The reader is the plans' own (bot.plan, called as it is).

`plan_minutes` compares the 议定事项 with the items already made from the same minutes (new, unchanged, changed)
and finds what would be refused, writing nothing; `apply_minutes` writes it, all or none (the caller's one
transaction). The CLI (`plan import --as-items`) and an admin's upload in chat (bot.chat.minutes) both go through
these two steps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from bot.config import ItemSettings
from bot.plan.model import ParsedPlan, ParsedTask
from bot.plan.reader import read_bytes, review_plan
from bot.reminders.schedule import reschedule
from bot.services.errors import NotFound, UserError
from bot.services.items import (
    ItemCreated,
    ItemRow,
    ItemSpec,
    check_item,
    create_item,
    list_items,
    office_units,
    unknown_units,
)
from bot.services.reports import set_deadline
from bot.services.tasks import require_task
from bot.workdays import WorkCalendar
from storage.models import ItemInfo

MEETING = "会议议定"
_ABOUT = re.compile(r"^(?:关于|会议(?:同意|要求|决定|明确|议定|研究|强调|指出)[，,：:]?)")
# What marks a document as minutes: its title, or a line that introduces the decisions ("现将会议议定事项纪要如下",
# "经研究，议定如下", a heading "议定事项：").
_TITLE = re.compile(r"纪要")
_INTRO = re.compile(r"(?:议定|纪要|决定)(?:事项)?如下|^\W{0,3}(?:会议)?议定事项\W{0,3}$")
# the meeting's number under the title: "（2021年第9次）", "〔2022〕第3期", "第十二次"
_SESSION = re.compile(r"^(?:[（(〔][^）)〕]{1,20}[）)〕]|[（(〔]?\d{4}[）)〕]?\s*第\s*[\d一二三四五六七八九十]{1,4}\s*[次期号])$")
_HEAD_LINES = 15
CAPTION_WORDS = ("纪要", "议定事项")


def said_to_be_minutes(*, filename: str, caption: str) -> bool:
    """The sender said so before anything is read: a caption "纪要" / "议定事项", or 纪要 in the file's name."""
    return any(w in (caption or "") for w in CAPTION_WORDS) or "纪要" in (filename or "")


def looks_like_minutes(*, parsed: ParsedPlan, head: list[str], filename: str = "", caption: str = "") -> bool:
    """Minutes, not a plan: the sender said so, or the title says 纪要, or its opening lines introduce 议定事项."""
    if said_to_be_minutes(filename=filename, caption=caption):
        return True
    return bool(_TITLE.search(parsed.title or "")) or any(_INTRO.search(line) for line in head)


def read_minutes(data: bytes, filename: str, parsed: ParsedPlan) -> tuple[ParsedPlan, list[str]]:
    """The parsed minutes titled by their meeting ("…局务会议纪要（2021年第9次）": two meetings' minutes are two),
    and the document's opening lines. A review sheet sent back keeps the title it was written with."""
    if review_plan(data, filename) is not None:
        return parsed, []
    head = [b.strip() for b in read_bytes(data, filename) if isinstance(b, str) and b.strip()][:_HEAD_LINES]
    title = parsed.title or ""
    at = next((i for i, line in enumerate(head) if title and title in line), None)
    if at is not None and at + 1 < len(head) and _SESSION.match(head[at + 1]) and head[at + 1] not in title:
        parsed.title = title + head[at + 1]
    return parsed, head


@dataclass
class MinutesRow:
    """One 议定事项 against the store: `state` new / unchanged / changed (`ref` the item it was), or `problem`,
    the one line why it cannot be made."""

    n: int
    spec: ItemSpec
    state: str = "new"
    ref: str = ""
    changes: list[str] = field(default_factory=list)
    problem: str = ""
    doubts: list[str] = field(default_factory=list)


@dataclass
class MinutesPlan:
    """What importing the minutes would do; nothing is written to make it."""

    meeting: str
    rows: list[MinutesRow]
    unknown: list[str]  # units the text names that the office lacks (never invented)

    def of(self, state: str) -> list[MinutesRow]:
        return [r for r in self.rows if r.state == state and not r.problem]

    @property
    def problems(self) -> list[MinutesRow]:
        return [r for r in self.rows if r.problem]

    @property
    def can_apply(self) -> bool:
        """Every 议定事项 can be made, and there is something to do."""
        return not self.unknown and not self.problems and bool(self.of("new") or self.of("changed"))

    def refusal(self) -> str:
        """The one line that says why nothing can be written ("" when it can)."""
        if self.unknown:
            return (f"纪要中的{'、'.join(f'“{u}”' for u in self.unknown)}不是本办公室的单位，未创建任何督办事项"
                    "（不会新建单位；请改为已有单位名称后重新导入）。")
        if self.problems:
            r = self.problems[0]
            return f"议定事项{r.n}（{r.spec.title}）：{r.problem}"
        return ""


@dataclass
class MinutesResult:
    """What an import of minutes did: the items made, changed, and the 议定事项 already there."""

    created: list[ItemCreated] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"created": [c.to_dict() for c in self.created], "skipped": self.skipped, "changed": self.changed}


# A date standing alone on a line (the minutes' signature, "2021年9月7日", "2022年3月15日印发") is no time limit.
_SIGNED = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:印发|签发)?$")


def _due(t: ParsedTask, today: date) -> date | None:
    """The 议定事项's first date on or after today; a date already past is kept, to be refused by check_item."""
    dates = [date.fromisoformat(d["date"]) for d in t.deadlines
             if d.get("date") and not _SIGNED.match((d.get("text") or "").strip())]
    return next((d for d in dates if d >= today), dates[0] if dates else None)


def spec_of(t: ParsedTask, *, meeting: str, today: date) -> ItemSpec:
    """One 议定事项 as an item spec: its title without "关于" or "会议要求", its words as the instruction."""
    words = "；".join(x for x in (t.objective, t.measures) if x)
    return ItemSpec(title=_ABOUT.sub("", t.title).strip() or t.title, source=MEETING, lead=tuple(t.lead),
                    co=tuple(t.co), due=_due(t, today), instructed_by=meeting, instruction=words, assigned_on=today)


def meeting_of(parsed: ParsedPlan, source_name: str) -> str:
    return (parsed.title or source_name.rsplit(".", 1)[0]).strip()


def plan_minutes(*, session: Session, parsed: ParsedPlan, office_id: int | None, settings: ItemSettings,
                 calendar: WorkCalendar, today: date, source_name: str) -> MinutesPlan:
    """Each 议定事项 checked as an item and compared with those made from the same minutes before; no write."""
    if not parsed.tasks or parsed.needs_review:
        raise UserError(f"没有在 {source_name} 中读到议定事项（每项需写明牵头单位），未创建督办事项。")
    meeting = meeting_of(parsed, source_name)
    unknown = unknown_units(session=session, office_id=office_id,
                            names=[u for t in parsed.tasks for u in (*t.lead, *t.co)])
    before = {r.title: r for r in list_items(session=session, office_id=office_id, settings=settings,
                                             source=MEETING) if r.instructed_by == meeting}
    rows = []
    for n, t in enumerate(parsed.tasks, 1):
        row = MinutesRow(n, spec_of(t, meeting=meeting, today=today), doubts=list(t.doubts))
        rows.append(row)
        old = before.get(row.spec.title)
        if old is not None:
            row.ref = old.ref
            row.changes = [] if unknown else _changes(session, office_id, row.spec, old)
            row.state = "changed" if row.changes else "unchanged"
            if row.changes and row.spec.due is not None and row.spec.due < today:
                row.problem = f"办理时限 {row.spec.due.isoformat()} 已经过去（今天是 {today.isoformat()}）。"
            continue
        if not unknown:
            try:
                check_item(session=session, spec=row.spec, office_id=office_id, settings=settings, calendar=calendar,
                           today=today)
            except UserError as exc:
                row.problem = str(exc)
    return MinutesPlan(meeting, rows, unknown)


def _changes(session: Session, office_id: int | None, spec: ItemSpec, old: ItemRow) -> list[str]:
    """What the minutes now say differently of an item made from them before (units by their canonical names)."""
    out = []
    if spec.due is not None and old.due is not None and spec.due != old.due:
        out.append(f"时限 {old.due.isoformat()} → {spec.due.isoformat()}")
    lead = office_units(session, office_id, spec.lead)
    co = [u for u in office_units(session, office_id, spec.co) if u not in lead]
    if lead != old.lead or co != old.co:
        out.append(f"单位 {'、'.join(old.lead + old.co)} → {'、'.join(lead + co)}"
                   f"（单位不随纪要改动：如需改，请用 duban task reassign {old.ref} 重新交办）")
    return out


def apply_minutes(*, session: Session, planned: MinutesPlan, office_id: int | None, settings: ItemSettings,
                  calendar: WorkCalendar, now: datetime, actor: str, receipts: bool = False) -> MinutesResult:
    """Create the new 议定事项, move the changed ones' time limits, skip the rest; refuse all on any bad one."""
    if planned.refusal():
        raise (NotFound if planned.unknown else UserError)(planned.refusal())
    result = MinutesResult(skipped=[r.spec.title for r in planned.of("unchanged")])
    for row in planned.of("new"):
        try:
            result.created.append(create_item(session=session, spec=row.spec, office_id=office_id,
                                              settings=settings, calendar=calendar, now=now, actor=actor,
                                              receipts=receipts))
        except UserError as exc:
            raise UserError(f"议定事项{row.n}（{row.spec.title}）：{exc}") from exc
    for row in planned.of("changed"):
        task = require_task(session=session, ref=row.ref, office_id=office_id)
        if any(c.startswith("时限") for c in row.changes):
            set_deadline(session=session, task=task, when=row.spec.due, label="办理时限", now=now, actor=actor)
        info = session.get(ItemInfo, task.id)
        if info is not None and row.spec.instruction:
            info.instruction = row.spec.instruction
            session.add(info)
        reschedule(session=session, task_ids=[task.id], now=now)
        result.changed.append(f"{row.ref} {row.spec.title}：{'；'.join(row.changes)}")
    return result


def import_minutes(*, session: Session, parsed: ParsedPlan, office_id: int | None, settings: ItemSettings,
                   calendar: WorkCalendar, now: datetime, actor: str, source_name: str,
                   receipts: bool = False) -> MinutesResult:
    """Plan and apply in one go (what a script or a `--yes` import does)."""
    planned = plan_minutes(session=session, parsed=parsed, office_id=office_id, settings=settings, calendar=calendar,
                           today=now.date(), source_name=source_name)
    return apply_minutes(session=session, planned=planned, office_id=office_id, settings=settings, calendar=calendar,
                         now=now, actor=actor, receipts=receipts)
