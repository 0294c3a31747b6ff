"""Sweep and dispatch: exactly-once in effect across repeats, restarts, failures and downtime."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlmodel import select

from bot.config import Settings
from bot.notify import Notifier, SendResult, SendStatus
from bot.services.binding import bind_directly
from bot.workdays import WorkCalendar
from jobs.dispatch import dispatch_outbox, recover_interrupted
from jobs.sweep import sweep_due
from storage.db import session_scope
from storage.models import AuditLog, ChatIdentity, Outbox
from tests.helpers import RecordingSender, at, load, plan, task

SETTINGS = Settings()


def bind(engine, unit: str, address: str, now) -> None:
    with session_scope(engine) as s:
        bind_directly(session=s, unit_name=unit, platform="console", address=address, now=now, actor="test")


def sweep(engine, now, calendar=None):
    with session_scope(engine) as s:
        return sweep_due(session=s, now=now, settings=SETTINGS, calendar=calendar or WorkCalendar())


async def dispatch(engine, sender, now):
    return await dispatch_outbox(engine=engine, notifier=Notifier([sender]), clock=lambda: now)


def rows(engine) -> list[Outbox]:
    with session_scope(engine) as s:
        return list(s.exec(select(Outbox).order_by(Outbox.id)).all())


async def test_sweep_twice_and_restart_send_once(engine):
    now = at(2021, 8, 23)
    load(engine, plan(task("12", ["职教办"], ["人事股"], date(2021, 9, 1))), now)
    bind(engine, "职教办", "zjb", now)
    first = sweep(engine, now)
    assert first.written == 1 and first.undeliverable == []
    sender = RecordingSender()
    assert (await dispatch(engine, sender, now)).sent == 1
    text = sender.sent[0][1].text
    assert "第12项" in text and "职教办" in text and "还有 7 个工作日" in text
    assert [b.label for row in sender.sent[0][1].buttons for b in row] == ["已完成", "推进中", "有困难", "申请延期", "稍后提醒"]
    # The same instant again, and a "restarted" process (fresh sender, same store): nothing new.
    assert sweep(engine, now).written == 0
    later = now.replace(hour=15)
    assert sweep(engine, later).written == 0
    again = RecordingSender()
    assert (await dispatch(engine, again, later)).sent == 0 and again.sent == []
    assert [r.state for r in rows(engine)] == ["sent"]


async def test_unbound_unit_is_reported_not_lost(memory_engine):
    now = at(2021, 8, 23)
    load(memory_engine, plan(task("12", ["职教办"], [], date(2021, 9, 1))), now)
    result = sweep(memory_engine, now)
    assert result.written == 0 and result.undeliverable == ["职教办"]


async def test_outside_office_hours_and_on_holidays_nothing_is_written(memory_engine):
    load(memory_engine, plan(task("1", ["安全办"], [], date(2021, 10, 8))), at(2021, 9, 1))
    bind(memory_engine, "安全办", "aqb", at(2021, 9, 1))
    assert sweep(memory_engine, at(2021, 9, 30, 8, 0)).skipped  # before office hours
    assert sweep(memory_engine, at(2021, 10, 4, 10, 0)).skipped  # National Day holiday
    assert rows(memory_engine) == []
    assert sweep(memory_engine, at(2021, 10, 9, 10, 0)).written == 1  # make-up Saturday is a working day


async def test_restart_mid_dispatch_loses_nothing_and_sends_nothing_twice(engine):
    now = at(2021, 8, 30)
    tasks = [task(str(i), [f"单位{i}"], [], date(2021, 8, 30)) for i in range(1, 6)]
    load(engine, plan(*tasks), now)
    for i in range(1, 6):
        bind(engine, f"单位{i}", f"u{i}", now)
    assert sweep(engine, now).written == 5
    crashing = RecordingSender()
    # Two sends go through, then the process dies while the third request is in flight.
    crashing.script = [SendResult(SendStatus.SENT), SendResult(SendStatus.SENT), asyncio.CancelledError()]
    with pytest.raises(asyncio.CancelledError):
        await dispatch(engine, crashing, now)
    # Sends run concurrently, so the others went through; the third's request was in flight.
    assert [r.state for r in rows(engine)] == ["sent", "sent", "sending", "sent", "sent"]
    with session_scope(engine) as s:
        assert recover_interrupted(session=s, now=now) == 0  # its lease is still live: a peer's row, untouched
    # Restart after the lease ran out: the in-flight row is "delivery unknown" (never blindly resent).
    later = now + timedelta(minutes=5)
    with session_scope(engine) as s:
        assert recover_interrupted(session=s, now=later) == 1
    fresh = RecordingSender()
    assert (await dispatch(engine, fresh, later)).sent == 0 and fresh.sent == []
    assert [r.state for r in rows(engine)] == ["sent", "sent", "unknown", "sent", "sent"]


async def test_retry_with_backoff_then_sent_once(memory_engine):
    now = at(2021, 8, 23)
    load(memory_engine, plan(task("12", ["职教办"], [], date(2021, 9, 1))), now)
    bind(memory_engine, "职教办", "zjb", now)
    sweep(memory_engine, now)
    sender = RecordingSender()
    sender.script = [SendResult(SendStatus.RETRY, retry_after=60)]
    assert (await dispatch(memory_engine, sender, now)).retry == 1
    assert (await dispatch(memory_engine, sender, now.replace(second=59))).sent == 0  # not yet due again
    assert (await dispatch(memory_engine, sender, now.replace(minute=31))).sent == 1
    row = rows(memory_engine)[0]
    assert (row.state, row.attempts, len(sender.sent)) == ("sent", 2, 1)


async def test_timeout_after_sending_is_unknown_and_blocked_recipient_is_deactivated(memory_engine):
    now = at(2021, 8, 23)
    load(memory_engine, plan(task("1", ["甲"], [], date(2021, 9, 1)), task("2", ["乙"], [], date(2021, 9, 1))), now)
    bind(memory_engine, "甲", "a", now)
    bind(memory_engine, "乙", "b", now)
    sweep(memory_engine, now)
    sender = RecordingSender()
    sender.script = [SendResult(SendStatus.UNKNOWN, detail="timed out"), SendResult(SendStatus.INACTIVE)]
    stats = await dispatch(memory_engine, sender, now)
    assert (stats.unknown, stats.inactive, stats.deactivated) == (1, 1, ["console:b"])
    assert (await dispatch(memory_engine, sender, now.replace(hour=11))).sent == 0  # neither is resent
    with session_scope(memory_engine) as s:
        assert not s.exec(select(ChatIdentity).where(ChatIdentity.address == "b")).one().active
        assert s.exec(select(AuditLog).where(AuditLog.action == "recipient.inactive")).first() is not None


async def test_backlog_after_two_days_of_downtime_is_coalesced(engine):
    # Deadlines on Fri 2021-09-03. Task 1's ladder steps are Tue (3 before) and Thu (1 before);
    # task 2 (a different unit) only had Tue's step inside the outage.
    monday, thursday = at(2021, 8, 30), at(2021, 9, 2)
    load(engine, plan(task("1", ["甲"], [], date(2021, 9, 3)), task("2", ["乙"], [], date(2021, 9, 2))), monday)
    bind(engine, "甲", "a", monday)
    bind(engine, "乙", "b", monday)
    sweep(engine, monday)
    await dispatch(engine, RecordingSender(), monday)
    # Down Tuesday and Wednesday; back on Thursday.
    result = sweep(engine, thursday)
    assert result.missed_days == [date(2021, 8, 31), date(2021, 9, 1)]
    sender = RecordingSender()
    await dispatch(engine, sender, thursday)
    by_address = {}
    for r, m in sender.sent:
        by_address.setdefault(r.address, []).append(m.text)
    assert len(by_address["a"]) == 1 and "还有 1 个工作日" in by_address["a"][0]  # Tue's step folded into Thu's
    assert len(by_address["b"]) == 1 and "今天到期" in by_address["b"][0]
    assert sweep(engine, thursday.replace(hour=16)).written == 0


async def test_two_dispatchers_never_send_the_same_row(engine):
    now = at(2021, 8, 30)
    load(engine, plan(*[task(str(i), [f"单位{i}"], [], date(2021, 8, 30)) for i in range(1, 7)]), now)
    for i in range(1, 7):
        bind(engine, f"单位{i}", f"u{i}", now)
    sweep(engine, now)

    class Slow(RecordingSender):
        async def send(self, recipient, message):
            await asyncio.sleep(0)  # let the other dispatcher interleave
            return await super().send(recipient, message)

    a, b = Slow(), Slow()
    await asyncio.gather(dispatch(engine, a, now), dispatch(engine, b, now))
    sent = [r.address for r, _ in a.sent + b.sent]
    assert sorted(sent) == [f"u{i}" for i in range(1, 7)]
