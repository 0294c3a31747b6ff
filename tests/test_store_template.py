"""A store copied from the session's template (tests/store_template.py) is the store a fresh migration makes;
migrate() skips alembic only for a store already at the newest revision."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess

import pytest
from sqlmodel import select

from storage.db import make_engine, migrate, open_store, session_scope
from storage.models import Plan


def _clauses(sql: str) -> list[str]:
    """A CREATE statement's top-level clauses, sorted: alembic's batch copies write a table's constraints in
    no fixed order, so two fresh migrations differ in that order and in nothing else."""
    head, _, body = sql.partition("(")
    parts, depth, start, tail = [], 0, 0, ""
    for i, ch in enumerate(body):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:  # the parenthesis that closes the list; what follows (an index's WHERE) is kept as it is
            body, tail = body[:i], body[i + 1:]
            break
        if ch == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return [head.strip(), *sorted(" ".join(p.split()) for p in parts), " ".join(tail.split())]


def _sqlite_shape(path) -> dict:
    """Everything a SQLite store holds, in a form that does not depend on the order of constraints."""
    conn = sqlite3.connect(path)
    try:
        objects = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        shape = {"objects": [(t, n, tb, _clauses(sql) if sql else None) for t, n, tb, sql in objects if
                             not n.startswith("sqlite_autoindex")]}
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            indexes = [(unique, origin, partial, [c[2] for c in conn.execute(f'PRAGMA index_info("{name}")')])
                       for _, name, unique, origin, partial in conn.execute(f'PRAGMA index_list("{table}")')]
            shape[table] = {
                "columns": conn.execute(f'PRAGMA table_info("{table}")').fetchall(),
                "keys": sorted(row[2:] for row in conn.execute(f'PRAGMA foreign_key_list("{table}")')),
                "indexes": sorted(indexes),
                "rows": sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr),
            }
        return shape
    finally:
        conn.close()


def test_a_sqlite_copy_has_the_schema_and_rows_of_a_fresh_migration(tmp_path, store_templates):
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrate(fresh)  # the real migrations, imported before the session put the template in open_store's way
    fresh.dispose()
    before = store_templates.copies
    copy = open_store(f"sqlite:///{tmp_path / 'copy.db'}")
    copy.dispose()
    assert store_templates.copies == before + 1
    shape = _sqlite_shape(tmp_path / "copy.db")
    assert shape == _sqlite_shape(tmp_path / "fresh.db")
    assert shape["alembic_version"]["rows"] and shape["storeversion"]["rows"]
    assert any(kind == "trigger" for kind, *_ in shape["objects"])
    with sqlite3.connect(tmp_path / "copy.db") as conn:  # the file is left as open_store leaves one: WAL
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_an_in_memory_copy_is_a_working_store(store_templates):
    before = store_templates.copies
    engine = open_store("sqlite://")
    try:
        assert store_templates.copies == before + 1
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"plan", "task", "outbox", "alembic_version", "storeversion"} <= tables
        with session_scope(engine) as s:
            assert s.exec(select(Plan)).all() == []
    finally:
        engine.dispose()


def test_a_store_that_is_not_empty_is_migrated_not_replaced(tmp_path, store_templates):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE keep (x INTEGER)")
        conn.execute("INSERT INTO keep VALUES (7)")
    before = store_templates.copies
    open_store(f"sqlite:///{path}").dispose()
    assert store_templates.copies == before
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT x FROM keep").fetchall() == [(7,)]
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() is not None


def test_a_store_at_head_opens_without_alembic_and_an_older_one_is_upgraded(tmp_path, monkeypatch):
    import storage.db
    from tests.test_delivery_migration import upgrade_to

    at_head = tmp_path / "head.db"
    open_store(f"sqlite:///{at_head}").dispose()
    older = make_engine(f"sqlite:///{tmp_path / 'older.db'}")
    upgrade_to(older, "0014")
    older.dispose()
    upgrades: list[str] = []
    real = storage.db.command.upgrade
    monkeypatch.setattr(storage.db.command, "upgrade", lambda cfg, rev: upgrades.append(rev) or real(cfg, rev))
    open_store(f"sqlite:///{at_head}").dispose()
    assert upgrades == []
    open_store(f"sqlite:///{tmp_path / 'older.db'}").dispose()
    assert upgrades == ["head"]
    versions = [_sqlite_shape(path)["alembic_version"]["rows"] for path in (tmp_path / "older.db", at_head)]
    assert versions[0] == versions[1] != [("0014",)]


def _pg_dump(url: str, schema: str) -> str:
    out = subprocess.run(["pg_dump", "--schema", schema, "--inserts", "--no-owner", "--no-privileges", url],
                         capture_output=True, text=True, check=True).stdout
    lines = [ln for ln in out.splitlines() if not ln.startswith(("\\restrict", "\\unrestrict", "--"))]
    return re.sub(rf"\b{schema}\b", "SCHEMA", "\n".join(lines))


@pytest.mark.pg
def test_a_postgresql_copy_dumps_the_same_as_a_fresh_migration(request, store_templates):
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump not installed: PostgreSQL stores are migrated, not copied")
    fresh_url, copy_url = request.getfixturevalue("pg_url"), _another_pg_url(request)
    fresh = make_engine(fresh_url)
    migrate(fresh)
    fresh.dispose()
    before = store_templates.copies
    open_store(copy_url).dispose()
    assert store_templates.copies == before + 1
    server, fresh_schema = _split(fresh_url)
    _, copy_schema = _split(copy_url)
    copied = _pg_dump(server, copy_schema)
    assert copied == _pg_dump(server, fresh_schema)
    assert "CREATE TRIGGER" in copied and "INSERT INTO SCHEMA.alembic_version" in copied


def _split(url: str) -> tuple[str, str]:
    """(the server's URL, the schema) of a pg_url."""
    found = re.search(r"[?&]options=-csearch_path%3D(\w+)", url)
    return url[: found.start()] + url[found.end():], found.group(1)


def _another_pg_url(request) -> str:
    """A second throwaway schema, made as the pg_url fixture makes one."""
    import uuid

    from sqlalchemy import create_engine

    from storage.db import normalise_url
    from tests.conftest import PG_URL

    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(normalise_url(PG_URL))
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")

    def drop():
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()

    request.addfinalizer(drop)
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
