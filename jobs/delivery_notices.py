"""What the admins hear from the dispatcher: rows whose delivery is unknown (with 重发), recipients gone."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.notify import Button, OutboundMessage, Recipient, from_payload, to_payload
from bot.render import action_text
from bot.services.buttons import Action, sign, signing_key
from storage.models import AuditLog, Outbox, Unit
from storage.outbox import enqueue, expired_claims, outbox_key


def recover_interrupted(*, session: Session, now: datetime, admins: list[Recipient] | None = None) -> int:
    """Settle claims whose lease expired; return how many became "delivery unknown".

    A claim that never started its request is released for retry; a live peer's claims are untouched.
    """
    unknown, released = expired_claims(session, now=now)
    if unknown:
        session.add(AuditLog(at=now, actor="dispatcher", action="outbox.unknown", detail=str([r.id for r in unknown])))
        tell_unknown(session, unknown, admins or [], now)
    if released:
        session.add(AuditLog(at=now, actor="dispatcher", action="outbox.released", detail=str(released)))
    return len(unknown)


def tell_unknown(session: Session, rows: list, admins: list[Recipient], now: datetime) -> int:
    """Queue one notice per admin and unknown row (and attempt), with a 重发 button; return how many."""
    if not rows or not admins:
        return 0
    key = signing_key(session=session, now=now)
    written = 0
    for row in rows:
        if "|unknown:" in row.key:  # a notice about an unknown row that is itself unknown: no chain
            continue
        unit = session.get(Unit, row.unit_id).name if row.unit_id else "（未知单位）"
        excerpt = from_payload(row.payload).text.replace("\n", " ")[:60]
        text = action_text.delivery_unknown_notice(row.id, unit, row.recipient, excerpt)
        button = [[Button(action_text.RESEND_LABEL, sign(key, Action.RESEND, row.id))]]
        for admin in admins:
            if admin.key() == row.recipient:
                continue
            occurrence = f"{now.date().isoformat()}#{row.attempts}"
            notice = Outbox(key=outbox_key(task_id=None, topic=f"unknown:{row.id}", recipient=admin.key(),
                                           kind="notice", occurrence=occurrence),
                            unit_id=row.unit_id, recipient=admin.key(), kind="notice", occurrence=now.date().isoformat(),
                            payload=to_payload(OutboundMessage(text=text, buttons=button)), created_at=now,
                            next_attempt_at=now)
            written += enqueue(session=session, row=notice)
    return written


def tell_admins_gone(session: Session, unit_id: int | None, recipient: Recipient, admins: list[Recipient],
                 now: datetime) -> int:
    """Queue one notice per admin that this recipient is gone; return how many were written."""
    unit = session.get(Unit, unit_id).name if unit_id else "（未知单位）"
    text = action_text.recipient_gone_notice(unit, recipient.key())
    written = 0
    for admin in admins:
        if admin == recipient:
            continue
        notice = Outbox(key=outbox_key(task_id=None, topic=f"inactive:{recipient.key()}", recipient=admin.key(),
                                        kind="notice", occurrence=now.date().isoformat()),
                        unit_id=unit_id, recipient=admin.key(), kind="notice", occurrence=now.date().isoformat(),
                        payload=to_payload(OutboundMessage(text=text)), created_at=now, next_attempt_at=now)
        written += enqueue(session=session, row=notice)
    return written
