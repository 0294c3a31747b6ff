"""The next reminder knows what the unit said: one member's report shows in the reminder to any of the unit's chats,
and a co-unit whose part is in is not asked for it again (the rule: bot/reminders/said.py)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from bot.config import Settings
from bot.notify import from_payload
from bot.services.binding import bind_directly
from bot.services.reports import record_report, set_deadline
from bot.services.tasks import require_task
from bot.workdays import WorkCalendar
from jobs.sweep import sweep_due
from storage import repo
from storage.db import session_scope
from storage.models import Outbox, ReportStatus
from tests.chat_harness import Chat
from tests.helpers import at, load, plan, task

SETTINGS = Settings()


def _texts(engine, recipient: str) -> list[str]:
    with session_scope(engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.recipient == recipient, Outbox.kind != "notice")
                      .order_by(Outbox.id)).all()
        return [from_payload(r.payload).text for r in rows]


def _sweep(engine, now, settings: Settings = SETTINGS):
    with session_scope(engine) as s:
        return sweep_due(session=s, now=now, settings=settings, calendar=WorkCalendar())


async def test_a_members_report_shows_in_the_next_reminder_to_the_units_other_chat(memory_engine, seed_path):
    chat = Chat(memory_engine, seed_path)  # 安全办 bound in group -200
    with session_scope(memory_engine) as s:  # a second person of 安全办, in a private chat
        bind_directly(session=s, unit_name="安全办", platform="telegram", address="555", now=chat.now, actor="t")
        set_deadline(session=s, task=require_task(session=s, ref="25"), when=date(2021, 9, 1), label="", now=chat.now,
                     actor="t")  # 7 working days off on 08-23: a rung of the ladder
    assert "已记录" in await chat.say("/report 25 推进中 60% 已完成隐患排查")  # member A, in the group
    _sweep(memory_engine, chat.now + timedelta(minutes=30))
    (text,) = [t for t in _texts(memory_engine, "telegram:555") if "第25项" in t]  # member B's reminder
    assert "本单位已于8月23日反馈：推进中 60%，已完成隐患排查。如有新进展请更新。" in text
    assert "还有 7 个工作日" in text  # the date still stands: reminded, but not as if nothing was said
    (group,) = [t for t in _texts(memory_engine, "telegram:-200") if "第25项" in t]
    assert "本单位已于8月23日反馈" in group


def test_a_unit_that_has_not_spoken_is_reminded_as_before(memory_engine):
    now = at(2021, 8, 23)
    load(memory_engine, plan(task("12", ["职教办"], [], date(2021, 9, 1))), at(2021, 1, 4))
    with session_scope(memory_engine) as s:
        bind_directly(session=s, unit_name="职教办", platform="console", address="a", now=now, actor="t")
        bind_directly(session=s, unit_name="职教办", platform="console", address="b", now=now, actor="t")
    _sweep(memory_engine, now)
    for chat in ("console:a", "console:b"):
        (text,) = _texts(memory_engine, chat)
        assert "反馈：" not in text and "还有 7 个工作日" in text


def _report(engine, unit: str, when, status: str = "in_progress", note: str = "配合材料已报牵头单位") -> None:
    with session_scope(engine) as s:
        t = repo.task_by_ref(session=s, plan_id=repo.current_plan(session=s).id, ref="12")
        record_report(session=s, task=t, unit_id=repo.units_by_name(session=s)[unit].id, status=ReportStatus(status),
                      percent=None, note=note, reporter="t", now=when)


def test_a_co_unit_whose_part_is_in_is_not_asked_for_it_again(memory_engine):
    # Due 09-01: the co-units' own date is 08-27, and 08-24 is 3 working days before it (a rung).
    now = at(2021, 8, 24)
    load(memory_engine, plan(task("12", ["职教办"], ["人事股", "计财股", "安全办"], date(2021, 9, 1))), at(2021, 1, 4))
    for unit, address in (("人事股", "rs1"), ("人事股", "rs2"), ("计财股", "jc"), ("安全办", "aq")):
        with session_scope(memory_engine) as s:
            bind_directly(session=s, unit_name=unit, platform="console", address=address, now=now, actor="t")
    _report(memory_engine, "人事股", at(2021, 8, 23))  # one member of 人事股 reported yesterday
    _report(memory_engine, "安全办", at(2021, 7, 1), note="已开始")  # long ago: not fresh
    _sweep(memory_engine, now)
    assert _texts(memory_engine, "console:rs1") == [] and _texts(memory_engine, "console:rs2") == []  # settled
    (jc,) = _texts(memory_engine, "console:jc")
    assert "报送配合情况" in jc and "反馈：" not in jc  # has not spoken: asked as before
    (aq,) = _texts(memory_engine, "console:aq")
    assert "报送配合情况" in aq and "本单位已于7月1日反馈：推进中，已开始。" in aq  # asked, knowing what it said


def test_a_digest_line_says_what_the_unit_said_on_that_task(memory_engine):
    now = at(2021, 8, 23)  # a Monday: three tasks due 09-01 make one digest
    load(memory_engine, plan(*(task(ref, ["职教办"], [], date(2021, 9, 1)) for ref in ("12", "13", "14"))),
         at(2021, 1, 4))
    with session_scope(memory_engine) as s:
        bind_directly(session=s, unit_name="职教办", platform="console", address="a", now=now, actor="t")
    _report(memory_engine, "职教办", at(2021, 8, 23, 9, 0), note="实训基地已开工")
    _sweep(memory_engine, now)
    (digest,) = _texts(memory_engine, "console:a")
    lines = {line.split("「")[0][3:]: line for line in digest.splitlines()[1:4]}
    assert lines["第12项"].endswith("；本单位8月23日已反馈：推进中，实训基地已开工")
    assert "已反馈" not in lines["第13项"] and "已反馈" not in lines["第14项"]
