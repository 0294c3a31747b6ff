"""A plan starts where it is imported: a recurring deadline's occurrences before that were never owed here."""

from __future__ import annotations

from datetime import date

from bot.config import Settings
from bot.reminders.policy import reminders_for_day
from bot.reminders.views import load_task_views
from bot.services.board import board
from bot.services.importer import apply_plan
from bot.workdays import WorkCalendar
from storage.db import session_scope
from tests.helpers import at

MONTH_END = {"date": None, "text": "每月末报送", "source": "extracted", "kind": "recurring", "certain": True,
             "recurrence": {"freq": "monthly", "day": None, "month": None}}


def plan() -> dict:
    task = {"ref": "1", "section": "一、安全", "title": "安全隐患排查月报", "objective": "", "measures": "",
            "lead": ["安全办"], "co": [], "deadlines": [MONTH_END], "warnings": []}
    return {"plan": {"title": "2026年安全生产工作要点", "year": 2026}, "tasks": [task], "units": [], "warnings": []}


def state(engine, day: date) -> tuple[str, list[str]]:
    """(the board's light, the kinds of reminder owed) for the task on `day`."""
    settings, cal = Settings(), WorkCalendar()
    now = at(day.year, day.month, day.day, 10)
    with session_scope(engine) as s:
        light = board(session=s, now=now, settings=settings, calendar=cal)[0].light
        views = load_task_views(session=s, now=now, tz=settings.app.tz)
    kinds = [r.kind for r in reminders_for_day(views, day, calendar=cal, policy=settings.reminders, supervisors=[9])]
    return light, kinds


def test_occurrences_before_the_import_are_not_overdue(memory_engine):
    with session_scope(memory_engine) as s:
        apply_plan(session=s, parsed=plan(), now=at(2026, 12, 7))
    light, kinds = state(memory_engine, date(2026, 12, 7))  # 11-30 fell before the plan was in duban
    assert light != "red" and "overdue" not in kinds and "escalation" not in kinds
    light, kinds = state(memory_engine, date(2026, 12, 30))  # 12-31 is a Thursday: due the day before
    assert light != "red" and "overdue" not in kinds


def test_the_first_occurrence_after_the_import_is(memory_engine):
    with session_scope(memory_engine) as s:
        apply_plan(session=s, parsed=plan(), now=at(2026, 12, 7))
    light, kinds = state(memory_engine, date(2027, 1, 5))  # 12-31 passed unreported
    assert light == "red" and "overdue" in kinds


def test_a_plan_imported_at_its_start_owes_every_occurrence(memory_engine):
    with session_scope(memory_engine) as s:
        apply_plan(session=s, parsed=plan(), now=at(2026, 1, 5))
    light, kinds = state(memory_engine, date(2026, 3, 2))  # 02-27 (a Friday, for 02-28) passed unreported
    assert light == "red" and "overdue" in kinds
