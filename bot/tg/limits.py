"""Telegram's flood limits, kept with a margin so a correct run never sees a 429."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from aiolimiter import AsyncLimiter

from bot.ratelimit import Rule, SlidingWindowLimiter

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]

# Telegram's published guidance: about one message a second to one chat, 20 a minute to one group,
# and about 30 a second overall. Going over earns a 429 with a retry_after. We stay under each with a
# margin, so clock jitter and request bunching on the way out never reach the limit.
PER_CHAT: Rule = (1, 1.05)
PER_GROUP: Rule = (19, 60.0)
# Overall: evenly spaced sends at 29.4/s put at most 30 in any second even with ~20 ms of bunching
# between the limiter and the wire; 28/s would cost 7 % of the throughput for no gain.
OVERALL_RATE = 29.4
# Telegram counts message length in UTF-16 code units; 4096 is the documented maximum.
MAX_MESSAGE = 4096
MAX_CAPTION = 1024


def is_group(chat_id: str) -> bool:
    """Return whether `chat_id` is a group or supergroup (Telegram gives those negative ids)."""
    return chat_id.startswith("-")


class TelegramLimits:
    """Wait until a send to one chat fits every Telegram limit that applies to it.

    The overall limit is aiolimiter's leaky bucket (the one python-telegram-bot's AIORateLimiter uses),
    with a capacity of one so sends are evenly spaced: a larger bucket would release a burst on top of
    the steady rate, and Telegram counts any one second. The per-chat and per-group limits are not
    buckets, on purpose: a bucket counts when a permit is taken, Telegram counts when the message
    arrives. A permit taken before a long wait for the overall slot would let two messages to one chat
    arrive together, so those rules hold each chat until its overall slot comes and count the send from
    then (SlidingWindowLimiter's `then`). With an injected clock (tests) the overall spacing runs on the
    same sliding window, because aiolimiter reads the event loop's own clock.
    """

    def __init__(self, *, clock: Clock | None = None, sleep: Sleep | None = None,
                 overall_rate: float = OVERALL_RATE) -> None:
        real = clock in (None, time.monotonic) and sleep in (None, asyncio.sleep)
        clock, sleep = clock or time.monotonic, sleep or asyncio.sleep
        self._private = SlidingWindowLimiter([PER_CHAT], clock=clock, sleep=sleep)
        self._group = SlidingWindowLimiter([PER_CHAT, PER_GROUP], clock=clock, sleep=sleep)
        if real:
            bucket = AsyncLimiter(1, 1 / overall_rate)
            self._overall: Callable[[], Awaitable[object]] = bucket.acquire
        else:
            spaced = SlidingWindowLimiter([(1, 1 / overall_rate)], clock=clock, sleep=sleep)
            self._overall = lambda: spaced.acquire("*")

    async def acquire(self, chat_id: str) -> None:
        """Wait for `chat_id`'s turn, then for the overall slot; the chat's clock starts at the latter."""
        await (self._group if is_group(chat_id) else self._private).acquire(chat_id, then=self._overall)
