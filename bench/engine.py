"""Speed figures for the importer and the reminder engine (run: .venv/bin/python bench/engine.py).

Prints wall-clock figures from this machine; nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.config import Settings
from bot.heap import Heap
from bot.notify import Notifier, SendResult, SendStatus
from bot.plan import parse_file
from bot.services.binding import bind_directly
from bot.services.importer import apply_plan
from bot.workdays import WorkCalendar
from jobs.dispatch import dispatch_outbox
from jobs.simulate import simulate
from jobs.sweep import sweep_due
from storage.db import open_store, session_scope
from storage.models import Unit

SEED = Path(__file__).resolve().parents[1] / "bot" / "sample" / "sample_plan.txt"
SH = ZoneInfo("Asia/Shanghai")
HEAP = Heap()  # the collector control bot.app.HEAP is, without importing the channels the root builds


class NullSender:
    platform = "console"

    async def send(self, recipient, message):
        return SendResult(SendStatus.SENT, message_id="1")


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def scaled_plan(parsed: dict, copies: int) -> dict:
    """The seed repeated `copies` times with distinct refs, for a plan of 26×copies tasks."""
    tasks = []
    for c in range(copies):
        for t in parsed["tasks"]:
            tasks.append({**t, "ref": f"{c + 1}.{t['ref']}" if copies > 1 else t["ref"]})
    return {**parsed, "tasks": tasks}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="sqlite://", help="store URL (default: in-memory SQLite)")
    ap.add_argument("--copies", type=int, default=10, help="seed copies in the scaled plan")
    ap.add_argument("--chats", type=int, default=5, help="bound chats per unit")
    args = ap.parse_args()
    settings = Settings()

    t_parse, parsed = timed(lambda: parse_file(SEED).to_dict(), 5)
    print(f"parse seed (26 tasks, {SEED.stat().st_size // 1024} KiB): {t_parse * 1000:.1f} ms (median of 5)")

    big = scaled_plan(parsed, args.copies)
    url, cleanup = scratch_store(args.url)
    engine = open_store(url)
    now = datetime(2021, 12, 31, 9, 30, tzinfo=SH)  # the default year-end deadline: every unit is owed something
    t0 = time.perf_counter()
    with session_scope(engine) as s:
        apply_plan(session=s, parsed=big, now=now)
    print(f"import {len(big['tasks'])} tasks: {(time.perf_counter() - t0) * 1000:.0f} ms")
    with session_scope(engine) as s:
        units = [u.name for u in s.exec(select(Unit)).all()]
        for i, name in enumerate(units):
            for c in range(args.chats):
                bind_directly(session=s, unit_name=name, platform="console", address=f"u{i}.{c}", now=now, actor="bench")
    cal = WorkCalendar()
    t0 = time.perf_counter()
    with HEAP.quiet(), session_scope(engine) as s:  # as the root runs it (bot.app.App.sweep)
        result = sweep_due(session=s, now=now, settings=settings, calendar=cal)
    t_sweep = time.perf_counter() - t0
    print(f"sweep on {now.date()} ({len(big['tasks'])} tasks, {len(units)} units × {args.chats} chats): "
          f"{t_sweep * 1000:.0f} ms, "
          f"{result.written} outbox rows")
    t0 = time.perf_counter()
    with HEAP.calm():  # as the root runs it (bot.app.App.dispatch)
        stats = asyncio.run(dispatch_outbox(engine=engine, notifier=Notifier([NullSender()]), clock=lambda: now,
                                            limit=10_000))
    t_disp = time.perf_counter() - t0
    rate = stats.sent / t_disp if t_disp else 0
    print(f"dispatch {stats.sent} rows through a no-op sender: {t_disp * 1000:.0f} ms ({rate:.0f} rows/s)")
    t_sim, sim = timed(lambda: simulate(parsed, start=date(2021, 1, 1), end=date(2021, 12, 31), settings=settings), 3)
    print(f"simulate seed over 2021: {t_sim * 1000:.0f} ms (median of 3), {len(sim['reminders'])} reminders")
    engine.dispose()
    cleanup()


def scratch_store(url: str):
    """PostgreSQL runs in a throwaway schema so the benchmark leaves the database as it found it."""
    if not url.startswith("postgres"):
        return url, lambda: None
    from sqlalchemy import create_engine, text

    from storage.db import normalise_url

    schema = f"bench_{int(time.time())}"
    admin = create_engine(normalise_url(url))
    with admin.begin() as conn:
        conn.execute(text(f"create schema {schema}"))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f"drop schema {schema} cascade"))
        admin.dispose()

    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}", drop


if __name__ == "__main__":
    main()
