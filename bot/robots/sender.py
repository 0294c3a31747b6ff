"""Push-only group robots (WeCom, DingTalk, Feishu webhooks) as one Sender."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Mapping

import httpx

from bot.config import RobotSettings
from bot.notify import Cap, OutboundMessage, Progress, Recipient, SendResult, SendStatus
from bot.ratelimit import SlidingWindowLimiter
from bot.robots.address import parse_robot_address
from bot.robots.bodies import dingtalk_bodies, feishu_bodies, wecom_bodies
from bot.robots.sign import dingtalk_sign, feishu_sign

# Each robot may post 20 messages a minute (DingTalk drops the excess for 10 minutes).
ROBOT_RULES: list[tuple[int, float]] = [(20, 60.0)]
NETWORK_BACKOFF = 5.0

# errcode/code → seconds to back off; everything not listed (and not 0) is permanent.
_RETRY_CODES = {
    "wecom": {-1: 2.0, 45009: 60.0},
    "dingtalk": {-1: 2.0, 130101: 60.0, 410100: 60.0},
    "feishu": {9499: 60.0, 11232: 60.0},
}
# The robot was removed or switched off: stop sending there.
_INACTIVE_CODES = {"wecom": {93000}, "dingtalk": {300001, 400101, 400102}, "feishu": {19002}}


class RobotSender:
    """Post to named group robots; each webhook stays under 20 messages a minute (it waits)."""

    platform = "robot"
    caps = frozenset({Cap.MARKDOWN})  # a webhook only posts: no buttons, nobody answers it
    # Says when each post leaves (after the robot's 20-a-minute limiter let it go), so a row waiting its turn is
    # never "request started"; a retry resumes after the parts already posted.
    tracks_progress = True

    def __init__(
        self,
        robots: Mapping[str, RobotSettings],
        *,
        http: httpx.AsyncClient | None = None,
        limiter: SlidingWindowLimiter | None = None,
        clock: Callable[[], float] = time.time,
        timeout: float = 10.0,
    ) -> None:
        self._robots = dict(robots)
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self._limiter = limiter or SlidingWindowLimiter(ROBOT_RULES)
        self._clock = clock  # wall clock, for the DingTalk/Feishu signatures

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    def reach(self, recipient: Recipient) -> str:
        """What an outage takes down: the robot's host (one webhook service down leaves the others sending)."""
        robot = self._robots.get(parse_robot_address(recipient.address).name)
        host = urllib.parse.urlsplit(robot.url).netloc if robot is not None else ""
        return f"robot:{host or recipient.address}"

    async def send(self, recipient: Recipient, message: OutboundMessage,
                   progress: Progress | None = None) -> SendResult:
        target = parse_robot_address(recipient.address)
        robot = self._robots.get(target.name)
        if robot is None:
            return SendResult(SendStatus.FAILED, detail=f"no robot named {target.name!r}")
        build = {"wecom": wecom_bodies, "dingtalk": dingtalk_bodies, "feishu": feishu_bodies}[robot.kind]
        bodies = build(message, target)
        progress = progress or Progress()
        progress.rewind()
        for i, body in enumerate(bodies):
            index = progress.next_index()
            if progress.skip(index):
                continue  # posted by an earlier attempt
            # Keyed by URL: two names for one webhook share its budget.
            await self._limiter.acquire(robot.url)
            await progress.starting(index)
            result = await self._post(robot, body)
            if result.status is not SendStatus.SENT:
                if i:
                    result.detail = f"part {i + 1}/{len(bodies)} ({i} sent): {result.detail}"
                return result
            progress.sent(index)
        return SendResult(SendStatus.SENT, detail=f"{len(bodies)} parts" if len(bodies) > 1 else "")

    async def _post(self, robot: RobotSettings, body: dict) -> SendResult:
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
            # Nothing (whole) reached the robot: the row waits for it, however long, never "failed".
            return SendResult(SendStatus.RETRY, retry_after=NETWORK_BACKOFF, detail=type(exc).__name__, outage=True)
        except httpx.TransportError as exc:
            return SendResult(SendStatus.UNKNOWN, detail=f"no answer: {type(exc).__name__}")
        if resp.status_code == 429:
            return SendResult(SendStatus.RETRY, retry_after=60.0, detail="HTTP 429")
        if resp.status_code >= 500:
            return SendResult(SendStatus.RETRY, retry_after=NETWORK_BACKOFF, detail=f"HTTP {resp.status_code}",
                              outage=True)
        try:
            data = resp.json()
        except ValueError:
            return SendResult(SendStatus.FAILED, detail=f"HTTP {resp.status_code}, not JSON")
        return _result(robot.kind, data)


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


