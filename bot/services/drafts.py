"""Plan files sent in chat wait here, parsed, until an admin taps 确认导入 or 取消 (and answers unit questions)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session

from bot.plan.model import ParsedPlan
from bot.services.importer import content_hash
from storage.models import PlanDraft


def stage_draft(*, session: Session, parsed: ParsedPlan, source_name: str, created_by: str, now: datetime) -> str:
    """Keep a parsed upload; returns the short key its buttons carry (the same file twice is one draft)."""
    key = content_hash(parsed)[:12]
    draft = session.get(PlanDraft, key) or PlanDraft(key=key)
    draft.parsed = json.dumps({"plan": ParsedPlan.coerce(parsed).to_dict(), "answers": {}}, ensure_ascii=False)
    draft.source_name, draft.created_by, draft.created_at = source_name, created_by, now
    session.add(draft)
    return key


def _load(draft: PlanDraft) -> tuple[ParsedPlan, dict[str, str]]:
    data = json.loads(draft.parsed)
    if "plan" not in data:  # staged by the release before answers were kept: the plan-json itself
        return ParsedPlan.coerce(data), {}
    return ParsedPlan.coerce(data["plan"]), dict(data.get("answers") or {})


def peek_draft(*, session: Session, key: str) -> tuple[ParsedPlan, str, dict[str, str]] | None:
    """A staged upload (parsed plan, file name, alias answers so far), left in place."""
    draft = session.get(PlanDraft, key)
    if draft is None:
        return None
    parsed, answers = _load(draft)
    return parsed, draft.source_name, answers


def answer_draft(*, session: Session, key: str, alias: str, unit: str | None) -> dict[str, str] | None:
    """Record an admin's answer to a unit question (`unit` None: a new unit of its own); returns all answers."""
    draft = session.get(PlanDraft, key)
    if draft is None:
        return None
    parsed, answers = _load(draft)
    if unit is None:
        answers.pop(alias, None)
    else:
        answers[alias] = unit
    data = json.loads(draft.parsed)  # other answers held on the draft (task matches) stay
    data.update({"plan": parsed.to_dict(), "answers": answers})
    draft.parsed = json.dumps(data, ensure_ascii=False)
    session.add(draft)
    return answers


def draft_matches(*, session: Session, key: str) -> dict[str, str]:
    """An admin's answers so far to a staged revision's match questions (ref → stored ref, "" for new)."""
    draft = session.get(PlanDraft, key)
    return dict(json.loads(draft.parsed).get("matches") or {}) if draft is not None else {}


def answer_match(*, session: Session, key: str, ref: str, old: str) -> dict[str, str] | None:
    """Record which stored task (`old`, "" for a new task) a staged revision's task `ref` is; returns all."""
    draft = session.get(PlanDraft, key)
    if draft is None:
        return None
    data = json.loads(draft.parsed)
    if "plan" not in data:
        data = {"plan": data, "answers": {}}
    data.setdefault("matches", {})[ref] = old
    draft.parsed = json.dumps(data, ensure_ascii=False)
    session.add(draft)
    return dict(data["matches"])


def take_draft(*, session: Session, key: str) -> tuple[ParsedPlan, str, dict[str, str]] | None:
    """Remove and return a staged upload (parsed plan, file name, alias answers), or None when it is gone."""
    draft = session.get(PlanDraft, key)
    if draft is None:
        return None
    session.delete(draft)
    parsed, answers = _load(draft)
    return parsed, draft.source_name, answers


def drop_draft(*, session: Session, key: str) -> bool:
    """Forget a staged upload; False when there was none."""
    draft = session.get(PlanDraft, key)
    if draft is None:
        return False
    session.delete(draft)
    return True
