"""Several plans at once, and several offices in one store: CLI, chat on the fake Bot API, migration."""

from __future__ import annotations

import json

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlmodel import select

from bot.services import planfile
from bot.services.importer import apply_plan
from bot.workdays import WorkCalendar
from jobs.sweep import sweep_due
from storage.db import MIGRATIONS, make_engine, open_store, session_scope
from storage.models import Office, Outbox, Plan, StatusReport, Task, Unit
from tests.helpers import parsed_plan
from tests.test_tg_e2e import SAFETY, World

# Plans written for these tests in the genre of a county bureau's documents (not taken from any archive).
SAFETY_PLAN = """县教育局2021年安全生产工作要点
一、隐患排查
1.开展校舍安全隐患排查。（责任股室：安全办，配合：基建股）
2.开展食品安全专项检查，9月底前完成。（责任股室：体卫艺股）
3.组织消防应急演练。（责任股室：安全办）
"""
THREE_YEAR_PLAN = """县教育局教育信息化三年行动计划（2021—2023年）
一、基础设施
1.完成全县中小学千兆网络接入。（牵头单位：电教站；配合单位：基建股）
2.建设智慧校园示范校20所。（牵头单位：电教站）
"""
HEALTH_PLAN = """县卫健委2021年工作要点
一、综合管理
1.完善机关公文流转制度。（责任股室：办公室）
2.推进家庭医生签约服务。（责任股室：基层卫生股，配合：办公室）
"""
SECOND_BATCH = """县教育局2021年安全生产工作要点（第二批）
一、专项整治
1.开展校园周边交通安全整治。（责任股室：安全办）
"""


def write(tmp_path, name: str, body: str):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_one_office_runs_an_annual_a_special_and_a_three_year_plan(cli, tmp_path, seed_path):
    assert cli("plan", "import", str(seed_path))[0] == 0
    assert cli("plan", "import", str(write(tmp_path, "safety.txt", SAFETY_PLAN)))[0] == 0
    assert cli("plan", "import", str(write(tmp_path, "it.txt", THREE_YEAR_PLAN)))[0] == 0
    code, out, _ = cli("plan", "list", "--json")
    plans = {p["short_name"]: p for p in json.loads(out)}
    assert code == 0 and set(plans) == {"工作要点", "安全生产", "教育信息化"}, plans
    assert {p["state"] for p in plans.values()} <= {"进行中", "已到期"}
    assert plans["教育信息化"]["period"] == "2021—2023年" and plans["安全生产"]["tasks"] == 3
    assert {p["office"] for p in plans.values()} == {"本单位"}

    # A bare number means the annual plan; a plan's short name picks another.
    code, out, _ = cli("task", "25", "--json")
    assert code == 0 and json.loads(out)["plan"]["title"] == "县委教育工委2021年工作要点"
    code, out, _ = cli("task", "安全生产第3项", "--json")
    assert code == 0 and json.loads(out)["title"].startswith("组织消防应急演练")
    # 安全办 owns tasks in two plans, and the answer says which.
    code, out, _ = cli("tasks", "--unit", "安全办", "--json")
    assert {(t.get("plan"), t["ref"]) for t in json.loads(out)["tasks"]} >= {("工作要点", "25"), ("安全生产", "1")}

    # A title that extends another is a new plan, not a revision of it.
    code, out, _ = cli("plan", "import", str(write(tmp_path, "batch2.txt", SECOND_BATCH)))
    assert code == 0 and "已导入新计划" in out
    assert len(json.loads(cli("plan", "list", "--json")[1])) == 4

    # Closing one plan touches no other.
    code, out, _ = cli("plan", "close", "安全生产")
    assert code == 0 and "已关闭" in out
    states = {p["short_name"]: p["state"] for p in json.loads(cli("plan", "list", "--json")[1])}
    assert states["安全生产"] == "已关闭" and states["工作要点"] != "已关闭"
    # A closed plan named on purpose answers about itself, never about another plan's 第3项.
    code, out, _ = cli("task", "安全生产第3项", "--json")
    assert code == 0 and json.loads(out)["title"].startswith("组织消防应急演练")


def test_two_offices_keep_their_same_named_units_apart(cli, tmp_path):
    assert cli("office", "add", "县教育局")[0] == 0
    assert cli("office", "add", "县卫健委")[0] == 0
    edu = write(tmp_path, "edu.txt", SAFETY_PLAN.replace("安全办）", "办公室）", 1))
    assert cli("plan", "import", str(edu), "--office", "县教育局")[0] == 0
    assert cli("plan", "import", str(write(tmp_path, "health.txt", HEALTH_PLAN)), "--office", "县卫健委")[0] == 0
    code, _, err = cli("plan", "import", str(edu))
    assert code != 0 and "--office" in err  # two offices: the command must say which

    edu_units = json.loads(cli("units", "--json", "--office", "县教育局")[1])
    health_units = json.loads(cli("units", "--json", "--office", "县卫健委")[1])
    assert "办公室" in {u["name"] for u in edu_units} and "办公室" in {u["name"] for u in health_units}
    health_tasks = json.loads(cli("tasks", "--unit", "办公室", "--office", "县卫健委", "--json")[1])["tasks"]
    assert {t["ref"] for t in health_tasks} == {"1", "2"}
    edu_tasks = json.loads(cli("tasks", "--unit", "办公室", "--office", "县教育局", "--json")[1])["tasks"]
    assert {t["ref"] for t in edu_tasks} == {"3"}

    # Each office's plan stays open: importing the other did not retire it.
    assert {p["state"] for p in json.loads(cli("plan", "list", "--json")[1])} == {"已到期"} or all(
        p["state"] != "已关闭" for p in json.loads(cli("plan", "list", "--json")[1]))

    # Bindings are per unit, so per office.
    assert cli("bind", "办公室", "telegram:501", "--office", "县卫健委")[0] == 0
    assert cli("bind", "办公室", "telegram:502", "--office", "县教育局")[0] == 0
    engine = open_store(f"sqlite:///{tmp_path / 'duban.db'}")
    with session_scope(engine) as s:
        offices_of = {u.id: u.office_id for u in s.exec(select(Unit).where(Unit.name == "办公室")).all()}
        assert len(offices_of) == 2 and len(set(offices_of.values())) == 2
    engine.dispose()

    # The ledger is of the office asked for: its main plan, or one named as task refs name plans.
    from openpyxl import load_workbook

    for office, title in (("县卫健委", "县卫健委2021年工作要点"), ("县教育局", "县教育局2021年安全生产工作要点")):
        out_file = tmp_path / f"{office}.xlsx"
        assert cli("export", str(out_file), "--office", office)[0] == 0
        assert load_workbook(out_file).properties.title.startswith(title)
    code, _, err = cli("export", str(tmp_path / "x.xlsx"), "--office", "县卫健委", "--plan", "不存在的计划")
    assert code != 0 and "没有名为“不存在的计划”的在用计划" in err


def test_a_close_title_is_asked_about_not_guessed(cli, tmp_path):
    assert cli("plan", "import", str(write(tmp_path, "a.txt", SAFETY_PLAN)))[0] == 0
    close = SAFETY_PLAN.replace("2021年安全生产工作要点", "2021年度安全生产工作要点", 1)
    code, _, err = cli("plan", "import", str(write(tmp_path, "b.txt", close)))
    assert code != 0 and "--revises" in err and "--new" in err
    assert cli("plan", "import", str(tmp_path / "b.txt"), "--new")[0] == 0
    assert len(json.loads(cli("plan", "list", "--json")[1])) == 2


def test_a_parent_office_rolls_up_its_counties(cli, tmp_path):
    assert cli("office", "add", "市教育局")[0] == 0
    assert cli("office", "add", "县教育局", "--parent", "市教育局")[0] == 0
    assert cli("plan", "import", str(write(tmp_path, "s.txt", SAFETY_PLAN)), "--office", "县教育局")[0] == 0
    code, out, _ = cli("board", "--office", "市教育局", "--now", "2021-08-23T09:30+08:00")
    assert code == 0 and "下级办公室" in out and "县教育局：1 份计划，3 项" in out


# --- chat, on the fake Bot API -------------------------------------------------------------------


@pytest.fixture
async def world(api, tmp_path, seed_path):
    w = World(api, tmp_path, seed_path)
    with session_scope(w.engine) as s:
        for body in (SAFETY_PLAN, THREE_YEAR_PLAN):
            parsed = planfile.parse_upload(body.encode(), "plan.txt")
            apply_plan(session=s, parsed=parsed, now=w.now, source_name="plan.txt", actor="test")
    w.bind("安全办", SAFETY)
    await w.app.initialize()
    yield w
    await w.app.shutdown()
    w.engine.dispose()


async def test_chat_refs_are_plan_scoped_and_the_chat_remembers_its_plan(world):
    assert "常态化开展校园安全" in await world.say("/task 25") or "第25项" in await world.say("/task 25")
    shown = await world.say("/task 安全生产 3")
    assert "组织消防应急演练" in shown
    # Having named 安全生产, a bare number now means it.
    assert "组织消防应急演练" in await world.say("/task 3")
    listed = await world.say("/plans")
    assert "安全生产" in listed and "教育信息化" in listed and "← 当前" in listed
    # A report lands on the plan the chat is in.
    assert "已记录" in await world.say("/report 3 推进中 已完成演练方案")
    with session_scope(world.engine) as s:
        (report,) = s.exec(select(StatusReport)).all()
        plan = s.get(Plan, s.get(__import__("storage.models", fromlist=["Task"]).Task, report.task_id).plan_id)
        assert plan.short_name == "安全生产"
    # The board names the plan when the office runs several.
    assert "督办看板·安全生产" in await world.say("/board")
    assert "督办看板·工作要点" in await world.say("/board 工作要点")


async def test_reminders_of_a_closed_plan_stop(world):
    with session_scope(world.engine) as s:
        plan = s.exec(select(Plan).where(Plan.short_name == "安全生产")).one()
        from bot.services.offices import close_plan

        close_plan(session=s, plan=plan, now=world.now, actor="test")
    with session_scope(world.engine) as s:
        sweep_due(session=s, now=world.now.replace(month=9, day=24), settings=world.settings,
                  calendar=WorkCalendar())
        rows = s.exec(select(Outbox)).all()
        plans = {s.get(__import__("storage.models", fromlist=["Task"]).Task, r.task_id).plan_id
                 for r in rows if r.task_id}
        assert plan.id not in plans


# --- migration of a store written by the previous release ------------------------------------------


def test_a_store_of_the_previous_release_moves_into_one_office(store_url):
    engine = make_engine(store_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    stamp = "2021-08-23 01:30:00+00:00"
    with engine.begin() as c:
        c.execute(text("INSERT INTO plan (id, title, year, source_name, content_hash, active, imported_at) "
                       "VALUES (1, '县教育局2021年工作要点', 2021, 's.txt', 'h', true, :t), "
                       "(2, '县教育局2020年工作要点', 2020, 'o.txt', 'g', false, :t)"), {"t": stamp})
        c.execute(text("INSERT INTO unit (id, name, created_at) VALUES (1, '安全办', :t)"), {"t": stamp})
        c.execute(text("INSERT INTO unitalias (id, unit_id, alias) VALUES (1, 1, '安全办公室')"))
        c.execute(text("INSERT INTO task (id, plan_id, ref, position, title, objective, measures, removed, "
                       "created_at, updated_at) VALUES (1, 1, '1', 0, '校园安全', '', '', false, :t, :t)"),
                  {"t": stamp})
        c.execute(text("INSERT INTO taskunit (id, task_id, unit_id, role, position, written_as) "
                       "VALUES (1, 1, 1, 'lead', 0, '安全办')"))
        c.execute(text("INSERT INTO statusreport (id, task_id, unit_id, status, percent, note, reporter, created_at) "
                       "VALUES (1, 1, 1, 'in_progress', 50, '进行中', 'cli', :t)"), {"t": stamp})
        c.execute(text("INSERT INTO chatidentity (id, platform, address, user_id, unit_id, is_group, active, "
                       "created_at) VALUES (1, 'telegram', '42', '42', 1, false, true, :t)"), {"t": stamp})
        c.execute(text("INSERT INTO outbox (id, key, task_id, unit_id, recipient, kind, occurrence, payload, state, "
                       "attempts, created_at, next_attempt_at, sent_at, message_id, error) VALUES "
                       "(1, 'k1', 1, 1, 'telegram:42', 'upcoming', '2021-08-23', '{}', 'sent', 1, :t, :t, :t, "
                       "'9', '')"), {"t": stamp})
    engine.dispose()

    engine = open_store(store_url)  # upgrades to head
    with session_scope(engine) as s:
        plans = {p.id: p for p in s.exec(select(Plan)).all()}
        assert plans[1].office_id is not None and plans[1].office_id == plans[2].office_id
        assert (plans[1].active, plans[2].active) == (True, False) and plans[2].closed_at is not None
        assert (plans[1].period_start, plans[1].period_end) == (2021, 2021)
        unit = s.get(Unit, 1)
        assert unit.office_id == plans[1].office_id
        assert s.exec(select(StatusReport)).one().note == "进行中"
        row = s.get(Outbox, 1)
        assert row.state == "sent" and row.message_id == "9"
    engine.dispose()


def test_offices_and_plans_on_both_backends(engine):
    """The same model through the services, on SQLite and PostgreSQL."""
    from bot.services.offices import add_office, chat_current_plan, main_plan
    from bot.services.queries import unit_tasks
    from bot.services.tasks import require_task
    from tests.helpers import at

    now = at(2021, 3, 1)
    with session_scope(engine) as s:
        edu = add_office(session=s, name="县教育局", parent=None, now=now)
        health = add_office(session=s, name="县卫健委", parent=None, now=now)
        for body, office in ((SAFETY_PLAN, edu), (THREE_YEAR_PLAN, edu), (HEALTH_PLAN, health)):
            apply_plan(session=s, parsed=planfile.parse_upload(body.encode(), "p.txt"), now=now, office_id=office.id)
        edu_id, health_id = edu.id, health.id
    with session_scope(engine) as s:
        assert {p.short_name for p in s.exec(select(Plan).where(Plan.office_id == edu_id)).all()} == {
            "安全生产", "教育信息化"}
        assert main_plan(session=s, office_id=health_id).short_name == "工作要点"
        assert require_task(session=s, ref="教育信息化第2项", office_id=edu_id).title.startswith("建设智慧校园")
        assert [t.ref for t in unit_tasks(session=s, unit="办公室", office_id=health_id).tasks] == ["1", "2"]
        assert chat_current_plan(session=s, office_id=edu_id, platform="telegram", address="1") is not None


async def test_a_close_title_sent_in_chat_is_asked_about_with_buttons(memory_engine, seed_path):
    from tests.chat_harness import Chat, button

    chat = Chat(memory_engine, seed_path)
    admin = {"user": "1", "chat": "1", "group": False}
    first = await chat.send(**admin, file_name="s.txt", file_bytes=SAFETY_PLAN.encode())
    assert "已导入新计划" in (await chat.tap(button(first, "确认导入"), **admin, message_id="1"))[0].text
    close = SAFETY_PLAN.replace("2021年安全生产工作要点", "2021年度安全生产工作要点", 1)
    asked = await chat.send(**admin, file_name="s2.txt", file_bytes=close.encode())
    assert "很接近" in asked[0].text
    done = await chat.tap(button(asked, "是另一份新计划"), **admin, message_id="2")
    assert "已导入新计划" in done[0].text
    with session_scope(memory_engine) as s:
        assert len(s.exec(select(Plan)).all()) == 3


def test_reminders_name_the_plan_when_the_office_runs_several(memory_engine, seed_path):
    from bot.config import Settings
    from bot.services.binding import bind_directly
    from tests.helpers import at

    now = at(2021, 9, 27)
    with session_scope(memory_engine) as s:
        apply_plan(session=s, parsed=parsed_plan(seed_path), now=at(2021, 3, 1))
        apply_plan(session=s, parsed=planfile.parse_upload(SAFETY_PLAN.encode(), "s.txt"), now=at(2021, 3, 1))
        bind_directly(session=s, unit_name="体卫艺股", platform="telegram", address="77", now=now, actor="t")
    with session_scope(memory_engine) as s:
        sweep_due(session=s, now=now, settings=Settings(), calendar=WorkCalendar())
        texts = [r.payload for r in s.exec(select(Outbox).where(Outbox.recipient == "telegram:77")).all()]
    assert any("安全生产第2项" in t for t in texts), texts


def test_escalations_reach_the_tasks_own_office_supervisor(engine):
    from bot.config import Settings
    from bot.services.binding import bind_directly
    from bot.services.offices import add_office
    from tests.helpers import at

    plan_text = "{office}2021年工作要点\n一、综合\n1.完成年度自查。8月2日前完成。（责任股室：办公室，配合：督导室）\n"
    now = at(2021, 7, 1)
    with session_scope(engine) as s:
        for name in ("县教育局", "县卫健委"):
            office = add_office(session=s, name=name, parent=None, now=now)
            apply_plan(session=s, parsed=planfile.parse_upload(plan_text.format(office=name).encode(), "p.txt"),
                       now=now, office_id=office.id)
            for unit in ("办公室", "督导室"):
                bind_directly(session=s, unit_name=unit, platform="console", address=f"{name}{unit}", now=now,
                              actor="t", office_id=office.id)
    with session_scope(engine) as s:  # 8月9日: five working days late in both offices
        sweep_due(session=s, now=at(2021, 8, 9), settings=Settings(), calendar=WorkCalendar())
    with session_scope(engine) as s:
        escalations = sorted((o.recipient, o.task_id) for o in s.exec(select(Outbox)).all() if o.kind == "escalation")
        offices_of = {t.id: p.office_id for t, p in s.exec(select(Task, Plan).join(Plan)).all()}
        names = {o.id: o.name for o in s.exec(select(Office)).all()}
    assert len(escalations) == 2
    assert all(recipient == f"console:{names[offices_of[task]]}督导室" for recipient, task in escalations)
