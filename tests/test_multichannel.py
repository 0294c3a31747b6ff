"""A reminder sweep for the seed plan delivers to Telegram, WeCom and a robot webhook at once,
each unit through the channel it is bound to, and never twice."""

from __future__ import annotations

import base64
import os
from datetime import date, datetime

import pytest
from sqlmodel import select

from bot.app import App
from bot.config import Settings
from bot.services.binding import bind_directly
from bot.services.importer import apply_plan
from bot.services.reports import set_deadline
from bot.services.tasks import require_task
from storage.db import session_scope
from storage.models import Outbox
from tests.conftest import SH
from tests.fake_bot_api import FakeBotApi
from tests.fake_wecom import FakeWeCom
from tests.helpers import parsed_plan

NOW = datetime(2021, 8, 11, 9, 30, tzinfo=SH)  # Wednesday, office hours
DUE = date(2021, 8, 16)  # three working days ahead
TG_CHAT = "-100500"  # 职教办's Telegram group
WECOM_USER = "zhangsan"  # 安全办's WeCom userid
WEBHOOK = "/cgi-bin/webhook/send"


@pytest.fixture
async def fakes():
    api = await FakeBotApi().start()
    async with FakeWeCom(corp_id="ww_duban_test", secret="app-secret") as wecom:
        yield api, wecom
    await api.stop()


@pytest.fixture
def settings(fakes, tmp_path) -> Settings:
    api, wecom = fakes
    return Settings(
        database={"url": f"sqlite:///{tmp_path / 'duban.db'}"},
        app={"load_sample_plan": False},
        telegram={"token": api.token, "base_url": api.base_url, "base_file_url": api.base_file_url},
        wecom={
            "corp_id": wecom.corp_id,
            "agent_id": 1000002,
            "secret": wecom.secret,
            "token": "callback-token",
            "encoding_aes_key": base64.b64encode(os.urandom(32)).decode().rstrip("="),
            "api_base_url": wecom.base_url,
        },
        robots={
            "office": {
                "kind": "wecom",
                "url": f"{wecom.base_url}{WEBHOOK}?key=office-key",
                "units": ["督导室"],
            }
        },
    )


def prepare(service: App, seed_path) -> None:
    """Seed plan; task 25 (安全办 leads) and task 12 (职教办 leads, 督导室 co-owns) due in 3 working days."""
    with session_scope(service.engine) as session:
        apply_plan(session=session, parsed=parsed_plan(seed_path), now=NOW, source_name=seed_path.name)
        for ref in ("25", "12"):
            set_deadline(
                session=session,
                task=require_task(session=session, ref=ref),
                when=DUE,
                label="",
                now=NOW,
                actor="test",
            )
        bind_directly(
            session=session,
            unit_name="职教办",
            platform="telegram",
            address=TG_CHAT,
            now=NOW,
            actor="test",
            is_group=True,
        )
        bind_directly(
            session=session, unit_name="安全办", platform="wecom", address=WECOM_USER, now=NOW, actor="test"
        )
        # 督导室 is reached through the robot's `units`, not a binding.


async def sweep_once(settings: Settings):
    service = App(settings, clock=lambda: NOW)
    try:
        await service.open_senders()
        return service.sweep(), await service.dispatch(), service
    finally:
        await service.stop()


def outbox(settings: Settings) -> list[Outbox]:
    service = App(settings, clock=lambda: NOW)
    with session_scope(service.engine) as session:
        rows = list(session.exec(select(Outbox).order_by(Outbox.id)).all())
    service.engine.dispose()
    return rows


async def test_one_sweep_reaches_each_unit_through_its_own_channel(fakes, settings, seed_path):
    api, wecom = fakes
    first = App(settings, clock=lambda: NOW)
    prepare(first, seed_path)
    await first.open_senders()
    result = first.sweep()
    stats = await first.dispatch()
    assert (result.written, stats.sent, stats.failed, stats.retry, stats.unknown) == (3, 3, 0, 0, 0)

    # Telegram: 职教办 leads task 12, with the one-tap buttons.
    (tg,) = api.requests("sendMessage")
    assert tg["chat_id"] == int(TG_CHAT)
    assert (
        tg["text"].startswith("【督办提醒】第12项")
        and "职教办" in tg["text"]
        and "还有 3 个工作日" in tg["text"]
    )
    labels = [b["text"] for row in tg["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["已完成", "推进中", "有困难", "申请延期", "稍后提醒"]

    # WeCom app: 安全办 leads task 25, as a button card to its userid.
    (card,) = wecom.sent()
    assert card["touser"] == WECOM_USER and card["msgtype"] == "template_card"
    body = card["template_card"]["main_title"]["title"] + card["template_card"]["sub_title_text"]
    assert "第25项" in body and "安全办" in body and "第12项" not in body
    assert len(card["template_card"]["button_list"]) == 5

    # Robot: 督导室 co-owns task 12; its internal date (3 working days before the lead's) is today.
    (robot,) = wecom.sent(WEBHOOK)
    assert [r.query for r in wecom.requests if r.path == WEBHOOK] == [{"key": "office-key"}]
    assert robot["msgtype"] == "text"
    assert robot["text"]["content"].startswith("【今日到期】第12项") and "督导室" in robot["text"]["content"]

    rows = outbox(settings)
    assert sorted((r.recipient, r.state) for r in rows) == [
        ("robot:office", "sent"),
        (f"telegram:{TG_CHAT}", "sent"),
        (f"wecom:{WECOM_USER}", "sent"),
    ]

    # The same instant again: nothing new is owed, nothing is sent.
    assert first.sweep().written == 0
    assert (await first.dispatch()).sent == 0
    await first.stop()

    # A restart (a new App on the same store) at the same instant sends nothing more either.
    result, stats, _ = await sweep_once(settings)
    assert (result.written, stats.sent) == (0, 0)
    assert len(api.requests("sendMessage")) == 1
    assert len(wecom.sent()) == 1 and len(wecom.sent(WEBHOOK)) == 1
    assert len(outbox(settings)) == 3


async def test_the_next_ladder_step_is_sent_once_more(fakes, settings, seed_path):
    """Two working days on (1 left for the leads), each channel gets exactly the new step."""
    api, wecom = fakes
    service = App(settings, clock=lambda: NOW)
    prepare(service, seed_path)
    service.engine.dispose()
    await sweep_once(settings)
    later = datetime(2021, 8, 13, 10, 0, tzinfo=SH)  # Friday: one working day before the 16th
    service = App(settings, clock=lambda: later)
    try:
        await service.open_senders()
        result = service.sweep()
        stats = await service.dispatch()
    finally:
        await service.stop()
    assert (result.written, stats.sent) == (2, 2)  # 督导室's internal date has passed: no co ladder
    tg = api.requests("sendMessage")
    assert len(tg) == 2 and "还有 1 个工作日" in tg[-1]["text"]
    cards = wecom.sent()
    assert len(cards) == 2 and "还有 1 个工作日" in cards[-1]["template_card"]["sub_title_text"]
    assert len(wecom.sent(WEBHOOK)) == 1
