"""Dispatch throughput through a no-op sender (run: .venv/bin/python bench/dispatch.py [--pg URL]).

Prints rows/s for one worker on SQLite and on PostgreSQL, and for 3 worker processes on PostgreSQL
against one, with the number of rows sent twice. Figures, not pass/fail: min / median over --repeat runs.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from bench.engine import scratch_store  # noqa: E402
from bot.notify import Notifier, OutboundMessage, SendResult, SendStatus, to_payload  # noqa: E402
from jobs.dispatch import dispatch_outbox  # noqa: E402
from storage.db import open_store, session_scope  # noqa: E402
from storage.models import Outbox  # noqa: E402

NOW = datetime(2021, 8, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


class NullSender:
    platform = "console"

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, recipient, message):
        self.sent.append(recipient.address)
        return SendResult(SendStatus.SENT, message_id="1")


def fill(engine, n: int) -> None:
    payload = to_payload(OutboundMessage(text="【督办提醒】第12项「安全生产检查」还有 3 个工作日到期。"))
    with session_scope(engine) as s:
        s.execute(insert(Outbox), [{"key": f"k{i}", "recipient": f"console:u{i}", "kind": "due", "occurrence": "d",
                                    "payload": payload, "state": "pending", "attempts": 0, "created_at": NOW,
                                    "next_attempt_at": NOW, "error": "", "parts_sent": 0} for i in range(n)])


def _worker(url: str, barrier, out) -> None:
    engine = open_store(url)
    sender = NullSender()
    barrier.wait()
    t0 = time.perf_counter()
    asyncio.run(dispatch_outbox(engine=engine, notifier=Notifier([sender]), clock=lambda: NOW))
    out.put((t0, time.perf_counter(), sender.sent))
    engine.dispose()


def one_run(url: str, rows: int, workers: int) -> tuple[float, int]:
    """(rows/s, duplicates) for `workers` processes draining `rows` rows from a fresh store at `url`."""
    scratch, drop = scratch_store(url) if url.startswith("postgres") else (url, lambda: None)
    engine = open_store(scratch)
    fill(engine, rows)
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(scratch, barrier, out)) for _ in range(workers)]
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    start, end = min(r[0] for r in results), max(r[1] for r in results)
    counts = Counter(a for r in results for a in r[2])
    assert len(counts) == rows, f"{rows - len(counts)} rows not sent"
    engine.dispose()
    drop()
    return rows / (end - start), sum(c - 1 for c in counts.values())


def report(label: str, runs: list[tuple[float, int]]) -> float:
    rates = [r for r, _ in runs]
    dups = sum(d for _, d in runs)
    print(f"{label}: min {min(rates):,.0f} rows/s, median {statistics.median(rates):,.0f} rows/s "
          f"({len(runs)} runs), duplicates {dups}")
    return statistics.median(rates)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test", help="PostgreSQL URL ('' to skip)")
    ap.add_argument("--rows", type=int, default=12_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = []
        for i in range(args.repeat):
            runs.append(one_run(f"sqlite:///{tmp}/b{i}.db", args.rows, 1))
        report(f"SQLite file, 1 worker, {args.rows} rows", runs)
    if not args.pg:
        return
    one = report(f"PostgreSQL, 1 worker, {args.rows} rows", [one_run(args.pg, args.rows, 1) for _ in range(args.repeat)])
    three = report(f"PostgreSQL, 3 workers, {args.rows} rows",
                   [one_run(args.pg, args.rows, 3) for _ in range(args.repeat)])
    print(f"3 workers / 1 worker on PostgreSQL: {three / one:.2f}x")


if __name__ == "__main__":
    main()
