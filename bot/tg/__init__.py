"""The Telegram transport: updates in as ChatEvents, OutboundMessages out through the Bot API."""

from bot.tg.app import build_application, get_sender, start_application, stop_application
from bot.tg.sender import TelegramSender
from bot.tg.webhook import add_webhook_route

__all__ = [
    "TelegramSender",
    "add_webhook_route",
    "build_application",
    "get_sender",
    "start_application",
    "stop_application",
]
