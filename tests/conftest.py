"""Shared fixtures: a fresh store per test on SQLite, and on PostgreSQL where one is reachable."""

from __future__ import annotations

import gc
import os
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text

import storage.db
from storage.db import normalise_url, open_store
from tests.store_template import Templates

SH = ZoneInfo("Asia/Shanghai")
SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seed" / "000_06dbc8e77edbdaad.txt"
SAMPLE = Path(__file__).resolve().parents[1] / "bot" / "sample" / "sample_plan.txt"
PG_URL = os.environ.get("DUBAN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_reason() -> str | None:
    try:
        eng = create_engine(normalise_url(PG_URL), connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
    except Exception as exc:  # any failure to connect means: skip, and say why
        return f"PostgreSQL not reachable at {PG_URL} ({type(exc).__name__}); set DUBAN_TEST_PG_URL"
    return None


_PG_SKIP = _pg_reason()


@pytest.fixture(autouse=True)
def closure_mode(request, monkeypatch):
    """The suite was written for a lead's 已完成 closing its task, which `[supervision] closure = "self"` keeps;
    tests of 办结审核 are marked `review` and run under the default ("review"). The environment beats every
    Settings source, so this reaches configs built in tests, loaded from files and in child processes alike."""
    if request.node.get_closest_marker("review") is None:
        monkeypatch.setenv("DUBAN_SUPERVISION__CLOSURE", "self")


@pytest.fixture(autouse=True)
def thawed_heap():
    """A test that starts the service freezes the heap (bot.app.settle_heap, as `duban run` does); the next test in
    the same worker process must not inherit it, or its collector and freeze count depend on which ran before."""
    yield
    gc.unfreeze()


@pytest.fixture(scope="session", autouse=True)
def store_templates(tmp_path_factory):
    """Every empty store a test opens gets a copy of one migrated once this session (tests/store_template.py)."""
    templates = Templates(tmp_path_factory.mktemp("templates"), storage.db.migrate)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(storage.db, "migrate", templates.migrate)
        yield templates


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The real seed plan; the bundled sample is the same text when shared/ is absent."""
    return SEED if SEED.exists() else SAMPLE


@pytest.fixture
def pg_url():
    """A throwaway schema on the PostgreSQL server, dropped afterwards."""
    if _PG_SKIP:
        pytest.skip(_PG_SKIP)
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(normalise_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f"create schema {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"drop schema {schema} cascade"))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """Each store test runs on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'duban.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(store_url):
    eng = open_store(store_url)
    yield eng
    eng.dispose()


@pytest.fixture
def memory_engine():
    eng = open_store("sqlite://")
    yield eng
    eng.dispose()


@pytest.fixture
async def api():
    """A fake Telegram Bot API on loopback (tests/fake_bot_api.py), stopped afterwards."""
    from tests.fake_bot_api import FakeBotApi

    server = await FakeBotApi().start()
    yield server
    await server.stop()


def telegram_settings(api, db_url: str, **extra):
    """Settings for a duban whose Telegram channel talks to the fake Bot API `api`."""
    from bot.config import Settings

    return Settings(
        database={"url": db_url},
        app={"load_sample_plan": False},
        telegram={
            "token": api.token,
            "base_url": api.base_url,
            "base_file_url": api.base_file_url,
            "admins": extra.pop("admins", []),
        },
        **extra,
    )


@pytest.fixture
def cli(monkeypatch, capsys, tmp_path):
    """Run `duban ARGS…` in-process, as a user types it, against a SQLite store in tmp_path."""
    import sys

    from bot.cli import main

    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "duban.db"}"\n', encoding="utf-8")

    def run(*args: str, config_file=config):
        argv = ["duban", *args] + (["--config", str(config_file)] if config_file else [])
        monkeypatch.setattr(sys, "argv", argv)
        with pytest.raises(SystemExit) as exit_:
            main()
        out = capsys.readouterr()
        return exit_.value.code, out.out, out.err

    run.config = config
    return run


def load_scorer():
    """The shared plan scorer (../shared/tools/score_plan.py), or a skip that says where it was looked for."""
    import importlib.util

    path = SHARED / "tools" / "score_plan.py"
    if not path.exists():
        pytest.skip(f"shared/ not found beside the repo ({SHARED}); the scorer and fixtures live there")
    spec = importlib.util.spec_from_file_location("score_plan", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
