"""The outbox's one key scheme, and writing a row exactly once per key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, bindparam, case, func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from storage.models import Outbox


def outbox_key(*, task_id: int | None, topic: str, recipient: str, kind: str, occurrence: str) -> str:
    """The unique key of one message: (task, what it is about, recipient, kind, occurrence).

    Every writer of the outbox builds its key here, so two writers of the same message collide on the
    unique index instead of sending twice. `topic` is the deadline (or `deferral:7`, `snooze`…) and
    `occurrence` the day or event the message belongs to.
    """
    return f"{task_id if task_id is not None else '-'}|{topic}|{recipient}|{kind}|{occurrence}"


def enqueue(*, session: Session, row: Outbox) -> bool:
    """Insert `row` unless its key is already there; True when it was written."""
    if session.exec(select(Outbox.id).where(Outbox.key == row.key)).first() is not None:
        return False
    try:
        with session.begin_nested():  # a concurrent writer of the same key wins quietly
            session.add(row)
    except IntegrityError:
        return False
    return True


def insert_new(*, session: Session, rows: list[dict]) -> int:
    """Insert outbox rows whose key is not there yet, in one statement; return how many were written.

    `INSERT … ON CONFLICT (key) DO NOTHING` on both PostgreSQL and SQLite: a key already written (by an
    earlier sweep, or a concurrent writer) is skipped by the unique index, so a restart never sends twice.
    """
    if not rows:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(_T).on_conflict_do_nothing(index_elements=["key"]).returning(_T.c.id)
    # Given a list, SQLAlchemy sends one multi-row INSERT … VALUES (…), (…) … RETURNING per
    # `insertmanyvalues_page_size` rows (1,000), compiled once, instead of a statement per row.
    return len(session.execute(stmt, rows).all())


# --- leases: claiming rows to send, and what happens to a claim a dispatcher never finished -----------

READY = ("pending", "retry")
_T = Outbox.__table__
CLAIMED_COLUMNS = (_T.c.id, _T.c.key, _T.c.recipient, _T.c.payload, _T.c.attempts, _T.c.parts_sent, _T.c.unit_id,
                   _T.c.task_id, _T.c.kind, _T.c.next_attempt_at)


def claim_batch(engine: Engine, *, worker: str, now: datetime, lease_until: datetime, limit: int) -> list[Row]:
    """Claim up to `limit` due rows for `worker` in one statement; return them in send order.

    PostgreSQL: `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT k) RETURNING`, so concurrent
    dispatchers take disjoint rows without waiting on each other. SQLite has one writer at a time; the
    statement runs under BEGIN IMMEDIATE so two processes never both read the same rows as ready.
    """
    pick = (select(_T.c.id).where(_T.c.state.in_(READY), _T.c.next_attempt_at <= now)
            .order_by(_T.c.next_attempt_at, _T.c.id).limit(limit))
    if engine.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    stmt = (update(_T).where(_T.c.id.in_(pick.scalar_subquery()), _T.c.state.in_(READY))
            .values(state="sending", attempts=_T.c.attempts + 1, last_attempt_at=now, claimed_by=worker,
                    lease_until=lease_until, request_started_at=None)
            .returning(*CLAIMED_COLUMNS))
    with engine.connect() as conn:
        _begin_immediate(conn)
        rows = conn.execute(stmt).all()
        conn.commit()
    return sorted(rows, key=lambda r: (r.next_attempt_at, r.id))


def _begin_immediate(conn: Connection) -> None:
    """On SQLite take the write lock up front (busy_timeout then waits for it instead of failing)."""
    if conn.dialect.name != "sqlite":
        return
    raw = conn.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def mark_started(engine: Engine, *, worker: str, now: datetime, parts: dict[int, int]) -> set[int]:
    """Record "request started" (and parts already delivered) for rows still leased to `worker`.

    Returns the ids that are still ours: a row missing from it was recovered by a peer after our lease
    expired and must not be sent.
    """
    if not parts:
        return set()
    with engine.connect() as conn:
        _begin_immediate(conn)
        owned = set(conn.execute(
            update(_T).where(_T.c.id.in_(list(parts)), _T.c.claimed_by == worker, _T.c.state == "sending")
            .values(request_started_at=func.coalesce(_T.c.request_started_at, now))
            .returning(_T.c.id)).scalars())
        resumed = [{"b_id": i, "b_parts": p} for i, p in parts.items() if p and i in owned]
        if resumed:
            conn.execute(update(_T).where(_T.c.id == bindparam("b_id")).values(parts_sent=bindparam("b_parts")),
                         resumed)
        conn.commit()
    return owned


def renew_leases(engine: Engine, *, worker: str, lease_until: datetime) -> int:
    """A live dispatcher keeps its claims: push their lease on."""
    with engine.begin() as conn:
        return conn.execute(update(_T).where(_T.c.claimed_by == worker, _T.c.state == "sending")
                            .values(lease_until=lease_until)).rowcount


def release_unstarted(engine: Engine, *, worker: str) -> int:
    """Give back claims whose request never started (a dispatcher stopping early): due again at once."""
    with engine.begin() as conn:
        return conn.execute(
            update(_T).where(_T.c.claimed_by == worker, _T.c.state == "sending", _T.c.request_started_at.is_(None))
            .values(state=case((_T.c.attempts > 1, "retry"), else_="pending"), attempts=_T.c.attempts - 1,
                    claimed_by=None, lease_until=None)).rowcount


def expired_claims(session: Session, *, now: datetime) -> tuple[list[Outbox], list[int]]:
    """Settle rows whose lease ran out (their dispatcher died): return (now unknown, released ids).

    Only a row whose request had started may have reached the platform; it becomes "delivery unknown".
    A claimed row that never started is released for an ordinary retry. A live peer's rows (lease in
    the future) are not touched.
    """
    expired = (col(Outbox.state) == "sending") & or_(col(Outbox.lease_until).is_(None), col(Outbox.lease_until) < now)
    if session.exec(select(Outbox.id).where(expired).limit(1)).first() is None:
        return [], []  # the common case: read only, no write lock taken
    unknown = list(session.exec(select(Outbox).where(expired, col(Outbox.request_started_at).is_not(None))
                                .with_for_update(skip_locked=True)).all())
    for row in unknown:
        row.state, row.error = "unknown", "发送进程在请求发出后中断，送达情况未知"
        row.lease_until = None
    released = list(session.execute(
        update(Outbox).where(expired, col(Outbox.request_started_at).is_(None))
        .values(state=case((col(Outbox.attempts) > 1, "retry"), else_="pending"), attempts=Outbox.attempts - 1,
                claimed_by=None, lease_until=None, next_attempt_at=now)
        .returning(Outbox.id)).scalars())
    session.flush()
    return unknown, released
