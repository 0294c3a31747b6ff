"""A sliding-window rate limiter that waits instead of dropping, with an injected clock and sleep.

Two ways in:

- `acquire(key)`: wait for a slot and count the act at once (for an act that is over at once);
- `reserve(key)`: a slot for a request, in three steps. The reservation is granted once the request
  will fit within `lookahead` seconds; `settle_together` waits out the last moments right before the
  request leaves, and marks it in flight; when the request is over (its answer came back, or it failed)
  the reservation is closed and the act counted at that instant.

Counting a request from its answer rather than from its departure is what makes the windows exact at
the far end: the request arrived there somewhere between leaving and its answer, so if every request
that leaves has fewer than `limit` others answered within `window` before it or still in flight, no
`window` at the far end ever holds more than `limit` arrivals, whatever the queueing or scheduling
jitter on either side. The cost is one round trip per window cycle of each slot. Reserving ahead lets
the work between grant and departure (committing "request started") overlap the wait.
"""

from bot.ratelimit.lock import Clock, Order, Rule, Sleep
from bot.ratelimit.reservation import Reservation, settle_together
from bot.ratelimit.spacing import Spacing
from bot.ratelimit.window import SlidingWindowLimiter

__all__ = ["Clock", "Order", "Reservation", "Rule", "Sleep", "SlidingWindowLimiter", "Spacing", "settle_together"]
