"""Platform-neutral outbound messages and the notifier port that carries them."""

from __future__ import annotations

import enum
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from bot.outages import Admission, Outages


@dataclass(frozen=True)
class Recipient:
    """Where a push goes: a platform name and an address on it (chat id, userid, robot name)."""

    platform: str
    address: str

    def key(self) -> str:
        return f"{self.platform}:{self.address}"

    @classmethod
    def parse(cls, key: str) -> Recipient:
        platform, _, address = key.partition(":")
        return cls(platform, address)


@dataclass(frozen=True)
class Button:
    """An inline button; `data` comes back verbatim in a ChatEvent.callback_data."""

    label: str
    data: str


@dataclass
class OutboundMessage:
    """One message to send: plain text always, optional markdown and buttons (one row each list)."""

    text: str
    markdown: str | None = None
    title: str | None = None
    buttons: list[list[Button]] = field(default_factory=list)
    # A file attachment (name, bytes), e.g. the ledger export.
    document: tuple[str, bytes] | None = None
    # Set on a reply to edit the message a button was pressed on instead of sending a new one.
    edit_message_id: str | None = None
    # Set to make this message a threaded reply to a message in the same chat.
    reply_to_message_id: str | None = None


_encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps with an option builds an encoder per call


def to_payload(message: OutboundMessage) -> str:
    """A message as stored in an outbox row (files are never queued, only sent as replies)."""
    return _encode(
        {
            "text": message.text,
            "title": message.title,
            "markdown": message.markdown,
            "buttons": [[{"label": b.label, "data": b.data} for b in row] for row in message.buttons],
        }
    )


def from_payload(payload: str) -> OutboundMessage:
    """The message an outbox row holds."""
    data = json.loads(payload or "{}")
    buttons = [[Button(b["label"], b["data"]) for b in row] for row in data.get("buttons", [])]
    return OutboundMessage(text=data.get("text", ""), markdown=data.get("markdown"), title=data.get("title"),
                           buttons=buttons)


class Cap(enum.StrEnum):
    """What a channel can do with a message; renderers ask these, never a platform's name."""

    BUTTONS = "buttons"  # inline buttons whose presses come back as events
    REPLY = "reply"  # a reply to one of our messages comes back tied to it
    MARKDOWN = "markdown"
    FILES = "files"  # documents can be sent
    EDIT = "edit"  # a sent message can be edited in place


ALL_CAPS = frozenset(Cap)


class SendStatus(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"  # transient: try again after `retry_after` seconds
    FAILED = "failed"  # permanent for this message (bad request)
    INACTIVE = "inactive"  # the recipient blocked us or left: stop sending there
    UNKNOWN = "unknown"  # timed out after the request went out: delivery unknown, do not resend


@dataclass
class SendResult:
    status: SendStatus
    message_id: str | None = None
    retry_after: float | None = None
    detail: str = ""
    # The recipient moved (Telegram group upgraded to supergroup): re-key and resend there.
    new_address: str | None = None
    outage: bool = False  # the platform could not be reached: the row waits for it, never "failed"


class Sender(Protocol):
    """One per platform; knows that platform's API, limits and error semantics."""

    platform: str
    caps: frozenset[Cap]

    async def send(self, recipient: Recipient, message: OutboundMessage) -> SendResult: ...


class Progress:
    """One delivery's progress through the parts of a message, kept across attempts.

    A sender that splits a message numbers its requests 0, 1, …; it skips a part an earlier attempt
    delivered (`skip`), awaits `starting(i)` right before request i leaves (the dispatcher records
    "request started" and the parts already delivered there, durably, before anything can reach the
    platform), and calls `sent(i)` when it went through. A sender declares `tracks_progress = True`
    when it does this; for any other the Notifier calls `starting` once before handing the message over.
    """

    def __init__(self, parts_sent: int = 0, on_start: Callable[[int], Awaitable[None]] | None = None) -> None:
        self.parts_sent = parts_sent  # leading parts delivered by earlier attempts
        self._on_start = on_start
        self._cursor = 0

    def rewind(self) -> None:
        """Start numbering a new attempt's requests from part 0."""
        self._cursor = 0

    def next_index(self) -> int:
        """The number of the next request in this attempt."""
        index, self._cursor = self._cursor, self._cursor + 1
        return index

    def skip(self, index: int) -> bool:
        return index < self.parts_sent

    async def starting(self, index: int) -> None:
        if self._on_start is not None:
            await self._on_start(index)

    def sent(self, index: int) -> None:
        self.parts_sent = max(self.parts_sent, index + 1)


_GO = Admission(True)


class UnknownPlatform(LookupError):
    """No sender is registered for a recipient's platform."""


class Notifier:
    """Routes a message to the sender registered for the recipient's platform, holding it while that is down."""

    def __init__(self, senders: list[Sender] | None = None, *, outages: Outages | None = None) -> None:
        self._senders: dict[str, Sender] = {}
        self.outages = outages or Outages()  # which platforms (or endpoints) cannot be reached now
        for sender in senders or []:
            self.register(sender)

    def mark_down(self, platform: str, why: str) -> None:
        """The platform cannot be reached (its channel failed to start): its sends wait, untried."""
        self.outages.hold(platform, why)

    def mark_up(self, platform: str) -> None:
        self.outages.release(platform)

    @property
    def down(self) -> dict[str, str]:
        return self.outages.down

    def register(self, sender: Sender) -> None:
        self._senders[sender.platform] = sender

    @property
    def platforms(self) -> list[str]:
        return sorted(self._senders)

    def has(self, platform: str) -> bool:
        return platform in self._senders

    def caps(self, platform: str) -> frozenset[Cap]:
        """What the platform's sender can do; a platform with no sender yet is assumed capable of all."""
        sender = self._senders.get(platform)
        return getattr(sender, "caps", ALL_CAPS) if sender is not None else ALL_CAPS

    def sender(self, platform: str) -> Sender | None:
        return self._senders.get(platform)

    async def send(self, recipient: Recipient, message: OutboundMessage,
                   progress: Progress | None = None) -> SendResult:
        """Send through the platform's sender, unless it is down (bot.outages): then nothing leaves (no "request
        started") and the result is an outage retry, due when the next probe may go."""
        sender = self._senders.get(recipient.platform)
        if sender is None:
            raise UnknownPlatform(recipient.platform)
        reach = sender.reach(recipient) if hasattr(sender, "reach") else recipient.platform
        if not self.outages.any():  # the common case: everything reachable
            admission = _GO
        else:
            admission = await self.outages.admit(reach)
            if not admission.go:
                return SendResult(SendStatus.RETRY, retry_after=admission.wait, outage=True, detail=admission.why)
        result = None
        try:
            result = await self._send(sender, recipient, message, progress)
        finally:
            if result is None or result.outage or admission.probe or self.outages.any():
                answered = result is not None and result.status is not SendStatus.UNKNOWN
                wait = self.outages.seen(reach, outage=result is not None and result.outage, answered=answered,
                                         why=result.detail if result is not None else "", probe=admission.probe)
                if result is not None and result.outage:
                    result.retry_after = max(result.retry_after or 0.0, wait)
        return result

    @staticmethod
    async def _send(sender: Sender, recipient: Recipient, message: OutboundMessage,
                    progress: Progress | None) -> SendResult:
        if progress is None:
            return await sender.send(recipient, message)
        if getattr(sender, "tracks_progress", False):
            return await sender.send(recipient, message, progress=progress)
        # This sender cannot say when its request leaves: count it as started before handing it over.
        await progress.starting(progress.parts_sent)
        return await sender.send(recipient, message)
