"""Migration 0003 on a store written by the previous schema: nothing sent is re-sent, every row survives."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import column, insert, table
from sqlmodel import select

from bot.notify import Notifier
from jobs.dispatch import dispatch_outbox, recover_interrupted
from storage.db import MIGRATIONS, make_engine, migrate, session_scope
from storage.models import Outbox
from storage.types import AwareDateTime
from tests.helpers import RecordingSender, at

NOW = at(2021, 8, 23)


def upgrade_to(engine, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade_to(engine, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


async def test_upgrade_from_0002_keeps_rows_and_resends_nothing(store_url):
    engine = make_engine(store_url)
    upgrade_to(engine, "0002")
    # The 0002 outbox table, typed as that release wrote it (no lease columns yet).
    old = table("outbox", *(column(c) for c in ("id", "key", "recipient", "kind", "occurrence", "payload", "state",
                                                 "attempts", "error")),
                *(column(c, AwareDateTime()) for c in ("created_at", "next_attempt_at", "last_attempt_at", "sent_at")))
    with engine.begin() as conn:
        conn.execute(insert(old), [
            {"id": i, "key": f"k{i}", "recipient": f"console:u{i}", "kind": "due", "occurrence": "2021-08-23",
             "payload": '{"text": "提醒"}', "state": state, "attempts": 0 if state == "pending" else 1, "error": "",
             "created_at": NOW, "next_attempt_at": NOW, "last_attempt_at": NOW,
             "sent_at": NOW if state == "sent" else None}
            for i, state in enumerate(["sent", "pending", "sending"], start=1)])
    migrate(engine)  # to head
    with session_scope(engine) as s:
        rows = s.exec(select(Outbox).order_by(Outbox.id)).all()
        assert [(r.state, r.parts_sent, r.claimed_by) for r in rows] == [("sent", 0, None), ("pending", 0, None),
                                                                         ("sending", 0, None)]
        assert rows[2].request_started_at is not None and rows[2].lease_until is None
        # The previous release's in-flight row may have gone out: it becomes "delivery unknown".
        assert recover_interrupted(session=s, now=NOW) == 1
    sender = RecordingSender()
    stats = await dispatch_outbox(engine=engine, notifier=Notifier([sender]), clock=lambda: NOW)
    assert stats.sent == 1 and [r.address for r, _ in sender.sent] == ["u2"]
    with session_scope(engine) as s:
        assert [r.state for r in s.exec(select(Outbox).order_by(Outbox.id)).all()] == ["sent", "sent", "unknown"]
    engine.dispose()
