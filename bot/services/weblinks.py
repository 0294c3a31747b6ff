"""Personal web board links: signed with the store's key, expiring, revocable per holder.

A link is `/web/<token>/`; the token names the holder (an admin, a leader or a unit), when it was issued and
when it expires, with an HMAC-SHA256 over all three. Nothing is stored per link: `duban web revoke NAME` writes
one instant per holder, and every link of that holder issued before it stops opening.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.config import Settings
from bot.services import buttons
from bot.services.binding import is_admin
from bot.services.errors import UserError
from storage import repo
from storage import web as store
from storage.models import Unit, UnitKind

KINDS = {"a": "admin", "l": "leader", "u": "unit"}
_CODES = {v: k for k, v in KINDS.items()}


@dataclass(frozen=True)
class Viewer:
    """Who opened the board: what they may see follows from `kind` (admin and leader: the whole office)."""

    kind: str  # admin | leader | unit
    unit_id: int | None
    name: str
    office_id: int | None

    @property
    def holder(self) -> str:
        return holder_of(self.kind, self.unit_id)

    @property
    def sees_office(self) -> bool:
        return self.kind in ("admin", "leader")


def holder_of(kind: str, unit_id: int | None) -> str:
    """The revocation key of one holder: "admin", "leader:12", "unit:5"."""
    return "admin" if kind == "admin" else f"{kind}:{unit_id}"


def web_key(*, session: Session, now: datetime) -> bytes:
    """A key for links alone, derived from the store's signing key so a button signature never passes as one."""
    return hmac.new(buttons.signing_key(session=session, now=now), b"duban web board", hashlib.sha256).digest()


def _sig(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:32]  # 128 bits: a link is long-lived


def make_token(key: bytes, viewer: Viewer, *, now: datetime, days: int) -> str:
    """The signed token of `viewer`'s link, valid for `days` from `now`."""
    issued = int(now.timestamp())
    body = f"{_CODES[viewer.kind]}{viewer.unit_id or 0}.{issued}.{issued + days * 86400}"
    return f"{body}.{_sig(key, body)}"


@dataclass(frozen=True)
class Opened:
    """A token checked: the viewer, or why it is refused (expired | forged | revoked | gone)."""

    viewer: Viewer | None
    refused: str = ""


def open_token(*, session: Session, key: bytes, token: str, now: datetime) -> Opened:
    """The viewer a token stands for, or the reason it opens nothing."""
    parts = token.split(".")
    if len(parts) != 4 or not hmac.compare_digest(_sig(key, ".".join(parts[:3])), parts[3]):
        return Opened(None, "forged")
    head, issued, expires = parts[0], int(parts[1]), int(parts[2])
    kind, unit_id = KINDS.get(head[:1]), int(head[1:] or 0)
    if kind is None:
        return Opened(None, "forged")
    if now.timestamp() >= expires:
        return Opened(None, "expired")
    revoked = store.revoked_at(session=session, holder=holder_of(kind, unit_id or None))
    if revoked is not None and revoked.timestamp() >= issued:
        return Opened(None, "revoked")
    if kind == "admin":
        return Opened(_admin(_only_office(session)))
    unit = session.get(Unit, unit_id)
    if unit is None or _of_unit(unit).kind != kind:
        return Opened(None, "gone")
    return Opened(_of_unit(unit))


def viewer_named(*, session: Session, kind: str, name: str = "", office_id: int | None = None) -> Viewer:
    """The viewer for `duban web link`: the admin, or the leader or unit of that name."""
    if kind == "admin":
        return _admin(office_id if office_id else _only_office(session))
    unit = _unit(session, office_id, name)
    if unit is None or _of_unit(unit).kind != kind:
        what = "领导" if kind == "leader" else "单位"
        raise UserError(f"没有名为“{name}”的{what}，请核对名称（领导先用 duban bind --leader 绑定）")
    return _of_unit(unit)


def _admin(office_id: int | None) -> Viewer:
    return Viewer("admin", None, "管理员", office_id)


def _only_office(session: Session) -> int | None:
    """The store's office when it has exactly one (an admin then sees that office), else None."""
    found = repo.offices(session=session)
    return found[0].id if len(found) == 1 else None


def _of_unit(unit: Unit) -> Viewer:
    """A leader's view (the whole office) or a unit's (its own items)."""
    return Viewer("leader" if unit.kind == UnitKind.LEADER else "unit", unit.id, unit.name, unit.office_id)


def _unit(session: Session, office_id: int | None, name: str) -> Unit | None:
    """The unit or leader of this name: in the office given, else in the one office that has it."""
    offices = [office_id] if office_id else [None, *(o.id for o in repo.offices(session=session))]
    found = [u for o in offices if (u := repo.unit_named(session=session, office_id=o, name=name.strip()))]
    return found[0] if len(found) == 1 else None


def revoke_named(*, session: Session, name: str, now: datetime, office_id: int | None = None) -> Viewer:
    """Stop every link issued so far to the holder called `name` ("admin"/"管理员" for the admins' links)."""
    if name.strip().lower() in ("admin", "管理员"):
        viewer = viewer_named(session=session, kind="admin", office_id=office_id)
    else:
        unit = _unit(session, office_id, name)
        if unit is None:
            raise UserError(f"没有名为“{name}”的领导或单位，请核对名称")
        viewer = _of_unit(unit)
    store.revoke(session=session, holder=viewer.holder, now=now)
    return viewer


def link_for(*, session: Session, viewer: Viewer, now: datetime, base_url: str, days: int) -> tuple[str, datetime]:
    """(the personal link, when it expires)."""
    token = make_token(web_key(session=session, now=now), viewer, now=now, days=days)
    return f"{base_url.rstrip('/')}/web/{token}/", now + timedelta(days=days)


def viewer_of_person(*, session: Session, unit: Unit | None, admin: bool) -> Viewer | None:
    """The view a chat's person gets: an admin the office's, a leader the office's, a unit its own; else None."""
    if admin:
        return _admin(unit.office_id if unit else _only_office(session))
    return _of_unit(unit) if unit is not None else None


def viewer_of_wecom_user(*, session: Session, settings: Settings, user_id: str) -> Viewer | None:
    """The view of a WeCom member who opened the board from the workbench (OAuth2 gave us their userid)."""
    ident = repo.identity_at(session=session, platform="wecom", address=user_id)
    unit = session.get(Unit, ident.unit_id) if ident is not None and ident.unit_id else None
    return viewer_of_person(session=session, unit=unit, admin=is_admin(settings, "wecom", user_id))


def leader_link(*, session: Session, settings: Settings, unit: Unit, now: datetime) -> tuple[str, datetime] | None:
    """A leader's personal link for the weekly 周报, when the board is on and has an address; else None."""
    if not (settings.web.enabled and settings.web.base_url) or unit.kind != UnitKind.LEADER:
        return None
    return link_for(session=session, viewer=_of_unit(unit), now=now, base_url=settings.web.base_url,
                    days=settings.web.link_days)
