"""What a chat event reads, as named records: the chat's binding (with its unit and whether the sender's
申请延期 waits for its date), read for every event in one statement; and the office's open plans with the plan
this chat last used (one more), read once by the events that need a plan.

A WeCom department's member tapping the department's
card reads the department's binding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from storage import repo
from storage.models import ChatIdentity, Plan, Unit


@dataclass(frozen=True)
class ChatReads:
    """One chat event's binding."""

    identity: ChatIdentity | None
    unit: Unit | None
    # The sender has a 申请延期 waiting for its date; None: not read with the binding (there is none here: an
    # admin's own chat, a department member), so whoever needs it asks deferrals.awaiting.
    deferral_waiting: bool | None


@dataclass(frozen=True)
class OfficePlans:
    """The office a chat works for, its open plans (newest first) and the plan the chat last used."""

    office_id: int | None  # the unit's office, else the store's only one (None: every office)
    plans: tuple[Plan, ...]
    chosen_plan_id: int | None  # the plan this chat last used, if still one of them


def read_chat_event(*, session: Session, platform: str, address: str, requester: str, waiting_since: datetime,
                    via_message_id: str | None = None) -> ChatReads:
    """The binding of one chat event at `address` by `requester`."""
    ident, unit, waiting = repo.identity_unit_and_waiting(session=session, platform=platform, address=address,
                                                          requester=requester, since=waiting_since)
    if ident is None and via_message_id:
        sent = repo.outbox_by_message(session=session, message_id=via_message_id,
                                      recipient_prefix=f"{platform}:dept:")
        if sent is not None:
            ident = repo.identity_at(session=session, platform=platform, address=sent.recipient.split(":", 1)[1],
                                     active_only=True)
            unit = session.get(Unit, ident.unit_id) if ident and ident.unit_id else None
    return ChatReads(ident, unit, None if ident is None else bool(waiting))


def read_office_plans(*, session: Session, unit: Unit | None, platform: str, address: str) -> OfficePlans:
    """The office of a chat bound to `unit` (unbound: the store's only office) with its plans and the chat's."""
    if unit is not None:
        office_id = unit.office_id
    else:
        found = repo.offices(session=session)
        office_id = found[0].id if len(found) == 1 else None
    plans, chosen = repo.plans_and_chat_choice(session=session, office_id=office_id, platform=platform,
                                               address=address)
    return OfficePlans(office_id, tuple(plans), chosen)
