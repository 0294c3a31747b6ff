"""Migration 0017: the sweep's reads of tasks awaiting review and of 签收 go through indexes, not a scan of every
task; a store at 0016 upgrades, and the reads answer the same (both stores)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import event, inspect
from sqlmodel import select

from storage import events
from storage.db import make_engine, migrate, session_scope
from storage.models import Task, TaskEventKind
from tests.helpers import load, parsed_plan
from tests.test_delivery_migration import downgrade_to

NOW = datetime(2021, 9, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _indexes(engine) -> set[str]:
    return {i["name"] for i in inspect(engine).get_indexes("task")} | \
        {i["name"] for i in inspect(engine).get_indexes("taskevent")}


def test_a_store_at_0016_gets_the_indexes_and_the_reads_use_them(store_url, seed_path):
    engine = make_engine(store_url)
    migrate(engine)
    load(engine, parsed_plan(seed_path), NOW)
    with session_scope(engine) as s:
        task = s.exec(select(Task).where(Task.ref == "12")).one()
        task.review_pending, task.applied_at = True, NOW
        events.add_event(session=s, task_id=task.id, kind=TaskEventKind.ASK_SIGN, unit_id=None, actor="t", note="",
                         at=NOW)
    downgrade_to(engine, "0016")
    assert not {"ix_task_review_pending", "ix_taskevent_kind"} & _indexes(engine)
    migrate(engine)
    assert {"ix_task_review_pending", "ix_taskevent_kind"} <= _indexes(engine)

    reads: list[tuple[str, object]] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, stmt, params, *_a: reads.append((stmt, params)))
    with session_scope(engine) as s:
        assert [t.ref for t, _plan in events.awaiting_review(session=s)] == ["12"]
        assert len(events.receipts(session=s)) == 1
    if engine.dialect.name == "sqlite":  # the planner's word that each read goes through its index
        with engine.connect() as conn:
            plans = [" ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + stmt, params))
                     for stmt, params in reads if stmt.lstrip().upper().startswith("SELECT")]
        assert any("ix_task_review_pending" in p for p in plans), plans
        # ix_taskevent_kind is the planner's choice on a large store (bench/sweep.py: 15 → 3 ms at 100,000 tasks);
        # on this small one it may start from the tasks, which is as cheap here.
    engine.dispose()
