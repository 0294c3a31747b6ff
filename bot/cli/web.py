"""The web board's links from the command line: `duban web link`, `duban web revoke`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from bot.cli.app import ConfigOpt, JsonOpt, NowOpt, OfficeOpt, emit_json, office_id, runtime
from bot.render import web_text
from bot.services.errors import UserError
from bot.services.weblinks import link_for, revoke_named, viewer_named
from storage.db import session_scope

web_app = typer.Typer(help="网页看板：生成、停用个人链接", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(web_app, name="web")


@web_app.command("link")
def cmd_link(leader: Annotated[str | None, typer.Option("--leader", help="领导称呼，如 张副局长")] = None,
             unit: Annotated[str | None, typer.Option("--unit", help="单位名称，如 安全办")] = None,
             admin: Annotated[bool, typer.Option("--admin", help="管理员视图（整个办公室）")] = False,
             office: OfficeOpt = None, config: ConfigOpt = None, now: NowOpt = None, json: JsonOpt = False) -> None:
    """打印一条个人看板链接（签名、限期，可用 duban web revoke 停用）。"""
    if sum(bool(x) for x in (leader, unit, admin)) != 1:
        raise UserError("请指定一个对象：--leader 领导称呼、--unit 单位名称 或 --admin")
    rt = runtime(config, now)
    web = rt.settings.web
    if not web.base_url:
        raise UserError("配置项 web.base_url 未填写：请填写看板的访问地址，例如 https://duban.example.gov.cn")
    kind = "admin" if admin else "leader" if leader else "unit"
    with session_scope(rt.engine) as session:
        oid = office_id(session, rt, office) if office else None
        viewer = viewer_named(session=session, kind=kind, name=leader or unit or "", office_id=oid)
        url, expires = link_for(session=session, viewer=viewer, now=rt.now(), base_url=web.base_url,
                                days=web.link_days)
    if json:
        emit_json({"holder": viewer.holder, "name": viewer.name, "url": url, "expires_at": expires.isoformat(),
                   "enabled": web.enabled})
        return
    Console(highlight=False, soft_wrap=True).print(web_text.link_text(url, expires, rt.settings.app.tz, viewer.name))
    if not web.enabled:
        Console(stderr=True, highlight=False).print("注意：[web] enabled 仍为 false，duban run 不会提供看板。")


@web_app.command("revoke")
def cmd_revoke(name: Annotated[str, typer.Argument(help="领导称呼或单位名称；admin 停用管理员链接")],
               office: OfficeOpt = None, config: ConfigOpt = None, now: NowOpt = None) -> None:
    """停用某人已发出的全部看板链接（之后新发的链接不受影响）。"""
    rt = runtime(config, now)
    with session_scope(rt.engine) as session:
        oid = office_id(session, rt, office) if office else None
        viewer = revoke_named(session=session, name=name, now=rt.now(), office_id=oid)
    Console(highlight=False).print(f"已停用“{viewer.name}”此前发出的全部看板链接。")
