"""A task's answers read only the reports they show, however long its history (on both stores)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from bot.services.reports import record_report
from bot.services.tasks import require_task, task_record
from storage import repo
from storage.db import session_scope
from storage.models import ReportStatus
from tests.chat_harness import Chat


def _history(engine, now) -> None:
    """Task 25 (安全办 leads): 28 progress reports, then two notes, a minute apart."""
    with session_scope(engine) as s:
        task = require_task(session=s, ref="25")
        unit = repo.units_by_name(session=s)["安全办"].id
        for i in range(30):
            status, percent = (ReportStatus.IN_PROGRESS, i + 1) if i < 28 else (ReportStatus.NOTE, None)
            record_report(session=s, task=task, unit_id=unit, status=status, percent=percent,
                          note=f"补充材料{i - 27}" if i >= 28 else "", reporter="t",
                          now=now - timedelta(minutes=30 - i))


async def test_progress_and_task_answers_show_the_newest_reports_and_read_no_more(engine, seed_path):
    chat = Chat(engine, seed_path)
    _history(engine, chat.now)
    # Reads of whole reports (the cached vocabulary reads only each report's status, once, then the new ones).
    report_reads: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, stmt, *_a: report_reads.append(stmt) if "statusreport.note" in stmt else None)

    progress = await chat.say("第25项进展如何")
    lines = progress.splitlines()
    assert lines[1].endswith("进展说明：补充材料2") and lines[2].endswith("进展说明：补充材料1")
    assert lines[3].endswith("推进中 28%") and "推进中 27%" not in progress

    full = await chat.say("/task 25")
    assert "最新进展：推进中 28%" in full  # the newest report that set a status, not the notes after it

    assert report_reads and all("LIMIT" in stmt for stmt in report_reads), report_reads


def test_the_full_record_keeps_the_whole_history(engine, seed_path):
    chat = Chat(engine, seed_path)
    _history(engine, chat.now)
    with session_scope(engine) as s:
        task = require_task(session=s, ref="25")
        whole, newest = task_record(session=s, task=task), task_record(session=s, task=task, history=False)
    assert len(whole.reports) == 30 and whole.latest == newest.latest
    assert [r.percent for r in newest.reports] == [28]
