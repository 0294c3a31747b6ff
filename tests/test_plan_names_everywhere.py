"""Plans by name, everywhere (issue 27): a plan's name in plain words binds that plan's task, a name matching no
plan gets the choices and nothing else, a closed plan answers about itself, answers name the plan when the office
runs several, and lists, windows and `duban board --json` span every open plan, the annual plan first."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from bot.nlu import PlanRecord, TaskRecord, UnitRecord, Vocabulary, understand
from bot.services.errors import NotFound
from bot.services.offices import close_plan
from bot.services.plan_names import plan_named
from storage.db import session_scope
from storage.models import Deadline, Plan, StatusReport, Task
from tests.chat_harness import Chat, with_plan
from tests.helpers import at
from tests.test_offices import SAFETY_PLAN

ADMIN = {"user": "1", "chat": "900", "group": False}
SAFETY_TITLE = "县教育局2021年安全生产工作要点"


@pytest.fixture
def chat(memory_engine, seed_path):
    return with_plan(Chat(memory_engine, seed_path), SAFETY_PLAN, "safety.txt")


def _reports(chat: Chat) -> list[tuple[str, str, str, str]]:
    """(plan short name, task ref, status, note) of every report, oldest first."""
    with session_scope(chat.engine) as s:
        rows = s.exec(select(StatusReport, Task, Plan).where(StatusReport.task_id == Task.id)
                      .where(Task.plan_id == Plan.id).order_by(StatusReport.id)).all()
        return [(p.short_name, t.ref, r.status, r.note or "") for r, t, p in rows]


# --- the language layer reads the plan's name (pure) -------------------------------------------------------------

def _vocab() -> Vocabulary:
    units = [UnitRecord(1, "安全办"), UnitRecord(2, "体卫艺股")]
    tasks = [TaskRecord(1, "2", "党建质量", lead_unit_ids=(1,), plan_id=10),
             TaskRecord(2, "25", "守牢教育安全稳定底线", lead_unit_ids=(1,), plan_id=10),
             TaskRecord(3, "p11.2", "开展食品安全专项检查", lead_unit_ids=(2,), plan_id=11, position=10**6)]
    plans = [PlanRecord(10, "某县教育局2022年工作要点", "工作要点"), PlanRecord(11, SAFETY_TITLE, "安全生产")]
    return Vocabulary.build(units, tasks, plans=plans, current_plan=10)


@pytest.mark.parametrize(("text", "plan_id", "task_id"), [
    ("安全生产第2项进展如何", 11, 3),
    ("请问安全生产的第2项进展怎么样", 11, 3),
    ("《2021年安全生产工作要点》第2项谁牵头", 11, 3),
    ("安全生产工作要点 任务2 进展", 11, 3),
    ("2021年安全生产计划第二项进展如何", 11, 3),
    ("安全生产 2项有困难 检测仪器未到", 11, 3),
    ("工作要点第25项已完成", 10, 2),
    ("第25项已完成", None, 2),
])
def test_a_plan_name_before_the_number_binds_that_plans_task(text, plan_id, task_id):
    u = understand(text, _vocab(), now=date(2021, 8, 23), own_unit_id=1)
    assert (u.plan_id, u.task_ids) == (plan_id, [task_id]), (u.plan_word, u.kind)


@pytest.mark.parametrize("text", ["另外第2项进展如何", "关于第2项", "安全办第25项已完成", "我们第25项已完成",
                                  "今天第2项进展如何", "汇报第25项已完成", "请问第2项谁负责", "上个月第2项进展",
                                  "10月份第2项", "领导说第2项要加快", "局里第2项", "刚才第25项已完成"])
def test_words_before_a_number_that_name_no_plan_are_not_read_as_one(text):
    u = understand(text, _vocab(), now=date(2021, 8, 23), own_unit_id=1)
    assert u.plan_word == "" and u.plan_id is None


def test_an_unknown_name_is_kept_for_the_chat_and_selects_no_task_of_another_plan():
    u = understand("防汛工作第2项进展如何", _vocab(), now=date(2021, 8, 23))
    assert u.plan_word == "防汛工作" and u.plan_id is None and u.task_ids == [] and u.refs == ["2"]


def test_a_closed_plans_name_is_read_but_its_numbers_are_left_to_the_chat():
    vocab = _vocab()
    closed = Vocabulary.build(list(vocab.units.values()), list(vocab.tasks.values()),
                              plans=[*vocab.plans, PlanRecord(9, "某县教育局2021年工作要点", "工作要点", open=False)],
                              current_plan=10)
    u = understand("2021年工作要点第2项进展如何", closed, now=date(2022, 3, 1))
    assert u.plan_id == 9 and u.task_ids == [] and u.missing_refs == [] and u.refs == ["2"]
    assert understand("工作要点第2项进展如何", closed, now=date(2022, 3, 1)).plan_id == 10  # the open one wins


def test_a_plan_name_away_from_a_number_counts_in_lists_only():
    vocab = _vocab()
    listed = understand("安全生产逾期的", vocab, now=date(2021, 8, 23))
    assert listed.plan_id == 11
    topic = understand("安全生产归谁管", vocab, now=date(2021, 8, 23))
    assert topic.plan_id is None and topic.plan_word == ""


def test_a_plan_word_reads_titles_and_short_names_with_generic_words(chat):
    with session_scope(chat.engine) as s:
        assert plan_named(session=s, office_id=None, word="安全生产工作要点").short_name == "安全生产"
        assert plan_named(session=s, office_id=None, word="《2021年安全生产计划》").short_name == "安全生产"
        with pytest.raises(NotFound):  # not the annual 工作要点 because its short name is inside
            plan_named(session=s, office_id=None, word="防汛工作要点")


# --- reports and questions in chat --------------------------------------------------------------------------------

async def test_reports_naming_a_plan_record_on_that_plans_task(chat):
    said = await chat.say("安全生产第1项推进中，已排查3所学校")
    assert f"【{SAFETY_TITLE}】第1项「开展校舍安全隐患排查」" in said and "已记录" in said
    await chat.say("《安全生产工作要点》第3项 推进中 50% 方案已印发")
    await chat.say("工作要点第25项已完成")
    assert _reports(chat) == [("安全生产", "1", "in_progress", "已排查3所学校"),
                              ("安全生产", "3", "in_progress", "方案已印发"),
                              ("工作要点", "25", "done", "")]
    # Naming a plan in words never changes the chat's plan: a bare number is still the annual plan's.
    assert "守牢教育安全稳定底线" in await chat.say("第25项进展如何")


async def test_questions_naming_a_plan_answer_about_its_task_and_name_it(chat):
    said = await chat.say("安全生产第2项进展如何")
    assert said.startswith(f"【{SAFETY_TITLE}】第2项「开展食品安全专项检查") and "🟢" in said
    assert "食品安全" not in await chat.say("第2项进展如何")  # the annual plan's 第2项
    assert "体卫艺股" in await chat.say("安全生产第2项谁负责")


async def test_a_name_matching_no_plan_gets_the_choices_and_nothing_else(chat):
    for text in ("防汛第2项进展如何", "防汛第25项已完成"):
        said = await chat.say(text)
        assert said.startswith("没有找到计划“防汛”。可选的计划：") and "安全生产" in said and "工作要点" in said
        assert "「" not in said, said
    assert _reports(chat) == []


async def test_an_admins_new_date_in_words_lands_on_the_plan_named(chat):
    said = await chat.say("安全生产第2项改到10月31日 检测机构排期", **ADMIN)
    assert "2021" in said and "10" in said, said
    with session_scope(chat.engine) as s:
        manual = s.exec(select(Deadline, Task, Plan).where(Deadline.task_id == Task.id).where(Task.plan_id == Plan.id)
                        .where(Deadline.source == "manual")).all()
        assert [(p.short_name, t.ref, d.due_date) for d, t, p in manual] == [("安全生产", "2", date(2021, 10, 31))]


async def test_a_closed_plan_named_in_words_answers_about_itself(chat):
    with session_scope(chat.engine) as s:
        close_plan(session=s, plan=s.exec(select(Plan).where(Plan.short_name == "安全生产")).one(), now=chat.now,
                   actor="t")
    said = await chat.say("安全生产第2项进展如何")
    assert said.startswith(f"【{SAFETY_TITLE}】第2项「开展食品安全专项检查") and "没有找到" not in said
    chat.now = at(2021, 10, 8)  # the annual plan's 第12项 (9-01) is late; a closed plan's reminders have stopped
    assert await chat.say("安全生产逾期的") == "【安全生产】目前没有逾期任务。"  # about itself, not the annual plan
    assert (await chat.say("安全生产安全办负责什么")).startswith(f"《{SAFETY_TITLE}》已关闭")
    assert "职业教育" in await chat.say("逾期的")  # the open plans' list, without the closed one


async def test_one_plan_answers_say_nothing_extra(memory_engine, seed_path):
    chat = Chat(memory_engine, seed_path)
    said = await chat.say("第25项进展如何")
    assert said.startswith("第25项「守牢教育安全稳定底线」")
    assert (await chat.say("工作要点第25项推进中")).startswith("第25项「守牢教育安全稳定底线」")
    assert "【" not in await chat.say("安全办负责什么")


# --- windows and lists span every open plan ---------------------------------------------------------------------

async def test_windows_and_lists_span_every_open_plan_the_annual_first(chat):
    chat.now = at(2021, 9, 1)  # 工作要点第12项 is due on 9-01, 安全生产第2项 on 9-30
    said = await chat.say("这个月要交啥")
    assert said.index("【工作要点】") < said.index("大力发展职业教育") < said.index("【安全生产】") < said.index("食品安全")
    only = await chat.say("安全生产这个月要交啥")
    assert "食品安全" in only and "职业教育" not in only
    assert await chat.say("/due 安全生产", **ADMIN) == only
    owns = await chat.say("安全办负责什么")
    assert owns.index("【工作要点】") < owns.index("守牢教育安全稳定底线") < owns.index("【安全生产】")
    chat.now = at(2021, 10, 8)
    late = await chat.say("逾期的")
    assert "【工作要点】" in late and "【安全生产】" in late and "食品安全" in late
    narrowed = await chat.say("/overdue 工作要点", **ADMIN)
    assert "【工作要点】" in narrowed and "食品安全" not in narrowed
    assert "职业教育" not in await chat.say("安全生产逾期的")


# --- duban board --json ------------------------------------------------------------------------------------------

def test_cli_board_json_carries_every_open_plan_unless_narrowed(cli, tmp_path, seed_path):
    now = ("--now", "2021-08-23T09:30+08:00")
    assert cli("plan", "import", str(seed_path))[0] == 0
    code, out, _ = cli("board", "--json", *now)
    assert code == 0 and isinstance(json.loads(out), list)  # one plan: the shape it always had
    safety = tmp_path / "safety.txt"
    safety.write_text(SAFETY_PLAN, encoding="utf-8")
    assert cli("plan", "import", str(safety))[0] == 0
    code, out, _ = cli("board", "--json", *now)
    plans = json.loads(out)["plans"]
    assert code == 0 and [p["short_name"] for p in plans] == ["工作要点", "安全生产"]
    assert [t["ref"] for t in plans[1]["tasks"]] == ["1", "2", "3"]
    code, out, _ = cli("board", "--json", "--plan", "安全生产", *now)
    assert code == 0 and [t["ref"] for t in json.loads(out)] == ["1", "2", "3"]
