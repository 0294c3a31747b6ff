"""督办 items on the command line: `duban task add`, `duban tasks --source`, `duban sheet`, `plan import --as-items`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.cli.app import ConfigOpt, JsonOpt, NowOpt, OfficeOpt, emit_json, office_id, runtime
from bot.plan.reader import load_path
from bot.render import item_text, minutes_text
from bot.render.sheet_docx import sheet_docx
from bot.services.errors import UserError
from bot.services.items import ItemSpec, create_item, list_items
from bot.services.minutes import apply_minutes, plan_minutes, read_minutes
from bot.services.reports import parse_date
from bot.services.sheet import build_sheet
from bot.services.tasks import require_task
from bot.workdays import WorkCalendar
from storage.db import session_scope


def register(app: typer.Typer) -> None:
    # `duban task add …` reaches this command through DubanGroup (bot/cli/app.py): `task` itself takes a ref.
    app.command("task-add", hidden=True)(cmd_task_add)
    app.command("sheet")(cmd_sheet)


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
                           now=rt.now(), actor="cli", receipts=rt.settings.supervision.receipt != "off")
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


def cmd_sheet(
    ref: Annotated[str, typer.Argument(help="督办事项或任务编号，如 批示3、12")],
    file: Annotated[Path, typer.Argument(help="输出的 .docx 文件")],
    kind: Annotated[str, typer.Option("--kind", help="督办（默认）或 催办")] = "督办",
    office: OfficeOpt = None, config: ConfigOpt = None, now: NowOpt = None,
) -> None:
    """写出一项督办事项（或任务）的督办单；--kind 催办 写催办单，写明逾期多久。"""
    if file.suffix.lower() != ".docx":
        raise UserError(f"督办单只能写成 .docx 文件，收到 {file.name}")
    rt = runtime(config, now)
    tz = rt.settings.app.tz
    with session_scope(rt.engine) as session:
        task = require_task(session=session, ref=ref, office_id=office_id(session, rt, office))
        sheet = build_sheet(session=session, task=task, kind=kind, today=rt.now().astimezone(tz).date(),
                            calendar=WorkCalendar.from_settings(rt.settings))
    try:
        file.write_bytes(sheet_docx(sheet, tz=tz))
    except OSError as exc:
        raise UserError(f"无法写入 {file}：{exc.strerror}") from exc
    Console(highlight=False).print(f"{sheet.kind}单（{sheet.ref}）已写入 {file}")


def import_minutes_cli(rt, file: Path, parsed, *, office: str | None, json: bool, yes: bool,
                       xlsx: Path | None) -> None:
    """`duban plan import 纪要.docx --as-items`: the diff against the items already made from these minutes, the
    review sheet when the reading has doubts, then (asked at a terminal, or --yes) each 议定事项 as a 会议议定 item,
    all or none."""
    tz = rt.settings.app.tz
    parsed, _head = read_minutes(load_path(file), file.name, parsed)
    unsure = [t for t in parsed.tasks if t.confidence < 0.75]
    if parsed.needs_review or unsure:  # the clerk's sheet, as for a plan
        _write_sheet(parsed, xlsx or file.with_name(f"核对表_{file.stem}.xlsx"), file.name)
    out = Console(highlight=False, stderr=json)
    calendar, now = WorkCalendar.from_settings(rt.settings), rt.now().astimezone(tz)
    with session_scope(rt.engine) as session:
        oid = office_id(session, rt, office)
        planned = plan_minutes(session=session, parsed=parsed, office_id=oid, settings=rt.settings.items,
                               calendar=calendar, today=now.date(), source_name=file.name)
        out.print(minutes_text.preview(planned, parsed, file.name))
        if planned.refusal():
            raise UserError(planned.refusal())
        if planned.can_apply and not yes:
            if sys.stdin.isatty():
                if not typer.confirm("确认导入吗？", default=False):
                    raise UserError("已取消，没有创建督办事项。")
            elif unsure:  # nobody to ask, and the reading is unsure: a guess is not written
                raise UserError(f"有 {len(unsure)} 项议定事项待核，未创建任何督办事项：请核对核对表后导入核对表，"
                                "或加 --yes 按现有解析导入。")
        result = apply_minutes(session=session, planned=planned, office_id=oid, settings=rt.settings.items,
                               calendar=calendar, now=now, actor="cli",
                               receipts=rt.settings.supervision.receipt != "off")
    if json:
        emit_json(result)
    else:
        out.print(minutes_text.summary(result, file.name))


def _write_sheet(parsed, path: Path, name: str) -> None:
    """Write the review sheet of the minutes, and say where (a sheet that cannot be written is said, not fatal)."""
    from bot.plan.review import write_review

    try:
        path.write_bytes(write_review(parsed))
    except OSError as exc:
        Console(highlight=False, stderr=True).print(f"无法写入核对表 {path}：{exc.strerror or exc}")
        return
    Console(highlight=False, stderr=True).print(
        f"解析有待核的议定事项，核对表已写入 {path}：改正后可用 duban plan import {path.name} --as-items 导入（{name}）。")
