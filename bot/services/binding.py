"""Who is who: invite codes, binding a chat to a unit, and admin checks."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.config import Settings
from bot.notify import Recipient
from bot.services.errors import NotFound
from bot.services.leaders import ensure_leader, leader_name
from bot.services.units import require_unit
from storage import repo
from storage.chat_reads import ChatReads
from storage.models import AuditLog, AuthFailure, ChatIdentity, Invite, Person, Unit, UnitKind

INVITE_TTL = timedelta(days=7)
MAX_FAILURES = 5  # wrong codes per person …
FAILURE_WINDOW = timedelta(hours=1)  # … in this window, then guessing is refused
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O/1/I: codes get read aloud and retyped


@dataclass
class Actor:
    """The person behind an event, as the domain sees them."""

    platform: str
    user_id: str
    chat_id: str
    is_group: bool
    is_admin: bool
    identity: ChatIdentity | None
    unit: Unit | None

    @property
    def ref(self) -> str:
        return f"{self.platform}:{self.user_id}"

    @property
    def unit_id(self) -> int | None:
        return self.unit.id if self.unit else None

    @property
    def is_leader(self) -> bool:
        """Bound to a leader (局长, 分管领导), who writes 批示 and hands items down."""
        return self.unit is not None and self.unit.kind == UnitKind.LEADER


def is_admin(settings: Settings, platform: str, user_id: str) -> bool:
    if platform == "console":
        return True  # the console is the operator's own terminal
    if platform == "telegram":
        return user_id.lstrip("-").isdigit() and int(user_id) in settings.telegram.admins
    if platform == "wecom":  # WeCom userids are unique ignoring case
        return user_id.lower() in {a.lower() for a in settings.wecom.admins}
    return False


def admin_recipients(settings: Settings) -> list[Recipient]:
    """Where admin notices go: every configured admin on every enabled platform."""
    out = [Recipient("telegram", str(a)) for a in settings.telegram.admins] if settings.telegram.enabled else []
    out += [Recipient("wecom", u) for u in settings.wecom.admins] if settings.wecom.enabled else []
    return out


def actor_from(*, settings: Settings, platform: str, user_id: str, chat_id: str, is_group: bool,
               reads: ChatReads) -> Actor:
    """The person behind an event, from its reads (storage.chat_reads): the group chat's binding for a group,
    else the person's own; a WeCom department's member acting on the department's card acts for its unit."""
    ident = reads.identity
    if ident is not None and not ident.active:
        # They blocked us once (or left); writing to us again means pushes reach them again.
        ident.active = True
    return Actor(platform, user_id, chat_id, is_group, is_admin(settings, platform, user_id), ident, reads.unit)


def create_invite(*, session: Session, unit_name: str, now: datetime, created_by: str,
                  aliases: dict[str, str] | None = None, office_id: int | None = None) -> Invite:
    """A one-time code that binds a chat to a unit (of one office)."""
    unit = require_unit(session=session, name=unit_name, aliases=aliases, office_id=office_id)
    code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    invite = Invite(code=code, unit_id=unit.id, created_by=created_by, created_at=now, expires_at=now + INVITE_TTL)
    session.add(invite)
    session.add(AuditLog(at=now, actor=created_by, action="invite.create", detail=f"{unit.name} {code}"))
    session.flush()
    return invite


def redeem_invite(*, session: Session, code: str, platform: str, user_id: str, chat_id: str, is_group: bool,
                  now: datetime, user_name: str | None = None) -> Unit | str:
    """Bind this chat to the invite's unit, or return why not; wrong guesses are counted and limited.

    A wrong code returns its message instead of raising, so the counted failure is committed with it.
    """
    recent = repo.auth_failures(session=session, platform=platform, user_id=user_id, since=now - FAILURE_WINDOW)
    if recent >= MAX_FAILURES:
        return "邀请码输错次数过多，请一小时后再试，或联系办公室重新获取邀请码。"
    invite = repo.invite_by_code(session=session, code=code.strip().upper())
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        session.add(AuthFailure(platform=platform, user_id=user_id, at=now))
        reason = "已被使用" if invite and invite.used_at else "已过期" if invite else "无效"
        return f"邀请码{reason}。请向办公室索取新的邀请码。"
    unit = session.get(Unit, invite.unit_id)
    ident = repo.identity_at(session=session, platform=platform, address=chat_id)
    if ident is None:
        ident = ChatIdentity(platform=platform, address=chat_id, created_at=now)
        session.add(ident)
    ident.user_id, ident.unit_id, ident.is_group, ident.active = user_id, unit.id, is_group, True
    if not is_group:  # a person: keep who they are beside where they are reached
        person = session.get(Person, ident.person_id) if ident.person_id else None
        if person is None:
            person = Person(created_at=now)
            session.add(person)
        person.name, person.unit_id = user_name or person.name or f"{platform}:{user_id}", unit.id
        session.flush()
        ident.person_id = person.id
    invite.used_at, invite.used_by = now, f"{platform}:{user_id}"
    repo.unsweep_unit(session=session, unit_id=unit.id)
    session.add(AuditLog(at=now, actor=f"{platform}:{user_id}", action="bind", detail=f"{chat_id} → {unit.name}"))
    session.flush()
    return unit


def bind_directly(*, session: Session, unit_name: str, platform: str, address: str, now: datetime, actor: str,
                  is_group: bool = False, aliases: dict[str, str] | None = None,
                  office_id: int | None = None, leader: bool = False) -> Unit:
    """An admin binds an address (a WeCom userid, a chat id) to a unit, or to a leader, without a code."""
    if leader:
        unit = ensure_leader(session=session, office_id=office_id, name=unit_name, now=now)
    else:
        try:
            unit = require_unit(session=session, name=unit_name, aliases=aliases, office_id=office_id)
        except NotFound:
            # A leader the plan (or an admin) named binds the same way: "/bind 张副局长" in the console.
            leaders = [u for u in repo.units_of_kind(session=session, office_id=office_id, kind=UnitKind.LEADER)
                       if u.name == leader_name(unit_name)]
            if len(leaders) != 1:
                raise
            unit = leaders[0]
    ident = repo.identity_at(session=session, platform=platform, address=address)
    if ident is None:
        ident = ChatIdentity(platform=platform, address=address, user_id=address, created_at=now)
        session.add(ident)
    ident.unit_id, ident.is_group, ident.active = unit.id, is_group, True
    repo.unsweep_unit(session=session, unit_id=unit.id)
    session.add(AuditLog(at=now, actor=actor, action="bind", detail=f"{platform}:{address} → {unit.name}"))
    session.flush()
    return unit
