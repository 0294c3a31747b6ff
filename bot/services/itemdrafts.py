"""Items read from chat words wait as drafts for their author's 确认; a draft never confirmed expires."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.services.errors import Forbidden, UserError
from bot.services.items import ItemSpec
from storage.models import AuditLog, ItemDraft


@dataclass(frozen=True)
class Draft:
    """A staged item: the spec to create on 确认, the units the office lacks, and the source's time-limit words."""

    spec: ItemSpec
    unknown: list[str] = field(default_factory=list)
    due_text: str = ""

    def to_json(self) -> str:
        d = asdict(self.spec)
        d["due"] = self.spec.due.isoformat() if self.spec.due else None
        d["assigned_on"] = self.spec.assigned_on.isoformat() if self.spec.assigned_on else None
        return json.dumps({"spec": d, "unknown": self.unknown, "due_text": self.due_text}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Draft:
        raw = json.loads(text)
        s = raw["spec"]
        s["lead"], s["co"] = tuple(s["lead"]), tuple(s["co"])
        s["due"] = date.fromisoformat(s["due"]) if s["due"] else None
        s["assigned_on"] = date.fromisoformat(s["assigned_on"]) if s["assigned_on"] else None
        return cls(ItemSpec(**s), raw.get("unknown", []), raw.get("due_text", ""))


def stage(*, session: Session, draft: Draft, office_id: int | None, created_by: str, now: datetime,
          minutes: int) -> str:
    """Keep a draft until it is confirmed, changed, cancelled or `minutes` pass; returns its key."""
    key = secrets.token_hex(4)
    session.add(ItemDraft(key=key, office_id=office_id, payload=draft.to_json(), created_by=created_by,
                          created_at=now, expires_at=now + timedelta(minutes=minutes)))
    session.flush()
    return key


class DraftGone(UserError):
    """The draft was handled already, or expired before its 确认."""


def take(*, session: Session, key: str, actor: str, now: datetime, state: str) -> tuple[Draft, ItemDraft]:
    """The open draft `key`, now moved to `state` (created / cancelled); one clear line when it cannot be."""
    row = session.get(ItemDraft, key)
    if row is None or row.state not in ("open", "expired"):
        raise DraftGone("这份督办事项草稿已经处理过了。")
    if row.created_by != actor:
        raise Forbidden("只有发起人可以确认或修改这份草稿。")
    if row.state == "expired" or row.expires_at < now:
        row.state = "expired"
        session.add(row)
        minutes = int((row.expires_at - row.created_at).total_seconds() // 60)
        raise DraftGone(f"这份督办事项草稿已过期（{minutes}分钟内未确认），没有创建。如仍需交办，请重新发送。")
    row.state = state
    session.add(row)
    session.add(AuditLog(at=now, actor=actor, action=f"item.draft.{state}", detail=key))
    return Draft.from_json(row.payload), row
