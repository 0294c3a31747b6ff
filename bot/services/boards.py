"""The board of every open plan of an office, each its own section, the annual plan first."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.services.board import TaskLight, board
from bot.services.offices import main_plan
from bot.workdays import WorkCalendar
from storage import repo
from storage.models import Plan


def open_plans_in_order(*, session: Session, office_id: int | None) -> list[Plan]:
    """The office's open plans: the main (annual) plan first, then the others oldest first."""
    plans = sorted(repo.active_plans(session=session, office_id=office_id), key=lambda p: p.id)
    first = main_plan(session=session, office_id=office_id, plans=plans)
    return [first, *(p for p in plans if p is not first)] if first is not None else plans


def every_board(*, session: Session, now: datetime, settings: Settings, calendar: WorkCalendar,
                office_id: int | None) -> list[tuple[Plan, list[TaskLight]]]:
    """(plan, its lights) for every open plan of the office, in the order a reader expects."""
    return [(p, board(session=session, now=now, settings=settings, calendar=calendar, plan=p, office_id=office_id))
            for p in open_plans_in_order(session=session, office_id=office_id)]
