"""`duban office add|list` and `duban plan list|close|reopen`: offices and the plans each runs."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.app import ConfigOpt, JsonOpt, NowOpt, OfficeOpt, emit_json, runtime
from bot.cli.plan import plan_app
from bot.services import offices
from storage import repo
from storage.db import session_scope

office_app = typer.Typer(help="管理办公室（一个库可服务多个办公室，各自的计划、单位和绑定互不相混）",
                         no_args_is_help=True)
PlanArg = Annotated[str, typer.Argument(help="计划的编号或简称（见 duban plan list）")]


def register(app: typer.Typer) -> None:
    app.add_typer(office_app, name="office")
    plan_app.command("list")(cmd_plan_list)
    plan_app.command("close")(cmd_plan_close)
    plan_app.command("reopen")(cmd_plan_reopen)


@office_app.command("add")
def cmd_office_add(
    name: Annotated[str, typer.Argument(help="办公室名称，如 县教育局")],
    parent: Annotated[str | None, typer.Option("--parent", help="上级办公室（其看板汇总本办公室）")] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
) -> None:
    """添加一个办公室。"""
    rt = runtime(config, now)
    with session_scope(rt.engine) as session:
        office = offices.add_office(session=session, name=name, parent=parent, now=rt.now())
        text = f"已添加办公室“{office.name}”" + (f"，上级：{parent}" if parent else "") + "。"
    Console(highlight=False).print(text)


@office_app.command("list")
def cmd_office_list(config: ConfigOpt = None, json: JsonOpt = False) -> None:
    """列出办公室、上级和各自的计划数。"""
    rt = runtime(config)
    with session_scope(rt.engine) as session:
        all_offices = repo.offices(session=session)
        names = {o.id: o.name for o in all_offices}
        plans = {o.id: len(repo.active_plans(session=session, office_id=o.id)) for o in all_offices}
        rows = [{"name": o.name, "parent": names.get(o.parent_id), "open_plans": plans[o.id]} for o in all_offices]
    if json:
        emit_json(rows)
        return
    table = Table("办公室", "上级", "进行中的计划")
    for r in rows:
        table.add_row(r["name"], r["parent"] or "", str(r["open_plans"]))
    Console().print(table)


def cmd_plan_list(office: OfficeOpt = None, json: JsonOpt = False, config: ConfigOpt = None,
                  now: NowOpt = None) -> None:
    """列出计划：所属办公室、期限、状态、任务数和简称。"""
    rt = runtime(config, now)
    with session_scope(rt.engine) as session:
        office_id = offices.ensure_office(session=session, name=office, default_name=rt.settings.app.office,
                                          now=rt.now()).id if office else None
        rows = offices.plan_rows(session=session, office_id=office_id, now=rt.now())
    if json:
        emit_json(rows)
        return
    table = Table("编号", "办公室", "简称", "计划", "期限", "状态", "任务")
    for r in rows:
        table.add_row(str(r.id), r.office, r.short_name, r.title, r.period, r.state, str(r.tasks))
    Console().print(table)


def _set_closed(plan_word: str, office: str | None, config: str | None, now: str | None, reopen: bool) -> None:
    rt = runtime(config, now)
    with session_scope(rt.engine) as session:
        office_id = None
        if office:
            office_id = offices.ensure_office(session=session, name=office, default_name=rt.settings.app.office,
                                              now=rt.now()).id
        plan = _find_any(session, office_id, plan_word, include_closed=reopen)
        offices.close_plan(session=session, plan=plan, now=rt.now(), actor="cli", reopen=reopen)
        title = plan.title
    verb = "已重新开启" if reopen else "已关闭"
    tail = "，提醒恢复。" if reopen else "：不再发送提醒，记录保留。"
    Console(highlight=False).print(f"{verb}《{title}》{tail}")


def _find_any(session, office_id: int | None, word: str, *, include_closed: bool):
    if include_closed:
        for p in repo.plans_of(session=session, office_id=office_id):
            if (word.isdigit() and p.id == int(word)) or word in (p.short_name, p.title):
                return p
    return offices.require_plan_named(session=session, office_id=office_id, word=word)


def cmd_plan_close(plan: PlanArg, office: OfficeOpt = None, config: ConfigOpt = None, now: NowOpt = None) -> None:
    """关闭计划：停止其提醒，保留全部记录（不影响其他计划和其他办公室）。"""
    _set_closed(plan, office, config, now, reopen=False)


def cmd_plan_reopen(plan: PlanArg, office: OfficeOpt = None, config: ConfigOpt = None, now: NowOpt = None) -> None:
    """重新开启已关闭的计划。"""
    _set_closed(plan, office, config, now, reopen=True)
