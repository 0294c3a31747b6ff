"""Which platforms cannot be reached now, said once per outage; their sends wait, and go when they are back.

The Notifier keeps one `Outages`. A send whose result says its platform could not be reached (connection
refused, a connect timeout, a 5xx: `SendResult.outage`) marks that platform (or, for a sender that says so, one
endpoint of it: `Sender.reach`) down, in one log line. From then on its sends are held untried (an outage retry,
due when the next probe is) but for one probe at a time, after 5 s, 15 s, then every minute; sends that come
while a probe is out wait for its answer. The first send that gets any answer (sent, refused, a flood wait) marks
it up, in one line, and `on_up` lets the rows that waited go now. A channel that could not start at all is held
(`hold`) until its keeper starts it (bot.keeper): no probe goes then.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

log = logging.getLogger(__name__)
PROBE_BACKOFF = (5.0, 15.0, 60.0)  # seconds from an outage (or a failed probe) to the next probe; the last repeats
HELD_WAIT = 60.0  # seconds a send held for a channel that could not start waits before it is looked at again


@dataclass
class _Down:
    why: str
    since: float
    next_probe: float
    held: bool = False  # the channel could not start: its keeper, not a probe, brings it back
    tries: int = 0
    probe: asyncio.Future | None = None  # the probe's answer (True: reachable), while one is out
    waited: int = 0  # sends held during this outage


class Admission(NamedTuple):
    """Whether a send may go now (and whether it is the probe), else how long it waits and why."""

    go: bool
    probe: bool = False
    wait: float = 0.0
    why: str = ""


class Outages:
    """Reachability per platform (or endpoint), from what sends find; one line when it goes and when it is back."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, backoff: tuple[float, ...] = PROBE_BACKOFF,
                 on_up: Callable[[str], None] | None = None) -> None:
        self.clock, self.backoff, self.on_up = clock, backoff, on_up
        self._down: dict[str, _Down] = {}

    @property
    def down(self) -> dict[str, str]:
        return {reach: d.why for reach, d in self._down.items()}

    def any(self) -> bool:
        """Whether anything is down (a send's one check while all is well)."""
        return bool(self._down)

    def hold(self, reach: str, why: str) -> None:
        """The channel cannot start: hold its sends, untried, until `release` (its keeper logs the line)."""
        now = self.clock()
        self._down[reach] = _Down(why, now, now + HELD_WAIT, held=True)

    def release(self, reach: str) -> None:
        """The channel started: its sends go again, and the rows that waited go now."""
        if self._down.pop(reach, None) is not None and self.on_up is not None:
            self.on_up(reach)

    def failed(self, reach: str, why: str) -> None:
        """`reach` could not be reached (outside a send, e.g. a poll): down, in one line, unless already."""
        if reach not in self._down:
            now = self.clock()
            self._down[reach] = _Down(why, now, now + self.backoff[0])
            log.warning("%s unreachable (%s): its messages wait and go when it is back; the rest runs on", reach, why)

    async def admit(self, reach: str) -> Admission:
        """Whether a send to `reach` may go now: always while it is up; while down, one probe at a time."""
        d = self._down.get(reach)
        if d is None:
            return Admission(True)
        if d.probe is not None and not d.held:
            if await asyncio.shield(d.probe):
                return Admission(True)  # the probe got through: go with it
            d = self._down.get(reach, d)
        now = self.clock()
        if d.held or d.probe is not None or now < d.next_probe:
            d.waited += 1
            wait = HELD_WAIT if d.held else max(d.next_probe - now, 1.0)
            return Admission(False, wait=wait, why=f"{reach} unreachable: {d.why}")
        d.probe = asyncio.get_running_loop().create_future()
        return Admission(True, probe=True)

    def seen(self, reach: str, *, outage: bool, answered: bool, why: str, probe: bool) -> float:
        """What a send that went found: an outage (then return how long it waits: till the next probe), an answer
        from the platform (it is up), or neither (no answer after the request left; it raised)."""
        d = self._down.get(reach)
        wait = 0.0
        if outage:
            if d is None:
                self.failed(reach, why or "unreachable")
                d = self._down[reach]
            elif probe:
                d.tries += 1
                d.next_probe = self.clock() + self.backoff[min(d.tries, len(self.backoff) - 1)]
            wait = max(d.next_probe - self.clock(), 1.0)
        elif answered and d is not None and not d.held:
            del self._down[reach]
            log.warning("%s reachable again after %.0f s; the %d messages that waited go now", reach,
                        self.clock() - d.since, d.waited)
            if d.probe is not None and not d.probe.done():
                d.probe.set_result(True)
            if self.on_up is not None:
                self.on_up(reach)
            return wait
        if probe and d is not None and d.probe is not None:
            if not d.probe.done():
                d.probe.set_result(False)
            d.probe = None
        return wait
