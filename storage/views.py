"""Batch reads for the reminder engine, and the persisted schedule it runs on (never one query per task).

Reads over every live task join on the plan and task conditions instead of passing `IN (all ids)` lists
(which stop working past 65,535 parameters on PostgreSQL and 250k on SQLite); a batch's ids go in one bound
value (`_among`: a JSON array on SQLite, an array on PostgreSQL). The reads each batch makes are built once
(storage.prebuilt).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from operator import itemgetter

from sqlalchemy import Date, Integer, String, bindparam, case, delete, func, insert, literal
from sqlmodel import Session, col, select

from storage.models import Deadline, Plan, ReminderSeries, Snooze, StatusReport, Task, TaskUnit, Unit
from storage.prebuilt import among, ids_value, prebuilt

LIVE = (col(Plan.active), col(Task.removed).is_(False))


def active_tasks_with_year(*, session: Session) -> list[tuple[Task, int, int | None, str, int | None, str]]:
    """Every live task of every open plan with its plan's year, last year, short name, office and kind, in plan
    order."""
    stmt = (select(Task, Plan.year, Plan.period_end, Plan.short_name, Plan.office_id, Plan.kind)
            .join(Plan, col(Plan.id) == Task.plan_id)
            .where(*LIVE).order_by(Task.plan_id, Task.position))
    return list(session.exec(stmt).all())


@prebuilt
def _task_rows(dialect: str):
    return (select(Task.id, Task.plan_id, Task.position, Task.ref, Task.title, Task.done, Task.last_report_at,
                   Task.review_pending, Plan.year, Plan.period_end, Plan.short_name, Plan.office_id, Task.created_at,
                   Plan.kind)
            .join(Plan, col(Plan.id) == Task.plan_id)
            .where(among(dialect, col(Task.id)), *LIVE))


def task_rows(*, session: Session, task_ids: Sequence[int]) -> list:
    """Those of `task_ids` (one batch) that are live tasks of open plans, in plan order: the columns the engine
    reads (the task's state included), with its plan's year, last year, short name and office, when the task
    came into the store, and its plan's kind, in this order (bot.reminders.views unpacks them)."""
    rows = core_rows(session, _task_rows(session), {"ids": ids_value(session, task_ids)})
    return sorted(rows, key=itemgetter(1, 2))  # (plan_id, position)


def core_rows(session: Session, stmt, params: dict | None = None) -> list:
    """`session.execute(stmt, params).all()` for a select of columns, on the session's connection: the same rows
    (the same autoflush first) without the ORM's result layer, which cost more than the query on a batch."""
    if session.autoflush:
        session.flush()
    return session.connection().execute(stmt, params).all()


def open_plans_per_office(*, session: Session) -> dict[int | None, int]:
    stmt = select(Plan.office_id, func.count()).where(Plan.active).group_by(Plan.office_id)
    return {office: n for office, n in session.exec(stmt).all()}


def _live_tasks():
    return select(Task.id).join(Plan, col(Plan.id) == Task.plan_id).where(*LIVE)


def _among(session: Session, column, ids: Iterable[int] | None):
    """`column IN ids` (every live task when None), the ids bound with the statement (storage.prebuilt.among)."""
    return column.in_(_live_tasks()) if ids is None else among(session.get_bind().dialect.name, column, ids=list(ids))


def _of_batch(dialect: str, every: bool, column):
    """`column` among the bound `ids`, or (`every`) among every live task's."""
    return column.in_(_live_tasks()) if every else among(dialect, column)


def _batch(session: Session, task_ids: Sequence[int] | None) -> tuple[bool, dict | None]:
    """(every, params) for a `_of_batch` read of `task_ids` (None: every live task)."""
    return (True, None) if task_ids is None else (False, {"ids": ids_value(session, task_ids)})


@prebuilt
def _roles_of(dialect: str, every: bool):
    return (select(TaskUnit.task_id, TaskUnit.unit_id, TaskUnit.role, TaskUnit.position)
            .where(_of_batch(dialect, every, col(TaskUnit.task_id))))


def roles_of(*, session: Session, task_ids: Sequence[int] | None = None) -> list:
    """Owners of `task_ids` (one batch), or of every live task when None: (task, unit, role, position)."""
    every, params = _batch(session, task_ids)
    return sorted(core_rows(session, _roles_of(session, every), params), key=itemgetter(3))  # position


@prebuilt
def _lead_unit_ids(_dialect: str):
    return select(TaskUnit.unit_id).where(TaskUnit.task_id == bindparam("task"), TaskUnit.role == "lead")


def lead_unit_ids(*, session: Session, task_id: int) -> set[int]:
    return {u for u, in core_rows(session, _lead_unit_ids(session), {"task": task_id})}


@prebuilt
def _deadlines_of(dialect: str, every: bool):
    return select(Deadline.id, Deadline.task_id, Deadline.due_date, Deadline.text, Deadline.source, Deadline.kind,
                  Deadline.recurrence, Deadline.certain, Deadline.confirmed, Deadline.label).where(
        _of_batch(dialect, every, col(Deadline.task_id)), Deadline.active)


def deadlines_of(*, session: Session, task_ids: Sequence[int] | None = None) -> list:
    """Deadlines in force of `task_ids` (every live task when None): (id, task, due date, text, source, kind,
    recurrence, certain, confirmed, label)."""
    every, params = _batch(session, task_ids)
    return core_rows(session, _deadlines_of(session, every), params)


def deadline_texts(*, session: Session, deadline_ids: Sequence[int]) -> dict[int, str]:
    """Deadline id → its label, or its text where it has none (the ids in one bound value)."""
    stmt = select(Deadline.id, Deadline.label, Deadline.text).where(_among(session, col(Deadline.id), deadline_ids))
    return {i: label or text_ for i, label, text_ in session.execute(stmt).all()}


def reports_of(*, session: Session, task_ids: Sequence[int] | None = None) -> list[StatusReport]:
    """Reports of these tasks (every live task when None), oldest first."""
    where = (col(StatusReport.task_id).in_(task_ids) if task_ids is not None
             else col(StatusReport.task_id).in_(_live_tasks()))
    stmt = select(StatusReport).where(where).order_by(col(StatusReport.created_at), StatusReport.id)
    return list(session.exec(stmt).all())


def snoozes_of(*, session: Session, now: datetime, task_ids: Sequence[int] | None = None) -> list[Snooze]:
    """Snoozes of these tasks (every live task when None) still running at `now`."""
    stmt = select(Snooze).where(_among(session, col(Snooze.task_id), task_ids), col(Snooze.until) > now)
    return list(session.exec(stmt).all())


def unit_reports_of(*, session: Session, now: datetime, task_ids: Sequence[int]) -> list[StatusReport]:
    """Each unit's newest report (as of `now`) on each of these tasks, in one statement."""
    if not task_ids:
        return []
    newest = (select(StatusReport.task_id, StatusReport.unit_id, func.max(StatusReport.id).label("id"))
              .where(_among(session, col(StatusReport.task_id), task_ids), col(StatusReport.unit_id).is_not(None),
                     col(StatusReport.created_at) <= now)
              .group_by(StatusReport.task_id, StatusReport.unit_id).subquery())
    return list(session.exec(select(StatusReport).join(newest, col(StatusReport.id) == newest.c.id)).all())


def units_named_with_office(*, session: Session, names: Sequence[str]) -> dict[int, int | None]:
    """Unit id → office id, for the units (any kind) with these names."""
    if not names:
        return {}
    stmt = select(Unit.id, Unit.office_id).where(col(Unit.name).in_(list(names))).order_by(Unit.id)
    return dict(session.execute(stmt).all())


def units_brief(*, session: Session) -> dict:
    """Unit id → a row of its id, office, name and kind, for every unit and leader: what the sweep reads of them
    (names, groups' members), without loading a thousand ORM objects."""
    stmt = select(Unit.id, Unit.office_id, Unit.name, Unit.kind).order_by(Unit.id)
    return {row.id: row for row in core_rows(session, stmt)}


def unit_ids_named(*, session: Session, names: Sequence[str]) -> list[int]:
    if not names:
        return []
    return [u.id for u in session.exec(select(Unit).where(col(Unit.name).in_(names))).all()]


# --- the persisted schedule (ReminderSeries) ------------------------------------------------------------

_S = ReminderSeries.__table__
STALE = "stale"


# Every report and snooze marks its task stale: these two run once per chat write.
@prebuilt
def _drop_series(dialect: str):
    return delete(_S).where(among(dialect, _S.c.task_id))


@prebuilt
def _add_series(_dialect: str):
    return insert(_S)


def mark_stale(*, session: Session, stale_day: date, task_ids: Sequence[int] = (), plan_id: int | None = None) -> None:
    """Drop the series of these tasks (or of every task of `plan_id`) and leave one "stale" row per task."""
    if plan_id is not None:
        ids = select(Task.id).where(Task.plan_id == plan_id)
        session.execute(delete(_S).where(_S.c.task_id.in_(ids)))
        session.execute(insert(_S).from_select(
            ["task_id", "role", "kind", "next_due"],
            select(Task.id, literal("", String), literal(STALE, String), literal(stale_day, Date))
            .where(Task.plan_id == plan_id)))
    for i in range(0, len(task_ids), 1000):
        chunk = list(task_ids[i:i + 1000])
        session.execute(_drop_series(session), {"ids": ids_value(session, chunk)})
        session.execute(_add_series(session), [{"task_id": t, "role": "", "kind": STALE, "next_due": stale_day}
                                               for t in chunk])


def stale_task_ids(*, session: Session, stale_day: date, limit: int) -> list[int]:
    stmt = (select(_S.c.task_id).where(_S.c.next_due == stale_day, _S.c.kind == STALE)
            .order_by(_S.c.task_id).limit(limit))
    return list(session.execute(stmt).scalars())


def replace_series(*, session: Session, task_ids: Sequence[int], rows: list[dict],
                   unit_ids: Iterable[int] | None = None) -> None:
    """Replace the series of `task_ids` (only those of `unit_ids` when given) by `rows` in two statements."""
    where = [_among(session, _S.c.task_id, task_ids)]
    if unit_ids is not None:
        where.append(_among(session, _S.c.unit_id, unit_ids))
    session.execute(delete(_S).where(*where))
    if rows:
        _insert_series(session, rows)


_SERIES_COLS = ("task_id", "deadline_id", "unit_id", "role", "kind", "next_due", "swept_on")


def _insert_series(session: Session, rows: list[dict]) -> None:
    """Insert these series rows through the driver on the session's connection (its transaction): COPY on
    PostgreSQL (psycopg 3; an executemany is a round trip a row), executemany on SQLite with the dates as ISO
    text, as SQLAlchemy's Date stores them. SQLAlchemy's per-row parameter handling cost more than the insert."""
    conn = session.connection()
    dialect = conn.dialect.name
    if (dialect, conn.dialect.driver) not in (("sqlite", "pysqlite"), ("postgresql", "psycopg")):
        session.execute(insert(_S), rows)
        return
    get = itemgetter(*_SERIES_COLS)
    cur = conn.connection.dbapi_connection.cursor()
    try:
        if dialect == "postgresql":
            with cur.copy(f"COPY {_S.name} ({', '.join(_SERIES_COLS)}) FROM STDIN") as copy:
                for r in map(get, rows):
                    copy.write_row(r)
            return
        iso = date.isoformat
        params = [(*r[:5], r[5] and iso(r[5]), r[6] and iso(r[6])) for r in map(get, rows)]
        cur.executemany(f"INSERT INTO {_S.name} ({', '.join(_SERIES_COLS)}) VALUES "
                        f"({', '.join('?' * len(_SERIES_COLS))})", params)
    finally:
        cur.close()


def due_window(*, session: Session, until: date, today: date) -> list:
    """(task, unit, swept today: 1 or 0) of every worked-out series due by `until`: one range scan of the due
    index (the day compared in SQL, so no date is read back)."""
    swept = case((_S.c.swept_on >= today, literal(1, Integer)), else_=literal(0, Integer))
    stmt = select(_S.c.task_id, _S.c.unit_id, swept).where(_S.c.next_due <= until, _S.c.kind != STALE,
                                                           _S.c.unit_id.is_not(None))
    return list(session.execute(stmt).all())
