"""Keep a channel starting: one that cannot reach its platform is retried with backoff, alone.

A channel's start (Telegram's getMe, its webhook or polling) may fail because the platform is unreachable
(a network outage, a blocked host). That must not stop the scheduler, the other channels or the HTTP
server: the keeper says so in one log line, marks the platform down (its outbox rows wait, see
Notifier.mark_down) and tries again after 5 s, 15 s, 1 min, then every 5 min, until it is up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)
BACKOFF = (5.0, 15.0, 60.0, 300.0)  # seconds before the 1st, 2nd, 3rd… retry; the last repeats


def one_line(exc: BaseException) -> str:
    """The cause of a failed start in one line (no traceback: an outage is not a bug)."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


class ChannelKeeper:
    """Start one channel now, or keep trying in the background until it starts."""

    def __init__(self, name: str, start: Callable[[], Awaitable[None]], *, on_up: Callable[[], None],
                 on_down: Callable[[str], None], sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                 backoff: tuple[float, ...] = BACKOFF) -> None:
        self.name, self._start, self._on_up, self._on_down = name, start, on_up, on_down
        self._sleep, self._backoff = sleep, backoff
        self.task: asyncio.Task | None = None

    async def start(self, *, retry: bool) -> bool:
        """Try once; on failure mark it down and (with `retry`) keep trying in the background. True when up."""
        if await self._try(0):
            return True
        if retry:
            self.task = asyncio.get_running_loop().create_task(self._keep())
        return False

    async def _try(self, tries: int) -> bool:
        try:
            await self._start()
        except Exception as exc:  # any failure to start is this channel's alone
            why = one_line(exc)
            self._on_down(why)
            wait = self._backoff[min(tries, len(self._backoff) - 1)]
            log.warning("%s channel could not start (%s); retrying in %.0f s, the rest runs on", self.name, why, wait)
            return False
        self._on_up()
        if tries:
            log.warning("%s channel is up again after %d retries", self.name, tries)
        return True

    async def _keep(self) -> None:
        tries = 0
        while True:
            await self._sleep(self._backoff[min(tries, len(self._backoff) - 1)])
            tries += 1
            if await self._try(tries):
                return

    async def stop(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
