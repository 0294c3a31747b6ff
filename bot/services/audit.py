"""Audit rows: what was done from a chat that no other record keeps (a forged button, a chat's new address)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.models import AuditLog


def note(*, session: Session, at: datetime, actor: str, action: str, detail: str) -> None:
    """Write one audit row."""
    session.add(AuditLog(at=at, actor=actor, action=action, detail=detail))
