"""Build the python-telegram-bot Application that bridges Telegram and the command layer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Literal, Protocol

from aiohttp import web
from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.chat.events import ChatEvent, ChatHandler
from bot.keeper import ChannelKeeper
from bot.notify import Notifier, OutboundMessage, Progress, Recipient, SendStatus
from bot.tg.limits import Clock, Sleep, TelegramLimits
from bot.tg.sender import TelegramSender, poll_errors
from bot.tg.translate import PLATFORM, callback_event, message_event
from bot.tg.webhook import add_webhook_route

log = logging.getLogger(__name__)

SENDER_KEY = "duban.tg.sender"
# The Bot API refuses getFile for anything larger.
MAX_DOWNLOAD = 20 * 1024 * 1024
# Only these update types are requested; everything else is never delivered to us.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
# A reply the user is waiting for is retried through flood waits and network blips for this long.
REPLY_RETRY_BUDGET = 600.0


class TelegramSettingsLike(Protocol):
    token: str
    base_url: str
    base_file_url: str
    admins: list[int]
    mode: Literal["polling", "webhook"]
    webhook_url: str
    webhook_path: str
    webhook_secret: str


def webhook_target(settings: TelegramSettingsLike) -> str:
    """Return the public URL Telegram should post to (webhook_url, ending in webhook_path)."""
    url = settings.webhook_url.rstrip("/")
    path = "/" + settings.webhook_path.lstrip("/")
    return url if url.endswith(path) else url + path


class _Transport:
    """Callbacks for one Application: translate, call the command layer, send the replies."""

    def __init__(
        self,
        settings: TelegramSettingsLike,
        handler: ChatHandler,
        commands: list[tuple[str, str]] | None,
    ) -> None:
        self.settings = settings
        self.handler = handler
        self.commands = commands or []
        self.sender: TelegramSender | None = None
        self.sleep: Sleep = asyncio.sleep

    async def post_init(self, application: Application) -> None:
        """Register the command menu and, in webhook mode, the webhook."""
        if self.commands:
            try:
                await application.bot.set_my_commands([BotCommand(c, d) for c, d in self.commands])
            except TelegramError:
                log.exception("could not register the Telegram command menu")
        if self.settings.mode == "webhook":
            await application.bot.set_webhook(
                webhook_target(self.settings),
                secret_token=self.settings.webhook_secret or None,
                allowed_updates=ALLOWED_UPDATES,
            )

    async def post_shutdown(self, application: Application) -> None:
        """Drop the sender so nothing pushes through a bot whose HTTP client is closed."""
        application.bot_data.pop(SENDER_KEY, None)
        log.info("telegram transport stopped")

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        try:
            # Answer first: the client shows a spinner until then, and the query expires.
            await query.answer()
        except TelegramError as err:
            log.warning("could not answer callback query: %s", err)
        event = callback_event(query)
        if event is not None:
            await self._dispatch(event)

    async def on_document(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        document = message.document
        data: bytes | None = None
        if document.file_size is None or document.file_size <= MAX_DOWNLOAD:
            try:
                file = await context.bot.get_file(document.file_id)
                data = bytes(await file.download_as_bytearray())
            except TelegramError as err:
                # The command layer sees file_bytes=None and can say the upload failed.
                log.warning("could not download %r: %s", document.file_name, err)
        event = message_event(
            message,
            bot_username=context.bot.username,
            file_name=document.file_name or "file",
            file_bytes=data,
            file_mime=document.mime_type,
        )
        if event is not None:
            await self._dispatch(event)

    async def on_photo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A photo (佐证材料): the largest size Telegram offers, downloaded like a document."""
        message = update.message
        photo = message.photo[-1]
        data: bytes | None = None
        if photo.file_size is None or photo.file_size <= MAX_DOWNLOAD:
            try:
                file = await context.bot.get_file(photo.file_id)
                data = bytes(await file.download_as_bytearray())
            except TelegramError as err:
                log.warning("could not download a photo: %s", err)
        event = message_event(message, bot_username=context.bot.username,
                              file_name=f"照片_{message.message_id}.jpg", file_bytes=data, file_mime="image/jpeg")
        if event is not None:
            await self._dispatch(event)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        event = message_event(update.message, bot_username=context.bot.username)
        if event is not None:
            await self._dispatch(event)

    async def on_migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The service message a new supergroup receives: move the old group's binding to it."""
        message = update.message
        migrate = getattr(self.handler, "migrate", None)
        if message is None or message.migrate_from_chat_id is None or migrate is None:
            return
        await migrate(PLATFORM, str(message.migrate_from_chat_id), str(message.chat.id))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram update failed: %r", update, exc_info=context.error)

    async def _dispatch(self, event: ChatEvent) -> None:
        replies = await self.handler.handle(event)
        for reply in replies:
            await self._reply(event.chat_id, reply)

    async def _reply(self, chat_id: str, message: OutboundMessage) -> None:
        """Send one reply through the shared limits; a flood wait or a network blip is waited out and retried.

        Parts already delivered are never repeated (the Progress carries across attempts). Only a reply
        that may have arrived (timed out after sending) or that Telegram refuses for good is given up.
        """
        assert self.sender is not None
        progress = Progress()
        waited, backoff = 0.0, 1.0
        while True:
            result = await self.sender.send(Recipient(PLATFORM, chat_id), message, progress)
            if result.status is SendStatus.RETRY and result.new_address:
                chat_id = result.new_address
                continue
            if result.status is not SendStatus.RETRY or waited >= REPLY_RETRY_BUDGET:
                break
            if result.retry_after is not None:
                waited += result.retry_after  # the sender itself sits out the flood pause before the next try
            else:
                await self.sleep(backoff)
                waited, backoff = waited + backoff, min(backoff * 2, 30.0)
        if result.status is not SendStatus.SENT:
            log.warning("reply to %s not sent (%s): %s", chat_id, result.status, result.detail)


def build_application(
    settings: TelegramSettingsLike,
    handler: ChatHandler,
    *,
    commands: list[tuple[str, str]] | None = None,
    clock: Clock | None = None,
    sleep: Sleep | None = None,
    limits: TelegramLimits | None = None,
) -> Application:
    """Return an Application wired to `handler`; start it with start_application().

    `clock`/`sleep` reach the sender's rate limiter and flood waits, so tests never wait for real; `limits`
    (Telegram's own by default) lets a bench measure what duban could do were they lifted.
    """
    transport = _Transport(settings, handler, commands)
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .job_queue(None)  # duban has its own scheduler
        .concurrent_updates(True)
        .post_init(transport.post_init)
        .post_shutdown(transport.post_shutdown)
    )
    if settings.mode == "webhook":
        builder = builder.updater(None)  # updates arrive through add_webhook_route()
    application = builder.build()
    timing = {k: v for k, v in (("clock", clock), ("sleep", sleep)) if v is not None}
    transport.sender = TelegramSender(application.bot, limits=limits, **timing)
    transport.sleep = sleep or asyncio.sleep
    application.bot_data[SENDER_KEY] = transport.sender

    # PTB runs the first matching handler of a group, so the order is deliberate:
    # 1. Button presses first: they are answered at once because the user sees a spinner until then.
    # 2. Documents before text, so an upload with a caption is downloaded rather than read as text.
    # 3. Text and commands, including "/start <code>" deep links (the payload stays in the text).
    # Replies need no handler of their own: any message that answers another carries
    # reply_to_message, which message_event() copies. Edited messages are ignored on purpose:
    # editing an earlier answer must not file it a second time.
    new_message = filters.UpdateType.MESSAGE
    application.add_handler(CallbackQueryHandler(transport.on_callback))
    # 0. A group upgraded to a supergroup announces it with a service message; re-key before anything else.
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, transport.on_migrate))
    application.add_handler(MessageHandler(new_message & filters.Document.ALL, transport.on_document))
    application.add_handler(MessageHandler(new_message & filters.PHOTO, transport.on_photo))
    application.add_handler(MessageHandler(new_message & filters.TEXT, transport.on_text))
    application.add_error_handler(transport.on_error)
    return application


def get_sender(application: Application) -> TelegramSender:
    """Return the application's sender, to register with the Notifier for pushes."""
    return application.bot_data[SENDER_KEY]


async def start_application(application: Application, settings: TelegramSettingsLike,
                            on_poll_error: Callable[[TelegramError], None] | None = None) -> None:
    """Initialise and start inside the running loop (our aiohttp server and scheduler share it)."""
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()
    if settings.mode == "polling" and application.updater is not None:
        await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES, error_callback=on_poll_error)


async def stop_application(application: Application) -> None:
    """Stop polling, drain the update queue, and close the HTTP clients."""
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
    if application.post_shutdown:
        await application.post_shutdown(application)


async def open_channel(app: web.Application | None, settings: TelegramSettingsLike, handler: ChatHandler,
                       notifier: Notifier, *, commands: list[tuple[str, str]], on_up: Callable[[Application], None],
                       retry: bool, sleep: Sleep = asyncio.sleep,
                       keepers: list[ChannelKeeper]) -> tuple[Application, ChannelKeeper, bool]:
    """Build the channel, register its sender and start it, or keep it trying on its own (bot.keeper).

    Without `app` only the bot is opened (a one-shot sweep). While Telegram cannot be reached the
    notifier holds its rows (they wait, never "failed"); the rest of duban runs on. Returns the
    application, its keeper, and whether its webhook needs the HTTP server.
    """
    application = build_application(settings, handler, commands=commands)
    notifier.register(get_sender(application))
    webhook = app is not None and settings.mode == "webhook"
    if webhook:
        add_webhook_route(app, application, path=settings.webhook_path, secret_token=settings.webhook_secret)

    def up() -> None:
        notifier.mark_up("telegram")
        on_up(application)

    start = ((lambda: start_application(application, settings, poll_errors(notifier))) if app is not None
             else application.initialize)
    keeper = ChannelKeeper("telegram", start, on_up=up, on_down=lambda why: notifier.mark_down("telegram", why),
                           sleep=sleep)
    keepers.append(keeper)  # the caller stops it (and its retries) on shutdown
    await keeper.start(retry=retry)
    return application, keeper, webhook
