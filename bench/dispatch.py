"""Dispatch throughput through a no-op sender (run: .venv/bin/python bench/dispatch.py [--pg URL]).

Prints rows/s for one worker on SQLite and on PostgreSQL, and for 3 worker processes on PostgreSQL
against one, with the number of rows sent twice. Figures, not pass/fail: min / median over --repeat runs.

It also prints where the CPU goes: the workers' own (Python) CPU and, when the PostgreSQL server runs on
this machine, its backends' CPU for the workers' connections (read from /proc), per 1,000 rows. With
those, the most N cores can carry is N / (CPU per row), whatever the number of workers: the line
"ceiling on N cores" says how far 3 workers could outrun one here. The load average shows what else
was running.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text  # noqa: E402

from bench.engine import scratch_store  # noqa: E402
from bot.app import settle_heap  # noqa: E402
from bot.notify import Notifier, OutboundMessage, SendResult, SendStatus, to_payload  # noqa: E402  # noqa: E402
from jobs.dispatch import dispatch_outbox  # noqa: E402
from storage.db import (
    open_store,  # noqa: E402
    session_scope,  # noqa: E402
)
from storage.models import Outbox  # noqa: E402

NOW = datetime(2021, 8, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def fill_outbox(engine, n: int, *, now: datetime, text: str = "提醒", **values) -> None:
    """`n` pending outbox rows to n console chats, in one statement; `values` override columns."""
    payload = to_payload(OutboundMessage(text=text))
    with session_scope(engine) as s:
        s.execute(insert(Outbox), [{"key": f"k{i}", "recipient": f"console:u{i}", "kind": "notice", "occurrence": "d",
                                    "payload": payload, "state": "pending", "attempts": 0, "created_at": now,
                                    "next_attempt_at": now, "error": "", "parts_sent": 0, **values}
                                   for i in range(n)])


class NullSender:
    platform = "console"

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, recipient, message):
        self.sent.append(recipient.address)
        return SendResult(SendStatus.SENT, message_id="1")


def fill(engine, n: int) -> None:
    fill_outbox(engine, n, now=NOW, text="【督办提醒】第12项「安全生产检查」还有 3 个工作日到期。", kind="due")


def _backend_cpu(engine, name: str) -> float | None:
    """CPU seconds used so far by the PostgreSQL backends serving connections named `name` (local server)."""
    if engine.dialect.name != "postgresql":
        return None
    try:
        with engine.connect() as conn:
            pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE application_name = :n"),
                                {"n": name}).scalars().all()
        total = 0.0
        for pid in pids:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total
    except (OSError, ValueError, IndexError):  # a remote server, or /proc not readable
        return None


def _worker(url: str, barrier, out) -> None:
    name = f"bench_dispatch_{os.getpid()}"
    if url.startswith("postgres"):
        url = f"{url}{'&' if '?' in url else '?'}application_name={name}"
    engine = open_store(url)
    sender = NullSender()
    pg0 = _backend_cpu(engine, name)
    settle_heap()  # as `duban worker` does once started
    barrier.wait()
    t0, c0 = time.perf_counter(), time.process_time()
    asyncio.run(dispatch_outbox(engine=engine, notifier=Notifier([sender]), clock=lambda: NOW))
    t1, cpu = time.perf_counter(), time.process_time() - c0
    pg1 = _backend_cpu(engine, name)
    pg = pg1 - pg0 if pg0 is not None and pg1 is not None else None
    out.put((t0, t1, sender.sent, cpu, pg))
    engine.dispose()


@dataclass
class Run:
    rate: float  # rows/s
    duplicates: int
    wall: float  # seconds
    python_cpu: float  # seconds, all workers (their threads included)
    pg_cpu: float | None  # seconds, the workers' PostgreSQL backends (None: not measurable)


def one_run(url: str, rows: int, workers: int) -> Run:
    """rows/s, duplicates and CPU for `workers` processes draining `rows` rows from a fresh store at `url`."""
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
    pg = [r[4] for r in results]
    return Run(rows / (end - start), sum(c - 1 for c in counts.values()), end - start, sum(r[3] for r in results),
               None if None in pg else sum(pg))


def report(label: str, runs: list[Run], rows: int) -> float:
    rates = [r.rate for r in runs]
    dups = sum(r.duplicates for r in runs)
    print(f"{label}: min {min(rates):,.0f} rows/s, median {statistics.median(rates):,.0f} rows/s "
          f"({len(runs)} runs), duplicates {dups}")
    py = statistics.median(r.python_cpu for r in runs) * 1000 / rows * 1000
    line = f"  CPU per 1,000 rows (median): python {py:.0f} ms"
    if all(r.pg_cpu is not None for r in runs):
        pg = statistics.median(r.pg_cpu for r in runs) * 1000 / rows * 1000
        busy = statistics.median((r.python_cpu + r.pg_cpu) / r.wall for r in runs)
        line += f", postgres {pg:.0f} ms; python + postgres busy {busy:.2f} cores over the run"
    print(line)
    return statistics.median(rates)


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test", help="PostgreSQL URL ('' to skip)")
    ap.add_argument("--rows", type=int, default=12_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"{cores()} cores, load average {os.getloadavg()[0]:.2f} at start")
    with tempfile.TemporaryDirectory() as tmp:
        runs = []
        for i in range(args.repeat):
            runs.append(one_run(f"sqlite:///{tmp}/b{i}.db", args.rows, 1))
        report(f"SQLite file, 1 worker, {args.rows} rows", runs, args.rows)
    if not args.pg:
        return
    singles = [one_run(args.pg, args.rows, 1) for _ in range(args.repeat)]
    one = report(f"PostgreSQL, 1 worker, {args.rows} rows", singles, args.rows)
    three = report(f"PostgreSQL, 3 workers, {args.rows} rows",
                   [one_run(args.pg, args.rows, 3) for _ in range(args.repeat)], args.rows)
    print(f"3 workers / 1 worker on PostgreSQL: {three / one:.2f}x")
    if all(r.pg_cpu is not None for r in singles):
        # However many workers, the machine's cores bound the rows/s at cores / (CPU per row).
        per_row = statistics.median((r.python_cpu + r.pg_cpu) / args.rows for r in singles)
        print(f"  ceiling on {cores()} cores at one worker's CPU per row: {cores() / per_row:,.0f} rows/s "
              f"= {cores() / per_row / one:.2f}x one worker (an idle machine; others' load lowers it)")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")

if __name__ == "__main__":
    main()
