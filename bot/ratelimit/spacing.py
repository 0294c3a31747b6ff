"""Spacing: departures spread out to about one per interval, a burst at most (GCRA, one key)."""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.ratelimit.lock import MIN_SLEEP, Clock, Order, OrderedLock, Sleep
from bot.ratelimit.reservation import Reservation


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
        self._lock = OrderedLock()
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
                await self._sleep(max(wait, MIN_SLEEP))
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

