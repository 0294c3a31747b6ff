"""`/setstatus`: an admin sets a task's status in a unit's name, the unit named and the act logged as such."""

from __future__ import annotations

from dataclasses import dataclass

from bot.chat.commands import Command, Needs
from bot.chat.context import Ctx, reply
from bot.chat.queries import take_ref
from bot.render import action_text
from bot.services.errors import UserError
from bot.services.reports import report_on_behalf

USAGE = "/setstatus 编号 单位 状态 [百分比] [说明]"
EXAMPLE = "/setstatus 25 安全办 已完成 验收已通过"


@dataclass(frozen=True)
class SetStatus:
    """An admin's status for a unit: the task, the unit as typed, and the report's words (状态 [百分比] [说明])."""

    ref: str
    unit: str
    words: tuple[str, ...]


def read_setstatus(args: tuple[str, ...]) -> SetStatus:
    """`/setstatus 25 安全办 已完成 验收已过` as a record."""
    ref, rest = take_ref(args)
    if len(rest) < 2:
        raise UserError(f"用法：{USAGE}，如 {EXAMPLE}")
    return SetStatus(ref, rest[0], tuple(rest[1:]))


def on_setstatus(ctx: Ctx, req: SetStatus):
    """The status is the unit's; the admin's name is on the log."""
    task = ctx.task(req.ref)
    unit, report = report_on_behalf(session=ctx.session, task=task, unit_name=req.unit, words=list(req.words),
                                    actor=ctx.actor.ref, now=ctx.now, aliases=ctx.settings.aliases,
                                    office_id=ctx.office_id)
    line = action_text.recorded_line(report.status, report.percent, report.note, unit.name, ctx.now,
                                     ctx.settings.app.tz)
    return reply(action_text.task_head(ctx.shown_ref(task), task.title) + "\n" + action_text.on_behalf(unit.name) + line)


def commands() -> list[Command]:
    return [Command("setstatus", None, Needs.ADMIN, USAGE, "代单位设置任务状态（记入日志）", min_args=3,
                    example=EXAMPLE, read=read_setstatus)]


def routes() -> dict[type, object]:
    """An admin's status in a unit's name."""
    return {SetStatus: on_setstatus}
