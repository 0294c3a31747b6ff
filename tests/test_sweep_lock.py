"""Several processes on one PostgreSQL store: one sweeps at a time, a peer's turn is skipped, not doubled."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import func, select

from bot.app import App
from bot.config import Settings
from bot.services.binding import bind_directly
from storage.db import exclusive, make_engine, session_scope
from storage.models import Outbox
from tests.helpers import at

MORNING = at(2021, 8, 23).replace(hour=10)


def _app(url: str) -> App:
    app = App(Settings(database={"url": url}), clock=lambda: MORNING)
    app.load_sample_if_empty()
    with session_scope(app.engine) as s:
        bind_directly(session=s, unit_name="职教办", platform="console", address="zjb", now=MORNING, actor="t")
    return app


def _rows(app: App) -> int:
    with session_scope(app.engine) as s:
        return s.exec(select(func.count()).select_from(Outbox)).one()


def test_a_peer_sweeping_the_store_is_left_to_it(pg_url):
    app, peer = _app(pg_url), App(Settings(database={"url": pg_url}), clock=lambda: MORNING)
    try:
        with exclusive(peer.engine, "sweep") as mine:
            assert mine
            result = app.sweep()
            assert result.day is None and "另一个进程" in result.skipped and _rows(app) == 0
        result = app.sweep()  # the peer is done: this one's turn
        assert result.day is not None and result.written > 0 and _rows(app) == result.written
    finally:
        app.engine.dispose()
        peer.engine.dispose()


def test_the_lock_is_per_store_schema(pg_url):
    schema = pg_url.rsplit("%3D", 1)[1]
    other_url = pg_url.replace(schema, f"{schema}_b")
    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f"create schema {schema}_b"))
    one, two = _app(pg_url), _app(other_url)
    try:
        with exclusive(one.engine, "sweep") as mine, exclusive(two.engine, "sweep") as theirs:
            assert mine and theirs  # two installations on one database do not hold each other up
    finally:
        one.engine.dispose()
        two.engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"drop schema {schema}_b cascade"))
        admin.dispose()


def test_sqlite_always_sweeps(tmp_path):
    app = _app(f"sqlite:///{tmp_path / 'duban.db'}")
    try:
        with exclusive(app.engine, "sweep") as mine:
            assert mine
        assert app.sweep().written > 0
    finally:
        app.engine.dispose()
