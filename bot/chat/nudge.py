"""催办 by the office in words: "第12项催一下", "催办第12项的财务股", "提醒职教办"."""

from __future__ import annotations

from bot.chat import requests as rq
from bot.chat.context import Ctx, reply
from bot.chat.lookup import open_tasks_of, vocab_of
from bot.nlu import Status
from bot.notify import OutboundMessage
from bot.render import action_text, answer_text, reminder_text, task_text
from bot.services.errors import UserError
from bot.services.vocab import PlanVocab
from storage.outbox import outbox_key


def _pairs(pv: PlanVocab, req: rq.Nudge) -> list[tuple[int, int, str]]:
    """(task, unit, role) to chase: a task named chases its lead units (or the units named); a unit named alone,
    each of its open tasks, the ones it leads first."""
    vocab, named = pv.vocab, list(req.unit_ids)
    pairs: list[tuple[int, int, str]] = []
    for tid in req.task_ids:
        t = vocab.tasks[tid]
        if t.status is Status.DONE:
            continue
        pairs += [(tid, uid, "lead" if uid in t.lead_unit_ids else "co") for uid in named or list(t.lead_unit_ids)]
    if not req.task_ids:
        pairs += [(tid, uid, role) for uid in named for tid, role in open_tasks_of(pv, uid)]
    return pairs


def on_nudge(ctx: Ctx, req: rq.Nudge) -> list[OutboundMessage]:
    """催办: each message goes to the unit's bound chats through the outbox, once per task, unit and day."""
    if not ctx.actor.is_admin:
        return reply(action_text.NUDGE_ADMIN_ONLY)
    if req.missing_refs:
        raise UserError(action_text.no_such_tasks(list(req.missing_refs)))
    pv = vocab_of(ctx)
    if pv is None:
        return reply(answer_text.NO_PLAN)
    pairs = _pairs(pv, req)
    if not pairs:
        return reply(action_text.NUDGE_NOTHING_OPEN)
    by_unit: dict[int, list[tuple[int, str]]] = {}
    for tid, uid, role in pairs:
        by_unit.setdefault(uid, []).append((tid, role))
    sent: dict[str, list[str]] = {}
    skipped: list[str] = []
    for uid, items in by_unit.items():
        name, chats = pv.vocab.units[uid].name, ctx.unit_chats(uid)
        if not chats:
            skipped.append(name)
            continue
        for tid, lines, buttons in _messages(ctx, pv, uid, items, bool(req.task_ids)):
            message = OutboundMessage(text=action_text.nudge_text(name, [line for _l, line in lines], bool(buttons)),
                                      title=f"{name}催办", buttons=buttons)
            before = ctx.queued
            for r in chats:
                ctx.push(r, message, task_id=tid, kind="nudge",
                         key=outbox_key(task_id=tid, topic=f"nudge:{uid}", recipient=r.key(), kind="nudge",
                                        occurrence=ctx.today.isoformat()))
            again = "" if ctx.queued > before else "（今天已催办过）"
            sent.setdefault(name, []).extend(label + again for label, _line in lines)
    return reply(action_text.nudged(sent, sorted(set(skipped))))


def _messages(ctx: Ctx, pv: PlanVocab, uid: int, items: list[tuple[int, str]], by_task: bool) -> list:
    """(task or None, [(label, line)], buttons) per message: a task named, a message per task with its one-tap
    buttons; a unit named, its open tasks in one message, answered by "编号 状态 说明"."""
    several = ctx.several_plans()

    def item(tid: int, role: str) -> tuple[str, str]:
        t = pv.vocab.tasks[tid]
        label = task_text.plan_ref(pv.plan_word(tid, several), pv.ref(tid))
        return label, action_text.nudge_line(label, t.title, role, min(t.deadlines) if t.deadlines else None)

    if by_task:
        return [(tid, [item(tid, role)], reminder_text.status_buttons(ctx.key, tid)) for tid, role in items]
    return [(None, [item(tid, role) for tid, role in items], [])]


def routes():
    """催办 in words."""
    return {rq.Nudge: on_nudge}
