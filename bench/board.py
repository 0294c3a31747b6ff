"""The web board's office page at 300 and 30,000 tasks (run: .venv/bin/python bench/board.py [--repeat 3]).

Each store is one office on SQLite, built with bulk inserts: 300 tasks per plan (1 plan, or 100 plans), 40
units leading and supporting, deadlines spread so a quarter are overdue, a report on every third task within
the last eight weeks. duban's own HTTP server (aiohttp, the board mounted as `duban run` mounts it) serves
the office page to a leader's link and, beside it, a static file of the page's size. Measured per store:

- the day's first look as deployed: the sweep's tick has worked the office's board out (`App.prepare_boards`,
  timed apart: the work moved off the leader's wait), then a leader opens the link in a fresh process;
- the cold first look: the same with no board kept (the tick has not run yet today: the pass over every task);
- later requests (the board kept for the day and the store's change counters: what a second leader, or the
  same one reloading, costs), median of 30;
- the static file of the same size from the same server, median of 30.

Each measurement runs in a process of its own (so both stores pay the same start-up: imports, templates), the
two stores alternating, `--repeat` times. Server time is taken by a middleware around the handler; the round
trip over loopback is printed beside it. Prints each store's min / median and the ratios of each repeat's pair
(large / small; page / static) as min / median; nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from aiohttp import web  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.sweep import _copy  # noqa: E402
from bot.app import App  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.services.weblinks import Viewer, link_for  # noqa: E402
from storage.db import open_store, session_scope  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2021, 9, 15, 10, 0, tzinfo=SH)
PER_PLAN, UNITS, REPEAT = 300, 40, 30
LEADER = UNITS + 1


def build(url: str, n: int) -> None:
    """One office, n tasks in plans of PER_PLAN, with deadlines, owners and recent reports."""
    engine = open_store(url)
    at = datetime(2021, 3, 1, tzinfo=UTC)
    plans = max(n // PER_PLAN, 1)
    with engine.begin() as conn:
        _copy(conn, "office", ["id", "name", "created_at"], [(1, "县应急管理局", at)])
        _copy(conn, "plan", ["id", "office_id", "title", "year", "period_start", "period_end", "short_name",
                             "source_name", "content_hash", "active", "imported_at"],
              [(p, 1, f"2021年第{p}号督办计划", 2021, 2021, 2021, f"计划{p}", "bench", f"h{p}", 1, at)
               for p in range(1, plans + 1)])
        _copy(conn, "unit", ["id", "office_id", "name", "created_at", "kind"],
              [(u, 1, f"单位{u}", at, "unit") for u in range(1, UNITS + 1)] + [(LEADER, 1, "张副局长", at, "leader")])

        def reported(i: int) -> datetime | None:
            return NOW - timedelta(days=(i * 7) % 56, hours=1) if i % 3 == 0 else None

        _copy(conn, "task", ["id", "plan_id", "ref", "position", "title", "objective", "measures", "removed",
                             "created_at", "updated_at", "done", "last_report_at", "last_status"],
              ((i + 1, i // PER_PLAN + 1, str(i % PER_PLAN + 1), i % PER_PLAN, f"任务{i + 1}", "", "", 0, at, at,
                int(i % 11 == 0), reported(i), "in_progress" if reported(i) else None) for i in range(n)))
        _copy(conn, "taskunit", ["task_id", "unit_id", "role", "position", "written_as"],
              [r for i in range(n) for r in ((i + 1, i % UNITS + 1, "lead", 0, ""),
                                             (i + 1, (i + 7) % UNITS + 1, "co", 1, ""))])
        _copy(conn, "deadline", ["id", "task_id", "due_date", "text", "label", "source", "kind", "certain",
                                 "confirmed", "active", "created_at"],
              ((i + 1, i + 1, (d := date(2021, 8, 1) + timedelta(days=i % 150)), f"{d.month}月{d.day}日前", "",
                "extracted", "once", 1, 0, 1, at) for i in range(n)))
        _copy(conn, "statusreport", ["task_id", "unit_id", "status", "percent", "note", "reporter", "created_at"],
              ((i + 1, i % UNITS + 1, "in_progress", 50, "推进中", "bench", reported(i))
               for i in range(n) if reported(i)))
        conn.execute(text("ANALYZE"))
    engine.dispose()


async def measure(url: str, n: int, *, cold: bool) -> dict:
    """One fresh process's look at the store: the tick's work (unless `cold`), the first look, later looks."""
    engine = open_store(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM boardsnapshot"))  # no board kept: as before the day's first tick
    engine.dispose()
    settings = Settings(database={"url": url}, app={"load_sample_plan": False},
                        web={"enabled": True, "base_url": "http://127.0.0.1"})
    app = App(settings, clock=lambda: NOW)
    spent: list[float] = []

    @web.middleware
    async def timing(request, handler):
        t0 = time.perf_counter()
        answer = await handler(request)
        spent.append(time.perf_counter() - t0)
        return answer

    http = web.Application(middlewares=[timing])
    app.mount_web(http)
    static = Path(tempfile.mkdtemp()) / "same-size.html"
    http.router.add_get("/same-size.html", lambda _r: web.FileResponse(static))
    runner = web.AppRunner(http)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    with session_scope(app.engine) as s:
        link, _ = link_for(session=s, viewer=Viewer("leader", LEADER, "张副局长", 1), now=NOW,
                           base_url=f"http://127.0.0.1:{port}", days=7)
    out: dict = {"n": n, "cold": cold}
    if not cold:
        t0 = time.perf_counter()
        assert app.prepare_boards() == 1
        out["tick"] = time.perf_counter() - t0
    async with httpx.AsyncClient(timeout=None) as client:
        t0 = time.perf_counter()
        first = await client.get(link)
        out["first_trip"], out["first"] = time.perf_counter() - t0, spent[-1]
        assert first.status_code == 200, first.text[:500]
        static.write_bytes(first.content)
        out["bytes"] = len(first.content)
        for name, target in (("page", link), ("static", f"http://127.0.0.1:{port}/same-size.html")):
            trips, server = [], []
            for _ in range(REPEAT):
                t0 = time.perf_counter()
                answer = await client.get(target)
                trips.append(time.perf_counter() - t0)
                server.append(spent[-1])
                assert answer.status_code == 200
            out[name], out[f"{name}_trip"] = statistics.median(server), statistics.median(trips)
    await runner.cleanup()
    app.close()
    return out


def _spread(values: list[float], scale: float = 1.0, unit: str = "") -> str:
    return f"{min(values) * scale:.{1 if scale > 1 else 2}f} / {statistics.median(values) * scale:.{1 if scale > 1 else 2}f}{unit}"


def _one(url: str, n: int, cold: bool) -> dict:
    args = [sys.executable, __file__, "--measure", url, "--size", str(n)] + (["--cold"] if cold else [])
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout.splitlines()[-1])


def report(runs: dict[tuple[int, bool], list[dict]], small: int, large: int) -> None:
    """Each store's figures (min / median over the repeats) and the ratios of each repeat's pair."""
    ms = 1000
    for n in (small, large):
        warm, cold = runs[(n, False)], runs[(n, True)]
        print(f"{n:>6} tasks, page {warm[0]['bytes'] / 1024:.0f} KB (min / median of {len(warm)}): "
              f"tick's work {_spread([r['tick'] for r in warm], ms, ' ms')}; "
              f"first look after it {_spread([r['first'] for r in warm], ms, ' ms')} "
              f"(trip {_spread([r['first_trip'] for r in warm], ms, ' ms')}); "
              f"cold first look {_spread([r['first'] for r in cold], ms, ' ms')}; "
              f"later page trip {_spread([r['page_trip'] for r in warm], ms, ' ms')}; "
              f"static trip {_spread([r['static_trip'] for r in warm], ms, ' ms')}; "
              f"page / static (trips) {_spread([r['page_trip'] / r['static_trip'] for r in warm], unit='×')}")

    def pair(key: str, cold: bool = False) -> str:
        return _spread([b[key] / a[key] for a, b in zip(runs[(small, cold)], runs[(large, cold)], strict=True)],
                       unit="×")
    print(f"large / small (min / median): first look after the tick {pair('first')} (trips {pair('first_trip')}); "
          f"cold first look {pair('first', True)}; later page trips {pair('page_trip')}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=300)
    parser.add_argument("--large", type=int, default=30000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # a child process: one measurement of this store
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cold", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.measure, args.size, cold=args.cold))))
        return
    runs: dict[tuple[int, bool], list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        urls = {}
        for n in (args.small, args.large):
            urls[n] = f"sqlite:///{Path(tmp) / f'board{n}.db'}"
            t0 = time.perf_counter()
            build(urls[n], n)
            print(f"built {n} tasks in {time.perf_counter() - t0:.1f} s", flush=True)
        for _ in range(args.repeat):
            for cold in (False, True):
                for n in (args.small, args.large):
                    runs.setdefault((n, cold), []).append(_one(urls[n], n, cold))
    report(runs, args.small, args.large)


if __name__ == "__main__":
    main()
