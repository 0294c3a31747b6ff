"""The web board's words and colours: the lights in order, refusals, the chat's /web answer."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from bot.render.task_text import EVENT_CN


@dataclass(frozen=True)
class State:
    key: str  # a light from board.light_of
    label: str
    colour: str


# Every state the board counts, in the order it shows them; a new state (待审核, 已销号…) is one more line here.
STATES: list[State] = [
    State("red", "逾期", "#d93025"),
    State("yellow", "临近未反馈", "#e8a200"),
    State("green", "正常", "#1e8e3e"),
    State("review", "待审核", "#8e44ad"),  # 申请办结 awaiting the office (办结审核)
    State("done", "已完成", "#1a73e8"),
    State("unowned", "未分配", "#9aa0a6"),
]
STATE_OF = {s.key: s for s in STATES}
OTHER = State("other", "其他", "#5f6368")

WHAT = {"done": "报告完成", "in_progress": "报告进展", "blocked": "报告受阻", "not_started": "报告未开始",
        "note": "补充说明", "overdue": "转为逾期"}
# The closing loop's steps as the item page lists them (the words /task uses), and what each one's note is.
EVENT = EVENT_CN
EVENT_NOTE = {"decline": "原因：", "return": "退回原因：", "apply": "办结报告：", "reassign": "", "sign": "", "pass": ""}
ROLE = {"lead": "牵头", "co": "配合", "leader": "牵头领导"}
DEFERRAL = {"awaiting_date": "待填日期", "pending": "待审批", "approved": "已批准", "refused": "已驳回",
            "cancelled": "已取消"}
REMINDER = {"upcoming": "到期提醒", "due": "当日提醒", "overdue": "逾期催办", "escalation": "升级督办",
            "digest": "周报", "checkin": "月度询问", "nudge": "催办", "notice": "通知", "stale": "久未反馈提醒"}
SENT = {"sent": "已送达", "pending": "待发送", "sending": "发送中", "retry": "重试中", "failed": "发送失败",
        "unknown": "送达未知", "inactive": "已取消"}

REFUSED = {
    "expired": ("链接已过期", "这个看板链接已超过有效期。请在聊天中发送 /web 获取新的链接。"),
    "revoked": ("链接已停用", "这个看板链接已被管理员停用。如仍需查看，请联系督办管理员。"),
    "forged": ("链接无效", "这个链接不完整或有误。请在聊天中发送 /web 获取新的链接，不要手动修改链接。"),
    "gone": ("链接无效", "链接对应的领导或单位已不存在。请联系督办管理员。"),
    "hidden": ("无权查看", "这一页不在您的查看范围内。"),
    "missing": ("没有这一页", "要查看的内容不存在或已删除。"),
    "unbound": ("尚未绑定", "您的企业微信账号还没有绑定单位或领导身份。请联系督办管理员绑定后再打开。"),
    "oauth": ("登录未完成", "企业微信身份验证没有完成。请从企业微信工作台重新打开督办看板。"),
}


def state(key: str) -> State:
    return STATE_OF.get(key, OTHER)


def local(at: datetime | None, tz: tzinfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if at else ""


def link_text(url: str, expires: datetime, tz: tzinfo, whose: str) -> str:
    """The chat's answer to /web: the personal link and until when it works."""
    return (f"{whose}的督办看板（只读，请勿转发）：\n{url}\n"
            f"有效期至 {expires.astimezone(tz).strftime('%Y-%m-%d %H:%M')}；过期后再发送 /web 获取新链接。")


WEB_OFF = "网页看板未启用。请管理员在配置文件的 [web] 中设置 enabled = true 和 base_url。"
WEB_NOT_FOR = "网页看板链接只发给已绑定的领导、单位和管理员。请先发送 /start 邀请码 完成绑定。"
BOARD_PICTURE = "红黄绿看板.png"


def with_board_link(message, link: tuple[str, datetime] | None, tz: tzinfo):
    """The 周报 with the leader's board link at its foot (unchanged without one)."""
    if link is None:
        return message
    url, expires = link
    line = f"网页看板（含图表，{expires.astimezone(tz):%m月%d日}前有效）：{url}"
    return replace(message, text=f"{message.text}\n\n{line}",
                   markdown=f"{message.markdown}\n\n[网页看板（含图表）]({url})" if message.markdown else None)
