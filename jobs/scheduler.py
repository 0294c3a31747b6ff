"""The two periodic jobs `duban run` keeps: the reminder sweep and the outbox dispatch."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, tzinfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

DISPATCH_SECONDS = 30
log = logging.getLogger(__name__)


def _stoppable(job: Callable[[], Awaitable], name: str) -> Callable[[], Awaitable]:
    """The job, ending quietly when the service stops mid-run (leases and outbox keys make that safe)."""

    async def run():
        try:
            return await job()
        except asyncio.CancelledError:
            log.info("%s interrupted by shutdown; its claims expire and are picked up next start", name)
            return None

    return run


def build_scheduler(*, tz: tzinfo, sweep_minutes: int, sweep: Callable[[], Awaitable], dispatch: Callable[[], Awaitable],
                    now: datetime | None = None) -> AsyncIOScheduler:
    """An (unstarted) scheduler with a sweep every `sweep_minutes`, first run at `now`, and a dispatch every 30 s.

    Jobs carry fixed ids so a restart replaces rather than duplicates them; a missed run is coalesced into
    one because the sweep itself catches up on missed days.
    """
    scheduler = AsyncIOScheduler(timezone=tz)
    scheduler.add_job(_stoppable(sweep, "sweep"), "interval", minutes=sweep_minutes, id="sweep_due", replace_existing=True,
                      coalesce=True, max_instances=1, misfire_grace_time=300,
                      next_run_time=now or datetime.now(tz))
    scheduler.add_job(_stoppable(dispatch, "dispatch"), "interval", seconds=DISPATCH_SECONDS, id="dispatch_outbox", replace_existing=True,
                      coalesce=True, max_instances=1, misfire_grace_time=60)
    return scheduler
