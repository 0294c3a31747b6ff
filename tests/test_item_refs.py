"""A 督办 item is called by its source's short name and number ("会议1", "批示2") in words, answers, reminders
and notices; a bare "第1项" stays the annual plan's task, and no item is reached through topic words alone."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.config import Settings
from bot.notify import from_payload
from bot.services.items import ItemSpec, create_item
from bot.workdays import WorkCalendar
from jobs.sweep import sweep_due
from storage.db import session_scope
from storage.models import Outbox, StatusReport, Task
from tests.chat_harness import Chat

SETTINGS = Settings(telegram={"admins": [1]})


def _office(engine, seed_path) -> tuple[Chat, dict[str, int]]:
    """The seed plan, and items whose titles never say their source: one 会议议定, two 领导批示, for 安全办."""
    chat = Chat(engine, seed_path, settings=SETTINGS)
    ids = {}
    with session_scope(engine) as s:
        for name, title, source in (("会议1", "全县校园食堂专项检查", "会议议定"), ("批示1", "校车隐患整改", "领导批示"),
                                    ("批示2", "防溺水宣传进村入户", "领导批示")):
            item = create_item(session=s, spec=ItemSpec(title=title, source=source, lead=("安全办",),
                                                        due=date(2021, 9, 30)),
                               office_id=None, settings=SETTINGS.items, calendar=WorkCalendar(), now=chat.now,
                               actor="t", receipts=False)
            ids[name] = item.task_id
    return chat, ids


@pytest.mark.parametrize("words, item, title", [
    ("会议1进展如何", "会议1", "全县校园食堂专项检查"),
    ("批示2进展如何", "批示2", "防溺水宣传进村入户"),
    ("批示件2号进展怎么样", "批示2", "防溺水宣传进村入户"),
    ("会议第1项进展如何", "会议1", "全县校园食堂专项检查"),
    ("请问 批示1 现在什么情况", "批示1", "校车隐患整改"),
])
async def test_an_items_ref_in_words_answers_that_item_alone(memory_engine, seed_path, words, item, title):
    chat, _ids = _office(memory_engine, seed_path)
    answer = await chat.say(words)
    assert answer.startswith(f"{item}「{title}」"), answer
    assert "第" not in answer.split("\n")[0] and answer.count("「") == 1  # no annual-plan task beside it


async def test_a_bare_task_number_stays_the_annual_plans(memory_engine, seed_path):
    chat, _ids = _office(memory_engine, seed_path)
    assert (await chat.say("第1项进展如何")).startswith("第1项「深入学习宣传贯彻")


async def test_a_unit_reports_on_an_item_by_its_ref_and_the_answer_names_it_so(memory_engine, seed_path):
    chat, ids = _office(memory_engine, seed_path)
    answer = await chat.say("会议1推进中 50% 已检查一半学校")
    assert answer.startswith("会议1「全县校园食堂专项检查」") and "推进中 50%" in answer
    with session_scope(memory_engine) as s:
        (report,) = s.exec(select(StatusReport).where(StatusReport.task_id == ids["会议1"])).all()
        assert report.percent == 50 and report.note == "已检查一半学校"
        annual_first = s.exec(select(Task).where(Task.ref == "1", Task.id.not_in(list(ids.values())))).first()
        assert s.exec(select(StatusReport).where(StatusReport.task_id == annual_first.id)).all() == []


async def test_reminders_and_the_new_items_card_write_the_item_by_its_ref(memory_engine, seed_path):
    chat, ids = _office(memory_engine, seed_path)
    with session_scope(memory_engine) as s:
        create_item(session=s, spec=ItemSpec(title="实验室危化品清查", source="会议议定", lead=("安全办",),
                                             due=date(2021, 9, 30)),
                    office_id=None, settings=SETTINGS.items, calendar=WorkCalendar(), now=chat.now, actor="t",
                    receipts=True)
    with session_scope(memory_engine) as s:  # the items' time limit: one digest says all of them
        sweep_due(session=s, now=chat.now.replace(month=9, day=30, hour=10),
                  settings=SETTINGS, calendar=WorkCalendar())
    with session_scope(memory_engine) as s:
        texts = [from_payload(r.payload).text for r in s.exec(select(Outbox).where(Outbox.recipient ==
                                                                                    "telegram:-200")).all()]
    said = "\n".join(texts)
    assert "会议1" in said and "批示2" in said and "会议2「实验室危化品清查」" in said, said
    assert "第1项「全县校园食堂专项检查」" not in said and "第2项「防溺水宣传进村入户」" not in said


async def test_naming_an_item_in_a_command_keeps_the_chats_plan(memory_engine, seed_path):
    chat, _ids = _office(memory_engine, seed_path)
    assert "全县校园食堂专项检查" in await chat.say("/task 会议1", user="1")
    assert "督办单" in await chat.say("/sheet 会议1", user="1")
    # a bare number is still the annual plan's task, not "《2021年会议议定件》没有第12项任务"
    assert (await chat.say("第12项进展如何")).startswith("第12项「大力发展职业教育」")


async def test_a_refused_return_names_the_item_by_its_ref(memory_engine, seed_path):
    chat, _ids = _office(memory_engine, seed_path)
    with session_scope(memory_engine) as s:  # 会议2: 安全办 only supports it
        create_item(session=s, spec=ItemSpec(title="实验室危化品清查", source="会议议定", lead=("基教股",),
                                             co=("安全办",), due=date(2021, 9, 30)),
                    office_id=None, settings=SETTINGS.items, calendar=WorkCalendar(), now=chat.now, actor="t")
    answer = await chat.say("/decline 会议2 不属于本单位职责")
    assert "配合单位不能退回会议2" in answer, answer
