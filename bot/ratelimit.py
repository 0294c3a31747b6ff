"""A sliding-window rate limiter that waits instead of dropping, with an injected clock and sleep."""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import Awaitable, Callable, Sequence

Rule = tuple[int, float]  # (at most this many acquisitions, per this many seconds)

# Never sleep less than this: a float wait smaller than the clock's resolution would spin forever.
_MIN_SLEEP = 0.001


class SlidingWindowLimiter:
    """Hold each key under every (limit, window) rule; `acquire` sleeps until a slot frees up."""

    def __init__(
        self,
        rules: Sequence[Rule],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
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
        # One lock per key keeps waiters for a key in FIFO order without blocking other keys.
        self._locks: dict[str, asyncio.Lock] = {}

    def delay(self, key: str) -> float:
        """Return how many seconds an acquire for `key` would wait now (0 if none)."""
        return self._wait_time(key, self._clock())

    async def acquire(self, key: str, *, then: Callable[[], Awaitable[object]] | None = None) -> None:
        """Wait until `key` may act under every rule, then record the act.

        `then` is awaited after the wait and before the act is recorded, with the key still held (e.g. a
        shared overall limit): the act counts from when it really happens, so a long wait in `then`
        cannot let two acts of one key land closer together than the rules allow.
        """
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            while True:
                now = self._clock()
                wait = self._wait_time(key, now)
                if wait <= 0:
                    if then is not None:
                        await then()
                        now = self._clock()
                    self._hits.setdefault(key, []).append(now)
                    break
                await self._sleep(max(wait, _MIN_SLEEP))
        if len(self._hits) > self._max_idle_keys:
            self._forget_idle(self._clock())

    def _wait_time(self, key: str, now: float) -> float:
        hits = self._hits.get(key)
        if not hits:
            return 0.0
        # Drop what no rule can see any more; hits are appended in clock order.
        stale = bisect.bisect_right(hits, now - self._horizon)
        if stale:
            del hits[:stale]
        wait = 0.0
        for limit, window in self._rules:
            first = bisect.bisect_right(hits, now - window)
            in_window = len(hits) - first
            if in_window >= limit:
                # The slot frees when enough of the oldest hits in this window have aged out.
                oldest_to_expire = hits[first + in_window - limit]
                wait = max(wait, oldest_to_expire + window - now)
        return wait

    def _forget_idle(self, now: float) -> None:
        for key in list(self._hits):
            lock = self._locks.get(key)
            if lock is not None and lock.locked():
                continue
            self._wait_time(key, now)  # prunes hits older than every window
            if not self._hits[key]:
                del self._hits[key]
                self._locks.pop(key, None)
