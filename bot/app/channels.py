"""The composition root's channel wiring: each configured channel opened and registered with the root's notifier.

Part of the root (bot.app), so it may import every channel; the channels never import each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from bot.app import App


async def open_channels(root: App, app: web.Application | None, *, retry: bool = True) -> bool:
    """Start each channel whose config section is filled in; True when the HTTP server is needed.

    Without `app` only the senders are opened (a one-shot `duban sweep`). A channel that cannot reach its
    platform fails alone (bot.keeper), retried when `retry`.
    """
    s = root.settings
    needs_http = False
    if s.telegram.enabled:
        from bot.tg import open_channel
        root.telegram, _keeper, needs_http = await open_channel(
            app, s.telegram, root.chat, root.notifier, commands=root.chat.menu(), on_up=root.telegram_up,
            retry=retry, sleep=root.retry_sleep, keepers=root.keepers)
    if s.wecom.enabled:
        needs_http = _open_wecom(root, app) or needs_http
    if s.robots:
        from bot.robots import RobotSender

        robots = RobotSender(s.robots)
        root.notifier.register(robots)
        root.closers.append(robots.aclose)
    return needs_http


def _open_wecom(root: App, app: web.Application | None) -> bool:
    """WeCom's sender, and its callback routes on the HTTP server when there is one; True when routes were added."""
    from bot.wecom.callback import add_wecom_routes
    from bot.wecom.client import WeComClient
    from bot.wecom.sender import WeComSender

    s = root.settings
    client = WeComClient.from_settings(s.wecom)
    sender = WeComSender(client)
    root.notifier.register(sender)
    root.wecom_client = client
    root.closers.append(client.aclose)
    if app is None:
        return False
    add_wecom_routes(app, path=s.wecom.callback_path, settings=s.wecom, handler=root.chat, client=client,
                     sender=sender)
    return True


def mount_web(root: App, app: web.Application) -> bool:
    """The leaders' web board on the same server, when [web] enabled; with WeCom, its workbench login too."""
    if not root.settings.web.enabled:
        return False
    from bot.web import mount_board

    mount_board(app, engine=root.engine, settings=root.settings, calendar=root.calendar, clock=root.now,
                userid_of_code=root.wecom_client.user_id_of_code if root.wecom_client is not None else None)
    return True
