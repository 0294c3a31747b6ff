"""办结审核 from the command line: `duban review [--pending]`, `duban review pass REF`, `duban review return REF`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from bot.cli.app import ConfigOpt, JsonOpt, NowOpt, OfficeOpt, emit_json, office_id, runtime
from bot.render import closure_text
from bot.services import closure
from bot.services.errors import UserError
from bot.services.tasks import require_task
from storage.db import session_scope

review_app = typer.Typer(help="办结审核：列出待审核的办结申请，通过或退回", invoke_without_command=True)
TaskArg = Annotated[str, typer.Argument(help="任务编号，如 12")]


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")


@review_app.callback()
def cmd_review(ctx: typer.Context,
               pending: Annotated[bool, typer.Option("--pending", help="只列待审核的（默认即如此）")] = False,
               office: OfficeOpt = None, config: ConfigOpt = None, now: NowOpt = None, json: JsonOpt = False) -> None:
    """列出待审核的办结申请（最早的在前）。"""
    del pending  # listing shows the pending requests only; the flag reads as the issue writes it
    if ctx.invoked_subcommand is not None:
        return
    rt = runtime(config, now)
    with session_scope(rt.engine) as session:
        rows = closure.awaiting(session=session, office_id=office_id(session, rt, office))
        items = [{"ref": t.ref, "title": t.title, "lead": leads,
                  "applied_at": t.applied_at.isoformat() if t.applied_at else None} for t, leads in rows]
        lines = [closure_text.pending_line(t.ref, t.title, "、".join(leads), t.applied_at, rt.settings.app.tz)
                 for t, leads in rows]
    if json:
        emit_json(items)
    else:
        Console(highlight=False).print("\n".join(lines) if lines else closure_text.NONE_PENDING)


def _decide(ref: str, verb: str, reason: str, office, config, now) -> str:
    rt = runtime(config, now)
    with session_scope(rt.engine) as session:
        task = require_task(session=session, ref=ref, office_id=office_id(session, rt, office))
        try:
            if verb == "pass":
                notice = closure.decide_pass(session=session, task=task, actor="cli", now=rt.now())
            else:
                notice = closure.decide_return(session=session, task=task, actor="cli", reason=reason, now=rt.now())
        except (closure.NotPending, closure.NoReason) as exc:
            raise UserError(closure_text.refusal(exc)) from exc
        closure.push(session=session, notice=notice, text=closure_text.notice_text(notice, rt.settings.app.tz),
                     now=rt.now())
        return (closure_text.passed_line(task.ref) if verb == "pass"
                else closure_text.returned_line(task.ref, reason.strip()))


@review_app.command("pass")
def cmd_pass(task: TaskArg, office: OfficeOpt = None, config: ConfigOpt = None, now: NowOpt = None) -> None:
    """通过办结申请：销号，通知牵头、配合单位和牵头领导，提醒结束。"""
    Console(highlight=False).print(_decide(task, "pass", "", office, config, now))


@review_app.command("return")
def cmd_return(task: TaskArg, reason: Annotated[str, typer.Option("--reason", help="退回原因（必填）")] = "",
               office: OfficeOpt = None, config: ConfigOpt = None, now: NowOpt = None) -> None:
    """退回办结申请：恢复为推进中，通知牵头单位，提醒立即恢复，计退回一次。"""
    Console(highlight=False).print(_decide(task, "return", reason, office, config, now))
