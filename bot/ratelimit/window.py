"""The sliding-window limiter: every (limit, window) rule of each key, counting a request from its answer."""

from __future__ import annotations

import asyncio
import bisect
import itertools
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

from bot.ratelimit.lock import MIN_SLEEP, Clock, Order, OrderedLock, Rule, Sleep
from bot.ratelimit.reservation import Reservation


class SlidingWindowLimiter:
    """Hold each key under every (limit, window) rule; `acquire` sleeps until a slot frees up."""

    def __init__(
        self,
        rules: Sequence[Rule],
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        max_idle_keys: int = 10_000,
    ) -> None:
        if not rules:
            raise ValueError("SlidingWindowLimiter needs at least one (limit, window) rule")
        for limit, window in rules:
            if limit < 1 or window <= 0:
                raise ValueError(f"bad rate-limit rule ({limit}, {window})")
        self._rules = list(rules)
        self._horizon = max(window for _, window in rules)
        self._clock = clock
        self._sleep = sleep
        self._max_idle_keys = max_idle_keys
        self._hits: dict[str, list[float]] = {}
        # One lock per key keeps waiters for a key in order without blocking other keys.
        self._locks: dict[str, OrderedLock] = {}
        self._tickets = itertools.count()
        # Per key: reservations granted but not yet sent, and requests sent but not yet over. Both count
        # in every window until they are over.
        self._reserved: dict[str, int] = {}
        self._flying: dict[str, int] = {}
        # Waiters that only the end of a request can let through.
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}

    def delay(self, key: str) -> float:
        """Return how many seconds an acquire for `key` would wait now (0 if none; inf while full of requests)."""
        now = self._clock()
        self._prune(key, now)
        return self._wait_time(key, now, self._open(key))

    async def acquire(self, key: str, *, then: Callable[[], Awaitable[object]] | None = None) -> None:
        """Wait until `key` may act under every rule, then record the act.

        `then` is awaited after the wait and before the act is recorded, with the key still held: the
        act counts from when it really happens.
        """
        lock = self._lock(key)
        await lock.acquire(next(self._tickets))
        try:
            await self._wait_for_room(key, 0.0)
            if then is not None:
                await then()
            self._hits.setdefault(key, []).append(self._clock())
        finally:
            lock.release()
        self._maybe_forget()

    @asynccontextmanager
    async def reserve(self, key: str, *, lookahead: float = 0.0, order: Order | Callable[[], Order] | None = None
                      ) -> AsyncIterator[Reservation]:
        """Hold a slot for `key` that will be free within `lookahead` s, until the block ends.

        In the block, `settle_together([reservation])` right before the request leaves. Leaving the block
        ends the request (counted then); a reservation never sent is simply given back. Waiters for a key
        are served lowest `order` first (default: in the order they came; give all or none an order); a
        callable order is asked again each time the key's turn is handed on.
        """
        lock = self._lock(key)
        await lock.acquire(next(self._tickets) if order is None else order)
        try:
            await self._wait_for_room(key, lookahead)
            self._reserved[key] = self._reserved.get(key, 0) + 1
        finally:
            lock.release()
        reservation = Reservation(self, key)
        try:
            yield reservation
        finally:
            reservation.close()
            self._maybe_forget()

    def queued(self, key: str) -> int:
        """How many callers want a turn of `key` and have not got it: the one being served and those behind."""
        lock = self._locks.get(key)
        return 0 if lock is None else lock.waiting() + lock.locked()

    # --- internals -------------------------------------------------------------------------------
    def _lock(self, key: str) -> OrderedLock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = OrderedLock()
        return lock

    def _open(self, key: str) -> int:
        return self._reserved.get(key, 0) + self._flying.get(key, 0)

    async def _wait_for_room(self, key: str, lookahead: float) -> None:
        """Return once an act `lookahead` s from now fits every rule, counting requests not yet over."""
        while True:
            now = self._clock()
            self._prune(key, now)
            wait = self._wait_time(key, now + lookahead, self._open(key))
            if wait <= 0:
                return
            if math.isinf(wait):
                await self._changed(key)
            else:
                await self._sleep(max(wait, MIN_SLEEP))

    def _changed(self, key: str) -> asyncio.Future[None]:
        """A future that completes when a reservation of `key` ends (given back, or its request over)."""
        future = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(key, []).append(future)
        return future

    def _prune(self, key: str, now: float) -> None:
        """Drop what no rule can see any more; hits are appended in clock order."""
        hits = self._hits.get(key)
        if hits:
            stale = bisect.bisect_right(hits, now - self._horizon)
            if stale:
                del hits[:stale]

    def _wait_time(self, key: str, at: float, unfinished: int) -> float:
        """Seconds after `at` until one more act fits every rule, with `unfinished` acts not yet over.

        inf when the unfinished acts alone fill a rule: only the end of one makes room.
        """
        hits = self._hits.get(key) or []
        wait = 0.0
        for limit, window in self._rules:
            room = limit - unfinished  # finished acts the window may hold for one more to fit
            if room <= 0:
                return math.inf
            first = bisect.bisect_right(hits, at - window)
            in_window = len(hits) - first
            if in_window >= room:
                # The slot frees when enough of the oldest hits in this window have aged out.
                oldest_to_expire = hits[first + in_window - room]
                wait = max(wait, oldest_to_expire + window - at)
        return wait

    def _launched(self, key: str) -> None:
        self._reserved[key] -= 1
        self._flying[key] = self._flying.get(key, 0) + 1

    def _ended(self, key: str, flying: bool) -> None:
        """A reservation of `key` ended: its request is over now (flying), or it was never sent."""
        counts = self._flying if flying else self._reserved
        counts[key] -= 1
        if not counts[key]:
            del counts[key]
        if flying:
            hits = self._hits.setdefault(key, [])
            now = self._clock()
            hits.append(max(now, hits[-1]) if hits else now)
        for future in self._waiters.pop(key, []):
            if not future.done():
                future.set_result(None)

    def _maybe_forget(self) -> None:
        if len(self._hits) > self._max_idle_keys:
            self._forget_idle(self._clock())

    def _forget_idle(self, now: float) -> None:
        for key in list(self._hits):
            lock = self._locks.get(key)
            if (lock is not None and lock.locked()) or self._open(key):
                continue
            self._prune(key, now)
            if not self._hits[key]:
                del self._hits[key]
                self._locks.pop(key, None)

