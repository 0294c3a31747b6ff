"""Slash commands split into name and arguments; every question form from the README reaches its answer kind."""

from __future__ import annotations

import pytest

from bot.chat.intents import parse


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("/mine", "mine", []),
        ("/mine@duban_bot", "mine", []),
        ("/owns 安全办", "owns", ["安全办"]),
        ("/task 12", "task", ["12"]),
        ("/report 25 推进中 60% 说明", "report", ["25", "推进中", "60%", "说明"]),
        ("/start ABCD2345", "start", ["ABCD2345"]),
        ("/frobnicate", "frobnicate", []),
        ("／ｔａｓｋ　１２", "task", ["12"]),  # full-width, as Chinese input methods type it
    ],
)
def test_slash_commands(text, name, args):
    intent = parse(text)
    assert (intent.name, intent.args, intent.slash) == (name, args, True)


@pytest.mark.parametrize("text", ["2021-10-15 汛期施工受阻", "已完成隐患排查，正在整改", "大家好", "安全办负责什么"])
def test_plain_words_are_left_to_the_language_layer(text):
    """Plain words (a question, a deferral date, a reply to a reminder) are not parsed here."""
    assert parse(text).name == "unknown"


# The chat reads plain words with bot.nlu (bot/chat/ask.py): every plain form the old patterns knew reaches the
# same kind of answer there.
@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("安全办负责什么", "owns"), ("安全办牵头哪些、配合哪些", "owns"), ("安全办牵头哪些", "owns"),
        ("what does 安全办 own", "owns"), ("安全办公室负责什么", "owns"), ("第12项谁负责", "who"),
        ("第十二项谁负责", "who"), ("第12项进展如何", "progress"), ("本月到期的", "due"),
        ("还没反馈的", "unreported"), ("逾期的", "overdue"), ("看板", "board"), ("我的任务", "owns"),
        ("帮助", "help"), ("task 12", "task_detail"),
    ],
)
def test_old_plain_forms_reach_the_same_kind_through_nlu(text, kind):
    from datetime import date

    from tests.test_nlu_questions import load_set, understand

    _data, vocab = load_set("seed_2021.json")
    assert understand(text, vocab, now=date(2021, 6, 10), own_unit_id=19).kind.value == kind
