"""Deferral requests: those waiting for an admin and those awaiting their new date."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, literal
from sqlmodel import Session, col, select

from storage.models import (
    Deferral,
    DeferralStatus,
)
from storage.prebuilt import prebuilt


def awaiting_terms(*, since: bool) -> list:
    """The terms for the requester bound as `by`'s deferrals still awaiting their date (made after the bound
    `since`, with `since`). The status is written into the SQL, not bound, so either planner can prove the
    partial index's condition (migration 0010) whatever it knows of the values."""
    terms = [Deferral.requested_by == bindparam("by"),
             Deferral.status == literal(DeferralStatus.AWAITING_DATE.value, literal_execute=True)]
    if since:
        terms.append(col(Deferral.created_at) > bindparam("since", type_=Deferral.__table__.c.created_at.type))
    return terms


@prebuilt
def _awaiting_deferrals(_dialect: str, since: bool):
    stmt = select(Deferral).where(*awaiting_terms(since=since))
    return stmt.order_by(col(Deferral.created_at).desc(), col(Deferral.id).desc())


def awaiting_deferrals(*, session: Session, requested_by: str, since: datetime | None = None) -> list[Deferral]:
    """A requester's deferrals still awaiting their date, newest first (only those made after `since`)."""
    stmt = _awaiting_deferrals(session, since is not None)
    return list(session.exec(stmt, params={"by": requested_by, "since": since}).all())


def pending_deferrals(*, session: Session) -> list[Deferral]:
    """Deferral requests waiting for an admin, oldest first."""
    stmt = select(Deferral).where(Deferral.status == "pending").order_by(col(Deferral.created_at), Deferral.id)
    return list(session.exec(stmt).all())
