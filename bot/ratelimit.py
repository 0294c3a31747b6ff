"""A sliding-window rate limiter that waits instead of dropping, with an injected clock and sleep.

Two ways in:

- `acquire(key)`: wait for a slot and count the act at once (for an act that is over at once);
- `reserve(key)`: a slot for a request, in three steps. The reservation is granted once the request
  will fit within `lookahead` seconds; `settle_together` waits out the last moments right before the
  request leaves, and marks it in flight; when the request is over (its answer came back, or it failed)
  the reservation is closed and the act counted at that instant.

Counting a request from its answer rather than from its departure is what makes the windows exact at
the far end: the request arrived there somewhere between leaving and its answer, so if every request
that leaves has fewer than `limit` others answered within `window` before it or still in flight, no
`window` at the far end ever holds more than `limit` arrivals, whatever the queueing or scheduling
jitter on either side. The cost is one round trip per window cycle of each slot. Reserving ahead lets
the work between grant and departure (committing "request started") overlap the wait.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

Rule = tuple[int, float]  # (at most this many acquisitions, per this many seconds)
Clock = Callable[[], float]
Order = float | tuple[float, ...]  # waiters are served lowest first
Sleep = Callable[[float], Awaitable[object]]

# Never sleep less than this: a float wait smaller than the clock's resolution would spin forever.
_MIN_SLEEP = 0.001


class _OrderedLock:
    """An asyncio lock handed to the waiter of lowest order (ties: first come), not simply FIFO.

    An order may be a callable, asked at each handover (a rank that changes while it waits).
    """

    def __init__(self) -> None:
        self._held = False
        self._queue: list[tuple[Order | Callable[[], Order], int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()

    def locked(self) -> bool:
        return self._held

    def waiting(self) -> int:
        return len(self._queue)

    async def acquire(self, order: Order | Callable[[], Order]) -> None:
        if not self._held and not self._queue:
            self._held = True
            return
        entry = (order, next(self._arrivals), asyncio.get_running_loop().create_future())
        self._queue.append(entry)
        try:
            await entry[2]
        except asyncio.CancelledError:
            if entry[2].done() and not entry[2].cancelled():
                self.release()  # handed over just as we were cancelled: pass it on
            else:
                self._queue.remove(entry)
            raise

    def release(self) -> None:
        if not self._queue:
            self._held = False
            return
        ranked = [((order() if callable(order) else order), arrival, i)
                  for i, (order, arrival, _) in enumerate(self._queue)]
        *_, best = min(ranked)
        _, _, future = self._queue.pop(best)
        future.set_result(None)  # ownership moves to that waiter; still held


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
        self._locks: dict[str, _OrderedLock] = {}
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
    def _lock(self, key: str) -> _OrderedLock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = _OrderedLock()
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
                await self._sleep(max(wait, _MIN_SLEEP))

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


class Spacing:
    """Spread departures out: about one per `interval`, at most `burst` back to back (GCRA, one key).

    A window lets its whole count go at once, and requests leaving in a bunch queue on both sides,
    which lengthens their round trip and with it every slot's cycle. A waiter that wakes a little late
    loses nothing (up to the burst tolerance), unlike a bucket of capacity one. Only departures count.
    """

    def __init__(self, interval: float, *, burst: int = 1, clock: Clock = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        if interval <= 0 or burst < 1:
            raise ValueError(f"bad spacing ({interval}, burst {burst})")
        self._interval, self._tolerance = interval, (burst - 1) * interval
        self._clock, self._sleep = clock, sleep
        self._tat = -math.inf  # theoretical time of the next departure
        self._reserved = 0
        self._lock = _OrderedLock()
        self._tickets = itertools.count()

    @asynccontextmanager
    async def reserve(self, key: str = "*", *, lookahead: float = 0.0, order: Order | None = None
                      ) -> AsyncIterator[Reservation]:
        await self._lock.acquire(next(self._tickets) if order is None else order)
        try:
            while True:
                wait = self._tat + self._reserved * self._interval - self._tolerance - (self._clock() + lookahead)
                if wait <= 0:
                    break
                await self._sleep(max(wait, _MIN_SLEEP))
            self._reserved += 1
        finally:
            self._lock.release()
        reservation = Reservation(self, key)
        try:
            yield reservation
        finally:
            reservation.close()

    def _prune(self, _key: str, _now: float) -> None:
        pass

    def _wait_time(self, _key: str, at: float, _unfinished: int) -> float:
        return max(0.0, self._tat - self._tolerance - at)

    def _changed(self, _key: str) -> asyncio.Future[None]:  # never full: the wait is always finite
        raise AssertionError("Spacing never waits for a request to end")

    def _launched(self, _key: str) -> None:
        self._reserved -= 1
        self._tat = max(self._tat, self._clock()) + self._interval

    def _ended(self, _key: str, flying: bool) -> None:
        if not flying:
            self._reserved -= 1


class Reservation:
    """A granted slot of one key: reserved, then (settle_together) in flight, then over."""

    def __init__(self, limiter: SlidingWindowLimiter | Spacing, key: str) -> None:
        self._limiter, self.key = limiter, key
        self.state = "reserved"  # → "flying" → "over"

    def wait_time(self, now: float) -> float:
        """Seconds until the request fits the rules now (0 if it does; inf if only the end of another will)."""
        limiter = self._limiter
        limiter._prune(self.key, now)
        flying = limiter._flying.get(self.key, 0) if isinstance(limiter, SlidingWindowLimiter) else 0
        return limiter._wait_time(self.key, now, flying)

    def launch(self) -> None:
        """The request leaves now."""
        if self.state == "reserved":
            self.state = "flying"
            self._limiter._launched(self.key)

    def close(self) -> None:
        """The request is over now (or, never sent, the slot is given back)."""
        if self.state != "over":
            flying, self.state = self.state == "flying", "over"
            self._limiter._ended(self.key, flying)


async def settle_together(reservations: Sequence[Reservation], *, clock: Clock = time.monotonic,
                          sleep: Sleep = asyncio.sleep) -> float:
    """Wait until a request fits every reservation's rules, mark it in flight in all of them, return when.

    Check and launch run without a pause in between, so concurrent callers can never both take the last
    room in a window.
    """
    while True:
        now = clock()
        waits = [r.wait_time(now) for r in reservations]
        wait = max(waits)
        if wait <= 0:
            for r in reservations:
                r.launch()
            return now
        if math.isinf(wait):
            blocked = [r._limiter._changed(r.key) for r, w in zip(reservations, waits, strict=True) if math.isinf(w)]
            await asyncio.wait(blocked, return_when=asyncio.FIRST_COMPLETED)
            for future in blocked:
                future.cancel()
        else:
            await sleep(max(wait, _MIN_SLEEP))
