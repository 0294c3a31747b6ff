"""kill -9 a dispatcher: a row is left "request started" only if its request had left (never while it waits its turn).

The dispatcher runs as a real process, posting to three group robots on a loopback webhook (20 posts a minute
each). Once each robot's first minute is spent, the other rows wait for the limiter; a kill then must leave
none of them "started" (they would become "delivery unknown", with a 重发 notice to the admins, for a
message that never left).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import datetime

from aiohttp import web
from sqlalchemy import insert
from sqlmodel import select

from bot.notify import OutboundMessage, to_payload
from storage.db import open_store, session_scope
from storage.models import Outbox
from tests.conftest import SH

ROBOTS = 3
ROWS = 90
CHILD = """
import asyncio, sys
from datetime import datetime
from zoneinfo import ZoneInfo
from bot.config import RobotSettings
from bot.notify import Notifier
from bot.robots import RobotSender
from jobs.dispatch import dispatch_outbox
from storage.db import open_store
url, base, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
robots = {f"r{i}": RobotSettings(kind="wecom", url=f"{base}/hook/{i}") for i in range(n)}
engine = open_store(url)
asyncio.run(dispatch_outbox(engine=engine, notifier=Notifier([RobotSender(robots)]),
                            clock=lambda: datetime.now(ZoneInfo("Asia/Shanghai")), linger=120))
"""


class Webhooks:
    """Loopback group-robot webhooks that record each post's text as it arrives."""

    def __init__(self) -> None:
        self.received: list[str] = []

    async def _hook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body.get("markdown", body.get("text", {})).get("content", ""))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def __aenter__(self) -> str:
        app = web.Application()
        app.router.add_post("/hook/{n}", self._hook)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    async def __aexit__(self, *exc) -> None:
        await self._runner.cleanup()


def _fill(engine) -> None:
    now = datetime.now(SH)
    with session_scope(engine) as s:
        s.execute(insert(Outbox), [{"key": f"k{i}", "recipient": f"robot:r{i % ROBOTS}", "kind": "notice",
                                    "occurrence": "d", "payload": to_payload(OutboundMessage(text=f"row-{i}-end")),
                                    "state": "pending", "attempts": 0, "created_at": now, "next_attempt_at": now,
                                    "error": "", "parts_sent": 0} for i in range(ROWS)])


async def _wait(predicate, limit: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    while not predicate():
        assert loop.time() < end, "the dispatcher did not get that far in time"
        await asyncio.sleep(0.05)


async def test_a_kill_leaves_started_only_what_had_left(store_url):
    engine = open_store(store_url)
    _fill(engine)
    hooks = Webhooks()
    async with hooks as base:
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", CHILD, store_url, base, str(ROBOTS),
                                                    cwd=os.getcwd())
        try:
            await _wait(lambda: len(hooks.received) >= ROBOTS * 20)  # each robot's first minute spent
            await asyncio.sleep(1.0)  # the rest wait for the limiter (40 s more)
            proc.send_signal(signal.SIGKILL)
        finally:
            if proc.returncode is None:
                proc.kill()
            await proc.wait()
    got = {t.split("-")[1] for t in hooks.received}
    with session_scope(engine) as s:
        started = s.exec(select(Outbox).where(Outbox.request_started_at.is_not(None),
                                              Outbox.state == "sending")).all()
    never_received = [r.id for r in started if r.key[1:] not in got]
    print(f"kill -9 on {engine.dialect.name}: {len(started)} rows left started, {len(never_received)} never "
          f"received, {len(hooks.received)} posts arrived")
    engine.dispose()
    assert len(hooks.received) == ROBOTS * 20  # the limiter held: nothing else left
    assert len(never_received) == 0
