"""Telegram's flood limits, held with the shared sliding-window limiter."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from bot.ratelimit import Rule, SlidingWindowLimiter

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]

# Telegram's published guidance: about one message a second to one chat, 20 a minute to one group,
# and about 30 a second overall. Going over earns a 429 with a retry_after.
PER_CHAT: Rule = (1, 1.0)
# Telegram counts message length in UTF-16 code units; 4096 is the documented maximum.
MAX_MESSAGE = 4096
MAX_CAPTION = 1024
PER_GROUP: Rule = (20, 60.0)
OVERALL: Rule = (30, 1.0)


def is_group(chat_id: str) -> bool:
    """Return whether `chat_id` is a group or supergroup (Telegram gives those negative ids)."""
    return chat_id.startswith("-")


class TelegramLimits:
    """Wait until a send to one chat fits every Telegram limit that applies to it."""

    def __init__(self, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep) -> None:
        self._private = SlidingWindowLimiter([PER_CHAT], clock=clock, sleep=sleep)
        self._group = SlidingWindowLimiter([PER_CHAT, PER_GROUP], clock=clock, sleep=sleep)
        self._overall = SlidingWindowLimiter([OVERALL], clock=clock, sleep=sleep)

    async def acquire(self, chat_id: str) -> None:
        """Wait for a slot in `chat_id`, then for one overall."""
        # The per-chat wait can be long; taking the overall slot last keeps it from being held idle.
        await (self._group if is_group(chat_id) else self._private).acquire(chat_id)
        await self._overall.acquire("*")
