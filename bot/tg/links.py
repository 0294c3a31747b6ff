"""Telegram deep links."""

from __future__ import annotations


def deep_link(bot_username: str, code: str) -> str:
    """The t.me link that opens the bot and sends `/start CODE`."""
    return f"https://t.me/{bot_username}?start={code}"
