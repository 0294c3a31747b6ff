"""Plans by name: a plan word binds that plan (open or closed) or is refused with the choices; boards only read."""

from __future__ import annotations

import pytest

from bot.services.errors import NotFound
from bot.services.offices import close_plan
from bot.services.plan_names import plan_named
from bot.services.tasks import require_task
from storage.db import session_scope
from tests.chat_harness import Chat, with_plan
from tests.test_offices import SAFETY_PLAN

ADMIN = {"user": "1", "chat": "900", "group": False}


@pytest.fixture
def chat(memory_engine, seed_path):
    return with_plan(Chat(memory_engine, seed_path), SAFETY_PLAN, "safety.txt")


def test_a_plan_word_names_open_and_closed_plans_or_lists_the_choices(chat):
    with session_scope(chat.engine) as s:
        assert plan_named(session=s, office_id=None, word="安全生产").short_name == "安全生产"
        with pytest.raises(NotFound) as exc:
            plan_named(session=s, office_id=None, word="防汛")
        assert str(exc.value).startswith("没有找到计划“防汛”。可选的计划：") and "安全生产" in str(exc.value)
        with pytest.raises(NotFound):
            require_task(session=s, ref="防汛第2项", office_id=None)  # never the annual plan's 第2项
        close_plan(session=s, plan=plan_named(session=s, office_id=None, word="安全生产"), now=chat.now, actor="t")
    with session_scope(chat.engine) as s:
        task = require_task(session=s, ref="安全生产第2项", office_id=None)
        assert task.title.startswith("开展食品安全专项检查")  # the closed plan answers about itself


async def test_reading_a_board_never_changes_the_chats_plan(chat):
    assert "督办看板·安全生产" in await chat.say("/board 安全生产", **ADMIN)
    answer = await chat.say("/task 25", **ADMIN)  # the annual plan's 第25项, as before the board
    assert "守牢教育安全稳定底线" in answer and "没有第25项" not in answer


async def test_a_plan_word_that_names_nothing_gets_the_choices_and_nothing_else(chat):
    said = await chat.say("/board 防汛", **ADMIN)
    assert said.startswith("没有找到计划“防汛”") and "督办看板" not in said
    said = await chat.say("/task 防汛 2", **ADMIN)
    assert said.startswith("没有找到计划“防汛”") and "第2项" not in said.split("。", 1)[1]


async def test_board_shows_every_open_plan_annual_first_unless_narrowed(chat):
    said = await chat.say("/board", **ADMIN)
    assert said.index("督办看板·工作要点") < said.index("督办看板·安全生产")
    narrowed = await chat.say("/board 安全生产", **ADMIN)
    assert "督办看板·安全生产" in narrowed and "督办看板·工作要点" not in narrowed


def test_cli_board_shows_every_open_plan(cli, tmp_path, seed_path):
    safety = tmp_path / "safety.txt"
    safety.write_text(SAFETY_PLAN, encoding="utf-8")
    assert cli("plan", "import", str(seed_path))[0] == 0 and cli("plan", "import", str(safety))[0] == 0
    code, out, _ = cli("board", "--now", "2021-08-23T09:30+08:00")
    assert code == 0 and out.index("督办看板·工作要点") < out.index("督办看板·安全生产")
    code, out, _ = cli("board", "--plan", "安全生产", "--now", "2021-08-23T09:30+08:00")
    assert "督办看板·安全生产" in out and "督办看板·工作要点" not in out
