"""What an admin may do about one outbox row: put a "delivery unknown" (or failed) reminder back in line."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.services.errors import UserError
from storage import repo
from storage.models import AuditLog, Outbox

RESENDABLE = ("unknown", "failed")
_REFUSED = {"sent": "已送达，不再重发", "pending": "已在发送队列中，无需重发", "retry": "已在发送队列中，无需重发",
            "sending": "正在发送，无需重发", "inactive": "的接收方已屏蔽或退出，请先重新邀请"}


def resend(*, session: Session, row_id: int, now: datetime, actor: str) -> Outbox:
    """Queue row `row_id` again, once: only a row in `unknown` or `failed` goes back to `pending`.

    Raises UserError (one Chinese line) for a row that is missing, sent, or already queued. Parts of a
    split message recorded as delivered are not sent again.
    """
    row = session.get(Outbox, row_id)
    if row is None:
        raise UserError(f"没有第 {row_id} 条提醒。")
    queued = repo.requeue(session=session, row_id=row_id, states=RESENDABLE, now=now, reason=f"{actor} 要求重发")
    session.refresh(row)
    if not queued:
        raise UserError(f"第 {row_id} 条提醒{_REFUSED.get(row.state, '不能重发')}。")
    session.add(AuditLog(at=now, actor=actor, action="outbox.resend", detail=str(row_id)))
    return row
