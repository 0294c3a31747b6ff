"""ChatService: one event in, replies out. The only door from any channel into the domain."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.chat import actions, admin, queries
from bot.chat.context import Ctx, reply
from bot.chat.events import ChatEvent
from bot.chat.intents import Intent, parse
from bot.config import Settings
from bot.notify import OutboundMessage
from bot.render import chat_text
from bot.services import callbacks
from bot.services.binding import redeem_invite, resolve_actor
from bot.services.errors import UserError
from bot.workdays import WorkCalendar
from storage import repo
from storage.db import session_scope
from storage.models import AuditLog

log = logging.getLogger(__name__)

# Intent → handler. Questions need a bound chat (or an admin); ADMIN ones need an admin.
QUESTIONS = {
    "owns": queries.cmd_owns, "who": queries.cmd_who, "progress": queries.cmd_progress, "task": queries.cmd_task,
    "due": queries.cmd_due, "overdue": queries.cmd_overdue, "silent": queries.cmd_silent, "board": queries.cmd_board,
    "mine": queries.cmd_mine, "report": actions.cmd_report,
}
ADMIN = {"invite": admin.cmd_invite, "bind": admin.cmd_bind, "deadline": admin.cmd_deadline, "export": admin.cmd_export}


class ChatService:
    """Platform-neutral command layer shared by Telegram, WeCom and the console."""

    def __init__(self, *, engine: Engine, settings: Settings, calendar: WorkCalendar, clock: Callable[[], datetime],
                 on_outbox: Callable[[], None] | None = None) -> None:
        self.engine, self.settings, self.calendar, self.clock = engine, settings, calendar, clock
        self.on_outbox = on_outbox

    async def handle(self, event: ChatEvent) -> list[OutboundMessage]:
        # Database work is short and synchronous; one session per event, committed once.
        try:
            with session_scope(self.engine) as session:
                now = self.clock()
                actor = resolve_actor(session=session, settings=self.settings, platform=event.platform,
                                      user_id=event.user_id, chat_id=event.chat_id, is_group=event.is_group,
                                      via_message_id=event.callback_message_id)
                ctx = Ctx(session, self.settings, self.calendar, now, actor, event,
                          callbacks.signing_key(session=session, now=now))
                try:
                    with session.begin_nested():  # a user mistake rolls back its own writes only
                        out = self._route(ctx)
                except UserError as exc:
                    out = self._explain(exc)
            if ctx.queued and self.on_outbox:
                self.on_outbox()
            return out
        except Exception:
            log.exception("chat handler failed for %s event from %s", event.platform, event.user_id)
            return reply("抱歉，处理这条消息时出错了，请稍后再试。")

    async def migrate(self, platform: str, old_chat_id: str, new_chat_id: str) -> None:
        """A chat changed its address (Telegram group → supergroup): keep its binding and queued sends."""
        with session_scope(self.engine) as session:
            moved = repo.rekey_address(session=session, platform=platform, old=old_chat_id, new=new_chat_id)
            if moved:
                session.add(AuditLog(at=self.clock(), actor=f"{platform}:{old_chat_id}", action="chat.migrate",
                                     detail=f"{old_chat_id} → {new_chat_id}"))

    @staticmethod
    def _explain(exc: UserError) -> list[OutboundMessage]:
        return reply(str(exc))

    def _route(self, ctx: Ctx) -> list[OutboundMessage]:
        event, actor = ctx.event, ctx.actor
        bound = actor.unit is not None or actor.is_admin
        if event.callback_data is not None:
            if not bound:
                return reply(chat_text.ONBOARDING)
            return actions.on_button(ctx, event.callback_data)
        if event.file_bytes is not None or event.file_name:
            if not actor.is_admin:
                return reply("只有管理员可以导入计划文件。" if bound else chat_text.ONBOARDING)
            return admin.on_upload(ctx)
        text = (event.text or "").strip()
        if not text:
            return []
        intent = parse(text)
        if intent.name == "start":
            return self._start(ctx, intent)
        if intent.name == "help":
            return reply(chat_text.HELP + ("\n\n" + chat_text.ADMIN_HELP if actor.is_admin else "")
                         if bound else chat_text.ONBOARDING)
        if not bound:
            return [] if event.is_group and intent.name == "unknown" else reply(chat_text.ONBOARDING)
        if intent.name in ADMIN:
            if not actor.is_admin:
                return reply("只有管理员可以使用这个命令。")
            return ADMIN[intent.name](ctx, intent.args)
        pending = actions.awaiting_deferral(ctx, text)
        if pending is not None and intent.name == "unknown":
            return actions.complete_deferral(ctx, pending, text)
        if event.reply_to_message_id and intent.name == "unknown":
            answered = actions.on_reply_text(ctx, text)
            if answered is not None:
                return answered
        handler = QUESTIONS.get(intent.name)
        if handler is not None:
            return self._ask(ctx, handler, intent)
        if intent.name == "unknown_command":
            return reply(f"不认识的命令 /{intent.args[0]}。发送 /help 查看可用命令。")
        if event.is_group:
            return []  # groups talk about many things; only answer what is addressed to us
        return reply("没听懂这句话。可以问“安全办负责什么”“第12项进展如何”，或发送 /help 查看用法。")

    @staticmethod
    def _ask(ctx: Ctx, handler, intent: Intent) -> list[OutboundMessage]:
        if intent.name == "owns":
            return handler(ctx, intent.args, intent.role)
        try:
            return handler(ctx, intent.args)
        except IndexError as exc:
            raise UserError("命令缺少参数，发送 /help 查看用法。") from exc

    def _start(self, ctx: Ctx, intent: Intent) -> list[OutboundMessage]:
        ev = ctx.event
        if not intent.args:
            if ctx.actor.unit is not None:
                return reply(f"本聊天已绑定{ctx.actor.unit.name}。\n\n{chat_text.HELP}")
            return reply(chat_text.ONBOARDING)
        outcome = redeem_invite(session=ctx.session, code=intent.args[0], platform=ev.platform, user_id=ev.user_id,
                                chat_id=ev.chat_id, is_group=ev.is_group, now=ctx.now, user_name=ev.user_name)
        if isinstance(outcome, str):
            return reply(outcome)
        where = "本群" if ev.is_group else "您"
        return reply(f"绑定成功：{where}已绑定到{outcome.name}。今后{outcome.name}的督办提醒会发到这里。\n\n{chat_text.HELP}")
