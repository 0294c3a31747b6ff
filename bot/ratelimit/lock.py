"""The rate limiters' shared parts: their types, the shortest sleep, and a lock served by order."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable

Rule = tuple[int, float]  # (at most this many acquisitions, per this many seconds)
Clock = Callable[[], float]
Order = float | tuple[float, ...]  # waiters are served lowest first
Sleep = Callable[[float], Awaitable[object]]

# Never sleep less than this: a float wait smaller than the clock's resolution would spin forever.
MIN_SLEEP = 0.001


class OrderedLock:
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

