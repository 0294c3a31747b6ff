"""One event → one request record: a button's record, a file's, a slash command's, or what plain words ask.

The order: button → file (a plan, minutes, or evidence) → a forwarded message → command → 批示 or 督办 item words → an open
申请延期 or a reply to a reminder → a command named in plain
words → a plain-words question → "not understood". Nothing here answers; bot/chat/router.py does.
"""

from __future__ import annotations

from bot.chat import actions, items, minutes, taps
from bot.chat import requests as rq
from bot.chat.ask import read_if_clear, read_words
from bot.chat.commands import Command, CommandTable, Needs
from bot.chat.context import Ctx
from bot.chat.intents import parse
from bot.nlu import Kind
from bot.render import action_text, chat_text, minutes_text
from bot.services import deferrals
from bot.services.errors import UserError


def read_event(ctx: Ctx, commands: CommandTable) -> object:
    """The request the event makes."""
    event, actor = ctx.event, ctx.actor
    bound = actor.unit is not None or actor.is_admin
    if event.callback_data is not None:
        if not bound:
            return rq.Say(chat_text.ONBOARDING)
        tap = taps.read_tap(ctx.key, event.callback_data)
        return tap if tap is not None else rq.Forged(event.callback_data)
    if event.file_bytes is not None or event.file_name:
        return _file(ctx, bound)
    if event.forwarded_text and bound and (drafted := items.read_forward(ctx)) is not None:
        return drafted  # an admin's forwarded (or quoted) message that names a lead unit is a draft 督办 item
    return _text(ctx, commands, (event.text or "").strip(), bound)


def _file(ctx: Ctx, bound: bool) -> object:
    """An admin's plan document (no task named, not a reply to a reminder) is a plan to import, or minutes whose
    议定事项 become items; anything else sent by a bound chat is evidence (佐证材料) for a task."""
    if not bound:
        return rq.Say(chat_text.ONBOARDING)
    if actions.looks_like_plan_file(ctx):
        said = minutes.named_as_minutes(ctx)  # a caption "纪要", or 纪要 in the name: the 议定事项 become items
        if not ctx.actor.is_admin:
            return rq.Say(minutes_text.MINUTES_ADMIN_ONLY if said else action_text.PLAN_FILE_ADMIN_ONLY)
        return minutes.MinutesFile() if said else rq.PlanFile()
    return rq.Evidence()


def _text(ctx: Ctx, commands: CommandTable, text: str, bound: bool) -> object:
    group = ctx.event.is_group
    if not text:
        return rq.Say("")
    typed = parse(text)  # plain words come back "unknown": read below
    command = commands.get(typed.name)
    if typed.slash and command is None:
        return rq.Say(chat_text.unknown_command(typed.name) if bound or not group else "")
    if command is not None and (bound or command.needs == Needs.ANYONE):
        return checked(ctx, command, tuple(typed.args))
    if not bound:
        return rq.Say("" if group and command is None else chat_text.ONBOARDING)
    item = items.read_text(ctx, text)  # "交办：…", "局长批示：…", a leader's 批示 on a task, "交办件有哪些"
    if item is not None:
        return item
    waiting = _while_waiting(ctx, text)
    if waiting is not None:
        return waiting
    if deferrals.is_cancel(text) and not group:
        return rq.Say(action_text.NOTHING_TO_CANCEL)
    named = commands.by_words(text)
    if named is not None:
        return checked(ctx, named, (), slash=False)
    asked = read_words(ctx, text)
    if asked is not None:
        return asked
    return rq.Say("" if group else chat_text.NOT_UNDERSTOOD)


def checked(ctx: Ctx, command: Command, args: tuple[str, ...], *, slash: bool = True) -> object:
    """The command's record, once the sender may run it and gave the arguments it needs."""
    if command.needs == Needs.ADMIN and not ctx.actor.is_admin:
        return rq.Say(chat_text.ADMIN_ONLY)
    if len(args) < command.min_args:
        raise UserError(command.usage_error())
    return command.request(args, slash=slash)


def _while_waiting(ctx: Ctx, text: str) -> object | None:
    """Text that is no command: an answer to an open 申请延期, or a note replying to a reminder.

    A reply to a reminder is a note unless it reads as a date for an open request; other text while a request
    is open is asked about, never dropped. In a group only a date (or 取消) answers a request, so everyday talk
    is not taken for one.
    """
    event = ctx.event
    pending = (deferrals.awaiting(session=ctx.session, requested_by=ctx.actor.ref, now=ctx.now)
               if ctx.reads.deferral_waiting is not False else None)
    if pending is not None and (deferrals.reads_as_date(text) or deferrals.is_cancel(text)):
        return rq.AnswerDeferral(pending.id, text)
    if event.reply_to_message_id:
        task_id = actions.reminder_task(ctx)
        if task_id is not None:
            return rq.ReplyNote(task_id, text)
    if pending is None or event.is_group:
        return None
    # A question or report in its own right is answered, the request still waiting; other text is held on the
    # request and the person asked whether it is a note (actions.answer_deferral).
    clear = read_if_clear(ctx, text)
    if clear is None:
        return rq.AnswerDeferral(pending.id, text)
    request, kind = clear
    return request if kind is Kind.DEFER else rq.WhileWaiting(request, pending.id)  # a new request replaces it
