"""签收 in chat: the 签收 button and word, `/sign [N]`, and `/receipts` (what awaits a 签收)."""

from __future__ import annotations

from bot.chat import requests as rq
from bot.chat import taps
from bot.chat.commands import Command, Needs
from bot.chat.context import Ctx, reply
from bot.chat.review import live_task
from bot.notify import OutboundMessage
from bot.render import receipt_text
from bot.services import receipts
from bot.services.errors import UserError
from storage.models import Task


def _sign(ctx: Ctx, task: Task) -> bool:
    try:
        return receipts.sign_for(session=ctx.session, task=task, unit_id=ctx.actor.unit_id, actor=ctx.actor.ref,
                                 now=ctx.now)
    except receipts.NotAsked as exc:
        raise UserError(receipt_text.not_asked(ctx.shown_ref(task))) from exc


def cmd_sign(ctx: Ctx, cmd: rq.Command):
    """`/sign 12` signs for one item; `/sign` (or 签收 in words) for every item the unit has yet to sign."""
    if cmd.args:
        task, _rest = ctx.take_task(cmd.args)
        if not _sign(ctx, task):
            return reply(receipt_text.already_signed(ctx.shown_ref(task)))
        return reply(receipt_text.signed([ctx.shown_ref(task)]))
    waiting = receipts.unsigned(session=ctx.session, office_id=ctx.office_id, unit_id=ctx.actor.unit_id)
    if ctx.actor.unit_id is None or not waiting:
        return reply(receipt_text.NOTHING_TO_SIGN)
    return reply(receipt_text.signed([ctx.shown_ref(t) for t, _u, _at in waiting if _sign(ctx, t)]))


def cmd_receipts(ctx: Ctx, cmd: rq.Command):
    """What awaits a 签收: the unit's own, or (an admin) every unit's."""
    unit_id = None if ctx.actor.is_admin else ctx.actor.unit_id
    rows = receipts.unsigned(session=ctx.session, office_id=ctx.office_id, unit_id=unit_id)
    if not rows:
        return reply(receipt_text.NONE_UNSIGNED)
    tz = ctx.settings.app.tz
    return reply("未签收的事项：\n" + "\n".join(receipt_text.unsigned_line(ctx.shown_ref(t), t.title, u, at, tz)
                                              for t, u, at in rows))


def on_sign(ctx: Ctx, tap: taps.TapSign):
    """签收 on the card: signed once; a second tap says so and changes nothing."""
    task = live_task(ctx, tap.ident)
    text = receipt_text.signed([ctx.shown_ref(task)]) if _sign(ctx, task) else receipt_text.already_signed(ctx.shown_ref(task))
    return [OutboundMessage(text=text, edit_message_id=ctx.event.callback_message_id)]


def commands() -> list[Command]:
    return [Command("sign", cmd_sign, Needs.BOUND, "/sign [编号]", "签收新交办的事项", example="/sign 12",
                    words=("签收", "确认签收", "我签收")),
            Command("receipts", cmd_receipts, Needs.BOUND, "/receipts", "未签收的事项", words=("未签收", "签收情况"))]


def routes() -> dict[type, object]:
    """The 签收 button."""
    return {taps.TapSign: on_sign}
