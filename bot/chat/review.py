"""办结审核 in chat: the 申请办结 a lead unit's 已完成 becomes, and the reviewers' /review, 通过 and 退回."""

from __future__ import annotations

from contextlib import contextmanager

from bot.chat import requests as rq
from bot.chat import taps
from bot.chat.commands import Command, Needs
from bot.chat.context import Ctx, reply
from bot.notify import OutboundMessage
from bot.render import action_text, closure_text
from bot.services import closure, records
from bot.services.errors import UserError
from storage import repo
from storage.models import ReportStatus, Task

REFUSED = (closure.NotPending, closure.NoReason, closure.NotReviewer)


@contextmanager
def _refusals():
    """A refused decision is one line and, as a UserError, rolls back nothing but itself."""
    try:
        yield
    except REFUSED as exc:
        raise UserError(closure_text.refusal(exc)) from exc


def tell(ctx: Ctx, notice: closure.Notice) -> None:
    """Queue a closing-loop notice (review, return, reassignment) to whoever it names."""
    ctx.queued += closure.push(session=ctx.session, notice=notice,
                               text=closure_text.notice_text(notice, ctx.settings.app.tz), now=ctx.now)


def after_report(ctx: Ctx, task: Task, status: ReportStatus) -> str | None:
    """The line a 申请办结 answers with (its card queued to the reviewers); None for any other report."""
    if status != ReportStatus.DONE or not task.review_pending or task.applied_at != ctx.now:
        return None
    newest = repo.latest_report_of(session=ctx.session, task_id=task.id, unit_id=ctx.actor.unit_id)
    tell(ctx, closure.review_card(session=ctx.session, settings=ctx.settings, task=task, unit_id=ctx.actor.unit_id,
                                   note=newest.note if newest is not None else "", now=ctx.now))
    who = ctx.actor.unit.name if ctx.actor.unit else ""
    return closure_text.applied_line(who, ctx.now, ctx.settings.app.tz)


def cmd_review(ctx: Ctx, cmd: rq.Command):
    """`/review` lists the requests awaiting review; `/review pass 12`, `/review return 12 原因` decide one."""
    with _refusals():
        closure.require_reviewer(ctx.settings, ctx.actor)
    args = list(cmd.args)
    if not args or args[0] in ("pending", "待审核"):
        rows = closure.awaiting(session=ctx.session, office_id=ctx.office_id)
        lines = [closure_text.pending_line(ctx.shown_ref(t), t.title, "、".join(leads), t.applied_at, ctx.settings.app.tz)
                 for t, leads in rows]
        return reply("待审核的办结申请：\n" + "\n".join(lines) if lines else closure_text.NONE_PENDING)
    verb = {"pass": _pass, "通过": _pass, "return": _return, "退回": _return}.get(args[0])
    if verb is None or len(args) < 2:
        raise UserError("用法：/review [pass|return] 编号 [原因]，如 /review return 12 佐证材料不全")
    task, rest = ctx.take_task(args[1:])
    return reply(verb(ctx, task, " ".join(rest), None))


def _pass(ctx: Ctx, task: Task, _reason: str, card: str | None) -> str:
    with _refusals():
        tell(ctx, closure.decide_pass(session=ctx.session, task=task, actor=ctx.actor.ref, now=ctx.now, card=card))
    return closure_text.passed_line(ctx.shown_ref(task))


def _return(ctx: Ctx, task: Task, reason: str, card: str | None) -> str:
    with _refusals():
        tell(ctx, closure.decide_return(session=ctx.session, task=task, actor=ctx.actor.ref, reason=reason,
                                         now=ctx.now, card=card))
    return closure_text.returned_line(ctx.shown_ref(task), reason.strip())


def live_task(ctx: Ctx, task_id: int) -> Task:
    """The task a card was sent for, or one line when a revision has removed it since."""
    task = records.live_task(session=ctx.session, task_id=task_id)
    if task is None:
        raise UserError(action_text.TASK_GONE)
    return task


def _card_task(ctx: Ctx, task_id: int, arg: str) -> Task:
    """The task of a review card, for a reviewer, while that very request awaits a decision."""
    with _refusals():
        closure.require_reviewer(ctx.settings, ctx.actor)
    task = live_task(ctx, task_id)
    if not task.review_pending or arg != closure.stamp(task):
        raise UserError(closure_text.not_pending(ctx.shown_ref(task)))
    return task


def on_pass(ctx: Ctx, tap: taps.TapReviewPass):
    """通过 on a review card: decided once; a second tap or a stale card changes nothing."""
    task = _card_task(ctx, tap.ident, tap.arg)
    return [OutboundMessage(text=_pass(ctx, task, "", tap.arg), edit_message_id=ctx.event.callback_message_id)]


def on_return(ctx: Ctx, tap: taps.TapReviewReturn):
    """退回 on a review card: the reason is asked for (it goes with /review return)."""
    task = _card_task(ctx, tap.ident, tap.arg)
    return reply(closure_text.ask_reason(ctx.shown_ref(task)))


def commands() -> list[Command]:
    return [Command("review", cmd_review, Needs.BOUND, "/review [pass|return 编号 [原因]]", "办结审核（通过或退回）",
                    example="/review return 12 佐证材料不全", words=("办结审核", "审核办结", "待审核的办结申请"))]


def routes() -> dict[type, object]:
    """Reviewers' buttons (admins or 督导室 chats: checked in the handlers, not by the router's admin gate)."""
    return {taps.TapReviewPass: on_pass, taps.TapReviewReturn: on_return}
