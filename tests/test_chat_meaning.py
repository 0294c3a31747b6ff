"""One meaning per word: every way of asking agrees with the board (issue 21), and the wrong answers it named."""

from __future__ import annotations

import re

import pytest

from bot.config import Settings
from bot.services.binding import bind_directly
from storage.db import session_scope
from tests.chat_harness import Chat
from tests.helpers import at, load, plan, task

OFFICE = dict(user="1", chat="1", group=False)  # the admin, bound to no unit
SAFETY = dict(user="7", chat="-200", group=True)  # 安全办's group


def quarterly(ref: str, lead: list[str]) -> dict:
    t = task(ref, lead, [])
    t["deadlines"] = [{"date": "2021-03-31", "text": "每季度末报送", "source": "extracted", "certain": True,
                       "kind": "recurring", "recurrence": {"freq": "quarterly"}}]
    return t


class SmallChat(Chat):
    """A chat over a small plan of its own instead of the seed: 安全办 bound to group -200, user 1 an admin."""

    def __init__(self, engine, parsed: dict, now) -> None:
        self.now, self.engine = now, engine
        from bot.chat.service import ChatService
        from bot.workdays import WorkCalendar

        self.service = ChatService(engine=engine, settings=Settings(telegram={"admins": [1]}),
                                   calendar=WorkCalendar(), clock=lambda: self.now)
        load(engine, parsed, now)
        with session_scope(engine) as s:
            bind_directly(session=s, unit_name="安全办", platform="telegram", address="-200", now=now, actor="t",
                          is_group=True)


def refs(answer: str) -> list[str]:
    return re.findall(r"第(\d+)项", answer)


@pytest.fixture
def small(memory_engine):
    from bot.services import vocab as vocab_cache

    vocab_cache.clear_cache()
    tasks = [quarterly("1", ["安全办"]), task("2", ["安全办"], [], at(2021, 8, 2).date()),
             task("3", ["基教股"], [], at(2021, 8, 10).date()), task("4", ["安全办"], ["基教股"], at(2021, 8, 8).date()),
             task("5", ["基教股"], ["安全办"], at(2021, 12, 20).date()), task("6", ["安全办"], [], at(2021, 9, 20).date())]
    return SmallChat(memory_engine, plan(*tasks), at(2021, 8, 2))


async def test_a_units_overdue_tasks_are_the_boards(small):
    small.now = at(2021, 10, 8)
    await small.say("1 推进中 三季度已报送", **SAFETY)  # the quarter's report: no longer overdue on the board
    board = await small.say("/overdue", **OFFICE)
    assert refs(board) == ["2", "3", "4", "6"] and "第1项" not in board
    assert sorted(refs(await small.say("安全办逾期的", **OFFICE))) == ["2", "4", "6"]
    assert sorted(refs(await small.say("逾期的", **OFFICE))) == ["2", "3", "4", "6"]


async def test_a_deadline_on_a_rest_day_is_due_the_workday_before_in_words_too(small):
    small.now = at(2021, 8, 7)  # a Saturday: 第4项's 8月8日 (Sunday) was due on Friday 8月6日, as the board says
    assert "第4项" in await small.say("/overdue", **OFFICE)
    assert "4" in refs(await small.say("安全办逾期的", **OFFICE))


@pytest.fixture
def seed(memory_engine, seed_path):
    from bot.services import vocab as vocab_cache

    vocab_cache.clear_cache()
    return Chat(memory_engine, seed_path)


@pytest.mark.parametrize(("text", "expected"), [
    ("基教股牵头、职教办参与的", ["13", "6", "7"]),  # 基教股 leads AND 职教办 is on it, not either
    ("基教股负责、职教办配合的任务", ["13", "17", "6", "7"]),
    ("基教股牵头、职教办配合的任务", ["13", "6", "7"]),
])
async def test_a_role_pair_lists_only_tasks_with_both(seed, text, expected):
    assert sorted(refs(await seed.say(text, **OFFICE))) == expected


async def test_two_units_without_roles_still_list_either(seed):
    answer = await seed.say("安全办和基教股的任务", **OFFICE)
    assert "安全办或基教股参与" in answer and "第25项" in answer and "第6项" in answer


@pytest.mark.parametrize(("text", "shows"), [
    ("任务二十三进展", "第23项「改善领导方式」"), ("任务二十三谁负责", "牵头：办公室"), ("任务23进展", "第23项「改善领导方式」"),
    ("任务十二的进展如何", "第12项「大力发展职业教育」"),
])
async def test_a_task_number_in_chinese_numerals_after_the_word_task(seed, text, shows):
    answer = await seed.say(text, **OFFICE)
    assert shows in answer and "督办看板" not in answer and "没有找到" not in answer


@pytest.mark.parametrize("text", ["今年还有哪些要到期", "年底前还要完成的", "今年还剩哪些任务要到期"])
async def test_what_is_still_to_come_lists_nothing_past(small, text):
    small.now = at(2021, 10, 8)
    listed = refs(await small.say(text, **OFFICE))
    assert "5" in listed and not {"2", "3", "4", "6"} & set(listed)
