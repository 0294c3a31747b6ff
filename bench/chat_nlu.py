"""Per-message chat latency of plain-words questions (bot.chat.ask over bot.nlu), vocabulary cached.

    .venv/bin/python bench/chat_nlu.py [--tasks 1000] [--units 300] [--messages 300]

Imports a synthetic plan of 1,000 tasks and 300 units into an in-memory store, then times
ChatService.handle() per message (p50/p95/max) from an admin's private chat, next to two baselines in the
same process: the slash command /owns through the same service, and a bare repository query (a session,
the open plans, one unit's tasks). Not a test: prints figures from this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlu import messages, synthetic  # noqa: E402  (bench/nlu.py: the same synthetic plan and messages)

from bot.chat.events import ChatEvent  # noqa: E402
from bot.chat.service import ChatService  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.services import vocab as vocab_cache  # noqa: E402
from bot.services.importer import apply_plan  # noqa: E402
from bot.workdays import WorkCalendar  # noqa: E402
from storage import repo  # noqa: E402
from storage.db import open_store, session_scope  # noqa: E402

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 6, 10, 9, 30, tzinfo=SH)


def parsed_plan(n_tasks: int, n_units: int) -> tuple[dict, list[str]]:
    """The synthetic plan in the importer's shape, and the unit names."""
    units, tasks = synthetic(n_tasks, n_units)
    names = {u.id: u.name for u in units}
    rows = [{"ref": t.ref, "section": t.section, "title": t.title, "objective": t.objective, "measures": t.measures,
             "lead": [names[i] for i in t.lead_unit_ids], "co": [names[i] for i in t.co_unit_ids],
             "deadlines": [{"date": d.isoformat(), "text": f"{d.month}月{d.day}日前", "source": "extracted",
                            "certain": True, "kind": "once"} for d in t.deadlines], "warnings": []}
            for t in tasks]
    return {"plan": {"title": "2024年工作要点", "year": 2024}, "tasks": rows, "units": [], "warnings": []}, \
        [u.name for u in units]


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def _show(label: str, xs: list[float]) -> None:
    ms = [x * 1000 for x in xs]
    print(f"{label:<44} p50 {statistics.median(ms):7.2f} ms   p95 {_pct(ms, 0.95):7.2f} ms   max {max(ms):7.1f} ms"
          f"   (n={len(ms)})")


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=1000)
    ap.add_argument("--units", type=int, default=300)
    ap.add_argument("--messages", type=int, default=300)
    args = ap.parse_args()

    engine = open_store("sqlite://")
    plan, unit_names = parsed_plan(args.tasks, args.units)
    t0 = time.perf_counter()
    with session_scope(engine) as s:
        apply_plan(session=s, parsed=plan, now=NOW)
    print(f"store: {args.tasks} tasks, {args.units} units (import {time.perf_counter() - t0:.1f} s)")
    service = ChatService(engine=engine, settings=Settings(telegram={"admins": [1]}), calendar=WorkCalendar(),
                          clock=lambda: NOW)

    def event(text: str) -> ChatEvent:
        return ChatEvent(platform="telegram", chat_id="1", user_id="1", text=text, is_group=False)

    # Writes would refresh the cached states on every message; questions only here.
    from bot.nlu import UnitRecord
    units = [UnitRecord(i + 1, n) for i, n in enumerate(unit_names)]
    msgs = [m for m in messages(units, args.messages * 2) if "report" not in m and "推进 50%" not in m]
    msgs = msgs[: args.messages]

    vocab_cache.clear_cache()
    t0 = time.perf_counter()
    await service.handle(event("看板"))
    print(f"first message (builds the vocabulary): {time.perf_counter() - t0:.2f} s")

    times, empty, slowest = [], 0, []
    for m in msgs:
        t0 = time.perf_counter()
        out = await service.handle(event(m))
        times.append(time.perf_counter() - t0)
        slowest.append((times[-1], m))
        empty += not out or not out[0].text
    _show("plain words through ChatService (cached)", times)
    print("  slowest: " + "; ".join(f"{m} {t * 1000:.0f} ms" for t, m in sorted(slowest, reverse=True)[:5]))
    print(f"  vocabulary builds {vocab_cache.stats['builds']}, refreshes {vocab_cache.stats['refreshes']}, "
          f"updates {vocab_cache.stats['updates']}, "
          f"hits {vocab_cache.stats['hits']}; empty answers {empty}")

    rng = random.Random(3)
    slash = []
    for _ in range(min(100, len(msgs))):
        t0 = time.perf_counter()
        await service.handle(event(f"/owns {rng.choice(unit_names)}"))
        slash.append(time.perf_counter() - t0)
    _show("baseline: /owns 单位 through ChatService", slash)

    bare = []
    with session_scope(engine) as s:
        ids = {u.name: u.id for u in repo.units_by_name(session=s).values()}
    for _ in range(len(msgs)):
        t0 = time.perf_counter()
        with session_scope(engine) as s:
            repo.active_plans(session=s)
            repo.unit_task_rows(session=s, unit_id=ids[rng.choice(unit_names)])
        bare.append(time.perf_counter() - t0)
    _show("baseline: bare repo query (plans + unit tasks)", bare)


if __name__ == "__main__":
    asyncio.run(main())
