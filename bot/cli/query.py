"""`duban units`, `duban leaders`, `duban tasks --unit X`, `duban task N [--leader NAME]`."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.app import ConfigOpt, JsonOpt, NowOpt, OfficeOpt, emit_json, office_id, runtime
from bot.cli.items import show_items
from bot.render import item_text, task_text
from bot.services import queries
from bot.services.errors import UserError
from bot.services.itemview import item_view
from bot.services.leaders import leader_rows, set_task_leaders
from bot.services.tasks import require_task
from storage.db import session_scope

RoleOpt = Annotated[str | None, typer.Option("--role", help="lead（牵头）或 co（配合）")]


def register(app: typer.Typer) -> None:
    app.command("units")(cmd_units)
    app.command("leaders")(cmd_leaders)
    app.command("tasks")(cmd_tasks)
    app.command("task")(cmd_task)


def cmd_units(json: JsonOpt = False, office: OfficeOpt = None, config: ConfigOpt = None) -> None:
    """列出单位、别名，以及各自牵头和配合的任务数。"""
    rt = runtime(config)
    with session_scope(rt.engine) as session:
        rows = queries.unit_overview(session=session, office_id=office_id(session, rt, office))
    if json:
        emit_json(rows)
        return
    table = Table("单位", "别名", "牵头", "配合")
    for r in rows:
        table.add_row(r.name, "、".join(r.aliases), str(r.lead), str(r.co))
    Console().print(table)


def cmd_leaders(json: JsonOpt = False, office: OfficeOpt = None, config: ConfigOpt = None) -> None:
    """列出领导：分管（牵头）的任务和绑定的聊天账号。"""
    rt = runtime(config)
    with session_scope(rt.engine) as session:
        rows = leader_rows(session=session, office_id=office_id(session, rt, office))
    if json:
        emit_json(rows)
        return
    if not rows:
        Console(highlight=False).print("还没有领导。计划中的“牵头领导/分管领导”导入时自动登记；"
                                       "也可 duban bind --leader 张副局长 telegram:账号，或 duban task 12 --leader 张副局长。")
        return
    table = Table("领导", "牵头领导的任务", "聊天账号")
    for r in rows:
        table.add_row(r.name, "、".join(r.tasks) or "（全部，见 [reminders] leaders）", "、".join(r.chats) or "未绑定")
    Console().print(table)


def cmd_tasks(
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="单位名称或别名")] = None,
    role: RoleOpt = None,
    source: Annotated[str | None, typer.Option("--source", help="只列该来源的督办事项，如 领导批示")] = None,
    open_: Annotated[bool, typer.Option("--open", help="与 --source 合用：只列未办结的")] = False,
    json: JsonOpt = False,
    office: OfficeOpt = None,
    config: ConfigOpt = None,
) -> None:
    """列出任务；给出 --unit 时只列该单位牵头或配合的任务；--source 列督办事项。"""
    if role not in (None, "lead", "co"):
        raise UserError(f"--role 只能是 lead 或 co，收到 {role!r}")
    rt = runtime(config)
    if source:
        show_items(rt, source=source, open_only=open_, json=json, office=office)
        return
    with session_scope(rt.engine) as session:
        data = queries.unit_tasks(session=session, unit=unit, role=role, aliases=rt.settings.aliases,
                                  office_id=office_id(session, rt, office))
    if json:
        emit_json(data)
    else:
        Console().print(task_text.unit_tasks(data), highlight=False)


def cmd_task(ref: Annotated[str, typer.Argument(help="任务编号，如 25、第25项，或带计划简称：安全生产第3项")],
             leader: Annotated[list[str] | None, typer.Option("--leader", help="指定牵头领导（可多次）")] = None,
             no_leader: Annotated[list[str] | None, typer.Option("--no-leader", help="取消一位牵头领导")] = None,
             json: JsonOpt = False, office: OfficeOpt = None, config: ConfigOpt = None, now: NowOpt = None) -> None:
    """显示一项任务的全部信息；--leader 指定接收其督办升级的领导。"""
    rt = runtime(config, now)
    with session_scope(rt.engine) as session:
        oid = office_id(session, rt, office)
        if leader or no_leader:
            task = require_task(session=session, ref=ref, office_id=oid)
            set_task_leaders(session=session, task=task, add=list(leader or []), remove=list(no_leader or []),
                             now=rt.now(), actor="cli")
        record = queries.task_detail(session=session, ref=ref, office_id=oid)
        item = item_view(session=session, ref=ref, office_id=oid)
    if json:
        emit_json({**record.to_dict(), **({"item": item.to_dict()} if item else {})})
    else:
        shown = replace(record, ref=item.ref) if item and item.info else record  # an item reads "批示1"
        Console().print(task_text.task_full(shown, tz=rt.settings.app.tz), highlight=False)
        if item:
            Console().print(item_text.detail(item, tz=rt.settings.app.tz), highlight=False)
