"""What one chat of a unit said, shown to the unit's other bound chats (through the outbox, once per report)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.notify import OutboundMessage, Recipient, to_payload
from storage import repo
from storage.models import Outbox, StatusReport
from storage.outbox import enqueue, outbox_key


def share_report(*, session: Session, report: StatusReport, said_in: Recipient, message: OutboundMessage,
                 now: datetime) -> int:
    """Queue `message` (the report, worded by the caller) to the reporting unit's other chats; return how many.

    Two people of one unit each get every reminder; when one reports, the other hears it here instead of
    being left to report again. The key names the report, so a retried chat event never sends it twice.
    """
    if report.unit_id is None:
        return 0
    session.flush()  # the report's id is in its key
    written = 0
    for key in repo.chats_of_units(session=session, unit_ids=[report.unit_id]).get(report.unit_id, []):
        if key == said_in.key():
            continue
        row = Outbox(key=outbox_key(task_id=report.task_id, topic=f"shared:{report.id}", recipient=key, kind="notice",
                                    occurrence=now.date().isoformat()),
                     task_id=report.task_id, unit_id=report.unit_id, recipient=key, kind="notice",
                     occurrence=now.date().isoformat(), payload=to_payload(message), created_at=now,
                     next_attempt_at=now)
        written += enqueue(session=session, row=row)
    return written
