"""Minutes (会议纪要) sent in chat by an admin: read by the plans' reader, recognised as minutes (the caption says
纪要 / 议定事项, or the file's name or title says 纪要, or its opening introduces 议定事项), answered with what would
become 会议议定 items (new, changed, already there; how sure the reading is; units the office lacks) and 确认 / 取消.
Nothing is created before 确认 (bot.services.minutes)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.chat import taps
from bot.chat.context import Ctx, reply
from bot.notify import Button, OutboundMessage
from bot.plan.model import ParsedPlan
from bot.plan.review import write_review
from bot.render import minutes_text
from bot.services import planfile
from bot.services.drafts import drop_draft, stage_draft, take_draft
from bot.services.errors import UserError
from bot.services.minutes import (
    apply_minutes,
    looks_like_minutes,
    plan_minutes,
    read_minutes,
    said_to_be_minutes,
)


@dataclass(frozen=True)
class MinutesFile:
    """An admin's file that reads as minutes (the event's file): its 议定事项 shown as items to confirm.
    `parsed`: the minutes as already read, when the file came as a plan and turned out to be minutes."""

    parsed: ParsedPlan | None = None


def named_as_minutes(ctx: Ctx) -> bool:
    """The sender said so before anything is read: a caption "纪要" / "议定事项", or 纪要 in the file's name."""
    return said_to_be_minutes(filename=ctx.event.file_name or "", caption=ctx.event.text or "")


def as_minutes(ctx: Ctx, data: bytes, name: str, parsed: ParsedPlan) -> MinutesFile | None:
    """A file sent as a plan whose title or opening says it is minutes, as minutes read (titled by their meeting);
    None for a plan, whose reading is left as it was."""
    titled, head = read_minutes(data, name, ParsedPlan(parsed.title, parsed.year))
    if not looks_like_minutes(parsed=parsed, head=head, filename=name, caption=ctx.event.text or ""):
        return None
    return MinutesFile(replace(parsed, title=titled.title))


def _sheet(parsed: ParsedPlan) -> tuple[str, bytes]:
    return f"核对表_{(parsed.title or '会议纪要')[:20]}.xlsx", write_review(parsed)


def on_minutes(ctx: Ctx, req: MinutesFile) -> list[OutboundMessage]:
    """What the minutes would become, with 确认 / 取消 when every 议定事项 can be made; the review sheet when the
    reading has doubts."""
    name, data = ctx.event.file_name or "纪要", ctx.event.file_bytes
    if not data:
        raise UserError("没有收到文件内容（文件过大或下载失败），请重新发送。")
    parsed = req.parsed  # read already when the file came as a plan
    if parsed is None:
        parsed, _head = read_minutes(data, name, planfile.parse_upload(data, name, aliases=ctx.settings.aliases))
    if parsed.needs_review or not parsed.tasks:  # never a dead end: the sheet, and how to send it back
        return [OutboundMessage(text=minutes_text.NEEDS_REVIEW, document=_sheet(parsed))]
    planned = plan_minutes(session=ctx.session, parsed=parsed, office_id=ctx.office_id, settings=ctx.settings.items,
                           calendar=ctx.calendar, today=ctx.today, source_name=name)
    text, buttons = minutes_text.preview(planned, parsed, name), []
    if planned.can_apply:
        key = stage_draft(session=ctx.session, parsed=parsed, source_name=name, created_by=ctx.actor.ref, now=ctx.now)
        buttons = [[Button("确认", taps.TapMinutes(1, key).data(ctx.key)),
                    Button("取消", taps.TapMinutes(0, key).data(ctx.key))]]
        text += "\n" + minutes_text.ASK
    out = [OutboundMessage(text=text, buttons=buttons)]
    if any(t.confidence < 0.75 for t in parsed.tasks):
        out.append(OutboundMessage(text=minutes_text.SHEET, document=_sheet(parsed)))
    return out


def on_tap(ctx: Ctx, tap: taps.TapMinutes) -> list[OutboundMessage]:
    """确认: create the staged minutes' items (checked again: the office or the day may have changed); 取消: drop."""
    edit = ctx.event.callback_message_id
    if tap.ident == 0:
        if not drop_draft(session=ctx.session, key=tap.arg):
            return reply(minutes_text.EXPIRED)
        return [OutboundMessage(text=minutes_text.CANCELLED, edit_message_id=edit)]
    draft = take_draft(session=ctx.session, key=tap.arg)
    if draft is None:
        return reply(minutes_text.EXPIRED)
    parsed, name, _answers = draft
    planned = plan_minutes(session=ctx.session, parsed=parsed, office_id=ctx.office_id, settings=ctx.settings.items,
                           calendar=ctx.calendar, today=ctx.today, source_name=name)
    result = apply_minutes(session=ctx.session, planned=planned, office_id=ctx.office_id,
                           settings=ctx.settings.items, calendar=ctx.calendar,
                           now=ctx.now.astimezone(ctx.settings.app.tz), actor=ctx.actor.ref,
                           receipts=ctx.settings.supervision.receipt != "off")
    return [OutboundMessage(text=minutes_text.confirmed(result, name), edit_message_id=edit)]


def routes() -> dict[type, object]:
    """Minutes uploaded in chat, and their 确认 / 取消 (admins only: the tap says so)."""
    return {MinutesFile: on_minutes, taps.TapMinutes: on_tap}
