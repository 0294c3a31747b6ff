"""Chat flows for 督办 items: words ("交办：…", "局长批示：…", "会议决定：…") or a forwarded message from an admin
become a draft with a confirmation card (确认 / 修改 / 取消); 确认 creates the item (bot.services.items)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.chat import instructing, taps
from bot.chat import requests as rq
from bot.chat.commands import Command, Needs
from bot.chat.context import Ctx, reply
from bot.nlu.items import ItemWords, read_item
from bot.notify import Button, OutboundMessage
from bot.render import item_text
from bot.render.sheet_docx import sheet_docx
from bot.services import itemdrafts
from bot.services.items import ItemSpec, check_item, create_item, list_items, unknown_units
from bot.services.sheet import KINDS, build_sheet
from bot.services.tasks import looks_like_ref
from bot.services.units import find_unit


@dataclass(frozen=True)
class DraftItem:
    """Words (or a forwarded message) that hand an item down: what was read, and the source they name."""

    found: ItemWords
    source: str


@dataclass(frozen=True)
class ItemsOf:
    """"批示件有哪些还没办完", "安全办手上的交办件": the items of one source, of one unit, open ones only."""

    source: str
    unit: str = ""
    open_only: bool = False


def source_words(ctx: Ctx) -> dict[str, str]:
    """The words that open an item in chat ("交办", "批示", "会议决定": each source's configured `words`) → the
    source. Only those: a short word such as 建议 or 其他 opens everyday messages too ("建议：…")."""
    out: dict[str, str] = {}
    for name, src in ctx.settings.items.sources.items():
        for word in src.words:
            out.setdefault(word, name)
    return out


def may_create(ctx: Ctx) -> bool:
    """Admins and bound leaders hand items down."""
    return ctx.actor.is_admin or ctx.actor.is_leader


def read_text(ctx: Ctx, text: str) -> object | None:
    """An instruction on a task (bot.chat.instructing), a question about a source's items, or words opening with
    a source ("交办：…") as a draft item; None for any other text."""
    on_task = instructing.read_instruction(ctx, text)  # "第12项批示：…" by a leader or the office
    if on_task is not None:
        return on_task
    asked = _question(ctx, text)
    if asked is not None:
        return asked
    words = source_words(ctx)
    found = read_item(text, today=ctx.today, calendar=ctx.calendar, words=list(words))
    if found is None or looks_like_ref(found.instructed_by):  # "第12项批示：…" is an instruction on an item
        return None
    if not may_create(ctx):
        return rq.Say(item_text.NOT_ALLOWED)
    return DraftItem(found, words[found.source_word])


def read_forward(ctx: Ctx) -> DraftItem | None:
    """A forwarded (Telegram) or quoted (WeCom) message from an admin as a draft item; None for anyone else."""
    ev = ctx.event
    if not ctx.actor.is_admin or not (ev.forwarded_text or "").strip():
        return None
    words = source_words(ctx)
    default = ctx.settings.items.forwarded_source
    found = read_item(ev.forwarded_text, today=ctx.today, calendar=ctx.calendar, words=list(words),
                      default_word=default)
    if found is None or not found.lead:  # no unit to lead it: not an item, the message is read as usual
        return None
    if ev.forwarded_from and not found.instructed_by:
        found = replace(found, instructed_by=ev.forwarded_from)
    return DraftItem(found, words.get(found.source_word, found.source_word))


def on_draft(ctx: Ctx, req: DraftItem) -> list[OutboundMessage]:
    """The confirmation card of a drafted item (确认 / 修改 / 取消), or the one line that says what it lacks."""
    found, source = req.found, req.source
    if found.bad_date:
        return reply(item_text.bad_date(found.bad_date))
    if not found.lead:
        return reply(item_text.NO_LEAD)
    if not found.title:
        return reply(item_text.NO_TITLE)
    spec = ItemSpec(title=found.title, source=source, lead=tuple(found.lead), co=tuple(found.co), due=found.due,
                    urgent=found.urgent, instructed_by=found.instructed_by, instruction=found.words,
                    assigned_on=ctx.today)
    unknown = unknown_units(session=ctx.session, office_id=ctx.office_id, names=found.lead + found.co)
    if not unknown:  # every refusal (a past date, an unknown source) is one line now, not after 确认
        c = check_item(session=ctx.session, spec=spec, office_id=ctx.office_id, settings=ctx.settings.items,
                       calendar=ctx.calendar, today=ctx.today)
        spec = replace(spec, lead=tuple(c.lead), co=tuple(c.co), due=c.due, title=c.title, source=c.source)
    minutes = ctx.settings.items.draft_minutes
    key = itemdrafts.stage(session=ctx.session, draft=itemdrafts.Draft(spec, unknown, found.due_text if found.due
                                                                        else ""),
                           office_id=ctx.office_id, created_by=ctx.actor.ref, now=ctx.now, minutes=minutes)
    row = [Button("修改", taps.TapItemEdit(0, key).data(ctx.key)), Button("取消", taps.TapItemCancel(0, key).data(ctx.key))]
    if not unknown:
        row.insert(0, Button("确认", taps.TapItemOk(0, key).data(ctx.key)))
    text = item_text.card(spec, unknown=unknown, due_text=found.due_text if found.due else "", minutes=minutes)
    return [OutboundMessage(text=text, buttons=[row])]


def on_confirm(ctx: Ctx, tap: taps.TapItemOk) -> list[OutboundMessage]:
    """确认: create the drafted item (checked again: the office or the day may have changed)."""
    draft, row = itemdrafts.take(session=ctx.session, key=tap.arg, actor=ctx.actor.ref, now=ctx.now, state="created")
    if draft.unknown:
        return reply(item_text.card(draft.spec, unknown=draft.unknown, due_text=draft.due_text, minutes=0))
    item = create_item(session=ctx.session, spec=draft.spec, office_id=row.office_id, settings=ctx.settings.items,
                       calendar=ctx.calendar, now=ctx.now.astimezone(ctx.settings.app.tz), actor=ctx.actor.ref,
                       receipts=ctx.settings.supervision.receipt != "off")
    return [OutboundMessage(text=item_text.created_card(item), edit_message_id=ctx.event.callback_message_id)]


def on_edit(ctx: Ctx, tap: taps.TapItemEdit) -> list[OutboundMessage]:
    """修改: the draft is dropped, to be sent again changed."""
    itemdrafts.take(session=ctx.session, key=tap.arg, actor=ctx.actor.ref, now=ctx.now, state="cancelled")
    return [OutboundMessage(text=item_text.EDIT, edit_message_id=ctx.event.callback_message_id)]


def on_cancel(ctx: Ctx, tap: taps.TapItemCancel) -> list[OutboundMessage]:
    """取消: the draft is dropped."""
    itemdrafts.take(session=ctx.session, key=tap.arg, actor=ctx.actor.ref, now=ctx.now, state="cancelled")
    return [OutboundMessage(text=item_text.CANCELLED, edit_message_id=ctx.event.callback_message_id)]


def routes() -> dict[type, object]:
    """Items in chat: drafts and their card's buttons (the draft's author may tap them, checked in
    itemdrafts.take) and questions about a source's items (批示 on a task: bot.chat.instructing)."""
    return {DraftItem: on_draft, ItemsOf: on_items_of, taps.TapItemOk: on_confirm,
            taps.TapItemEdit: on_edit, taps.TapItemCancel: on_cancel}


def cmd_sheet(ctx: Ctx, cmd: rq.Command) -> list[OutboundMessage]:
    """/sheet 批示3 [催办]: the item's 督办单 (or 催办单) as a .docx attachment."""
    args = list(cmd.args)
    kind = args.pop() if len(args) > 1 and args[-1] in KINDS else "督办"
    task = ctx.task(" ".join(args))
    sheet = build_sheet(session=ctx.session, task=task, kind=kind, today=ctx.today, calendar=ctx.calendar)
    name = f"{kind}单_{sheet.ref}.docx"
    return [OutboundMessage(text=f"{kind}单（{sheet.ref}「{task.title}」），可编辑后印发",
                            document=(name, sheet_docx(sheet, tz=ctx.settings.app.tz)))]


def commands() -> list[Command]:
    return [Command("sheet", cmd_sheet, Needs.ADMIN, "/sheet 编号 [催办]", "督办单/催办单（Word）", min_args=1,
                    example="/sheet 批示3", words=())]


_OPEN_WORDS = re.compile(r"没办完|没有办完|未办结|没办结|还没完成|未完成|没完成|在办|办理中")
_PREFIX_TAIL = re.compile(r"(?:手上|手里|牵头|负责|承办|办理)?的?$")


def _question(ctx: Ctx, text: str) -> ItemsOf | None:
    """"批示件有哪些还没办完", "安全办手上的交办件": the items of a source, of one unit; None for other text."""
    t = text.strip().rstrip("？?。")
    for name, src in ctx.settings.items.sources.items():
        # "批示件2号进展如何" names one item (read as a task); only the source's items as a whole are this question
        m = re.search(rf"(?:{re.escape(name)}|{re.escape(src.short)})(?:件|事项)(?!\s*第?\s*\d)", t)
        if m is None:
            continue
        prefix = _PREFIX_TAIL.sub("", t[: m.start()]).strip()
        unit = find_unit(session=ctx.session, name=prefix, office_id=ctx.office_id) if prefix else None
        if prefix and unit is None:
            return None  # words before the source that name no unit: not this question
        return ItemsOf(name, unit.name if unit else "", bool(_OPEN_WORDS.search(t)))
    return None


def on_items_of(ctx: Ctx, req: ItemsOf) -> list[OutboundMessage]:
    """The items of a source (of one unit, open ones only) as a list."""
    rows = list_items(session=ctx.session, office_id=ctx.office_id, settings=ctx.settings.items, source=req.source,
                      open_only=req.open_only)
    if req.unit:
        rows = [r for r in rows if req.unit in r.lead or req.unit in r.co]
    return reply(item_text.item_list(rows, req.source, req.open_only, unit=req.unit))
