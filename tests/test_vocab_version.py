"""The cached vocabulary follows every write to the store, whoever makes it (another engine stands for another
process, e.g. the CLI importing a plan while `duban run` serves), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.config import Settings
from bot.services import planfile
from bot.services import vocab as vocab_cache
from bot.services.binding import bind_directly
from bot.services.importer import apply_plan
from bot.services.reports import record_report, set_deadline
from bot.services.tasks import require_task
from storage import repo
from storage.db import open_store, session_scope
from storage.models import ReportStatus, UnitAlias
from tests.chat_harness import Chat
from tests.helpers import at

PRIVATE = {"user": "300", "chat": "300", "group": False}  # a private chat bound to 教研室


@pytest.fixture
def stores(store_url, seed_path):
    """(the chat, with its own engine; another engine on the same store)."""
    vocab_cache.clear_cache()
    serving, other = open_store(store_url), open_store(store_url)
    chat = Chat(serving, seed_path)
    with session_scope(serving) as s:
        bind_directly(session=s, unit_name="教研室", platform="telegram", address="300", now=chat.now, actor="t")
    yield chat, other
    vocab_cache.clear_cache()
    serving.dispose()
    other.dispose()


def _vocab(engine):
    with session_scope(engine) as s:
        plan = repo.current_plan(session=s)
        return vocab_cache.plan_vocab(session=s, office_id=plan.office_id, current=plan, tz=Settings().app.tz)


def _states(pv) -> dict:
    return {t.id: (t.status, t.last_report, t.deadlines) for t in pv.vocab.tasks.values()}


async def test_a_report_made_elsewhere_is_in_the_next_answer_without_a_rebuild(stores):
    chat, other = stores
    assert "第25项" not in await chat.say("已完成的任务", **PRIVATE)
    builds = vocab_cache.stats["builds"]
    with session_scope(other) as s:
        record_report(session=s, task=require_task(session=s, ref="25"), unit_id=None, status=ReportStatus.DONE,
                      percent=None, note="", reporter="cli", now=chat.now)
    assert "第25项" in await chat.say("已完成的任务", **PRIVATE)
    assert vocab_cache.stats["builds"] == builds


async def test_a_reimport_elsewhere_that_swaps_lead_and_co_at_the_same_time_is_seen(stores, seed_path, tmp_path):
    chat, other = stores
    assert "职教办牵头的任务（1项）" in await chat.say("职教办负责什么", **PRIVATE)
    text = seed_path.read_text(encoding="utf-8")
    swapped = text.replace("责任股室(单位):职教办、人事股、", "责任股室(单位):人事股、职教办、", 1)
    assert swapped != text
    revised = tmp_path / "revised.txt"
    revised.write_text(swapped, encoding="utf-8")
    with session_scope(other) as s:  # the same clock: no timestamp moves, only the rows' roles change
        apply_plan(session=s, parsed=planfile.parse(revised), now=chat.now, source_name="revised.txt")
    answer = await chat.say("职教办负责什么", **PRIVATE)
    assert "职教办牵头的任务" not in answer and "第12项" in answer.split("配合的任务")[1]


async def test_an_alias_added_elsewhere_is_understood_at_once(stores):
    chat, other = stores
    assert "督导室配合的任务" not in await chat.say("甲乙丙办负责什么", **PRIVATE)
    with session_scope(other) as s:
        unit = repo.unit_named(session=s, office_id=repo.current_plan(session=s).office_id, name="督导室")
        s.add(UnitAlias(office_id=unit.office_id, unit_id=unit.id, alias="甲乙丙办"))
    assert "督导室配合的任务" in await chat.say("甲乙丙办负责什么", **PRIVATE)


async def test_a_deadline_set_elsewhere_refreshes_the_states(stores):
    chat, other = stores
    before = _vocab(chat.engine)
    with session_scope(other) as s:
        task = require_task(session=s, ref="12")
        set_deadline(session=s, task=task, when=date(2021, 9, 30), label="", now=chat.now, actor="cli")
        task_id = task.id
    after = _vocab(chat.engine)
    assert after.vocab.tasks[task_id].deadlines == (date(2021, 9, 30),) != before.vocab.tasks[task_id].deadlines


def test_reports_applied_on_top_match_a_fresh_read(stores):
    """New reports update the cached states in place of a re-read; the result is what a re-read gives, also
    when a report is dated before the newest one (then everything is re-read)."""
    chat, other = stores
    _vocab(chat.engine)
    with session_scope(other) as s:
        plan = repo.current_plan(session=s)
        lead = {t.ref: t for t in repo.active_tasks(session=s, plan_id=plan.id)}
        co_unit = repo.unit_named(session=s, office_id=plan.office_id, name="人事股").id
    steps = [("12", None, ReportStatus.IN_PROGRESS, 0), ("12", co_unit, ReportStatus.DONE, 1),  # a co-unit's
             ("25", None, ReportStatus.DONE, 2), ("12", None, ReportStatus.NOTE, 3),
             ("8", None, ReportStatus.BLOCKED, -5)]  # dated before the others
    updates = vocab_cache.stats["updates"]
    for ref, unit_id, status, days in steps:
        with session_scope(other) as s:
            record_report(session=s, task=s.get(type(lead[ref]), lead[ref].id), unit_id=unit_id, status=status,
                          percent=None, note="", reporter="t", now=chat.now + timedelta(days=days))
        cached = _states(_vocab(chat.engine))
        vocab_cache.clear_cache()
        assert cached == _states(_vocab(chat.engine)), (ref, status)
    assert vocab_cache.stats["updates"] > updates  # some were applied on top, not re-read


def test_the_version_is_one_statement_and_moves_with_each_kind_of_write(stores):
    chat, other = stores
    statements = []

    from sqlalchemy import event

    def count(*_a, **_k):
        statements.append(1)

    event.listen(chat.engine, "before_cursor_execute", count)
    with session_scope(chat.engine) as s:
        first = repo.vocab_version(session=s)
    event.remove(chat.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    with session_scope(other) as s:
        record_report(session=s, task=require_task(session=s, ref="3"), unit_id=None, status=ReportStatus.NOTE,
                      percent=None, note="x", reporter="t", now=at(2021, 8, 24))
    with session_scope(chat.engine) as s:
        second = repo.vocab_version(session=s)
    assert first[0] == second[0] and first[1] != second[1] and first[2] == second[2]
