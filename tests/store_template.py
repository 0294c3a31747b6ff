"""Migrated stores made once per test session and copied into each empty store a test opens.

Running the migrations on an empty store takes about 0.3 s on SQLite and 1–2 s on PostgreSQL, and most tests
open a store or several (the `engine` fixture, App, the in-process CLI). So the conftest puts `Templates.migrate`
in the place of storage.db.migrate for the session: an empty store gets a copy of what the real migrations left
in a template store (SQLite: its pages, by the backup API; PostgreSQL: pg_dump's text of the template schema,
replayed in one transaction), and any other store is migrated as before. Tests that exercise the migrations
themselves import `migrate` or drive alembic directly and keep the real thing. tests/test_store_template.py
checks that a copy has the same schema and rows as a fresh migration.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from storage.db import make_engine, normalise_url

# Everything the current schema holds on PostgreSQL: relations (tables, sequences, indexes, views) and functions.
PG_OBJECTS = (
    "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = current_schema())"
    " + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
    " WHERE n.nspname = current_schema())"
)


class Templates:
    """One migrated SQLite file and one pg_dump text per PostgreSQL server, made on first use."""

    def __init__(self, workdir: Path, migrate_fresh: Callable[[Engine], None]) -> None:
        self.workdir = workdir
        self.migrate_fresh = migrate_fresh
        self.copies = 0  # stores filled from a template (tests check the copy path is the one taken)
        self._sqlite: Path | None = None
        self._pg: dict[str, tuple[str, str] | None] = {}  # server → (template schema name, dump text)

    def migrate(self, engine: Engine) -> None:
        """storage.db.migrate, with an empty store filled from the template instead of migrated."""
        try:
            filled = self._fill(engine)
        except Exception:  # an unreadable or unreachable store: the real migrate reports it as users see it
            filled = False
        if filled:
            self.copies += 1
        else:
            self.migrate_fresh(engine)

    def _fill(self, engine: Engine) -> bool:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                if conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar():
                    return False
                conn.rollback()  # the backup API wants no transaction open on its destination
                source = sqlite3.connect(self.sqlite_template())
                try:
                    source.backup(conn.connection.driver_connection)
                finally:
                    source.close()
                return True
            if conn.dialect.name == "postgresql":
                if conn.exec_driver_sql("SELECT current_schema()").scalar() is None:
                    return False
                if conn.exec_driver_sql(PG_OBJECTS).scalar():
                    return False
                template = self.pg_template(engine)
                if template is None:
                    return False
                name, dump = template
                schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
                conn.connection.driver_connection.execute(re.sub(rf"\b{name}\b", schema, dump))
                conn.commit()
                conn.invalidate()  # the dump set this session's search_path: the pool must not hand it out again
                return True
        return False

    def sqlite_template(self) -> Path:
        """A SQLite file the real migrations brought to head, as open_store leaves one."""
        if self._sqlite is None:
            path = self.workdir / "template.db"
            engine = make_engine(f"sqlite:///{path}")
            try:
                self.migrate_fresh(engine)
            finally:
                engine.dispose()
            self._sqlite = path
        return self._sqlite

    def pg_template(self, engine: Engine) -> tuple[str, str] | None:
        """(schema name, pg_dump text) of a schema the real migrations brought to head on engine's server; None
        where pg_dump is missing or fails (the store is then migrated the slow way)."""
        server = engine.url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
        if server not in self._pg:
            self._pg[server] = _dump_migrated_schema(server, self.migrate_fresh)
        return self._pg[server]


def _dump_migrated_schema(server: str, migrate_fresh: Callable[[Engine], None]) -> tuple[str, str] | None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        return None
    name = "tmpl_" + uuid.uuid4().hex[:12]
    admin = create_engine(normalise_url(server))
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {name}")
        sep = "&" if "?" in server else "?"
        engine = make_engine(f"{server}{sep}options=-csearch_path%3D{name}")
        try:
            migrate_fresh(engine)
        finally:
            engine.dispose()
        run = subprocess.run([pg_dump, "--schema", name, "--inserts", "--no-owner", "--no-privileges", server],
                             capture_output=True, text=True, timeout=60)
        if run.returncode != 0:
            return None
        return name, _replayable(run.stdout, name)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        admin.dispose()


def _replayable(dump: str, name: str) -> str:
    """The dump as one string a driver can run into an existing schema: no psql meta-commands (pg_dump's
    \\restrict lines), no comments, no CREATE SCHEMA (the test's schema exists already)."""
    keep = [line for line in dump.splitlines()
            if not line.startswith(("\\", "--")) and line.strip() != f"CREATE SCHEMA {name};"]
    return "\n".join(keep)
