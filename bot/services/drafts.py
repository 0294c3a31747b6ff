"""Plan files sent in chat wait here, parsed, until an admin taps 确认导入 or 取消."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session

from bot.plan.model import ParsedPlan
from bot.services.importer import content_hash
from storage.models import PlanDraft


def _as_dict(parsed) -> dict:
    return parsed.to_dict() if hasattr(parsed, "to_dict") else parsed


def stage_draft(*, session: Session, parsed: ParsedPlan, source_name: str, created_by: str, now: datetime) -> str:
    """Keep a parsed upload; returns the short key its buttons carry (the same file twice is one draft)."""
    key = content_hash(parsed)[:12]
    draft = session.get(PlanDraft, key) or PlanDraft(key=key)
    draft.parsed = json.dumps(_as_dict(parsed), ensure_ascii=False)
    draft.source_name, draft.created_by, draft.created_at = source_name, created_by, now
    session.add(draft)
    return key


def take_draft(*, session: Session, key: str) -> tuple[ParsedPlan, str] | None:
    """Remove and return a staged upload (parsed plan, file name), or None when it is gone."""
    draft = session.get(PlanDraft, key)
    if draft is None:
        return None
    session.delete(draft)
    data = json.loads(draft.parsed)
    from_dict = getattr(ParsedPlan, "from_dict", None)
    return (from_dict(data) if from_dict else data), draft.source_name


def drop_draft(*, session: Session, key: str) -> bool:
    """Forget a staged upload; False when there was none."""
    draft = session.get(PlanDraft, key)
    if draft is None:
        return False
    session.delete(draft)
    return True
