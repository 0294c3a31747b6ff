"""Remind the reviewers of 申请办结 left unreviewed (办结审核): thin, idempotent, run with each sweep."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.render import closure_text
from bot.services import closure
from bot.workdays import WorkCalendar


def remind_reviewers(*, session: Session, now: datetime, settings: Settings, calendar: WorkCalendar) -> int:
    """Queue one reminder per request unreviewed for `review_remind_days` working days; returns how many."""
    if settings.supervision.closure != "review":
        return 0
    queued = 0
    for notice in closure.overdue_reviews(session=session, settings=settings, calendar=calendar, now=now):
        queued += closure.push(session=session, notice=notice,
                               text=closure_text.notice_text(notice, settings.app.tz), now=now)
    return queued
