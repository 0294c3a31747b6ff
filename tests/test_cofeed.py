"""The lead's reminders and digests say which co-units have reported on the task this period."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot.config import Settings
from bot.notify import from_payload
from bot.render import reminder_text
from bot.services.binding import bind_directly
from bot.services.reports import record_report
from bot.workdays import WorkCalendar
from jobs.sweep import sweep_due
from storage import repo
from storage.db import session_scope
from storage.models import Outbox, ReportStatus
from tests.helpers import at, load, plan, task

SETTINGS = Settings()


def _bind(engine, unit, address, now):
    with session_scope(engine) as s:
        bind_directly(session=s, unit_name=unit, platform="console", address=address, now=now, actor="test")


def _report(engine, ref, unit, when, status="note"):
    with session_scope(engine) as s:
        p = repo.current_plan(session=s)
        t = repo.task_by_ref(session=s, plan_id=p.id, ref=ref)
        record_report(session=s, task=t, unit_id=repo.units_by_name(session=s)[unit].id, status=ReportStatus(status),
                      percent=None, note="配合情况", reporter="t", now=when)


def _texts(engine, recipient):
    with session_scope(engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.recipient == recipient).order_by(Outbox.id)).all()
        return [from_payload(r.payload).text for r in rows]


def _sweep(engine, now):
    with session_scope(engine) as s:
        return sweep_due(session=s, now=now, settings=SETTINGS, calendar=WorkCalendar())


def test_lead_reminder_names_co_units_that_have_and_have_not_reported(memory_engine):
    now = at(2021, 8, 23)
    load(memory_engine, plan(task("12", ["职教办"], ["人事股", "计财股"], date(2021, 9, 1))), at(2021, 1, 4))
    _report(memory_engine, "12", "人事股", at(2021, 8, 20))
    _bind(memory_engine, "职教办", "zjb", now)
    _bind(memory_engine, "人事股", "rsg", now)
    assert _sweep(memory_engine, now).written == 1  # the co-units' own date (08-27) is 4 working days off
    (text,) = _texts(memory_engine, "console:zjb")
    assert "还有 7 个工作日。\n配合单位已反馈：人事股；尚未反馈：计财股。\n" in text


def test_a_report_before_the_previous_deadline_is_the_previous_periods(memory_engine):
    now = at(2021, 8, 23)
    t = task("14", ["职教办"], ["人事股"], date(2021, 9, 1))
    t["deadlines"].insert(0, {"date": "2021-03-31", "text": "3月底前", "source": "extracted", "certain": True,
                              "kind": "once"})
    load(memory_engine, plan(t), at(2021, 1, 4))
    _report(memory_engine, "14", "人事股", at(2021, 3, 15))
    _bind(memory_engine, "职教办", "zjb", now)
    _sweep(memory_engine, now)
    texts = _texts(memory_engine, "console:zjb")
    upcoming = next(x for x in texts if "时限2021年9月1日" in x)
    assert "配合单位尚未反馈：人事股。" in upcoming
    for x in texts:  # any nudge about the March date sees the March report
        if "时限2021年3月31日" in x:
            assert "配合单位均已反馈（人事股）。" in x


def test_digest_lines_carry_the_feed_for_tasks_the_unit_leads(memory_engine):
    now = at(2021, 8, 23)  # a Monday: a unit with three tasks due this week gets one digest
    load(memory_engine, plan(task("1", ["职教办"], ["计财股"], date(2021, 9, 1)),
                             task("2", ["职教办"], [], date(2021, 9, 1)),
                             task("3", ["职教办"], ["人事股"], date(2021, 9, 1))), at(2021, 1, 4))
    _report(memory_engine, "3", "人事股", at(2021, 8, 2))
    _bind(memory_engine, "职教办", "zjb", now)
    _sweep(memory_engine, now)
    (digest,) = _texts(memory_engine, "console:zjb")
    lines = {line.split("「")[0][3:]: line for line in digest.splitlines() if "「" in line}
    assert lines["第1项"].endswith("；配合单位未反馈：计财股") and lines["第3项"].endswith("；配合单位均已反馈")
    assert "配合单位" not in lines["第2项"]


def test_wording_of_the_feed():
    info = reminder_text.TaskInfo("任务", "1", ["职教办"])
    assert reminder_text.co_feed(info) == ""
    info.co_reported, info.co_pending = ["人事股", "计财股"], []
    assert reminder_text.co_feed(info) == "配合单位均已反馈（人事股、计财股）。"
    info.co_reported, info.co_pending = [], ["人事股"]
    assert reminder_text.co_feed(info) == "配合单位尚未反馈：人事股。"
