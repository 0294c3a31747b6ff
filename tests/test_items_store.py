"""督办 items in the store, on SQLite and PostgreSQL: migration 0013 over an older store, the item queries, drafts,
instructions answered by reports, and the dry run over a copy of the store."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import column, insert, table
from sqlmodel import col, select

from bot.config import Settings
from bot.notify import from_payload
from bot.services import instructions, itemdrafts
from bot.services.binding import bind_directly
from bot.services.items import ItemSpec, create_item, list_items
from bot.services.reports import record_report
from bot.workdays import WorkCalendar
from jobs.simulate import simulate_store
from storage.db import make_engine, migrate, session_scope
from storage.items import item_plans
from storage.models import ItemInstruction, Outbox, Plan, ReportStatus, Task, Unit
from storage.types import AwareDateTime
from tests.helpers import at, load, plan, task
from tests.test_delivery_migration import upgrade_to

NOW = at(2021, 9, 1)
SETTINGS = Settings()
CAL = WorkCalendar()


def _add(session, title="校舍排查", source="领导批示", lead=("安全办",), **kw):
    return create_item(session=session, spec=ItemSpec(title=title, source=source, lead=lead, **kw), office_id=None,
                       settings=SETTINGS.items, calendar=CAL, now=NOW, actor="test")


def test_upgrade_from_0010_keeps_plans_as_plans(store_url):
    engine = make_engine(store_url)
    upgrade_to(engine, "0010")
    old = table("plan", *(column(c) for c in ("id", "title", "year", "source_name", "content_hash", "active",
                                               "short_name")), column("imported_at", AwareDateTime()))
    with engine.begin() as conn:
        conn.execute(insert(old), [{"id": 1, "title": "2021年工作要点", "year": 2021, "source_name": "a.txt",
                                    "content_hash": "h", "active": True, "short_name": "工作要点", "imported_at": NOW}])
    migrate(engine)
    with session_scope(engine) as s:
        (p,) = s.exec(select(Plan)).all()
        assert (p.kind, p.source) == ("plan", "")
    engine.dispose()


def test_items_number_per_source_and_list_by_source(engine):
    load(engine, plan(task("1", ["安全办"]), task("2", ["基教股"], ["财务股"])), NOW)
    with session_scope(engine) as s:
        assert _add(s).ref == "批示1"
        assert _add(s, title="食堂检查", urgent=True, co=("财务股",)).ref == "批示2"
        meeting = _add(s, title="课后服务", source="会议", lead=("基教股",))
        assert (meeting.ref, meeting.source, meeting.due) == ("会议1", "会议议定", date(2021, 9, 29))
    with session_scope(engine) as s:
        rows = list_items(session=s, office_id=None, settings=SETTINGS.items, source="批示")
        assert [(r.ref, r.lead, r.co, r.due) for r in rows] == [
            ("批示1", ["安全办"], [], date(2021, 9, 23)), ("批示2", ["安全办"], ["财务股"], date(2021, 9, 8))]
        plans = item_plans(session=s, office_id=None)
        assert [(p.title, p.short_name, (p.kind, p.source)) for p in plans] == [
            ("2021年领导批示件", "批示", ("items", "领导批示")), ("2021年会议议定件", "会议", ("items", "会议议定"))]


def _answers(s) -> list[tuple[str, str]]:
    return [(o.recipient, from_payload(o.payload).text) for o in s.exec(select(Outbox).where(
        col(Outbox.key).contains("answer"))).all()]


def test_a_report_answers_the_leaders_instruction_once(engine):
    load(engine, plan(task("1", ["安全办"])), NOW)
    with session_scope(engine) as s:
        item = _add(s)
        t = s.get(Task, item.task_id)
        leader = bind_directly(session=s, unit_name="张副局长", platform="wecom", address="zhang", now=NOW,
                               actor="test", leader=True)
        given = instructions.give(session=s, task=t, leader=leader, words="抓紧推进，9月底前报结果", today=NOW.date(), calendar=CAL,
                                  now=NOW, actor="test")
        assert given.due == date(2021, 9, 30) and [u.name for u in given.lead] == ["安全办"]
        ack = instructions.give(session=s, task=t, leader=leader, words="已阅", today=NOW.date(), calendar=CAL, now=NOW,
                                actor="test")
        assert ack.row.notifies is False and ack.due is None
    with session_scope(engine) as s:  # the report service itself sends it on, whoever records the report
        t = s.get(Task, item.task_id)
        unit = s.exec(select(Unit).where(Unit.name == "安全办")).one()
        record_report(session=s, task=t, unit_id=unit.id, status=ReportStatus.IN_PROGRESS, percent=50, note="过半",
                      reporter="test", now=NOW + timedelta(hours=1))
    with session_scope(engine) as s:
        assert _answers(s) == [("wecom:zhang", "【批示反馈】张副局长：您批示的批示1「校舍排查」有了新反馈——\n安全办：推进中 50%：过半")]
        record_report(session=s, task=s.get(Task, item.task_id), unit_id=None, status=ReportStatus.NOTE, percent=None,
                      note="again", reporter="test", now=NOW + timedelta(hours=2))
    with session_scope(engine) as s:
        assert len(_answers(s)) == 1  # answered once
        assert len(s.exec(select(ItemInstruction)).all()) == 2


def test_a_draft_expires(engine):
    draft = itemdrafts.Draft(ItemSpec(title="x", source="领导批示", lead=("安全办",), due=date(2021, 9, 30)))
    with session_scope(engine) as s:
        late = itemdrafts.stage(session=s, draft=draft, office_id=None, created_by="t:1", now=NOW, minutes=60)
        key = itemdrafts.stage(session=s, draft=draft, office_id=None, created_by="t:1", now=NOW, minutes=60)
    with session_scope(engine) as s, pytest.raises(itemdrafts.DraftGone, match="已过期"):
        itemdrafts.take(session=s, key=late, actor="t:1", now=NOW + timedelta(minutes=61), state="created")
    with session_scope(engine) as s:
        with pytest.raises(itemdrafts.DraftGone, match="已过期"):  # expired stays expired
            itemdrafts.take(session=s, key=late, actor="t:1", now=NOW, state="created")
        back, _row = itemdrafts.take(session=s, key=key, actor="t:1", now=NOW + timedelta(minutes=59), state="created")
        assert back == draft
    with session_scope(engine) as s, pytest.raises(itemdrafts.DraftGone, match="已经处理过"):
        itemdrafts.take(session=s, key=key, actor="t:1", now=NOW, state="created")


def test_simulate_over_the_store_reminds_items_and_leaves_the_store_alone(engine):
    load(engine, plan(task("1", ["安全办"], deadline=date(2021, 12, 31))), NOW)
    with session_scope(engine) as s:
        _add(s, title="食堂检查", urgent=True)
    result = simulate_store(engine, start=date(2021, 9, 1), end=date(2021, 9, 30), settings=SETTINGS)
    mine = {(e["kind"], e["unit"], e.get("plan"), e["task"]) for e in result["reminders"] if e["kind"] != "weekly"}
    assert {("due", "安全办", "批示", "1"), ("overdue", "安全办", "批示", "1"),
            ("escalation", "督导室", "批示", "1")} <= mine
    with session_scope(engine) as s:
        assert s.exec(select(Outbox)).all() == []


@pytest.mark.parametrize(("words", "due"), [
    ("抓紧推进，月底前报结果", date(2021, 8, 31)),  # this month's end, as the issue's own example says it
    ("本月底前报送进展", date(2021, 8, 31)),
    ("10月底前完成", date(2021, 10, 31)),
    ("下周五前报送", date(2021, 9, 3)),
    ("下周三报送情况", date(2021, 9, 1)),
    ("5个工作日内办结", date(2021, 8, 30)),  # weekends skipped
    ("年底前全部完成", date(2021, 12, 31)),
    ("抓紧推进", None),
    ("今年要抓好", None),  # a period, not a limit
    ("近期完成", None),  # too vague to be a date
    ("今日起每周报送进展", None),  # when it starts, not a limit
    ("明天前报送", date(2021, 8, 24)),
    ("9月10日报送", date(2021, 9, 10)),
    # A limit said wins over a date merely named in the task: next Friday, not the start of term.
    ("下周五前报送秋季开学检查情况", date(2021, 9, 3)),
    ("报送秋季开学检查情况，下周五前", date(2021, 9, 3)),
    ("开学前完成校舍维修", date(2021, 9, 1)),
    ("3个工作日内报送国庆假期安排", date(2021, 8, 26)),
])
def test_a_time_limit_said_relative_to_today_is_read(words, due):
    from bot.nlu.items import read_time_limit
    assert read_time_limit(words, today=date(2021, 8, 23), calendar=CAL)[0] == due  # a Monday


async def test_items_do_not_make_the_annual_plans_answers_name_their_plan(memory_engine, seed_path):
    from tests.chat_harness import Chat

    chat = Chat(memory_engine, seed_path)
    assert not (await chat.say("第25项进展如何")).startswith("【")
    with session_scope(memory_engine) as s:
        item = _add(s)
        ref = s.get(Task, item.task_id).ref
    # a standing item plan is open beside the annual plan now; 第25项 is still only the annual plan's
    answer = await chat.say("第25项进展如何")
    assert not answer.startswith("【") and "第25项" in answer, answer
    assert not (await chat.say(f"批示{ref}进展如何")).startswith("【")


@pytest.mark.parametrize(("body", "title"), [
    ("10月底前完成校舍安全排查，安全办牵头", "完成校舍安全排查"),
    ("下周五前报送秋季开学检查情况，安全办牵头", "报送秋季开学检查情况"),
    ("明天前报送食堂检查结果，安全办牵头", "报送食堂检查结果"),
    ("5个工作日内完成整改，安全办牵头", "完成整改"),
    ("完成校舍安全排查，10月底前，安全办牵头", "完成校舍安全排查"),
])
def test_the_time_limits_words_leave_the_title(body, title):
    from bot.nlu.items import read_body
    assert read_body(body, today=date(2021, 8, 23), calendar=CAL)[0] == title


@pytest.mark.parametrize(("words", "bad"), [
    ("2月30日前完成", "2月30日"), ("13月5日前完成", "13月5日"), ("2021年2月29日前", "2021年2月29日"),
    ("二月三十日前完成", "二月三十日"), ("2月29日前完成", ""), ("10月31日前完成", ""), ("第12项抓紧推进", ""),
])
def test_a_month_and_day_no_calendar_has_is_found(words, bad):
    from bot.nlu.items import impossible_date
    assert impossible_date(words) == bad


def test_working_days_in_a_time_limit_are_the_offices_calendar():
    from bot.nlu.items import read_time_limit
    # From Wednesday 9月29日: 9月30日, then the National Day holiday, 10月8日, and Saturday 10月9日 (调休, a workday).
    assert read_time_limit("3个工作日内报结果", today=date(2021, 9, 29), calendar=CAL)[0] == date(2021, 10, 9)
