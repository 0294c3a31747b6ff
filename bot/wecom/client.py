"""A small WeCom self-built-app API client: one cached access_token, per-member rate limits."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from bot.notify import OutboundMessage, Progress, SendResult, SendStatus
from bot.ratelimit import SlidingWindowLimiter
from bot.textsplit import split_lines
from bot.wecom.answers import (
    BUSY_ERRCODES,
    TOKEN_ERRCODES,
    ResponseCodes,
    TokenUnavailable,
    outcome_of,
    recipient_of,
    retry_after,
    unreachable,
)
from bot.wecom.cards import button_card, new_task_id
from bot.wecom.limits import MARKDOWN_MAX_BYTES, MEMBER_RULES, TEXT_MAX_BYTES
from bot.wecom.media import MediaCalls

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"

log = logging.getLogger(__name__)


class WeComClient(MediaCalls):
    """Talk to the WeCom API as one app; every send shares the token and the member limits."""

    def __init__(
        self,
        api_base_url: str,
        corp_id: str,
        secret: str,
        agent_id: int,
        *,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        limiter: SlidingWindowLimiter | None = None,
        token_margin: float = 300.0,
        timeout: float = 10.0,
    ) -> None:
        self.api_base_url = (api_base_url or DEFAULT_API_BASE).rstrip("/")
        self.corp_id = corp_id
        self.agent_id = int(agent_id)
        self._secret = secret
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self._clock = clock
        self._limiter = limiter or SlidingWindowLimiter(MEMBER_RULES)
        self._token_margin = token_margin
        self._token: str | None = None
        self._token_expires_at = 0.0
        self._token_lock = asyncio.Lock()
        self._response_codes = ResponseCodes(lambda: self._clock())  # the clock as set now or later
        self.tokens_fetched = 0

    @classmethod
    def from_settings(cls, settings: Any, **kwargs: Any) -> WeComClient:
        """Build from an object with api_base_url, corp_id, secret and agent_id attributes."""
        return cls(settings.api_base_url, settings.corp_id, settings.secret, settings.agent_id, **kwargs)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # -- access token -------------------------------------------------------------------------

    async def access_token(self) -> str:
        """Return the cached token, fetching it (once, however many callers wait) when stale."""
        token = self._fresh_token()
        if token:
            return token
        async with self._token_lock:
            token = self._fresh_token()
            if token:
                return token
            return await self._fetch_token()

    def _fresh_token(self) -> str | None:
        if self._token and self._clock() < self._token_expires_at:
            return self._token
        return None

    def _drop_token(self, token: str) -> None:
        # Only the caller holding the rejected token drops it; a newer one stays.
        if self._token == token:
            self._token = None

    async def _fetch_token(self) -> str:
        try:
            resp = await self._http.get(
                f"{self.api_base_url}/cgi-bin/gettoken",
                params={"corpid": self.corp_id, "corpsecret": self._secret},
            )
        except httpx.TransportError as exc:
            raise TokenUnavailable(unreachable(f"gettoken: {type(exc).__name__}")) from exc
        if resp.status_code >= 500:
            raise TokenUnavailable(unreachable(f"gettoken: HTTP {resp.status_code}"))
        try:
            data = resp.json()
        except ValueError as exc:
            raise TokenUnavailable(unreachable("gettoken: response is not JSON")) from exc
        errcode = int(data.get("errcode", 0))
        if errcode != 0:
            detail = f"gettoken errcode {errcode}: {data.get('errmsg', '')}"
            if errcode in BUSY_ERRCODES:
                raise TokenUnavailable(retry_after(detail, BUSY_ERRCODES[errcode]))
            raise TokenUnavailable(SendResult(SendStatus.FAILED, detail=detail))
        expires_in = float(data.get("expires_in", 7200))
        self._token = str(data["access_token"])
        self._token_expires_at = self._clock() + max(expires_in - self._token_margin, expires_in / 2)
        self.tokens_fetched += 1
        return self._token

    # -- messages -----------------------------------------------------------------------------

    async def send_text(
        self, *, touser: str | None = None, toparty: str | None = None, content: str,
        progress: Progress | None = None,
    ) -> SendResult:
        """Send text, split on line boundaries into messages of at most 2048 bytes each.

        With `progress`, parts an earlier attempt delivered are skipped and each delivered one is counted.
        """
        return await self._send_parts("text", content, TEXT_MAX_BYTES, touser, toparty, progress)

    async def send_markdown(
        self, *, touser: str | None = None, toparty: str | None = None, content: str,
        progress: Progress | None = None,
    ) -> SendResult:
        """Send WeCom markdown, split like text."""
        return await self._send_parts("markdown", content, MARKDOWN_MAX_BYTES, touser, toparty, progress)

    async def send_template_card(
        self,
        *,
        touser: str | None = None,
        toparty: str | None = None,
        message: OutboundMessage,
        task_id: str | None = None,
        with_body: bool = True,
        progress: Progress | None = None,
    ) -> SendResult:
        """Send a button_interaction card; the result's message_id is the card's task_id."""
        target, key = recipient_of(touser, toparty)
        index = progress.next_index() if progress is not None else 0
        if progress is not None:
            if progress.skip(index):
                return SendResult(SendStatus.SENT, detail="card sent by an earlier attempt")
        task_id = task_id or new_task_id()
        payload = {
            **target,
            "msgtype": "template_card",
            "agentid": self.agent_id,
            "template_card": button_card(message, task_id, with_body=with_body),
        }
        result, data = await self._deliver("/cgi-bin/message/send", payload, limit_key=key,
                                           start=_starter(progress, index))
        if result.status is SendStatus.SENT:
            if data.get("response_code"):
                self.remember_response_code(task_id, str(data["response_code"]))
            result.message_id = task_id
            if progress is not None:
                progress.sent(index)
        return result

    async def update_template_card(
        self,
        *,
        task_id: str,
        touser: str | None = None,
        toparty: str | None = None,
        replace_name: str | None = None,
        card: dict | None = None,
    ) -> SendResult:
        """Replace a card's buttons with `replace_name`, or the whole card with `card`."""
        code = self._response_codes.take(task_id)
        if code is None:
            return SendResult(SendStatus.FAILED, detail=f"no response_code for card {task_id}")
        payload: dict[str, Any] = {"agentid": self.agent_id, "response_code": code}
        if touser:
            payload["userids"] = [touser]
        elif toparty:
            payload["partyids"] = [int(toparty) if toparty.isdigit() else toparty]
        if card is not None:
            payload["template_card"] = card
        else:
            payload["button"] = {"replace_name": replace_name or ""}
        result, _ = await self._deliver("/cgi-bin/message/update_template_card", payload, limit_key=None)
        if result.status is SendStatus.SENT:
            result.message_id = task_id
        elif result.status is SendStatus.RETRY:
            self.remember_response_code(task_id, code)  # not consumed: a retry may use it
        return result

    def remember_response_code(self, task_id: str, code: str) -> None:
        """Keep the newest response_code for a card (from the send answer or a tap callback)."""
        self._response_codes.remember(task_id, code)

    def has_response_code(self, task_id: str) -> bool:
        return self._response_codes.has(task_id)

    # -- plumbing -----------------------------------------------------------------------------

    async def _send_parts(
        self, msgtype: str, content: str, max_bytes: int, touser: str | None, toparty: str | None,
        progress: Progress | None = None,
    ) -> SendResult:
        target, key = recipient_of(touser, toparty)
        parts = split_lines(content, max_bytes)
        first_id: str | None = None
        for i, part in enumerate(parts):
            index = progress.next_index() if progress is not None else i
            if progress is not None:
                if progress.skip(index):
                    continue  # delivered by an earlier attempt
            payload = {**target, "msgtype": msgtype, "agentid": self.agent_id, msgtype: {"content": part}}
            result, _ = await self._deliver("/cgi-bin/message/send", payload, limit_key=key,
                                            start=_starter(progress, index))
            if result.status is not SendStatus.SENT:
                if i:
                    result.detail = f"part {i + 1}/{len(parts)} ({i} sent): {result.detail}"
                return result
            if progress is not None:
                progress.sent(index)
            first_id = first_id or result.message_id
        detail = f"{len(parts)} parts" if len(parts) > 1 else ""
        return SendResult(SendStatus.SENT, message_id=first_id, detail=detail)

    async def _deliver(
        self,
        path: str,
        payload: dict | None,
        *,
        limit_key: str | None,
        params: dict[str, str] | None = None,
        files: dict[str, Any] | None = None,
        start: Callable[[], Awaitable[None]] | None = None,
    ) -> tuple[SendResult, dict[str, Any]]:
        if limit_key is not None:
            await self._limiter.acquire(limit_key)
        data: dict[str, Any] = {}
        for attempt in range(2):
            try:
                token = await self.access_token()
            except TokenUnavailable as exc:
                return exc.result, {}
            if start is not None:  # the member's turn has come and the token is in hand: the request leaves now
                await start()
                start = None
            try:
                resp = await self._http.post(
                    f"{self.api_base_url}{path}",
                    params={**(params or {}), "access_token": token},
                    json=payload,
                    files=files,
                )
            except (
                httpx.ConnectError,
                httpx.ConnectTimeout,
                httpx.PoolTimeout,
                httpx.WriteError,
                httpx.WriteTimeout,
            ) as exc:
                # The request never (fully) reached WeCom: safe to send again.
                return unreachable(f"network: {type(exc).__name__}"), {}
            except httpx.TransportError as exc:
                # Read timeout or hang-up after the request went out: it may have been delivered.
                return SendResult(SendStatus.UNKNOWN, detail=f"no answer: {type(exc).__name__}"), {}
            if resp.status_code >= 500:
                return unreachable(f"HTTP {resp.status_code}"), {}
            try:
                data = resp.json()
            except ValueError:
                return unreachable(f"HTTP {resp.status_code}, not JSON"), {}
            if int(data.get("errcode", 0)) in TOKEN_ERRCODES and attempt == 0:
                self._drop_token(token)
                continue
            break
        return outcome_of(data), data


def _starter(progress: Progress | None, index: int) -> Callable[[], Awaitable[None]] | None:
    """What `_deliver` awaits right before the request leaves: "request started" for part `index`."""
    if progress is None:
        return None
    return lambda: progress.starting(index)
