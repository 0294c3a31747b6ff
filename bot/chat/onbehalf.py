"""`/setstatus`: an admin sets a task's status in a unit's name, the unit named and the act logged as such."""

from __future__ import annotations

from bot.chat.commands import Command, Needs
from bot.chat.context import Ctx, reply
from bot.chat.intents import Intent
from bot.render import action_text
from bot.services.reports import report_on_behalf

USAGE = "/setstatus 编号 单位 状态 [百分比] [说明]"


def cmd_setstatus(ctx: Ctx, intent: Intent):
    """`/setstatus 25 安全办 已完成 验收已过`: the status is the unit's, the admin's name is on the log."""
    task, rest = ctx.take_task(intent.args)
    if len(rest) < 2:
        return reply(f"用法：{USAGE}，如 /setstatus 25 安全办 已完成 验收已通过")
    unit, report = report_on_behalf(session=ctx.session, task=task, unit_name=rest[0], words=rest[1:],
                                    actor=ctx.actor.ref, now=ctx.now, aliases=ctx.settings.aliases,
                                    office_id=ctx.office_id)
    line = action_text.recorded_line(report.status, report.percent, report.note, unit.name, ctx.now,
                                     ctx.settings.app.tz)
    return reply(action_text.task_head(task.ref, task.title) + "\n" + action_text.on_behalf(unit.name) + line)


def commands() -> list[Command]:
    return [Command("setstatus", cmd_setstatus, Needs.ADMIN, USAGE, "代单位设置任务状态（记入日志）", min_args=3,
                    example="/setstatus 25 安全办 已完成 验收已通过")]
