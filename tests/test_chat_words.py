"""Everyday wording a unit or the office types, beyond the README's examples: bare 完成, a negated 完成, a
deferral asked for in words, how-to questions, deadline questions and admin commands named in plain words.

Every phrasing here is written for this test, in the way staff write in chat; the plan is the seed's.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.notify import from_payload
from bot.services.binding import bind_directly
from bot.services.deferrals import split_date
from storage.db import session_scope
from storage.models import Deferral, Outbox, StatusReport
from tests.chat_harness import Chat, button

UNIT = dict(user="55", chat="55", group=False)  # 职教办, in a private chat; it leads 第12项
ADMIN = dict(user="1", chat="1", group=False)


@pytest.fixture
def chat(memory_engine, seed_path):
    c = Chat(memory_engine, seed_path)
    with session_scope(memory_engine) as s:
        bind_directly(session=s, unit_name="职教办", platform="telegram", address="55", now=c.now, actor="t")
    return c


def _reports(chat: Chat) -> list[tuple[str, str]]:
    with session_scope(chat.engine) as s:
        return [(r.status, r.note) for r in s.exec(select(StatusReport).order_by(StatusReport.id)).all()]


def _deferrals(chat: Chat) -> list[tuple[str, str | None, str]]:
    with session_scope(chat.engine) as s:
        return [(d.status, d.requested_date.isoformat() if d.requested_date else None, d.reason or "")
                for d in s.exec(select(Deferral).order_by(Deferral.id)).all()]


@pytest.mark.parametrize("text", ["12 完成", "第12项完成", "12项办好了", "第十二项 已经办结"])
async def test_a_bare_completion_word_records_done(chat, text):
    assert "已记录：已完成" in await chat.say(text, **UNIT)
    assert _reports(chat) == [("done", "")]


@pytest.mark.parametrize("text", ["第12项完成不了", "12 无法按期完成 设备未到", "第12项完不成"])
async def test_a_negated_completion_is_a_difficulty_not_done(chat, text):
    answer = await chat.say(text, **UNIT)
    assert "已记录：有困难" in answer and "已完成" not in answer
    assert [s for s, _n in _reports(chat)] == ["blocked"]


@pytest.mark.parametrize("text", ["第12项完成时间", "第十二项什么时候截止", "12的截止时间", "第12项什么时候完成"])
async def test_deadline_questions_get_the_deadline_and_record_nothing(chat, text):
    answer = await chat.say(text, **UNIT)
    assert answer.startswith("第12项「大力发展职业教育」")
    assert "时限：2021-09-01" in answer and "牵头：职教办" in answer
    assert "工作措施" not in answer  # the deadline, not the whole task
    assert _reports(chat) == []


async def test_a_task_without_a_deadline_says_so(chat):
    answer = await chat.say("第3项什么时候完成", **UNIT)
    assert "计划未写明" in answer and "年底" in answer


async def test_a_deferral_typed_with_its_date_waits_for_an_admin(chat):
    answer = await chat.say("12项申请延期至10月31日前，因为设备未到货", **UNIT)
    assert "第12项延期至2021-10-31的申请已记录" in answer and "/deferrals" in answer  # no admin chat configured
    assert _deferrals(chat) == [("pending", "2021-10-31", "设备未到货")]
    listed = await chat.send("/deferrals", **ADMIN)
    assert listed[0].text == "【延期申请】职教办申请将第12项「大力发展职业教育」延期至2021-10-31，理由：设备未到货。"
    approve = button(listed, "批准")
    assert "已批准：第12项延期至2021-10-31" in "\n".join(m.text for m in await chat.tap(approve, **ADMIN))


@pytest.mark.parametrize("text", ["第12项推迟到11月15号 疫情影响", "postpone task 12 to 11/15 疫情影响"])
async def test_other_wordings_of_a_deferral(chat, text):
    assert "延期至2021-11-15" in await chat.say(text, **UNIT)
    assert _deferrals(chat) == [("pending", "2021-11-15", "疫情影响")]


async def test_a_deferral_without_a_date_asks_for_it_like_the_button(chat):
    answer = await chat.say("第12项申请延期", **UNIT)
    assert "希望延期到的日期" in answer
    assert _deferrals(chat) == [("awaiting_date", None, "")]
    assert "延期至2021-10-15" in await chat.say("10月15日 场地未交付", **UNIT)
    assert _deferrals(chat) == [("pending", "2021-10-15", "场地未交付")]


async def test_a_past_date_keeps_the_request_open(chat):
    answer = await chat.say("12项延期到8月1日", **UNIT)  # today is 2021-08-23
    assert "晚于今天" in answer and "希望延期到的日期" in answer
    assert _deferrals(chat) == [("awaiting_date", None, "")]
    assert "延期至2021-09-30" in await chat.say("9月底", **UNIT)


async def test_a_deferral_without_a_number_offers_the_units_open_tasks(chat):
    messages = await chat.send("我想申请延期", **UNIT)
    assert "申请哪一项延期" in messages[0].text
    labels = [b.label for row in messages[0].buttons for b in row]
    assert labels[0].startswith("第12项")  # the task it leads first, then those it supports
    assert len(labels) == 5 and _deferrals(chat) == []
    tapped = await chat.tap(button(messages, labels[0]), **UNIT, message_id="m1")
    assert "希望延期到的日期" in "\n".join(m.text for m in tapped)
    assert _deferrals(chat) == [("awaiting_date", None, "")]


async def test_a_report_typed_with_a_request_records_both(chat):
    answer = await chat.say("12 有困难 设备未到，申请延期到10月31日", **UNIT)
    assert "已记录：有困难，设备未到" in answer and "延期至2021-10-31" in answer
    assert _reports(chat) == [("blocked", "设备未到")]
    assert _deferrals(chat) == [("pending", "2021-10-31", "设备未到")]


@pytest.mark.parametrize("text", ["延期的任务有哪些", "第12项延期了吗", "有多少项申请延期"])
async def test_asking_about_deferrals_opens_no_request(chat, text):
    await chat.say(text, **UNIT)
    assert _deferrals(chat) == []


async def test_a_question_while_a_request_waits_is_answered_and_the_request_kept(chat):
    await chat.say("第12项申请延期", **UNIT)
    answer = await chat.say("安全办负责什么", **UNIT)
    assert "第25项" in answer and "第12项的延期申请仍在等待日期" in answer
    held = await chat.say("设备下周才能到，到时候再看", **UNIT)  # free text: held and asked about, as before
    assert "不像日期" in held
    assert "已取消延期申请" in await chat.say("取消", **UNIT)
    assert "没有等待日期的延期申请" in await chat.say("取消", **UNIT)


@pytest.mark.parametrize("text", ["怎么反馈进展", "如何申请延期", "我该怎么汇报", "怎么绑定", "how do I report progress"])
async def test_how_to_questions_get_the_help(chat, text):
    answer = await chat.say(text, **UNIT)
    assert "督办助手可以这样用" in answer and "延期：" in answer
    assert _reports(chat) == [] and _deferrals(chat) == []


@pytest.mark.parametrize("text", ["第12项怎么样", "安全办最近报了什么"])
async def test_how_is_it_going_is_not_a_how_to(chat, text):
    assert "督办助手可以这样用" not in await chat.say(text, **UNIT)


async def test_admin_commands_named_in_plain_words(chat):
    (ledger,) = await chat.send("帮我导出一下台账", **ADMIN)
    assert ledger.document is not None and ledger.document[0].endswith(".xlsx")
    assert "目前没有待审批的延期申请" in await chat.say("延期申请", **ADMIN)
    await chat.say("第12项申请延期到10月31日", **UNIT)
    listed = await chat.say("有哪些延期申请", **ADMIN)
    assert "第12项" in listed and "2021-10-31" in listed
    (bulletin,) = await chat.send("起草通报", **ADMIN)
    assert bulletin.document is not None and bulletin.document[0].endswith(".docx")
    assert "只有管理员" in await chat.say("导出台账", **UNIT)


async def test_a_question_that_mentions_a_command_word_is_still_a_question(chat):
    out = await chat.send("第12项的进展", **ADMIN)
    assert out[0].document is None and "第12项" in out[0].text
    out = await chat.send("台账里职教办的任务", **ADMIN)
    assert out[0].document is None


@pytest.mark.parametrize(("text", "parts"), [
    ("10月31日前，因为设备未到货", ("10月31日", "设备未到货")),
    ("2021-10-15 等待设备到货", ("2021-10-15", "等待设备到货")),
    ("10月15号 因疫情", ("10月15日", "疫情")),
    ("10.31设备", ("10.31", "设备")),
    ("11月中旬", ("11月中旬", "")),
    ("下周五 理由", ("下周五", "理由")),  # no date first: the old split at the first space
])
def test_split_date(text, parts):
    assert split_date(text) == parts


async def test_group_talk_of_postponing_is_not_a_request(chat):
    assert await chat.say("明天的会推迟到下午") == ""  # 安全办's group: everyday talk, no answer
    assert _deferrals(chat) == []
    assert "申请哪一项延期" in await chat.say("申请延期")


@pytest.mark.parametrize(("text", "status", "note"), [
    ("第12项已完成招标", "in_progress", "已完成招标"),
    ("12 进展：已完成招标，正在施工", "in_progress", "已完成招标,正在施工"),
    ("12 完成了主体工程", "in_progress", "完成了主体工程"),
    ("12 完成 80%", "in_progress", ""),
    ("12 已完成 验收报告已交", "done", "验收报告已交"),  # a space after it: the task is done, the rest a note
    ("12已完成。", "done", ""),
])
async def test_a_step_done_is_progress_not_the_task_done(chat, text, status, note):
    await chat.say(text, **UNIT)
    assert _reports(chat) == [(status, note)]


async def test_an_admin_decides_a_request_in_words(chat):
    assert "第12项没有待审批的延期申请" in await chat.say("批准第12项延期", **ADMIN)
    await chat.say("第12项申请延期到10月31日 设备未到", **UNIT)
    assert "只有管理员" in await chat.say("批准第12项延期", **UNIT)
    assert "已批准：第12项延期至2021-10-31" in await chat.say("批准第12项延期", **ADMIN)
    assert _deferrals(chat) == [("approved", "2021-10-31", "设备未到")]
    assert "时限：2021-10-31" in await chat.say("第12项什么时候截止", **UNIT)
    await chat.say("第12项改到12月10日", **UNIT)  # a unit's new date is a request too
    assert "已驳回第12项延期至2021-12-10的申请" in await chat.say("驳回延期申请", **ADMIN)


async def test_an_admins_new_date_sets_the_deadline(chat):
    assert "第12项时限已设为2021-11-30" in await chat.say("把第12项时限改为11月30日", **ADMIN)
    assert "时限：2021-11-30" in await chat.say("第12项什么时候截止", **UNIT)
    assert _deferrals(chat) == []
    # an admin who writes 申请 asks like anyone (the console's user is an admin bound to a unit)
    assert "申请已记录" in await chat.say("第12项申请延期到12月31日", **ADMIN)
    assert _deferrals(chat) == [("pending", "2021-12-31", "")]
    # a change that is not a date is no deadline change
    assert "时限已设为" not in await chat.say("第12项牵头单位改为基教股", **ADMIN)


def _nudges(chat: Chat) -> list[tuple[str, str]]:
    with session_scope(chat.engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "nudge").order_by(Outbox.id)).all()
        return [(r.recipient, from_payload(r.payload).text) for r in rows]


async def test_the_office_chases_a_task_once_a_day(chat):
    assert await chat.say("第12项催一下", **ADMIN) == "已催办职教办：第12项"
    ((to, text),) = _nudges(chat)
    assert to == "telegram:55" and text.startswith("【督办催办】职教办")
    assert "第12项「大力发展职业教育」（牵头，时限2021年9月1日）" in text
    assert await chat.say("催办第12项", **ADMIN) == "已催办职教办：第12项（今天已催办过）"
    assert len(_nudges(chat)) == 1
    with session_scope(chat.engine) as s:
        buttons = from_payload(s.exec(select(Outbox).where(Outbox.kind == "nudge")).one().payload).buttons
    assert [b.label for b in buttons[0]] == ["已完成", "推进中", "有困难"]
    assert "已记录：推进中" in "\n".join(m.text for m in await chat.tap(buttons[0][1].data, **UNIT))


async def test_the_office_chases_a_unit_in_one_message(chat):
    answer = await chat.say("提醒职教办", **ADMIN)
    assert answer == "已催办职教办：第12项、第6项、第7项、第13项、第17项"  # the task it leads first
    ((_to, text),) = _nudges(chat)
    assert text.count("「") == 5 and "12 推进中" in text


async def test_chasing_a_unit_without_a_chat_says_so_and_sends_nothing(chat):
    assert "财务股没有绑定聊天" in await chat.say("催办第12项的财务股", **ADMIN)
    assert _nudges(chat) == []


@pytest.mark.parametrize("text", ["第12项催一下", "提醒职教办"])
async def test_only_the_office_chases(chat, text):
    assert "只有管理员" in await chat.say(text, **UNIT)
    assert _nudges(chat) == []


async def test_a_reminder_for_myself_is_no_nudge(chat):
    await chat.say("提醒我明天再说", **UNIT)
    await chat.say("提醒我明天再说", **ADMIN)
    assert _nudges(chat) == []
