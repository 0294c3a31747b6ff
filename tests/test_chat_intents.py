"""Every question form from the README reaches the intended handler, with the unit or task number."""

from __future__ import annotations

import pytest

from bot.chat.intents import parse


@pytest.mark.parametrize(
    ("text", "name", "args", "role"),
    [
        ("安全办负责什么", "owns", ["安全办"], None),
        ("安全办负责什么？", "owns", ["安全办"], None),
        ("安全办牵头哪些、配合哪些", "owns", ["安全办"], None),
        ("安全办牵头哪些", "owns", ["安全办"], "lead"),
        ("安全办配合哪些", "owns", ["安全办"], "co"),
        ("what does 安全办 own", "owns", ["安全办"], None),
        ("安全办公室负责什么", "owns", ["安全办公室"], None),
        ("第12项谁负责", "who", ["12"], None),
        ("第十二项谁负责", "who", ["十二"], None),
        ("第12项进展如何", "progress", ["12"], None),
        ("本月到期的", "due", [], None),
        ("还没反馈的", "silent", [], None),
        ("逾期的", "overdue", [], None),
        ("看板", "board", [], None),
        ("/mine", "mine", [], None),
        ("/mine@duban_bot", "mine", [], None),
        ("/owns 安全办", "owns", ["安全办"], None),
        ("/task 12", "task", ["12"], None),
        ("/due", "due", [], None),
        ("/overdue", "overdue", [], None),
        ("/board", "board", [], None),
        ("/help", "help", [], None),
        ("/report 25 推进中 60% 说明", "report", ["25", "推进中", "60%", "说明"], None),
        ("/start ABCD2345", "start", ["ABCD2345"], None),
        ("/frobnicate", "frobnicate", [], None),
    ],
)
def test_question_forms(text, name, args, role):
    intent = parse(text)
    assert (intent.name, intent.args, intent.role) == (name, args, role)


@pytest.mark.parametrize("text", ["2021-10-15 汛期施工受阻", "已完成隐患排查，正在整改", "大家好"])
def test_free_text_stays_unknown(text):
    """Deferral dates and replies to reminders are read as free text, not as questions."""
    assert parse(text).name == "unknown"


# Since issue 10 the chat reads plain words with bot.nlu (bot/chat/ask.py); parse() above only splits slash
# commands there. Every plain form parse() knew must reach the same kind of answer through the nlu.
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
