"""Chats: bindings of platform addresses to units, invites, and a chat's chosen plan."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, func, select

from storage.models import (
    AuthFailure,
    ChatIdentity,
    ChatPlan,
    Deferral,
    Invite,
    Outbox,
    Unit,
)
from storage.prebuilt import prebuilt
from storage.repo.deferrals import awaiting_terms
from storage.views import core_rows


def chat_plan(*, session: Session, platform: str, address: str) -> ChatPlan | None:
    return session.get(ChatPlan, (platform, address))


def chats_of_units(*, session: Session, unit_ids: Sequence[int]) -> dict[int, list[str]]:
    """Unit id → its active bound chats as platform:address."""
    if not unit_ids:
        return {}
    stmt = select(ChatIdentity).where(col(ChatIdentity.unit_id).in_(list(unit_ids)), ChatIdentity.active)
    out: dict[int, list[str]] = {}
    for c in session.exec(stmt.order_by(ChatIdentity.id)).all():
        out.setdefault(c.unit_id, []).append(f"{c.platform}:{c.address}")
    return out


def rekey_address(*, session: Session, platform: str, old: str, new: str) -> int:
    """Move bindings and unsent outbox rows from one address to another (a group became a supergroup)."""
    idents = session.exec(
        select(ChatIdentity).where(ChatIdentity.platform == platform, ChatIdentity.address == old)
    ).all()
    for ident in idents:
        if identity_at(session=session, platform=platform, address=new) is None:
            ident.address = new
    for row in session.exec(
        select(Outbox).where(Outbox.recipient == f"{platform}:{old}", col(Outbox.state).in_(("pending", "retry")))
    ).all():
        row.recipient = f"{platform}:{new}"
    return len(idents)


# Platforms whose addresses are unique ignoring case: WeCom userids are (WangWu and wangwu are one member).
CASELESS_PLATFORMS = frozenset({"wecom"})


def identity_at(*, session: Session, platform: str, address: str, active_only: bool = False) -> ChatIdentity | None:
    """The binding of one address on one platform, if any."""
    return session.exec(_identity(select(ChatIdentity), platform, address, active_only)).first()


@prebuilt
def _identity_unit_waiting(_dialect: str, caseless: bool):
    waiting = select(Deferral.id).where(*awaiting_terms(since=True)).exists()
    stmt = select(ChatIdentity, Unit, waiting).join(Unit, col(Unit.id) == ChatIdentity.unit_id, isouter=True)
    return _identity(stmt, bindparam("platform"), bindparam("address"), False, caseless)


def identity_unit_and_waiting(*, session: Session, platform: str, address: str, requester: str,
                              since: datetime) -> tuple[ChatIdentity | None, Unit | None, bool | None]:
    """The binding of one address (as identity_at) with its unit, and whether `requester` has a deferral
    awaiting its date since `since` (None, not known, when the address has no binding): one statement, as
    every chat update asks."""
    caseless = platform in CASELESS_PLATFORMS
    params = {"platform": platform, "address": address.lower() if caseless else address, "by": requester,
              "since": since}
    row = session.exec(_identity_unit_waiting(session, caseless), params=params).first()
    return (row[0], row[1], bool(row[2])) if row is not None else (None, None, None)


def _identity(stmt, platform, address, active_only: bool, caseless: bool | None = None):
    """`stmt` narrowed to the bindings of one address (values, or bound parameters with `caseless` given)."""
    stmt = stmt.where(ChatIdentity.platform == platform)
    if caseless is None:
        caseless = platform in CASELESS_PLATFORMS
        address = address.lower() if caseless else address
    if caseless:
        stmt = stmt.where(func.lower(ChatIdentity.address) == address)
    else:
        stmt = stmt.where(ChatIdentity.address == address)
    if active_only:
        stmt = stmt.where(ChatIdentity.active)
    return stmt.order_by(ChatIdentity.id)


def bound_chats(*, session: Session, unit_id: int) -> list[ChatIdentity]:
    """Every active chat bound to a unit."""
    stmt = select(ChatIdentity).where(ChatIdentity.unit_id == unit_id, ChatIdentity.active).order_by(ChatIdentity.id)
    return list(session.exec(stmt).all())


def auth_failures(*, session: Session, platform: str, user_id: str, since: datetime) -> int:
    """How many wrong invite codes this person sent since `since`."""
    stmt = select(func.count()).select_from(AuthFailure).where(
        AuthFailure.platform == platform, AuthFailure.user_id == user_id, col(AuthFailure.at) > since)
    return session.exec(stmt).one()


def invite_by_code(*, session: Session, code: str) -> Invite | None:
    """The invite with this code, used or not."""
    return session.exec(select(Invite).where(Invite.code == code)).first()


def chat_routes(*, session: Session) -> list[tuple[int | None, str, str]]:
    """(unit id, platform, address) of every active binding, oldest first: where each unit's nudges go."""
    stmt = select(ChatIdentity.unit_id, ChatIdentity.platform, ChatIdentity.address).where(ChatIdentity.active)
    return [tuple(r) for r in core_rows(session, stmt.order_by(ChatIdentity.id))]
