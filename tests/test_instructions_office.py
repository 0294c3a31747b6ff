"""批示 beyond a bound leader's own words: the office records a leader's words on an item, and a report recorded by
any path (a one-tap status, `duban report`) reaches the leader waiting on it. On the fake Bot API."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.chat import taps
from storage.db import session_scope
from storage.models import AuditLog, ItemInstruction, Outbox
from tests.fake_bot_api import bot_message_dict, reply_update
from tests.test_items_tg import LEADER_CHAT, _item, _pushed, items_world
from tests.test_tg_e2e import ADMIN, SAFETY


@pytest.fixture
async def world(api, tmp_path, seed_path):
    async with items_world(api, tmp_path, seed_path) as w:
        yield w


def _instructions(world) -> list[tuple[str, str, bool, bool]]:
    with session_scope(world.engine) as s:
        rows = s.exec(select(ItemInstruction).order_by(ItemInstruction.id)).all()
        return [(r.author, r.words, r.leader_unit_id is not None, r.notifies) for r in rows]


async def test_the_office_records_a_named_leaders_words_and_that_leader_hears_back(world):
    await _item(world)  # 交办1, 安全办 leads; 基教股 and 财务股 help
    answer = await world.say("交办1 张副局长批示：抓紧推进，9月底前报结果", chat=ADMIN)
    assert "已将张副局长对交办1的批示转给安全办、基教股、财务股和督办办公室；交办1下次有反馈时会转给张副局长" in answer
    assert "已设为交办1的时限：2021年9月30日" in answer
    assert _instructions(world) == [("张副局长", "抓紧推进，9月底前报结果", True, True)]
    before = len(world.api.requests("sendMessage"))
    await world.service.dispatch()
    pushed = _pushed(world, before)
    assert set(pushed) == {SAFETY}  # the unit; the admin who typed it is not told again
    assert pushed[SAFETY][0].startswith("【领导批示】张副局长对交办1「完成校舍安全排查」批示：")
    await world.say("/report 交办1 推进中 30% 已开始排查", chat=SAFETY)
    before = len(world.api.requests("sendMessage"))
    await world.service.dispatch()
    assert _pushed(world, before)[LEADER_CHAT][0].startswith("【批示反馈】张副局长：您批示的交办1")


async def test_the_office_records_an_unbound_leaders_words_in_that_leaders_name(world):
    await _item(world)
    answer = await world.say("第1项局长批示：请加快进度", chat=ADMIN)  # a task of the annual plan
    assert "已将局长对工作要点第1项的批示转给" in answer and "该领导未绑定聊天，反馈不另转" in answer
    answer = await world.say("交办1批示：本周内报送方案", chat=ADMIN, name="李主任")
    assert "已将李主任对交办1的批示转给安全办、基教股、财务股和督办办公室" in answer
    assert _instructions(world) == [("局长", "请加快进度", False, True), ("李主任", "本周内报送方案", False, True)]
    before = len(world.api.requests("sendMessage"))
    await world.service.dispatch()
    assert "【领导批示】李主任对交办1" in _pushed(world, before)[SAFETY][-1]
    with session_scope(world.engine) as s:  # the admin's act is logged as theirs
        assert s.exec(select(AuditLog.actor).where(AuditLog.action == "item.instruction")).all()[-1] == f"telegram:{ADMIN}"


async def test_an_admins_acknowledgement_notifies_nobody(world):
    await _item(world)
    before = len(world.api.requests("sendMessage"))
    assert await world.say("交办1局长批示：同意", chat=ADMIN) == "已记录局长对交办1的批示（阅示，不另行通知）。"
    await world.service.dispatch()
    assert set(_pushed(world, before)) == {ADMIN}  # only the answer
    assert _instructions(world) == [("局长", "同意", False, False)]


async def test_an_admins_reply_under_a_leaders_name_is_an_instruction_and_plain_words_are_not(world):
    await _item(world)
    with session_scope(world.engine) as s:
        task_id = s.exec(select(ItemInstruction.task_id)).first() or world.task_id("交办1")
        s.add(Outbox(key="adm-test", task_id=task_id, recipient=f"telegram:{ADMIN}", kind="escalation",
                     occurrence="2021-08-23", payload="{}", state="sent", created_at=world.now,
                     next_attempt_at=world.now, message_id="6666"))
    reminder = bot_message_dict("【督办升级】交办1 …", chat_id=ADMIN, message_id=6666)
    before = len(world.api.calls)
    await world.feed(reply_update("局长批示：周五前拿出方案", reminder, chat_id=ADMIN, user_id=ADMIN))
    assert "已将局长对交办1的批示转给" in world.out_since(before)
    await world.feed(reply_update("收到，在跟", reminder, chat_id=ADMIN, user_id=ADMIN))
    assert _instructions(world) == [("局长", "周五前拿出方案", False, True)]


async def test_an_admins_leader_words_on_no_task_are_still_a_new_item(world):
    card = await world.say("局长批示：10月底前完成校舍安全排查，安全办牵头", chat=ADMIN)
    assert "请核对这项督办事项" in card and _instructions(world) == []


async def test_a_unit_writing_under_a_leaders_name_records_nothing(world):
    await _item(world)
    assert "已将" not in await world.say("交办1局长批示：抓紧", chat=SAFETY)
    assert _instructions(world) == []


async def test_a_report_by_tap_reaches_the_leader(world):
    await _item(world)
    await world.say("交办1批示：抓紧推进", chat=LEADER_CHAT)
    await world.service.dispatch()
    data = taps.TapStatus(world.task_id("交办1"), "in_progress").data(world.key())
    await world.tap(data, chat=SAFETY, message_id=7001)
    before = len(world.api.requests("sendMessage"))
    await world.service.dispatch()
    assert _pushed(world, before)[LEADER_CHAT] == [
        "【批示反馈】张副局长：您批示的交办1「完成校舍安全排查」有了新反馈——\n安全办：推进中"]


async def test_a_report_by_the_cli_reaches_the_leader_and_other_events_send_nothing(world, cli):
    await _item(world)
    await world.say("交办1批示：抓紧推进", chat=LEADER_CHAT)
    await world.service.dispatch()
    await world.say("交办件有哪些", chat=SAFETY)  # an event that records no report answers nobody
    code, _, err = cli("report", "交办1", "--unit", "安全办", "--status", "有困难", "--note", "缺资金",
                       "--now", "2021-08-23T10:00+08:00")
    assert code == 0, err
    world.now = world.now.replace(hour=10)  # the service's dispatcher, at the CLI's time
    before = len(world.api.requests("sendMessage"))
    await world.service.dispatch()
    assert _pushed(world, before)[LEADER_CHAT] == [
        "【批示反馈】张副局长：您批示的交办1「完成校舍安全排查」有了新反馈——\n安全办：有困难：缺资金"]
