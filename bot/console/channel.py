"""The console channel: a terminal chat speaking the same commands as Telegram and WeCom."""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from bot.chat.events import ChatEvent, ChatHandler
from bot.notify import ALL_CAPS, Button, OutboundMessage, Recipient, SendResult, SendStatus

PLATFORM = "console"
CHAT_ID = "console"
DEFAULT_EXPORT_DIR = "exports"  # under the working directory; `[console] export_dir` in config

BANNER = """督办控制台（输入 /help 查看用法，/bind 单位 以该单位身份接收提醒，quit 退出）
按钮显示为 [1] [2] …，输入数字即可点按；输入 “@消息号 文字” 可回复某条提醒。"""


class ConsoleSender:
    """Prints pushed reminders and replies; remembers the buttons on screen so a digit can press them."""

    platform = PLATFORM
    caps = ALL_CAPS

    def __init__(self, out: TextIO | None = None, *, export_dir: str | Path | None = None) -> None:
        self.out = out or sys.stdout
        self._ids = itertools.count(1)
        self.buttons: dict[str, tuple[str, str]] = {}  # "1" → (callback data, message id)
        # Where received documents (/export, /bulletin) are written. None: taken from the chat service's
        # settings when run_console starts, else DEFAULT_EXPORT_DIR.
        self.export_dir: Path | None = Path(export_dir) if export_dir is not None else None
        # Told each new number as it is shown (the CLI stores it), so numbers continue after a restart.
        self.on_number: Callable[[int], None] | None = None

    def save_document(self, name: str, data: bytes) -> Path:
        """Write a received document into the export directory; an existing file is never overwritten."""
        folder = (self.export_dir or Path(DEFAULT_EXPORT_DIR)).expanduser()
        folder.mkdir(parents=True, exist_ok=True)
        safe = Path(name.replace("\\", "/")).name or "附件"
        target = folder / safe
        stem, suffix = target.stem, target.suffix
        n = 1
        while target.exists():
            n += 1
            target = folder / f"{stem}_{n}{suffix}"
        target.write_bytes(data)
        return target.resolve()

    def resume_after(self, last_id: int) -> None:
        """Number new messages after `last_id`, so a tap on "#1" after a restart is never an older #1."""
        self._ids = itertools.count(last_id + 1)

    def show(self, message: OutboundMessage) -> str:
        mid = message.edit_message_id or str(next(self._ids))
        if not message.edit_message_id and self.on_number is not None:
            self.on_number(int(mid))
        head = f"── 消息 #{mid}" + ("（已更新）" if message.edit_message_id else "") + " ──"
        lines = [head, message.text]
        if message.document:
            name, data = message.document
            try:
                lines.append(f"[附件] 已保存到 {self.save_document(name, data)}（{len(data)} 字节）")
            except OSError as exc:
                lines.append(f"[附件] {name}（{len(data)} 字节）未能保存：{exc.strerror or exc}")
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


async def run_console(handler: ChatHandler, sender: ConsoleSender, *, read: Callable[[], str] | None = None,
                      after_each: Callable[[], Awaitable[object]] | None = None) -> None:
    """Read lines until EOF or quit, answering each through the chat layer.

    `after_each` runs once at start and after every line (the CLI passes a sweep and dispatch, so
    reminders owed at `--now` show up as soon as the console is bound to a unit).
    """
    loop = asyncio.get_running_loop()
    read = read or sys.stdin.readline
    if sender.export_dir is None:
        settings = getattr(handler, "settings", None)  # the ChatService carries the loaded config
        console = getattr(settings, "console", None)
        if console is not None:
            sender.export_dir = Path(console.export_dir)
    sender.out.write(BANNER + "\n")
    if after_each is not None:
        await after_each()
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
        if after_each is not None:
            await after_each()
