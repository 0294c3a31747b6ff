"""Chat path: duban's Telegram channel vs a bare python-telegram-bot echo bot, on the same fake Bot API.

Both poll one loopback fake (fakes/bot_api.py), both with concurrent updates. We inject the same
messages and time each from the moment its update is queued to the moment its answer reaches the fake.
  - throughput: a burst of N messages, answered per second;
  - latency: messages injected at a steady rate (default 50/s), p50/p95.
duban answers from a SQLite file store holding the seed plan, every sending chat bound to a unit.

The fake does not enforce Telegram's flood limits and the bare echo bot ignores them; duban paces its
replies to them (30/s overall), as any real bot must. So a third bot, "echo+limits", echoes through
duban's Telegram sender: the best any bot can do under the limits. The ratios are printed raw and
limit-normalised. A fourth, "duban-nolim", is duban with the limits lifted (here only; never in a real run):
what its own work per update would allow, unpaced like the bare echo bot.

    .venv/bin/python bench/chat.py [--messages 300] [--rate 50] [--repeat 3]
    .venv/bin/python bench/chat.py --per-text [--messages 160] [--rate 25]   # the service's work per text
    add --url postgresql+psycopg://…  for duban's store on PostgreSQL (its schema bench_chat, made afresh each run)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters  # noqa: E402

from bot.app import App, settle_heap  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.notify import OutboundMessage, Recipient  # noqa: E402
from bot.services import planfile  # noqa: E402
from bot.services.binding import bind_directly  # noqa: E402
from bot.services.importer import apply_plan  # noqa: E402
from bot.tg import build_application, start_application, stop_application  # noqa: E402
from bot.tg.limits import TelegramLimits  # noqa: E402
from bot.tg.sender import TelegramSender  # noqa: E402
from fakes.bot_api import FakeBotApi  # noqa: E402
from fakes.bot_updates import text_update  # noqa: E402
from storage.db import make_engine, session_scope  # noqa: E402

SEED = ROOT.parent / "shared" / "seed" / "000_06dbc8e77edbdaad.txt"  # a real plan where the project keeps one
SAMPLE = ROOT / "bot" / "sample" / "sample_plan.txt"
TEXTS = ["/task 12", "安全办负责什么", "第12项进展如何", "/mine", "12 推进中 60% 已完成主体", "本月到期的",
         "/owns 教研室", "第25项谁负责"]
UNITS = ["安全办", "职教办", "教研室", "督导室", "人事股"]
LIMITED_ECHO = "echo+limits"
UNLIMITED = "duban-nolim"  # duban with Telegram's limits lifted: what its own work allows, for the bench only
KINDS = ("echo", LIMITED_ECHO, "duban", UNLIMITED)
LIFTED = {"overall": (10**9, 1.0), "per_chat": (10**9, 1.0), "per_group": (10**9, 1.0), "spread": 1e-9}
TELEGRAM_OVERALL = 30.0  # msg/s: no bot may answer faster, whatever it does per message


def telegram_settings(api: FakeBotApi, db_url: str) -> Settings:
    """Settings for a duban whose Telegram channel talks to the fake Bot API `api`."""
    return Settings(database={"url": db_url}, app={"load_sample_plan": False},
                    telegram={"token": api.token, "base_url": api.base_url, "base_file_url": api.base_file_url})


class Stopwatch:
    """Match each answer to its message: one chat per message, so the chat id is the key."""

    def __init__(self) -> None:
        self.sent_at: dict[int, float] = {}
        self.latency: dict[int, float] = {}
        self.done = asyncio.Event()
        self.expected = 0

    def on_call(self, call) -> None:
        if call.method != "sendMessage":
            return
        chat = call.params.get("chat_id")
        if chat in self.sent_at and chat not in self.latency:
            self.latency[chat] = time.perf_counter() - self.sent_at[chat]
            if len(self.latency) >= self.expected:
                self.done.set()


async def _echo_app(api: FakeBotApi, *, limited: bool = False):
    """The bare echo bot; `limited` sends its replies through duban's Telegram sender (Telegram's limits)."""
    sender: TelegramSender | None = None

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if sender is None:
            await update.message.reply_text(update.message.text)
        else:
            await sender.send(Recipient("telegram", str(update.message.chat_id)), OutboundMessage(text=update.message.text))

    app = (ApplicationBuilder().token(api.token).base_url(api.base_url).base_file_url(api.base_file_url)
           .job_queue(None).concurrent_updates(True).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    if limited:
        sender = TelegramSender(app.bot)
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0.0)
    return app, None


WARM_CHAT = 99999  # sends the warm-up message; bound like the others, or its answer would build nothing


def _seeded(settings, chats: list[int]) -> App:
    """duban on the seed plan, each of `chats` (and the warm-up chat) bound to one of UNITS in turn."""
    service = App(settings)
    seed = SEED if SEED.exists() else SAMPLE
    with session_scope(service.engine) as s:
        apply_plan(session=s, parsed=planfile.parse(seed), now=service.now(), source_name=seed.name)
        for i, chat in enumerate([WARM_CHAT, *chats]):
            bind_directly(session=s, unit_name=UNITS[i % len(UNITS)], platform="telegram", address=str(chat),
                          now=service.now(), actor="bench")
    return service


PG_SCHEMA = "bench_chat"


def _store(db: Path, url: str) -> str:
    """duban's store for one run: a SQLite file at `db`, or with `url` the PostgreSQL schema bench_chat, afresh."""
    if not url:
        return f"sqlite:///{db}"
    with make_engine(url).begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE; CREATE SCHEMA {PG_SCHEMA}"))
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{PG_SCHEMA}"


def _drop_store(url: str) -> None:
    if url:
        with make_engine(url).begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))


async def _duban_app(api: FakeBotApi, db: Path, chats: list[int], *, lifted: bool = False, url: str = ""):
    settings = telegram_settings(api, _store(db, url))
    service = _seeded(settings, chats)
    app = build_application(settings.telegram, service.chat, limits=TelegramLimits(**LIFTED) if lifted else None)
    await start_application(app, settings.telegram)
    settle_heap()  # as App.start ends
    return app, service


async def run(kind: str, messages: int, rate: float | None, db: Path, url: str = "") -> tuple[float, list[float]]:
    """(answers per second, latencies) for one run."""
    watch = Stopwatch()
    api = await FakeBotApi(on_call=watch.on_call).start()
    chats = [100000 + i for i in range(messages)]
    app, service = await (_duban_app(api, db, chats, lifted=kind == UNLIMITED, url=url) if kind in ("duban", UNLIMITED)
                          else _echo_app(api, limited=kind == LIMITED_ECHO))
    # Warm up: the first message builds caches (the language layer's vocabulary) on both sides.
    warm = WARM_CHAT
    watch.expected = 1
    watch.sent_at[warm] = time.perf_counter()
    api.add_update(text_update("安全办负责什么", chat_id=warm, user_id=warm))
    await asyncio.wait_for(watch.done.wait(), 120)
    watch.latency.clear()
    watch.sent_at.clear()
    watch.done.clear()
    watch.expected = messages
    start = time.perf_counter()
    for i, chat in enumerate(chats):
        watch.sent_at[chat] = time.perf_counter()
        api.add_update(text_update(TEXTS[i % len(TEXTS)], chat_id=chat, user_id=chat))
        if rate:
            await asyncio.sleep(1 / rate)
    await asyncio.wait_for(watch.done.wait(), 300)
    elapsed = time.perf_counter() - start
    if service is not None:
        await stop_application(app)
        service.close()
        gc.unfreeze()  # the bots after this one start as they would on their own
    else:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    await api.stop()
    return messages / elapsed, sorted(watch.latency.values())


def per_text(messages: int, gap: float, db: Path, url: str = "") -> None:
    """The chat service's own work per text (no Telegram): median and worst ms, and SQL statements, with `gap`
    seconds between messages as at the bench's rate (an idle gap makes the same work slower than a tight loop)."""
    from sqlalchemy import event

    from bot.chat.events import ChatEvent
    from bot.config import Settings

    settings = Settings(database={"url": _store(db, url)}, app={"load_sample_plan": False})
    chats = [100000 + i for i in range(messages)]
    service = _seeded(settings, chats)
    statements = [0]
    event.listen(service.engine, "before_cursor_execute", lambda *_a, **_k: statements.__setitem__(0, statements[0] + 1))

    def one(text: str, chat: int) -> None:
        service.chat._handle_serially(ChatEvent(platform="telegram", chat_id=str(chat), user_id=str(chat), text=text))

    one("安全办负责什么", WARM_CHAT)
    took: dict[str, list[float]] = {t: [] for t in TEXTS}
    counted: dict[str, list[int]] = {t: [] for t in TEXTS}
    for i, chat in enumerate(chats):
        text = TEXTS[i % len(TEXTS)]
        statements[0] = 0
        start = time.perf_counter()
        one(text, chat)
        took[text].append(time.perf_counter() - start)
        counted[text].append(statements[0])
        time.sleep(gap)
    service.close()
    for text in TEXTS:
        print(f"{text:20}\t median {statistics.median(took[text]) * 1000:6.2f} ms  max {max(took[text]) * 1000:6.2f} ms"
              f"  statements {statistics.median(counted[text]):.0f}")


def p(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=300)
    ap.add_argument("--rate", type=float, default=50.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--per-text", action="store_true", help="time the chat service's work per text instead")
    ap.add_argument("--url", default="", help="a PostgreSQL URL for duban's store (default: a SQLite file)")
    args = ap.parse_args()
    if args.per_text:
        with tempfile.TemporaryDirectory() as tmp:
            per_text(args.messages, 1 / args.rate if args.rate else 0.0, Path(tmp) / "per-text.db", args.url)
        _drop_store(args.url)
        return
    tput: dict[str, list[float]] = {k: [] for k in KINDS}
    p95: dict[str, list[float]] = {k: [] for k in KINDS}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeat):
            for kind in KINDS:  # side by side, alternating, so machine noise hits all
                db = Path(tmp) / f"bench-{r}.db"
                rate, _ = await run(kind, args.messages, None, db, args.url)
                tput[kind].append(rate)
                db.unlink(missing_ok=True)
                _, lat = await run(kind, args.messages, args.rate, db, args.url)
                p95[kind].append(p(lat, 0.95))
                db.unlink(missing_ok=True)
    _drop_store(args.url)
    print(f"duban's store: {'PostgreSQL' if args.url else 'SQLite file'}")
    for kind in KINDS:
        print(f"{kind:11}  burst {args.messages}: min {min(tput[kind]):7.1f}  median {statistics.median(tput[kind]):7.1f}"
              f" msg/s    at {args.rate:.0f}/s: p95 min {min(p95[kind]) * 1000:7.1f} ms"
              f"  median {statistics.median(p95[kind]) * 1000:7.1f} ms")
    med = {k: statistics.median(v) for k, v in tput.items()}
    lat = {k: statistics.median(v) for k, v in p95.items()}
    # The bare echo bot ignores Telegram's limits (the loopback fake does not enforce them); under them no
    # bot answers a burst faster than 30/s, nor keeps up with more than 30 messages a second.
    print(f"duban / echo throughput (median): raw {med['duban'] / med['echo']:.2f}   (goal ≥ 0.80; "
          f"at most {min(1.0, TELEGRAM_OVERALL / med['echo']):.2f} under Telegram's 30/s)")
    print(f"  limit-normalised: duban / min(echo, 30/s) {med['duban'] / min(med['echo'], TELEGRAM_OVERALL):.2f}, "
          f"duban / {LIMITED_ECHO} {med['duban'] / med[LIMITED_ECHO]:.2f}")
    print(f"  duban's own capacity: {UNLIMITED} / echo {med[UNLIMITED] / med['echo']:.2f} (both unpaced on the "
          "same fake; Telegram would refuse the excess over 30/s)")
    print(f"duban / echo p95 at {args.rate:.0f}/s (median): raw {lat['duban'] / lat['echo']:.2f}   (goal ≤ 1.50)")
    print(f"  limit-normalised: duban / {LIMITED_ECHO} {lat['duban'] / lat[LIMITED_ECHO]:.2f}; "
          f"{UNLIMITED} / echo {lat[UNLIMITED] / lat['echo']:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
