"""`duban task add` (a 督办 item from any source) and the item listing behind `duban tasks --source`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from bot.cli.app import ConfigOpt, JsonOpt, NowOpt, OfficeOpt, emit_json, office_id, runtime
from bot.render import item_text
from bot.services.errors import UserError
from bot.services.items import ItemSpec, create_item, list_items
from bot.services.reports import parse_date
from bot.workdays import WorkCalendar
from storage.db import session_scope


def register(app: typer.Typer) -> None:
    # `duban task add …` reaches this command through DubanGroup (bot/cli/app.py): `task` itself takes a ref.
    app.command("task-add", hidden=True)(cmd_task_add)


def cmd_task_add(
    title: Annotated[str, typer.Argument(help="督办事项标题")],
    source: Annotated[str, typer.Option("--source", help="来源：领导批示 / 会议议定 / 上级交办 / 人大建议 / 政协提案 / 其他")],
    lead: Annotated[list[str] | None, typer.Option("--lead", help="牵头单位（可多次）")] = None,
    co: Annotated[list[str] | None, typer.Option("--co", help="配合单位（可多次）")] = None,
    due: Annotated[str | None, typer.Option("--due", help="办理时限，如 2021-10-31")] = None,
    days: Annotated[int | None, typer.Option("--days", help="自交办日起的工作日数")] = None,
    urgent: Annotated[bool, typer.Option("--urgent", help="急件：按来源的急件时限")] = False,
    leader: Annotated[str | None, typer.Option("--leader", help="牵头领导，如 张副局长")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="谁交办/批示，如 局长")] = None,
    note: Annotated[str | None, typer.Option("--note", help="批示或交办原文")] = None,
    json: JsonOpt = False, office: OfficeOpt = None, config: ConfigOpt = None, now: NowOpt = None,
) -> None:
    """新建督办事项（领导批示、会议议定、上级交办等），输出其编号，如 批示3。"""
    if due and days is not None:
        raise UserError("--due 与 --days 只能给一个。")
    rt = runtime(config, now)
    today = rt.now().date()
    spec = ItemSpec(title=title, source=source, lead=tuple(lead or ()), co=tuple(co or ()),
                    due=parse_date(due, today=today) if due else None, days=days, urgent=urgent,
                    leader=leader or "", instructed_by=from_ or "", instruction=note or "")
    with session_scope(rt.engine) as session:
        item = create_item(session=session, spec=spec, office_id=office_id(session, rt, office),
                           settings=rt.settings.items, calendar=WorkCalendar.from_settings(rt.settings),
                           now=rt.now(), actor="cli")
    if json:
        emit_json(item)
    else:
        Console(highlight=False).print(item_text.created(item))


def show_items(rt, *, source: str, open_only: bool, json: bool, office: str | None) -> None:
    """`duban tasks --source S [--open]`."""
    with session_scope(rt.engine) as session:
        rows = list_items(session=session, office_id=office_id(session, rt, office), settings=rt.settings.items,
                          source=source, open_only=open_only)
    if json:
        emit_json(rows)
    else:
        Console(highlight=False).print(item_text.item_list(rows, source, open_only))
