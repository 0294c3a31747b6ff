"""Platform-neutral outbound messages and the notifier port that carries them."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from typing import Protocol


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


def to_payload(message: OutboundMessage) -> str:
    """A message as stored in an outbox row (files are never queued, only sent as replies)."""
    return json.dumps(
        {
            "text": message.text,
            "title": message.title,
            "markdown": message.markdown,
            "buttons": [[{"label": b.label, "data": b.data} for b in row] for row in message.buttons],
        },
        ensure_ascii=False,
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


class Sender(Protocol):
    """One per platform; knows that platform's API, limits and error semantics."""

    platform: str
    caps: frozenset[Cap]

    async def send(self, recipient: Recipient, message: OutboundMessage) -> SendResult: ...


class UnknownPlatform(LookupError):
    """No sender is registered for a recipient's platform."""


class Notifier:
    """Routes a message to the sender registered for the recipient's platform."""

    def __init__(self, senders: list[Sender] | None = None) -> None:
        self._senders: dict[str, Sender] = {}
        for sender in senders or []:
            self.register(sender)

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

    async def send(self, recipient: Recipient, message: OutboundMessage) -> SendResult:
        sender = self._senders.get(recipient.platform)
        if sender is None:
            raise UnknownPlatform(recipient.platform)
        return await sender.send(recipient, message)
