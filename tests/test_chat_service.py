"""The command layer on its own (Errbot-style: push an event in, read the replies out)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.chat.events import ChatEvent
from bot.services import buttons
from storage.db import session_scope
from storage.models import Deferral, Task
from tests.chat_harness import Chat


@pytest.fixture
def chat(memory_engine, seed_path):
    return Chat(memory_engine, seed_path)


async def test_board_separates_tasks_without_owner(chat):
    board = await chat.say("看板")
    assert "⚪ 未列责任单位 1" in board and "第26项 常态化开展疫情防控工作" in board
    assert "🔴 逾期 0" in board and "🟢 正常 25" in board  # task 26 is not counted as anyone's failure


async def test_group_chatter_is_not_taken_as_a_deferral_date(chat):
    with session_scope(chat.engine) as s:
        task = s.exec(select(Task).where(Task.ref == "25")).one()
        key = buttons.signing_key(session=s, now=chat.now)
    tap = ChatEvent(platform="telegram", chat_id="-200", user_id="7", is_group=True,
                    callback_data=buttons.sign(key, "defer", task.id))
    asked = "\n".join(m.text for m in await chat.service.handle(tap))
    assert "希望延期到的日期" in asked
    assert await chat.say("大家辛苦了") == ""  # ordinary group talk: silence, request still open
    answer = await chat.say("2021-10-15 等待设备到货")
    assert "延期至2021-10-15的申请" in answer
    with session_scope(chat.engine) as s:
        (d,) = s.exec(select(Deferral)).all()
        assert (d.status, d.reason, d.requested_date.isoformat()) == ("pending", "等待设备到货", "2021-10-15")


async def test_deferral_request_expires_after_a_day(chat):
    with session_scope(chat.engine) as s:
        task = s.exec(select(Task).where(Task.ref == "25")).one()
        key = buttons.signing_key(session=s, now=chat.now)
    await chat.service.handle(ChatEvent(platform="telegram", chat_id="-200", user_id="7", is_group=True,
                                        callback_data=buttons.sign(key, "defer", task.id)))
    chat.now += timedelta(days=2)
    assert await chat.say("2021-10-15") == ""  # a stale request is not completed by a date-looking text
    with session_scope(chat.engine) as s:
        assert s.exec(select(Deferral)).one().status == "awaiting_date"


async def test_admin_help_and_admin_commands(chat):
    assert "管理员命令" in await chat.say("/help", user="1", chat="1", group=False)
    assert "管理员命令" not in await chat.say("/help")
    assert "只有管理员" in await chat.say("/invite 安全办")
    assert "邀请码" in await chat.say("/invite 安全办", user="1", chat="1", group=False)
    assert "你是不是要找" in await chat.say("/invite 安全股", user="1", chat="1", group=False)
    assert "2021-02-30" in await chat.say("/deadline 25 2021-02-30", user="1", chat="1", group=False)


async def test_mine_owns_and_silent(chat):
    mine = await chat.say("/mine")
    assert "安全办牵头的任务（1项）" in mine and "第25项" in mine
    assert "没有反馈的任务" in await chat.say("还没反馈的")
    await chat.say("/report 25 已完成 隐患全部整改")
    assert "第25项" not in await chat.say("还没反馈的")
    progress = await chat.say("第25项进展如何")
    assert "✅ 已完成" in progress and "已完成 100%：隐患全部整改" in progress


async def test_wecom_department_member_taps_a_department_card(chat):
    from bot.services.binding import bind_directly as bind
    from storage.models import Outbox, StatusReport

    with session_scope(chat.engine) as s:
        bind(session=s, unit_name="职教办", platform="wecom", address="dept:7", now=chat.now, actor="t")
        task = s.exec(select(Task).where(Task.ref == "12")).one()
        key = buttons.signing_key(session=s, now=chat.now)
        s.add(Outbox(key="k", task_id=task.id, recipient="wecom:dept:7", kind="upcoming", occurrence="2021-08-23",
                     payload='{"text": "【督办提醒】第12项"}', state="sent", created_at=chat.now,
                     next_attempt_at=chat.now, message_id="card-1"))
    tap = ChatEvent(platform="wecom", chat_id="lisi", user_id="lisi", callback_message_id="card-1",
                    callback_data=buttons.sign(key, "st", task.id, "in_progress"))
    (reply,) = await chat.service.handle(tap)
    assert "✅ 已记录：推进中（职教办" in reply.text
    # A member who was not sent that card (or types free text) is still unbound.
    stray = ChatEvent(platform="wecom", chat_id="wangwu", user_id="wangwu", callback_message_id="card-9",
                      callback_data=buttons.sign(key, "st", task.id, "done"))
    assert "还没有绑定单位" in (await chat.service.handle(stray))[0].text
    with session_scope(chat.engine) as s:
        assert [(r.status, r.reporter) for r in s.exec(select(StatusReport)).all()] == [("in_progress", "wecom:lisi")]


async def test_blocked_chat_that_writes_again_is_reachable_again(chat):
    from storage.models import ChatIdentity

    with session_scope(chat.engine) as s:
        s.exec(select(ChatIdentity).where(ChatIdentity.address == "-200")).one().active = False
    assert "安全办牵头的任务" in await chat.say("/mine")
    with session_scope(chat.engine) as s:
        assert s.exec(select(ChatIdentity).where(ChatIdentity.address == "-200")).one().active


async def test_an_unbound_admins_deferral_date_is_still_heard(chat):
    """The waiting request is read with the chat's binding; a chat with none asks the store on its own."""
    with session_scope(chat.engine) as s:
        task = s.exec(select(Task).where(Task.ref == "25")).one()
        key = buttons.signing_key(session=s, now=chat.now)
    asked = await chat.service.handle(ChatEvent(platform="telegram", chat_id="1", user_id="1", is_group=False,
                                                callback_data=buttons.sign(key, "defer", task.id)))
    assert "希望延期到的日期" in "\n".join(m.text for m in asked)
    assert "延期至2021-10-15的申请" in await chat.say("2021-10-15 等待设备到货", user="1", chat="1", group=False)


async def test_a_request_written_elsewhere_is_answered_in_a_bound_chat(chat):
    """Nothing about a waiting request is cached: one opened by another process is seen at the next text."""
    with session_scope(chat.engine) as s:
        task = s.exec(select(Task).where(Task.ref == "25")).one()
        s.add(Deferral(task_id=task.id, unit_id=None, requested_by="telegram:7", created_at=chat.now))
    assert "延期至2021-10-15的申请" in await chat.say("2021-10-15")
    with session_scope(chat.engine) as s:
        assert s.exec(select(Deferral)).one().status == "pending"
