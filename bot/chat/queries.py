"""Chat answers to questions: who owns what, one task, what is due, overdue, silent, the board."""

from __future__ import annotations

from datetime import date

from bot.chat.context import Ctx, reply
from bot.render import chat_text, task_text
from bot.render.reminder_text import cn_date
from bot.services import queries
from bot.services.board import board
from bot.services.errors import UserError
from bot.services.tasks import owners, require_task, task_record


def cmd_owns(ctx: Ctx, args: list[str], role: str | None = None):
    if not args or not args[0].strip():
        raise UserError("请写出单位名称，例如：/owns 安全办 或 “安全办负责什么”")
    data = queries.unit_tasks(session=ctx.session, unit=" ".join(args), role=role, aliases=ctx.settings.aliases)
    return reply(task_text.unit_tasks(data))


def cmd_mine(ctx: Ctx, args: list[str]):
    if ctx.actor.unit is None:
        raise UserError("本聊天还没有绑定单位。发送 /start 邀请码 完成绑定。")
    data = queries.unit_tasks(session=ctx.session, unit=ctx.actor.unit.name)
    return reply(task_text.unit_tasks(data))


def cmd_task(ctx: Ctx, args: list[str]):
    if not args:
        raise UserError("请写出任务编号，例如：/task 12")
    record = task_record(session=ctx.session, task=require_task(session=ctx.session, ref=args[0]))
    return reply(task_text.task_full(record))


def cmd_who(ctx: Ctx, args: list[str]):
    task = require_task(session=ctx.session, ref=args[0])
    lead, co = owners(session=ctx.session, task_id=task.id)
    if not lead and not co:
        return reply(f"第{task.ref}项「{task.title}」没有列出责任单位。")
    text = f"第{task.ref}项「{task.title}」\n牵头：{'、'.join(lead) or '未列'}"
    if co:
        text += f"\n配合：{'、'.join(co)}"
    return reply(text)


def cmd_progress(ctx: Ctx, args: list[str]):
    task = require_task(session=ctx.session, ref=args[0])
    record = task_record(session=ctx.session, task=task)
    lights = {t.task_id: t for t in _lights(ctx)}
    light = lights.get(task.id)
    lines = [f"第{task.ref}项「{task.title}」" + (f"　{chat_text.LIGHT_CN[light.light]}" if light else "")]
    reports = record["reports"][-3:]
    if not reports:
        lines.append("尚未收到任何进展反馈。")
    for r in reversed(reports):
        pct = f" {r['percent']}%" if r["percent"] is not None else ""
        note = f"：{r['note']}" if r["note"] else ""
        lines.append(f"· {r['at'][:10]} {task_text.STATUS_CN.get(r['status'], r['status'])}{pct}{note}")
    if light and (light.next_deadline or light.overdue_since):
        lines.append(f"时限：{cn_date(light.overdue_since or light.next_deadline)}")
    return reply("\n".join(lines))


def _lights(ctx: Ctx):
    return board(session=ctx.session, now=ctx.now, settings=ctx.settings, calendar=ctx.calendar)


def cmd_board(ctx: Ctx, args: list[str]):
    return reply(chat_text.board_text(_lights(ctx), ctx.today))


def cmd_overdue(ctx: Ctx, args: list[str]):
    red = [t for t in _lights(ctx) if t.light == "red"]
    return reply(chat_text.light_list("逾期任务", red, "目前没有逾期任务。"))


def cmd_due(ctx: Ctx, args: list[str]):
    today = ctx.today
    month_end = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    due = [t for t in _lights(ctx) if t.light != "done" and t.next_deadline and t.next_deadline < month_end]
    due.sort(key=lambda t: t.next_deadline)
    return reply(chat_text.light_list(f"{today.month}月内到期的任务", due, f"{today.month}月内没有到期的任务。"))


def cmd_silent(ctx: Ctx, args: list[str]):
    fresh = ctx.settings.reminders.report_fresh_days
    silent = [t for t in _lights(ctx) if t.light != "done" and (t.last_report is None or (ctx.today - t.last_report).days >= fresh)
              and (t.lead or t.co)]
    return reply(chat_text.light_list(f"{fresh}天内没有反馈的任务", silent, "所有任务近期都有反馈。"))


