"""Platform-neutral outbound messages and the notifier port that carries them."""

from __future__ import annotations

import enum
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

    async def send(self, recipient: Recipient, message: OutboundMessage) -> SendResult:
        sender = self._senders.get(recipient.platform)
        if sender is None:
            raise UnknownPlatform(recipient.platform)
        return await sender.send(recipient, message)
