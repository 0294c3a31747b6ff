"""申请延期: a unit asks for a later deadline, names the date, and an admin approves or refuses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.services.errors import NotFound, UserError
from bot.services.reports import parse_date, set_deadline
from storage import repo
from storage.models import AuditLog, Deferral, DeferralStatus, Task

DEFERRAL_WAIT = timedelta(days=1)  # a 申请延期 tap waits this long for its date
CANCEL_WORDS = frozenset({"取消", "cancel", "算了", "不延期了"})
_LOOKS_LIKE_DATE = re.compile(r"^\s*(\d{4}[-/.年]|\d{1,2}[-/.月]|\d{1,2}日)")


def reads_as_date(text: str) -> bool:
    """True when the text starts like a date ("10月15日", "2021-10-15 理由…")."""
    return bool(_LOOKS_LIKE_DATE.match(text))


def is_cancel(text: str) -> bool:
    return text.strip().lower() in CANCEL_WORDS


def request(*, session: Session, task: Task, unit_id: int | None, requested_by: str, now: datetime) -> Deferral:
    """Open a request that waits for its date; only the requester's newest request waits."""
    for d in repo.awaiting_deferrals(session=session, requested_by=requested_by):
        d.status = DeferralStatus.REJECTED
        d.reason = d.reason or "被新的延期申请取代"
    deferral = Deferral(task_id=task.id, unit_id=unit_id, requested_by=requested_by, created_at=now)
    session.add(deferral)
    session.flush()
    return deferral


def awaiting(*, session: Session, requested_by: str, now: datetime) -> Deferral | None:
    """The requester's open request still waiting for a date, if any."""
    found = repo.awaiting_deferrals(session=session, requested_by=requested_by, since=waiting_since(now))
    return found[0] if found else None


def waiting_since(now: datetime) -> datetime:
    """The oldest a request may be and still wait for its date at `now`."""
    return now - DEFERRAL_WAIT


def cancel(deferral: Deferral, *, reason: str = "申请人取消") -> None:
    deferral.status, deferral.reason = DeferralStatus.REJECTED, reason


def hold_text(deferral: Deferral, text: str) -> None:
    """Keep a text that was neither a date nor a note until the requester says which it is.

    It waits on the request itself (the reason field is free until a date arrives), so a button tap
    later can record it as a note without carrying the text in a 64-byte callback.
    """
    deferral.reason = text.strip()[:1000]


_DATE_FIRST = re.compile(r"\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?|\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?"
                         r"|\d{1,2}\s*月\s*(?:底|末|初|中旬|上旬|下旬|份)?)\s*(?:前|之前|以前)?")
_REASON_LEAD = re.compile(r"^[\s,.:;、，。：；!！]*(?:因为|由于|因|原因是|原因|理由是|理由)?[\s,.:;、，。：；]*")


def split_date(text: str) -> tuple[str, str]:
    """("10月31日", "设备未到货") from "10月31日前，因为设备未到货": the date written first, then the reason,
    with or without a space between them."""
    m = _DATE_FIRST.match(text)
    if m is None:
        first, _, rest = text.strip().partition(" ")
        return first, rest.strip()
    when = re.sub(r"\s+", "", m.group(1)).replace("号", "日")
    return when, _REASON_LEAD.sub("", text[m.end():], count=1).strip()


def answer(*, session: Session, deferral: Deferral, text: str, today: date) -> Task:
    """The date (and reason) after a 申请延期 tap: the request now waits for an admin."""
    first, reason = split_date(text)
    when = parse_date(first, today=today)
    if when <= today:
        raise UserError("延期后的日期应晚于今天。")
    deferral.requested_date, deferral.reason, deferral.status = when, reason.strip(), DeferralStatus.PENDING
    session.flush()
    return session.get(Task, deferral.task_id)


@dataclass
class Decision:
    """An admin's verdict on a request."""

    deferral: Deferral
    task: Task
    approved: bool


def decide(*, session: Session, deferral_id: int, approve: bool, actor: str, now: datetime) -> Decision:
    """Approve (the new date replaces the task's deadline) or refuse a pending request."""
    deferral = session.get(Deferral, deferral_id)
    if deferral is None or deferral.status != DeferralStatus.PENDING:
        raise NotFound("该延期申请已处理。")
    task = session.get(Task, deferral.task_id)
    deferral.decided_by, deferral.decided_at = actor, now
    if approve:
        deferral.status = DeferralStatus.APPROVED
        set_deadline(session=session, task=task, when=deferral.requested_date,
                     label=f"延期至{deferral.requested_date.isoformat()}（已批准）", now=now, actor=actor)
    else:
        deferral.status = DeferralStatus.REJECTED
    session.add(AuditLog(at=now, actor=actor, action=f"deferral.{deferral.status}",
                         detail=f"第{task.ref}项 → {deferral.requested_date.isoformat()}"))
    return Decision(deferral, task, approve)


def pending(*, session: Session) -> list[Deferral]:
    """Every request waiting for an admin, oldest first."""
    return repo.pending_deferrals(session=session)
