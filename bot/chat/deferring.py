"""申请延期 from the chat: the button or the words open a request, the date (or 取消) answers it, and the admins
are told (services/deferrals.py keeps the request; services/notices.py queues the pushes)."""

from __future__ import annotations

from bot.chat import requests as rq
from bot.chat import taps
from bot.chat.actions import base_text, check, task_of_button
from bot.chat.answers import choice_label
from bot.chat.context import Ctx, reply
from bot.chat.lookup import vocab_of
from bot.nlu import Choice
from bot.notify import Button, OutboundMessage
from bot.render import action_text
from bot.services import deferrals, notices, records
from bot.services.errors import UserError
from bot.services.nudge import open_tasks_of
from bot.services.reports import record_report
from storage.models import Deferral, DeferralStatus, ReportStatus


def on_defer(ctx: Ctx, tap: taps.TapDefer):
    """申请延期: open a request and ask for the date."""
    task_id = tap.ident
    task = task_of_button(ctx, task_id)
    if task is None:
        return reply(action_text.TASK_GONE)
    check(ctx, task)
    base = base_text(ctx, task)
    deferrals.request(session=ctx.session, task=task, unit_id=ctx.actor.unit_id, requested_by=ctx.actor.ref,
                      now=ctx.now)
    return [
        OutboundMessage(text=f"{base}\n\n{action_text.DEFER_WAITING}", edit_message_id=ctx.event.callback_message_id),
        OutboundMessage(text=action_text.defer_ask(ctx.shown_ref(task))),
    ]


def on_defer_words(ctx: Ctx, req: rq.Defer):
    """"第12项申请延期到10月底 设备未到货": the request the 申请延期 button opens, its date taken from the words
    when they start with one; otherwise the date is asked for, as after the button. A report typed with it is
    recorded first; its note is the reason when the words after the date give none. No task named: the unit's
    open tasks to tap."""
    if req.ref is None:
        return _defer_pick(ctx)
    reported = ctx.answer(req.report) if req.report is not None else []
    return reported + _defer_task(ctx, req.ref, req.text, req.reason, req.plan)


def _defer_pick(ctx: Ctx):
    pv, unit_id = vocab_of(ctx), ctx.actor.unit_id
    if pv is None or unit_id is None or unit_id not in pv.vocab.units:
        return reply(action_text.DEFER_NEEDS_REF)
    open_ids = [tid for tid, _role in open_tasks_of(pv, unit_id)]
    if not open_ids:
        return reply(action_text.DEFER_NOTHING_OPEN)
    several = ctx.several_plans()
    rows = [[Button(choice_label(pv, Choice("task", t, ""), several)[:40], taps.TapDefer(t).data(ctx.key))]
            for t in open_ids[:6]]
    return [OutboundMessage(text=action_text.defer_pick(len(open_ids)), buttons=rows)]


def _defer_task(ctx: Ctx, ref: str, text: str, reason: str, plan: int | None = None):
    task = ctx.task(ref, plan)
    check(ctx, task)
    deferral = deferrals.request(session=ctx.session, task=task, unit_id=ctx.actor.unit_id,
                                 requested_by=ctx.actor.ref, now=ctx.now)
    if text and deferrals.reads_as_date(text):
        when, given = deferrals.split_date(text)
        text = f"{when} {given or reason}".strip()
        try:
            return answer_deferral(ctx, deferral, text)
        except UserError as exc:  # the request stays open: the date alone can be sent again
            return reply(f"{exc}\n{action_text.defer_ask(ctx.shown_ref(task))}")
    return reply(f"{action_text.task_head(ctx.shown_ref(task), task.title)}\n{action_text.defer_ask(ctx.shown_ref(task))}")


def _own_open_request(ctx: Ctx, deferral_id: int) -> Deferral | None:
    """The sender's own request still waiting for its date, or None (a stale or someone else's button)."""
    deferral = records.deferral(session=ctx.session, deferral_id=deferral_id)
    if deferral is None or deferral.requested_by != ctx.actor.ref or deferral.status != DeferralStatus.AWAITING_DATE:
        return None
    return deferral


def on_defer_note(ctx: Ctx, tap: taps.TapDeferNote):
    """记为进展说明: the text held on an open request becomes a progress note, and the request is dropped."""
    deferral = _own_open_request(ctx, tap.ident)
    if deferral is None:
        return reply(action_text.BAD_BUTTON)
    task = records.task(session=ctx.session, task_id=deferral.task_id)
    note = deferral.reason
    deferrals.cancel(deferral, reason="申请人改为填写进展说明")
    check(ctx, task)
    record_report(session=ctx.session, task=task, unit_id=ctx.actor.unit_id, status=ReportStatus.NOTE, percent=None,
                  note=note, reporter=ctx.actor.ref, now=ctx.now)
    return [OutboundMessage(text=action_text.note_recorded(ctx.shown_ref(task), note) + "\n" + action_text.DEFER_CANCELLED,
                            edit_message_id=ctx.event.callback_message_id)]


def on_defer_cancel(ctx: Ctx, tap: taps.TapDeferCancel):
    """取消 on the which-is-it question."""
    deferral = _own_open_request(ctx, tap.ident)
    if deferral is None:
        return reply(action_text.BAD_BUTTON)
    deferrals.cancel(deferral)
    return [OutboundMessage(text=action_text.DEFER_CANCELLED, edit_message_id=ctx.event.callback_message_id)]


def on_answer_deferral(ctx: Ctx, req: rq.AnswerDeferral):
    """Text typed while the sender's request waits for its date."""
    return answer_deferral(ctx, records.deferral(session=ctx.session, deferral_id=req.deferral_id), req.text)


def on_while_waiting(ctx: Ctx, req: rq.WhileWaiting):
    """A request of its own typed while a 申请延期 waits: answered, and the waiting request recalled."""
    return ctx.answer(req.request) + still_waiting(ctx, records.deferral(session=ctx.session,
                                                                         deferral_id=req.deferral_id))


def answer_deferral(ctx: Ctx, deferral: Deferral, text: str):
    """The text after a 申请延期 tap: a date (and reason) goes to the admins; 取消 drops it.

    Anything else is neither: it is held and the person is asked which it is, so nothing typed is lost.
    """
    if deferrals.is_cancel(text):
        deferrals.cancel(deferral)
        return reply(action_text.DEFER_CANCELLED)
    task = records.task(session=ctx.session, task_id=deferral.task_id)
    if not deferrals.reads_as_date(text):
        deferrals.hold_text(deferral, text)
        buttons = [[Button("记为进展说明", taps.TapDeferNote(deferral.id).data(ctx.key)),
                    Button("取消延期申请", taps.TapDeferCancel(deferral.id).data(ctx.key))]]
        return [OutboundMessage(text=action_text.defer_which(ctx.shown_ref(task), text), buttons=buttons)]
    task = deferrals.answer(session=ctx.session, deferral=deferral, text=text, today=ctx.today)
    who = ctx.actor.unit.name if ctx.actor.unit else ctx.actor.ref
    message = OutboundMessage(
        text=action_text.defer_request(who, task.ref, task.title, deferral.requested_date, deferral.reason),
        buttons=[[Button("批准", taps.TapApprove(deferral.id).data(ctx.key)),
                  Button("驳回", taps.TapRefuse(deferral.id).data(ctx.key))]],
    )
    admins = ctx.admin_recipients()
    ctx.queued += notices.deferral_request(session=ctx.session, deferral=deferral, message=message, admins=admins,
                                           now=ctx.now, today=ctx.today)
    return reply(action_text.defer_submitted(ctx.shown_ref(task), deferral.requested_date, bool(admins)))


def still_waiting(ctx: Ctx, deferral: Deferral) -> list[OutboundMessage]:
    """The line after an answer given while a 申请延期 waits for its date."""
    task = records.task(session=ctx.session, task_id=deferral.task_id)
    return reply(action_text.defer_still_waiting(ctx.shown_ref(task))) if task is not None else []


def routes():
    """申请延期: in words, by its buttons, and the text that answers a waiting request."""
    return {rq.Defer: on_defer_words, rq.AnswerDeferral: on_answer_deferral, rq.WhileWaiting: on_while_waiting,
            taps.TapDefer: on_defer, taps.TapDeferNote: on_defer_note, taps.TapDeferCancel: on_defer_cancel}
