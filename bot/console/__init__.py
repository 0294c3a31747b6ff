"""The console channel: a terminal chat speaking the same commands as Telegram and WeCom."""

from bot.console.channel import BANNER, CHAT_ID, PLATFORM, ConsoleSender, run_console, to_event

__all__ = ["BANNER", "CHAT_ID", "PLATFORM", "ConsoleSender", "run_console", "to_event"]
