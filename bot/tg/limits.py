"""Telegram's flood limits, held exactly at Telegram's end whatever the jitter on the way."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from bot.ratelimit import Clock, Rule, Sleep, SlidingWindowLimiter, Spacing, settle_together

__all__ = ["LOOKAHEAD", "MAX_CAPTION", "MAX_MESSAGE", "OVERALL", "PER_CHAT", "PER_GROUP", "SPREAD", "SPREAD_BURST",
           "Clock", "Sleep", "TelegramLimits", "is_group"]

# Telegram's published guidance: about one message a second to one chat, 20 a minute to one group, and
# about 30 a second overall; going over earns a 429 with a retry_after. Each is a sliding window in
# which a request counts from when it leaves until its answer is back (see bot.ratelimit): it reached
# Telegram in between, so the windows hold at Telegram's end exactly, with no margin in count or time
# for jitter. The milliseconds on top only cover clock rounding (the overall one's cost throughput).
PER_CHAT: Rule = (1, 1.005)
PER_GROUP: Rule = (20, 60.5)
OVERALL: Rule = (30, 1.002)
# Departures are also spread out (one per 1/30 s, at most SPREAD_BURST back to back): a window's whole
# count leaving at once would queue on both sides and lengthen every round trip, i.e. every slot's cycle.
SPREAD = 1 / 30
SPREAD_BURST = 3
# A slot is granted this long before it is free, so the work between grant and request (committing
# "request started") overlaps the wait rather than adding to every slot's cycle.
LOOKAHEAD = 0.1
# Telegram counts message length in UTF-16 code units; 4096 is the documented maximum.
MAX_MESSAGE = 4096
MAX_CAPTION = 1024


def is_group(chat_id: str) -> bool:
    """Return whether `chat_id` is a group or supergroup (Telegram gives those negative ids)."""
    return chat_id.startswith("-")


class TelegramLimits:
    """Wait until a send to one chat fits every Telegram limit that applies to it.

    Why not aiolimiter (python-telegram-bot's AIORateLimiter): a leaky bucket counts when a permit is
    taken, Telegram counts when the request arrives. Between the two lie the dispatcher's commit of
    "request started", our event loop, the network and Telegram's own queue, none of fixed length, so
    permits taken evenly arrived in bunches and runs saw 429s; and a bucket of capacity one (even
    spacing) loses every moment its waiter wakes late, which cost a fifth of the throughput.
    """

    def __init__(self, *, clock: Clock | None = None, sleep: Sleep | None = None, overall: Rule = OVERALL,
                 per_chat: Rule = PER_CHAT, per_group: Rule = PER_GROUP, spread: float = SPREAD,
                 lookahead: float = LOOKAHEAD) -> None:
        self._clock, self._sleep = clock or time.monotonic, sleep or asyncio.sleep
        timing = {"clock": self._clock, "sleep": self._sleep}
        self._private = SlidingWindowLimiter([per_chat], **timing)
        self._group = SlidingWindowLimiter([per_chat, per_group], **timing)
        self._overall = SlidingWindowLimiter([overall], **timing)
        self._spread = Spacing(spread, burst=SPREAD_BURST, **timing)
        self._lookahead = lookahead
        self._tickets = itertools.count()

    def ticket(self) -> int:
        """A place in line: a slot asked for with an earlier ticket is served first once its chat may send."""
        return next(self._tickets)

    @asynccontextmanager
    async def slot(self, chat_id: str, *, ticket: int | None = None) -> AsyncIterator[Callable[[], Awaitable[float]]]:
        """Reserve `chat_id`'s next request (its own turn first, then the overall one); yield `go`.

        Await `go()` right before the request leaves, and make the request inside the block: it counts
        until the block ends. Leaving the block without `go()` gives the slot back. A chat's requests are
        served by `ticket` (default: a new one). Among chats whose turn has come, the overall turn goes
        to the one with the most requests still queued (at one a second it takes longest to drain, so a
        group's sixth message is not left to the end of a broadcast), then to the earliest ticket.
        """
        ticket = self.ticket() if ticket is None else ticket
        chats = self._group if is_group(chat_id) else self._private
        ahead = self._lookahead

        def rank() -> tuple[int, int]:
            return (-chats.queued(chat_id), ticket)

        async with (chats.reserve(chat_id, lookahead=ahead, order=ticket) as mine,
                    self._overall.reserve("*", lookahead=ahead, order=rank) as everyone,
                    self._spread.reserve(lookahead=ahead, order=ticket) as spread):
            async def go() -> float:
                return await settle_together([mine, everyone, spread], clock=self._clock, sleep=self._sleep)

            yield go

    async def acquire(self, chat_id: str) -> float:
        """Wait for `chat_id`'s turn for a request that is over at once (counted now)."""
        async with self.slot(chat_id) as go:
            return await go()
