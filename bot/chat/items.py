"""Chat flows for 督办 items: words ("交办：…", "局长批示：…", "会议决定：…") or a forwarded message from an admin
become a draft with a confirmation card (确认 / 修改 / 取消); 确认 creates the item (bot.services.items)."""

from __future__ import annotations

from dataclasses import replace

from bot.chat.context import Ctx, reply
from bot.nlu.items import ItemWords, read_item
from bot.notify import Button, OutboundMessage
from bot.render import item_text
from bot.services import itemdrafts
from bot.services.buttons import Action, sign
from bot.services.items import ItemSpec, check_item, create_item, unknown_units
from bot.services.tasks import looks_like_ref
from storage.models import UnitKind


def source_words(ctx: Ctx) -> dict[str, str]:
    """Every word that names a configured source in chat (its name, its short word, its words) → the source."""
    out: dict[str, str] = {}
    for name, src in ctx.settings.items.sources.items():
        for word in (name, src.short, *src.words):
            out.setdefault(word, name)
    return out


def may_create(ctx: Ctx) -> bool:
    """Admins and bound leaders hand items down."""
    unit = ctx.actor.unit
    return ctx.actor.is_admin or (unit is not None and unit.kind == UnitKind.LEADER)


def on_text(ctx: Ctx, text: str) -> list[OutboundMessage] | None:
    """Words opening with a source ("交办：…") as a draft item; None for any other text."""
    words = source_words(ctx)
    found = read_item(text, today=ctx.today, words=list(words))
    if found is None or looks_like_ref(found.instructed_by):  # "第12项批示：…" is an instruction on an item
        return None
    if not may_create(ctx):
        return reply(item_text.NOT_ALLOWED)
    return _draft(ctx, found, words[found.source_word])


def on_forward(ctx: Ctx) -> list[OutboundMessage] | None:
    """A forwarded (Telegram) or quoted (WeCom) message from an admin as a draft item; None for anyone else."""
    ev = ctx.event
    if not ctx.actor.is_admin or not (ev.forwarded_text or "").strip():
        return None
    words = source_words(ctx)
    default = ctx.settings.items.forwarded_source
    found = read_item(ev.forwarded_text, today=ctx.today, words=list(words), default_word=default)
    if found is None or not found.lead:  # no unit to lead it: not an item, the message is read as usual
        return None
    if ev.forwarded_from and not found.instructed_by:
        found = replace(found, instructed_by=ev.forwarded_from)
    return _draft(ctx, found, words.get(found.source_word, default))


def _draft(ctx: Ctx, found: ItemWords, source: str) -> list[OutboundMessage]:
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
    row = [Button("修改", sign(ctx.key, Action.ITEM_EDIT, 0, key)), Button("取消", sign(ctx.key, Action.ITEM_CANCEL, 0, key))]
    if not unknown:
        row.insert(0, Button("确认", sign(ctx.key, Action.ITEM_OK, 0, key)))
    text = item_text.card(spec, unknown=unknown, due_text=found.due_text if found.due else "", minutes=minutes)
    return [OutboundMessage(text=text, buttons=[row])]


def on_confirm(ctx: Ctx, _ident: int, key: str) -> list[OutboundMessage]:
    """确认: create the drafted item (checked again: the office or the day may have changed)."""
    draft, row = itemdrafts.take(session=ctx.session, key=key, actor=ctx.actor.ref, now=ctx.now, state="created")
    if draft.unknown:
        return reply(item_text.card(draft.spec, unknown=draft.unknown, due_text=draft.due_text, minutes=0))
    item = create_item(session=ctx.session, spec=draft.spec, office_id=row.office_id, settings=ctx.settings.items,
                       calendar=ctx.calendar, now=ctx.now.astimezone(ctx.settings.app.tz), actor=ctx.actor.ref)
    return [OutboundMessage(text=item_text.created_card(item), edit_message_id=ctx.event.callback_message_id)]


def on_edit(ctx: Ctx, _ident: int, key: str) -> list[OutboundMessage]:
    itemdrafts.take(session=ctx.session, key=key, actor=ctx.actor.ref, now=ctx.now, state="cancelled")
    return [OutboundMessage(text=item_text.EDIT, edit_message_id=ctx.event.callback_message_id)]


def on_cancel(ctx: Ctx, _ident: int, key: str) -> list[OutboundMessage]:
    itemdrafts.take(session=ctx.session, key=key, actor=ctx.actor.ref, now=ctx.now, state="cancelled")
    return [OutboundMessage(text=item_text.CANCELLED, edit_message_id=ctx.event.callback_message_id)]


def buttons():
    """The draft card's buttons; the draft's author may tap them (checked in itemdrafts.take)."""
    return {Action.ITEM_OK: on_confirm, Action.ITEM_EDIT: on_edit, Action.ITEM_CANCEL: on_cancel}
