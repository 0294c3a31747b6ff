"""What every chat handler gets: one session, the actor, the clock, and a way to queue pushes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.chat.events import ChatEvent
from bot.config import Settings
from bot.notify import OutboundMessage, Recipient
from bot.services.binding import Actor, admin_recipients
from bot.workdays import WorkCalendar
from storage.models import Outbox


@dataclass
class Ctx:
    session: Session
    settings: Settings
    calendar: WorkCalendar
    now: datetime
    actor: Actor
    event: ChatEvent
    key: bytes  # callback signing key
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
        if self.session.exec(select(Outbox.id).where(Outbox.key == key)).first() is not None:
            return
        payload = {
            "text": message.text, "title": message.title, "markdown": message.markdown,
            "buttons": [[{"label": b.label, "data": b.data} for b in row] for row in message.buttons],
        }
        row = Outbox(key=key, task_id=task_id, recipient=recipient.key(), kind=kind, occurrence=self.today.isoformat(),
                     payload=json.dumps(payload, ensure_ascii=False), created_at=self.now,
                     next_attempt_at=at or self.now)
        try:
            with self.session.begin_nested():
                self.session.add(row)
            self.queued += 1
        except IntegrityError:
            pass


def reply(text: str, **kw) -> list[OutboundMessage]:
    return [OutboundMessage(text=text, **kw)]
