"""Receive WeCom callbacks: verify, decrypt, de-duplicate, answer at once, handle in the background."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import Any

from aiohttp import web

from bot.chat.events import ChatEvent, ChatHandler
from bot.notify import Recipient, SendStatus
from bot.wecom.client import WeComClient
from bot.wecom.crypto import CallbackCrypto, CallbackRejected, parse_xml
from bot.wecom.quote import split_quote
from bot.wecom.sender import WeComSender

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_MEDIA_BYTES = 100 * 1024 * 1024  # a larger download is cut off; the evidence limit then refuses it
BODY_TIMEOUT = 10.0  # seconds to receive the whole body; WeCom itself gives up after 5


class TtlSet:
    """Remember keys for `ttl` seconds, at most `max_size` of them (oldest forgotten first)."""

    def __init__(self, *, ttl: float, max_size: int, clock: Callable[[], float]) -> None:
        self._ttl = ttl
        self._max_size = max_size
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def add(self, key: str) -> bool:
        """Record `key`; return False if it was already there (a duplicate)."""
        now = self._clock()
        while self._seen and next(iter(self._seen.values())) <= now:
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now + self._ttl
        while len(self._seen) > self._max_size:
            self._seen.popitem(last=False)
        return True


class WeComCallbackState:
    """The callback endpoint's working state; keeps background tasks alive until they finish."""

    def __init__(
        self,
        *,
        crypto: CallbackCrypto,
        handler: ChatHandler,
        client: WeComClient,
        sender: WeComSender,
        clock: Callable[[], float],
        replay_window: float,
        dedupe: TtlSet,
    ) -> None:
        self.crypto = crypto
        self.handler = handler
        self.client = client
        self.sender = sender
        self.clock = clock
        self.replay_window = replay_window
        self.dedupe = dedupe
        self.tasks: set[asyncio.Task] = set()
        self._media: dict[str, str] = {}  # message id → MediaId of a received image or file, until fetched
        self._user_locks: dict[str, asyncio.Lock] = {}

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for every background task started so far (and any they start)."""
        while self.tasks:
            _, pending = await asyncio.wait(set(self.tasks), timeout=timeout)
            if pending:
                log.warning("wecom callback: %d tasks still running at drain timeout", len(pending))
                return

    def spawn(self, event: ChatEvent) -> None:
        task = asyncio.get_running_loop().create_task(self._process(event))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _process(self, event: ChatEvent) -> None:
        # One user's messages are handled in arrival order; different users run side by side.
        # The locks are kept: there is one per member of the organisation at most.
        lock = self._user_locks.setdefault(event.user_id, asyncio.Lock())
        try:
            async with lock:
                media_id = self._media.pop(event.message_id or "", None)
                if media_id is not None:
                    data = await self.client.download_media(media_id, max_bytes=MAX_MEDIA_BYTES)
                    event = dataclasses.replace(event, file_bytes=data)
                replies = await self.handler.handle(event)
                recipient = Recipient("wecom", event.chat_id)
                for reply in replies:
                    result = await self.sender.send(recipient, reply)
                    if result.status is not SendStatus.SENT:
                        log.warning("wecom reply to %s: %s %s", event.chat_id, result.status, result.detail)
        except Exception:
            log.exception("wecom callback: handling %r failed", event.message_id or event.callback_data)

    # -- request checks -----------------------------------------------------------------------

    def check_time(self, timestamp: str) -> None:
        try:
            sent_at = int(timestamp)
        except ValueError as exc:
            raise CallbackRejected(400, "bad timestamp") from exc
        if abs(self.clock() - sent_at) > self.replay_window:
            raise CallbackRejected(403, "timestamp outside the replay window")

    def to_event(self, msg: dict[str, str]) -> ChatEvent | None:
        """Check an authenticated message is ours and new; translate it, or return None to ignore."""
        if msg.get("ToUserName") != self.crypto.corp_id:
            raise CallbackRejected(403, "ToUserName is not our CorpID")
        agent = msg.get("AgentID", "").strip()
        if agent and agent != str(self.client.agent_id):
            raise CallbackRejected(403, "AgentID is not ours")
        userid = msg.get("FromUserName", "")
        if not userid:
            raise CallbackRejected(400, "no FromUserName")
        msg_type = msg.get("MsgType")
        if msg_type == "text":
            if not self.dedupe.add(f"msg:{msg.get('MsgId', '')}:{userid}:{msg.get('CreateTime', '')}"):
                return None
            text, quoted, author = split_quote(msg.get("Content", ""))
            return ChatEvent(
                platform="wecom",
                chat_id=userid,
                user_id=userid,
                text=text,
                message_id=msg.get("MsgId") or None,
                forwarded_text=quoted,
                forwarded_from=author,
            )
        if msg_type == "event" and msg.get("Event") == "template_card_event":
            key = "evt:{}:{}:{}:{}".format(
                userid, msg.get("CreateTime", ""), msg.get("EventKey", ""), msg.get("TaskId", "")
            )
            if not self.dedupe.add(key):
                return None
            task_id = msg.get("TaskId") or None
            if task_id and msg.get("ResponseCode"):
                self.client.remember_response_code(task_id, msg["ResponseCode"])
            return ChatEvent(
                platform="wecom",
                chat_id=userid,
                user_id=userid,
                callback_data=msg.get("EventKey", ""),
                callback_message_id=task_id,
            )
        if msg_type in ("image", "file") and msg.get("MediaId"):
            # 佐证材料: the bytes are fetched in the background (the answer to WeCom cannot wait).
            if not self.dedupe.add(f"msg:{msg.get('MsgId', '')}:{userid}:{msg.get('CreateTime', '')}"):
                return None
            mid = msg.get("MsgId") or msg["MediaId"]
            self._media[mid] = msg["MediaId"]
            name = msg.get("FileName") or msg.get("Title") or f"照片_{mid[-8:]}.jpg"
            return ChatEvent(platform="wecom", chat_id=userid, user_id=userid, message_id=mid, file_name=name,
                             file_mime="image/jpeg" if msg_type == "image" else None)
        log.debug("wecom callback: ignoring %s/%s", msg_type, msg.get("Event"))
        return None


WECOM_CALLBACK = web.AppKey("wecom_callback", WeComCallbackState)


def add_wecom_routes(
    app: web.Application,
    *,
    path: str,
    settings: Any,
    handler: ChatHandler,
    client: WeComClient,
    clock: Callable[[], float] = time.time,
    replay_window: float = 300.0,
    sender: WeComSender | None = None,
    dedupe_max: int = 20_000,
) -> WeComCallbackState:
    """Add GET (URL check) and POST (messages) at `path`; the state is also at app[WECOM_CALLBACK]."""
    crypto = CallbackCrypto(
        token=settings.token, encoding_aes_key=settings.encoding_aes_key, corp_id=settings.corp_id
    )
    state = WeComCallbackState(
        crypto=crypto,
        handler=handler,
        client=client,
        sender=sender or WeComSender(client),
        clock=clock,
        replay_window=replay_window,
        # Anything older than the replay window is refused anyway; keep ids a while longer.
        dedupe=TtlSet(ttl=2 * replay_window + 60.0, max_size=dedupe_max, clock=clock),
    )
    app[WECOM_CALLBACK] = state

    async def on_shutdown(_app: web.Application) -> None:
        await state.drain(timeout=10.0)

    app.router.add_get(path, partial(_verify_url, state))
    app.router.add_post(path, partial(_receive, state))
    app.on_shutdown.append(on_shutdown)
    return state


async def _verify_url(state: WeComCallbackState, request: web.Request) -> web.StreamResponse:
    """GET: WeCom checks the URL by having it decrypt an echo string."""
    crypto = state.crypto
    try:
        q = _query(request, "msg_signature", "timestamp", "nonce", "echostr")
        state.check_time(q["timestamp"])
        crypto.verify(q["msg_signature"], q["timestamp"], q["nonce"], q["echostr"])
        echo = crypto.decrypt(q["echostr"])
    except CallbackRejected as exc:
        return _reject(request, exc)
    return web.Response(text=echo)


async def _receive(state: WeComCallbackState, request: web.Request) -> web.StreamResponse:
    """POST: a message or event, checked and decrypted, answered at once and handled after."""
    crypto = state.crypto
    try:
        q = _query(request, "msg_signature", "timestamp", "nonce")
        state.check_time(q["timestamp"])
        body = await _read_body(request)
        encrypted = parse_xml(body).get("Encrypt", "")
        if not encrypted:
            raise CallbackRejected(400, "no Encrypt element")
        crypto.verify(q["msg_signature"], q["timestamp"], q["nonce"], encrypted)
        event = state.to_event(parse_xml(crypto.decrypt(encrypted)))
    except CallbackRejected as exc:
        return _reject(request, exc)
    if event is not None:
        state.spawn(event)
    # WeCom retries unanswered callbacks after 5 s, so answer before doing the work.
    return web.Response(status=200, body=b"")


def _query(request: web.Request, *names: str) -> dict[str, str]:
    values = {name: request.query.get(name, "") for name in names}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise CallbackRejected(400, f"missing {', '.join(missing)}")
    return values


async def _read_body(request: web.Request) -> bytes:
    """The whole body, however many TCP segments it came in; refuse more than MAX_BODY_BYTES."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise CallbackRejected(413, "body too large")
    # `content.read(n)` returns only what has arrived so far; keep reading until EOF.
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            while chunk := await request.content.read(MAX_BODY_BYTES + 1 - size):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise CallbackRejected(413, "body too large")
    except TimeoutError as exc:
        raise CallbackRejected(408, "body not received in time") from exc
    return b"".join(chunks)


def _reject(request: web.Request, exc: CallbackRejected) -> web.Response:
    log.warning("wecom callback %s %s rejected: %s", request.method, request.path, exc.reason)
    resp = web.Response(status=exc.status, text="")
    if exc.status in (408, 413):
        resp.force_close()  # the rest of the body is not wanted: do not wait for it on this connection
    return resp
