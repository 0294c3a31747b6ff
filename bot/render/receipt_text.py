"""Wording of 签收: the card a lead unit gets for a new item, its reminder, the office's notice, the lists."""

from __future__ import annotations

from datetime import datetime, tzinfo

from bot.render.task_text import local_stamp, nth

NOTHING_TO_SIGN = "没有需要签收的事项。"
NONE_UNSIGNED = "没有未签收的事项。"


def not_asked(ref: str) -> str:
    return f"{nth(ref)}无需本单位签收（只有牵头单位签收新交办的事项），未做任何修改。"


def signed(refs: list[str]) -> str:
    return "✅ 已签收：" + "、".join(nth(r) for r in refs) + "。"


def already_signed(ref: str) -> str:
    return f"{nth(ref)}本单位已签收过，未做任何修改。"


def card(ref: str, title: str, unit: str) -> str:
    return f"【新交办事项】{unit}：{nth(ref)}「{title}」由本单位牵头办理，请点“签收”确认收到（也可回复“签收”）。"


def reminder(ref: str, title: str, unit: str) -> str:
    return f"【签收提醒】{unit}：{nth(ref)}「{title}」尚未签收，请尽快签收。"


def office_notice(ref: str, title: str, unit: str) -> str:
    return f"【未签收】{nth(ref)}「{title}」交办后{unit}仍未签收，已提醒过一次，请督促。"


def unsigned_line(ref: str, title: str, unit: str, asked: datetime, tz: tzinfo) -> str:
    return f"{nth(ref)}「{title}」　{unit}　交办于{local_stamp(asked, tz, '%m-%d')}"


def notice_text(notice) -> str:
    """The words of a 签收 notice (bot.services.receipts.due_notices)."""
    t = notice.task
    words = {"sign_card": card, "sign_remind": reminder, "sign_office": office_notice}[notice.what]
    return words(notice.ref, t.title, notice.unit)
