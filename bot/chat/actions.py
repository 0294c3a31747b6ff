"""Chat writes by unit staff: /report, one-tap buttons, replies to reminders, deferrals, snoozes."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from sqlmodel import col, select

from bot.chat.context import Ctx, reply
from bot.notify import Button, OutboundMessage, Recipient
from bot.render.task_text import STATUS_CN
from bot.services import callbacks
from bot.services.errors import Forbidden, UserError
from bot.services.reports import parse_date, parse_report_args, role_of
from bot.services.tasks import require_task
from bot.workdays import next_office_slot
from jobs.calendar import office_hours
from jobs.outbox import from_payload
from storage.models import AuditLog, Deferral, Outbox, Snooze, StatusReport, Task


def _may_report(ctx: Ctx, task: Task) -> str | None:
    """The actor's role on the task; admins may report on any task; others only on their unit's."""
    role = role_of(session=ctx.session, task_id=task.id, unit_id=ctx.actor.unit.id if ctx.actor.unit else None)
    if role is None and not ctx.actor.is_admin:
        unit = ctx.actor.unit.name if ctx.actor.unit else "本聊天"
        raise Forbidden(f"{unit}不是第{task.ref}项的牵头或配合单位，不能反馈该任务。")
    return role


def record(ctx: Ctx, task: Task, status: str, percent: int | None, note: str) -> StatusReport:
    report = StatusReport(task_id=task.id, unit_id=ctx.actor.unit.id if ctx.actor.unit else None, status=status,
                          percent=percent, note=note, reporter=ctx.actor.ref, created_at=ctx.now)
    ctx.session.add(report)
    ctx.session.add(AuditLog(at=ctx.now, actor=ctx.actor.ref, action=f"report.{status}",
                             detail=f"第{task.ref}项 {percent if percent is not None else ''} {note}".strip()))
    return report


def _recorded_line(status: str, percent: int | None, note: str, ctx: Ctx) -> str:
    pct = f" {percent}%" if percent is not None and status != "done" else ""
    who = ctx.actor.unit.name if ctx.actor.unit else "管理员"
    stamp = ctx.now.astimezone(ctx.settings.app.tz).strftime("%m-%d %H:%M")
    return f"✅ 已记录：{STATUS_CN[status]}{pct}{('，' + note) if note else ''}（{who} {stamp}）"


def cmd_report(ctx: Ctx, args: list[str]):
    if not args:
        raise UserError("用法：/report 编号 状态 [百分比] [说明]，如 /report 25 推进中 60% 已完成隐患排查")
    task = require_task(session=ctx.session, ref=args[0])
    _may_report(ctx, task)
    data = parse_report_args(args[1:])
    record(ctx, task, data.status, data.percent, data.note)
    return reply(f"第{task.ref}项「{task.title}」\n" + _recorded_line(data.status, data.percent, data.note, ctx))


def _original(ctx: Ctx) -> Outbox | None:
    """The reminder a button was pressed on or a reply answers, found by its message id."""
    mid = ctx.event.callback_message_id or ctx.event.reply_to_message_id
    if not mid:
        return None
    recipient = Recipient(ctx.event.platform, ctx.event.chat_id).key()
    return ctx.session.exec(select(Outbox).where(Outbox.recipient == recipient, Outbox.message_id == mid)).first()


def on_button(ctx: Ctx, data: str):
    parsed = callbacks.verify(ctx.key, data)
    if parsed is None:
        ctx.session.add(AuditLog(at=ctx.now, actor=ctx.actor.ref, action="callback.forged", detail=data[:200]))
        return reply("这个按钮无效或已过期，未做任何修改。")
    action, task_id, arg = parsed
    if action in ("dfa", "dfr", "imp", "imx"):
        from bot.chat import admin  # admin buttons live with the admin commands

        return admin.on_admin_button(ctx, action, task_id, arg)
    task = ctx.session.get(Task, task_id)
    if task is None or task.removed:
        return reply("该任务已不在当前计划中。")
    _may_report(ctx, task)
    original = _original(ctx)
    base = from_payload(original.payload).text if original else f"第{task.ref}项「{task.title}」"
    mid = ctx.event.callback_message_id
    if action == "st":
        if arg not in STATUS_CN or arg == "note":
            return reply("这个按钮无效，未做任何修改。")
        record(ctx, task, arg, 100 if arg == "done" else None, "")
        return [OutboundMessage(text=f"{base}\n\n{_recorded_line(arg, None, '', ctx)}", edit_message_id=mid)]
    if action == "snooze":
        return snooze(ctx, task, base, mid, original)
    if action == "defer":
        open_ = ctx.session.exec(select(Deferral).where(Deferral.requested_by == ctx.actor.ref,
                                                        Deferral.status == "awaiting_date")).all()
        for d in open_:
            d.status = "rejected"  # only the newest request waits for a date
        ctx.session.add(Deferral(task_id=task.id, unit_id=ctx.actor.unit.id if ctx.actor.unit else None,
                                 requested_by=ctx.actor.ref, created_at=ctx.now))
        return [
            OutboundMessage(text=f"{base}\n\n⏳ 申请延期：请回复希望延期到的日期", edit_message_id=mid),
            OutboundMessage(text=f"请回复第{task.ref}项希望延期到的日期（如 2021-10-15 或 10月15日），可附理由；回复“取消”放弃。"),
        ]
    return reply("这个按钮无效，未做任何修改。")


def snooze(ctx: Ctx, task: Task, base: str, mid: str | None, original: Outbox | None):
    hours = office_hours(ctx.settings)
    tomorrow = ctx.calendar.next_workday(ctx.today, inclusive=False)
    until = next_office_slot(datetime.combine(tomorrow, time(0, 0), ctx.settings.app.tz), ctx.calendar, hours)
    unit_id = ctx.actor.unit.id if ctx.actor.unit else None
    if unit_id is not None:
        ctx.session.add(Snooze(task_id=task.id, unit_id=unit_id, until=until, created_at=ctx.now))
    message = OutboundMessage(text="【稍后提醒】" + base, buttons=_buttons_of(original))
    ctx.push(Recipient(ctx.event.platform, ctx.event.chat_id), message, task_id=task.id, kind="snooze", at=until,
             key=f"{task.id}|snooze|{ctx.event.platform}:{ctx.event.chat_id}|snooze|{until.date().isoformat()}")
    stamp = until.astimezone(ctx.settings.app.tz).strftime("%m月%d日 %H:%M")
    return [OutboundMessage(text=f"{base}\n\n⏰ 好的，{stamp}再提醒。", edit_message_id=mid)]


def _buttons_of(original: Outbox | None) -> list[list[Button]]:
    return from_payload(original.payload).buttons if original is not None else []


DEFERRAL_WAIT = timedelta(days=1)  # a 申请延期 tap waits this long for its date
_LOOKS_LIKE_DATE = re.compile(r"^\s*(\d{4}[-/.年]|\d{1,2}[-/.月]|取消|cancel|算了)")


def awaiting_deferral(ctx: Ctx, text: str) -> Deferral | None:
    """The actor's open 申请延期 that this text may answer.

    In a group only a date-looking text (or 取消) answers it, so everyday talk is not read as a date.
    """
    if ctx.event.is_group and not _LOOKS_LIKE_DATE.match(text):
        return None
    return ctx.session.exec(select(Deferral).where(Deferral.requested_by == ctx.actor.ref,
                                                   Deferral.status == "awaiting_date",
                                                   col(Deferral.created_at) > ctx.now - DEFERRAL_WAIT)).first()


def complete_deferral(ctx: Ctx, deferral: Deferral, text: str):
    """The text after a 申请延期 tap: a date (and reason) that goes to the admins for approval."""
    if text.strip() in ("取消", "cancel", "算了"):
        deferral.status = "rejected"
        deferral.reason = "申请人取消"
        return reply("已取消延期申请。")
    first, _, reason = text.strip().partition(" ")
    when = parse_date(first, today=ctx.today)
    if when <= ctx.today:
        raise UserError("延期后的日期应晚于今天。")
    task = ctx.session.get(Task, deferral.task_id)
    deferral.requested_date, deferral.reason, deferral.status = when, reason.strip(), "pending"
    ctx.session.flush()
    who = ctx.actor.unit.name if ctx.actor.unit else ctx.actor.ref
    message = OutboundMessage(
        text=f"【延期申请】{who}申请将第{task.ref}项「{task.title}」延期至{when.isoformat()}"
             + (f"，理由：{deferral.reason}" if deferral.reason else "") + "。",
        buttons=[[Button("批准", callbacks.sign(ctx.key, "dfa", deferral.id)),
                  Button("驳回", callbacks.sign(ctx.key, "dfr", deferral.id))]],
    )
    admins = ctx.admin_recipients()
    for r in admins:
        ctx.push(r, message, task_id=task.id, kind="admin", key=f"{task.id}|deferral:{deferral.id}|{r.key()}|admin|request")
    tail = "已提交管理员审批。" if admins else "已记录，但尚未配置管理员，请联系办公室处理。"
    return reply(f"第{task.ref}项延期至{when.isoformat()}的申请{tail}")


def on_reply_text(ctx: Ctx, text: str):
    """A reply to a reminder: the text becomes the progress note on that task."""
    original = _original(ctx)
    if original is None or original.task_id is None:
        return None
    task = ctx.session.get(Task, original.task_id)
    if task is None:
        return None
    _may_report(ctx, task)
    record(ctx, task, "note", None, text.strip())
    return reply(f"已记录第{task.ref}项的进展说明：{text.strip()}")
