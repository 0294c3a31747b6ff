"""督办 items from chat on Telegram, end to end: the real PTB Application and ChatService against the fake Bot API."""

from __future__ import annotations

import contextlib
import io
from datetime import timedelta

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import select

from bot.services.binding import bind_directly
from storage.db import session_scope
from storage.models import ItemDraft, ItemInfo, ItemInstruction, Outbox, Task, TaskUnit, Unit
from tests.fake_bot_api import bot_message_dict, message_dict, reply_update
from tests.test_tg_e2e import ADMIN, NOW, SAFETY, World

ORDER = "交办：10月底前完成校舍安全排查，安全办牵头，基教股、财务股配合"
LEADER_CHAT = 444


@contextlib.asynccontextmanager
async def items_world(api, tmp_path, seed_path):
    """The installation of tests/test_tg_e2e.py with 安全办 bound and a bound leader, 张副局长."""
    w = World(api, tmp_path, seed_path)
    w.bind("安全办", SAFETY)
    with session_scope(w.engine) as session:
        bind_directly(session=session, unit_name="张副局长", platform="telegram", address=str(LEADER_CHAT), now=NOW,
                      actor="test", leader=True)
    await w.app.initialize()
    try:
        yield w
    finally:
        await w.app.shutdown()
        w.engine.dispose()


@pytest.fixture
async def world(api, tmp_path, seed_path):
    async with items_world(api, tmp_path, seed_path) as w:
        yield w


def _keyboard(world) -> dict[str, str]:
    """The last sent message's buttons: label → callback data."""
    markup = world.api.requests("sendMessage")[-1].get("reply_markup") or {"inline_keyboard": []}
    return {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}


def _items(world) -> list[tuple[str, str, str]]:
    with session_scope(world.engine) as session:
        rows = session.exec(select(Task.title, ItemInfo.source, ItemInfo.instructed_by)
                            .join(ItemInfo, ItemInfo.task_id == Task.id)).all()
    return [tuple(r) for r in rows]


async def test_admin_words_become_a_card_and_confirm_creates_the_item(world):
    card = await world.say(ORDER, chat=ADMIN)
    assert "请核对这项督办事项" in card and "事项：完成校舍安全排查" in card and "来源：上级交办" in card
    assert "牵头：安全办" in card and "配合：基教股、财务股" in card and "办理时限：2021年10月31日（原文：10月底前）" in card
    keys = _keyboard(world)
    assert list(keys) == ["确认", "修改", "取消"]
    assert _items(world) == []  # nothing before 确认
    done = await world.tap(keys["确认"], chat=ADMIN, message_id=9001)
    assert "已创建督办事项 交办1：完成校舍安全排查" in done
    assert _items(world) == [("完成校舍安全排查", "上级交办", "")]
    # The item is a task like any other: /task shows it, and the lead unit's chat sees it as its own.
    shown = await world.say("/task 交办1", chat=ADMIN)
    assert "完成校舍安全排查" in shown and "牵头：安全办" in shown and "2021-10-31" in shown
    again = await world.tap(keys["确认"], chat=ADMIN, message_id=9001)
    assert "已经处理过" in again and len(_items(world)) == 1


async def test_a_bound_leader_may_hand_down_and_a_unit_may_not(world):
    card = await world.say("局长批示：请安全办牵头，务必于9月30日前完成食堂专项检查。急件", chat=LEADER_CHAT)
    assert "来源：领导批示（急件）" in card and "交办人：局长" in card and "2021年9月30日" in card
    keys = _keyboard(world)
    answer = await world.say(ORDER, chat=SAFETY)
    assert answer == "只有管理员或已绑定的领导可以交办督办事项。"
    with session_scope(world.engine) as session:
        assert session.exec(select(ItemDraft)).all()[0].created_by == f"telegram:{LEADER_CHAT}"
    # Only the author taps the card.
    assert "只有发起人" in await world.tap(keys["确认"], chat=ADMIN, message_id=9002)
    assert _items(world) == []
    assert "已创建督办事项 批示1：完成食堂专项检查" in await world.tap(keys["确认"], chat=LEADER_CHAT, message_id=9002)


async def test_units_the_office_lacks_are_asked_about_never_invented(world):
    card = await world.say("会议决定：9月底前完成宣传片拍摄，宣传部牵头，安全办配合", chat=ADMIN)
    assert "“宣传部”不是本办公室的单位" in card and "不会新建单位" in card
    keys = _keyboard(world)
    assert list(keys) == ["修改", "取消"]  # no 确认 until the unit is one the office has
    assert "请直接发送修改后的完整内容" in await world.tap(keys["修改"], chat=ADMIN, message_id=9003)
    with session_scope(world.engine) as session:
        assert session.exec(select(Unit).where(Unit.name == "宣传部")).first() is None
    assert _items(world) == []


@pytest.mark.parametrize("words, line", [
    ("交办：10月底前完成校舍安全排查", "没有读出牵头单位"),
    ("交办：8月1日前完成校舍安全排查，安全办牵头", "已经过去"),
    ("局长批示：2月30日前完成校舍安全排查，安全办牵头", "“2月30日”不是有效的日期"),  # never dated otherwise
    ("交办：13月5日前完成校舍安全排查，安全办牵头", "“13月5日”不是有效的日期"),
])
async def test_bad_words_get_one_line_and_no_card(world, words, line):
    answer = await world.say(words, chat=ADMIN)
    assert line in answer and "\n---\n" not in answer and _keyboard(world) == {}
    with session_scope(world.engine) as session:
        assert session.exec(select(ItemDraft)).all() == []


async def test_a_draft_never_confirmed_expires_and_says_so(world):
    await world.say(ORDER, chat=ADMIN)
    keys = _keyboard(world)
    world.now = NOW + timedelta(minutes=61)
    answer = await world.tap(keys["确认"], chat=ADMIN, message_id=9004)
    assert "草稿已过期（60分钟内未确认），没有创建" in answer and _items(world) == []


async def test_cancel_creates_nothing(world):
    await world.say(ORDER, chat=ADMIN)
    assert "已取消" in await world.tap(_keyboard(world)["取消"], chat=ADMIN, message_id=9005)
    assert _items(world) == []


async def test_an_admins_forwarded_message_becomes_a_draft(world):
    message = message_dict("请安全办牵头，10月15日前完成全县校车安全检查，财务股配合", chat_id=ADMIN, user_id=ADMIN)
    message["forward_origin"] = {"type": "user", "date": 1629680000,
                                 "sender_user": {"id": 42, "is_bot": False, "first_name": "王局长"}}
    before = len(world.api.calls)
    await world.feed({"update_id": 777001, "message": message})
    card = world.out_since(before)
    assert "事项：完成全县校车安全检查" in card and "交办人：王局长" in card and "来源：上级交办" in card
    assert "牵头：安全办" in card and "配合：财务股" in card and "2021年10月15日" in card
    await world.tap(_keyboard(world)["确认"], chat=ADMIN, message_id=9006)
    assert _items(world) == [("完成全县校车安全检查", "上级交办", "王局长")]
    with session_scope(world.engine) as session:
        (task_id,) = session.exec(select(ItemInfo.task_id)).all()
        roles = sorted(session.exec(select(TaskUnit.role).where(TaskUnit.task_id == task_id)).all())
    assert roles == ["co", "lead"]  # the item's units are recorded like a plan task's


async def test_a_units_forwarded_message_is_no_item(world):
    message = message_dict("请安全办牵头，10月15日前完成全县校车安全检查", chat_id=SAFETY, user_id=SAFETY)
    message["forward_origin"] = {"type": "hidden_user", "date": 1629680000, "sender_user_name": "某人"}
    before = len(world.api.calls)
    await world.feed({"update_id": 777002, "message": message})
    assert "请核对这项督办事项" not in world.out_since(before) and _items(world) == []


# --- a leader's instruction on an item (批示) ------------------------------------------------------


async def _item(world) -> None:
    await world.say(ORDER, chat=ADMIN)
    await world.tap(_keyboard(world)["确认"], chat=ADMIN, message_id=9100)


def _pushed(world, before: int) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for p in world.api.requests("sendMessage")[before:]:
        out.setdefault(int(p["chat_id"]), []).append(p["text"])
    return out


async def test_a_leaders_instruction_reaches_the_units_and_the_office_and_sets_a_deadline(world):
    await _item(world)
    world.bind("基教股", 222)
    answer = await world.say("交办1批示：抓紧推进，9月底前报结果", chat=LEADER_CHAT)
    assert "已将您对交办1的批示转给安全办、基教股、财务股和督办办公室" in answer
    assert "“9月底前”已设为交办1的时限：2021年9月30日" in answer
    before = len(world.api.requests("sendMessage"))
    await world.service.dispatch()
    pushed = _pushed(world, before)
    assert set(pushed) == {SAFETY, 222, ADMIN}  # 财务股 has no chat; the office's admin hears it too
    assert pushed[SAFETY][0].startswith("【领导批示】张副局长对交办1「完成校舍安全排查」批示：\n抓紧推进，9月底前报结果")
    shown = await world.say("/task 交办1", chat=ADMIN)
    assert "时限：2021-09-30" in shown and "领导批示 08-23 09:30 张副局长：抓紧推进，9月底前报结果" in shown
    # The ledger of the items carries the instruction on a sheet of its own.
    await world.say("/export 交办", chat=ADMIN)
    doc = world.api.requests("sendDocument")[-1]
    sheet = load_workbook(io.BytesIO(doc["document"]["bytes"]))["领导批示"]
    assert [c.value for c in sheet[3]][:4] == ["1", "完成校舍安全排查", "张副局长", "抓紧推进，9月底前报结果"]


async def test_an_instruction_with_a_date_no_calendar_has_is_refused_and_records_nothing(world):
    await _item(world)
    answer = await world.say("交办1批示：抓紧推进，9月31日前报结果", chat=LEADER_CHAT)
    assert "“9月31日”不是有效的日期，未记录" in answer
    with session_scope(world.engine) as session:
        assert session.exec(select(ItemInstruction)).all() == []


async def test_the_leader_hears_the_next_report_once(world):
    await _item(world)
    await world.say("交办1批示：抓紧推进", chat=LEADER_CHAT)
    await world.service.dispatch()
    await world.say("/report 交办1 推进中 50% 已排查一半学校", chat=SAFETY)
    before = len(world.api.requests("sendMessage"))
    await world.service.dispatch()
    told = _pushed(world, before)
    assert told == {LEADER_CHAT: ["【批示反馈】张副局长：您批示的交办1「完成校舍安全排查」有了新反馈——\n"
                                  "安全办：推进中 50%：已排查一半学校"]}
    await world.say("/report 交办1 推进中 80% 又查了几所", chat=SAFETY)
    before = len(world.api.requests("sendMessage"))
    await world.service.dispatch()
    assert LEADER_CHAT not in _pushed(world, before)  # the instruction was answered by the first report


async def test_an_acknowledgement_notifies_nobody(world):
    await _item(world)
    before = len(world.api.requests("sendMessage"))
    answer = await world.say("交办1批示：已阅", chat=LEADER_CHAT)
    assert answer == "已记录您对交办1的批示（阅示，不另行通知）。"
    await world.service.dispatch()
    assert set(_pushed(world, before)) == {LEADER_CHAT}  # only the answer to the leader
    await world.say("/report 交办1 推进中 已开始", chat=SAFETY)
    before = len(world.api.requests("sendMessage"))
    await world.service.dispatch()
    assert LEADER_CHAT not in _pushed(world, before)


async def test_a_units_instruction_words_are_no_instruction(world):
    await _item(world)
    answer = await world.say("交办1批示：抓紧推进", chat=SAFETY)
    assert "已将您对" not in answer


async def test_a_leaders_reply_to_a_reminder_is_an_instruction_on_its_task(world):
    await _item(world)
    with session_scope(world.engine) as session:
        (task_id,) = session.exec(select(ItemInfo.task_id)).all()
        session.add(Outbox(key="esc-test", task_id=task_id, recipient=f"telegram:{LEADER_CHAT}", kind="escalation",
                           occurrence="2021-08-23", payload="{}", state="sent", created_at=NOW, next_attempt_at=NOW,
                           message_id="5555"))
    reminder = bot_message_dict("【督办升级】交办1 …", chat_id=LEADER_CHAT, message_id=5555)
    before = len(world.api.calls)
    await world.feed(reply_update("请安全办本周内拿出方案", reminder, chat_id=LEADER_CHAT, user_id=LEADER_CHAT))
    assert "已将您对交办1的批示转给安全办、基教股、财务股和督办办公室" in world.out_since(before)
    with session_scope(world.engine) as session:
        assert [x.words for x in session.exec(select(ItemInstruction)).all()] == ["请安全办本周内拿出方案"]


async def test_sheet_in_chat_is_a_word_file_for_admins_only(world):
    await _item(world)
    await world.say("/sheet 交办1", chat=ADMIN)
    doc = world.api.requests("sendDocument")[-1]
    assert doc["document"]["file_name"] == "督办单_交办1.docx" and doc["caption"].startswith("督办单（交办1「完成校舍安全排查」）")
    table = Document(io.BytesIO(doc["document"]["bytes"])).tables[0]
    assert table.rows[0].cells[1].text == "完成校舍安全排查"
    await world.say("/sheet 交办1 催办", chat=ADMIN)
    assert world.api.requests("sendDocument")[-1]["document"]["file_name"] == "催办单_交办1.docx"
    assert "管理员" in await world.say("/sheet 交办1", chat=SAFETY)


async def test_everyday_words_before_a_colon_are_no_item(world):
    for text in ("建议：下周再碰一下", "其他：没有了"):
        assert "交办督办事项" not in await world.say(text, chat=SAFETY)
    assert _items(world) == []


async def test_questions_about_items_of_a_source(world):
    await _item(world)  # 交办1, 安全办 leads
    await world.say("交办：9月30日前完成教材征订，基教股牵头", chat=ADMIN)
    await world.tap(_keyboard(world)["确认"], chat=ADMIN, message_id=9200)
    answer = await world.say("交办件有哪些还没办完", chat=SAFETY)
    assert "未办结的上级交办督办事项（2项）" in answer and "交办1 完成校舍安全排查" in answer and "交办2" in answer
    mine = await world.say("安全办手上的交办件", chat=SAFETY)
    assert "安全办承办的上级交办督办事项（1项）" in mine and "交办2" not in mine
    assert "没有未办结的领导批示督办事项" in await world.say("批示件有哪些还没办完", chat=SAFETY)
