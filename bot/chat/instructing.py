"""批示 on an existing task or item: a bound leader's words ("第12项批示：抓紧推进，月底前报结果", or a reply to its
reminder), or the office's record of a leader's words ("第12项局长批示：…", "局长批示：…" replying to the task's
message). They go to the task's units and the office and are logged (bot.services.instructions); the leader they
name, when bound, hears the next report. Words that only acknowledge ("阅", "同意") tell nobody."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.chat.context import Ctx, reply
from bot.notify import OutboundMessage, Recipient
from bot.render import item_text
from bot.services import instructions, notices, records
from bot.services.tasks import looks_like_ref, split_plan_ref
from storage import repo
from storage.models import Task
from storage.outbox import outbox_key


@dataclass(frozen=True)
class Instruct:
    """Words on a task (批示): the task, the words, and the leader the office names ("" for the writer)."""

    task_id: int
    words: str
    who: str = ""


# "第12项批示：…", "批示3 张副局长批示：…", "安全生产第3项局长指示：…"; a leader may also write 意见.
_ON_TASK = re.compile(r"^(?P<head>[^:：，,。\s][^:：，,。]{0,27}?)\s*(?P<kind>批示|指示|意见)[:：]\s*(?P<words>.+)$", re.S)
# A reply to the task's message: the leader's words as they stand, the office's only under "局长批示：".
_ON_REPLY = re.compile(r"^(?P<who>[^:：，,。\s\d]{0,8}?)(?:批示|指示)[:：]\s*(?P<words>.+)$", re.S)
_LEAD_WORD = re.compile(r"^(?:批示|指示|意见)[:：]\s*")
_MAX_WHO = 8


def split_head(head: str) -> tuple[str, str] | None:
    """"第12项局长" → ("第12项", "局长"); "批示3" → ("批示3", ""); None when no task ref leads it."""
    head = head.strip()
    for cut in range(len(head), 0, -1):  # the longest ref first: "安全生产第3项" before "安全生产第3"
        ref, who = head[:cut].strip(" ，,、"), head[cut:].strip(" ，,、").removeprefix("的")
        if len(who) > _MAX_WHO or any(c.isdigit() for c in who):
            continue
        if ref and (looks_like_ref(ref) or split_plan_ref(ref)[0]):
            return ref, who
    return None


def read_instruction(ctx: Ctx, text: str) -> Instruct | None:
    """Words on a task by a bound leader or an admin; None for anything else (an admin's "局长批示：…" on no task
    is a new item, bot.chat.items)."""
    leader, admin = ctx.actor.is_leader, ctx.actor.is_admin
    if not (leader or admin):
        return None
    t = text.strip()
    m = _ON_TASK.match(t)
    if m and (leader or m.group("kind") != "意见") and (split := split_head(m.group("head"))) is not None:
        ref, who = split
        return Instruct(ctx.task(ref).id, m.group("words").strip(), "" if leader else who)
    task = _replied_task(ctx)
    if task is None:
        return None
    if leader:
        return Instruct(task.id, _LEAD_WORD.sub("", t))
    said = _ON_REPLY.match(t)
    return Instruct(task.id, said.group("words").strip(), said.group("who")) if said else None


def _replied_task(ctx: Ctx) -> Task | None:
    """The live task of the bot's message this one replies to (a reminder, a notice), if any."""
    if not ctx.event.reply_to_message_id:
        return None
    recipient = Recipient(ctx.event.platform, ctx.event.chat_id).key()
    sent = repo.outbox_by_message(session=ctx.session, message_id=ctx.event.reply_to_message_id, recipient=recipient)
    return records.live_task(session=ctx.session, task_id=sent.task_id) if sent and sent.task_id else None


def on_instruct(ctx: Ctx, req: Instruct) -> list[OutboundMessage]:
    """Words on a task: logged, and (unless they only acknowledge) sent to its units and the office."""
    task = records.task(session=ctx.session, task_id=req.task_id)
    mine = ctx.actor.is_leader  # the leader writes, rather than the office recording a leader's words
    if mine:
        leader, author = ctx.actor.unit, ctx.actor.unit.name
    else:  # the office records a leader's words: in the name of the leader it names, else its own
        leader = instructions.named_leader(session=ctx.session, office_id=ctx.office_id, name=req.who)
        author = req.who or ctx.event.user_name or item_text.OFFICE
    given = instructions.give(session=ctx.session, task=task, leader=leader, words=req.words, today=ctx.today,
                              now=ctx.now, calendar=ctx.calendar, actor=ctx.actor.ref, author=author)
    ref = instructions.ref_of(ctx.session, task)
    if given.row.notifies:
        notice = OutboundMessage(text=item_text.instruction_notice(author, ref, task.title, req.words, given.due,
                                                                   leader_hears=leader is not None))
        here = Recipient(ctx.event.platform, ctx.event.chat_id)
        targets = [r for u in given.lead + given.co for r in notices.unit_chats(session=ctx.session, unit_id=u.id)]
        for r in dict.fromkeys(targets + ctx.admin_recipients()):
            if r != here:  # the admin who typed it has it already
                ctx.push(r, notice, task_id=task.id, key=outbox_key(task_id=task.id, topic=f"instruction:{given.row.id}",
                                                                     recipient=r.key(), kind="notice", occurrence="1"))
    units = [u.name for u in given.lead + given.co]
    return reply(item_text.instruction_answer(ref, units, given.due, given.due_text, not given.row.notifies,
                                              author="" if mine else author,
                                              hears="您" if mine else (leader.name if leader else "")))


def routes() -> dict[type, object]:
    """批示 on tasks and items."""
    return {Instruct: on_instruct}
