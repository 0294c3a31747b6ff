"""The outbox's one key scheme, and writing a row exactly once per key.

A key says why its row exists, not only where it goes: a reminder's key names the unit (and role) it is
owed to, a digest's key the unit whose digest it is, a notice its cause (`deferral:7`, `unknown:42`). So two
reasons to write to one chat on one day (基教股's own digest and 各股室's, reaching 基教股's chat; a robot
serving two units) are two rows and never collide on the unique index, where `ON CONFLICT DO NOTHING`
would silently drop one. Merging such rows into one message was the other choice; it is not taken because
the sweep writes one batch of units at a time (a group and its member may fall in different batches, and a
re-sweep may add a reason after the first row was sent), so a merge could not be made once and for all.
The weekly 周报 is the exception: it is worked out in one pass, so it is merged per chat (jobs/digest.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ARRAY, Integer, Row, any_, bindparam, case, cast, func, literal, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from storage.db import conflict_insert
from storage.models import Outbox, OutboxState


def outbox_key(*, task_id: int | None, topic: str, recipient: str, kind: str, occurrence: str) -> str:
    """The unique key of one message: (task, what it is about, recipient, kind, occurrence).

    Every writer of the outbox builds its key here, so two writers of the same message collide on the
    unique index instead of sending twice. `topic` is the deadline (or `deferral:7`, `snooze`…) and
    `occurrence` the day or event the message belongs to.
    """
    return f"{task_id if task_id is not None else '-'}|{topic}|{recipient}|{kind}|{occurrence}"


def units_of_keys(*, session: Session, keys: list[str]) -> dict[str, int | None]:
    """Key → unit of the rows already written under any of `keys` (one statement per 500 keys)."""
    out: dict[str, int | None] = {}
    for i in range(0, len(keys), 500):
        out.update(session.execute(select(Outbox.key, Outbox.unit_id).where(col(Outbox.key).in_(keys[i:i + 500]))).all())
    return out


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


def pending_row(*, key: str, task_id: int | None, deadline_id: int | None, unit_id: int | None, recipient: str,
                kind: str, occurrence: str, payload: str, now: datetime) -> dict:
    """One new outbox row for `insert_new`: pending, due at `now`, never tried."""
    return {"key": key, "task_id": task_id, "deadline_id": deadline_id, "unit_id": unit_id, "recipient": recipient,
            "kind": kind, "occurrence": occurrence, "payload": payload, "state": OutboxState.PENDING, "attempts": 0,
            "error": "", "parts_sent": 0, "created_at": now, "next_attempt_at": now}


def insert_new(*, session: Session, rows: list[dict]) -> int:
    """Insert outbox rows whose key is not there yet, in one statement; return how many were written.

    `INSERT … ON CONFLICT (key) DO NOTHING` on both PostgreSQL and SQLite: a key already written (by an
    earlier sweep, or a concurrent writer) is skipped by the unique index, so a restart never sends twice.
    """
    if not rows:
        return 0
    stmt = conflict_insert(session, _T).on_conflict_do_nothing(index_elements=["key"]).returning(_T.c.id)
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
        # `id = ANY(CAST((SELECT array_agg(id) FROM (… SKIP LOCKED)) AS INTEGER[]))`: the pick runs once and
        # its rows are then fetched by primary key, where `id IN (subquery)` hash-joins it against a scan
        # of the whole table.
        locked = pick.with_for_update(skip_locked=True).subquery()
        chosen = _T.c.id == any_(cast(select(func.array_agg(locked.c.id)).scalar_subquery(), ARRAY(Integer)))
    else:
        chosen = _T.c.id.in_(pick.scalar_subquery())
    stmt = (update(_T).where(chosen, _T.c.state.in_(READY))
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

    One statement and one commit for the whole group, so the mark is durable before any of its requests
    leaves. Returns the ids that are still ours: a row missing from it was recovered by a peer after our
    lease expired and must not be sent.
    """
    if not parts:
        return set()
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # Two array parameters instead of a bind parameter per row: the statement text never changes.
            owned = set(conn.execute(_PG_MARK_STARTED, {"ids": list(parts), "parts": list(parts.values()),
                                                        "worker": worker, "now": now}).scalars())
        else:
            _begin_immediate(conn)
            owned = set(conn.execute(
                update(_T).where(_T.c.id.in_(list(parts)), _T.c.claimed_by == worker, _T.c.state == "sending")
                # typed: an untyped datetime would skip the column's UTC conversion on SQLite
                .values(request_started_at=func.coalesce(_T.c.request_started_at,
                                                         literal(now, _T.c.request_started_at.type)))
                .returning(_T.c.id)).scalars())
            resumed = [(p, i) for i, p in parts.items() if p and i in owned]
            if resumed:
                conn.exec_driver_sql(f"UPDATE {_T.name} SET parts_sent = ? WHERE id = ?", resumed)
        conn.commit()
    return owned


_PG_MARK_STARTED = text(f"""
UPDATE {_T.name} AS o
SET request_started_at = coalesce(o.request_started_at, :now),
    parts_sent = CASE WHEN v.parts > 0 THEN v.parts ELSE o.parts_sent END
FROM unnest(CAST(:ids AS integer[]), CAST(:parts AS integer[])) AS v(id, parts)
WHERE o.id = v.id AND o.claimed_by = :worker AND o.state = 'sending'
RETURNING o.id
""").bindparams(bindparam("now", type_=_T.c.request_started_at.type))  # aware only, stored as UTC


class Outcome(NamedTuple):
    """What one send left to write on its row (see record_outcomes); None keeps the row's own value."""

    id: int
    state: str
    error: str
    parts_sent: int
    sent_at: datetime | None = None
    message_id: str | None = None
    next_attempt_at: datetime | None = None
    recipient: str | None = None


def record_outcomes(session: Session, *, worker: str, outcomes: list[Outcome]) -> None:
    """Write many sends' results in one statement, in `session`'s transaction; each row's lease ends.

    Only rows still claimed by `worker` are written. PostgreSQL: one `UPDATE … FROM
    json_to_recordset(:rows)` (the whole batch is one parameter: no per-row binding, one plan).
    SQLite: the driver's executemany (one prepared statement stepped in C), the datetimes converted
    as the column type would.
    """
    if not outcomes:
        return
    dialect = session.get_bind().dialect
    session.flush()  # the ORM's pending writes (re-keyed bindings, identities) go first
    if dialect.name == "postgresql":
        iso = _memo(_isoformat)
        rows = json.dumps([{"id": o.id, "state": o.state, "error": o.error, "parts": o.parts_sent,
                            "sent": iso(o.sent_at), "mid": _str(o.message_id), "next": iso(o.next_attempt_at),
                            "addr": o.recipient} for o in outcomes], ensure_ascii=False)
        session.execute(_PG_RECORD, {"rows": rows, "worker": worker})
        return
    when = _memo(_T.c.sent_at.type.bind_processor(dialect) or (lambda d: d))
    session.connection().exec_driver_sql(_SQLITE_RECORD, [
        (o.state, o.error, o.parts_sent, when(o.sent_at), _str(o.message_id), when(o.next_attempt_at), o.recipient,
         o.id, worker) for o in outcomes])


def give_back_attempts(session: Session, *, ids: list[int]) -> None:
    """Tries that met an outage (the platform unreachable, nothing sent) do not count against the row's
    `max_attempts`: a row that waited out a long outage still has all its ordinary retries afterwards."""
    if ids:
        session.execute(update(_T).where(_T.c.id.in_(ids), _T.c.attempts > 0).values(attempts=_T.c.attempts - 1))


def _str(value) -> str | None:
    return None if value is None else str(value)


def _isoformat(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store; pass a tz-aware one")
    return value.isoformat()


def _memo(convert: Callable):
    """`convert` applied once per distinct value (a batch shares one `now`); None stays None."""
    seen: dict = {}

    def once(value):
        if value is None:
            return None
        out = seen.get(value)
        if out is None:
            out = seen[value] = convert(value)
        return out

    return once


_PG_RECORD = text(f"""
UPDATE {_T.name} AS o
SET state = v.state, error = v.error, parts_sent = v.parts, sent_at = v.sent, message_id = v.mid,
    next_attempt_at = coalesce(v.next, o.next_attempt_at), recipient = coalesce(v.addr, o.recipient),
    lease_until = NULL
FROM json_to_recordset(CAST(:rows AS json))
     AS v(id integer, state varchar, error varchar, parts integer, sent timestamptz, mid varchar, next timestamptz,
          addr varchar)
WHERE o.id = v.id AND o.claimed_by = :worker
""")
_SQLITE_RECORD = (f"UPDATE {_T.name} SET state = ?, error = ?, parts_sent = ?, sent_at = ?, message_id = ?, "
                  "next_attempt_at = coalesce(?, next_attempt_at), recipient = coalesce(?, recipient), "
                  "lease_until = NULL WHERE id = ? AND claimed_by = ?")


def due_now(session: Session, *, platform: str, now: datetime) -> int:
    """Rows of `platform` waiting to retry are due at `now` (it is reachable again); return how many."""
    result = session.execute(update(_T).where(_T.c.state == "retry", _T.c.recipient.startswith(f"{platform}:"),
                                              _T.c.next_attempt_at > now).values(next_attempt_at=now))
    return result.rowcount


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
