"""What the house refactor fixed for users: local times, Chinese warnings, one command table, no lost notes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.render.task_text import task_full
from bot.services.binding import bind_directly
from bot.services.tasks import ReportLine, TaskRecord
from storage.db import session_scope
from storage.models import Deferral, Outbox, ReportStatus, StatusReport, Task
from tests.chat_harness import Chat, button
from tests.conftest import SH
from tests.helpers import at


@pytest.fixture
def chat(memory_engine, seed_path):
    return Chat(memory_engine, seed_path)


async def test_task_shows_the_report_time_in_the_offices_zone(chat):
    chat.now = at(2021, 8, 23, 9, 30)
    await chat.say("/report 25 推进中 60% 已完成隐患排查")
    shown = await chat.say("/task 25")
    assert "最新进展：推进中 60%：已完成隐患排查（2021-08-23 09:30）" in shown
    assert "01:30" not in shown


async def test_progress_dates_are_local_days(chat):
    chat.now = at(2021, 8, 23, 7, 0)  # 2021-08-22 23:00 in UTC
    await chat.say("/report 25 推进中 已开工")
    progress = await chat.say("第25项进展如何")
    assert "· 2021-08-23 推进中：已开工" in progress and "2021-08-22" not in progress


def test_the_renderer_converts_a_utc_instant():
    utc = datetime(2021, 8, 23, 1, 30, tzinfo=UTC)
    record = TaskRecord("25", None, "", "安全", "", "", ["安全办"], [], [],
                        [ReportLine(ReportStatus.DONE, 100, "", None, "cli", utc)])
    assert "（2021-08-23 09:30）" in task_full(record, tz=SH)


async def test_plan_warnings_reach_chat_in_chinese(chat, tmp_path):
    plan = ("县教育局2021年工作要点\n一、安全\n1.校园安全排查。（责任股室：安全办）\n"
            "2.常态化疫情防控。\n")
    admin = {"user": "1", "chat": "1", "group": False}
    replies = await chat.send(**admin, file_name="plan.txt", file_bytes=plan.encode())
    applied = await chat.tap(button(replies, "确认导入"), **admin, message_id="1")
    text = "\n".join(m.text for m in replies + applied)
    assert "未列出责任单位" in text
    assert "task" not in text.lower() and "no responsible" not in text


async def test_help_and_menu_come_from_one_command_table(chat):
    helped = await chat.say("/help")
    for name, _description in chat.service.menu():
        assert name == "help" or f"/{name}" in helped
    assert chat.service.menu()[-1][0] == "help"
    admin_help = await chat.say("/help", user="1", chat="1", group=False)
    assert "/invite 单位" in admin_help and "/invite 单位" not in helped


async def test_an_unknown_command_is_named_and_a_missing_argument_gets_usage(chat):
    assert "不认识的命令 /whoami" in await chat.say("/whoami")
    assert await chat.say("/task") == "用法：/task 编号，如 /task 12"
    assert await chat.say("/invite") == "只有管理员可以使用这个命令。"


async def test_admin_buttons_refuse_a_unit_member(chat):
    with session_scope(chat.engine) as s:
        from bot.services.buttons import Action, sign, signing_key

        key = signing_key(session=s, now=chat.now)
    replies = await chat.tap(sign(key, Action.DEFER_APPROVE, 1))
    assert replies[0].text == "只有管理员可以执行此操作。"


def _reminder(engine, *, chat_id: str, task_ref: str, message_id: str, now) -> None:
    """A sent reminder the person can reply to."""
    with session_scope(engine) as s:
        task = s.exec(select(Task).where(Task.ref == task_ref)).one()
        s.add(Outbox(key=f"test|{message_id}", task_id=task.id, recipient=f"telegram:{chat_id}", kind="upcoming",
                     occurrence="2021-08-23", payload='{"text": "【督办提醒】第25项"}', state="sent",
                     message_id=message_id, created_at=now, next_attempt_at=now))


async def test_a_reply_note_is_kept_while_a_deferral_waits_for_its_date(chat):
    with session_scope(chat.engine) as s:
        bind_directly(session=s, unit_name="安全办", platform="telegram", address="55", now=chat.now, actor="t")
    _reminder(chat.engine, chat_id="55", task_ref="25", message_id="900", now=chat.now)
    private = {"user": "55", "chat": "55", "group": False}
    asked = await chat.tap(button(await _card(chat, **private), "申请延期"), **private, message_id="900")
    assert "希望延期到的日期" in asked[-1].text

    # A reply to the reminder is a progress note, not a date.
    noted = await chat.say("进展说明 已完成隐患排查", reply_to_message_id="900", **private)
    assert noted == "已记录第25项的进展说明：进展说明 已完成隐患排查"

    # Text that is neither a date nor a reply: asked about, with both choices, and nothing lost.
    which = await chat.send("整改正在进行", **private)
    assert "不像日期" in which[0].text
    kept = await chat.tap(button(which, "记为进展说明"), **private, message_id="901")
    assert "已记录第25项的进展说明：整改正在进行" in kept[0].text

    with session_scope(chat.engine) as s:
        notes = [r.note for r in s.exec(select(StatusReport).where(StatusReport.status == "note")).all()]
        assert notes == ["进展说明 已完成隐患排查", "整改正在进行"]
        assert [d.status for d in s.exec(select(Deferral)).all()] == ["rejected"]

    # A new request, then a date: it goes to the admins.
    await chat.tap(button(await _card(chat, **private), "申请延期"), **private, message_id="900")
    submitted = await chat.say("10月15日 设备未到", **private)
    assert submitted.startswith("第25项延期至2021-10-15的申请")


async def _card(harness: Chat, **_where) -> list:
    """A reminder card's buttons for task 25, as the sweep renders them."""
    from bot.render.reminder_text import status_buttons
    from bot.services.buttons import signing_key

    with session_scope(harness.engine) as s:
        task = s.exec(select(Task).where(Task.ref == "25")).one()
        key = signing_key(session=s, now=harness.now)
    from bot.notify import OutboundMessage

    return [OutboundMessage(text="card", buttons=status_buttons(key, task.id))]


async def test_a_group_message_while_a_request_waits_is_left_alone(chat):
    replies = await chat.tap(button(await _card(chat), "申请延期"))
    assert "希望延期到的日期" in replies[-1].text
    assert await chat.say("大家辛苦了") == ""
    assert await chat.say("取消") == "已取消延期申请。"



async def test_an_admin_types_a_deadline_the_way_plans_write_them(chat):
    admin = {"user": "1", "chat": "1", "group": False}
    assert await chat.say("/deadline 12 9月底", **admin) == "第12项时限已设为2021-09-30。"
    assert await chat.say("/deadline 12 国庆节前", **admin) == "第12项时限已设为2021-10-01。"
    assert "无法识别的日期" in await chat.say("/deadline 12 尽快", **admin)


async def test_an_office_without_admin_chats_approves_deferrals_with_a_command(chat):
    with session_scope(chat.engine) as s:
        bind_directly(session=s, unit_name="安全办", platform="telegram", address="56", now=chat.now, actor="t")
    private = {"user": "56", "chat": "56", "group": False}
    await chat.tap(button(await _card(chat), "申请延期"), **private)
    submitted = await chat.say("10月15日 设备未到", **private)
    assert "/deferrals" in submitted
    admin = {"user": "1", "chat": "1", "group": False}
    listed = await chat.send("/deferrals", **admin)
    assert "【延期申请】安全办申请将第25项" in listed[0].text
    verdict = await chat.tap(button(listed, "批准"), **admin, message_id="7")
    assert verdict[0].text == "已批准：第25项延期至2021-10-15。"
    assert await chat.say("/deferrals", **admin) == "目前没有待审批的延期申请。"


def test_console_numbers_continue_after_a_restart(memory_engine):
    from io import StringIO

    from bot.console import ConsoleSender
    from bot.notify import OutboundMessage
    from storage import repo

    with session_scope(memory_engine) as s:
        s.add(Outbox(key="k", recipient="console:console", kind="upcoming", occurrence="2021-08-23",
                     payload="{}", state="sent", message_id="7", created_at=at(2021, 8, 23),
                     next_attempt_at=at(2021, 8, 23)))
    with session_scope(memory_engine) as s:
        last = repo.last_message_number(session=s, platform="console")
    sender = ConsoleSender(StringIO())
    sender.resume_after(last)
    assert sender.show(OutboundMessage(text="新提醒")) == "8"
