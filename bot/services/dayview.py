"""The language layer's vocabulary as the board sees it today: one meaning for "overdue" and "due".

The vocabulary (bot/services/vocab.py) holds each task's stored dates; the board reads effective deadlines,
moved back to working days, recurring ones by occurrence, and a report answering a recurring deadline. A
question that filters by status or time reads the same days and the same red light as /overdue and /due.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlmodel import Session

from bot.config import Settings
from bot.reminders.views import load_views_of
from bot.services.board import Light, due_days, light_of
from bot.services.vocab import PlanVocab
from bot.workdays import WorkCalendar


def vocab_today(pv: PlanVocab, *, session: Session, now: datetime, settings: Settings,
                calendar: WorkCalendar) -> PlanVocab:
    """`pv` with each task's due days and overdue flag as the board reckons them at `now`."""
    tasks = pv.vocab.tasks
    today = now.astimezone(settings.app.tz).date()
    views = load_views_of(session=session, task_ids=list(tasks), now=now, tz=settings.app.tz, lights=True)
    fresh = dict(tasks)
    for v in views:
        light = light_of(v, today, calendar=calendar, settings=settings)[0]
        days = tuple(dict.fromkeys(due_days(v, today, calendar=calendar, settings=settings, every=True)))
        fresh[v.id] = dataclasses.replace(tasks[v.id], deadlines=days, overdue=light == Light.RED)
    return dataclasses.replace(pv, vocab=dataclasses.replace(pv.vocab, tasks=fresh))
