"""`duban board`, `duban export FILE`, `duban bulletin FILE`, `duban outbox`: what the office reads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.app import ConfigOpt, JsonOpt, NowOpt, OfficeOpt, emit_json, office_id, runtime
from bot.render.bulletin_docx import bulletin_docx
from bot.render.chat_text import board_text, rollup_text
from bot.render.ledger_xlsx import ledger_xlsx
from bot.services.board import board, rollup
from bot.services.boards import every_board
from bot.services.bulletin import build_bulletin, month_of, parse_period
from bot.services.errors import UserError
from bot.services.ledger import build_ledger, resolve_plan
from bot.services.offices import require_plan_named, several_plans
from bot.workdays import WorkCalendar
from storage import repo
from storage.db import session_scope
from storage.models import OutboxState

STATES = tuple(OutboxState)


def register(app: typer.Typer) -> None:
    app.command("board")(cmd_board)
    app.command("export")(cmd_export)
    app.command("bulletin")(cmd_bulletin)
    outbox = typer.Typer(invoke_without_command=True, no_args_is_help=False,
                         help="查看提醒的发送情况；outbox resend 编号：重发一条送达未知的提醒。")
    outbox.callback()(cmd_outbox)
    outbox.command("resend")(cmd_resend)
    app.add_typer(outbox, name="outbox")


def cmd_board(
    plan: Annotated[str | None, typer.Option("--plan", help="计划的编号或简称（默认：本办公室的年度工作要点）")] = None,
    office: OfficeOpt = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    json: JsonOpt = False,
) -> None:
    """红黄绿看板：每项任务的状态灯、下一个时限和最近反馈；上级办公室另汇总各下级的灯数。"""
    rt = runtime(config, now)
    calendar = WorkCalendar.from_settings(rt.settings)
    with session_scope(rt.engine) as session:
        oid = office_id(session, rt, office)
        chosen = require_plan_named(session=session, office_id=oid, word=plan) if plan else None
        several = several_plans(session=session, office_id=oid)
        if chosen is None and several:  # every open plan, each its own section, the main plan first
            sections = every_board(session=session, now=rt.now(), settings=rt.settings, calendar=calendar,
                                   office_id=oid)
        else:
            sections = [(chosen, board(session=session, now=rt.now(), settings=rt.settings, calendar=calendar,
                                       plan=chosen, office_id=oid))]
        children = rollup(session=session, now=rt.now(), settings=rt.settings, calendar=calendar, parent_id=oid)
    if json:
        emit_json(_board_json(sections, children, several=chosen is None and several))
        return
    out = Console(highlight=False)
    today = rt.now().astimezone(rt.settings.app.tz).date()
    for shown, plan_lights in sections:
        label = shown.short_name or shown.title if shown is not None and several else ""
        out.print(board_text(plan_lights, today, plan=label))
    if children:
        out.print(rollup_text(children))


def _board_json(sections: list, children: list, *, several: bool):
    """One plan: its tasks' lights (a list, as before several plans); several open plans: {"plans": [{id,
    short_name, title, tasks}…]}, the main plan first; a parent office adds "offices"."""
    if several:
        data: dict = {"plans": [{"id": p.id, "short_name": p.short_name, "title": p.title,
                                 "tasks": [t.to_dict() for t in lights]} for p, lights in sections]}
    else:
        lights = sections[0][1]
        if not children:
            return lights
        data = {"tasks": [t.to_dict() for t in lights]}
    if children:
        data["offices"] = [c.to_dict() for c in children]
    return data


PlanOpt = Annotated[str | None, typer.Option("--plan", help="哪个计划（简称、编号、标题中的文字或年份；默认本办公室的主计划）")]


def cmd_export(file: Annotated[Path, typer.Argument(help="输出的 .xlsx 文件")], config: ConfigOpt = None,
               now: NowOpt = None, plan: PlanOpt = None, office: OfficeOpt = None) -> None:
    """把督办台账导出为 Excel（任务总览、分单位台账、反馈记录三张表）。"""
    if file.suffix.lower() != ".xlsx":
        raise UserError(f"台账只能导出为 .xlsx 文件，收到 {file.name}")
    rt = runtime(config, now)
    with session_scope(rt.engine) as session:
        ledger = build_ledger(session=session, now=rt.now(), settings=rt.settings,
                              calendar=WorkCalendar.from_settings(rt.settings),
                              plan=resolve_plan(session=session, which=plan,
                                                office_id=office_id(session, rt, office)))
    data = ledger_xlsx(ledger, tz=rt.settings.app.tz)
    try:
        file.write_bytes(data)
    except OSError as exc:
        raise UserError(f"无法写入 {file}：{exc.strerror}") from exc
    Console(highlight=False).print(f"台账已导出到 {file}")


def cmd_bulletin(
    file: Annotated[Path, typer.Argument(help="输出的 .docx 文件")],
    period: Annotated[str | None, typer.Option("--period", help="时段：2021-06（月）、2021-Q2（季度）或 2021（年）；"
                                               "默认本月")] = None,
    config: ConfigOpt = None, now: NowOpt = None, plan: PlanOpt = None, office: OfficeOpt = None,
) -> None:
    """起草督办通报（Word）：总体情况、逾期任务、单位排名、表扬单位。"""
    if file.suffix.lower() != ".docx":
        raise UserError(f"督办通报只能导出为 .docx 文件，收到 {file.name}")
    rt = runtime(config, now)
    span = parse_period(period) if period else month_of(rt.now().astimezone(rt.settings.app.tz).date())
    with session_scope(rt.engine) as session:
        bulletin = build_bulletin(session=session, period=span, now=rt.now(), settings=rt.settings,
                                  calendar=WorkCalendar.from_settings(rt.settings), plan=plan,
                                  office_id=office_id(session, rt, office))
    try:
        file.write_bytes(bulletin_docx(bulletin))
    except OSError as exc:
        raise UserError(f"无法写入 {file}：{exc.strerror}") from exc
    Console(highlight=False, soft_wrap=True).print(f"{span.label}督办通报已写入 {file}（截至{bulletin.as_of.isoformat()}）")


def cmd_outbox(
    ctx: typer.Context,
    state: Annotated[str | None, typer.Option("--state", help="只看某种状态，如 unknown、failed")] = None,
    limit: Annotated[int, typer.Option("--limit", help="最多显示几条")] = 50,
    config: ConfigOpt = None,
    json: JsonOpt = False,
) -> None:
    """查看提醒的发送情况（送达未知、失败、待重试……），最新的在前。"""
    if ctx.invoked_subcommand is not None:
        return
    if state is not None and state not in STATES:
        raise UserError(f"--state 只能是 {' / '.join(STATES)}，收到 {state!r}")
    rt = runtime(config)
    with session_scope(rt.engine) as session:
        rows = [
            {"id": r.id, "state": r.state, "kind": r.kind, "recipient": r.recipient, "occurrence": r.occurrence,
             "attempts": r.attempts, "sent_at": r.sent_at, "error": r.error}
            for r in repo.outbox_rows(session=session, state=state, limit=limit)
        ]
    if json:
        emit_json(rows)
        return
    table = Table("#", "状态", "类型", "接收方", "日期", "次数", "说明")
    for r in rows:
        table.add_row(str(r["id"]), r["state"], r["kind"], r["recipient"], r["occurrence"], str(r["attempts"]),
                      r["error"][:40])
    Console().print(table)


def cmd_resend(
    row_id: Annotated[int, typer.Argument(help="提醒编号（duban outbox 的 # 列）")],
    config: ConfigOpt = None,
) -> None:
    """重发一条“送达未知”或失败的提醒（已送达的不会重发）。"""
    from bot.render import action_text
    from bot.services.outbox_admin import resend

    rt = runtime(config)
    with session_scope(rt.engine) as session:
        resend(session=session, row_id=row_id, now=rt.now(), actor="cli")
    Console(highlight=False).print(action_text.resent(row_id))
