"""The sweep at scale (run: .venv/bin/python bench/sweep.py [--url URL] [--sizes 10000,100000,1000000]).

For each size, a store of N live tasks (one plan, 1,000 units each bound to a chat) is built with bulk
inserts (executemany on SQLite, COPY on PostgreSQL), its schedule included, not through the importer.
500 tasks fall due on the sweep day; every other deadline lies weeks ahead; each deadline is worded its own way,
as in a real plan. Then, on the same store:

- one sweep (jobs.sweep.sweep_due) writing the 500 reminders, repeated (the outbox and the day's
  `swept_on` marks are reset in between), min / median;
- the floor: a hand-written join selecting the same 500 due rows and one INSERT … ON CONFLICT of 500 outbox
  rows (rolled back), min / median;
- peak RSS of the measuring process (the store is built in a child process);
- with --restart: the first sweep after two weeks down, with ~20k reminders owed over those days.

Prints figures; nothing here is a pass/fail test. A size whose build exceeds --build-limit seconds is
skipped with a note.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.heap import Heap  # noqa: E402
from bot.reminders.policy import DeadlineView, TaskView, next_days  # noqa: E402
from bot.reminders.schedule import week_start  # noqa: E402
from bot.workdays import WorkCalendar  # noqa: E402
from jobs.sweep import sweep_due  # noqa: E402
from storage.db import make_engine, open_store, session_scope  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
HEAP = Heap()  # the collector control bot.app.HEAP is, without importing the channels the root builds
TODAY = date(2021, 9, 15)  # a Wednesday
NOW = datetime(2021, 9, 15, 9, 30, tzinfo=SH)
UNITS = 1000
DUE = 500
SUPERVISOR = UNITS + 1
SCHEMA = "bench_sweep"
OWED = 20000  # tasks whose deadline fell in the outage (restart case)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _deadline_of(i: int, n: int) -> date:
    """Task i's deadline: the first DUE fall due today, the rest spread from October 2021 to December 2022."""
    if i < DUE:
        return TODAY
    return date(2021, 10, 11) + timedelta(days=(i * 7919) % 430)


def _templates(n: int, settings: Settings, calendar: WorkCalendar) -> dict[date, dict]:
    """The series of a lead-only task per distinct deadline date, worked out by the policy (unit 1)."""
    out = {}
    monday = week_start(TODAY)
    for d in sorted({_deadline_of(i, n) for i in range(min(n, DUE + 430 * 3))}):
        view = TaskView(1, "1", "t", 2021, [1], [], [DeadlineView(1, d, "x", "extracted")], period_end=2022)
        out[d] = next_days(view, monday, calendar=calendar, policy=settings.reminders, supervisors=[SUPERVISOR],
                           grace_days=settings.reminders.ended_plan_grace_days)
    return out


def _copy(conn, table: str, cols: list[str], rows) -> None:
    """COPY rows into a PostgreSQL table (psycopg 3), or executemany on SQLite."""
    raw = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)
        return
    cur = raw.cursor()
    batch = []
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    for r in rows:
        batch.append(tuple(x.isoformat(" ") if isinstance(x, datetime) else x.isoformat() if isinstance(x, date)
                           else x for x in r))
        if len(batch) >= 50000:
            cur.executemany(sql, batch)
            batch = []
    if batch:
        cur.executemany(sql, batch)


def build(url: str, n: int) -> None:
    settings, calendar = Settings(), WorkCalendar()
    engine = open_store(url)
    t = _templates(n, settings, calendar)
    at = datetime(2021, 9, 1, tzinfo=UTC)
    with engine.begin() as conn:
        sqlite = conn.dialect.name == "sqlite"
        b = (lambda v: int(v)) if sqlite else (lambda v: v)
        _copy(conn, "office", ["id", "name", "created_at"], [(1, "县教育局", at)])
        _copy(conn, "plan", ["id", "office_id", "title", "year", "period_start", "period_end", "short_name",
                             "source_name", "content_hash", "active", "imported_at"],
              [(1, 1, "2021—2022年工作要点", 2021, 2021, 2022, "工作要点", "bench", "x", b(True), at)])
        _copy(conn, "unit", ["id", "office_id", "name", "created_at"],
              [(u, 1, f"单位{u}" if u != SUPERVISOR else "督导室", at) for u in range(1, UNITS + 2)])
        _copy(conn, "chatidentity", ["platform", "address", "user_id", "unit_id", "is_group", "active", "created_at"],
              [("console", f"u{u}", "", u, b(False), b(True), at) for u in range(1, UNITS + 2)])
        _copy(conn, "task", ["id", "plan_id", "ref", "position", "title", "objective", "measures", "removed",
                             "created_at", "updated_at", "done"],
              ((i + 1, 1, str(i + 1), i, f"任务{i + 1}", "", "", b(False), at, at, b(False)) for i in range(n)))
        _copy(conn, "taskunit", ["task_id", "unit_id", "role", "position", "written_as"],
              ((i + 1, i % UNITS + 1, "lead", 0, "") for i in range(n)))
        _copy(conn, "deadline", ["id", "task_id", "due_date", "text", "label", "source", "kind", "certain",
                                 "confirmed", "active", "created_at"],
              ((i + 1, i + 1, (d := _deadline_of(i, n)), f"第{i + 1}项{d.month}月{d.day}日前完成", "", "extracted",
                "once", b(True), b(False), b(True), at) for i in range(n)))

        def series():
            for i in range(n):
                for (_dl, unit, role, kind), day in t[_deadline_of(i, n)].items():
                    yield (i + 1, i + 1, i % UNITS + 1 if unit == 1 else unit, role, kind, day)

        _copy(conn, "reminderseries", ["task_id", "deadline_id", "unit_id", "role", "kind", "next_due"], series())
        if conn.dialect.name == "postgresql":
            for table in ("office", "plan", "unit", "chatidentity", "task", "taskunit", "deadline"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
    engine.dispose()


def _reset(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM outbox"))
        conn.execute(text("DELETE FROM jobstate WHERE name = 'sweep.last_day'"))
        conn.execute(text("UPDATE reminderseries SET swept_on = NULL WHERE swept_on IS NOT NULL"))


def _sweep(engine, settings, calendar, now=NOW):
    with HEAP.quiet(), session_scope(engine) as s:  # as the root runs it (bot.app.App.sweep)
        return sweep_due(session=s, now=now, settings=settings, calendar=calendar)


FLOOR = """SELECT s.task_id, s.unit_id, s.deadline_id, t.ref, t.title, d.due_date, d.text, c.platform, c.address
FROM reminderseries s JOIN task t ON t.id = s.task_id JOIN plan p ON p.id = t.plan_id
JOIN deadline d ON d.id = s.deadline_id JOIN chatidentity c ON c.unit_id = s.unit_id AND c.active
WHERE s.next_due <= :today AND s.kind = 'ladder' AND p.active AND NOT t.removed LIMIT 500"""


def _floor(engine) -> int:
    from storage.outbox import insert_new

    with session_scope(engine) as s:
        got = s.execute(text(FLOOR), {"today": TODAY}).all()
        rows = [{"key": f"floor|{r.task_id}|{r.platform}:{r.address}", "task_id": r.task_id,
                 "deadline_id": r.deadline_id, "unit_id": r.unit_id, "recipient": f"{r.platform}:{r.address}",
                 "kind": "due", "occurrence": TODAY.isoformat(), "payload": f"第{r.ref}项 {r.title} {r.text}",
                 "state": "pending", "attempts": 0, "error": "", "parts_sent": 0, "created_at": NOW,
                 "next_attempt_at": NOW} for r in got]
        n = insert_new(session=s, rows=rows)
        s.rollback()
    return n


def _stats(xs: list[float]) -> str:
    return f"min {min(xs) * 1000:,.0f} ms, median {statistics.median(xs) * 1000:,.0f} ms"


def measure(url: str, n: int, repeat: int, restart: bool) -> dict:
    settings, calendar = Settings(), WorkCalendar()
    engine = make_engine(url)
    sweeps, floors, written = [], [], 0
    for _ in range(repeat):
        _reset(engine)
        t0 = time.perf_counter()
        written = _sweep(engine, settings, calendar).written
        sweeps.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        _floor(engine)
        floors.append(time.perf_counter() - t0)
    out = {"n": n, "written": written, "sweep": sweeps, "floor": floors, "rss": _rss_mb()}
    if restart:
        out["restart"] = (*_restart(engine, settings, calendar), _rss_mb())
    engine.dispose()
    return out


def _child_measure(url: str, n: int, repeat: int, restart: bool, q) -> None:
    q.put(measure(url, n, repeat, restart))


def _restart(engine, settings, calendar) -> tuple[float, int, int]:
    """Two weeks down: the last sweep was two weeks before; ~20k owed over the last ten working days."""
    _reset(engine)
    back = calendar.add_workdays(TODAY, -10)
    with engine.begin() as conn:
        # 20k tasks whose deadline fell in the outage: their series were last worked out before it.
        conn.execute(text("UPDATE deadline SET due_date = :d WHERE id > :a AND id <= :b"),
                     {"d": calendar.add_workdays(TODAY, -4), "a": DUE, "b": DUE + OWED})
        conn.execute(text("UPDATE reminderseries SET next_due = :d WHERE task_id > :a AND task_id <= :b"),
                     {"d": week_start(back), "a": DUE, "b": DUE + OWED})
        conn.execute(text("INSERT INTO jobstate (name, value, updated_at) VALUES ('sweep.last_day', :v, :t)"),
                     {"v": (TODAY - timedelta(days=14)).isoformat(), "t": NOW})
    t0 = time.perf_counter()
    first = _sweep(engine, settings, calendar)
    took = time.perf_counter() - t0
    again = _sweep(engine, settings, calendar, NOW + timedelta(minutes=10)).written
    return took, first.written, again


def _child_build(url: str, n: int, q) -> None:
    t0 = time.perf_counter()
    build(url, n)
    q.put(time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="", help="a PostgreSQL URL; the bench uses (and drops) its schema "
                    f"{SCHEMA} there (default: a SQLite file in a temp dir)")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--build-limit", type=float, default=600, help="seconds a build may take")
    ap.add_argument("--restart", action="store_true", help="also time the first sweep after two weeks down")
    args = ap.parse_args()
    results = []
    for n in [int(x) for x in args.sizes.split(",")]:
        tmp = tempfile.mkdtemp(prefix="duban-bench-")
        url = f"sqlite:///{tmp}/bench.db"
        if args.url:  # a schema of its own, dropped and made afresh for each size
            with make_engine(args.url).begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))
            url = f"{args.url}{'&' if '?' in args.url else '?'}options=-csearch_path%3D{SCHEMA}"
        q = multiprocessing.get_context("fork").Queue()
        p = multiprocessing.get_context("fork").Process(target=_child_build, args=(url, n, q))
        p.start()
        p.join(args.build_limit)
        if p.is_alive():
            p.kill()
            print(f"{n:>9,} tasks: skipped, building the store took over {args.build_limit:.0f} s")
            continue
        built = q.get()
        p = multiprocessing.get_context("fork").Process(target=_child_measure,
                                                         args=(url, n, args.repeat, args.restart, q))
        p.start()  # its own process, so its peak RSS is this size's alone
        r = q.get()
        p.join()
        results.append(r)
        print(f"{n:>9,} tasks (built in {built:,.0f} s): sweep of {r['written']} rows {_stats(r['sweep'])}; "
              f"floor {_stats(r['floor'])}; ratio {statistics.median(r['sweep']) / statistics.median(r['floor']):.1f}; "
              f"peak RSS {r['rss']:,.0f} MB", flush=True)
        if "restart" in r:
            took, first, again, rss = r["restart"]
            print(f"{'':>9}  restart after two weeks down ({OWED:,} tasks owing): first sweep {took * 1000:,.0f} ms, "
                  f"{first} rows; the next sweep writes {again}; peak RSS {rss:,.0f} MB", flush=True)
        if args.url:
            with make_engine(args.url).begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        for f in Path(tmp).glob("*"):
            os.remove(f)
    if len(results) > 1:
        a, b = results[-2], results[-1]
        print(f"t({b['n']:,})/t({a['n']:,}) = {statistics.median(b['sweep']) / statistics.median(a['sweep']):.2f}")


if __name__ == "__main__":
    io.DEFAULT_BUFFER_SIZE = 1 << 16
    main()
