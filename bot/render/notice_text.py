"""Lines a unit's other chats read when one of its members has said something (a report)."""

from __future__ import annotations

from bot.render.task_text import nth


def unit_reported(ref: str, title: str, recorded: str) -> str:
    """"【本单位已反馈】第25项「…」✅ 已记录：推进中 60%，说明（安全办 08-23 09:30）"."""
    return f"【本单位已反馈】{nth(ref)}「{title}」{recorded}\n（同单位的其他聊天已反馈，无需重复填报。）"
