"""A fake WeCom API and robot-webhook server on loopback that records what it is sent."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    json: Any = None
    at: float | None = None  # the test's fake clock when the request arrived, if one was given


@dataclass
class Failure:
    errcode: int = -1
    errmsg: str = "system busy"
    status: int = 200


@dataclass
class FakeWeCom:
    """Implements gettoken, message/send, update_template_card, auth/getuserinfo and the three robot webhooks."""

    corp_id: str = "ww_fake_corp"
    clock: Callable[[], float] | None = None
    secret: str = "app-secret"
    robot_secrets: dict[str, str] = field(default_factory=dict)  # webhook key/token → secret
    requests: list[Recorded] = field(default_factory=list)
    tokens_issued: int = 0
    invalid_users: set[str] = field(default_factory=set)
    media: dict[str, bytes] = field(default_factory=dict)  # MediaId → bytes served by media/get
    oauth_codes: dict[str, str] = field(default_factory=dict)  # OAuth2 code → userid served by auth/getuserinfo
    _valid_tokens: set[str] = field(default_factory=set)
    _failures: list[Failure] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _server: TestServer | None = None

    # -- control ------------------------------------------------------------------------------

    def expire_tokens(self) -> None:
        """Make every issued token invalid: the next API call answers 42001."""
        self._valid_tokens.clear()

    def fail(self, times: int, *, errcode: int = -1, errmsg: str = "system busy", status: int = 200) -> None:
        """Answer the next `times` message calls with this error (or HTTP status)."""
        self._failures.extend(Failure(errcode, errmsg, status) for _ in range(times))

    def sent(self, path: str = "/cgi-bin/message/send") -> list[dict]:
        return [r.json for r in self.requests if r.path == path]

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("")).rstrip("/")

    async def __aenter__(self) -> FakeWeCom:
        self._server = TestServer(self._app(), host="127.0.0.1")
        await self._server.start_server()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        await self._server.close()

    async def down(self) -> int:
        """Stop answering: connections to its port are refused until `up()`; return the port."""
        assert self._server is not None
        port = self._server.port
        await self._server.close()
        return port

    async def up(self, port: int) -> None:
        """Answer again, on the same port."""
        self._server = TestServer(self._app(), host="127.0.0.1", port=port)
        await self._server.start_server()

    # -- endpoints ----------------------------------------------------------------------------

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_post("/cgi-bin/message/send", self._message)
        app.router.add_post("/cgi-bin/message/update_template_card", self._message)
        app.router.add_post("/cgi-bin/media/upload", self._upload)
        app.router.add_get("/cgi-bin/media/get", self._media_get)
        app.router.add_get("/cgi-bin/auth/getuserinfo", self._getuserinfo)
        app.router.add_post("/cgi-bin/webhook/send", self._wecom_robot)
        app.router.add_post("/robot/send", self._dingtalk_robot)
        app.router.add_post("/open-apis/bot/v2/hook/{token}", self._feishu_robot)
        return app

    async def _record(self, request: web.Request) -> Recorded:
        body = None
        if request.content_type.startswith("multipart/"):
            # Record an upload as {field: {"filename", "size"}}.
            body = {}
            async for part in await request.multipart():
                data = await part.read()
                body[part.name] = {"filename": part.filename, "size": len(data)}
        elif request.can_read_body:
            body = await request.json()
        at = self.clock() if self.clock else None
        rec = Recorded(request.method, request.path, dict(request.query), body, at)
        self.requests.append(rec)
        return rec

    async def _gettoken(self, request: web.Request) -> web.Response:
        await self._record(request)
        q = request.query
        if q.get("corpid") != self.corp_id or q.get("corpsecret") != self.secret:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        self.tokens_issued += 1
        token = f"token-{self.tokens_issued}"
        self._valid_tokens.add(token)
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    async def _getuserinfo(self, request: web.Request) -> web.Response:
        rec = await self._record(request)
        if rec.query.get("access_token") not in self._valid_tokens:
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        user_id = self.oauth_codes.pop(rec.query.get("code", ""), None)  # a code is good once
        if user_id is None:
            return web.json_response({"errcode": 40029, "errmsg": "invalid code"})
        return web.json_response({"errcode": 0, "errmsg": "ok", "userid": user_id, "user_ticket": ""})

    async def _message(self, request: web.Request) -> web.Response:
        rec = await self._record(request)
        if rec.query.get("access_token") not in self._valid_tokens:
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        if self._failures:
            failure = self._failures.pop(0)
            if failure.status != 200:
                return web.Response(status=failure.status, text="upstream error")
            return web.json_response({"errcode": failure.errcode, "errmsg": failure.errmsg})
        body = rec.json or {}
        if body.get("touser") in self.invalid_users:
            return web.json_response({"errcode": 81013, "errmsg": "user & party & tag all invalid"})
        answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok", "msgid": f"msg-{next(self._ids)}"}
        if body.get("msgtype") == "template_card":
            answer["response_code"] = f"rc-{body['template_card']['task_id']}"
        return web.json_response(answer)

    async def _upload(self, request: web.Request) -> web.Response:
        rec = await self._record(request)
        if rec.query.get("access_token") not in self._valid_tokens:
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        if rec.query.get("type") != "file" or "media" not in (rec.json or {}):
            return web.json_response({"errcode": 40004, "errmsg": "invalid media type"})
        return web.json_response(
            {"errcode": 0, "errmsg": "ok", "type": "file", "media_id": f"media-{next(self._ids)}"}
        )

    async def _media_get(self, request: web.Request) -> web.Response:
        rec = await self._record(request)
        if rec.query.get("access_token") not in self._valid_tokens:
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        data = self.media.get(rec.query.get("media_id", ""))
        if data is None:
            return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
        return web.Response(body=data, content_type="image/jpeg")

    async def _wecom_robot(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _dingtalk_robot(self, request: web.Request) -> web.Response:
        rec = await self._record(request)
        secret = self.robot_secrets.get(rec.query.get("access_token", ""), "")
        timestamp = rec.query.get("timestamp", "")
        # As DingTalk documents it: HMAC-SHA256 keyed by the secret over "timestamp\nsecret".
        mac = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
        expected = base64.b64encode(mac.digest()).decode() if timestamp and secret else ""
        if not expected or not hmac.compare_digest(expected, rec.query.get("sign", "")):
            return web.json_response({"errcode": 310000, "errmsg": "sign not match"})
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _feishu_robot(self, request: web.Request) -> web.Response:
        rec = await self._record(request)
        secret = self.robot_secrets.get(request.match_info["token"], "")
        body = rec.json or {}
        timestamp = str(body.get("timestamp", ""))
        # As Feishu documents it: "timestamp\nsecret" is the HMAC-SHA256 key, the message is empty.
        mac = hmac.new(f"{timestamp}\n{secret}".encode(), digestmod=hashlib.sha256)
        expected = base64.b64encode(mac.digest()).decode() if timestamp.isdigit() and secret else ""
        if not expected or not hmac.compare_digest(expected, str(body.get("sign", ""))):
            return web.json_response(
                {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}
            )
        return web.json_response({"code": 0, "msg": "success", "data": {}})


async def send_raw(
    port: int,
    path: str,
    query: dict[str, str],
    parts: list[bytes],
    *,
    headers: dict[str, str] | None = None,
    pause: float = 0.05,
    timeout: float = 5.0,
) -> tuple[int, bytes]:
    """POST to 127.0.0.1:`port` over a plain socket, writing the body `parts` `pause` seconds apart.

    Content-Length is the parts' total unless `headers` says otherwise (or asks for chunked
    encoding, in which case each part goes out as one chunk). Returns (status, response body).
    """
    fields = {"Host": f"127.0.0.1:{port}", "Content-Type": "text/xml", "Connection": "close"}
    fields.update(headers or {})
    chunked = fields.get("Transfer-Encoding") == "chunked"
    if not chunked:
        fields.setdefault("Content-Length", str(sum(len(p) for p in parts)))
    head = f"POST {path}?{urlencode(query)} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())

    async def exchange() -> tuple[int, bytes]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(head.encode("latin-1") + b"\r\n")
            for i, part in enumerate(parts):
                if i:
                    await asyncio.sleep(pause)
                writer.write(f"{len(part):x}\r\n".encode() + part + b"\r\n" if chunked else part)
                await writer.drain()
            if chunked:
                writer.write(b"0\r\n\r\n")
                await writer.drain()
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            # Read by Content-Length, as a client does: a refusing server may linger before closing.
            body = await reader.readexactly(length)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
        return int(status_line.split()[1]), body

    return await asyncio.wait_for(exchange(), timeout)
