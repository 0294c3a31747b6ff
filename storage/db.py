"""Engine and sessions: the URL alone picks SQLite or PostgreSQL; schema comes from migrations."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"


class StoreUnavailable(Exception):
    """The database cannot be reached or opened."""


def normalise_url(url: str) -> str:
    """Let people write postgresql:// and get the psycopg 3 driver we ship."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        kwargs: dict = {"connect_args": {"check_same_thread": False}}
        memory = url in ("sqlite://", "sqlite:///:memory:")
        if memory:
            kwargs["poolclass"] = StaticPool  # one shared in-memory database
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=5000")
            if not memory:
                # Readers (chat answers) and the writer (sweep, dispatch) no longer block each other; commits stay
                # fully synchronous, so "request started" is on disk before a send.
                cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@functools.cache
def _heads() -> frozenset[str]:
    """The newest revisions, read from the migration scripts once per process."""
    return frozenset(ScriptDirectory.from_config(_config()).get_heads())


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    cfg = _config()
    try:
        with engine.connect() as conn:
            # Most opens find the store at head: one read then, instead of alembic loading every script to learn
            # there is nothing to do (a tenth of a second for each CLI command and each store a process opens).
            if frozenset(MigrationContext.configure(conn).get_current_heads()) == _heads():
                return
            conn.rollback()
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                # SQLite alters a table by copying it; with foreign keys enforced, dropping the old copy of a
                # table others point at fails. The pragma only works outside a transaction, so it is set
                # before the migrations' transaction begins, and every key is checked after it ends.
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.commit()
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                conn.commit()
                if broken:
                    raise StoreUnavailable(f"数据库迁移后外键不一致：{broken[:3]}")
    except OperationalError as exc:
        raise StoreUnavailable(f"无法打开数据库：{exc.orig}") from exc


def open_store(url: str) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit once at the end, roll everything back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def store_busy(exc: BaseException) -> bool:
    """SQLite refused a write because another connection wrote first: "database is locked" at once, without the
    busy timeout, when a transaction that has read tries to write after another's commit (its snapshot is old).
    The whole unit of work may simply be run again."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


LOCKS = {"sweep": 1}  # what the store-wide locks guard, and their PostgreSQL advisory-lock numbers


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[bool]:
    """Whether this process holds the store-wide lock `name` for the block, never waiting for it.

    PostgreSQL: an advisory lock keyed by the schema and `name`, on a connection of its own, so it lasts
    across the block's commits and goes with the process if it dies. SQLite: always True; its writers take
    turns, and several processes on one file are not a supported deployment.
    """
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = LOCKS[name]
    with engine.connect() as conn:
        got = conn.exec_driver_sql("SELECT pg_try_advisory_lock(hashtext(current_schema()), %s)", (key,)).scalar()
        conn.commit()
        try:
            yield bool(got)
        finally:
            if got:
                conn.exec_driver_sql("SELECT pg_advisory_unlock(hashtext(current_schema()), %s)", (key,))
                conn.commit()


def conflict_insert(session: Session, table):
    """`INSERT` into `table` in the session's dialect, which knows `on_conflict_do_nothing` (PostgreSQL, SQLite)."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return (pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)(table)
