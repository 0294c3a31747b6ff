"""Chat answers to questions: who owns what, one task, what is due, overdue, silent, the board."""

from __future__ import annotations

from bot.chat.commands import Command, Needs
from bot.chat.context import Ctx, reply
from bot.chat.intents import Intent
from bot.render import chat_text, item_text, task_text
from bot.services import queries
from bot.services.board import TaskLight, board, light_for, month_end
from bot.services.errors import UserError
from bot.services.itemview import view_of
from bot.services.offices import plan_rows, remember_chat_plan, require_plan_named
from bot.services.tasks import owners, recent_reports, task_record
from storage.models import Plan, Task


def cmd_owns(ctx: Ctx, intent: Intent):
    """What a unit leads and co-owns (or one role of it)."""
    unit = " ".join(intent.args).strip()
    if not unit:
        raise UserError("请写出单位名称，例如：/owns 安全办 或 “安全办负责什么”")
    data = queries.unit_tasks(session=ctx.session, unit=unit, role=intent.role, aliases=ctx.settings.aliases,
                              office_id=ctx.office_id)
    return reply(task_text.unit_tasks(data))


def cmd_mine(ctx: Ctx, intent: Intent):
    """What the chat's own unit owns."""
    if ctx.actor.unit is None:
        raise UserError("本聊天还没有绑定单位。发送 /start 邀请码 完成绑定。")
    data = queries.unit_tasks(session=ctx.session, unit=ctx.actor.unit.name, office_id=ctx.actor.unit.office_id)
    return reply(task_text.unit_tasks(data))


def cmd_task(ctx: Ctx, intent: Intent):
    """One task in full."""
    task = ctx.take_task(intent.args)[0]
    record = task_record(session=ctx.session, task=task, history=False)
    item = view_of(session=ctx.session, task=task)  # an item's source and instruction, leaders' 批示 (issue 22)
    extra = "\n" + item_text.detail(item, tz=ctx.settings.app.tz) if item else ""
    return reply(task_text.task_full(record, tz=ctx.settings.app.tz) + extra)


def cmd_who(ctx: Ctx, intent: Intent):
    """Who leads and who supports one task."""
    task = ctx.take_task(intent.args)[0]
    lead, co = owners(session=ctx.session, task_id=task.id)
    return reply(chat_text.who_text(task.ref, task.title, lead, co))


def cmd_progress(ctx: Ctx, intent: Intent):
    """One task's light, last three reports and deadline."""
    return reply(progress_answer(ctx, ctx.take_task(intent.args)[0]))


def progress_answer(ctx: Ctx, task: Task) -> str:
    """"第N项进展如何": its light and its three newest reports, whatever the history's length."""
    light = light_for(session=ctx.session, task_id=task.id, now=ctx.now, settings=ctx.settings,
                      calendar=ctx.calendar)
    return chat_text.progress_text(task.ref, task.title, recent_reports(session=ctx.session, task_id=task.id),
                                   light, tz=ctx.settings.app.tz)


def _lights(ctx: Ctx, plan: Plan | None = None) -> list[TaskLight]:
    return board(session=ctx.session, now=ctx.now, settings=ctx.settings, calendar=ctx.calendar,
                 plan=plan or ctx.plan, office_id=ctx.office_id)


def cmd_board(ctx: Ctx, intent: Intent):
    """The red/yellow/green picture of the chat's plan (or of the plan named: /board 安全生产)."""
    plan = ctx.plan
    if intent.args:
        plan = require_plan_named(session=ctx.session, office_id=ctx.office_id, word=" ".join(intent.args))
        remember_chat_plan(session=ctx.session, platform=ctx.event.platform, address=ctx.event.chat_id, plan=plan,
                           now=ctx.now)
    title = plan.short_name or plan.title if plan is not None and ctx.several_plans() else ""
    return reply(chat_text.board_text(_lights(ctx, plan), ctx.today, plan=title))


def cmd_plans(ctx: Ctx, intent: Intent):
    """The office's plans with their short names; the chat's current one is marked."""
    rows = plan_rows(session=ctx.session, office_id=ctx.office_id, now=ctx.now)
    current = ctx.plan
    return reply(chat_text.plans_text(rows, current.id if current else None))


def cmd_overdue(ctx: Ctx, intent: Intent):
    """Tasks past a deadline."""
    red = [t for t in _lights(ctx) if t.light == "red"]
    return reply(chat_text.light_list("逾期任务", red, "目前没有逾期任务。"))


def cmd_due(ctx: Ctx, intent: Intent):
    """Open tasks with a deadline before the end of this month."""
    today = ctx.today
    end = month_end(today)
    due = [t for t in _lights(ctx) if t.light != "done" and t.next_deadline and t.next_deadline <= end]
    due.sort(key=lambda t: t.next_deadline)
    return reply(chat_text.light_list(f"{today.month}月内到期的任务", due, f"{today.month}月内没有到期的任务。"))


def cmd_silent(ctx: Ctx, intent: Intent):
    """Open tasks with no report for `report_fresh_days`."""
    fresh = ctx.settings.reminders.report_fresh_days
    silent = [t for t in _lights(ctx) if t.light != "done" and (t.lead or t.co)
              and (t.last_report is None or (ctx.today - t.last_report).days >= fresh)]
    return reply(chat_text.light_list(f"{fresh}天内没有反馈的任务", silent, "所有任务近期都有反馈。"))


def commands() -> list[Command]:
    """The question commands, in /help order."""
    b = Needs.BOUND
    return [
        Command("mine", cmd_mine, b, "/mine", "我单位的任务", menu="我单位负责的任务"),
        Command("owns", cmd_owns, b, "/owns 单位", "某单位牵头、配合的任务", menu="某单位负责什么，如 /owns 安全办",
                example="/owns 安全办"),
        Command("task", cmd_task, b, "/task 编号", "查看一项任务", menu="查看任务，如 /task 12", min_args=1,
                example="/task 12"),
        Command("who", cmd_who, b, "/who 编号", "某项任务由谁牵头、谁配合", min_args=1),
        Command("progress", cmd_progress, b, "/progress 编号", "某项任务的进展", min_args=1),
        Command("due", cmd_due, b, "/due", "本月到期", menu="本月到期的任务"),
        Command("overdue", cmd_overdue, b, "/overdue", "逾期", menu="逾期任务"),
        Command("silent", cmd_silent, b, "/silent", "近期没有反馈的任务"),
        Command("board", cmd_board, b, "/board [计划]", "红黄绿看板", menu="红黄绿看板"),
        Command("plans", cmd_plans, b, "/plans", "本单位的各项计划及简称", menu="计划列表",
                words=("计划列表", "有哪些计划", "哪些计划", "所有计划", "计划有哪些", "看看计划", "plans", "list plans")),
    ]
