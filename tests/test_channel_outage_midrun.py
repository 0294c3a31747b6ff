"""A channel that goes down while `duban run` runs fails alone: the rest sends on, its rows wait (never "failed",
never "unknown" for a connection refused), one line says so and one that it is back, and they go exactly once."""

from __future__ import annotations

import asyncio
import base64
import logging
import os
from collections import Counter
from datetime import timedelta

import httpx
from sqlmodel import select

from bot.app import App
from bot.config import Settings
from storage.db import session_scope
from storage.models import Outbox
from tests.fake_bot_api import FakeBotApi
from tests.fake_wecom import FakeWeCom
from tests.helpers import at, fill_outbox

NOW = at(2021, 8, 23)


def _settings(tmp_path, api: FakeBotApi, wecom: FakeWeCom) -> Settings:
    return Settings(database={"url": f"sqlite:///{tmp_path / 'duban.db'}"}, app={"load_sample_plan": False},
                    telegram={"token": api.token, "base_url": api.base_url, "base_file_url": api.base_file_url},
                    wecom={"corp_id": wecom.corp_id, "agent_id": 1000002, "secret": wecom.secret,
                           "token": "callback-token", "api_base_url": wecom.base_url,
                           "encoding_aes_key": base64.b64encode(os.urandom(32)).decode().rstrip("=")},
                    server={"host": "127.0.0.1", "port": 0})


def _states(app: App, platform: str) -> dict[str, str]:
    with session_scope(app.engine) as s:
        return {o.key: o.state for o in s.exec(select(Outbox).where(Outbox.recipient.startswith(f"{platform}:")))}


def _attempts(app: App, platform: str) -> list[int]:
    with session_scope(app.engine) as s:
        return [o.attempts for o in s.exec(select(Outbox).where(Outbox.recipient.startswith(f"{platform}:")))]


def _queue(app: App, platform: str, key: str) -> None:
    fill_outbox(app.engine, 1, now=app.now(), text=f"致{key}", recipient=f"{platform}:{key}", key=key,
                next_attempt_at=app.now())


def _lines(caplog, words: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if words in r.getMessage()]


async def _healthy(app: App) -> bool:
    port = app.web_runner.addresses[0][1]
    async with httpx.AsyncClient() as http:
        return (await http.get(f"http://127.0.0.1:{port}/healthz")).json() == {"ok": True}


async def _until(predicate, tries: int = 200) -> None:
    for _ in range(tries):  # bounded: a kicked dispatch runs on the loop
        if predicate():
            return
        await asyncio.sleep(0.05)
    assert predicate()


async def test_wecom_down_mid_run_waits_alone_and_its_rows_go_once_when_it_is_back(tmp_path, caplog):
    api = await FakeBotApi().start()
    async with FakeWeCom() as wecom:
        clock = [NOW]
        app = App(_settings(tmp_path, api, wecom), clock=lambda: clock[0])
        await app.start()
        try:
            port = await wecom.down()  # WeCom goes away mid-run: connections refused
            for i in range(3):
                _queue(app, "wecom", f"w{i}")
            with caplog.at_level(logging.WARNING):
                for i in range(6):  # past max_attempts (5): an outage never makes a row "failed"
                    _queue(app, "telegram", str(100 + i))
                    await app.dispatch()
                    assert _states(app, "telegram")[str(100 + i)] == "sent"  # Telegram unaffected
                    assert set(_states(app, "wecom").values()) == {"retry"}  # never failed, never unknown
                    assert app.scheduler.running and await _healthy(app)
                    clock[0] += timedelta(minutes=2)
                (down,) = _lines(caplog, "unreachable")  # one line for the whole outage, not one per row
                assert down.exc_info is None and "\n" not in down.getMessage() and "wecom" in down.getMessage()
                assert not wecom.sent()
                assert max(_attempts(app, "wecom")) <= 1  # tries that met the outage do not use up the retries

                await wecom.up(port)  # back
                await app.dispatch()  # the probe goes, gets through, and the rows that waited go with it
                await _until(lambda: set(_states(app, "wecom").values()) == {"sent"})
                (back,) = _lines(caplog, "reachable again")
            texts = Counter(m["text"]["content"] for m in wecom.sent())
            assert texts == {"致w0": 1, "致w1": 1, "致w2": 1}  # each exactly once
            assert len(_lines(caplog, "unreachable")) == 1 and "Traceback" not in caplog.text
            assert [m["text"] for m in api.requests("sendMessage")] == [f"致{100 + i}" for i in range(6)]
        finally:
            await app.stop()
            await api.stop()


async def test_telegram_down_mid_run_waits_alone_polling_and_sends_say_it_once(tmp_path, caplog):
    api = await FakeBotApi().start()
    async with FakeWeCom() as wecom:
        clock = [NOW]
        app = App(_settings(tmp_path, api, wecom), clock=lambda: clock[0])
        await app.start()
        try:
            with caplog.at_level(logging.WARNING):
                await api.stop()  # Telegram goes away mid-run: polling and sends find it refused
                port = api.port
                for i in range(3):
                    _queue(app, "telegram", str(200 + i))
                for i in range(6):  # past max_attempts (5)
                    _queue(app, "wecom", f"u{i}")
                    await app.dispatch()
                    assert _states(app, "wecom")[f"u{i}"] == "sent"  # WeCom unaffected
                    assert set(_states(app, "telegram").values()) == {"retry"}
                    assert app.scheduler.running and await _healthy(app)
                    clock[0] += timedelta(minutes=2)
                (down,) = _lines(caplog, "unreachable")
                assert down.exc_info is None and "telegram" in down.getMessage()

                back = FakeBotApi()
                back.port = port
                await back.start()
                try:
                    await app.dispatch()
                    await _until(lambda: set(_states(app, "telegram").values()) == {"sent"})
                    assert sorted(m["text"] for m in back.requests("sendMessage")) == ["致200", "致201", "致202"]
                finally:
                    await app.stop()
                    await back.stop()
                (_back,) = _lines(caplog, "reachable again")
            assert len(_lines(caplog, "unreachable")) == 1 and "Traceback" not in caplog.text
        finally:
            await app.stop()
