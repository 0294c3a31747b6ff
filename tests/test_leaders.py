"""Leaders (牵头领导): named by the plan or an admin, bound like unit heads, told of escalations and their week."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert, text
from sqlmodel import select

from bot.app import App
from bot.config import Settings
from bot.reminders.policy import DeadlineView, TaskView, reminders_for_day
from bot.services import planfile, queries
from bot.services.binding import bind_directly
from bot.services.importer import apply_plan
from bot.services.leaders import leader_rows, set_task_leaders
from bot.services.tasks import require_task
from bot.workdays import WorkCalendar
from jobs.digest import weekly_digests
from storage.db import make_engine, migrate, session_scope
from storage.models import Outbox, Unit, UnitKind
from tests.fake_bot_api import FakeBotApi
from tests.helpers import at
from tests.test_delivery_migration import upgrade_to
from tests.test_schedule_migration import _t

PLAN = Path(__file__).parent / "fixtures" / "plans" / "leaders.txt"  # written for these tests, in the genre
CAL = WorkCalendar()


def _import(engine, now=at(2021, 7, 1)):
    with session_scope(engine) as s:
        apply_plan(session=s, parsed=planfile.parse(PLAN), now=now)


def test_the_plans_leader_lines_name_leaders_not_units(memory_engine):
    _import(memory_engine)
    with session_scope(memory_engine) as s:
        one = queries.task_detail(session=s, ref="1")
        two = queries.task_detail(session=s, ref="2")
        rows = {r.name: r.tasks for r in leader_rows(session=s, office_id=None)}
        units = [u.name for u in queries.unit_overview(session=s)]
    assert (one.lead, one.co, one.leaders) == (["安全办"], ["基建股"], ["张副局长"])
    assert two.leaders == ["李副局长", "王局长"]
    assert rows == {"张副局长": ["1", "3"], "李副局长": ["2"], "王局长": ["2"]}
    assert "张副局长" not in units and "安全办" in units  # a leader owns nothing and is no unit


def test_escalations_reach_the_tasks_leaders_as_well_as_the_supervisors():
    due = date(2021, 8, 2)
    view = TaskView(1, "1", "排查", 2021, [1], [], [DeadlineView(10, due, "8月2日前", "extracted")], leaders=[7])
    late5 = CAL.add_workdays(due, 5)
    got = reminders_for_day([view], late5, calendar=CAL, policy=Settings().reminders, supervisors=[9])
    assert sorted((r.unit_id, r.kind) for r in got if r.kind == "escalation") == [(7, "escalation"), (9, "escalation")]


def test_admin_named_leaders_survive_a_reimport_and_document_ones_follow_it(memory_engine, tmp_path):
    _import(memory_engine)
    with session_scope(memory_engine) as s:
        task = require_task(session=s, ref="2")
        after = set_task_leaders(session=s, task=task, add=["赵副局长"], remove=["王局长"], now=at(2021, 7, 2),
                                 actor="t")
    assert sorted(after) == ["李副局长", "赵副局长"]
    revised = tmp_path / "revised.txt"
    revised.write_text(PLAN.read_text(encoding="utf-8").replace("分管领导：李副局长、王局长", "分管领导：孙副局长"),
                       encoding="utf-8")
    with session_scope(memory_engine) as s:
        apply_plan(session=s, parsed=planfile.parse(revised), now=at(2021, 7, 3))
        assert sorted(queries.task_detail(session=s, ref="2").leaders) == ["孙副局长", "赵副局长"]


def test_cli_binds_a_leader_names_one_on_a_task_and_lists_them(cli):
    assert cli("plan", "import", str(PLAN))[0] == 0
    code, out, _ = cli("bind", "--leader", "钱局长", "telegram:9001")
    assert code == 0 and "已将 telegram:9001 绑定到领导钱局长" in out
    code, out, _ = cli("task", "3", "--leader", "钱局长")
    assert code == 0 and "牵头领导：张副局长、钱局长" in out
    code, out, _ = cli("leaders")
    assert code == 0 and "钱局长" in out and "telegram:9001" in out and "未绑定" in out
    code, out, err = cli("bind", "--leader", "安全办", "telegram:9002")
    assert code != 0 and "“安全办”是责任单位，不是领导" in out + err and "Traceback" not in out + err
    code, out, err = cli("task", "3", "--no-leader", "周局长")
    assert code != 0 and "第3项没有领导“周局长”" in out + err
    code, out, _ = cli("units")
    assert "钱局长" not in out


def test_a_leaders_week_shows_the_tasks_they_lead(memory_engine):
    _import(memory_engine)
    with session_scope(memory_engine) as s:
        bind_directly(session=s, unit_name="张副局长", platform="telegram", address="77", now=at(2021, 7, 1),
                      actor="t", leader=True)
    with session_scope(memory_engine) as s:
        assert weekly_digests(session=s, now=at(2021, 8, 6, 15, 30), settings=Settings(), calendar=CAL) == 1
        (row,) = s.exec(select(Outbox)).all()
    assert "【督办周报·张副局长牵头领导的任务】" in row.payload and "共 2 项" in row.payload
    assert "第1项" in row.payload  # overdue since 8月2日


@pytest.fixture
async def api():
    fake = await FakeBotApi().start()
    yield fake
    await fake.stop()


async def test_a_bound_leader_gets_the_escalation_on_telegram(api, tmp_path):
    settings = Settings(database={"url": f"sqlite:///{tmp_path / 'duban.db'}"},
                        telegram={"token": api.token, "base_url": api.base_url, "base_file_url": api.base_file_url},
                        app={"load_sample_plan": False})
    late5 = at(2021, 8, 9, 9, 30)  # 8月2日 + 5 working days
    service = App(settings, clock=lambda: late5)
    try:
        _import(service.engine)
        with session_scope(service.engine) as s:
            bind_directly(session=s, unit_name="张副局长", platform="telegram", address="8801", now=late5,
                          actor="t", leader=True)
            bind_directly(session=s, unit_name="安全办", platform="telegram", address="8802", now=late5, actor="t")
        await service.open_senders()
        service.sweep()
        await service.dispatch()
    finally:
        await service.stop()
    sent = {(m["chat_id"], m["text"].split("\n")[0]) for m in api.requests("sendMessage")}
    assert (8801, "【督办升级】第1项「开展校园安全隐患排查整治」") in sent
    assert any(chat == 8802 and head.startswith("【逾期提醒】第1项") for chat, head in sent)
    assert not any(chat == 8801 and "第2项" in head for chat, head in sent)  # not the leader of task 2


def test_migration_0007_keeps_units_as_units(store_url):
    engine = make_engine(store_url)
    upgrade_to(engine, "0006")
    with engine.begin() as conn:
        conn.execute(insert(_t("office", "id", "name", ts=("created_at",))),
                     [{"id": 1, "name": "本单位", "created_at": at(2021, 8, 1)}])
        conn.execute(insert(_t("unit", "id", "office_id", "name", ts=("created_at",))),
                     [{"id": 1, "office_id": 1, "name": "职教办", "created_at": at(2021, 8, 1)}])
    migrate(engine)
    with session_scope(engine) as s:
        (unit,) = s.exec(select(Unit)).all()
        assert unit.kind == UnitKind.UNIT
    with engine.connect() as conn:
        assert conn.execute(text("select kind from unit")).scalar_one() == "unit"
    engine.dispose()


async def test_chat_answers_what_a_leader_is_named_on(memory_engine):
    from tests.chat_harness import Chat

    chat = Chat(memory_engine, PLAN)  # the harness imports the plan and binds 安全办 to group -200
    answer = await chat.say("张副局长负责什么")
    assert "张副局长牵头领导的任务（2项）" in answer and "第1项" in answer and "第3项" in answer
    assert "张副局长" not in await chat.say("有哪些单位")
    assert "牵头领导：张副局长" in await chat.say("/task 1")


def test_console_binds_to_a_leader_the_plan_named_and_shows_the_escalation(tmp_path):
    import asyncio
    import io

    from bot.console.channel import ConsoleSender

    settings = Settings(database={"url": f"sqlite:///{tmp_path / 'duban.db'}"}, app={"load_sample_plan": False})
    console = ConsoleSender(io.StringIO())
    service = App(settings, clock=lambda: at(2021, 8, 9, 9, 30), extra_senders=[console])  # 5 working days late
    _import(service.engine)

    async def run() -> list[str]:
        got = await service.chat.handle(_console_event("/bind 张副局长"))
        service.sweep()
        await service.dispatch()
        return [m.text for m in got]

    try:
        answer = asyncio.run(run())
    finally:
        asyncio.run(service.stop())
    assert "已将 console:console 绑定到张副局长" in answer[0]
    assert "【督办升级】第1项" in console.out.getvalue()


def _console_event(text: str):
    from bot.chat.events import ChatEvent

    return ChatEvent(platform="console", chat_id="console", user_id="console", text=text, is_group=False)
