"""Outbox rows one at a time: found by message id, listed for admins, the last reminder to a chat, one put back
in line."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import (
    Outbox,
)


def outbox_by_message(*, session: Session, message_id: str, recipient: str | None = None,
                      recipient_prefix: str | None = None) -> Outbox | None:
    """The outbox row that became platform message `message_id` (at one recipient, or under a prefix)."""
    stmt = select(Outbox).where(Outbox.message_id == message_id)
    if recipient is not None:
        stmt = stmt.where(Outbox.recipient == recipient)
    if recipient_prefix is not None:
        stmt = stmt.where(col(Outbox.recipient).startswith(recipient_prefix))
    return session.exec(stmt).first()


def outbox_rows(*, session: Session, state: str | None = None, limit: int = 50) -> list[Outbox]:
    """Outbox rows, newest first, optionally in one state."""
    stmt = select(Outbox).order_by(col(Outbox.id).desc()).limit(limit)
    if state:
        stmt = stmt.where(Outbox.state == state)
    return list(session.exec(stmt).all())


def last_message_number(*, session: Session, platform: str) -> int:
    """The highest numeric message id sent on a platform (the console numbers its messages)."""
    ids = session.exec(select(Outbox.message_id).where(col(Outbox.recipient).startswith(f"{platform}:"),
                                                       col(Outbox.message_id).is_not(None))).all()
    return max((int(i) for i in ids if str(i).isdigit()), default=0)


def latest_reminder_to(*, session: Session, recipient: str, since: datetime) -> Outbox | None:
    """The newest task reminder sent to a recipient after `since`."""
    stmt = (select(Outbox).where(Outbox.recipient == recipient, col(Outbox.task_id).is_not(None),
                                 Outbox.state == "sent", col(Outbox.created_at) > since)
            .order_by(col(Outbox.created_at).desc(), col(Outbox.id).desc()))
    return session.exec(stmt).first()


def requeue(*, session: Session, row_id: int, states: tuple[str, ...], now: datetime, reason: str) -> bool:
    """Put row `row_id` back in line (pending, due `now`, unclaimed) if it is in one of `states`: one conditional
    UPDATE, so two admins asking at once re-queue it once. True when this call did."""
    done = session.execute(
        update(Outbox).where(col(Outbox.id) == row_id, col(Outbox.state).in_(states))
        .values(state="pending", next_attempt_at=now, claimed_by=None, lease_until=None, request_started_at=None,
                error=reason)
    ).rowcount
    return done == 1


def digests_written(*, session: Session, at: datetime) -> list[Outbox]:
    """The digest rows written at `at`, in the order they were written."""
    stmt = select(Outbox).where(Outbox.kind == "digest", Outbox.created_at == at).order_by(col(Outbox.id))
    return list(session.exec(stmt).all())
