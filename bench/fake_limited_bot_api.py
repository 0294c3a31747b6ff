"""A fake Telegram Bot API that enforces Telegram's flood limits, for bench/telegram_limits.py.

Limits (sliding windows, counted when a request arrives): 30 messages in any second overall, 1 in any
second to one chat, 20 in any minute to one group (negative chat id). Over a limit it answers 429 with
parameters.retry_after, as Telegram does. GET /stats returns what it accepted and refused.
"""

from __future__ import annotations

import collections
import itertools
import json
import time

from aiohttp import web

TOKEN = "123456:BENCH-token"
LIMITS = {"overall": (30, 1.0), "chat": (1, 1.0), "group": (20, 60.0)}


class LimitedBotApi:
    def __init__(self) -> None:
        self.accepted: list[tuple[float, int, str]] = []  # (arrival, chat id, text)
        self.refused = 0
        self.refused_at: list[tuple[float, int, str]] = []  # (arrival, chat id, text)
        self.refused_by: collections.Counter[str] = collections.Counter()
        self._overall: collections.deque[float] = collections.deque()
        self._chats: dict[int, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._ids = itertools.count(1)

    @staticmethod
    def _full(hits: collections.deque[float], limit: int, window: float, now: float) -> float:
        """Seconds until `hits` has room under (limit, window) at `now` (0 when it has room)."""
        while hits and hits[0] <= now - window:
            hits.popleft()
        return 0.0 if len(hits) < limit else hits[-limit] + window - now

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != TOKEN:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        if method == "getMe":
            return web.json_response({"ok": True, "result": {"id": 123456, "is_bot": True, "first_name": "督办",
                                                              "username": "duban_bench_bot"}})
        if method != "sendMessage":
            return web.json_response({"ok": True, "result": True})
        now = time.monotonic()
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = dict(await request.post())
        chat_id, text = int(params["chat_id"]), str(params.get("text", ""))
        hist = self._chats[chat_id]
        waits = [self._full(self._overall, *LIMITS["overall"], now), self._full(hist, *LIMITS["chat"], now)]
        if chat_id < 0:
            # The per-group minute window shares the chat's history (the chat window is shorter).
            waits.append(self._full(collections.deque(t for t in self.group_hits(chat_id) if t > now - 60), 20, 60.0,
                                    now))
        wait = max(waits)
        if wait > 0:
            self.refused += 1
            self.refused_at.append((now, chat_id, text))
            self.refused_by[("overall", "chat", "group")[waits.index(wait)]] += 1
            retry = max(1, int(wait + 0.999))
            return web.json_response({"ok": False, "error_code": 429,
                                      "description": f"Too Many Requests: retry after {retry}",
                                      "parameters": {"retry_after": retry}}, status=429)
        self._overall.append(now)
        hist.append(now)
        self.accepted.append((now, chat_id, text))
        chat = {"id": chat_id, "type": "group" if chat_id < 0 else "private"}
        return web.json_response({"ok": True, "result": {"message_id": next(self._ids), "date": int(time.time()),
                                                          "chat": chat, "text": text}})

    def group_hits(self, chat_id: int) -> list[float]:
        return [t for t, c, _ in self.accepted if c == chat_id]

    async def stats(self, _request: web.Request) -> web.Response:
        return web.json_response({"accepted": self.accepted, "refused": self.refused,
                                  "refused_by": dict(self.refused_by),
                                  "refused_at": self.refused_at})


def serve(port_out, stop) -> None:
    """Run the fake on 127.0.0.1 (a free port, put on `port_out`) until `stop` is set; for a subprocess."""
    import asyncio

    async def main() -> None:
        fake = LimitedBotApi()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", fake.api)
        app.router.add_get("/stats", fake.stats)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port_out.put(site._server.sockets[0].getsockname()[1])
        while not stop.is_set():
            await asyncio.sleep(0.2)
        await runner.cleanup()

    asyncio.run(main())


if __name__ == "__main__":
    print(json.dumps(LIMITS))
