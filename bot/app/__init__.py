"""The composition root: settings, store, clock, channels and scheduler, wired in one place.

The CLI builds an `App` for every command; commands that touch no store never open one (the engine is
made on first use). `duban run` starts the channels and the scheduler in one event loop. Only this
package (this module and `channels.py`, which opens each configured channel) and the CLI import channels and
jobs. Every part the service starts, and the order it starts and stops them in, reads here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from bot.app.channels import mount_web, open_channels
from bot.chat.service import ChatService
from bot.config import Settings
from bot.heap import Heap
from bot.notify import Notifier, Sender
from bot.outages import Outages
from bot.services import planfile, vocab
from bot.services.binding import admin_recipients
from bot.services.importer import apply_plan
from bot.workdays import WorkCalendar
from jobs.boards import prepare_boards
from jobs.digest import weekly_digests
from jobs.dispatch import DispatchStats, dispatch_outbox, recover_interrupted, release_waiting
from jobs.scheduler import DISPATCH_SECONDS, build_scheduler
from jobs.sweep import SweepResult, sweep_due
from storage import repo
from storage.db import exclusive, open_store, session_scope

log = logging.getLogger(__name__)
WARM_WAIT_SECONDS = 2.0  # how long a stop waits for the start's vocabulary build to finish
SAMPLE_PLAN = Path(__file__).parent.parent / "sample" / "sample_plan.txt"


# The process's collector control, one per process as `gc` is: the root settles it once started (`duban run`,
# `duban worker`) and keeps it out of the way of each sweep and dispatch it runs (`duban sweep` too).
HEAP = Heap()
settle_heap = HEAP.settle


class App:
    """Everything a command or `duban run` needs; tests build it with a fake clock and loopback endpoints."""

    def __init__(self, settings: Settings, *, clock: Callable[[], datetime] | None = None,
                 now_override: datetime | None = None, extra_senders: list[Sender] | None = None,
                 vocab_cache: vocab.VocabCache | None = None) -> None:
        self.settings = settings
        self.vocab = vocab_cache or vocab.VocabCache()  # the chat's vocabularies, built at start (warm_vocabularies)
        self.now_override = now_override
        self._clock = clock
        self._engine: Engine | None = None
        self._chat: ChatService | None = None
        self.calendar = WorkCalendar.from_settings(settings)
        # Outages are timed by the app's clock (a test's too); a platform back lets the rows that waited go now.
        self.notifier = Notifier(extra_senders, outages=Outages(clock=lambda: self.now().timestamp(),
                                                                on_up=self._platform_up))
        self.bot_username = settings.telegram.bot_username  # filled from Telegram at start when not configured
        self.scheduler: AsyncIOScheduler | None = None
        self.sample_loaded = False  # the bundled sample plan was loaded into an empty store
        self.web_runner: web.AppRunner | None = None
        self.warming: asyncio.Task | None = None  # the vocabularies being built at start (warm_vocabularies)
        self._stopping = False
        self.telegram = None
        self.wecom_client = None  # the WeCom client, for the web board's workbench login
        self.closers: list = []
        self._dispatching = asyncio.Lock()
        self._wake = asyncio.Event()
        self._kick_waiting = False
        self._tasks: set[asyncio.Task] = set()
        self.keepers: list = []  # channels (re)starting on their own (bot.keeper)
        self.retry_sleep = asyncio.sleep  # how a channel that could not start waits for its next try (tests: a gate)

    # --- the store and the clock ---------------------------------------------------------------------
    def now(self) -> datetime:
        """The one place the wall clock is read; `--now` or a test clock replaces it."""
        if self.now_override is not None:
            return self.now_override
        if self._clock is not None:
            return self._clock()
        return datetime.now(self.settings.app.tz)

    def clock(self) -> datetime:
        return self.now()

    @property
    def engine(self) -> Engine:
        """The store, opened (and migrated) on first use."""
        if self._engine is None:
            self._engine = open_store(self.settings.database.url)
        return self._engine

    @property
    def chat(self) -> ChatService:
        """The chat layer every channel talks to."""
        if self._chat is None:
            self._chat = ChatService(engine=self.engine, settings=self.settings, calendar=self.calendar,
                                     clock=self.now, on_outbox=self.kick, invite_link=self.invite_link,
                                     vocab=self.vocab)
        return self._chat

    def invite_link(self, code: str) -> str | None:
        """The deep link that redeems an invite, where a channel offers one (Telegram's t.me link)."""
        if not self.bot_username:
            return None
        from bot.tg.links import deep_link

        return deep_link(self.bot_username, code)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # --- the engine -------------------------------------------------------------------------------
    def load_sample_if_empty(self) -> bool:
        with session_scope(self.engine) as session:
            if repo.any_plan(session=session) or not self.settings.app.load_sample_plan:
                return False
            parsed = planfile.parse(SAMPLE_PLAN, aliases=self.settings.aliases)
            apply_plan(session=session, parsed=parsed, now=self.clock(), source_name=SAMPLE_PLAN.name,
                       actor="sample", config_aliases=self.settings.aliases)
        return True

    def sweep(self) -> SweepResult:
        """One sweep and the weekly digests, by one process at a time: a peer sweeping the same store (another
        `duban worker`) is left to it, since two at once would do the same work and move the same series."""
        with exclusive(self.engine, "sweep") as mine:
            if not mine:
                return SweepResult(day=None, skipped="另一个进程正在扫描提醒，本次跳过")
            with HEAP.quiet(), session_scope(self.engine) as session:
                result = sweep_due(session=session, now=self.clock(), settings=self.settings,
                                   calendar=self.calendar, caps=self.notifier.caps)
                if result.day is not None:  # in office hours: the weekly digest's day may have come
                    result.written += weekly_digests(session=session, now=self.clock(), settings=self.settings,
                                                     calendar=self.calendar)
            if self.settings.web.enabled:  # after the sweep's commit: its writers never wait on the board's read
                self.prepare_boards()
            return result

    def prepare_boards(self) -> int:
        """The offices' web boards worked out for the day ahead of the first look, by the process that sweeps;
        a failure only leaves that work to the first look."""
        try:
            with HEAP.quiet(), session_scope(self.engine) as session:
                return prepare_boards(session=session, now=self.clock(), settings=self.settings,
                                      calendar=self.calendar)
        except Exception:
            log.exception("working out the web board ahead of the day's first look failed")
            return 0

    async def dispatch(self, *, kicked: bool = False) -> DispatchStats:
        """Send everything due; one dispatcher at a time in this process.

        Other processes (`duban worker`) may dispatch from the same store at the same time: claims never
        overlap. With the real clock the run stays while a retry (a flood wait) is due within a tick; a
        kick() wakes it at once.
        """
        async with self._dispatching:
            if kicked:
                self._kick_waiting = False
            self._wake.clear()
            real_clock = self._clock is None and self.now_override is None
            with HEAP.calm():
                return await dispatch_outbox(engine=self.engine, notifier=self.notifier, clock=self.clock,
                                             max_attempts=self.settings.reminders.max_attempts,
                                             admins=admin_recipients(self.settings),
                                             linger=DISPATCH_SECONDS if real_clock else 0.0, wake=self._wake)

    async def sweep_and_dispatch(self) -> tuple[SweepResult, DispatchStats]:
        # The sweep's database work runs off the event loop, so sends in flight are not held up.
        if isinstance(self.engine.pool, StaticPool):
            result = self.sweep()
        else:
            result = await asyncio.to_thread(self.sweep)
        for w in result.warnings:
            log.warning(w)
        return result, await self.dispatch()

    def kick(self) -> None:
        """Something was queued by a chat action: send it now rather than at the next tick."""
        self._wake.set()  # a running dispatcher claims it at once
        if self._kick_waiting:
            return  # a dispatch is already queued behind the running one
        self._kick_waiting = self._spawn(lambda: self.dispatch(kicked=True))

    # --- channels ---------------------------------------------------------------------------------
    def telegram_up(self, tg) -> None:
        self.bot_username = self.bot_username or tg.bot.username or ""  # rows that waited: see _platform_up

    def _platform_up(self, reach: str) -> None:
        """A platform (or endpoint) is reachable again: the rows that waited for it are due now and go at once."""
        async def release() -> None:
            await release_waiting(self.engine, platform=reach.partition(":")[0], now=self.clock())
            self.kick()

        self._spawn(release)

    def _spawn(self, job: Callable) -> bool:
        """Run `job()` as a task the stop waits for; False outside an event loop."""
        try:
            task = asyncio.get_running_loop().create_task(job())
        except RuntimeError:
            return False
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    def recover(self) -> int:
        """Settle claims of dispatchers that died (expired leases); a live peer's claims are left alone."""
        with session_scope(self.engine) as session:
            lost = recover_interrupted(session=session, now=self.clock(), admins=admin_recipients(self.settings))
        if lost:
            log.warning("%d reminders were mid-request when their dispatcher stopped; marked delivery-unknown", lost)
        return lost

    async def open_senders(self) -> None:
        """Register the configured channels' senders for a one-shot sweep."""
        self.recover()
        await open_channels(self, None, retry=False)

    async def start(self) -> None:
        self.recover()
        self.sample_loaded = self.load_sample_if_empty()
        app = web.Application()
        app.router.add_get("/healthz", _healthz)
        needs_http = await open_channels(self, app)
        if self.mount_web(app) or needs_http:
            self.web_runner = web.AppRunner(app)
            await self.web_runner.setup()
            await web.TCPSite(self.web_runner, self.settings.server.host, self.settings.server.port).start()
        self.scheduler = build_scheduler(tz=self.settings.app.tz, sweep_minutes=self.settings.reminders.sweep_minutes,
                                         sweep=self.sweep_and_dispatch, dispatch=self.dispatch)
        self.scheduler.start()
        self.warming = asyncio.create_task(asyncio.to_thread(self.warm_vocabularies))
        settle_heap()

    def mount_web(self, app: web.Application) -> bool:
        """The web board on the same server, when [web] enabled (bot.app.channels)."""
        return mount_web(self, app)

    def warm_vocabularies(self) -> int:
        """The offices' vocabularies built off the loop at start, so the first question is answered at once."""
        try:
            with session_scope(self.engine) as session:
                return self.vocab.warm(session=session, aliases=self.settings.aliases, tz=self.settings.app.tz)
        except Exception:  # a cold cache only costs the first question its wait
            if not self._stopping:
                log.exception("building the chat vocabulary at start failed; the first question builds it")
            return 0

    async def start_worker(self) -> None:
        """`duban worker`: sweep and dispatch only. The senders are opened, no chat channel is polled or served.

        Run as many as you like against one PostgreSQL store; they share the due rows through
        SKIP LOCKED claims.
        """
        self.recover()
        await open_channels(self, None)
        self.scheduler = build_scheduler(tz=self.settings.app.tz, sweep_minutes=self.settings.reminders.sweep_minutes,
                                         sweep=self.sweep_and_dispatch, dispatch=self.dispatch)
        self.scheduler.start()
        settle_heap()

    async def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        for keeper in self.keepers:
            await keeper.stop()
        if self.warming is not None and not self.warming.done():
            # Its thread reads the store: let it finish before the store closes, but never hold a stop up for
            # long (a large store's vocabulary takes seconds); a build cut short only costs the next start.
            self._stopping = True
            await asyncio.wait([self.warming], timeout=WARM_WAIT_SECONDS)
        if self.telegram is not None:
            from bot.tg import stop_application

            await stop_application(self.telegram)
        if self.web_runner is not None:
            await self.web_runner.cleanup()
        if self._tasks:  # sends a chat action started finish before their HTTP clients close
            await asyncio.gather(*self._tasks, return_exceptions=True)
        for close in self.closers:
            await close()
        self.close()


async def _healthz(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})
