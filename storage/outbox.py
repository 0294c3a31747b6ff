"""The outbox's one shape: how a message is stored in a row, read back, and written exactly once per key."""

from __future__ import annotations

import json

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.notify import Button, OutboundMessage
from storage.models import Outbox


def to_payload(message: OutboundMessage) -> str:
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
    data = json.loads(payload or "{}")
    buttons = [[Button(b["label"], b["data"]) for b in row] for row in data.get("buttons", [])]
    return OutboundMessage(text=data.get("text", ""), markdown=data.get("markdown"), title=data.get("title"),
                           buttons=buttons)


def enqueue(*, session: Session, row: Outbox) -> bool:
    """Insert `row` unless its key is already there; True when it was written."""
    if session.exec(select(Outbox.id).where(Outbox.key == row.key)).first() is not None:
        return False
    try:
        with session.begin_nested():  # a concurrent writer of the same key wins quietly
            session.add(row)
    except IntegrityError:
        return False
    return True
