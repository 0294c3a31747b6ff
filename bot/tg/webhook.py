"""Feed Telegram webhook posts from our aiohttp server into a PTB Application."""

from __future__ import annotations

import hmac
import json
import logging

from aiohttp import web
from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def add_webhook_route(
    app: web.Application, application: Application, *, path: str, secret_token: str
) -> None:
    """Route POST `path` to `application.update_queue`, refusing posts without `secret_token`."""
    if not secret_token:
        # Without it anyone who guesses the path could impersonate any user.
        raise ValueError("telegram.webhook_secret must be set in webhook mode")
    expected = secret_token.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return web.Response(status=403)
        try:
            data = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.Response(status=400)
        if not isinstance(data, dict) or "update_id" not in data:
            return web.Response(status=400)
        try:
            update = Update.de_json(data, application.bot)
        except Exception:  # noqa: BLE001 - a malformed update must not make Telegram retry forever
            log.exception("unreadable Telegram update %s", data.get("update_id"))
            return web.Response()
        # Telegram only needs a quick 200; the Application processes the queue on its own.
        await application.update_queue.put(update)
        return web.Response()

    app.router.add_post(path, receive)
