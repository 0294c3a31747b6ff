"""A meeting's minutes (会议纪要) as 督办 items: each 议定事项 the plan reader finds, with its units and date, becomes
an item of source 会议议定. The reader is the plans' own (bot.plan, called as it is); nothing is written unless
every 议定事项 can be (the caller's one transaction)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from bot.config import ItemSettings
from bot.plan.model import ParsedPlan, ParsedTask
from bot.services.errors import NotFound, UserError
from bot.services.items import ItemCreated, ItemSpec, create_item, list_items, unknown_units
from bot.workdays import WorkCalendar

MEETING = "会议议定"
_ABOUT = re.compile(r"^关于")


@dataclass
class MinutesResult:
    """What an import of minutes did: the items made, and the 议定事项 already there."""

    created: list[ItemCreated] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"created": [c.to_dict() for c in self.created], "skipped": self.skipped}


def _due(t: ParsedTask, today: date) -> date | None:
    """The 议定事项's first date on or after today; a date already past is kept, to be refused by create_item."""
    dates = [date.fromisoformat(d["date"]) for d in t.deadlines if d.get("date")]
    return next((d for d in dates if d >= today), dates[0] if dates else None)


def spec_of(t: ParsedTask, *, meeting: str, today: date) -> ItemSpec:
    """One 议定事项 as an item spec: its title without "关于", its words as the instruction."""
    words = "；".join(x for x in (t.objective, t.measures) if x)
    return ItemSpec(title=_ABOUT.sub("", t.title).strip() or t.title, source=MEETING, lead=tuple(t.lead),
                    co=tuple(t.co), due=_due(t, today), instructed_by=meeting, instruction=words, assigned_on=today)


def import_minutes(*, session: Session, parsed: ParsedPlan, office_id: int | None, settings: ItemSettings,
                   calendar: WorkCalendar, now: datetime, actor: str, source_name: str,
                   receipts: bool = False) -> MinutesResult:
    """Create an item for each 议定事项 not imported before; refuse the whole file on any bad one."""
    if not parsed.tasks:
        raise UserError(f"没有在 {source_name} 中读到议定事项（每项需写明牵头单位），未创建督办事项。")
    missing = unknown_units(session=session, office_id=office_id,
                            names=[u for t in parsed.tasks for u in (*t.lead, *t.co)])
    if missing:
        raise NotFound(f"纪要中的{'、'.join(f'“{u}”' for u in missing)}不是本办公室的单位，未创建任何督办事项"
                       "（不会新建单位；请改为已有单位名称后重新导入）。")
    meeting = (parsed.title or source_name.rsplit(".", 1)[0]).strip()
    today = now.date()
    known = {(r.title, r.instructed_by) for r in list_items(session=session, office_id=office_id,
                                                              settings=settings, source=MEETING)}
    result = MinutesResult()
    for n, t in enumerate(parsed.tasks, 1):
        spec = spec_of(t, meeting=meeting, today=today)
        if (spec.title, meeting) in known:
            result.skipped.append(spec.title)
            continue
        try:
            result.created.append(create_item(session=session, spec=spec, office_id=office_id, settings=settings,
                                              calendar=calendar, now=now, actor=actor, receipts=receipts))
        except UserError as exc:
            raise UserError(f"议定事项{n}（{spec.title}）：{exc}") from exc
    return result
