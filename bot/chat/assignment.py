"""退回 (不属于本单位) in chat: the lead unit's button and `/decline N 理由`; the office's reassign buttons."""

from __future__ import annotations

from bot.chat import requests as rq
from bot.chat import taps
from bot.chat.commands import Command, Needs
from bot.chat.context import Ctx, reply
from bot.chat.review import live_task, tell
from bot.notify import OutboundMessage
from bot.render import closure_text
from bot.services import assignment, closure, records
from bot.services.errors import UserError


def cmd_decline(ctx: Ctx, cmd: rq.Command):
    """`/decline 12 理由`: the lead unit returns the item to the office within the window."""
    task, rest = ctx.take_task(cmd.args)
    try:
        notice = assignment.decline(session=ctx.session, settings=ctx.settings, calendar=ctx.calendar, task=task,
                                    unit_id=ctx.actor.unit_id, reason=" ".join(rest), actor=ctx.actor.ref,
                                    now=ctx.now)
    except assignment.CannotDecline as exc:
        raise UserError(closure_text.decline_refusal(exc, ctx.shown_ref(task))) from exc
    tell(ctx, notice)
    return reply(closure_text.declined_line(ctx.shown_ref(task)))


def on_decline(ctx: Ctx, tap: taps.TapDecline):
    """不属于本单位 on a card: the reason is asked for; a co-unit or a late tap is told why not."""
    task = live_task(ctx, tap.ident)
    try:
        assignment.may_decline(session=ctx.session, settings=ctx.settings, calendar=ctx.calendar, task=task,
                               unit_id=ctx.actor.unit_id, now=ctx.now)
    except assignment.CannotDecline as exc:
        raise UserError(closure_text.decline_refusal(exc, ctx.shown_ref(task))) from exc
    return reply(closure_text.decline_ask(ctx.shown_ref(task)))


def on_reassign(ctx: Ctx, tap: taps.TapReassign):
    """A unit's button on a 退回 notice: the office gives the item to that unit (reviewers only)."""
    if not closure.is_reviewer(ctx.settings, ctx.actor):
        raise UserError(closure_text.NOT_REVIEWER.replace("审核办结申请", "重新交办"))
    task = live_task(ctx, tap.ident)
    unit = records.unit(session=ctx.session, unit_id=int(tap.arg)) if tap.arg.isdigit() else None
    if unit is None:
        raise UserError("没有这个单位，未做任何修改。")
    notice = assignment.reassign(session=ctx.session, settings=ctx.settings, task=task, lead=unit, co=None,
                                 actor=ctx.actor.ref, now=ctx.now)
    tell(ctx, notice)
    return [OutboundMessage(text=closure_text.reassigned_line(ctx.shown_ref(task), notice.note),
                            edit_message_id=ctx.event.callback_message_id)]


def commands() -> list[Command]:
    return [Command("decline", cmd_decline, Needs.BOUND, "/decline 编号 理由", "退回不属于本单位的事项（牵头单位，交办后限期内）",
                    min_args=1, example="/decline 12 该事项属于信访办职责")]


def routes() -> dict[type, object]:
    """不属于本单位 on a 签收 card, and the office's reassign buttons."""
    return {taps.TapDecline: on_decline, taps.TapReassign: on_reassign}
