"""Chat answers to questions: who owns what, one task, what is due, overdue, silent, the board."""

from __future__ import annotations

from dataclasses import replace

from bot.chat import requests as rq
from bot.chat.commands import Command, Needs
from bot.chat.context import Ctx, reply
from bot.chat.web import board_picture
from bot.render import action_text, chat_text, item_text, task_text
from bot.services import queries, records
from bot.services.board import Light, TaskLight, board, light_for, month_end
from bot.services.boards import every_board
from bot.services.errors import UserError
from bot.services.itemview import view_of
from bot.services.offices import plan_rows
from bot.services.plan_names import plan_named
from bot.services.tasks import looks_like_ref, normalise_ref, owners, recent_reports, task_record
from storage.models import Plan, Task


def cmd_owns(ctx: Ctx, cmd: rq.Command):
    """What a unit leads and co-owns (or one role of it)."""
    unit = " ".join(cmd.args).strip()
    if not unit:
        raise UserError("请写出单位名称，例如：/owns 安全办 或 “安全办负责什么”")
    data = queries.unit_tasks(session=ctx.session, unit=unit, aliases=ctx.settings.aliases,
                              office_id=ctx.office_id)
    return reply(task_text.unit_tasks(data))


def cmd_mine(ctx: Ctx, cmd: rq.Command):
    """What the chat's own unit owns."""
    if ctx.actor.unit is None:
        raise UserError("本聊天还没有绑定单位。发送 /start 邀请码 完成绑定。")
    data = queries.unit_tasks(session=ctx.session, unit=ctx.actor.unit.name, office_id=ctx.actor.unit.office_id)
    return reply(task_text.unit_tasks(data))


def take_ref(args: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The task the first arguments name ("12", "安全生产 3", "安全生产第3项"), as one ref, and the rest."""
    if len(args) > 1 and not looks_like_ref(args[0]) and looks_like_ref(args[1]):
        return f"{args[0]}第{normalise_ref(args[1])}项", args[2:]
    return args[0], args[1:]


def _show(view: rq.View):
    return lambda args: rq.ShowTasks((take_ref(args)[0],), view)


def on_show(ctx: Ctx, req: rq.ShowTasks):
    """Tasks named by number, each answered in the view asked for, in the order typed."""
    out: list[str] = []
    for ref in req.refs:
        try:
            task = ctx.task(ref, req.plan)
        except UserError as exc:
            out.append(str(exc))
            continue
        out.append(task_answer(ctx, task, req.view))
    return reply("\n\n".join(out))


def on_task_ids(ctx: Ctx, req: rq.TaskIds):
    """Tasks a question selected (by id), each answered in the view asked for."""
    out = []
    for tid in req.task_ids:
        task = records.live_task(session=ctx.session, task_id=tid)
        if task is not None:
            out.append(task_answer(ctx, task, req.view))
    return reply("\n\n".join(out) if out else action_text.TASK_GONE)


def task_answer(ctx: Ctx, task: Task, view: rq.View) -> str:
    """One task's answer (who owns it, its progress, its deadline, or all of it), led by its plan when the office
    runs several or the plan is closed."""
    return action_text.plan_head(ctx.plan_label(task)) + _task_answer(ctx, task, view)


def _task_answer(ctx: Ctx, task: Task, view: rq.View) -> str:
    if view is rq.View.WHO:
        lead, co = owners(session=ctx.session, task_id=task.id)
        return chat_text.who_text(ctx.shown_ref(task), task.title, lead, co)
    if view is rq.View.PROGRESS:
        return progress_answer(ctx, task)
    record = task_record(session=ctx.session, task=task, history=False)
    if view is rq.View.DEADLINE:
        return task_text.task_deadline(record)
    item = view_of(session=ctx.session, task=task)  # an item's source and instruction, leaders' 批示 (issue 22)
    extra = "\n" + item_text.detail(item, tz=ctx.settings.app.tz) if item else ""
    return task_text.task_full(replace(record, ref=ctx.shown_ref(task)), tz=ctx.settings.app.tz) + extra


def progress_answer(ctx: Ctx, task: Task) -> str:
    """"第N项进展如何": its light and its three newest reports, whatever the history's length."""
    light = light_for(session=ctx.session, task_id=task.id, now=ctx.now, settings=ctx.settings,
                      calendar=ctx.calendar)
    return chat_text.progress_text(ctx.shown_ref(task), task.title, recent_reports(session=ctx.session, task_id=task.id),
                                   light, tz=ctx.settings.app.tz)


def _lights(ctx: Ctx, plan: Plan | None = None) -> list[TaskLight]:
    return board(session=ctx.session, now=ctx.now, settings=ctx.settings, calendar=ctx.calendar,
                 plan=plan or ctx.plan, office_id=ctx.office_id)


def cmd_board(ctx: Ctx, cmd: rq.Command):
    """The red/yellow/green picture of the chat's plan (or of the plan named: /board 安全生产).

    Reading a board never changes which plan a bare "第12项" means in this chat."""
    if not cmd.args and ctx.several_plans():  # every open plan, each its own section, the annual plan first
        sections = every_board(session=ctx.session, now=ctx.now, settings=ctx.settings, calendar=ctx.calendar,
                               office_id=ctx.office_id)
        return reply("\n\n".join(chat_text.board_text(lights, ctx.today, plan=p.short_name or p.title)
                                  for p, lights in sections))
    plan = ctx.plan
    if cmd.args:
        plan = plan_named(session=ctx.session, office_id=ctx.office_id, word=" ".join(cmd.args))
    title = plan.short_name or plan.title if plan is not None and ctx.several_plans() else ""
    lights = _lights(ctx, plan)
    return reply(chat_text.board_text(lights, ctx.today, plan=title)) + board_picture(lights, ctx.today, title)


def cmd_plans(ctx: Ctx, cmd: rq.Command):
    """The office's plans with their short names; the chat's current one is marked."""
    rows = plan_rows(session=ctx.session, office_id=ctx.office_id, now=ctx.now)
    current = ctx.plan
    return reply(chat_text.plans_text(rows, current.id if current else None))


def plan_sections(ctx: Ctx, args: tuple[str, ...]) -> list[tuple[str, list[TaskLight]]]:
    """(heading, lights) of the plan the arguments name (open or closed: "/overdue 安全生产"), else of every open
    plan, the main plan first; the heading names the plan when the office runs several ("" when one)."""
    if args:
        plan = plan_named(session=ctx.session, office_id=ctx.office_id, word=" ".join(args))
        named = ctx.several_plans() or not plan.active
        return [(plan.short_name or plan.title if named else "", _lights(ctx, plan))]
    if not ctx.several_plans():
        return [("", _lights(ctx))]
    return [(p.short_name or p.title, lights)
            for p, lights in every_board(session=ctx.session, now=ctx.now, settings=ctx.settings,
                                         calendar=ctx.calendar, office_id=ctx.office_id)]


def _listed(ctx: Ctx, cmd: rq.Command, keep, title: str, empty: str, *, by=None):
    sections = [(head, sorted(filter(keep, lights), key=by) if by else list(filter(keep, lights)))
                for head, lights in plan_sections(ctx, cmd.args)]
    return reply(chat_text.light_lists(title, sections, empty))


def cmd_overdue(ctx: Ctx, cmd: rq.Command):
    """Tasks past a deadline, in every open plan (or the plan named)."""
    return _listed(ctx, cmd, lambda t: t.light == Light.RED, "逾期任务", "目前没有逾期任务。")


def cmd_due(ctx: Ctx, cmd: rq.Command):
    """Open tasks with a deadline before the end of this month, in every open plan (or the plan named)."""
    today = ctx.today
    end = month_end(today)
    return _listed(ctx, cmd, lambda t: t.light != Light.DONE and t.next_deadline and t.next_deadline <= end,
                   f"{today.month}月内到期的任务", f"{today.month}月内没有到期的任务。", by=lambda t: t.next_deadline)


def cmd_silent(ctx: Ctx, cmd: rq.Command):
    """Open tasks with no report for `report_fresh_days`, in every open plan (or the plan named)."""
    fresh = ctx.settings.reminders.report_fresh_days
    return _listed(ctx, cmd, lambda t: t.light != Light.DONE and (t.lead or t.co) and (
        t.last_report is None or (ctx.today - t.last_report).days >= fresh),
        f"{fresh}天内没有反馈的任务", "所有任务近期都有反馈。")


def commands() -> list[Command]:
    """The question commands, in /help order."""
    b = Needs.BOUND
    return [
        Command("mine", cmd_mine, b, "/mine", "我单位的任务", menu="我单位负责的任务"),
        Command("owns", cmd_owns, b, "/owns 单位", "某单位牵头、配合的任务", menu="某单位负责什么，如 /owns 安全办",
                example="/owns 安全办"),
        Command("task", None, b, "/task 编号", "查看一项任务", menu="查看任务，如 /task 12", min_args=1,
                example="/task 12", read=_show(rq.View.FULL)),
        Command("who", None, b, "/who 编号", "某项任务由谁牵头、谁配合", min_args=1, read=_show(rq.View.WHO)),
        Command("progress", None, b, "/progress 编号", "某项任务的进展", min_args=1, read=_show(rq.View.PROGRESS)),
        Command("due", cmd_due, b, "/due [计划]", "本月到期", menu="本月到期的任务"),
        Command("overdue", cmd_overdue, b, "/overdue [计划]", "逾期", menu="逾期任务"),
        Command("silent", cmd_silent, b, "/silent [计划]", "近期没有反馈的任务"),
        Command("board", cmd_board, b, "/board [计划]", "红黄绿看板", menu="红黄绿看板"),
        Command("plans", cmd_plans, b, "/plans", "本单位的各项计划及简称", menu="计划列表",
                words=("计划列表", "有哪些计划", "哪些计划", "所有计划", "计划有哪些", "看看计划", "plans", "list plans")),
    ]


def routes() -> dict[type, object]:
    """The answers about named tasks."""
    return {rq.ShowTasks: on_show, rq.TaskIds: on_task_ids}
