"""What every chat handler gets: one session, the actor, the clock, and a way to queue pushes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from bot.chat.events import ChatEvent
from bot.config import Settings
from bot.notify import OutboundMessage, Recipient, to_payload
from bot.services.binding import Actor, admin_recipients
from bot.workdays import WorkCalendar
from storage.models import Outbox
from storage.outbox import enqueue


def _no_link(_code: str) -> str | None:
    return None


@dataclass
class Ctx:
    """One event's unit of work."""

    session: Session
    settings: Settings
    calendar: WorkCalendar
    now: datetime
    actor: Actor
    event: ChatEvent
    key: bytes  # button signing key
    invite_link: Callable[[str], str | None] = _no_link  # a channel's deep link for an invite code
    queued: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def today(self):
        return self.now.astimezone(self.settings.app.tz).date()

    def admin_recipients(self) -> list[Recipient]:
        return admin_recipients(self.settings)

    def push(self, recipient: Recipient, message: OutboundMessage, *, key: str, kind: str = "notice",
             task_id: int | None = None, at: datetime | None = None) -> None:
        """Queue a message for the dispatcher (durable, exactly once per key)."""
        row = Outbox(key=key, task_id=task_id, recipient=recipient.key(), kind=kind, occurrence=self.today.isoformat(),
                     payload=to_payload(message), created_at=self.now, next_attempt_at=at or self.now)
        self.queued += enqueue(session=self.session, row=row)


def reply(text: str, **kw) -> list[OutboundMessage]:
    return [OutboundMessage(text=text, **kw)]
