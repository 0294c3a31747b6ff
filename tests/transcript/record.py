"""Record the chat transcript: every scripted input through ChatService, every reply and push written down.

Run `python -m tests.transcript.record` to rewrite tests/transcript/golden.txt; tests/test_transcript.py replays
the script and compares. The script (script.txt beside this file) is one input a line:

    @ 2021-08-23 09:30          the clock from here on
    zj: 第12项进展如何            actor `zj` types the words
    zj! 推进中                   actor taps the button so labelled on the last reply it got
    zj!! 已完成                  actor taps the button so labelled on the newest push delivered to its chat
    zj> 设备下周到               actor replies to the newest push delivered to its chat
    zj# st 12 done              actor taps a freshly signed button (action, id, arg); `task:12` names task 12
    zj#! st:1:done:0000000000   actor taps raw (forged) callback data
    x: /start {invite}          "{invite}" is the newest invite code a reply showed (written as INVITE)
    # ...                       a comment

Each new outbox row is written down and then marked delivered (message id "m<row id>"), so taps and replies on
pushes find their original the way they would after the dispatcher sent it.
"""

from __future__ import annotations

import asyncio
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from bot.chat.events import ChatEvent
from bot.config import Settings
from bot.notify import OutboundMessage, from_payload
from bot.services import buttons as signed
from bot.services import vocab as vocab_cache
from bot.services.binding import bind_directly
from bot.services.tasks import require_task
from storage.db import open_store, session_scope
from storage.models import Outbox
from tests.chat_harness import Chat
from tests.conftest import SAMPLE, SH

HERE = Path(__file__).parent
_INVITE = re.compile(r"(?<=邀请码：)[0-9A-Z]{6,}")
SCRIPT = HERE / "script.txt"
GOLDEN = HERE / "golden.txt"


@dataclass(frozen=True)
class Actor:
    """One person in one chat."""

    label: str
    user: str
    chat: str
    group: bool


ACTORS = {
    "aq": Actor("安全办群·7", "7", "-200", True),  # bound by the harness
    "aq2": Actor("安全办群·8", "8", "-200", True),
    "zj": Actor("职教办·55", "55", "55", False),
    "jy": Actor("教研室·300", "300", "300", False),
    "jj": Actor("基教股群·401", "401", "-400", True),
    "admin": Actor("管理员·1", "1", "1", False),
    "adming": Actor("管理员在安全办群", "1", "-200", True),
    "x": Actor("未绑定·99", "99", "99", False),
    "xg": Actor("未绑定群·501", "501", "-500", True),
}
BINDINGS = [("职教办", "55", False), ("教研室", "300", False), ("基教股", "-400", True)]


def _messages(out: list[OutboundMessage]) -> list[str]:
    lines = []
    for m in out:
        head = []
        if m.title:
            head.append(f"title={m.title}")
        if m.edit_message_id:
            head.append(f"edits={m.edit_message_id}")
        if m.document:
            head.append(f"document={m.document[0]}")
        lines.append("  < " + (" ".join(f"[{h}]" for h in head) + " " if head else "") + m.text.replace("\n", "\n    "))
        for row in m.buttons:
            lines.append("    [" + " | ".join(b.label for b in row) + "]")
    return lines or ["  (no reply)"]


class Recorder:
    """Drives one ChatService over the seed plan through the script, writing the transcript."""

    def __init__(self) -> None:
        vocab_cache.clear_cache()  # process-global: a test before this one may have filled it
        self.engine = open_store("sqlite://")
        self.chat = Chat(self.engine, SAMPLE, settings=Settings(telegram={"admins": [1]}))
        with session_scope(self.engine) as s:
            for unit, address, group in BINDINGS:
                bind_directly(session=s, unit_name=unit, platform="telegram", address=address, now=self.chat.now,
                              actor="t", is_group=group)
        self.last_reply: dict[str, list[OutboundMessage]] = {}
        self.seen_outbox = 0
        self.out: list[str] = []
        self.invite = "NOINVITE"  # the newest invite code a reply showed; "{invite}" in the script stands for it

    def key(self) -> bytes:
        with session_scope(self.engine) as s:
            return signed.signing_key(session=s, now=self.chat.now)

    def task_id(self, ref: str) -> int:
        with session_scope(self.engine) as s:
            return require_task(session=s, ref=ref, plan=None, office_id=None).id

    def newest_push(self, chat: str, label: str | None = None) -> Outbox:
        """The newest push delivered to `chat` (carrying a button labelled `label`, when given)."""
        with session_scope(self.engine) as s:
            rows = s.execute(select(Outbox).where(Outbox.recipient == f"telegram:{chat}")
                             .order_by(Outbox.id.desc())).scalars().all()
            for row in rows:
                labels = [b.label for r in from_payload(row.payload).buttons for b in r]
                if label is None or label in labels:
                    s.expunge(row)
                    return row
        raise LookupError(f"{label} on a push to {chat}")

    def pushes(self) -> list[str]:
        """The outbox rows written since the last look, marked delivered."""
        with session_scope(self.engine) as s:
            rows = s.execute(select(Outbox).where(Outbox.id > self.seen_outbox).order_by(Outbox.id)).scalars().all()
            lines = []
            for r in rows:
                m = from_payload(r.payload)
                lines.append(f"  >> push m{r.id} to {r.recipient} ({r.kind}, task {r.task_id}):")
                lines += ["  " + x for x in _messages([m])]
                self.seen_outbox = r.id
                r.state, r.message_id = "sent", f"m{r.id}"
        return lines

    def event(self, actor: Actor, **kw) -> ChatEvent:
        return ChatEvent(platform="telegram", chat_id=actor.chat, user_id=actor.user, is_group=actor.group, **kw)

    def _button(self, messages: list[OutboundMessage], label: str) -> str:
        """The data of the button labelled `label` (or, failing that, whose label starts with it)."""
        found = [b for m in messages for row in m.buttons for b in row]
        for b in [b for b in found if b.label == label] + [b for b in found if b.label.startswith(label)]:
            return b.data
        raise LookupError(label)

    def step(self, line: str) -> ChatEvent | None:
        """The event a script line stands for (None for a clock line)."""
        if line.startswith("@ "):
            self.chat.now = datetime.fromisoformat(line[2:].strip()).replace(tzinfo=SH)
            return None
        for mark in ("#!", "!!", "#", "!", ">", ":"):
            name, sep, rest = line.partition(mark)
            if sep and name in ACTORS:
                return self._event(ACTORS[name], mark, rest.strip())
        raise ValueError(f"not a script line: {line!r}")

    def _event(self, actor: Actor, mark: str, rest: str) -> ChatEvent:
        if mark == ":":
            return self.event(actor, text=rest.replace("{invite}", self.invite))
        if mark == "!":
            return self.event(actor, callback_data=self._button(self.last_reply.get(actor.chat, []), rest))
        if mark in ("!!", ">"):
            row = self.newest_push(actor.chat, None if mark == ">" else rest)
            if mark == ">":
                return self.event(actor, text=rest, reply_to_message_id=row.message_id)
            data = self._button([from_payload(row.payload)], rest)
            return self.event(actor, callback_data=data, callback_message_id=row.message_id)
        if mark == "#!":
            return self.event(actor, callback_data=rest)
        action, ident, *arg = rest.split(" ")
        number = self.task_id(ident[5:]) if ident.startswith("task:") else int(ident)
        data = signed.sign(self.key(), signed.Action(action), number, arg[0] if arg else "")
        return self.event(actor, callback_data=data)

    async def run(self, lines: list[str]) -> str:
        n = 0
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith("# "):
                continue
            try:
                event = self.step(line)
            except LookupError as exc:  # a button the script expects is not there: written down, not sent
                n += 1
                self.out.append(f"\n#{n:03d} {line}\n  (no button {exc})")
                continue
            if event is None:
                self.out.append(f"\n=== {line[2:].strip()}")
                continue
            n += 1
            out = await self.chat.service.handle(event)
            self.last_reply[event.chat_id] = out
            for m in out:  # invite codes are random: kept for "{invite}", written as INVITE
                found = _INVITE.search(m.text)
                if found:
                    self.invite = found.group()
                    m.text = m.text.replace(self.invite, "INVITE")
            self.out.append(f"\n#{n:03d} {line}")
            self.out += _messages(out)
            self.out += self.pushes()
        self.engine.dispose()
        return "\n".join(self.out).lstrip("\n") + "\n"


def transcript() -> str:
    """The whole transcript, as golden.txt holds it."""
    return asyncio.run(Recorder().run(SCRIPT.read_text(encoding="utf-8").splitlines()))


def main() -> None:
    text = transcript()
    GOLDEN.write_text(text, encoding="utf-8")
    count = sum(1 for line in text.splitlines() if line.startswith("#"))
    print(f"wrote {GOLDEN} ({count} inputs)", file=sys.stderr)


if __name__ == "__main__":
    main()
