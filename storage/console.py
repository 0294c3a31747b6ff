"""The console's message numbers, kept in the store so they continue across restarts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage import repo
from storage.db import session_scope
from storage.models import JobState

LAST_NUMBER = "console.last_message"


def last_number(*, session: Session) -> int:
    """The highest number the console has shown: its replies (stored here) or the reminders sent to it."""
    state = session.get(JobState, LAST_NUMBER)
    stored = int(state.value) if state is not None and state.value.isdigit() else 0
    return max(stored, repo.last_message_number(session=session, platform="console"))


def save_number(engine: Engine, number: int, *, now: datetime) -> None:
    """Remember `number` as shown (its own short transaction: the console shows one message at a time)."""
    with session_scope(engine) as session:
        state = session.get(JobState, LAST_NUMBER)
        if state is None:
            session.add(JobState(name=LAST_NUMBER, value=str(number), updated_at=now))
        elif not state.value.isdigit() or int(state.value) < number:
            state.value, state.updated_at = str(number), now
