"""催办 by the office in words: "第12项催一下", "催办第12项的财务股", "提醒职教办" (the workflow: services/nudge.py)."""

from __future__ import annotations

from bot.chat import requests as rq
from bot.chat.context import Ctx, reply
from bot.chat.lookup import vocab_of
from bot.notify import OutboundMessage
from bot.render import action_text, answer_text, reminder_text, task_text
from bot.services import nudge
from bot.services.errors import UserError
from bot.services.vocab import PlanVocab


def on_nudge(ctx: Ctx, req: rq.Nudge) -> list[OutboundMessage]:
    """催办: a message per task named (with its one-tap buttons), or one per unit named; said what was sent."""
    if not ctx.actor.is_admin:
        return reply(action_text.NUDGE_ADMIN_ONLY)
    if req.missing_refs:
        raise UserError(action_text.no_such_tasks(list(req.missing_refs)))
    pv = vocab_of(ctx)
    if pv is None:
        return reply(answer_text.NO_PLAN)
    units = nudge.whom(session=ctx.session, pv=pv, task_ids=req.task_ids, unit_ids=req.unit_ids)
    if not units:
        return reply(action_text.NUDGE_NOTHING_OPEN)
    sent: dict[str, list[str]] = {}
    skipped: list[str] = []
    for unit in units:
        name = pv.vocab.units[unit.unit_id].name
        if not unit.chats:
            skipped.append(name)
            continue
        for tid, lines, buttons in _messages(ctx, pv, unit.items, bool(req.task_ids)):
            message = OutboundMessage(text=action_text.nudge_text(name, [line for _l, line in lines], bool(buttons)),
                                      title=f"{name}催办", buttons=buttons)
            queued = nudge.send(session=ctx.session, nudge=unit, message=message, task_id=tid, now=ctx.now,
                                today=ctx.today)
            ctx.queued += queued
            again = "" if queued else "（今天已催办过）"
            sent.setdefault(name, []).extend(label + again for label, _line in lines)
    return reply(action_text.nudged(sent, sorted(set(skipped))))


def _messages(ctx: Ctx, pv: PlanVocab, items: list[tuple[int, str]], by_task: bool) -> list:
    """(task or None, [(label, line)], buttons) per message: a task named, a message per task with its one-tap
    buttons; a unit named, its open tasks in one message, answered by "编号 状态 说明"."""
    several = ctx.several_plans()

    def item(tid: int, role: str) -> tuple[str, str]:
        t = pv.vocab.tasks[tid]
        label = task_text.plan_ref(pv.plan_word(tid, several), pv.ref(tid), item_word=pv.item_word(tid))
        return label, action_text.nudge_line(label, t.title, role, min(t.deadlines) if t.deadlines else None)

    if by_task:
        return [(tid, [item(tid, role)], reminder_text.status_buttons(ctx.key, tid)) for tid, role in items]
    return [(None, [item(tid, role) for tid, role in items], [])]


def routes():
    """催办 in words."""
    return {rq.Nudge: on_nudge}
