"""/web: a personal, expiring link to the web board; and the picture that rides on /board."""

from __future__ import annotations

from datetime import date

from bot.chat import requests as rq
from bot.chat.commands import Command, Needs
from bot.chat.context import Ctx, reply
from bot.notify import OutboundMessage
from bot.render import web_text
from bot.render.board_png import board_png
from bot.services.board import TaskLight
from bot.services.weblinks import link_for, viewer_of_person


def cmd_web(ctx: Ctx, cmd: rq.Command):
    """The asker's own link: a leader or admin sees the office, a unit its own items and the office's lights."""
    web = ctx.settings.web
    if not (web.enabled and web.base_url):
        return reply(web_text.WEB_OFF)
    viewer = viewer_of_person(session=ctx.session, unit=ctx.actor.unit, admin=ctx.actor.is_admin)
    if viewer is None:
        return reply(web_text.WEB_NOT_FOR)
    url, expires = link_for(session=ctx.session, viewer=viewer, now=ctx.now, base_url=web.base_url,
                            days=web.link_days)
    return reply(web_text.link_text(url, expires, ctx.settings.app.tz, viewer.name))


def board_picture(lights: list[TaskLight], today: date, title: str = "") -> list[OutboundMessage]:
    """The lights per unit as a PNG, a message of its own after /board's text: the text stays whole for screen
    readers and for channels that cannot send pictures."""
    return [OutboundMessage(text="", document=(web_text.BOARD_PICTURE, board_png(lights, today, title=title)))]


def commands() -> list[Command]:
    return [Command("web", cmd_web, Needs.BOUND, "/web", "网页看板链接（领导、单位、管理员）",
                    words=("网页看板", "看板链接", "打开看板"))]
