"""Telegram delivery through the dispatcher: a 429 waits retry_after; a split message resumes where it stopped."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from sqlmodel import select
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.notify import Notifier, OutboundMessage, Recipient, to_payload
from bot.tg.limits import TelegramLimits
from bot.tg.sender import TelegramSender
from jobs.dispatch import dispatch_outbox
from storage.db import session_scope
from storage.models import Outbox
from tests.helpers import at

NOW = at(2021, 8, 23)


class Clocks:
    """One fake time for the dispatcher's wall clock and the sender's monotonic clock."""

    def __init__(self) -> None:
        self.elapsed = 0.0
        self.sleeps: list[float] = []

    def mono(self) -> float:
        return self.elapsed

    def wall(self):
        return NOW + timedelta(seconds=self.elapsed)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.elapsed += seconds
        await asyncio.sleep(0)


@pytest.fixture
async def bot(api):
    async with Bot(api.token, base_url=api.base_url, request=HTTPXRequest(connection_pool_size=8)) as b:
        yield b


def queue(engine, chat: str, text: str) -> None:
    with session_scope(engine) as s:
        s.add(Outbox(key=f"k-{chat}-{len(text)}", recipient=f"telegram:{chat}", kind="notice", occurrence="d",
                     payload=to_payload(OutboundMessage(text=text)), created_at=NOW, next_attempt_at=NOW))


def row(engine) -> Outbox:
    with session_scope(engine) as s:
        return s.exec(select(Outbox)).one()


async def test_429_waits_retry_after_not_thirty_seconds(api, bot, memory_engine):
    clocks = Clocks()
    sender = TelegramSender(bot, clock=clocks.mono, sleep=clocks.sleep)
    queue(memory_engine, "111", "到期提醒")
    api.fail_next("sendMessage", 111, "retry_after", 3)
    first = await dispatch_outbox(engine=memory_engine, notifier=Notifier([sender]), clock=clocks.wall)
    assert first.retry == 1
    assert row(memory_engine).next_attempt_at == NOW + timedelta(seconds=3)  # not the old 30 s floor
    # With `linger` the same run sits out the 3 s flood wait and sends it.
    stats = await dispatch_outbox(engine=memory_engine, notifier=Notifier([sender]), clock=clocks.wall,
                                  linger=30, sleep=clocks.sleep)
    assert stats.sent == 1
    assert 3.0 <= clocks.elapsed < 4.0
    assert [p["text"] for p in api.requests("sendMessage")] == ["到期提醒", "到期提醒"]


async def test_split_message_failing_part_way_resumes_without_repeating(api, bot, memory_engine):
    clocks = Clocks()
    sender = TelegramSender(bot, clock=clocks.mono, sleep=clocks.sleep)
    text = "一" * 4096 + "二" * 4096 + "三" * 10
    queue(memory_engine, "111", text)
    api.fail_next("sendMessage", 111, "delay", 0)  # part 1 goes through
    for _ in range(4):  # part 2: more flood waits than the sender absorbs on its own
        api.fail_next("sendMessage", 111, "retry_after", 1)
    first = await dispatch_outbox(engine=memory_engine, notifier=Notifier([sender]), clock=clocks.wall)
    assert first.retry == 1
    assert row(memory_engine).parts_sent == 1
    later = lambda: NOW + timedelta(minutes=1)  # noqa: E731
    assert (await dispatch_outbox(engine=memory_engine, notifier=Notifier([sender]), clock=later)).sent == 1
    delivered = [p["text"] for p in api.requests("sendMessage")]
    assert delivered.count("一" * 4096) == 1  # part 1 was not repeated
    assert delivered[-2:] == ["二" * 4096, "三" * 10]
    assert row(memory_engine).state == "sent"


async def test_reply_refused_with_429_is_retried_not_dropped(api, bot):
    from bot.tg.app import _Transport

    clocks = Clocks()
    transport = _Transport(settings=None, handler=None, commands=None)
    transport.sender = TelegramSender(bot, clock=clocks.mono, sleep=clocks.sleep)
    transport.sleep = clocks.sleep
    for _ in range(3):
        api.fail_next("sendMessage", 222, "retry_after", 2)
    await transport._reply("222", OutboundMessage(text="已记录"))
    assert [p["text"] for p in api.requests("sendMessage")] == ["已记录"] * 4
    assert clocks.elapsed >= 6


async def test_real_time_limits_space_sends_under_telegrams(api):
    """The production limiter (real clock): at most 30 in any second overall, 1 s apart per chat."""
    limits = TelegramLimits()
    stamps: dict[str, list[float]] = {}

    async def one(chat: str) -> None:
        await limits.acquire(chat)
        stamps.setdefault(chat, []).append(time.monotonic())

    await asyncio.gather(*(one(f"{i}") for i in range(40)), one("7"))
    every = sorted(t for ts in stamps.values() for t in ts)
    assert len(every) == 41
    assert max(sum(1 for u in every if t <= u < t + 1.0) for t in every) <= 30
    assert stamps["7"][1] - stamps["7"][0] >= 1.0
    assert Recipient("telegram", "1")  # (the recipient type is unchanged)
