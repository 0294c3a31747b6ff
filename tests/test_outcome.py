"""The outbox outcome policy is a pure function of (result, attempts): each branch, without a store."""

from __future__ import annotations

from bot.notify import SendResult, SendStatus
from jobs.outcome import BACKOFF, Decision, decide


def test_each_result_decides_the_rows_next_state():
    assert decide(SendResult(SendStatus.SENT), 1, 5) == Decision("sent")
    assert decide(SendResult(SendStatus.RETRY, new_address="-100"), 1, 5) == Decision("pending", 0.0)
    assert decide(SendResult(SendStatus.RETRY, retry_after=7), 2, 5) == Decision("retry", 7.0)  # a flood wait
    assert decide(SendResult(SendStatus.RETRY), 2, 5) == Decision("retry", float(BACKOFF[1]))
    assert decide(SendResult(SendStatus.RETRY), 5, 5) == Decision("failed")  # attempts spent
    assert decide(SendResult(SendStatus.RETRY, retry_after=60, outage=True), 50, 5) == Decision("retry", 60.0)
    assert decide(SendResult(SendStatus.INACTIVE), 1, 5) == Decision("inactive")
    assert decide(SendResult(SendStatus.UNKNOWN), 1, 5) == Decision("unknown")
    assert decide(SendResult(SendStatus.FAILED), 1, 5) == Decision("failed")
