"""Pushes from a chat through the outbox: to a unit's chats, to the admins, to whoever asked for a deferral, and
what one chat of a unit said to the unit's other bound chats.

The chat renders the message; this module queues it, durable and exactly once per key.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from bot.notify import OutboundMessage, Recipient, to_payload
from storage import repo
from storage.models import Deferral, Outbox, StatusReport
from storage.outbox import enqueue, insert_new, outbox_key, pending_row


def queue(*, session: Session, recipient: Recipient, message: OutboundMessage, key: str, kind: str, now: datetime,
          today: date, task_id: int | None = None, at: datetime | None = None) -> int:
    """Queue one message for the dispatcher; 1 when queued, 0 when its key was queued before."""
    row = Outbox(key=key, task_id=task_id, recipient=recipient.key(), kind=kind, occurrence=today.isoformat(),
                 payload=to_payload(message), created_at=now, next_attempt_at=at or now)
    queued = int(enqueue(session=session, row=row))
    session.info[QUEUED] = session.info.get(QUEUED, 0) + queued
    return queued


QUEUED = "duban.queued"  # session.info: how many messages this unit of work queued, so a chat kicks the dispatcher


def unit_chats(*, session: Session, unit_id: int) -> list[Recipient]:
    """Where a message for a unit goes from the chat: its bound chats."""
    return [Recipient(c.platform, c.address) for c in repo.bound_chats(session=session, unit_id=unit_id)]


def requester_chats(*, session: Session, deferral: Deferral) -> list[Recipient]:
    """Where the requesting unit hears a decision: its bound chats.

    Not the requester's user id: someone who asked from a bound group may never have opened a private chat with
    the bot, and Telegram refuses (403) to start one.
    """
    chats = unit_chats(session=session, unit_id=deferral.unit_id) if deferral.unit_id is not None else []
    return chats or [Recipient.parse(deferral.requested_by)]


def deferral_request(*, session: Session, deferral: Deferral, message: OutboundMessage, admins: list[Recipient],
                     now: datetime, today: date) -> int:
    """The request, with its 批准/驳回 buttons, to every admin; how many were queued."""
    queued = 0
    for r in admins:
        queued += queue(session=session, recipient=r, message=message, kind="admin", now=now, today=today,
                        task_id=deferral.task_id,
                        key=outbox_key(task_id=deferral.task_id, topic=f"deferral:{deferral.id}", recipient=r.key(),
                                       kind="admin", occurrence="request"))
    return queued


def deferral_decision(*, session: Session, deferral: Deferral, message: OutboundMessage, now: datetime,
                      today: date) -> int:
    """The verdict to the requesting unit's chats; how many were queued."""
    queued = 0
    for r in requester_chats(session=session, deferral=deferral):
        queued += queue(session=session, recipient=r, message=message, kind="notice", now=now, today=today,
                        task_id=deferral.task_id,
                        key=outbox_key(task_id=deferral.task_id, topic=f"deferral:{deferral.id}", recipient=r.key(),
                                       kind="notice", occurrence="decision"))
    return queued


def share_report(*, session: Session, report: StatusReport, said_in: Recipient, message: OutboundMessage,
                 now: datetime) -> int:
    """Queue `message` (the report, worded by the caller) to the reporting unit's other chats; return how many.

    Two people of one unit each get every reminder; when one reports, the other hears it here instead of
    being left to report again. The key names the report, so a retried chat event never sends it twice.
    """
    if report.unit_id is None:
        return 0
    session.flush()  # the report's id is in its key
    day, payload = now.date().isoformat(), to_payload(message)
    # One statement for all of them: a unit may have many chats (each member's, its groups), and a report is
    # the chat's most frequent write.
    rows = [pending_row(key=outbox_key(task_id=report.task_id, topic=f"shared:{report.id}", recipient=key,
                                       kind="notice", occurrence=day),
                        task_id=report.task_id, deadline_id=None, unit_id=report.unit_id, recipient=key,
                        kind="notice", occurrence=day, payload=payload, now=now)
            for key in repo.chats_of_units(session=session, unit_ids=[report.unit_id]).get(report.unit_id, [])
            if key != said_in.key()]
    return insert_new(session=session, rows=rows)
