"""A channel that cannot reach its platform fails alone: the rest runs, its rows wait, and go when it is back."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlmodel import select

from bot.app import App
from bot.config import Settings
from storage.db import session_scope
from storage.models import Outbox
from tests.fake_bot_api import FakeBotApi
from tests.helpers import at, fill_outbox
from tests.test_delivery_kill import Webhooks

NOW = at(2021, 8, 23)


async def _refused_port() -> int:
    """A loopback port nothing listens on (a fake Bot API that was there and stopped)."""
    api = await FakeBotApi().start()
    port = api.port
    await api.stop()
    return port


def _settings(tmp_path, port: int, hooks: str) -> Settings:
    return Settings(database={"url": f"sqlite:///{tmp_path / 'duban.db'}"}, app={"load_sample_plan": False},
                    telegram={"token": FakeBotApi.token, "base_url": f"http://127.0.0.1:{port}/bot",
                              "base_file_url": f"http://127.0.0.1:{port}/file/bot"},
                    robots={"r": {"kind": "wecom", "url": f"{hooks}/hook/0"}}, server={"port": 0})


def _rows(app: App) -> dict[str, Outbox]:
    with session_scope(app.engine) as s:
        return {o.recipient: o for o in s.exec(select(Outbox)).all()}


class Gate:
    """The keeper's sleep: records each wait, and returns only when the test opens it."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.open = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await self.open.wait()
        self.open.clear()


async def test_telegram_down_leaves_the_robot_and_scheduler_running_and_its_rows_wait(tmp_path, caplog):
    port = await _refused_port()
    hooks = Webhooks()
    async with hooks as base:
        clock = [NOW]
        app = App(_settings(tmp_path, port, base), clock=lambda: clock[0])
        gate = app.retry_sleep = Gate()
        fill_outbox(app.engine, 1, now=NOW, text="致电报", recipient="telegram:111")
        fill_outbox(app.engine, 1, now=NOW, text="致群机器人", recipient="robot:r", key="robot-row")
        with caplog.at_level(logging.WARNING):
            await app.start()  # no exception: Telegram is down, the rest starts
        try:
            assert app.scheduler.running and "telegram" in app.notifier.down
            (line,) = [r for r in caplog.records if "telegram channel could not start" in r.getMessage()]
            assert line.exc_info is None and "\n" not in line.getMessage()  # one line, no traceback
            stats = await app.dispatch()
            assert hooks.received == ["致群机器人"] and stats.sent == 1 and stats.held == 1
            for _ in range(8):  # longer than max_attempts: an outage never makes a row "failed"
                clock[0] += timedelta(minutes=2)
                await app.dispatch()
                assert _rows(app)["telegram:111"].state == "retry"
            assert gate.waits == [5.0]  # the keeper waits for its first retry

            api = FakeBotApi()
            api.port = port
            await api.start()  # Telegram is back
            try:
                clock[0] += timedelta(minutes=2)
                gate.open.set()
                for _ in range(200):  # bounded: the keeper starts the channel, and the kicked dispatch sends
                    if api.requests("sendMessage"):
                        break
                    await asyncio.sleep(0.05)
                assert [m["text"] for m in api.requests("sendMessage")] == ["致电报"]
                assert "telegram" not in app.notifier.down
                for _ in range(100):
                    if _rows(app)["telegram:111"].state == "sent":
                        break
                    await asyncio.sleep(0.05)
                assert _rows(app)["telegram:111"].state == "sent"
            finally:
                await api.stop()
        finally:
            await app.stop()


async def test_sweep_delivers_what_it_can_and_says_in_one_line_what_it_could_not(tmp_path, cli):
    port = await _refused_port()
    hooks = Webhooks()
    async with hooks as base:
        config = tmp_path / "config.toml"
        config.write_text(f"""[database]
url = "sqlite:///{tmp_path / 'duban.db'}"
[app]
load_sample_plan = false
[telegram]
token = "{FakeBotApi.token}"
base_url = "http://127.0.0.1:{port}/bot"
[robots.r]
kind = "wecom"
url = "{base}/hook/0"
""", encoding="utf-8")
        app = App(_settings(tmp_path, port, base))
        fill_outbox(app.engine, 1, now=NOW, text="致电报", recipient="telegram:111")
        fill_outbox(app.engine, 1, now=NOW, text="致群机器人", recipient="robot:r", key="robot-row")
        app.close()
        code, out, err = await asyncio.to_thread(cli, "sweep", "--now", "2021-08-23T09:30", config_file=config)
    assert code == 0, err
    assert hooks.received == ["致群机器人"]
    (line,) = [x for x in out.splitlines() if "无法连接的渠道" in x]
    assert "telegram" in line and "1 条消息留待其恢复后发送" in line
    assert "Traceback" not in err
