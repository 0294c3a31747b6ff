"""Migration 0010: the requests awaiting a date have an index of their own, which every chat event's read uses;
a store written at 0009 keeps its open request and answers it after the upgrade (both stores)."""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlmodel import select

from bot.chat.events import ChatEvent
from bot.services import buttons
from storage.db import make_engine, migrate, session_scope
from storage.models import Deferral, Task
from tests.chat_harness import Chat
from tests.test_delivery_migration import downgrade_to


async def test_an_open_request_made_at_0009_is_answered_after_the_upgrade(store_url, seed_path):
    engine = make_engine(store_url)
    # Today's code makes the request (its models know columns added after 0009, such as 0014's on the task);
    # going down to 0009 leaves the schema that release had, with the open request in it.
    migrate(engine)
    chat = Chat(engine, seed_path)
    with session_scope(engine) as s:
        task = s.exec(select(Task).where(Task.ref == "25")).one()
        key = buttons.signing_key(session=s, now=chat.now)
    await chat.service.handle(ChatEvent(platform="telegram", chat_id="-200", user_id="7", is_group=True,
                                        callback_data=buttons.sign(key, "defer", task.id)))
    downgrade_to(engine, "0009")
    assert "ix_deferral_awaiting" not in {i["name"] for i in inspect(engine).get_indexes("deferral")}
    migrate(engine)
    assert "ix_deferral_awaiting" in {i["name"] for i in inspect(engine).get_indexes("deferral")}

    reads: list[tuple[str, object]] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, stmt, params, *_a: reads.append((stmt, params)) if "FROM deferral" in stmt else None)
    assert "延期至2021-10-15的申请" in await chat.say("2021-10-15 等待设备到货")
    with session_scope(engine) as s:
        assert s.exec(select(Deferral)).one().status == "pending"
    assert reads, "the chat event read no deferral"
    if engine.dialect.name == "sqlite":  # the planner's word that the read goes through the index
        stmt, params = reads[0]
        with engine.connect() as conn:
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + stmt, params))
        assert "ix_deferral_awaiting" in plan, plan
    engine.dispose()
