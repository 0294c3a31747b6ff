"""The Telegram transport: updates in as ChatEvents, OutboundMessages out through the Bot API."""

import os

# Opt into PTB's timedelta durations now: the old int form of RetryAfter.retry_after is deprecated
# and warns on every flood wait. The sender reads either form.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from bot.tg.app import build_application, get_sender, open_channel, start_application, stop_application
from bot.tg.sender import TelegramSender
from bot.tg.webhook import add_webhook_route

__all__ = [
    "TelegramSender",
    "add_webhook_route",
    "build_application",
    "get_sender",
    "open_channel",
    "start_application",
    "stop_application",
]
