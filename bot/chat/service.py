"""ChatService: one event in, replies out. The only door from any channel into the domain."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.chat import actions, admin, ask, assignment, queries, receipts, review
from bot.chat.commands import Command, CommandTable, Needs
from bot.chat.context import Ctx, reply
from bot.chat.events import ChatEvent
from bot.chat.intents import Intent, parse
from bot.config import Settings
from bot.nlu import Kind
from bot.notify import OutboundMessage
from bot.render import action_text, chat_text
from bot.services import buttons, deferrals
from bot.services.binding import redeem_invite, resolve_actor
from bot.services.errors import UserError
from bot.workdays import WorkCalendar
from storage import repo
from storage.db import session_scope
from storage.models import AuditLog

log = logging.getLogger(__name__)


class ChatService:
    """Platform-neutral command layer shared by Telegram, WeCom and the console."""

    def __init__(self, *, engine: Engine, settings: Settings, calendar: WorkCalendar, clock: Callable[[], datetime],
                 on_outbox: Callable[[], None] | None = None,
                 invite_link: Callable[[str], str | None] | None = None) -> None:
        self.engine, self.settings, self.calendar, self.clock = engine, settings, calendar, clock
        self.on_outbox = on_outbox
        self.invite_link = invite_link
        self._one_at_a_time = threading.Lock() if engine.dialect.name == "sqlite" else None
        # The button signing key, once a committed session has read it: it is made once and never changes,
        # so later events skip the lookup.
        self._key: bytes | None = None
        # Every feature module lists its commands and buttons; nothing registers itself on import.
        self.commands = CommandTable([self._own_commands(), queries.commands(), actions.commands(), admin.commands(),
                                      ask.commands(), review.commands(), receipts.commands(),
                                      assignment.commands()])
        self.user_buttons = {**actions.buttons(), **ask.buttons(), **review.buttons(), **receipts.buttons(),
                             **assignment.buttons()}
        self.admin_buttons = admin.buttons()

    def _own_commands(self) -> list[Command]:
        return [
            Command("start", self.cmd_start, Needs.ANYONE, "/start 邀请码", "绑定本聊天"),
            Command("help", self.cmd_help, Needs.ANYONE, "/help", "", menu="使用帮助"),
        ]

    def menu(self) -> list[tuple[str, str]]:
        """Telegram's command menu, from the same table as /help and the routing."""
        # Help goes last in the menu, as people look for it there.
        items = self.commands.menu()
        return [i for i in items if i[0] != "help"] + [i for i in items if i[0] == "help"]

    async def handle(self, event: ChatEvent) -> list[OutboundMessage]:
        """One event in, its replies out; the database work runs in a worker thread.

        A worker thread rather than an async engine: the domain is synchronous SQLModel code shared with the
        CLI and the jobs, and one short session per event in a thread keeps the event loop free for other
        chats' updates and for sends, whatever a query costs.
        """
        out, queued = await asyncio.to_thread(self._handle_serially, event)
        if queued and self.on_outbox:
            self.on_outbox()  # on the loop: it schedules a dispatch there
        return out

    def _handle_serially(self, event: ChatEvent) -> tuple[list[OutboundMessage], int]:
        # SQLite has one writer: a session that reads and then writes while another thread writes fails
        # with "database is locked" instead of waiting, so this process's chat sessions take turns there.
        if self._one_at_a_time is None:
            return self._handle(event)
        with self._one_at_a_time:
            return self._handle(event)

    def _handle(self, event: ChatEvent) -> tuple[list[OutboundMessage], int]:
        # One session per event, committed once.
        try:
            with session_scope(self.engine) as session:
                now = self.clock()
                actor = resolve_actor(session=session, settings=self.settings, platform=event.platform,
                                      user_id=event.user_id, chat_id=event.chat_id, is_group=event.is_group,
                                      now=now, via_message_id=event.callback_message_id)
                ctx = Ctx(session, self.settings, self.calendar, now, actor, event,
                          self._key or buttons.signing_key(session=session, now=now))
                if self.invite_link is not None:
                    ctx.invite_link = self.invite_link
                try:
                    with session.begin_nested():  # a user mistake rolls back its own writes only
                        out = self._route(ctx)
                except UserError as exc:
                    out = reply(str(exc))
            self._key = ctx.key  # committed: the key is in the store for good
            return out, ctx.queued
        except Exception:
            log.exception("chat handler failed for %s event from %s", event.platform, event.user_id)
            return reply(chat_text.ERROR), 0

    async def migrate(self, platform: str, old_chat_id: str, new_chat_id: str) -> None:
        """A chat changed its address (Telegram group → supergroup): keep its binding and queued sends."""
        await asyncio.to_thread(self._migrate, platform, old_chat_id, new_chat_id)

    def _migrate(self, platform: str, old_chat_id: str, new_chat_id: str) -> None:
        with session_scope(self.engine) as session:
            moved = repo.rekey_address(session=session, platform=platform, old=old_chat_id, new=new_chat_id)
            if moved:
                session.add(AuditLog(at=self.clock(), actor=f"{platform}:{old_chat_id}", action="chat.migrate",
                                     detail=f"{old_chat_id} → {new_chat_id}"))

    def _route(self, ctx: Ctx) -> list[OutboundMessage]:
        """Button → file → command → open deferral / reply to a reminder → plain-words question → fallback."""
        event, actor = ctx.event, ctx.actor
        bound = actor.unit is not None or actor.is_admin
        if event.callback_data is not None:
            return self._button(ctx, event.callback_data) if bound else reply(chat_text.ONBOARDING)
        if event.file_bytes is not None or event.file_name:
            if not bound:
                return reply(chat_text.ONBOARDING)
            # An admin's plan document (no task named, not a reply to a reminder) is a plan to import;
            # anything else sent by a bound chat is evidence (佐证材料) for a task.
            if actions.looks_like_plan_file(ctx):
                if actor.is_admin:
                    return admin.on_upload(ctx)
                return reply("只有管理员可以导入计划文件。如这是佐证材料，请在说明中写上任务编号（如“第12项 验收报告”），"
                             "或回复该任务的提醒消息发送。")
            return actions.on_evidence(ctx)
        text = (event.text or "").strip()
        if not text:
            return []
        intent = parse(text)  # plain words come back "unknown": the language layer (bot.chat.ask) reads them
        command = self.commands.get(intent.name)
        if intent.slash and command is None:
            return reply(chat_text.unknown_command(intent.name)) if bound or not event.is_group else []
        if command is not None and command.needs == Needs.ANYONE:
            return self._run(ctx, command, intent)
        if not bound:
            return [] if event.is_group and command is None else reply(chat_text.ONBOARDING)
        if command is None:
            answered = self._free_text(ctx, text)
            if answered is not None:
                return answered
            if deferrals.is_cancel(text) and not event.is_group:
                return reply(action_text.NOTHING_TO_CANCEL)
            named = self.commands.by_words(text)
            if named is not None:
                return self._run(ctx, named, Intent(named.name))
            answered = ask.answer(ctx, text, help_text=self.help_text)
            if answered is not None:
                return answered
            return [] if event.is_group else reply(chat_text.NOT_UNDERSTOOD)
        return self._run(ctx, command, intent)

    def _free_text(self, ctx: Ctx, text: str) -> list[OutboundMessage] | None:
        """Text that is no command: an answer to an open 申请延期, or a note replying to a reminder.

        A reply to a reminder is a note unless it reads as a date for an open request; other text
        while a request is open is asked about, never dropped. In a group only a date (or 取消)
        answers a request, so everyday talk is not taken for one.
        """
        event = ctx.event
        pending = deferrals.awaiting(session=ctx.session, requested_by=ctx.actor.ref, now=ctx.now,
                                     known=ctx.actor.waiting)
        if pending is not None and (deferrals.reads_as_date(text) or deferrals.is_cancel(text)):
            return actions.answer_deferral(ctx, pending, text)
        if event.reply_to_message_id:
            noted = actions.reply_note(ctx, text)
            if noted is not None:
                return noted
        if pending is not None and not event.is_group:
            # A question or report in its own right is answered, the request still waiting; other text is held
            # on the request and the person asked whether it is a note (actions.answer_deferral).
            clear = ask.answer_if_clear(ctx, text, help_text=self.help_text)
            if clear is None:
                return actions.answer_deferral(ctx, pending, text)  # neither a date nor a note: ask which
            out, kind = clear
            if kind is not Kind.DEFER:  # a new request replaces the waiting one
                out = [*out, *actions.still_waiting(ctx, pending)]
            return out
        return None

    def _run(self, ctx: Ctx, command: Command, intent: Intent) -> list[OutboundMessage]:
        if command.needs == Needs.ADMIN and not ctx.actor.is_admin:
            return reply(chat_text.ADMIN_ONLY)
        if len(intent.args) < command.min_args:
            raise UserError(command.usage_error())
        return command.handler(ctx, intent)

    def _button(self, ctx: Ctx, data: str) -> list[OutboundMessage]:
        parsed = buttons.verify(ctx.key, data)
        if parsed is None:
            ctx.session.add(AuditLog(at=ctx.now, actor=ctx.actor.ref, action="callback.forged", detail=data[:200]))
            return reply(action_text.FORGED_BUTTON)
        action, ident, arg = parsed
        if action in self.admin_buttons:
            if not ctx.actor.is_admin:
                return reply(action_text.ADMIN_ONLY_ACTION)
            return self.admin_buttons[action](ctx, ident, arg)
        return self.user_buttons[action](ctx, ident, arg)

    # --- the commands that belong to the door itself -------------------------------------------------
    def help_text(self, is_admin: bool) -> str:
        admin_lines = self.commands.help_lines(Needs.ADMIN) if is_admin else None
        return chat_text.help_text(self.commands.help_lines(Needs.BOUND), admin_lines)

    def cmd_help(self, ctx: Ctx, intent: Intent) -> list[OutboundMessage]:
        if ctx.actor.unit is None and not ctx.actor.is_admin:
            return reply(chat_text.ONBOARDING)
        return reply(self.help_text(ctx.actor.is_admin))

    def cmd_start(self, ctx: Ctx, intent: Intent) -> list[OutboundMessage]:
        ev = ctx.event
        if not intent.args:
            if ctx.actor.unit is not None:
                return reply(action_text.already_bound(ctx.actor.unit.name, self.help_text(ctx.actor.is_admin)))
            return reply(chat_text.ONBOARDING)
        outcome = redeem_invite(session=ctx.session, code=intent.args[0], platform=ev.platform, user_id=ev.user_id,
                                chat_id=ev.chat_id, is_group=ev.is_group, now=ctx.now, user_name=ev.user_name)
        if isinstance(outcome, str):
            return reply(outcome)
        return reply(action_text.bind_welcome(outcome.name, ev.is_group, self.help_text(False)))
