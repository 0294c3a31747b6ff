"""Reassignment from the command line: `duban task reassign REF --lead X [--co Y]…`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from bot.cli.app import ConfigOpt, NowOpt, OfficeOpt, office_id, runtime
from bot.render import closure_text
from bot.services import assignment, closure
from bot.services.tasks import require_task
from bot.services.units import require_unit
from storage.db import session_scope


def register(app: typer.Typer) -> None:
    # `duban task REF` is the task record; `duban task reassign …` reaches this command (bot.cli.main).
    app.command("reassign")(cmd_reassign)


def cmd_reassign(task: Annotated[str, typer.Argument(help="任务编号，如 12")],
                 lead: Annotated[str, typer.Option("--lead", help="新的牵头单位")],
                 co: Annotated[list[str] | None, typer.Option("--co", help="配合单位（可多次；不写则保持原配合单位）")] = None,
                 office: OfficeOpt = None, config: ConfigOpt = None, now: NowOpt = None) -> None:
    """重新交办：把事项交给新的牵头单位（可同时指定配合单位），通知新旧单位。"""
    rt = runtime(config, now)
    with session_scope(rt.engine) as session:
        oid = office_id(session, rt, office)
        t = require_task(session=session, ref=task, office_id=oid)
        aliases = rt.settings.aliases
        new_lead = require_unit(session=session, name=lead, aliases=aliases, office_id=oid)
        cos = [require_unit(session=session, name=c, aliases=aliases, office_id=oid) for c in co] if co else None
        notice = assignment.reassign(session=session, settings=rt.settings, task=t, lead=new_lead, co=cos,
                                     actor="cli", now=rt.now())
        closure.push(session=session, notice=notice, text=closure_text.notice_text(notice, rt.settings.app.tz),
                     now=rt.now())
        line = closure_text.reassigned_line(t.ref, notice.note)
    Console(highlight=False).print(line)
