"""`duban plan parse|import|diff`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.cli.app import ConfigOpt, JsonOpt, NowOpt, emit_json, runtime
from bot.render import plan_text
from bot.services import planfile
from bot.services.importer import apply_plan, diff_plan
from storage.db import session_scope

plan_app = typer.Typer(help="解析、导入和比对工作计划文件", no_args_is_help=True)
FileArg = Annotated[Path, typer.Argument(help="计划文件：.txt .html .docx .xlsx .csv")]


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")


@plan_app.command("parse")
def cmd_parse(file: FileArg, json: JsonOpt = False, config: ConfigOpt = None) -> None:
    """解析计划文件并输出结果，不写入任何存储。"""
    rt = runtime(config)
    parsed = planfile.parse(file, aliases=rt.settings.aliases)
    if json:
        emit_json(parsed)
    else:
        Console().print(plan_text.parsed_summary(parsed))


@plan_app.command("diff")
def cmd_diff(file: FileArg, json: JsonOpt = False, config: ConfigOpt = None) -> None:
    """显示导入该文件会带来的变化，但不应用。"""
    rt = runtime(config)
    parsed = planfile.parse(file, aliases=rt.settings.aliases)
    with session_scope(rt.engine) as session:
        diff = diff_plan(session=session, parsed=parsed, config_aliases=rt.settings.aliases)
        session.rollback()
    if json:
        emit_json(diff.to_dict())
    else:
        Console().print(plan_text.diff_lines(diff))


@plan_app.command("import")
def cmd_import(file: FileArg, json: JsonOpt = False, config: ConfigOpt = None, now: NowOpt = None) -> None:
    """导入计划文件；再次导入修订版时先列出变化再应用。"""
    rt = runtime(config, now)
    parsed = planfile.parse(file, aliases=rt.settings.aliases)
    # One transaction: a failure anywhere leaves the store as it was.
    with session_scope(rt.engine) as session:
        result = apply_plan(
            session=session,
            parsed=parsed,
            now=rt.now(),
            source_name=file.name,
            config_aliases=rt.settings.aliases,
        )
    if json:
        emit_json(result.to_dict())
    else:
        Console().print(plan_text.import_summary(result))
