"""Batched delivery writes: one statement per batch for starts and results, with per-row effects intact."""

from __future__ import annotations

import asyncio
import gc
from datetime import timedelta

from sqlalchemy import text
from sqlmodel import select

from bot.notify import Notifier, SendResult, SendStatus
from jobs.dispatch import dispatch_outbox
from storage.db import session_scope
from storage.models import Outbox
from storage.outbox import Outcome, claim_batch, mark_started, record_outcomes
from tests.helpers import at, fill_outbox

NOW = at(2021, 8, 23)
LATER = NOW + timedelta(minutes=5)


def fill(engine, n: int, **values) -> None:
    fill_outbox(engine, n, now=NOW, **values)


def rows(engine) -> list[Outbox]:
    with session_scope(engine) as s:
        return list(s.exec(select(Outbox).order_by(Outbox.id)).all())


def test_one_statement_writes_each_rows_own_outcome(engine):
    fill(engine, 4)
    claim_batch(engine, worker="w", now=NOW, lease_until=NOW + timedelta(seconds=60), limit=4)
    with session_scope(engine) as s:
        record_outcomes(s, worker="w", outcomes=[
            Outcome(1, "sent", "", 2, LATER, 77),  # a platform's integer id is stored as text
            Outcome(2, "retry", "429", 1, next_attempt_at=LATER + timedelta(seconds=30)),
            Outcome(3, "pending", "moved", 0, next_attempt_at=LATER, recipient="console:moved"),
            Outcome(4, "failed", "bad request", 0),  # None: the row keeps its own time and recipient
        ])
    one, two, three, four = rows(engine)
    assert (one.state, one.message_id, one.parts_sent, one.sent_at, one.lease_until) == ("sent", "77", 2, LATER, None)
    assert (two.state, two.error, two.next_attempt_at, two.sent_at) == ("retry", "429", LATER + timedelta(seconds=30),
                                                                         None)
    assert (three.state, three.recipient, three.next_attempt_at) == ("pending", "console:moved", LATER)
    assert (four.state, four.error, four.recipient, four.next_attempt_at) == ("failed", "bad request", "console:u3",
                                                                              NOW)
    assert all(r.claimed_by == "w" for r in (one, two, three, four))


def test_outcomes_of_a_row_no_longer_ours_are_not_written(engine):
    fill(engine, 2)
    claim_batch(engine, worker="peer", now=NOW, lease_until=NOW + timedelta(seconds=60), limit=1)
    claim_batch(engine, worker="me", now=NOW, lease_until=NOW + timedelta(seconds=60), limit=1)
    with session_scope(engine) as s:
        record_outcomes(s, worker="me", outcomes=[Outcome(1, "sent", "", 1, LATER, "1"), Outcome(2, "sent", "", 1,
                                                                                                   LATER, "2")])
    peer, mine = rows(engine)
    assert (peer.state, peer.claimed_by, peer.sent_at) == ("sending", "peer", None)
    assert (mine.state, mine.message_id) == ("sent", "2")


def test_a_group_of_starts_is_one_commit_and_keeps_each_rows_parts(engine):
    fill(engine, 3)
    claim_batch(engine, worker="w", now=NOW, lease_until=NOW + timedelta(seconds=60), limit=2)
    assert mark_started(engine, worker="w", now=NOW, parts={1: 0, 2: 3, 3: 0}) == {1, 2}  # row 3 is not ours
    one, two, three = rows(engine)
    assert (one.request_started_at, one.parts_sent) == (NOW, 0)
    assert (two.request_started_at, two.parts_sent) == (NOW, 3)  # a split message resumed after part 3
    assert (three.request_started_at, three.state) == (None, "pending")
    # A later part of the same attempt keeps the first start time.
    assert mark_started(engine, worker="w", now=LATER, parts={2: 4}) == {2}
    assert (rows(engine)[1].request_started_at, rows(engine)[1].parts_sent) == (NOW, 4)


def test_the_postgresql_claim_reads_the_due_index_when_few_rows_are_due(store_url):
    if not store_url.startswith("postgres"):
        return
    from storage.db import open_store

    engine = open_store(store_url)
    fill(engine, 3000, state="sent")
    with session_scope(engine) as s:
        s.execute(text("UPDATE outbox SET state = 'pending' WHERE id % 100 = 0"))
        s.execute(text("ANALYZE outbox"))
    seen: list[str] = []
    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def explain(conn, cursor, statement, params, context, executemany):
        if statement.startswith("UPDATE") and "SKIP LOCKED" in statement:
            cursor.execute("EXPLAIN " + statement, params)
            seen.extend(r[0] for r in cursor.fetchall())

    assert len(claim_batch(engine, worker="w", now=NOW, lease_until=NOW + timedelta(seconds=60), limit=500)) == 30
    plan = "\n".join(seen)
    assert "ix_outbox_state_next" in plan and "outbox_pkey" in plan, plan
    engine.dispose()


class Sent:
    platform = "console"

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, recipient, message):
        await asyncio.sleep(0)
        self.sent.append(recipient.address)
        return SendResult(SendStatus.SENT, message_id="1")


async def test_a_run_leaves_the_collector_as_it_found_it(engine):
    # The root owns the collector (bot.heap); two overlapping runs neither freeze objects nor keep any frozen.
    fill(engine, 120)
    before = gc.get_freeze_count()
    senders = [Sent(), Sent()]
    await asyncio.gather(*(dispatch_outbox(engine=engine, notifier=Notifier([s]), clock=lambda: NOW, batch=10,
                                           concurrency=20) for s in senders))
    assert gc.get_freeze_count() == before
    assert sorted(a for s in senders for a in s.sent) == sorted(f"u{i}" for i in range(120))
    assert {r.state for r in rows(engine)} == {"sent"}
