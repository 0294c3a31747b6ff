"""Several dispatchers on one store share the due rows: every row is sent exactly once."""

from __future__ import annotations

import asyncio
import multiprocessing as mp

import pytest
from sqlmodel import select

from bot.notify import Notifier, SendResult, SendStatus
from jobs.dispatch import dispatch_outbox
from storage.db import open_store, session_scope
from storage.models import Outbox
from tests.helpers import at, fill_outbox

NOW = at(2021, 8, 23)
ROWS = 600


class Counting:
    platform = "console"

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, recipient, message):
        await asyncio.sleep(0.005)  # a real send takes time: the other workers get their share meanwhile
        self.sent.append(recipient.address)
        return SendResult(SendStatus.SENT, message_id="1")


def _worker(url: str, ready, start, out) -> None:
    engine = open_store(url)
    sender = Counting()
    ready.put(True)  # started and connected: the parent releases all three together
    start.wait()
    asyncio.run(dispatch_outbox(engine=engine, notifier=Notifier([sender]), clock=lambda: NOW, batch=50))
    out.put(sender.sent)
    engine.dispose()


def fill(engine, n: int) -> None:
    fill_outbox(engine, n, now=NOW)


@pytest.mark.pg
def test_three_dispatcher_processes_on_postgresql_send_each_row_once(pg_url):
    engine = open_store(pg_url)
    fill(engine, ROWS)
    ctx = mp.get_context("spawn")
    ready, start, out = ctx.Queue(), ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(pg_url, ready, start, out)) for _ in range(3)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=120)
    start.set()
    sent = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    everything = [a for part in sent for a in part]
    assert len(everything) == ROWS and len(set(everything)) == ROWS  # none twice, none lost
    assert sum(1 for part in sent if part) >= 2  # the work was shared
    with session_scope(engine) as s:
        assert set(s.exec(select(Outbox.state)).all()) == {"sent"}
    engine.dispose()


async def test_three_dispatchers_in_one_loop_send_each_row_once(engine):
    fill(engine, 300)
    senders = [Counting() for _ in range(3)]
    await asyncio.gather(*(dispatch_outbox(engine=engine, notifier=Notifier([s]), clock=lambda: NOW, batch=20,
                                           concurrency=40) for s in senders))
    everything = [a for s in senders for a in s.sent]
    assert sorted(everything) == sorted(f"u{i}" for i in range(300))
