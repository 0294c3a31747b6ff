"""A granted slot of a limiter, and settling several at once right before a request leaves."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.ratelimit.lock import MIN_SLEEP, Clock, Sleep

if TYPE_CHECKING:
    from bot.ratelimit.spacing import Spacing
    from bot.ratelimit.window import SlidingWindowLimiter


class Reservation:
    """A granted slot of one key: reserved, then (settle_together) in flight, then over."""

    def __init__(self, limiter: SlidingWindowLimiter | Spacing, key: str) -> None:
        self._limiter, self.key = limiter, key
        self.state = "reserved"  # → "flying" → "over"

    def wait_time(self, now: float) -> float:
        """Seconds until the request fits the rules now (0 if it does; inf if only the end of another will)."""
        limiter = self._limiter
        limiter._prune(self.key, now)
        flying = getattr(limiter, "_flying", {}).get(self.key, 0)  # a window counts requests in flight; spacing not
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
            await sleep(max(wait, MIN_SLEEP))
