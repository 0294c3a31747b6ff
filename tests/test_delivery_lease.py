"""Leases: only an expired claim whose request had started is "delivery unknown"; the rest is retried."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.notify import Notifier, OutboundMessage, SendResult, SendStatus, to_payload
from jobs.dispatch import dispatch_outbox, recover_interrupted
from storage.db import session_scope
from storage.models import Outbox
from storage.outbox import claim_batch, mark_started
from tests.helpers import RecordingSender, at

NOW = at(2021, 8, 23)


def add_rows(engine, n: int, **values) -> list[int]:
    with session_scope(engine) as s:
        rows = [Outbox(key=f"k{i}", recipient=f"console:u{i}", kind="notice", occurrence="2021-08-23",
                       payload=to_payload(OutboundMessage(text=f"m{i}")), created_at=NOW, next_attempt_at=NOW, **values)
                for i in range(n)]
        s.add_all(rows)
        s.flush()
        return [r.id for r in rows]


def states(engine) -> list[str]:
    with session_scope(engine) as s:
        return [r.state for r in s.exec(select(Outbox).order_by(Outbox.id)).all()]


async def test_expired_lease_is_unknown_only_if_the_request_started(engine):
    add_rows(engine, 2)
    claimed = claim_batch(engine, worker="dead", now=NOW, lease_until=NOW + timedelta(seconds=60), limit=10)
    assert [r.id for r in claimed] == [1, 2]
    assert mark_started(engine, worker="dead", now=NOW, parts={1: 0}) == {1}
    # The worker dies here: row 1's request may have gone out, row 2's never did.
    later = NOW + timedelta(seconds=61)
    with session_scope(engine) as s:
        assert recover_interrupted(session=s, now=later) == 1
    assert states(engine) == ["unknown", "pending"]
    sender = RecordingSender()
    stats = await dispatch_outbox(engine=engine, notifier=Notifier([sender]), clock=lambda: later)
    assert stats.sent == 1 and [r.address for r, _ in sender.sent] == ["u1"]  # row 2, once; row 1 never again
    with session_scope(engine) as s:
        row2 = s.get(Outbox, 2)
        assert (row2.state, row2.attempts) == ("sent", 1)  # the unstarted claim did not count as an attempt


async def test_a_live_peers_rows_are_untouched_at_start(engine):
    add_rows(engine, 3)
    claim_batch(engine, worker="peer", now=NOW, lease_until=NOW + timedelta(seconds=120), limit=2)
    mark_started(engine, worker="peer", now=NOW, parts={1: 0})
    with session_scope(engine) as s:
        assert recover_interrupted(session=s, now=NOW + timedelta(seconds=30)) == 0
    sender = RecordingSender()
    stats = await dispatch_outbox(engine=engine, notifier=Notifier([sender]), clock=lambda: NOW + timedelta(seconds=30))
    assert stats.sent == 1 and [r.address for r, _ in sender.sent] == ["u2"]  # only the unclaimed row
    assert states(engine) == ["sending", "sending", "sent"]


async def test_a_claim_taken_over_after_expiry_is_not_sent_by_the_old_owner(engine):
    add_rows(engine, 1)
    claim_batch(engine, worker="slow", now=NOW, lease_until=NOW + timedelta(seconds=10), limit=1)
    with session_scope(engine) as s:
        recover_interrupted(session=s, now=NOW + timedelta(seconds=11))  # unstarted: released
    claim_batch(engine, worker="fresh", now=NOW + timedelta(seconds=11), lease_until=NOW + timedelta(seconds=70), limit=1)
    assert mark_started(engine, worker="slow", now=NOW, parts={1: 0}) == set()  # the old owner must not send
    assert mark_started(engine, worker="fresh", now=NOW, parts={1: 0}) == {1}


async def test_a_sender_crash_before_its_request_is_retried_not_unknown(memory_engine):
    add_rows(memory_engine, 1)

    class Broken(RecordingSender):
        tracks_progress = True

        async def send(self, recipient, message, progress=None):
            raise RuntimeError("bug before any request")

    stats = await dispatch_outbox(engine=memory_engine, notifier=Notifier([Broken()]), clock=lambda: NOW)
    assert (stats.retry, stats.unknown) == (1, 0)
    assert states(memory_engine) == ["retry"]


async def test_unknown_result_is_kept_and_not_resent(memory_engine):
    add_rows(memory_engine, 1)
    sender = RecordingSender()
    sender.script = [SendResult(SendStatus.UNKNOWN, detail="timed out")]
    await dispatch_outbox(engine=memory_engine, notifier=Notifier([sender]), clock=lambda: NOW)
    assert (await dispatch_outbox(engine=memory_engine, notifier=Notifier([sender]), clock=lambda: NOW)).sent == 0
    assert states(memory_engine) == ["unknown"]
