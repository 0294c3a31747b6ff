"""`duban plan parse|import|diff`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.cli.app import ConfigOpt, JsonOpt, NowOpt, OfficeOpt, emit_json, office_id, runtime
from bot.cli.items import import_minutes_cli
from bot.render import plan_text
from bot.services import planfile
from bot.services.errors import UserError
from bot.services.importer import PlanDiff, apply_plan, diff_plan
from storage.db import session_scope

plan_app = typer.Typer(help="解析、导入和比对工作计划文件", no_args_is_help=True)
FileArg = Annotated[Path, typer.Argument(help="计划文件：.txt .html .docx .xlsx .csv（含 plan parse --xlsx 导出的核对表）")]
AliasOpt = Annotated[
    list[str] | None,
    typer.Option("--alias", help="确认新单位名是已有单位的别称：新名称=已有单位，如 安全办公室=安全办；可重复"),
]
YesOpt = Annotated[bool, typer.Option(
    "--yes", "-y", help="确认删除大量任务的修订（超过三分之一或全部），并对无法确定对应的任务采用最可能的对应")]
RevisesOpt = Annotated[str | None, typer.Option("--revises", help="这是哪份已有计划的修订版（编号或简称）")]
NewOpt = Annotated[bool, typer.Option("--new", help="这是一份新计划，即使标题与已有计划相近")]
XlsxOpt = Annotated[Path | None, typer.Option("--xlsx", help="把解析结果写成核对表 .xlsx，改正后可直接导入")]


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")


def _answers(values: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values or []:
        alias, sep, target = value.partition("=")
        if not sep or not alias.strip() or not target.strip():
            raise UserError(f"--alias {value!r} 格式不对，请写成 新名称=已有单位，如 --alias 安全办公室=安全办")
        out[alias.strip()] = target.strip()
    return out


@plan_app.command("parse")
def cmd_parse(
    file: FileArg, json: JsonOpt = False, xlsx: XlsxOpt = None, config: ConfigOpt = None
) -> None:
    """解析计划文件并输出结果，不写入任何存储；--xlsx 另存一份供人工核对改正的表格。"""
    rt = runtime(config)
    parsed = planfile.parse(file, aliases=rt.settings.aliases)
    if xlsx is not None:
        from bot.plan.review import write_review

        try:
            xlsx.write_bytes(write_review(parsed))
        except OSError as exc:
            raise UserError(f"无法写入核对表 {xlsx.name}：{exc.strerror or exc}") from exc
    if json:
        emit_json(parsed.to_dict())
    else:
        Console().print(plan_text.parsed_summary(parsed))
        if xlsx is not None:
            Console().print(f"核对表已写入 {xlsx}：改正后可用 duban plan import {xlsx.name} 导入。")


@plan_app.command("diff")
def cmd_diff(file: FileArg, json: JsonOpt = False, alias: AliasOpt = None, office: OfficeOpt = None,
             revises: RevisesOpt = None, new: NewOpt = False, config: ConfigOpt = None) -> None:
    """显示导入该文件会带来的变化，但不应用。"""
    rt = runtime(config)
    answers = _answers(alias)
    parsed = planfile.parse(file, aliases=rt.settings.aliases)
    with session_scope(rt.engine) as session:
        diff = diff_plan(session=session, parsed=parsed, config_aliases=rt.settings.aliases, answers=answers,
                         office_id=office_id(session, rt, office), revises=revises, new=new)
        session.rollback()
    if json:
        emit_json(diff.to_dict())
    else:
        if sure := plan_text.confidence_line(parsed):  # how sure the reading is: what to check before importing
            Console(highlight=False).print(sure)
        Console().print(plan_text.diff_lines(diff))


@plan_app.command("import")
def cmd_import(
    file: FileArg,
    json: JsonOpt = False,
    alias: AliasOpt = None,
    yes: YesOpt = False,
    office: OfficeOpt = None,
    revises: RevisesOpt = None,
    new: NewOpt = False,
    config: ConfigOpt = None,
    now: NowOpt = None,
    as_items: Annotated[bool, typer.Option("--as-items", help="会议纪要：把各议定事项导入为“会议议定”督办事项")] = False,
    xlsx: Annotated[Path | None, typer.Option(
        "--xlsx", help="解析有待核项时把核对表写到这里（--as-items 默认写在纪要旁：核对表_文件名.xlsx）")] = None,
) -> None:
    """导入计划文件；再次导入修订版时先列出变化再应用；--as-items 把会议纪要的议定事项导入为督办事项（先列出新增、
    有变化和已导入过的，确认后导入）。"""
    rt = runtime(config, now)
    answers = _answers(alias)
    parsed = planfile.parse(file, aliases=rt.settings.aliases)
    if as_items:  # the same reader as plans; each 议定事项 becomes an item (bot.cli.items)
        import_minutes_cli(rt, file, parsed, office=office, json=json, yes=yes, xlsx=xlsx)
        return
    if xlsx is not None and (parsed.needs_review or any(t.confidence < 0.75 for t in parsed.tasks)):
        _write_review(parsed, xlsx)  # doubts: the clerk's sheet, as `plan parse --xlsx` writes it
    planfile.check_reviewed(parsed, file.name)  # guessed owners go through the review sheet first
    # One transaction: a failure anywhere (or a refusal) leaves the store as it was.
    with session_scope(rt.engine) as session:
        oid = office_id(session, rt, office)
        matches: dict[str, str] = {}
        if not yes and sys.stdin.isatty():  # a person at a terminal answers what a guess would otherwise settle
            diff = diff_plan(session=session, parsed=parsed, config_aliases=rt.settings.aliases, answers=answers,
                             office_id=oid, revises=revises, new=new)
            matches = _ask_matches(diff)
        result = apply_plan(
            session=session,
            parsed=parsed,
            now=rt.now(),
            source_name=file.name,
            config_aliases=rt.settings.aliases,
            answers=answers,
            confirmed=yes,
            office_id=oid,
            revises=revises,
            new=new,
            matches=matches,
            receipts=rt.settings.supervision.receipt == "all",
        )
    if json:
        emit_json(result.to_dict())
    else:
        Console().print(plan_text.import_summary(result))


def _write_review(parsed, path: Path) -> None:
    from bot.plan.review import write_review

    try:
        path.write_bytes(write_review(parsed))
    except OSError as exc:
        raise UserError(f"无法写入核对表 {path.name}：{exc.strerror or exc}") from exc
    Console(highlight=False, stderr=True).print(f"核对表已写入 {path}：改正后可用 duban plan import {path.name} 导入。")


def _ask_matches(diff: PlanDiff) -> dict[str, str]:
    """Ask, at the terminal, which stored task each uncertain task of the revision is (0: a new task)."""
    out: dict[str, str] = {}
    if diff.match_questions:
        Console().print(plan_text.diff_lines(diff))
    for q in diff.match_questions:
        Console().print(plan_text.match_prompt(q))
        pick = ""
        while not (pick.isdigit() and int(pick) <= len(q.choices)):
            pick = str(typer.prompt(f"请选择（0—{len(q.choices)}）", default="1")).strip()
        out[q.ref] = q.choices[int(pick) - 1][0] if int(pick) else ""
    return out
