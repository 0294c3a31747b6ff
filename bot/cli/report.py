"""`duban report`: set a task's status in a unit's name (an admin's act, logged as on that unit's behalf)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from bot.cli.app import ConfigOpt, JsonOpt, NowOpt, OfficeOpt, emit_json, office_id, runtime
from bot.render import action_text
from bot.services.reports import report_on_behalf
from bot.services.tasks import require_task
from storage.db import session_scope


def register(app: typer.Typer) -> None:
    app.command("report")(cmd_report)


def cmd_report(
    task: Annotated[str, typer.Argument(help="任务编号，如 25 或 安全生产第3项")],
    unit: Annotated[str, typer.Option("--unit", help="以哪个单位的名义（须是该任务的牵头或配合单位）")],
    status: Annotated[str, typer.Option("--status", help="已完成 / 推进中 / 有困难 / 未开始")],
    percent: Annotated[int | None, typer.Option("--percent", min=0, max=100, help="完成百分比")] = None,
    note: Annotated[str, typer.Option("--note", help="说明")] = "",
    office: OfficeOpt = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    json: JsonOpt = False,
) -> None:
    """代单位设置任务状态：记为该单位的反馈，并在日志中记明由管理员代设。"""
    rt = runtime(config, now)
    words = [status, *([f"{percent}%"] if percent is not None else []), *([note] if note else [])]
    with session_scope(rt.engine) as session:
        oid = office_id(session, rt, office)
        t = require_task(session=session, ref=task, office_id=oid)
        found, report = report_on_behalf(session=session, task=t, unit_name=unit, words=words, actor="cli",
                                         now=rt.now(), aliases=rt.settings.aliases, office_id=oid)
        out = {"task": t.ref, "unit": found.name, "status": str(report.status), "percent": report.percent,
               "note": report.note, "on_behalf": True}
        line = action_text.recorded_line(report.status, report.percent, report.note, found.name, rt.now(),
                                         rt.settings.app.tz)
        head = action_text.task_head(t.ref, t.title)
    if json:
        emit_json(out)
    else:
        Console(highlight=False).print(head + "\n" + action_text.on_behalf(found.name) + line)
