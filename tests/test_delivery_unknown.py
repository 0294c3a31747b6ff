""""Delivery unknown" rows reach the admins once with 重发; 重发 and `duban outbox resend` re-queue once."""

from __future__ import annotations

import sys
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.chat.events import ChatEvent
from bot.chat.service import ChatService
from bot.cli import main
from bot.config import Settings
from bot.notify import Notifier, OutboundMessage, Recipient, SendResult, SendStatus, to_payload
from bot.services.buttons import Action, signing_key, verify
from bot.workdays import WorkCalendar
from jobs.dispatch import dispatch_outbox, recover_interrupted
from storage.db import open_store, session_scope
from storage.models import Outbox
from storage.outbox import claim_batch, mark_started
from tests.helpers import RecordingSender, at

NOW = at(2021, 8, 23)
ADMIN = Recipient("telegram", "42")
SETTINGS = Settings(telegram={"token": "1:x", "admins": [42]})


def add_row(engine, recipient="console:zjb", state="pending") -> int:
    with session_scope(engine) as s:
        row = Outbox(key=f"k-{recipient}-{state}", recipient=recipient, kind="due", occurrence="2021-08-23",
                     payload=to_payload(OutboundMessage(text="第12项今天到期")), created_at=NOW, next_attempt_at=NOW,
                     state=state)
        s.add(row)
        s.flush()
        return row.id


async def run(engine, *senders, now=NOW):
    return await dispatch_outbox(engine=engine, notifier=Notifier(list(senders)), clock=lambda: now, admins=[ADMIN])


def press(engine, data: str):
    chat = ChatService(engine=engine, settings=SETTINGS, calendar=WorkCalendar(), clock=lambda: NOW)
    return chat.handle(ChatEvent(platform="telegram", chat_id="42", user_id="42", callback_data=data,
                                 callback_message_id="9"))


async def test_unknown_row_reaches_admins_once_and_resend_requeues_once(memory_engine):
    row_id = add_row(memory_engine)
    unit, admin = RecordingSender("console"), RecordingSender("telegram")
    unit.script = [SendResult(SendStatus.UNKNOWN, detail="TimedOut")]
    stats = await run(memory_engine, unit, admin)
    assert stats.unknown == 1
    (notice,) = admin.sent
    assert notice[0] == ADMIN and "送达未知" in notice[1].text and f"resend {row_id}" in notice[1].text
    (button,) = [b for r in notice[1].buttons for b in r]
    assert button.label == "重发"
    with session_scope(memory_engine) as s:
        assert verify(signing_key(session=s, now=NOW), button.data) == (Action.RESEND, row_id, "")
    assert (await run(memory_engine, unit, admin)).sent == 0 and len(admin.sent) == 1  # once

    replies = await press(memory_engine, button.data)
    assert "已重新排队" in replies[0].text
    assert (await press(memory_engine, button.data))[0].text == f"第 {row_id} 条提醒已在发送队列中，无需重发。"
    assert (await run(memory_engine, unit, admin)).sent == 1
    assert [r.address for r, _ in unit.sent] == ["zjb"]
    assert (await press(memory_engine, button.data))[0].text == f"第 {row_id} 条提醒已送达，不再重发。"
    assert (await run(memory_engine, unit, admin)).sent == 0


async def test_expired_started_claim_is_pushed_to_admins(memory_engine):
    row_id = add_row(memory_engine)
    claim_batch(memory_engine, worker="dead", now=NOW, lease_until=NOW + timedelta(seconds=5), limit=5)
    mark_started(memory_engine, worker="dead", now=NOW, parts={row_id: 0})
    admin = RecordingSender("telegram")
    later = NOW + timedelta(seconds=6)
    await run(memory_engine, RecordingSender("console"), admin, now=later)
    assert len(admin.sent) == 1 and "送达未知" in admin.sent[0][1].text
    with session_scope(memory_engine) as s:
        assert recover_interrupted(session=s, now=later, admins=[ADMIN]) == 0  # settled: no second notice


def test_cli_resend_requeues_unknown_and_refuses_sent(monkeypatch, capsys, tmp_path):
    db = tmp_path / "duban.db"
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    engine = open_store(f"sqlite:///{db}")
    unknown, sent = add_row(engine, "console:a", "unknown"), add_row(engine, "console:b", "sent")

    def cli(*args):
        monkeypatch.setattr(sys, "argv", ["duban", *args, "--config", str(config)])
        with pytest.raises(SystemExit) as exit_:
            main()
        out = capsys.readouterr()
        return exit_.value.code, out.out + out.err

    code, out = cli("outbox", "resend", str(unknown))
    assert code == 0 and "已重新排队" in out
    with session_scope(engine) as s:
        assert s.get(Outbox, unknown).state == "pending"
    code, out = cli("outbox", "resend", str(sent))
    assert code != 0 and out.strip() == f"错误：第 {sent} 条提醒已送达，不再重发。"  # one Chinese line
    code, out = cli("outbox", "resend", str(unknown))
    assert code != 0 and "已在发送队列中" in out
    with session_scope(engine) as s:
        assert [r.state for r in s.exec(select(Outbox).order_by(Outbox.id)).all()] == ["pending", "sent"]
    engine.dispose()
