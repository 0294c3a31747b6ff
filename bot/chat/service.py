"""ChatService: one event in, replies out. The only door from any channel into the domain."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.chat import (
    actions,
    admin,
    answers,
    assignment,
    deferring,
    instructing,
    items,
    minutes,
    nudge,
    onbehalf,
    queries,
    receipts,
    review,
    revision,
    web,
)
from bot.chat import requests as rq
from bot.chat.commands import Command, CommandTable, Needs
from bot.chat.context import Ctx, reply
from bot.chat.events import ChatEvent
from bot.chat.reading import read_event
from bot.chat.router import Router
from bot.config import Settings
from bot.notify import OutboundMessage
from bot.render import action_text, chat_text
from bot.services import audit, buttons, deferrals, notices
from bot.services.binding import actor_from, redeem_invite
from bot.services.errors import UserError
from bot.services.vocab import SHARED, VocabCache
from bot.workdays import WorkCalendar
from storage import repo
from storage.chat_reads import read_chat_event
from storage.db import session_scope, store_busy

log = logging.getLogger(__name__)
BUSY_TRIES = 4  # runs of one chat event that SQLite refused because another connection wrote first
BUSY_PAUSE = 0.02  # seconds before the next run, times the runs so far


class StoreBusy(Exception):
    """The store refused the event's write (store_busy): nothing of it was kept, so it may run again."""


class ChatService:
    """Platform-neutral command layer shared by Telegram, WeCom and the console."""

    def __init__(self, *, engine: Engine, settings: Settings, calendar: WorkCalendar, clock: Callable[[], datetime],
                 on_outbox: Callable[[], None] | None = None,
                 invite_link: Callable[[str], str | None] | None = None, vocab: VocabCache | None = None) -> None:
        self.engine, self.settings, self.calendar, self.clock = engine, settings, calendar, clock
        self.vocab = vocab or SHARED  # the root passes its own; a harness shares the process's
        self.on_outbox = on_outbox
        self.invite_link = invite_link
        self._one_at_a_time = threading.Lock() if engine.dialect.name == "sqlite" else None
        # The button signing key, once a committed session has read it: it is made once and never changes,
        # so later events skip the lookup.
        self._key: bytes | None = None
        # Every feature module lists its commands and buttons; nothing registers itself on import.
        self.commands = CommandTable([self._own_commands(), queries.commands(), actions.commands(), admin.commands(),
                                      onbehalf.commands(), web.commands(), items.commands(), review.commands(),
                                      receipts.commands(), assignment.commands()])
        self.router = Router(self.commands, [queries.routes(), actions.routes(), deferring.routes(), admin.routes(),
                                             answers.routes(), nudge.routes(), onbehalf.routes(),
                                             revision.routes(), items.routes(), instructing.routes(), review.routes(),
                                             receipts.routes(), assignment.routes(), minutes.routes()])

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
        # A dispatcher or sweep committing between an event's read and its write does the same: the event's
        # unit of work was rolled back whole, so it is run again (a report is never lost to a send's commit).
        for attempt in range(BUSY_TRIES):
            try:
                if self._one_at_a_time is None:
                    return self._handle(event)
                with self._one_at_a_time:
                    return self._handle(event)
            except StoreBusy:
                time.sleep(BUSY_PAUSE * (attempt + 1))
        log.error("chat event from %s:%s gave up: the store stayed busy", event.platform, event.user_id)
        return reply(chat_text.ERROR), 0

    def _handle(self, event: ChatEvent) -> tuple[list[OutboundMessage], int]:
        # One session per event, committed once.
        try:
            with session_scope(self.engine) as session:
                now = self.clock()
                reads = read_chat_event(session=session, platform=event.platform, address=event.chat_id,
                                        requester=f"{event.platform}:{event.user_id}",
                                        waiting_since=deferrals.waiting_since(now),
                                        via_message_id=event.callback_message_id)
                actor = actor_from(settings=self.settings, platform=event.platform, user_id=event.user_id,
                                   chat_id=event.chat_id, is_group=event.is_group, reads=reads)
                ctx = Ctx(session, self.settings, self.calendar, now, actor, event,
                          self._key or buttons.signing_key(session=session, now=now), reads=reads,
                          vocab=self.vocab)
                if self.invite_link is not None:
                    ctx.invite_link = self.invite_link
                ctx.answer = lambda request: self.router.answer(ctx, request)
                try:
                    with session.begin_nested():  # a user mistake rolls back its own writes only
                        out = self.router.answer(ctx, read_event(ctx, self.commands))
                except UserError as exc:
                    out = reply(str(exc))
                # what services queued on their own (a leader's answer to a report) kicks the dispatcher too
                queued = ctx.queued + session.info.get(notices.QUEUED, 0)
            self._key = ctx.key  # committed: the key is in the store for good
            return out, queued
        except Exception as exc:
            if store_busy(exc):
                raise StoreBusy from exc
            log.exception("chat handler failed for %s event from %s", event.platform, event.user_id)
            return reply(chat_text.ERROR), 0

    async def migrate(self, platform: str, old_chat_id: str, new_chat_id: str) -> None:
        """A chat changed its address (Telegram group → supergroup): keep its binding and queued sends."""
        await asyncio.to_thread(self._migrate, platform, old_chat_id, new_chat_id)

    def _migrate(self, platform: str, old_chat_id: str, new_chat_id: str) -> None:
        with session_scope(self.engine) as session:
            moved = repo.rekey_address(session=session, platform=platform, old=old_chat_id, new=new_chat_id)
            if moved:
                audit.note(session=session, at=self.clock(), actor=f"{platform}:{old_chat_id}", action="chat.migrate",
                           detail=f"{old_chat_id} → {new_chat_id}")

    # --- the commands that belong to the door itself -------------------------------------------------
    def help_text(self, is_admin: bool) -> str:
        admin_lines = self.commands.help_lines(Needs.ADMIN) if is_admin else None
        return chat_text.help_text(self.commands.help_lines(Needs.BOUND), admin_lines)

    def cmd_help(self, ctx: Ctx, cmd: rq.Command) -> list[OutboundMessage]:
        if ctx.actor.unit is None and not ctx.actor.is_admin:
            return reply(chat_text.ONBOARDING)
        return reply(self.help_text(ctx.actor.is_admin))

    def cmd_start(self, ctx: Ctx, cmd: rq.Command) -> list[OutboundMessage]:
        ev = ctx.event
        if not cmd.args:
            if ctx.actor.unit is not None:
                return reply(action_text.already_bound(ctx.actor.unit.name, self.help_text(ctx.actor.is_admin)))
            return reply(chat_text.ONBOARDING)
        outcome = redeem_invite(session=ctx.session, code=cmd.args[0], platform=ev.platform, user_id=ev.user_id,
                                chat_id=ev.chat_id, is_group=ev.is_group, now=ctx.now, user_name=ev.user_name)
        if isinstance(outcome, str):
            return reply(outcome)
        return reply(action_text.bind_welcome(outcome.name, ev.is_group, self.help_text(False)))
