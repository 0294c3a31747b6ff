"""A chat event whose write SQLite refuses because another connection (a dispatcher marking a send, a sweep)
committed between the event's read and its write is run again: the report is recorded, never lost or half kept."""

from __future__ import annotations

from sqlalchemy import event, text
from sqlmodel import select

from storage.db import make_engine, migrate, session_scope
from storage.models import AuditLog, StatusReport, Task
from tests.chat_harness import Chat


async def test_a_report_refused_by_a_concurrent_commit_is_run_again(tmp_path, seed_path):
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    engine, other = make_engine(url), make_engine(url)
    migrate(engine)
    chat = Chat(engine, seed_path)
    await chat.say("第25项进展如何")  # warm: the vocabulary is built before the raced event
    interfered = []

    def another_writer_commits_first(conn, _cursor, statement, *_args):
        # Once, just before the event's first write: another connection writes and commits, so the event's
        # snapshot (taken by its reads) is stale and SQLite refuses its write at once.
        if not interfered and statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            interfered.append(statement)
            with other.begin() as c:
                c.execute(text("INSERT INTO auditlog (at, actor, action, detail) "
                               "VALUES ('2021-08-23 09:00:00', 'dispatcher', 'test.interfere', '')"))

    event.listen(engine, "before_cursor_execute", another_writer_commits_first)
    answer = await chat.say("第25项推进中 60% 已排查12所学校")
    event.remove(engine, "before_cursor_execute", another_writer_commits_first)

    assert interfered, "the race was not set up: the event wrote nothing"
    assert "出错" not in answer and "60%" in answer, answer
    with session_scope(engine) as s:
        task = s.exec(select(Task).where(Task.ref == "25")).one()
        reports = s.exec(select(StatusReport).where(StatusReport.task_id == task.id)).all()
        assert [(r.status, r.percent) for r in reports] == [("in_progress", 60)]  # once, not twice
        assert len(s.exec(select(AuditLog).where(AuditLog.action == "test.interfere")).all()) == 1
    engine.dispose()
    other.dispose()
