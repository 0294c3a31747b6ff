"""The leaders' read-only web board: a channel-like adapter over the core, mounted by bot/app.py."""

from bot.web.routes import Board, add_web_routes

__all__ = ["Board", "add_web_routes"]
