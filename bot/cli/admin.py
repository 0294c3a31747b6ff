"""Admin commands: `duban deadline set|confirm`, `duban invite`, `duban bind`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Console

from bot.cli.app import ConfigOpt, JsonOpt, NowOpt, OfficeOpt, emit_json, office_id, runtime
from bot.notify import Recipient
from bot.render.action_text import invite_text
from bot.services.binding import bind_directly, create_invite
from bot.services.errors import UserError
from bot.services.reports import confirm_deadlines, parse_date, set_deadline
from bot.services.tasks import require_task
from storage.db import session_scope
from storage.models import Plan, Unit

deadline_app = typer.Typer(help="设置和确认任务时限", no_args_is_help=True)
TaskArg = Annotated[str, typer.Argument(help="任务编号，如 12")]


def register(app: typer.Typer) -> None:
    app.add_typer(deadline_app, name="deadline")
    app.command("invite")(cmd_invite)
    app.command("bind")(cmd_bind)


@deadline_app.command("set")
def cmd_deadline_set(
    task: TaskArg,
    when: Annotated[str, typer.Argument(help="日期，如 2021-09-30")],
    label: Annotated[str, typer.Option("--label", help="说明，如 “主体完工”")] = "",
    office: OfficeOpt = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    json: JsonOpt = False,
) -> None:
    """给任务设置明确的时限（替换从文件中读出的日期）。"""
    rt = runtime(config, now)
    with session_scope(rt.engine) as session:
        t = require_task(session=session, ref=task, office_id=office_id(session, rt, office))
        day = parse_date(when, today=rt.now().astimezone(rt.settings.app.tz).date(),
                         year=session.get(Plan, t.plan_id).year)
        set_deadline(session=session, task=t, when=day, label=label, now=rt.now(), actor="cli")
        ref = t.ref
    if json:
        emit_json({"task": ref, "date": day.isoformat(), "label": label, "source": "manual", "confirmed": True})
    else:
        Console(highlight=False).print(f"第{ref}项时限已设为 {day.isoformat()}" + (f"（{label}）" if label else "") + "。")


@deadline_app.command("confirm")
def cmd_deadline_confirm(task: TaskArg, office: OfficeOpt = None, config: ConfigOpt = None, now: NowOpt = None,
                         json: JsonOpt = False) -> None:
    """确认任务的估计时限（没有时限的任务按默认策略确认为年底）。"""
    rt = runtime(config, now)
    with session_scope(rt.engine) as session:
        t = require_task(session=session, ref=task, office_id=office_id(session, rt, office))
        plan = session.get(Plan, t.plan_id)
        default = date(plan.year, 12, 31) if rt.settings.reminders.default_deadline == "year_end" else None
        rows = confirm_deadlines(session=session, task=t, now=rt.now(), actor="cli", default_end=default)
        out = [{"date": d.due_date.isoformat() if d.due_date else None, "text": d.text} for d in rows]
        ref = t.ref
    if json:
        emit_json({"task": ref, "confirmed": out})
    else:
        Console(highlight=False).print(f"已确认第{ref}项的时限：" + "；".join(f"{d['date'] or '周期'} {d['text']}" for d in out))


def cmd_invite(unit: Annotated[str, typer.Argument(help="单位名称")], office: OfficeOpt = None, config: ConfigOpt = None,
               now: NowOpt = None, json: JsonOpt = False) -> None:
    """生成一次性邀请码，供单位负责人在聊天中绑定。"""
    rt = runtime(config, now)
    with session_scope(rt.engine) as session:
        inv = create_invite(session=session, unit_name=unit, now=rt.now(), created_by="cli", aliases=rt.settings.aliases,
                            office_id=office_id(session, rt, office))
        name = session.get(Unit, inv.unit_id).name
        code, expires = inv.code, inv.expires_at
    rt.bot_username = rt.bot_username or _bot_username(rt.settings.telegram)
    link = rt.invite_link(code)
    if json:
        emit_json({"unit": name, "code": code, "expires_at": expires.isoformat(), "link": link,
                   "command": f"/start {code}"})
    else:
        Console(highlight=False).print(invite_text(code, name, link))


def _bot_username(tg) -> str:
    """Ask Telegram for the bot's @name (for the deep link) when a token is set but no username."""
    if not tg.enabled:
        return ""
    import asyncio

    from telegram import Bot
    from telegram.error import TelegramError

    async def get_me() -> str:
        async with Bot(tg.token, base_url=tg.base_url) as bot:
            return bot.username or ""

    try:
        return asyncio.run(asyncio.wait_for(get_me(), 10))
    except (TelegramError, OSError, TimeoutError):
        return ""  # the code still works by hand: "/start CODE"


def cmd_bind(unit: Annotated[str, typer.Argument(help="单位名称（--leader 时为领导称呼，如 张副局长）")],
             address: Annotated[str, typer.Argument(help="平台:账号，如 wecom:zhangsan、telegram:-100123、robot:office")],
             group: Annotated[bool, typer.Option("--group", help="这是一个群聊")] = False,
             leader: Annotated[bool, typer.Option("--leader", help="绑定的是领导：接收督办升级和领导周报")] = False,
             office: OfficeOpt = None, config: ConfigOpt = None, now: NowOpt = None) -> None:
    """不用邀请码，直接把一个聊天账号绑定到单位或领导（如企业微信 userid）。"""
    if ":" not in address:
        raise UserError("账号要写成 平台:账号，如 wecom:zhangsan")
    r = Recipient.parse(address)
    rt = runtime(config, now)
    with session_scope(rt.engine) as session:
        u = bind_directly(session=session, unit_name=unit, platform=r.platform, address=r.address, now=rt.now(),
                          actor="cli", is_group=group, aliases=rt.settings.aliases,
                          office_id=office_id(session, rt, office), leader=leader)
        name = u.name
    Console(highlight=False).print(f"已将 {address} 绑定到{'领导' if leader else ''}{name}。")
