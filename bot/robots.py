"""Push-only group robots (WeCom, DingTalk, Feishu webhooks) as one Sender.

A Recipient.address is the robot's configured name, optionally with mentions as a query string:

    "office"                               plain message
    "office?at=zhangsan,lisi"              mention by platform user id (WeCom userid, DingTalk
                                           userId, Feishu open_id)
    "office?mobile=13800000000"            mention by mobile (WeCom and DingTalk)
    "office?all=1"                         mention everyone

Build such addresses with `robot_address(...)`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from bot.notify import OutboundMessage, Recipient, SendResult, SendStatus
from bot.ratelimit import SlidingWindowLimiter
from bot.wecom.limits import split_utf8

# Each robot may post 20 messages a minute (DingTalk drops the excess for 10 minutes).
ROBOT_RULES: list[tuple[int, float]] = [(20, 60.0)]
KINDS = ("wecom", "dingtalk", "feishu")
WECOM_TEXT_MAX_BYTES = 2048
MARKDOWN_MAX_BYTES = 4096
NETWORK_BACKOFF = 5.0

# errcode/code → seconds to back off; everything not listed (and not 0) is permanent.
_RETRY_CODES = {
    "wecom": {-1: 2.0, 45009: 60.0},
    "dingtalk": {-1: 2.0, 130101: 60.0, 410100: 60.0},
    "feishu": {9499: 60.0, 11232: 60.0},
}
# The robot was removed or switched off: stop sending there.
_INACTIVE_CODES = {"wecom": {93000}, "dingtalk": {300001, 400101, 400102}, "feishu": {19002}}


@dataclass(frozen=True)
class RobotSettings:
    kind: str  # "wecom" | "dingtalk" | "feishu"
    url: str
    secret: str = ""


@dataclass(frozen=True)
class RobotTarget:
    name: str
    at: tuple[str, ...] = ()
    mobiles: tuple[str, ...] = ()
    at_all: bool = False

    @property
    def has_mentions(self) -> bool:
        return bool(self.at or self.mobiles or self.at_all)


def robot_address(
    name: str,
    *,
    at: tuple[str, ...] | list[str] = (),
    mobiles: tuple[str, ...] | list[str] = (),
    at_all=False,
) -> str:
    """Return the Recipient.address for robot `name` with these mentions."""
    query: dict[str, str] = {}
    if at:
        query["at"] = ",".join(at)
    if mobiles:
        query["mobile"] = ",".join(mobiles)
    if at_all:
        query["all"] = "1"
    return f"{name}?{urllib.parse.urlencode(query, safe=',')}" if query else name


def parse_robot_address(address: str) -> RobotTarget:
    name, _, query = address.partition("?")
    params = urllib.parse.parse_qs(query)

    def items(key: str) -> tuple[str, ...]:
        return tuple(x for v in params.get(key, []) for x in v.split(",") if x)

    all_flag = params.get("all", [""])[-1].lower() in ("1", "true", "yes")
    return RobotTarget(name=name, at=items("at"), mobiles=items("mobile"), at_all=all_flag)


class RobotSender:
    """Post to named group robots; each webhook stays under 20 messages a minute (it waits)."""

    platform = "robot"

    def __init__(
        self,
        robots: Mapping[str, Any],
        *,
        http: httpx.AsyncClient | None = None,
        limiter: SlidingWindowLimiter | None = None,
        clock: Callable[[], float] = time.time,
        timeout: float = 10.0,
    ) -> None:
        for name, robot in robots.items():
            if robot.kind not in KINDS:
                raise ValueError(
                    f"robot {name!r}: kind must be one of {', '.join(KINDS)}, not {robot.kind!r}"
                )
        self._robots = dict(robots)
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self._limiter = limiter or SlidingWindowLimiter(ROBOT_RULES)
        self._clock = clock  # wall clock, for the DingTalk/Feishu signatures

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def send(self, recipient: Recipient, message: OutboundMessage) -> SendResult:
        target = parse_robot_address(recipient.address)
        robot = self._robots.get(target.name)
        if robot is None:
            return SendResult(SendStatus.FAILED, detail=f"no robot named {target.name!r}")
        build = {"wecom": _wecom_bodies, "dingtalk": _dingtalk_bodies, "feishu": _feishu_bodies}[robot.kind]
        bodies = build(message, target)
        for i, body in enumerate(bodies):
            # Keyed by URL: two names for one webhook share its budget.
            await self._limiter.acquire(robot.url)
            result = await self._post(robot, body)
            if result.status is not SendStatus.SENT:
                if i:
                    result.detail = f"part {i + 1}/{len(bodies)} ({i} sent): {result.detail}"
                return result
        return SendResult(SendStatus.SENT, detail=f"{len(bodies)} parts" if len(bodies) > 1 else "")

    async def _post(self, robot: Any, body: dict) -> SendResult:
        url = robot.url
        if robot.kind == "dingtalk" and robot.secret:
            timestamp, sign = dingtalk_sign(robot.secret, int(self._clock() * 1000))
            query = urllib.parse.urlencode({"timestamp": timestamp, "sign": sign})
            url = f"{url}{'&' if '?' in url else '?'}{query}"
        elif robot.kind == "feishu" and robot.secret:
            timestamp, sign = feishu_sign(robot.secret, int(self._clock()))
            body = {"timestamp": timestamp, "sign": sign, **body}
        try:
            resp = await self._http.post(url, json=body)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError) as exc:
            return SendResult(SendStatus.RETRY, retry_after=NETWORK_BACKOFF, detail=type(exc).__name__)
        except httpx.TransportError as exc:
            return SendResult(SendStatus.UNKNOWN, detail=f"no answer: {type(exc).__name__}")
        if resp.status_code == 429 or resp.status_code >= 500:
            retry_after = 60.0 if resp.status_code == 429 else NETWORK_BACKOFF
            return SendResult(SendStatus.RETRY, retry_after=retry_after, detail=f"HTTP {resp.status_code}")
        try:
            data = resp.json()
        except ValueError:
            return SendResult(SendStatus.FAILED, detail=f"HTTP {resp.status_code}, not JSON")
        return _result(robot.kind, data)


def dingtalk_sign(secret: str, timestamp_ms: int) -> tuple[str, str]:
    """Return (timestamp, sign) for a DingTalk webhook: base64 HMAC-SHA256(secret, "ts\\nsecret")."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return str(timestamp_ms), base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> tuple[str, str]:
    """Return (timestamp, sign) for a Feishu webhook: "ts\\nsecret" is the HMAC key, the message empty."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return str(timestamp_s), base64.b64encode(digest).decode()


def _result(kind: str, data: dict) -> SendResult:
    code = data.get("errcode", data.get("code", data.get("StatusCode", 0)))
    message = data.get("errmsg", data.get("msg", data.get("StatusMessage", "")))
    code = int(code or 0)
    if code == 0:
        return SendResult(SendStatus.SENT)
    detail = f"{kind} robot code {code}: {message}"
    if code in _RETRY_CODES[kind]:
        return SendResult(SendStatus.RETRY, retry_after=_RETRY_CODES[kind][code], detail=detail)
    if code in _INACTIVE_CODES[kind]:
        return SendResult(SendStatus.INACTIVE, detail=detail)
    return SendResult(SendStatus.FAILED, detail=detail)


def _title(message: OutboundMessage) -> str:
    return (message.title or message.text.strip().partition("\n")[0] or "督办").strip()


def _wecom_bodies(message: OutboundMessage, target: RobotTarget) -> list[dict]:
    # Markdown can only mention by userid (<@userid>); mobiles and @all need a text message.
    if message.markdown and not target.mobiles and not target.at_all:
        suffix = ("\n" + " ".join(f"<@{uid}>" for uid in target.at)) if target.at else ""
        parts = split_utf8(message.markdown + suffix, MARKDOWN_MAX_BYTES)
        return [{"msgtype": "markdown", "markdown": {"content": part}} for part in parts]
    parts = split_utf8(message.text, WECOM_TEXT_MAX_BYTES)
    bodies: list[dict] = [{"msgtype": "text", "text": {"content": part}} for part in parts]
    if target.has_mentions:
        # Mention once, on the last part, so people are pinged once per message.
        last = bodies[-1]["text"]
        last["mentioned_list"] = list(target.at) + (["@all"] if target.at_all else [])
        last["mentioned_mobile_list"] = list(target.mobiles)
    return bodies


def _dingtalk_bodies(message: OutboundMessage, target: RobotTarget) -> list[dict]:
    # DingTalk highlights a mention only if "@<mobile or userId>" also appears in the text.
    names = [f"@{x}" for x in (*target.mobiles, *target.at)]
    suffix = ("\n\n" + " ".join(names)) if names else ""
    at = {"atMobiles": list(target.mobiles), "atUserIds": list(target.at), "isAtAll": target.at_all}
    if message.markdown:
        title = _title(message)
        parts = split_utf8(message.markdown + suffix, MARKDOWN_MAX_BYTES)
        return [
            {"msgtype": "markdown", "markdown": {"title": title, "text": part}, "at": at} for part in parts
        ]
    parts = split_utf8(message.text + suffix, MARKDOWN_MAX_BYTES)
    return [{"msgtype": "text", "text": {"content": part}, "at": at} for part in parts]


def _feishu_bodies(message: OutboundMessage, target: RobotTarget) -> list[dict]:
    # Feishu mentions need open_ids; mobiles are shown as plain text.
    if message.markdown:
        tags = [f"<at id={uid}></at>" for uid in target.at] + (["<at id=all></at>"] if target.at_all else [])
        tags += [f"@{m}" for m in target.mobiles]
        suffix = ("\n" + " ".join(tags)) if tags else ""
        parts = split_utf8(message.markdown + suffix, MARKDOWN_MAX_BYTES)
        header = {"title": {"tag": "plain_text", "content": _title(message)}}
        return [
            {
                "msg_type": "interactive",
                "card": {"header": header, "elements": [{"tag": "markdown", "content": part}]},
            }
            for part in parts
        ]
    tags = [f'<at user_id="{uid}"></at>' for uid in target.at]
    tags += ['<at user_id="all">所有人</at>'] if target.at_all else []
    tags += [f"@{m}" for m in target.mobiles]
    suffix = ("\n" + " ".join(tags)) if tags else ""
    parts = split_utf8(message.text + suffix, MARKDOWN_MAX_BYTES)
    return [{"msg_type": "text", "content": {"text": part}} for part in parts]
