"""dispatch_outbox: send what the sweep wrote, concurrently, recording each request before it is made.

One run claims due rows in batches (one statement each, see storage.outbox.claim_batch) under a lease
it keeps renewing, sends them concurrently (each platform's sender holds its own rate limits), and
keeps claiming while rows are due. Every database write is batched and runs off the event loop:

- before a request leaves, the row's "request started" is committed (group commit across all sends
  ready at that moment); a row killed before that point is simply retried later;
- results are written in batches as they come back.

A row whose dispatcher died (lease expired) becomes "delivery unknown" only when its request had
started, and the admins are told once, with a 重发 button.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.engine import Engine, Row
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, col, select

from bot.notify import (
    Button,
    Notifier,
    OutboundMessage,
    Progress,
    Recipient,
    SendResult,
    SendStatus,
    UnknownPlatform,
    from_payload,
    to_payload,
)
from bot.render import action_text
from bot.services.buttons import Action, sign, signing_key
from storage import repo
from storage.db import session_scope
from storage.models import AuditLog, Outbox, Unit
from storage.outbox import (
    READY,
    Outcome,
    claim_batch,
    enqueue,
    expired_claims,
    mark_started,
    outbox_key,
    record_outcomes,
    release_unstarted,
    renew_leases,
)

log = logging.getLogger(__name__)
BACKOFF = (30, 120, 600, 1800, 3600)  # seconds after the 1st, 2nd, … failed attempt (no retry_after given)
LEASE_SECONDS = 120.0  # a claim lives this long unless renewed; a live dispatcher renews it every third
BATCH = 500  # rows claimed per statement
CONCURRENCY = 500  # sends in flight at once (each sender's limiter decides when they actually go)

__all__ = ["READY", "DispatchStats", "LeaseLost", "dispatch_outbox", "recover_interrupted", "worker_id"]


@dataclass
class DispatchStats:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    unknown: int = 0
    inactive: int = 0
    migrated: int = 0
    held: int = 0  # rows waiting for a platform that cannot be reached (an outage, never "failed")
    deactivated: list[str] = field(default_factory=list)  # recipients that blocked us

    def __iadd__(self, other: DispatchStats) -> DispatchStats:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self


class LeaseLost(Exception):
    """Our claim on a row was recovered by a peer (our lease expired): this row is not ours to send."""


def worker_id() -> str:
    """A name for one dispatcher run, unique across hosts and processes."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def recover_interrupted(*, session: Session, now: datetime, admins: list[Recipient] | None = None) -> int:
    """Settle claims whose lease expired; return how many became "delivery unknown".

    A claim that never started its request is released for retry; a live peer's claims are untouched.
    """
    unknown, released = expired_claims(session, now=now)
    if unknown:
        session.add(AuditLog(at=now, actor="dispatcher", action="outbox.unknown", detail=str([r.id for r in unknown])))
        tell_unknown(session, unknown, admins or [], now)
    if released:
        session.add(AuditLog(at=now, actor="dispatcher", action="outbox.released", detail=str(released)))
    return len(unknown)


def tell_unknown(session: Session, rows: list, admins: list[Recipient], now: datetime) -> int:
    """Queue one notice per admin and unknown row (and attempt), with a 重发 button; return how many."""
    if not rows or not admins:
        return 0
    key = signing_key(session=session, now=now)
    written = 0
    for row in rows:
        if "|unknown:" in row.key:  # a notice about an unknown row that is itself unknown: no chain
            continue
        unit = session.get(Unit, row.unit_id).name if row.unit_id else "（未知单位）"
        excerpt = from_payload(row.payload).text.replace("\n", " ")[:60]
        text = action_text.delivery_unknown_notice(row.id, unit, row.recipient, excerpt)
        button = [[Button(action_text.RESEND_LABEL, sign(key, Action.RESEND, row.id))]]
        for admin in admins:
            if admin.key() == row.recipient:
                continue
            occurrence = f"{now.date().isoformat()}#{row.attempts}"
            notice = Outbox(key=outbox_key(task_id=None, topic=f"unknown:{row.id}", recipient=admin.key(),
                                           kind="notice", occurrence=occurrence),
                            unit_id=row.unit_id, recipient=admin.key(), kind="notice", occurrence=now.date().isoformat(),
                            payload=to_payload(OutboundMessage(text=text, buttons=button)), created_at=now,
                            next_attempt_at=now)
            written += enqueue(session=session, row=notice)
    return written


_frozen_runs = 0  # dispatcher runs in this process inside _old_objects_frozen


@contextmanager
def _old_objects_frozen() -> Iterator[None]:
    """Keep the collector's full passes off the objects that existed before the run, for its duration.

    A run keeps hundreds of sends in flight; their objects outlive the young collections, and every
    few thousand rows that triggers a full collection, which walks every object in the process (the
    bot's modules, SQLAlchemy's metadata…): ~0.2 s each here, as much as the run's own work. Frozen
    objects are skipped (gc.freeze) and handed back to the collector when the last run ends
    (gc.unfreeze), so nothing is kept alive: garbage is only collected later. A process that froze
    objects itself is left alone.
    """
    global _frozen_runs
    if _frozen_runs == 0 and gc.get_freeze_count():
        yield
        return
    if _frozen_runs == 0:
        gc.freeze()
    _frozen_runs += 1
    try:
        yield
    finally:
        _frozen_runs -= 1
        if _frozen_runs == 0:
            gc.unfreeze()


class _Db:
    """The database calls of one run, in worker threads so sends never wait on them.

    A claim may overlap the writing of earlier results (each call has its own connection); on a shared
    in-memory store (one connection, tests) calls run inline, one at a time.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._inline = isinstance(engine.pool, StaticPool)  # one connection: never share it across threads

    async def run(self, fn: Callable, /, *args, **kwargs):
        if self._inline:
            return fn(*args, **kwargs)
        return await asyncio.to_thread(fn, *args, **kwargs)


class _GroupCommit:
    """Collect items from many tasks and hand them to `flush` together; each caller gets its own result."""

    def __init__(self, flush: Callable[[list], Awaitable[list]]) -> None:
        self._flush = flush
        self._items: list = []
        self._futures: list[asyncio.Future | None] = []
        self._task: asyncio.Task | None = None
        self.error: Exception | None = None

    async def submit(self, item):
        future = asyncio.get_running_loop().create_future()
        self._items.append(item)
        self._futures.append(future)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())
        return await future

    def post(self, item) -> None:
        """Hand over `item` without waiting for its flush; a failed flush is raised by drain()."""
        self._items.append(item)
        self._futures.append(None)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def drain(self) -> None:
        while self._task is not None:
            await asyncio.shield(self._task)

    async def _run(self) -> None:
        try:
            while self._items:
                items, futures = self._items, self._futures
                self._items, self._futures = [], []
                try:
                    results = await self._flush(items)
                except Exception as exc:
                    if None in futures:
                        self.error = exc
                    for f in futures:
                        if f is not None and not f.done():
                            f.set_exception(exc)
                    continue
                for f, r in zip(futures, results, strict=True):
                    if f is not None and not f.done():
                        f.set_result(r)
        finally:
            self._task = None


class _Run:
    def __init__(self, *, engine: Engine, notifier: Notifier, clock: Callable[[], datetime], max_attempts: int,
                 limit: int | None, admins: list[Recipient], worker: str, lease: float, batch: int,
                 concurrency: int, linger: float, sleep: Callable[[float], Awaitable[object]],
                 wake: asyncio.Event | None) -> None:
        self.engine, self.notifier, self.clock = engine, notifier, clock
        self.max_attempts, self.limit, self.admins = max_attempts, limit, admins
        self.worker, self.lease, self.batch, self.concurrency = worker, lease, batch, max(1, concurrency)
        self.linger, self.sleep, self.wake = linger, sleep, wake
        self.db = _Db(engine)
        self.stats = DispatchStats()
        self.starts = _GroupCommit(self._flush_starts)
        self.records = _GroupCommit(self._flush_records)
        self.inflight: set[asyncio.Task] = set()
        self.drained = False  # the last claim found fewer rows than asked for
        self.claimed = 0

    # --- the loop --------------------------------------------------------------------------------
    async def go(self) -> DispatchStats:
        with _old_objects_frozen():
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
                await self.db.run(renew_leases, self.engine, worker=self.worker,
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
                await self.db.run(release_unstarted, self.engine, worker=self.worker)
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
        stats, queued, outcomes, unknown = self.stats, 0, [], []
        with session_scope(self.engine) as session:
            for row, result, parts in items:
                if result.status == SendStatus.SENT:  # the common case, kept lean
                    outcomes.append(Outcome(row.id, "sent", result.detail[:500], parts, now, result.message_id))
                    stats.sent += 1
                    continue
                recipient = Recipient.parse(row.recipient)
                state, next_at, address = "failed", None, None  # None: the row keeps its own
                if result.new_address:
                    # The group moved (Telegram supergroup upgrade): re-key every binding and resend there at once.
                    new = Recipient(recipient.platform, result.new_address)
                    repo.rekey_address(session=session, platform=recipient.platform, old=recipient.address,
                                       new=new.address)
                    state, address, next_at = "pending", new.key(), now
                    stats.migrated += 1
                    queued += 1
                elif result.status == SendStatus.RETRY and (row.attempts < self.max_attempts or result.outage):
                    # A flood wait says exactly how long; other transient failures back off.
                    wait = (result.retry_after if result.retry_after is not None
                            else BACKOFF[min(row.attempts, len(BACKOFF)) - 1])
                    state, next_at = "retry", now + timedelta(seconds=wait)
                    stats.retry += 1
                    stats.held += result.outage
                elif result.status == SendStatus.INACTIVE:
                    state = "inactive"
                    ident = repo.identity_at(session=session, platform=recipient.platform, address=recipient.address)
                    if ident is not None:
                        ident.active = False
                    session.add(AuditLog(at=now, actor="dispatcher", action="recipient.inactive",
                                         detail=recipient.key()))
                    stats.inactive += 1
                    stats.deactivated.append(recipient.key())
                    queued += _tell_admins(session, row.unit_id, recipient, self.admins, now)
                elif result.status == SendStatus.UNKNOWN:
                    state = "unknown"
                    stats.unknown += 1
                    unknown.append(row)
                else:
                    stats.failed += 1
                outcomes.append(Outcome(row.id, state, result.detail[:500], parts, None, None, next_at, address))
            record_outcomes(session, worker=self.worker, outcomes=outcomes)
            queued += tell_unknown(session, unknown, self.admins, now)
        return queued


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
) -> DispatchStats:
    """Send every due row (at most `limit`), up to `concurrency` at once, and return what happened.

    Several dispatchers (tasks or processes) may run against one store: claims never overlap. `admins`
    hear when a recipient blocks us and when a row's delivery is unknown. With `linger` > 0 the run
    waits for retries due within that many seconds (a flood wait) instead of leaving them to the next tick;
    setting `wake` says new rows were queued (it ends such a wait, and makes a drained run claim again).
    """
    run = _Run(engine=engine, notifier=notifier, clock=clock, max_attempts=max_attempts, limit=limit,
               admins=admins or [], worker=worker or worker_id(), lease=lease, batch=batch,
               concurrency=concurrency, linger=linger, sleep=sleep, wake=wake)
    return await run.go()


def _tell_admins(session: Session, unit_id: int | None, recipient: Recipient, admins: list[Recipient],
                 now: datetime) -> int:
    """Queue one notice per admin that this recipient is gone; return how many were written."""
    unit = session.get(Unit, unit_id).name if unit_id else "（未知单位）"
    text = (f"【送达失败】{unit}的聊天 {recipient.key()} 已屏蔽督办助手或已退出，今后不再向其发送提醒。"
            f"请重新邀请：/invite {unit}")
    written = 0
    for admin in admins:
        if admin == recipient:
            continue
        notice = Outbox(key=outbox_key(task_id=None, topic=f"inactive:{recipient.key()}", recipient=admin.key(),
                                        kind="notice", occurrence=now.date().isoformat()),
                        unit_id=unit_id, recipient=admin.key(), kind="notice", occurrence=now.date().isoformat(),
                        payload=to_payload(OutboundMessage(text=text)), created_at=now, next_attempt_at=now)
        written += enqueue(session=session, row=notice)
    return written
