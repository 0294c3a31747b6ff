"""What the 通报 counts of the closing loop per unit: 申请办结 sent back (退回) and items left unsigned (签收)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage import events
from storage.models import TaskEventKind


def closure_counts(*, session: Session, pairs: list, begin: datetime, as_of: datetime) -> dict[int, dict[str, int]]:
    """Unit id → {"returns": reviews in [begin, as_of] that sent back a task it leads, "unsigned": 签收 asked of it
    by `as_of` and not given by then}, over the (view, light) `pairs`."""
    leads = {v.id: v.lead for v, _ in pairs}
    out: dict[int, dict[str, int]] = {}

    def bump(unit_id: int, key: str) -> None:
        out.setdefault(unit_id, {"returns": 0, "unsigned": 0})[key] += 1

    for e in events.events_of(session=session, task_ids=list(leads)):
        if e.kind == TaskEventKind.RETURN and begin <= e.at <= as_of:
            for u in leads.get(e.task_id, []):
                bump(u, "returns")
    for ask, signed in events.receipts(session=session):
        if ask.task_id in leads and ask.at <= as_of and (signed is None or signed.at > as_of):
            bump(ask.unit_id, "unsigned")
    return out
