"""Store-wide state: change counters, job state rows, the sweep's per-unit mark."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from storage.db import conflict_insert
from storage.models import (
    JobState,
    ReminderSeries,
    StoreVersion,
)
from storage.prebuilt import prebuilt
from storage.views import core_rows


def unsweep_unit(*, session: Session, unit_id: int) -> None:
    """Forget that today's sweeps covered this unit's series: a chat bound mid-day gets what the unit is owed
    today at the next sweep (the outbox key keeps anything already written from going twice)."""
    session.execute(update(ReminderSeries).where(ReminderSeries.unit_id == unit_id).values(swept_on=None))


@prebuilt
def _store_version(_dialect: str):
    return select(StoreVersion.name, StoreVersion.n, StoreVersion.last)


def vocab_version(*, session: Session) -> tuple[tuple, tuple, tuple]:
    """(structure, reports, deadlines): the change counters the store's triggers keep (migration 0009), read
    in one statement of three rows whatever the store's size. The structure changes when a cached vocabulary
    must be rebuilt (plans, sections, tasks' wording, units, aliases, roles), the deadlines when its dates
    must be read again, and the reports (newest id, how many written) when new reports can be applied on top."""
    rows = {name: (n, last) for name, n, last in core_rows(session, _store_version(session))}
    structure, deadlines = rows.get("structure", (0, None)), rows.get("deadlines", (0, None))
    n, last = rows.get("reports", (0, None))
    return (structure[0],), (last, n), (deadlines[0],)


def job_state_once(*, session: Session, name: str, value: str, now: datetime) -> JobState:
    """The JobState row `name`, written with `value` unless a concurrent writer got there first (then theirs):
    `INSERT … ON CONFLICT DO NOTHING`, so two processes (or a sweep and a chat on a fresh store) never collide."""
    session.execute(conflict_insert(session, JobState).values(name=name, value=value, updated_at=now)
                    .on_conflict_do_nothing(index_elements=["name"]))
    return session.get(JobState, name, populate_existing=True)
