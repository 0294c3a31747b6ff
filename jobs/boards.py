"""prepare_boards: the offices' web boards worked out once a day, ahead of the first leader's look."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.services import boardcache
from bot.workdays import WorkCalendar


def prepare_boards(*, session: Session, now: datetime, settings: Settings, calendar: WorkCalendar) -> int:
    """Work out today's board of each office that has none kept for today (a no-op after the first tick of the
    day; outside office hours too, so an early look is ready); how many were worked out."""
    return boardcache.prepare_boards(session=session, now=now, settings=settings, calendar=calendar)
