"""`duban board`, `duban export FILE`, `duban outbox`: the ledger and delivery state for the office."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.app import ConfigOpt, JsonOpt, NowOpt, emit_json, runtime
from bot.render.chat_text import board_text
from bot.render.ledger_xlsx import ledger_xlsx
from bot.services.board import board
from bot.services.errors import UserError
from bot.services.ledger import ledger_rows
from bot.workdays import WorkCalendar
from storage import repo
from storage.db import session_scope
from storage.models import OutboxState

STATES = tuple(OutboxState)


def register(app: typer.Typer) -> None:
    app.command("board")(cmd_board)
    app.command("export")(cmd_export)
    app.command("outbox")(cmd_outbox)


def cmd_board(config: ConfigOpt = None, now: NowOpt = None, json: JsonOpt = False) -> None:
    """红黄绿看板：每项任务的状态灯、下一个时限和最近反馈。"""
    rt = runtime(config, now)
    with session_scope(rt.engine) as session:
        lights = board(session=session, now=rt.now(), settings=rt.settings,
                       calendar=WorkCalendar.from_settings(rt.settings))
    if json:
        emit_json(lights)
    else:
        Console(highlight=False).print(board_text(lights, rt.now().astimezone(rt.settings.app.tz).date()))


def cmd_export(file: Annotated[Path, typer.Argument(help="输出的 .xlsx 文件")], config: ConfigOpt = None,
               now: NowOpt = None) -> None:
    """把督办台账导出为 Excel。"""
    if file.suffix.lower() != ".xlsx":
        raise UserError(f"台账只能导出为 .xlsx 文件，收到 {file.name}")
    rt = runtime(config, now)
    with session_scope(rt.engine) as session:
        rows = ledger_rows(session=session, now=rt.now(), settings=rt.settings,
                           calendar=WorkCalendar.from_settings(rt.settings))
    data = ledger_xlsx(rows, tz=rt.settings.app.tz)
    try:
        file.write_bytes(data)
    except OSError as exc:
        raise UserError(f"无法写入 {file}：{exc.strerror}") from exc
    Console(highlight=False).print(f"台账已导出到 {file}")


def cmd_outbox(
    state: Annotated[str | None, typer.Option("--state", help="只看某种状态，如 unknown、failed")] = None,
    limit: Annotated[int, typer.Option("--limit", help="最多显示几条")] = 50,
    config: ConfigOpt = None,
    json: JsonOpt = False,
) -> None:
    """查看提醒的发送情况（送达未知、失败、待重试……），最新的在前。"""
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
