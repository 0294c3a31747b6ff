"""Plain-words questions and reports through the chat, read by bot.nlu (issue 10), on the seed plan."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path

import pytest
from sqlmodel import select

from bot.chat.events import ChatEvent
from bot.services import vocab as vocab_cache
from bot.services.binding import bind_directly
from bot.services.reports import record_report, set_deadline
from bot.services.tasks import require_task
from storage.db import session_scope
from storage.models import ReportStatus, StatusReport, Task
from tests.chat_harness import Chat
from tests.conftest import SH
from tests.helpers import at

PRIVATE = {"user": "1", "chat": "1", "group": False}  # the admin, in a private chat bound to no unit
TEACHING = {"user": "300", "chat": "300", "group": False}  # a private chat bound to 教研室
QUESTIONS = Path(__file__).parent / "nlu_questions" / "seed_2021.json"


@pytest.fixture
def chat(memory_engine, seed_path):
    vocab_cache.clear_cache()
    c = Chat(memory_engine, seed_path)
    with session_scope(memory_engine) as s:
        bind_directly(session=s, unit_name="教研室", platform="telegram", address="300", now=c.now, actor="t")
    return c


def buttons_of(messages) -> list:
    return [b for m in messages for row in m.buttons for b in row]


async def test_topic_questions_name_the_tasks_with_lead_and_co_units(chat):
    answer = await chat.say("营养餐是哪个股室的")
    assert "第20项「全面落实学生资助政策」" in answer and "牵头：扶贫办" in answer and "营养办" in answer
    answer = await chat.say("义务教育均衡归谁管")
    assert answer.index("第10项") < len(answer) and "牵头：基教股" in answer and "配合：" in answer
    assert await chat.say("義務教育均衡歸誰管") == answer  # traditional characters read the same


async def test_task_questions_by_number_keep_the_command_wording(chat):
    assert "牵头：职教办" in await chat.say("who owns task 12")
    assert "第12项「大力发展职业教育」" in await chat.say("第十二项谁负责？")
    assert "尚未收到任何进展反馈" in await chat.say("12号任务进展怎么样")
    assert "没有第99项任务" in await chat.say("第99项")


async def test_units_alone_own_unit_and_combinations(chat):
    for text in ("教研室", "教研室的", "教研室负责什么"):
        answer = await chat.say(text)
        assert "教研室牵头的任务（1项）" in answer and "第8项" in answer and "教研室配合的任务（4项）" in answer
    mine = await chat.say("本单位的任务")  # the group is bound to 安全办
    assert "安全办" in mine and "第25项" in mine and "第7项" in mine
    assert "教研室" in await chat.say("我们单位有哪些任务", **TEACHING)
    assert "没有绑定单位" in await chat.say("本单位的任务", **PRIVATE)  # an unbound admin is asked which unit
    both = await chat.say("人事股和督导室都参与的")
    assert both.startswith("人事股、督导室都参与：4项") and all(f"第{r}项" in both for r in ("1", "9", "12", "16"))
    assert "第9项" in await chat.say("基教股牵头、督导室配合的")
    assert "教研室" in await chat.say("教研式的任务", **PRIVATE)  # a typo: said so, and answered


async def test_counts_filters_and_windows(chat):
    count = await chat.say("人事股牵头的还没完成的有几项")
    assert count.startswith("共1项（人事股牵头、未完成）")
    assert (await chat.say("how many tasks", **PRIVATE)).startswith("共26项")
    listed = await chat.say("人事股牵头还没完成的")
    assert listed.startswith("人事股牵头、未完成：1项") and "第16项" in listed
    await chat.say("/setstatus 25 安全办 已完成", **PRIVATE)  # an admin states a status in the unit's name
    done = await chat.say("已完成的任务", **PRIVATE)
    assert done.startswith("已完成：1项") and "第25项" in done
    soon = await chat.say("10天内到期的有哪些")  # the harness clock is 2021-08-23; task 12 is due 9月1日
    assert soon.startswith("10天内到期的任务（1项）") and "第12项" in soon and "2021年9月1日" in soon
    assert "本周到期的任务：没有" in await chat.say("这周到期的")
    chat.now = at(2021, 8, 30)  # the window moves with the injected clock
    assert "第12项" in await chat.say("这周到期的")
    assert "8月内" in await chat.say("本月到期的")  # the plain list keeps the /due wording


async def test_report_wording_goes_through_the_report_path(chat):
    assert "✅ 已记录：已完成" in await chat.say("/report 25 完成了")
    assert "✅ 已记录：已完成" in await chat.say("25 已办结")
    assert "已记录：推进中 50%" in await chat.say("第25项正在推进 50%")
    assert "已记录：有困难" in await chat.say("/report 25 卡住了 等资金")
    assert "已记录：推进中" in await chat.say("/report 25 進行中")
    assert "不是第12项的牵头或配合单位" in await chat.say("12 已办结")  # the same permission check
    assert "不认识的状态" in await chat.say("/report 25 随便")
    with session_scope(chat.engine) as s:
        statuses = [r.status for r in s.exec(select(StatusReport).order_by(StatusReport.id)).all()]
    assert statuses == ["done", "done", "in_progress", "blocked", "in_progress"]


async def test_ambiguous_asks_back_with_buttons_and_a_tap_answers(chat):
    messages = await chat.send("机关的任务")
    text = "\n".join(m.text for m in messages)
    assert text.startswith("你是说：") and "1 机关党委" in text and "2 机关纪委" in text
    choice = buttons_of(messages)[1]
    assert choice.data.startswith("ch:")
    answered = "\n".join(m.text for m in await chat.tap(choice.data))
    assert answered.startswith("机关纪委") and "的任务" in answered


async def test_nothing_matches_offers_the_closest_never_a_bare_refusal(chat):
    messages = await chat.send("颍上的任务", **PRIVATE)
    text = messages[0].text
    assert "没有找到" in text and "颍上一中" in text and "没听懂" not in text
    first = buttons_of(messages)[0].data
    tapped = "\n".join(m.text for m in await chat.tap(first, user="1", chat="1", group=False))
    assert "颍上一中" in tapped
    nonsense = await chat.say("asdfgh qwerty", **PRIVATE)
    assert "没有找到" in nonsense and "可以这样问" in nonsense


async def test_groups_stay_quiet_on_chatter_and_unbound_chats_learn_nothing(chat):
    for text in ("大家辛苦了", "今天辛苦了", "明天开会", "好的收到"):
        assert await chat.say(text) == ""
    stranger = await chat.say("营养餐是哪个股室的", user="9", chat="9", group=False)
    assert "还没有绑定单位" in stranger and "第20项" not in stranger
    assert await chat.say("营养餐是哪个股室的", user="9", chat="-999") == ""


async def test_a_message_never_becomes_a_traceback(chat):
    for text in ("？？？", "第", "/", "12", "第1到99项", "🙂" * 50, "a" * 2000, "第12项 100%", "%%%"):
        messages = await chat.send(text, **PRIVATE)
        assert all("出错" not in m.text for m in messages), text


async def test_the_vocabulary_is_cached_and_refreshed_by_a_report(chat):
    await chat.say("教研室")
    builds = vocab_cache.stats["builds"]
    await chat.say("人事股")
    assert vocab_cache.stats["builds"] == builds
    await chat.say("/report 25 已完成")
    assert "第25项" in await chat.say("已完成的任务")
    assert vocab_cache.stats["builds"] == builds  # a report refreshes the states, not jieba's index


# --- the question set, through the chat --------------------------------------------------------------------
def _load_state(chat: Chat, data: dict) -> None:
    with session_scope(chat.engine) as s:
        for ref, st in data.get("state", {}).items():
            task = require_task(session=s, ref=ref)
            for d in st.get("deadlines", []):
                set_deadline(session=s, task=task, when=date.fromisoformat(d), label="", now=chat.now,
                             actor="t")
            if st.get("last_report"):
                day = date.fromisoformat(st["last_report"])
                record_report(session=s, task=task, unit_id=None, status=ReportStatus(st.get("status", "note")),
                              percent=None, note="", reporter="t", now=datetime.combine(day, time(10), SH))


def _expected(item: dict) -> list[str]:
    return [f"第{r}项" for r in item.get("tasks") or []] + list(item.get("units") or [])


async def test_question_set_through_the_chat(memory_engine, seed_path):
    vocab_cache.clear_cache()
    data = json.loads(QUESTIONS.read_text(encoding="utf-8"))
    chat = Chat(memory_engine, seed_path)
    chat.now = datetime.combine(date.fromisoformat(data["now"]), time(9, 30), SH)
    with session_scope(memory_engine) as s:
        bind_directly(session=s, unit_name=data["own_unit"], platform="telegram", address="300", now=chat.now,
                      actor="t")
        assert s.exec(select(Task)).first() is not None
    _load_state(chat, data)
    items = sorted(data["questions"], key=lambda q: q["kind"] == "report")  # reports last: they change states
    failures = []
    for item in items:
        answer = await chat.say(item["q"], **TEACHING)
        if item["kind"] == "report" and ("已记录" in answer or "不是第" in answer):
            continue
        missing = [w for w in _expected(item) if w not in answer]
        if "count" in item and f"共{item['count']}" not in answer:
            missing.append(f"共{item['count']}")
        if item["kind"] == "help" and "督办助手" not in answer:
            missing.append("help")
        if missing or not answer:
            failures.append(f"{item['q']!r}: lacks {missing} in {answer[:160]!r}")
    rate = 1 - len(failures) / len(items)
    print(f"\nchat question set: {len(items) - len(failures)}/{len(items)} ({rate:.1%})")
    for f in failures:
        print("  FAIL", f)
    assert rate >= 0.95, "\n".join(failures)


async def test_button_of_another_installation_is_refused(chat):
    forged = ChatEvent(platform="telegram", chat_id="-200", user_id="7", is_group=True,
                       callback_data="ch:1:uoA:0000000000")
    assert "无效" in "\n".join(m.text for m in await chat.service.handle(forged))
