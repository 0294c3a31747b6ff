"""Wording of what chat writes: recorded reports, snoozes, deferrals, invites, bindings, notices."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from bot.render.task_text import STATUS_CN, cn_date, nth


def recorded_line(status: str, percent: int | None, note: str, who: str, at: datetime, tz: tzinfo) -> str:
    """"✅ 已记录：推进中 60%，说明（安全办 08-23 09:30）"."""
    pct = f" {percent}%" if percent is not None and status != "done" else ""
    stamp = at.astimezone(tz).strftime("%m-%d %H:%M")
    return f"✅ 已记录：{STATUS_CN[status]}{pct}{('，' + note) if note else ''}（{who} {stamp}）"


def on_behalf(unit: str) -> str:
    """The line before a status an admin set in a unit's name."""
    return f"管理员代{unit}设置（已记入日志）：\n"


def task_head(ref: str, title: str) -> str:
    return f"{nth(ref)}「{title}」"


def plan_head(plan: str) -> str:
    """"【县教育局2021年安全生产工作要点】" before a task's answer when the plan must be named; "" when not."""
    return f"【{plan}】" if plan else ""


def note_recorded(ref: str, note: str) -> str:
    return f"已记录{nth(ref)}的进展说明：{note}"


def snoozed(until: datetime, tz: tzinfo) -> str:
    return f"⏰ 好的，{until.astimezone(tz).strftime('%m月%d日 %H:%M')}再提醒。"


SNOOZE_HEAD = "【稍后提醒】"
BAD_BUTTON = "这个按钮无效，未做任何修改。"
FORGED_BUTTON = "这个按钮无效或已过期，未做任何修改。"
TASK_GONE = "该任务已不在当前计划中。"
ADMIN_ONLY_ACTION = "只有管理员可以执行此操作。"
DEFER_WAITING = "⏳ 申请延期：请回复希望延期到的日期"
DEFER_CANCELLED = "已取消延期申请。"


def defer_ask(ref: str) -> str:
    return f"请回复{nth(ref)}希望延期到的日期（如 2021-10-15 或 10月15日），可附理由；回复“取消”放弃。"


PLAN_FILE_ADMIN_ONLY = ("只有管理员可以导入计划文件。如这是佐证材料，请在说明中写上任务编号（如“第12项 验收报告”），"
                        "或回复该任务的提醒消息发送。")
NUDGE_ADMIN_ONLY = "只有管理员（办公室、督导室）可以催办。"
NUDGE_NOTHING_OPEN = "没有需要催办的未完成任务。"


def no_such_tasks(refs: list[str]) -> str:
    return "计划中没有" + "、".join(nth(r) for r in refs) + "。"


def nudge_line(label: str, title: str, role: str, due: date | None) -> str:
    """One task in a 催办 message."""
    when = f"，时限{cn_date(due)}" if due else ""
    return f"{label}「{title}」（{'牵头' if role == 'lead' else '配合'}{when}）"


def nudge_text(unit: str, lines: list[str], buttons: bool) -> str:
    """The 催办 message a unit gets when the office chases it."""
    how = ("点下方按钮，或回复本消息填写进展说明。" if buttons
           else "请回复“编号 状态 说明”，如“12 推进中 已完成招标”。")
    return f"【督办催办】{unit}：办公室请尽快反馈以下工作进展：\n" + "\n".join(lines) + "\n" + how


def nudged(sent: dict[str, list[str]], skipped: list[str]) -> str:
    """What the office is told after a 催办."""
    lines = [f"已催办{unit}：{'、'.join(labels)}" for unit, labels in sent.items()]
    if skipped:
        lines.append(f"{'、'.join(skipped)}没有绑定聊天，未能发送（可用 /invite 生成邀请码）。")
    return "\n".join(lines)


def no_request_on(ref: str) -> str:
    return f"{nth(ref)}没有待审批的延期申请。"


NOTHING_TO_CANCEL = "当前没有等待日期的延期申请，无需取消。"
DEFER_NEEDS_REF = "请写明要延期的任务编号和日期，如“第12项申请延期到10月31日 设备未到货”。"
DEFER_NOTHING_OPEN = "本单位没有未完成的任务，无需申请延期。"


def defer_pick(count: int) -> str:
    """A 申请延期 typed without a task number: the unit's open tasks to pick from."""
    more = "（只列出前几项，其他任务请写明编号）" if count > 6 else ""
    return (f"申请哪一项延期？请点选{more}，或写明编号，如“第12项申请延期到10月31日”。")


def defer_still_waiting(ref: str) -> str:
    return f"⏳ {nth(ref)}的延期申请仍在等待日期：回复日期（如 10月15日）即可提交，回复“取消”放弃。"


def defer_which(ref: str, text: str) -> str:
    """A text after a 申请延期 tap that is neither a date nor a reply to a reminder: ask which it is."""
    return (f"正在等待{nth(ref)}延期到的日期，“{text[:40]}”不像日期。\n"
            "请回复日期（如 10月15日），或点下方按钮：把这段话记为进展说明，或取消延期申请。")


def defer_request(who: str, ref: str, title: str, when: date, reason: str) -> str:
    return (f"【延期申请】{who}申请将{nth(ref)}「{title}」延期至{when.isoformat()}"
            + (f"，理由：{reason}" if reason else "") + "。")


def defer_submitted(ref: str, when: date, has_admins: bool) -> str:
    tail = "已提交管理员审批。" if has_admins else "已记录，管理员发送 /deferrals 即可审批。"
    return f"{nth(ref)}延期至{when.isoformat()}的申请{tail}"


def defer_verdict(ref: str, when: date, approved: bool) -> str:
    if approved:
        return f"已批准：{nth(ref)}延期至{when.isoformat()}。"
    return f"已驳回{nth(ref)}延期至{when.isoformat()}的申请，原时限不变。"


def defer_result(verdict: str) -> str:
    return f"【延期申请结果】{verdict}"


def invite_text(code: str, unit: str, link: str | None) -> str:
    """The invite an admin forwards; `link` is the channel's deep link when it has one."""
    tail = f"\n或点击链接：{link}" if link else ""
    return f"{unit}的邀请码：{code}（7天内有效，仅可使用一次）\n请对方向督办助手发送：/start {code}{tail}"


def bound(recipient: str, unit: str) -> str:
    return f"已将 {recipient} 绑定到{unit}。"


def bind_welcome(unit: str, is_group: bool, help_text: str) -> str:
    where = "本群" if is_group else "您"
    return f"绑定成功：{where}已绑定到{unit}。今后{unit}的督办提醒会发到这里。\n\n{help_text}"


def already_bound(unit: str, help_text: str) -> str:
    return f"本聊天已绑定{unit}。\n\n{help_text}"


def deadline_set(ref: str, when: date) -> str:
    return f"{nth(ref)}时限已设为{when.isoformat()}。"


def recipient_gone(unit: str, recipient: str) -> str:
    """The admins' notice that a chat blocked us or left."""
    return (f"【送达失败】{unit}的聊天 {recipient} 已屏蔽督办助手或已退出，今后不再向其发送提醒。"
            f"请重新邀请：/invite {unit}")


# --- delivery-unknown notices and 重发 (outbox rows) -----------------------------------------------------

RESEND_LABEL = "重发"


def delivery_unknown_notice(row_id: int, unit: str, recipient: str, excerpt: str) -> str:
    return (f"【送达未知】第 {row_id} 条提醒（{unit}，{recipient}）已发出请求，但没有收到平台确认，"
            f"可能已送达，也可能没有。\n内容：{excerpt}\n"
            f"确认对方没有收到时，点“{RESEND_LABEL}”或运行 duban outbox resend {row_id}。")


def resent(row_id: int) -> str:
    return f"已重新排队第 {row_id} 条提醒，稍后发出。"


def evidence_kept(ref: str, name: str, size: int) -> str:
    kb = max(1, round(size / 1024))
    return f"📎 已收到{nth(ref)}的佐证材料“{name}”（{kb} KB），已附在最新进展上。"


def evidence_guessed(ref: str) -> str:
    """The line after evidence filed under the newest reminder's task, as no task was named."""
    return f"\n（按最近一次提醒归入{nth(ref)}；如不对，请在说明中写上任务编号重新发送。）"


def recipient_gone_notice(unit: str, recipient: str) -> str:
    """The admins' notice that a unit's chat blocked the bot or left."""
    return (f"【送达失败】{unit}的聊天 {recipient} 已屏蔽督办助手或已退出，今后不再向其发送提醒。"
            f"请重新邀请：/invite {unit}")
