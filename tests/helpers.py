"""Small builders shared by the engine tests."""

from __future__ import annotations

import copy
import functools
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import insert

from bot.notify import OutboundMessage, Recipient, SendResult, SendStatus, to_payload
from bot.plan import ParsedPlan
from bot.services import planfile
from bot.services.importer import apply_plan
from storage.db import session_scope
from storage.models import Outbox
from tests.conftest import SH


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 30) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def task(ref: str, lead: list[str], co: list[str] | None = None, deadline: date | None = None, text: str = "") -> dict:
    dls = [{"date": deadline.isoformat(), "text": text or f"{deadline.month}月{deadline.day}日前", "source": "extracted",
            "certain": True, "kind": "once"}] if deadline else []
    return {"ref": ref, "section": "一、测试", "title": f"任务{ref}", "objective": "", "measures": "", "lead": lead,
            "co": co or [], "deadlines": dls, "warnings": []}


def plan(*tasks: dict, year: int = 2021) -> dict:
    return {"plan": {"title": f"{year}年工作要点", "year": year}, "tasks": list(tasks), "units": [], "warnings": []}


@functools.cache
def _parsed(path: Path, stamp: tuple[int, int]) -> ParsedPlan:
    return planfile.parse(path)


def parsed_plan(path) -> ParsedPlan:
    """planfile.parse(path), read once per session (most chat fixtures import the seed plan, and reading it costs
    a tenth of a second): each call gets its own deep copy, so no test sees what another did to it."""
    stat = Path(path).stat()
    return copy.deepcopy(_parsed(Path(path), (stat.st_mtime_ns, stat.st_size)))


def fill_outbox(engine, n: int, *, now: datetime, text: str = "提醒", **values) -> None:
    """`n` pending outbox rows to n console chats, in one statement; `values` override columns."""
    payload = to_payload(OutboundMessage(text=text))
    with session_scope(engine) as s:
        s.execute(insert(Outbox), [{"key": f"k{i}", "recipient": f"console:u{i}", "kind": "notice", "occurrence": "d",
                                    "payload": payload, "state": "pending", "attempts": 0, "created_at": now,
                                    "next_attempt_at": now, "error": "", "parts_sent": 0, **values}
                                   for i in range(n)])


def load(engine, parsed: dict, now: datetime) -> None:
    with session_scope(engine) as s:
        apply_plan(session=s, parsed=parsed, now=now)


class RecordingSender:
    """A sender that records what it was asked to send; can be told to fail or crash."""

    def __init__(self, platform: str = "console") -> None:
        self.platform = platform
        self.sent: list[tuple[Recipient, OutboundMessage]] = []
        self.script: list[SendResult | BaseException] = []
        self._ids = 0

    async def send(self, recipient: Recipient, message: OutboundMessage) -> SendResult:
        if self.script:
            step = self.script.pop(0)
            if isinstance(step, BaseException):
                raise step
            if step.status != SendStatus.SENT:
                return step
        self._ids += 1
        self.sent.append((recipient, message))
        return SendResult(SendStatus.SENT, message_id=str(self._ids))
