"""dispatch_outbox: send what the sweep wrote, recording each attempt before it is made."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from bot.notify import (
    Notifier,
    OutboundMessage,
    Recipient,
    SendResult,
    SendStatus,
    UnknownPlatform,
    from_payload,
    to_payload,
)
from storage import repo
from storage.db import session_scope
from storage.models import AuditLog, Outbox, Unit
from storage.outbox import enqueue, outbox_key

log = logging.getLogger(__name__)
READY = ("pending", "retry")
BACKOFF = (30, 120, 600, 1800, 3600)  # seconds after the 1st, 2nd, … failed attempt


@dataclass
class DispatchStats:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    unknown: int = 0
    inactive: int = 0
    migrated: int = 0
    deactivated: list[str] = field(default_factory=list)  # recipients that blocked us


def recover_interrupted(*, session: Session, now: datetime) -> int:
    """Rows left 'sending' by a crash may or may not have gone out: mark them unknown, never resend blindly."""
    rows = session.exec(select(Outbox).where(Outbox.state == "sending")).all()
    for row in rows:
        row.state, row.error = "unknown", "进程在发送中途退出，送达情况未知"
    if rows:
        session.add(AuditLog(at=now, actor="dispatcher", action="outbox.unknown", detail=str([r.id for r in rows])))
    return len(rows)


async def dispatch_outbox(
    *,
    engine: Engine,
    notifier: Notifier,
    clock: Callable[[], datetime],
    max_attempts: int = 5,
    limit: int = 200,
    admins: list[Recipient] | None = None,
) -> DispatchStats:
    """Send ready rows in order; one short transaction before and one after each send.

    `admins` are told when a recipient blocks us, so someone re-invites that unit.
    """
    stats = DispatchStats()
    with session_scope(engine) as session:
        now = clock()
        ids = session.exec(
            select(Outbox.id)
            .where(col(Outbox.state).in_(READY), or_(col(Outbox.next_attempt_at) <= now))
            .order_by(Outbox.next_attempt_at, Outbox.id)
            .limit(limit)
        ).all()
    queue = list(ids)
    while queue:
        row_id = queue.pop(0)
        with session_scope(engine) as session:
            # Claim the row with one conditional UPDATE: atomic on SQLite and PostgreSQL alike, so two
            # dispatchers (the service and a cron `duban sweep`) can never both send it.
            claimed = session.exec(
                update(Outbox)
                .where(col(Outbox.id) == row_id, col(Outbox.state).in_(READY))
                .values(state="sending", attempts=Outbox.attempts + 1, last_attempt_at=clock())
            )
            if claimed.rowcount != 1:
                continue  # another dispatcher took it
            row = session.get(Outbox, row_id)
            recipient, message = Recipient.parse(row.recipient), from_payload(row.payload)
        try:
            result = await notifier.send(recipient, message)
        except UnknownPlatform:
            result = SendResult(SendStatus.FAILED, detail=f"没有启用 {recipient.platform} 渠道")
        except Exception as exc:  # a sender bug must not stop the other sends; the request may have gone out
            log.exception("sender failed for outbox row %s", row_id)
            result = SendResult(SendStatus.UNKNOWN, detail=f"{type(exc).__name__}: {exc}")
        with session_scope(engine) as session:
            row = session.get(Outbox, row_id)
            _record(session, row, recipient, result, clock(), max_attempts, stats)
            if result.status == SendStatus.INACTIVE:
                queue += _tell_admins(session, row, recipient, admins or [], clock())
            elif result.new_address:
                queue.append(row_id)  # resend at the new address in this same run
    return stats


def _tell_admins(session: Session, row: Outbox, recipient: Recipient, admins: list[Recipient], now: datetime) -> list[int]:
    """Queue one notice per admin that this recipient is gone; return the new rows to send now."""
    unit = session.get(Unit, row.unit_id).name if row.unit_id else "（未知单位）"
    text = (f"【送达失败】{unit}的聊天 {recipient.key()} 已屏蔽督办助手或已退出，今后不再向其发送提醒。"
            f"请重新邀请：/invite {unit}")
    new_ids = []
    for admin in admins:
        if admin == recipient:
            continue
        notice = Outbox(key=outbox_key(task_id=None, topic=f"inactive:{recipient.key()}", recipient=admin.key(),
                                        kind="notice", occurrence=now.date().isoformat()),
                        unit_id=row.unit_id, recipient=admin.key(), kind="notice", occurrence=now.date().isoformat(),
                        payload=to_payload(OutboundMessage(text=text)), created_at=now, next_attempt_at=now)
        if enqueue(session=session, row=notice):
            session.flush()
            new_ids.append(notice.id)
    return new_ids


def _record(session: Session, row: Outbox, recipient: Recipient, result: SendResult, now: datetime,
            max_attempts: int, stats: DispatchStats) -> None:
    row.error = result.detail[:500]
    if result.status == SendStatus.SENT:
        row.state, row.sent_at, row.message_id = "sent", now, result.message_id
        stats.sent += 1
    elif result.new_address:
        # The group moved (Telegram supergroup upgrade): re-key every binding and resend there at once.
        new = Recipient(recipient.platform, result.new_address)
        repo.rekey_address(session=session, platform=recipient.platform, old=recipient.address, new=new.address)
        row.recipient, row.state, row.next_attempt_at = new.key(), "pending", now
        stats.migrated += 1
    elif result.status == SendStatus.RETRY and row.attempts < max_attempts:
        wait = max(result.retry_after or 0, BACKOFF[min(row.attempts, len(BACKOFF)) - 1])
        row.state, row.next_attempt_at = "retry", now + timedelta(seconds=wait)
        stats.retry += 1
    elif result.status == SendStatus.INACTIVE:
        row.state = "inactive"
        ident = repo.identity_at(session=session, platform=recipient.platform, address=recipient.address)
        if ident is not None:
            ident.active = False
        session.add(AuditLog(at=now, actor="dispatcher", action="recipient.inactive", detail=recipient.key()))
        stats.inactive += 1
        stats.deactivated.append(recipient.key())
    elif result.status == SendStatus.UNKNOWN:
        row.state = "unknown"
        stats.unknown += 1
    else:
        row.state = "failed"
        stats.failed += 1
