"""What a channel hands the chat layer, and the port it calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.notify import OutboundMessage


@dataclass(frozen=True)
class ChatEvent:
    """One incoming message or button press, already stripped of platform types."""

    platform: str  # "telegram", "wecom", "console"
    chat_id: str  # where replies go (a private chat, a group, a WeCom userid)
    user_id: str  # who acted; identities are bound per (platform, user_id) or per group chat
    text: str | None = None
    user_name: str | None = None
    is_group: bool = False
    message_id: str | None = None
    callback_data: str | None = None  # set for a button press
    callback_message_id: str | None = None  # the message whose button was pressed
    reply_to_message_id: str | None = None  # the message this one replies to
    reply_to_text: str | None = None
    file_name: str | None = None
    file_bytes: bytes | None = None
    file_mime: str | None = None  # e.g. "image/jpeg" for a photo
    # A forwarded message (Telegram) or the quoted part of one (WeCom 引用): its words and, when known, its author.
    forwarded_text: str | None = None
    forwarded_from: str | None = None


class ChatHandler(Protocol):
    """The command layer every channel calls: one event in, the replies to send back out."""

    async def handle(self, event: ChatEvent) -> list[OutboundMessage]: ...
