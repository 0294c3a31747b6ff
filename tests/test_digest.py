"""The weekly digest (周报): each unit's dues, the leaders' lights, once per unit per week whatever the restarts."""

from __future__ import annotations

from sqlmodel import select

from bot.config import Settings
from bot.services.binding import bind_directly
from bot.services.importer import apply_plan
from bot.workdays import WorkCalendar
from jobs.digest import weekly_digests
from storage.db import session_scope
from storage.models import Outbox
from tests.helpers import at, parsed_plan


def _store(engine, seed_path):
    with session_scope(engine) as s:
        apply_plan(session=s, parsed=parsed_plan(seed_path), now=at(2021, 3, 1))
        for unit, address in (("职教办", "501"), ("督导室", "502")):
            bind_directly(session=s, unit_name=unit, platform="telegram", address=address, now=at(2021, 3, 1),
                          actor="t")


def _run(engine, now, settings=None):
    with session_scope(engine) as s:
        return weekly_digests(session=s, now=now, settings=settings or Settings(), calendar=WorkCalendar())


def test_units_and_supervisors_get_one_digest_a_week(memory_engine, seed_path):
    _store(memory_engine, seed_path)
    friday = at(2021, 8, 27, 15, 30)
    assert _run(memory_engine, at(2021, 8, 27, 9, 30)) == 0  # before the hour
    assert _run(memory_engine, at(2021, 8, 26, 15, 30)) == 0  # not the day
    # 职教办's own digest; 督导室 gets its own (it co-owns tasks) and, as the supervisor, the lights: one message.
    assert _run(memory_engine, friday) == 2
    assert _run(memory_engine, friday.replace(hour=16)) == 0  # a later sweep, or a restart: nothing twice
    with session_scope(memory_engine) as s:
        rows = s.exec(select(Outbox)).all()
    unit = next(r.payload for r in rows if r.recipient == "telegram:501")
    assert "【督办周报】职教办" in unit and "两周内到期" in unit and "第12项" in unit
    lights = next(r.payload for r in rows if r.recipient == "telegram:502")
    assert "【督办周报·全局】" in lights and "本周新增进展反馈" in lights
    assert _run(memory_engine, at(2021, 9, 3, 15, 30)) == 2  # the next week


def test_an_ended_plan_sends_no_digest(memory_engine, seed_path):
    _store(memory_engine, seed_path)
    assert _run(memory_engine, at(2022, 3, 4, 15, 30)) == 0


def test_the_digest_day_is_configurable_and_can_be_off(memory_engine, seed_path):
    _store(memory_engine, seed_path)
    monday = Settings(reminders={"weekly_digest_day": 1, "weekly_digest_hour": 9})
    assert _run(memory_engine, at(2021, 8, 23, 9, 30), monday) == 2
    off = Settings(reminders={"weekly_digest_day": 0})
    assert _run(memory_engine, at(2021, 8, 27, 15, 30), off) == 0


def test_one_weekly_message_per_chat_carries_the_unit_part_and_the_office_picture(memory_engine, seed_path):
    _store(memory_engine, seed_path)
    _run(memory_engine, at(2021, 8, 27, 15, 30))
    with session_scope(memory_engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.recipient == "telegram:502")).all()
    (row,) = rows  # 督导室 co-owns tasks and supervises: one message, both parts
    assert "【督办周报】督导室" in row.payload and "【督办周报·全局】" in row.payload
