"""The outbox's one key scheme, and writing a row exactly once per key."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import Outbox


def outbox_key(*, task_id: int | None, topic: str, recipient: str, kind: str, occurrence: str) -> str:
    """The unique key of one message: (task, what it is about, recipient, kind, occurrence).

    Every writer of the outbox builds its key here, so two writers of the same message collide on the
    unique index instead of sending twice. `topic` is the deadline (or `deferral:7`, `snooze`…) and
    `occurrence` the day or event the message belongs to.
    """
    return f"{task_id if task_id is not None else '-'}|{topic}|{recipient}|{kind}|{occurrence}"


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
