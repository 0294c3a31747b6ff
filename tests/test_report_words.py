"""A report means what its words say: a transcript of report phrasings through the chat, each recording the
status it says (tests/fixtures/report_phrasings.txt), and the pure reading of completion words."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from bot.nlu import Status, normalise
from bot.nlu.completion import Completion, classify, settle
from storage.db import session_scope
from storage.models import StatusReport, Task
from tests.chat_harness import Chat

PHRASINGS = Path(__file__).parent / "fixtures" / "report_phrasings.txt"


def transcript(*, plan_names: bool = False) -> list[tuple[str, str]]:
    """The phrasings without a plan's name (or only those with one)."""
    rows = []
    for line in PHRASINGS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, want = (x.strip() for x in line.split("|"))
            if text.startswith("工作要点") == plan_names:
                rows.append((text, want))
    return rows


def test_transcript_is_long_and_varied():
    rows = transcript() + transcript(plan_names=True)
    assert len(rows) >= 100
    kinds = {classify(normalise(text)) for text, _ in rows}
    assert kinds == set(Completion)
    assert {want for _, want in rows} == {"done", "in_progress", "blocked", "not_started", "-"}


async def test_each_phrasing_records_exactly_what_it_says(memory_engine, seed_path):
    await _records_what_it_says(memory_engine, seed_path, transcript())


async def test_phrasings_naming_the_plan_record_what_they_say(memory_engine, seed_path):
    await _records_what_it_says(memory_engine, seed_path, transcript(plan_names=True))


async def _records_what_it_says(memory_engine, seed_path, rows: list[tuple[str, str]]) -> None:
    chat = Chat(memory_engine, seed_path)
    wrong = []
    for text, want in rows:
        with session_scope(memory_engine) as s:
            task_id = s.exec(select(Task.id).where(Task.ref == "25")).one()
            before = len(s.exec(select(StatusReport).where(StatusReport.task_id == task_id)).all())
        replies = await chat.say(text)
        with session_scope(memory_engine) as s:
            reports = s.exec(select(StatusReport).where(StatusReport.task_id == task_id)
                             .order_by(StatusReport.id)).all()
        got = reports[-1].status if len(reports) > before else "-"
        if got != want:
            wrong.append((text, want, got, replies[:60]))
        elif got == "in_progress" and classify(normalise(text)) is not Completion.DONE:
            assert reports[-1].note and "完成" in reports[-1].note, text  # the words are kept as the note
    assert wrong == []


@pytest.mark.parametrize(("text", "note"), [
    ("不算完成,还差验收", "不算完成,还差验收"),
    ("基本完成了", "基本完成了"),
    ("大部分完成 剩余两所学校", "大部分完成 剩余两所学校"),
])
def test_settle_keeps_the_words_as_note(text, note):
    assert settle(Status.DONE, text, "") == (Status.IN_PROGRESS, note)


def test_settle_leaves_other_statuses_and_plain_done():
    assert settle(Status.BLOCKED, "无法完成", "") == (Status.BLOCKED, "")
    assert settle(Status.DONE, "已完成,台账已归档", "台账已归档") == (Status.DONE, "台账已归档")
    assert classify("已于9月30日前完成") is Completion.DONE
    assert classify("预计10月底完成") is Completion.HEDGED
