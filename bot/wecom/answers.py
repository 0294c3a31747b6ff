"""What WeCom's answers mean for a send (sent, retry after so long, inactive, failed), and the cards' one-use
response codes kept for their update."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from bot.notify import SendResult, SendStatus

# The token was rejected: refresh once and retry the call once.
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
# 81013: user/party/tag all invalid; 60111: userid not found (or outside the app's scope).
INACTIVE_ERRCODES = frozenset({81013, 60111})
# Transient errcodes and how long to back off: -1 system busy, 45009/45033 API frequency limits.
BUSY_ERRCODES = {-1: 2.0, 45009: 60.0, 45033: 10.0}
NETWORK_BACKOFF = 5.0
# A card's response_code may be used once within 72 hours.
RESPONSE_CODE_TTL = 72 * 3600.0 - 600.0


class TokenUnavailable(Exception):
    """No access token to be had: the send's result says why."""

    def __init__(self, result: SendResult) -> None:
        super().__init__(result.detail)
        self.result = result


class ResponseCodes:
    """The newest response_code of each card (from the send answer or a tap callback), each usable once within
    its time to live; the oldest are forgotten past 10,000."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._codes: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def remember(self, task_id: str, code: str) -> None:
        self._codes[task_id] = (code, self._clock() + RESPONSE_CODE_TTL)
        self._codes.move_to_end(task_id)
        while len(self._codes) > 10_000:
            self._codes.popitem(last=False)

    def has(self, task_id: str) -> bool:
        entry = self._codes.get(task_id)
        return entry is not None and entry[1] > self._clock()

    def take(self, task_id: str) -> str | None:
        entry = self._codes.pop(task_id, None)
        if entry is None or entry[1] <= self._clock():
            return None
        return entry[0]


def retry_after(detail: str, after: float) -> SendResult:
    return SendResult(SendStatus.RETRY, retry_after=after, detail=detail)


def unreachable(detail: str) -> SendResult:
    """WeCom could not be reached (refused, a connect timeout, a 5xx): the row waits for it, never "failed"."""
    return SendResult(SendStatus.RETRY, retry_after=NETWORK_BACKOFF, detail=detail, outage=True)


def recipient_of(touser: str | None, toparty: str | None) -> tuple[dict[str, str], str]:
    if bool(touser) == bool(toparty):
        raise ValueError("give exactly one of touser and toparty")
    if touser:
        return {"touser": touser}, f"user:{touser}"
    return {"toparty": str(toparty)}, f"party:{toparty}"


def outcome_of(data: dict[str, Any]) -> SendResult:
    errcode = int(data.get("errcode", 0))
    errmsg = str(data.get("errmsg", ""))
    if errcode == 0:
        invalid = [f"{k}={data[k]}" for k in ("invaliduser", "invalidparty") if data.get(k)]
        if invalid:
            return SendResult(SendStatus.INACTIVE, detail="; ".join(invalid))
        msgid = data.get("msgid")
        return SendResult(SendStatus.SENT, message_id=str(msgid) if msgid else None)
    detail = f"errcode {errcode}: {errmsg}"
    if errcode in TOKEN_ERRCODES:
        return retry_after(detail, 1.0)
    if errcode in BUSY_ERRCODES:
        return retry_after(detail, BUSY_ERRCODES[errcode])
    if errcode in INACTIVE_ERRCODES:
        return SendResult(SendStatus.INACTIVE, detail=detail)
    return SendResult(SendStatus.FAILED, detail=detail)
