"""签收 cards, the one reminder and the office's notice, queued with each sweep (idempotent by outbox key)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.render import receipt_text
from bot.services import closure, receipts
from bot.workdays import WorkCalendar


def send_receipts(*, session: Session, now: datetime, settings: Settings, calendar: WorkCalendar) -> int:
    """Queue what the unsigned asks owe now; returns how many messages were queued."""
    if settings.supervision.receipt == "off":
        return 0
    queued = 0
    for notice in receipts.due_notices(session=session, settings=settings, calendar=calendar, now=now):
        queued += closure.push(session=session, notice=notice, text=receipt_text.notice_text(notice), now=now)
    return queued
