"""Wording of reminders, escalations, check-ins and digests, and the buttons they carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.notify import Button, OutboundMessage
from bot.services import callbacks
from jobs.policy import Reminder

STATUS_BUTTONS = (("已完成", "done"), ("推进中", "in_progress"), ("有困难", "blocked"))
HINT = "点下方按钮一键反馈，或直接回复本消息填写进展说明。"
# What each channel can actually do with a reminder: WeCom app messages carry no reply-to, and group
# robots neither show buttons nor hear answers.
PLATFORM_HINT = {
    "wecom": "点下方按钮一键反馈，或发送“/report 编号 状态 说明”填写进展。",
    "robot": "请在督办助手中点按钮或发送“/report 编号 状态 说明”反馈进展。",
}
KIND_HEAD = {
    "upcoming": "【督办提醒】",
    "due": "【今日到期】",
    "overdue": "【逾期提醒】",
    "escalation": "【督办升级】",
    "checkin": "【进展填报】",
    "digest": "【督办汇总】",
}


@dataclass
class TaskInfo:
    title: str
    ref: str
    lead_names: list[str]


def cn_date(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "长期"


def status_buttons(key: bytes, task_id: int) -> list[list[Button]]:
    """The one-tap answers every reminder carries."""
    row1 = [Button(label, callbacks.sign(key, "st", task_id, code)) for label, code in STATUS_BUTTONS]
    row2 = [
        Button("申请延期", callbacks.sign(key, "defer", task_id)),
        Button("稍后提醒", callbacks.sign(key, "snooze", task_id)),
    ]
    return [row1, row2]


def _when(r: Reminder) -> str:
    if r.kind == "due":
        return "今天到期"
    if r.workdays_left < 0:
        return f"已逾期 {-r.workdays_left} 个工作日"
    return f"还有 {r.workdays_left} 个工作日"


def line(r: Reminder, task: TaskInfo, unit_name: str, deadline_text: str) -> str:
    """One reminder in one line, for digests and the simulate timeline."""
    role = {"lead": "牵头", "co": "配合", "supervisor": "督办"}.get(r.role, r.role)
    if r.kind == "checkin":
        return f"第{task.ref}项「{task.title}」（{role}）：本月请反馈进展"
    dl = f"（{deadline_text}）" if deadline_text else ""
    return f"第{task.ref}项「{task.title}」（{role}）：时限{cn_date(r.deadline)}{dl}，{_when(r)}"


def for_platform(message: OutboundMessage, platform: str) -> OutboundMessage:
    """The same reminder, worded for what `platform` can do."""
    hint = PLATFORM_HINT.get(platform)
    if hint is None or HINT not in message.text:
        return message
    buttons = [] if platform == "robot" else message.buttons
    return OutboundMessage(text=message.text.replace(HINT, hint), markdown=message.markdown, title=message.title,
                           buttons=buttons)


def render(r: Reminder, *, task: TaskInfo | None, unit_name: str, deadline_text: str, key: bytes,
           items: list[str] | None = None) -> OutboundMessage:
    head = KIND_HEAD[r.kind]
    if r.kind == "digest":
        body = "\n".join(f"{i}. {text}" for i, text in enumerate(items or [], 1))
        text = (f"{head}{unit_name}近期有 {len(items or [])} 项任务需要关注：\n{body}\n"
                "反馈进展：发送“/report 编号 状态 说明”，如 /report 12 推进中 已完成主体工程。")
        return OutboundMessage(text=text, title=f"{unit_name}督办汇总")
    assert task is not None and r.task_id is not None
    dl = f"（{deadline_text}）" if deadline_text else ""
    if r.kind == "escalation":
        text = (f"{head}第{task.ref}项「{task.title}」\n牵头单位：{'、'.join(task.lead_names)}，"
                f"时限{cn_date(r.deadline)}{dl}，{_when(r)}，尚未反馈完成。请督促落实。")
        return OutboundMessage(text=text, title="督办升级")
    if r.kind == "checkin":
        text = (f"{head}第{task.ref}项「{task.title}」\n贵单位（{unit_name}）牵头，本月请反馈工作进展。\n"
                + HINT)
    elif r.role == "co":
        text = (f"{head}第{task.ref}项「{task.title}」\n贵单位（{unit_name}）配合，牵头单位：{'、'.join(task.lead_names)}。"
                f"请于{cn_date(r.deadline)}前向牵头单位报送配合情况（{_when(r)}）。\n"
                + HINT)
    else:
        text = (f"{head}第{task.ref}项「{task.title}」\n贵单位（{unit_name}）牵头，时限{cn_date(r.deadline)}{dl}，"
                f"{_when(r)}。\n" + HINT)
    return OutboundMessage(text=text, title=f"第{task.ref}项督办", buttons=status_buttons(key, r.task_id))
