"""The store's own triggers count every change a cached vocabulary depends on, whoever writes (migration 0009)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.services.importer import apply_plan
from storage import repo
from storage.db import make_engine, migrate, open_store, session_scope
from tests.helpers import at, parsed_plan
from tests.test_delivery_migration import upgrade_to


def _version(engine) -> dict:
    with session_scope(engine) as s:
        structure, reports, deadlines = repo.vocab_version(session=s)
    return {"structure": structure[0], "reports": reports, "deadlines": deadlines[0]}


@pytest.fixture
def store(store_url, seed_path):
    engine = open_store(store_url)
    with session_scope(engine) as s:
        apply_plan(session=s, parsed=parsed_plan(seed_path), now=at(2021, 8, 23))
    yield engine
    engine.dispose()


# Raw SQL, as another program (or a later migration's data fix) would write; each is one statement.
STRUCTURE = [
    'UPDATE "plan" SET title = title',
    "UPDATE section SET path = path",
    "UPDATE task SET title = title WHERE id = (SELECT min(id) FROM task)",
    "UPDATE task SET removed = removed WHERE id = (SELECT min(id) FROM task)",
    "UPDATE unit SET name = name WHERE id = (SELECT min(id) FROM unit)",
    "INSERT INTO unitalias (office_id, unit_id, alias) SELECT office_id, id, '别名甲' FROM unit WHERE id = "
    "(SELECT min(id) FROM unit)",
    "DELETE FROM taskunit WHERE id = (SELECT max(id) FROM taskunit)",
    "UPDATE taskunit SET position = position WHERE id = (SELECT min(id) FROM taskunit)",
]


@pytest.mark.parametrize("sql", STRUCTURE)
def test_each_write_to_what_a_vocabulary_is_built_from_moves_the_structure(store, sql):
    before = _version(store)
    with store.begin() as conn:
        conn.execute(text(sql))
    after = _version(store)
    assert after["structure"] > before["structure"]
    assert (after["reports"], after["deadlines"]) == (before["reports"], before["deadlines"])


def test_a_reports_state_on_the_task_moves_only_the_reports(store):
    before = _version(store)
    with store.begin() as conn:
        conn.execute(text("UPDATE task SET last_status = 'done', done = :t WHERE id = (SELECT min(id) FROM task)"),
                     {"t": True})
        task_id = conn.execute(text("SELECT min(id) FROM task")).scalar_one()
        conn.execute(text("INSERT INTO statusreport (task_id, unit_id, status, percent, note, reporter, created_at) "
                          "VALUES (:t, NULL, 'done', 100, '', 'cli', :at)"), {"t": task_id, "at": at(2021, 8, 24)})
        new_id = conn.execute(text("SELECT max(id) FROM statusreport")).scalar_one()
    middle = _version(store)
    assert middle["structure"] == before["structure"] and middle["deadlines"] == before["deadlines"]
    assert middle["reports"] == (new_id, before["reports"][1] + 1)
    with store.begin() as conn:  # a report changed in place: counted, so a cache reads the reports again
        conn.execute(text("UPDATE statusreport SET note = 'x'"))
    assert _version(store)["reports"][1] > middle["reports"][1]


def test_a_deadline_changed_anywhere_moves_the_deadlines(store):
    before = _version(store)
    with store.begin() as conn:
        conn.execute(text("UPDATE deadline SET text = text WHERE id = (SELECT min(id) FROM deadline)"))
    after = _version(store)
    assert after["deadlines"] > before["deadlines"] and after["structure"] == before["structure"]


def test_upgrade_from_0008_counts_the_reports_already_there(store_url):
    engine = make_engine(store_url)
    upgrade_to(engine, "0008")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO office (id, name, created_at) VALUES (1, '本单位', :at)"), {"at": at(2021, 8, 1)})
        conn.execute(text('INSERT INTO "plan" (id, office_id, title, year, period_start, period_end, short_name, '
                          "source_name, content_hash, active, imported_at) VALUES (1, 1, '2021年工作要点', 2021, "
                          "2021, 2021, '工作要点', '', 'x', :t, :at)"), {"t": True, "at": at(2021, 8, 1)})
        conn.execute(text("INSERT INTO task (id, plan_id, ref, position, title, objective, measures, removed, "
                          "created_at, updated_at, done) VALUES (1, 1, '1', 0, '任务', '', '', :f, :at, :at, :f)"),
                     {"f": False, "at": at(2021, 8, 1)})
        for i in (1, 2, 3):
            conn.execute(text("INSERT INTO statusreport (id, task_id, unit_id, status, percent, note, reporter, "
                              "created_at) VALUES (:i, 1, NULL, 'note', NULL, '', 't', :at)"),
                         {"i": i, "at": at(2021, 8, 2)})
    migrate(engine)
    assert _version(engine) == {"structure": 0, "reports": (3, 3), "deadlines": 0}
    engine.dispose()
