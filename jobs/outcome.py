"""What a send's result leaves on its row: a pure function of (result, attempts), as procrastinate's retry.py."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import NamedTuple

from bot.notify import SendResult, SendStatus

BACKOFF = (30, 120, 600, 1800, 3600)  # seconds after the 1st, 2nd, … failed attempt (no retry_after given)


class Decision(NamedTuple):
    """The row's next state, and in how many seconds it is due again (None: not again)."""

    state: str
    wait: float | None = None


def decide(result: SendResult, attempts: int, max_attempts: int) -> Decision:
    """The outbox state after `result` on the row's `attempts`-th try.

    A moved chat is resent at once; a flood wait waits exactly as long as asked, other transient failures
    back off, and after `max_attempts` fail, except an outage (the platform unreachable), which waits for
    it however long. A recipient gone is inactive; a request that may have arrived is "unknown".
    """
    if result.status == SendStatus.SENT:
        return Decision("sent")
    if result.new_address:
        return Decision("pending", 0.0)
    if result.status == SendStatus.RETRY and (attempts < max_attempts or result.outage):
        wait = result.retry_after if result.retry_after is not None else BACKOFF[min(attempts, len(BACKOFF)) - 1]
        return Decision("retry", float(wait))
    if result.status == SendStatus.INACTIVE:
        return Decision("inactive")
    if result.status == SendStatus.UNKNOWN:
        return Decision("unknown")
    return Decision("failed")


@dataclass
class DispatchStats:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    unknown: int = 0
    inactive: int = 0
    migrated: int = 0
    held: int = 0  # rows waiting for a platform that cannot be reached (an outage, never "failed")
    deactivated: list[str] = field(default_factory=list)  # recipients that blocked us

    def __iadd__(self, other: DispatchStats) -> DispatchStats:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self
