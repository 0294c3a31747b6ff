"""A fake Telegram Bot API on loopback: records every request, serves injected updates and errors (tests and bench)."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from fakes.bot_updates import BOT_USER

TOKEN = "123456:TEST-token"

# Params PTB sends JSON-encoded; plain strings (text, caption, data) arrive as-is.
JSON_PARAMS = {"reply_markup", "commands", "allowed_updates", "reply_parameters", "entities", "scope"}
INT_PARAMS = {"chat_id", "message_id", "offset", "limit", "timeout", "user_id"}

_file_ids = itertools.count(1000)  # the file ids of documents sent to the fake


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class _Fault:
    kind: str  # "retry_after", "forbidden", "migrated", "bad_request", "delay"
    value: Any = None


@dataclass
class FakeBotApi:
    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    # Cap on getUpdates long polls, so stopping the updater never waits long.
    poll_cap: float = 0.2
    # Called with each recorded call, e.g. to stamp it with a test's fake clock.
    on_call: Callable[[Call], None] | None = None
    # Seconds every API call takes to answer (after it is recorded), so requests are really in flight together.
    latency: float = 0.0

    def __post_init__(self) -> None:
        self._updates: list[dict] = []
        self._have_updates = asyncio.Event()
        self._closing = asyncio.Event()
        self._files: dict[str, tuple[str, bytes]] = {}
        self._faults: dict[tuple[str, int], list[_Fault]] = {}
        self._message_ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle -------------------------------------------------------------------------
    async def start(self) -> FakeBotApi:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)  # 0: any free port; set it to come back on one
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # --- test controls ---------------------------------------------------------------------
    def requests(self, method: str) -> list[dict[str, Any]]:
        """Return the params of every recorded call to `method`, oldest first."""
        return [c.params for c in self.calls if c.method == method]

    def add_update(self, update: dict) -> None:
        """Queue an update for getUpdates."""
        self._updates.append(update)
        self._have_updates.set()

    def add_file(self, file_id: str, data: bytes, *, path: str | None = None) -> None:
        """Make `file_id` downloadable through getFile."""
        self._files[file_id] = (path or f"documents/{file_id}", data)

    def fail_next(self, method: str, chat_id: int | str, kind: str, value: Any = None) -> None:
        """Make the next `method` call for `chat_id` fail.

        kind: "retry_after" (value = seconds), "forbidden", "migrated" (value = new chat id),
        "bad_request" (value = description), "delay" (value = seconds before answering normally).
        """
        self._faults.setdefault((method, int(chat_id)), []).append(_Fault(kind, value))

    # --- handlers --------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        call = Call(method, params)
        self.calls.append(call)
        if self.on_call is not None:
            self.on_call(call)
        chat_id = params.get("chat_id")
        if isinstance(chat_id, int):
            faults = self._faults.get((method, chat_id))
            if faults:
                fault = faults.pop(0)
                response = await self._fault(fault)
                if response is not None:
                    return response
        if self.latency:
            await asyncio.sleep(self.latency)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        result = handler(params) if method != "getUpdates" else await self._m_getUpdates(params)
        return web.json_response({"ok": True, "result": result})

    async def _fault(self, fault: _Fault) -> web.Response | None:
        if fault.kind == "retry_after":
            return _error(429, f"Too Many Requests: retry after {fault.value}", {"retry_after": fault.value})
        if fault.kind == "forbidden":
            return _error(403, "Forbidden: bot was blocked by the user")
        if fault.kind == "migrated":
            return _error(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": fault.value},
            )
        if fault.kind == "bad_request":
            return _error(400, f"Bad Request: {fault.value or 'chat not found'}")
        if fault.kind == "delay":
            try:
                await asyncio.wait_for(self._closing.wait(), timeout=fault.value)
            except TimeoutError:
                pass
            return None
        raise ValueError(fault.kind)

    async def _file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        for stored_path, data in self._files.values():
            if stored_path == path:
                self.calls.append(Call("<download>", {"path": path}))
                return web.Response(body=data)
        return web.Response(status=404)

    def _message(self, params: dict, **extra: Any) -> dict:
        chat_id = params["chat_id"]
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        if chat_id < 0:
            chat["title"] = "测试群"
        message = {
            "message_id": params.get("message_id") or next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            **extra,
        }
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message

    def _m_getMe(self, params: dict) -> dict:
        return BOT_USER

    def _m_sendMessage(self, params: dict) -> dict:
        return self._message(params, text=params["text"])

    def _m_editMessageText(self, params: dict) -> dict:
        return self._message(params, text=params["text"], edit_date=int(time.time()))

    def _m_editMessageReplyMarkup(self, params: dict) -> dict:
        return self._message(params, text="", edit_date=int(time.time()))

    def _m_sendDocument(self, params: dict) -> dict:
        doc = params["document"]
        extra: dict[str, Any] = {
            "document": {
                "file_id": f"sent-{next(_file_ids)}",
                "file_unique_id": "u",
                "file_name": doc["file_name"],
                "file_size": len(doc["bytes"]),
            }
        }
        if params.get("caption"):
            extra["caption"] = params["caption"]
        return self._message(params, **extra)

    def _m_getFile(self, params: dict) -> dict:
        file_id = params["file_id"]
        path, data = self._files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(data),
            "file_path": path,
        }

    def _m_answerCallbackQuery(self, params: dict) -> bool:
        return True

    def _m_setMyCommands(self, params: dict) -> bool:
        return True

    def _m_deleteWebhook(self, params: dict) -> bool:
        return True

    def _m_setWebhook(self, params: dict) -> bool:
        return True

    async def _m_getUpdates(self, params: dict) -> list[dict]:
        offset = params.get("offset") or 0
        pending = [u for u in self._updates if u["update_id"] >= offset]
        if not pending and params.get("timeout"):
            self._have_updates.clear()
            try:
                await asyncio.wait_for(
                    self._have_updates.wait(), timeout=min(params["timeout"], self.poll_cap)
                )
            except TimeoutError:
                pass
            pending = [u for u in self._updates if u["update_id"] >= offset]
        return pending[: params.get("limit") or 100]


async def _params(request: web.Request) -> dict[str, Any]:
    raw: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            raw.update(await request.json())
        else:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    raw[key] = {"file_name": value.filename, "bytes": value.file.read()}
                else:
                    raw[key] = value
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and key in JSON_PARAMS:
            value = json.loads(value)
        elif isinstance(value, str) and key in INT_PARAMS:
            try:
                value = int(value)
            except ValueError:
                pass
        params[key] = value
    return params


def _error(status: int, description: str, parameters: dict | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)
