"""The composition root: scheduler jobs, the console channel, and the sample plan on first run."""

from __future__ import annotations

import asyncio
import io
from datetime import date

from bot.app import App
from bot.config import Settings
from bot.console import ConsoleSender, run_console
from tests.helpers import at


def settings(tmp_path) -> Settings:
    return Settings(database={"url": f"sqlite:///{tmp_path / 'duban.db'}"})


async def test_start_registers_idempotent_jobs_and_loads_sample(tmp_path):
    console = ConsoleSender(out=io.StringIO())
    service = App(settings(tmp_path), clock=lambda: at(2021, 8, 23), extra_senders=[console])
    await service.start()
    try:
        jobs = {j.id: j for j in service.scheduler.get_jobs()}
        assert set(jobs) == {"sweep_due", "dispatch_outbox"}
        assert jobs["sweep_due"].coalesce and jobs["sweep_due"].max_instances == 1
        assert service.web_runner is None  # no channel needs HTTP
        for _ in range(50):  # the first sweep is scheduled for "now"; let the loop run it
            if "sweep.last_day" in _state(service):
                break
            await asyncio.sleep(0.02)
        assert _state(service)["sweep.last_day"] == "2021-08-23"
    finally:
        await service.stop()
    # A second start on the same store does not import the sample again.
    again = App(settings(tmp_path), clock=lambda: at(2021, 8, 24))
    assert again.load_sample_if_empty() is False
    again.engine.dispose()


def _state(service: App) -> dict[str, str]:
    from sqlmodel import select

    from storage.db import session_scope
    from storage.models import JobState

    with session_scope(service.engine) as s:
        return {j.name: j.value for j in s.exec(select(JobState)).all()}


async def test_console_answers_questions_and_receives_reminders(tmp_path):
    out = io.StringIO()
    console = ConsoleSender(out=out)
    clock = {"now": at(2021, 8, 23)}
    service = App(settings(tmp_path), clock=lambda: clock["now"], extra_senders=[console])
    service.load_sample_if_empty()
    lines = iter(["安全办负责什么\n", "/bind 职教办\n"])
    await run_console(service.chat, console, read=lambda: next(lines, ""))
    text = out.getvalue()
    assert "安全办牵头的任务（1项）：\n  第25项 守牢教育安全稳定底线" in text
    assert "安全办配合的任务（1项）：\n  第7项" in text and "已将 console:console 绑定到职教办" in text
    result, stats = await service.sweep_and_dispatch()
    assert stats.sent == 1 and "【督办提醒】第12项「大力发展职业教育」" in out.getvalue()
    # Press 推进中 (button 2) on that reminder, then reply to it with a note.
    reminder_id = out.getvalue().split("──\n【督办提醒】")[0].rsplit("消息 #", 1)[1].split(" ")[0]
    lines = iter(["2\n", f"@{reminder_id} 主体工程已封顶\n"])
    await run_console(service.chat, console, read=lambda: next(lines, ""))
    text = out.getvalue()
    assert "✅ 已记录：推进中" in text and "已记录第12项的进展说明：主体工程已封顶" in text
    from bot.services.queries import task_detail
    from storage.db import session_scope

    with session_scope(service.engine) as s:
        reports = task_detail(session=s, ref="12").to_dict()["reports"]
    assert [(r["status"], r["note"]) for r in reports] == [("in_progress", ""), ("note", "主体工程已封顶")]
    assert date(2021, 8, 23).isoformat() in reports[0]["at"]
    await service.stop()


async def test_start_builds_the_vocabulary_so_the_first_question_is_answered_from_it(tmp_path):
    from bot.chat.events import ChatEvent
    from bot.services import vocab

    vocab.clear_cache()
    service = App(settings(tmp_path), clock=lambda: at(2021, 8, 23), extra_senders=[ConsoleSender(out=io.StringIO())],
                  vocab_cache=vocab.SHARED)
    await service.start()
    try:
        assert await service.warming == 1  # the sample plan's office
        builds, hits = vocab.stats["builds"], vocab.stats["hits"]
        replies = await service.chat.handle(ChatEvent(platform="console", chat_id="c", user_id="u",
                                                      text="安全办负责什么"))
        assert "第25项" in replies[0].text
        assert vocab.stats["builds"] == builds and vocab.stats["hits"] == hits + 1  # not built on the question
    finally:
        await service.stop()
        vocab.clear_cache()


async def test_start_leaves_what_it_built_out_of_full_collections(tmp_path):
    """settle_heap: the long-lived start-up state is frozen, so a full collection later walks only new objects."""
    import gc

    service = App(settings(tmp_path), clock=lambda: at(2021, 8, 23), extra_senders=[ConsoleSender(out=io.StringIO())])
    try:
        await service.start()
        assert gc.get_freeze_count() > 10_000  # the modules, the store's metadata, the channels
        assert len(gc.get_objects(generation=2)) < gc.get_freeze_count()
    finally:
        await service.stop()
