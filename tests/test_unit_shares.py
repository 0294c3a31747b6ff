"""A unit's chats share what the unit said: one member's report reaches the unit's other bound chats, once."""

from __future__ import annotations

from sqlmodel import select

from bot.config import Settings
from bot.notify import from_payload
from bot.services.binding import bind_directly
from storage.db import session_scope
from storage.models import Outbox
from tests.chat_harness import Chat


async def test_a_report_from_one_chat_is_shown_to_the_units_other_chats(memory_engine, seed_path):
    chat = Chat(memory_engine, seed_path, settings=Settings(telegram={"admins": [1]}))
    with session_scope(memory_engine) as s:  # a second person of 安全办, in a private chat
        bind_directly(session=s, unit_name="安全办", platform="telegram", address="555", now=chat.now, actor="t")
    answer = await chat.say("/report 25 推进中 60% 已完成隐患排查")
    assert "已记录" in answer
    with session_scope(memory_engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "notice")).all()
    assert [r.recipient for r in rows] == ["telegram:555"]  # not back to the chat that said it
    text = from_payload(rows[0].payload).text
    assert "第25项" in text and "推进中" in text and "已完成隐患排查" in text
    await chat.say("第25项已完成")  # a plain-words report goes the same way
    with session_scope(memory_engine) as s:
        assert len(s.exec(select(Outbox).where(Outbox.kind == "notice")).all()) == 2
