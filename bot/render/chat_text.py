"""Wording of chat answers: help, onboarding, task lists, the board."""

from __future__ import annotations

from datetime import date

from bot.render.reminder_text import cn_date
from bot.services.board import LIGHT_CN, TaskLight

HELP = """督办助手可以这样用：
· 问“安全办负责什么”“安全办牵头哪些、配合哪些”“第12项谁负责”“第12项进展如何”
· 问“本月到期的”“逾期的”“还没反馈的”“看板”
· /mine 我单位的任务　/owns 单位　/task 编号　/due 本月到期　/overdue 逾期　/board 红黄绿看板
· /report 编号 状态 [百分比] [说明]　状态：已完成 / 推进中 / 有困难 / 未开始
  例：/report 25 推进中 60% 已完成隐患排查
· 收到提醒时点按钮一键反馈，或直接回复提醒消息填写进展说明。"""

ADMIN_HELP = """管理员命令：
· /invite 单位 生成邀请码　/bind 单位 [平台:账号] 直接绑定
· /deadline 编号 日期 [说明] 设置时限　/export 导出台账（Excel）
· 直接发送计划文件（.docx/.xlsx/.txt）可导入，确认前会先显示变化。"""

ONBOARDING = ("您好，我是督办助手。本聊天还没有绑定单位，暂时不能查看计划或反馈进展。\n"
              "请向办公室（督导室）索取邀请码，然后发送：/start 邀请码")

COMMAND_MENU = [
    ("mine", "我单位负责的任务"),
    ("owns", "某单位负责什么，如 /owns 安全办"),
    ("task", "查看任务，如 /task 12"),
    ("due", "本月到期的任务"),
    ("overdue", "逾期任务"),
    ("board", "红黄绿看板"),
    ("report", "反馈进展，如 /report 12 推进中 说明"),
    ("help", "使用帮助"),
]


def light_line(t: TaskLight) -> str:
    dl = f"，时限{cn_date(t.overdue_since or t.next_deadline)}" if (t.overdue_since or t.next_deadline) else ""
    return f"{LIGHT_CN[t.light][:1]} 第{t.ref}项 {t.title}（牵头：{'、'.join(t.lead) or '未列'}{dl}）"


def board_text(lights: list[TaskLight], today: date) -> str:
    counts = {k: sum(t.light == k for t in lights) for k in LIGHT_CN}
    head = (f"督办看板（{cn_date(today)}）：共 {len(lights)} 项　"
            + "　".join(f"{LIGHT_CN[k]} {counts[k]}" for k in ("red", "yellow", "green", "done", "unowned")))
    lines = [head]
    for k in ("red", "yellow", "unowned"):
        group = [t for t in lights if t.light == k]
        if group:
            lines.append(f"{LIGHT_CN[k]}：")
            lines += ["  " + light_line(t) for t in group]
    return "\n".join(lines)


def light_list(title: str, lights: list[TaskLight], empty: str) -> str:
    if not lights:
        return empty
    return "\n".join([f"{title}（{len(lights)}项）："] + ["  " + light_line(t) for t in lights])
