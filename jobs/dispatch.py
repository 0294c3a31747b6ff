"""dispatch_outbox: send what the sweep wrote, concurrently, recording each request before it is made.

One run claims due rows in batches (storage.outbox.claim_batch) under a lease it keeps renewing, sends them
concurrently (each platform's sender holds its own rate limits), and keeps claiming while rows are due.
"Request started" is committed right before a request leaves (grouped across the sends leaving at that
moment, jobs.group_commit); results are written in batches off the event loop, each row's next state
decided by jobs.outcome. A row whose dispatcher died becomes "delivery unknown" only when its request had
started (jobs.delivery_notices tells the admins, with 重发).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.engine import Engine, Row
from sqlmodel import Session, col, select

from bot.notify import Notifier, Progress, Recipient, SendResult, SendStatus, UnknownPlatform, from_payload
from jobs.delivery_notices import recover_interrupted, tell_admins_gone, tell_unknown
from jobs.group_commit import Db, GroupCommit
from jobs.outcome import DispatchStats, decide
from storage import outbox, repo
from storage.db import session_scope
from storage.models import AuditLog, Outbox
from storage.outbox import READY, Outcome, claim_batch, give_back_attempts, mark_started, record_outcomes

log = logging.getLogger(__name__)
LEASE_SECONDS = 120.0  # a claim lives this long unless renewed; a live dispatcher renews it every third
BATCH = 500  # rows claimed per statement
CONCURRENCY = 500  # sends in flight at once (each sender's limiter decides when they actually go)

__all__ = ["READY", "DispatchStats", "LeaseLost", "dispatch_outbox", "recover_interrupted", "release_waiting",
           "worker_id"]


class LeaseLost(Exception):
    """Our claim on a row was recovered by a peer (our lease expired): this row is not ours to send."""


def worker_id() -> str:
    """A name for one dispatcher run, unique across hosts and processes."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class _Run:
    def __init__(self, *, engine: Engine, notifier: Notifier, clock: Callable[[], datetime], max_attempts: int,
                 limit: int | None, admins: list[Recipient], worker: str, lease: float, batch: int,
                 concurrency: int, linger: float, sleep: Callable[[float], Awaitable[object]],
                 wake: asyncio.Event | None, quiet_gc: Callable[[], AbstractContextManager]) -> None:
        self.engine, self.notifier, self.clock = engine, notifier, clock
        self.max_attempts, self.limit, self.admins = max_attempts, limit, admins
        self.worker, self.lease, self.batch, self.concurrency = worker, lease, batch, max(1, concurrency)
        self.linger, self.sleep, self.wake = linger, sleep, wake
        self.db = Db(engine)
        self.quiet_gc = quiet_gc
        self.stats = DispatchStats()
        self.starts = GroupCommit(self._flush_starts)
        self.records = GroupCommit(self._flush_records)
        self.inflight: set[asyncio.Task] = set()
        self.drained = False  # the last claim found fewer rows than asked for
        self.claimed = 0

    # --- the loop --------------------------------------------------------------------------------
    async def go(self) -> DispatchStats:
        with self.quiet_gc():
            return await self._go()

    async def _go(self) -> DispatchStats:
        await self.db.run(self._recover)
        heartbeat = asyncio.get_running_loop().create_task(self._heartbeat())
        try:
            while True:
                if self.wake is not None and self.wake.is_set():
                    self.wake.clear()
                    self.drained = False
                if not self.inflight:
                    await self.records.drain()  # results written first: they may queue rows to send now
                room = self.concurrency - len(self.inflight)
                want = min(self.batch, room)
                if self.limit is not None:
                    want = min(want, self.limit - self.claimed)
                if want > 0 and (not self.inflight or (not self.drained and room >= self.concurrency // 2)):
                    now = self.clock()
                    rows = await self.db.run(claim_batch, self.engine, worker=self.worker, now=now,
                                             lease_until=now + timedelta(seconds=self.lease), limit=want)
                    self.claimed += len(rows)
                    self.drained = len(rows) < want
                    for row in rows:
                        task = asyncio.get_running_loop().create_task(self._send(row))
                        self.inflight.add(task)
                    if rows:
                        continue
                if not self.inflight:
                    if await self._linger():
                        continue
                    break
                done, _ = await asyncio.wait(self.inflight, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    self.inflight.discard(task)
                    task.result()  # a crash (or cancellation) of one send stops the run
        finally:
            heartbeat.cancel()
            await self._wind_down()
        if self.records.error is not None:
            raise self.records.error  # results not written: those rows settle when their lease expires
        return self.stats

    async def _linger(self) -> bool:
        """Wait for the next retry when it is due within `linger` seconds; False when there is none."""
        if self.linger <= 0 or (self.limit is not None and self.claimed >= self.limit):
            return False
        due = await self.db.run(self._next_due)
        if due is None:
            return False
        wait = (due - self.clock()).total_seconds()
        if wait > self.linger:
            return False
        wait = max(wait, 0.05)
        if self.wake is None:
            await self.sleep(wait)
        else:
            try:
                await asyncio.wait_for(self.wake.wait(), wait)
            except TimeoutError:
                pass
        self.drained = False
        return True

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                await self.db.run(outbox.renew_leases, self.engine, worker=self.worker,
                                  lease_until=self.clock() + timedelta(seconds=self.lease))
            except Exception:  # the store blinked: the next beat tries again before the lease runs out
                log.exception("could not renew outbox leases")

    async def _wind_down(self) -> None:
        """Stop sends still in flight, write the results already in hand, give back unstarted claims."""
        for task in self.inflight:
            task.cancel()
        await asyncio.gather(*self.inflight, return_exceptions=True)
        self.inflight.clear()
        try:
            await self.starts.drain()
            await self.records.drain()
            if self.claimed:
                await self.db.run(outbox.release_unstarted, self.engine, worker=self.worker)
        except Exception:  # the leases expire on their own; a peer or the next run settles them
            log.exception("could not release unsent outbox claims")

    # --- one row ---------------------------------------------------------------------------------
    async def _send(self, row: Row) -> None:
        recipient, message = Recipient.parse(row.recipient), from_payload(row.payload)
        started = False

        async def on_start(index: int) -> None:
            nonlocal started
            if not await self.starts.submit((row.id, index)):
                raise LeaseLost(row.id)
            started = True

        progress = Progress(row.parts_sent, on_start=on_start)
        try:
            result = await self.notifier.send(recipient, message, progress)
        except LeaseLost:
            log.warning("outbox row %s was taken over by another dispatcher; not sent here", row.id)
            return
        except UnknownPlatform:
            result = SendResult(SendStatus.FAILED, detail=f"没有启用 {recipient.platform} 渠道")
        except Exception as exc:  # a sender bug must not stop the other sends
            log.exception("sender failed for outbox row %s", row.id)
            # Once the request may have gone out it is "delivery unknown"; before that, an ordinary retry.
            status = SendStatus.UNKNOWN if started else SendStatus.RETRY
            result = SendResult(status, detail=f"{type(exc).__name__}: {exc}")
        self.records.post((row, result, progress.parts_sent))

    # --- database work (runs in the worker thread) ------------------------------------------------
    async def _flush_starts(self, items: list[tuple[int, int]]) -> list[bool]:
        owned = await self.db.run(mark_started, self.engine, worker=self.worker, now=self.clock(),
                                  parts=dict(items))
        return [row_id in owned for row_id, _ in items]

    async def _flush_records(self, items: list) -> list[None]:
        queued = await self.db.run(self._record_batch, items, self.clock())
        if queued:
            self.drained = False  # notices (or a moved chat's resend) to send in this run
        return [None] * len(items)

    def _recover(self) -> None:
        with session_scope(self.engine) as session:
            lost = recover_interrupted(session=session, now=self.clock(), admins=self.admins)
        if lost:
            log.warning("%d outbox rows were mid-request when their dispatcher stopped: delivery unknown", lost)

    def _next_due(self) -> datetime | None:
        with Session(self.engine) as session:
            return session.exec(select(func.min(Outbox.next_attempt_at)).where(col(Outbox.state).in_(READY))).one()

    def _record_batch(self, items: list, now: datetime) -> int:
        stats, queued, outcomes, unknown, held = self.stats, 0, [], [], []
        with session_scope(self.engine) as session:
            for row, result, parts in items:
                if result.status == SendStatus.SENT:  # the common case, kept lean
                    outcomes.append(Outcome(row.id, "sent", result.detail[:500], parts, now, result.message_id))
                    stats.sent += 1
                    continue
                state, wait = decide(result, row.attempts, self.max_attempts)
                next_at = now + timedelta(seconds=wait) if wait is not None else None  # None: the row keeps its own
                address = None
                if result.new_address:
                    address = self._moved(session, row, result.new_address)
                    queued += 1
                elif state == "retry":
                    stats.retry += 1
                    if result.outage:
                        held.append(row.id)
                elif state == "inactive":
                    queued += self._gone(session, row, now)
                elif state == "unknown":
                    stats.unknown += 1
                    unknown.append(row)
                else:
                    stats.failed += 1
                outcomes.append(Outcome(row.id, state, result.detail[:500], parts, None, None, next_at, address))
            record_outcomes(session, worker=self.worker, outcomes=outcomes)
            give_back_attempts(session, ids=held)
            stats.held += len(held)
            queued += tell_unknown(session, unknown, self.admins, now)
        return queued

    def _moved(self, session: Session, row: Row, new_address: str) -> str:
        """The group moved (Telegram supergroup upgrade): re-key every binding; the row is resent there at once."""
        recipient = Recipient.parse(row.recipient)
        repo.rekey_address(session=session, platform=recipient.platform, old=recipient.address, new=new_address)
        self.stats.migrated += 1
        return Recipient(recipient.platform, new_address).key()

    def _gone(self, session: Session, row: Row, now: datetime) -> int:
        """The recipient blocked us or left: stop sending there, and tell the admins."""
        recipient = Recipient.parse(row.recipient)
        ident = repo.identity_at(session=session, platform=recipient.platform, address=recipient.address)
        if ident is not None:
            ident.active = False
        session.add(AuditLog(at=now, actor="dispatcher", action="recipient.inactive", detail=recipient.key()))
        self.stats.inactive += 1
        self.stats.deactivated.append(recipient.key())
        return tell_admins_gone(session, row.unit_id, recipient, self.admins, now)


async def dispatch_outbox(
    *,
    engine: Engine,
    notifier: Notifier,
    clock: Callable[[], datetime],
    max_attempts: int = 5,
    limit: int | None = None,
    admins: list[Recipient] | None = None,
    worker: str | None = None,
    lease: float = LEASE_SECONDS,
    batch: int = BATCH,
    concurrency: int = CONCURRENCY,
    linger: float = 0.0,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    wake: asyncio.Event | None = None,
    quiet_gc: Callable[[], AbstractContextManager] = nullcontext,
) -> DispatchStats:
    """Send every due row (at most `limit`), up to `concurrency` at once, and return what happened.

    Several dispatchers (tasks or processes) may run against one store: claims never overlap. `admins`
    hear when a recipient blocks us and when a row's delivery is unknown. With `linger` > 0 the run
    waits for retries due within that many seconds (a flood wait) instead of leaving them to the next tick;
    setting `wake` says new rows were queued (it ends such a wait, and makes a drained run claim again).
    `quiet_gc` is the one garbage-collector hook of a run: none by default, as the composition root already keeps
    full passes off every dispatch (bot.heap, HEAP.calm around App.dispatch) under run, worker and sweep alike.
    """
    run = _Run(engine=engine, notifier=notifier, clock=clock, max_attempts=max_attempts, limit=limit,
               admins=admins or [], worker=worker or worker_id(), lease=lease, batch=batch,
               concurrency=concurrency, linger=linger, sleep=sleep, wake=wake, quiet_gc=quiet_gc)
    return await run.go()


async def release_waiting(engine: Engine, *, platform: str, now: datetime) -> int:
    """The rows of `platform` waiting to retry are due `now` (it is reachable again), written off the event loop."""
    def due() -> int:
        with session_scope(engine) as session:
            return outbox.due_now(session, platform=platform, now=now)

    return await Db(engine).run(due)
