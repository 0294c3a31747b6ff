"""What every chat event reads, as one named record: the chat's binding and unit, whether the sender's 申请延期
waits for its date, and the office's open plans with the plan this chat last used.

Two statements for a bound chat (the binding with the waiting flag; the plans with the chat's choice); an
unbound sender's waiting flag and an admin's office take one more each. A WeCom department's member tapping the
department's card reads the department's binding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from storage import repo
from storage.models import ChatIdentity, Plan, Unit


@dataclass(frozen=True)
class ChatReads:
    """One chat event's reads."""

    identity: ChatIdentity | None
    unit: Unit | None
    deferral_waiting: bool  # the sender has a 申请延期 waiting for its date
    office_id: int | None  # the unit's office, else the store's only one (None: every office)
    plans: tuple[Plan, ...]  # the office's open plans, newest first (empty for a chat with no binding)
    chosen_plan_id: int | None  # the plan this chat last used, if still one of them


def read_chat_event(*, session: Session, platform: str, address: str, requester: str, waiting_since: datetime,
                    via_message_id: str | None = None, with_plans: bool = True) -> ChatReads:
    """The reads of one chat event at `address` by `requester`; `with_plans` False skips the plans (an unbound
    sender who is no admin sees none)."""
    ident, unit, waiting = repo.identity_unit_and_waiting(session=session, platform=platform, address=address,
                                                          requester=requester, since=waiting_since)
    if ident is None and via_message_id:
        sent = repo.outbox_by_message(session=session, message_id=via_message_id,
                                      recipient_prefix=f"{platform}:dept:")
        if sent is not None:
            ident = repo.identity_at(session=session, platform=platform, address=sent.recipient.split(":", 1)[1],
                                     active_only=True)
            unit = session.get(Unit, ident.unit_id) if ident and ident.unit_id else None
    if ident is None:  # no binding here (an admin's own chat, a department member): the flag is read apart
        waiting = bool(repo.awaiting_deferrals(session=session, requested_by=requester, since=waiting_since))
    office_id = unit.office_id if unit is not None else None
    plans: list[Plan] = []
    chosen = None
    if with_plans or unit is not None:
        if unit is None:
            found = repo.offices(session=session)
            office_id = found[0].id if len(found) == 1 else None
        plans, chosen = repo.plans_and_chat_choice(session=session, office_id=office_id, platform=platform,
                                                   address=address)
    return ChatReads(ident, unit, bool(waiting), office_id, tuple(plans), chosen)
