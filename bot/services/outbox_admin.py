"""What an admin may do about one outbox row: put a "delivery unknown" (or failed) reminder back in line."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from bot.services.errors import UserError
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
    # One conditional UPDATE: two admins tapping 重发 at once re-queue it once.
    done = session.execute(
        update(Outbox).where(col(Outbox.id) == row_id, col(Outbox.state).in_(RESENDABLE))
        .values(state="pending", next_attempt_at=now, claimed_by=None, lease_until=None, request_started_at=None,
                error=f"{actor} 要求重发")
    ).rowcount
    session.refresh(row)
    if done != 1:
        raise UserError(f"第 {row_id} 条提醒{_REFUSED.get(row.state, '不能重发')}。")
    session.add(AuditLog(at=now, actor=actor, action="outbox.resend", detail=str(row_id)))
    return row
