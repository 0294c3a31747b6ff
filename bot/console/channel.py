"""The console channel: a terminal chat speaking the same commands as Telegram and WeCom."""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import Callable
from typing import TextIO

from bot.chat.events import ChatEvent, ChatHandler
from bot.notify import ALL_CAPS, Button, OutboundMessage, Recipient, SendResult, SendStatus

PLATFORM = "console"
CHAT_ID = "console"

BANNER = """督办控制台（输入 /help 查看用法，/bind 单位 以该单位身份接收提醒，quit 退出）
按钮显示为 [1] [2] …，输入数字即可点按；输入 “@消息号 文字” 可回复某条提醒。"""


class ConsoleSender:
    """Prints pushed reminders and replies; remembers the buttons on screen so a digit can press them."""

    platform = PLATFORM
    caps = ALL_CAPS

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self._ids = itertools.count(1)
        self.buttons: dict[str, tuple[str, str]] = {}  # "1" → (callback data, message id)

    def show(self, message: OutboundMessage) -> str:
        mid = message.edit_message_id or str(next(self._ids))
        head = f"── 消息 #{mid}" + ("（已更新）" if message.edit_message_id else "") + " ──"
        lines = [head, message.text]
        if message.document:
            lines.append(f"[附件] {message.document[0]}（{len(message.document[1])} 字节）")
        if message.buttons:
            self.buttons.clear()
            flat: list[Button] = [b for row in message.buttons for b in row]
            for i, b in enumerate(flat, 1):
                self.buttons[str(i)] = (b.data, mid)
            lines.append("  ".join(f"[{i}] {b.label}" for i, b in enumerate(flat, 1)))
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()
        return mid

    async def send(self, recipient: Recipient, message: OutboundMessage) -> SendResult:
        return SendResult(SendStatus.SENT, message_id=self.show(message))


def to_event(line: str, sender: ConsoleSender) -> ChatEvent | None:
    """A typed line → a ChatEvent (a digit presses a shown button, "@N text" replies to message N)."""
    text = line.strip()
    if not text:
        return None
    base = {"platform": PLATFORM, "chat_id": CHAT_ID, "user_id": CHAT_ID, "user_name": "控制台"}
    if text in sender.buttons:
        data, mid = sender.buttons[text]
        return ChatEvent(**base, callback_data=data, callback_message_id=mid)
    if text.startswith("@") and " " in text:
        mid, _, rest = text[1:].partition(" ")
        return ChatEvent(**base, text=rest, reply_to_message_id=mid)
    return ChatEvent(**base, text=text)


async def run_console(handler: ChatHandler, sender: ConsoleSender, *, read: Callable[[], str] | None = None) -> None:
    """Read lines until EOF or quit, answering each through the chat layer."""
    loop = asyncio.get_running_loop()
    read = read or sys.stdin.readline
    sender.out.write(BANNER + "\n")
    while True:
        sender.out.write("> ")
        sender.out.flush()
        line = await loop.run_in_executor(None, read)
        if not line or line.strip().lower() in ("quit", "exit", "退出"):
            return
        event = to_event(line, sender)
        if event is None:
            continue
        for message in await handler.handle(event):
            sender.show(message)
