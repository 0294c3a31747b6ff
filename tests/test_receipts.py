"""签收: a new item reaches its lead unit with a 签收 button; unsigned → one reminder, then the office is told."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.config import Settings
from bot.notify import from_payload
from bot.services.binding import bind_directly
from bot.services.receipts import request_receipts
from bot.workdays import WorkCalendar
from jobs.receipts import send_receipts
from storage.db import session_scope
from storage.models import Outbox, Task, TaskEvent
from tests.chat_harness import Chat, button

CAL = WorkCalendar()


@pytest.fixture
def chat(memory_engine, seed_path):
    c = Chat(memory_engine, seed_path, settings=Settings(telegram={"admins": [1]}))
    with session_scope(memory_engine) as s:
        for unit, address in (("督导室", "-300"), ("信访办", "-400")):
            bind_directly(session=s, unit_name=unit, platform="telegram", address=address, now=c.now, actor="t",
                          is_group=True)
        ids = [s.exec(select(Task.id).where(Task.ref == r)).one() for r in ("25", "7")]
        assert request_receipts(session=s, task_ids=ids, now=c.now) == 2
        assert request_receipts(session=s, task_ids=ids, now=c.now) == 0  # asked once
    return c


def _sweep(chat, days: int = 0) -> int:
    with session_scope(chat.engine) as s:
        return send_receipts(session=s, now=chat.now + timedelta(days=days), settings=chat.service.settings,
                             calendar=CAL)


def _to(chat, recipient: str) -> list:
    with session_scope(chat.engine) as s:
        return [from_payload(r.payload) for r in
                s.exec(select(Outbox).where(Outbox.recipient == recipient).order_by(Outbox.id)).all()]


async def test_card_reminder_then_office_and_signing_once(chat):
    assert _sweep(chat) == 1  # 安全办 leads 25; task 7's lead has no chat bound yet
    assert _sweep(chat) == 0
    (card,) = _to(chat, "telegram:-200")
    assert "【新交办事项】安全办：第25项" in card.text
    assert _sweep(chat, days=3) == 1  # Monday → Thursday: three working days, one reminder
    assert "【签收提醒】" in _to(chat, "telegram:-200")[1].text
    # After 2 × 3 working days the office hears of both (task 7's lead, with no chat, was never reached).
    assert _sweep(chat, days=8) == 2 and _sweep(chat, days=9) == 0
    office = [m.text for m in _to(chat, "telegram:-300")]
    assert len(office) == 2 and all("仍未签收" in t for t in office) and any("第25项" in t for t in office)
    listing = await chat.say("/receipts", user="1", chat="1", group=False)
    assert "第25项" in listing and "安全办" in listing

    # A co-unit cannot sign; the lead signs once, a second tap changes nothing.
    refused = await chat.tap(button([card], "签收"), chat="-400")
    assert "无需本单位签收" in refused[0].text
    signed = await chat.tap(button([card], "签收"), message_id="5")
    assert "✅ 已签收：第25项" in signed[0].text and signed[0].edit_message_id == "5"
    assert "已签收过" in (await chat.tap(button([card], "签收")))[0].text
    with session_scope(chat.engine) as s:
        t = s.exec(select(Task).where(Task.ref == "25")).one()
        assert t.signed_at == chat.now
        assert [e.kind for e in s.exec(select(TaskEvent).where(TaskEvent.task_id == t.id))] == ["ask_sign", "sign"]
    assert "第25项" not in await chat.say("/receipts", user="1", chat="1", group=False)
    assert _sweep(chat, days=12) == 0


async def test_signing_in_words_signs_what_the_unit_owes(chat):
    assert "✅ 已签收：第25项" in await chat.say("签收")
    assert "没有需要签收的事项" in await chat.say("签收")


def test_receipt_off_sends_nothing(chat):
    chat.service.settings.supervision.receipt = "off"
    assert _sweep(chat) == 0


def test_plan_import_asks_for_receipts_under_all_and_cli_lists(cli, seed_path, tmp_path):
    cfg = tmp_path / "all.toml"
    cfg.write_text(cli.config.read_text(encoding="utf-8") + '[supervision]\nreceipt = "all"\n', encoding="utf-8")
    assert cli("plan", "import", str(seed_path), config_file=cfg)[0] == 0
    code, out, _ = cli("receipts", "--unsigned", "--json", config_file=cfg)
    items = json.loads(out)
    assert code == 0 and {"ref": "25", "unit": "安全办"}.items() <= next(i for i in items if i["ref"] == "25").items()
    assert all(i["signed_at"] is None for i in items)


def test_plan_import_asks_nothing_by_default(cli, seed_path):
    cli("plan", "import", str(seed_path))
    assert json.loads(cli("receipts", "--json")[1]) == []
