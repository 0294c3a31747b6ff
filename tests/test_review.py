"""办结审核 in chat: 已完成 → 申请办结 → 退回 → 推进中 → 申请办结 → 通过 → 已销号, reminders paused, resumed, ended."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from bot.config import Settings, load_settings
from bot.notify import from_payload
from bot.reminders.policy import reminders_for_day
from bot.reminders.views import load_task_views
from bot.services import closure
from bot.services.binding import bind_directly
from bot.services.reports import record_report
from bot.workdays import WorkCalendar
from storage import repo
from storage.db import open_store, session_scope
from storage.models import Outbox, Task, TaskEvent
from tests.chat_harness import Chat, button
from tests.helpers import at

pytestmark = pytest.mark.review
CAL = WorkCalendar()


@pytest.fixture
def chat(memory_engine, seed_path):
    c = Chat(memory_engine, seed_path, settings=Settings(telegram={"admins": [1]}))
    with session_scope(memory_engine) as s:  # the office's 督导室 reviews from its group
        bind_directly(session=s, unit_name="督导室", platform="telegram", address="-300", now=c.now, actor="t",
                      is_group=True)
    return c


def _task(chat) -> Task:
    with session_scope(chat.engine) as s:
        t = s.exec(select(Task).where(Task.ref == "25")).one()
        s.expunge(t)
        return t


def _sent_to(chat, recipient: str) -> list:
    with session_scope(chat.engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.recipient == recipient).order_by(Outbox.id)).all()
        return [from_payload(r.payload) for r in rows]


def _reminders_of_25(chat) -> int:
    """Reminders task 25 owes from today to the year's end, as the policy works them out from the store."""
    with session_scope(chat.engine) as s:
        views = [v for v in load_task_views(session=s, now=chat.now, tz=chat.service.settings.app.tz) if v.ref == "25"]
    policy = chat.service.settings.reminders
    day, n = chat.now.date(), 0
    while day <= date(2022, 1, 10):
        n += len(reminders_for_day(views, day, calendar=CAL, policy=policy, supervisors=[]))
        day += timedelta(days=1)
    return n


async def test_done_becomes_a_request_that_is_returned_then_passed(chat):
    before = _reminders_of_25(chat)
    assert before > 0
    answer = await chat.say("/report 25 已完成 隐患全部整改到位")
    assert "已提交办结申请" in answer and "暂停提醒" in answer
    t = _task(chat)
    assert (t.review_pending, t.done, t.applied_at) == (True, False, chat.now)
    assert _reminders_of_25(chat) == 0  # paused
    (card,) = _sent_to(chat, "telegram:-300")
    assert "【办结审核】第25项" in card.text and "安全办申请办结" in card.text and "隐患全部整改到位" in card.text
    assert "待审核" in await chat.say("看板", user="1", chat="1", group=False)

    # A unit that is not a reviewer cannot decide; the 督导室 group asks the reason for 退回.
    refused = await chat.tap(button([card], "通过"))
    assert refused[0].text.startswith("只有管理员或督导室") and _task(chat).review_pending
    asked = await chat.tap(button([card], "退回"), chat="-300")
    assert "/review return 25" in asked[0].text
    assert "须写明原因" in await chat.say("/review return 25", chat="-300")
    chat.now += timedelta(days=1)
    back = await chat.say("/review return 25 缺少验收报告", chat="-300")
    assert "已退回第25项" in back
    t = _task(chat)
    assert (t.review_pending, t.done, t.returns, t.last_status) == (False, False, 1, "in_progress")
    assert _reminders_of_25(chat) > 0  # resumed at once
    told = _sent_to(chat, "telegram:-200")
    assert any("被退回" in m.text and "缺少验收报告" in m.text for m in told)
    # The old card decides nothing now: one line, nothing changed.
    stale = await chat.tap(button([card], "通过"), chat="-300")
    assert "没有待审核的办结申请" in stale[0].text and not _task(chat).done

    chat.now += timedelta(days=1)
    await chat.say("/report 25 已完成 验收报告已补充")
    cards = _sent_to(chat, "telegram:-300")
    assert len(cards) == 2 and "验收报告已补充" in cards[1].text
    passed = await chat.tap(button([cards[1]], "通过"), chat="-300", message_id="9")
    assert "已销号" in passed[0].text and passed[0].edit_message_id == "9"
    again = await chat.tap(button([cards[1]], "通过"), chat="-300")  # a double tap decides once
    assert "没有待审核的办结申请" in again[0].text
    t = _task(chat)
    assert (t.done, t.review_pending, t.closed_at, t.returns) == (True, False, chat.now, 1)
    assert _reminders_of_25(chat) == 0  # ended
    assert any("已销号" in m.text for m in _sent_to(chat, "telegram:-200"))
    with session_scope(chat.engine) as s:
        kinds = [e.kind for e in s.exec(select(TaskEvent).order_by(TaskEvent.id)).all()]
    assert kinds == ["apply", "return", "apply", "pass"]


async def test_review_list_and_refusals(chat):
    assert "没有待审核的办结申请" in await chat.say("/review", chat="-300")
    assert "第25项没有待审核的办结申请" in await chat.say("/review pass 25", chat="-300")
    await chat.say("/report 25 已完成")
    assert "只有管理员或督导室" in await chat.say("/review")
    listing = await chat.say("/review", user="1", chat="1", group=False)
    assert "第25项「守牢教育安全稳定底线」" in listing and "安全办" in listing
    assert "已通过第25项" in await chat.say("/review pass 25", user="1", chat="1", group=False)
    assert _task(chat).done


async def test_a_lead_word_other_than_done_withdraws_the_request(chat):
    await chat.say("/report 25 已完成")
    await chat.say("/report 25 推进中 还有两所学校未整改")
    t = _task(chat)
    assert (t.review_pending, t.done) == (False, False)


async def test_unreviewed_requests_remind_the_reviewers_once(chat):
    await chat.say("/report 25 已完成")
    settings = chat.service.settings
    with session_scope(chat.engine) as s:
        assert closure.overdue_reviews(session=s, settings=settings, calendar=CAL, now=chat.now) == []
        later = chat.now + timedelta(days=3)  # Monday → Thursday: three working days
        (notice,) = closure.overdue_reviews(session=s, settings=settings, calendar=CAL, now=later)
        assert notice.what == "remind" and [r.key() for r in notice.to] == ["telegram:-300"]
        assert closure.push(session=s, notice=notice, text="x", now=later) == 1
        assert closure.push(session=s, notice=notice, text="x", now=later + timedelta(days=1)) == 0


def test_cli_lists_passes_and_returns(cli, seed_path):
    cli("plan", "import", str(seed_path))
    engine = open_store(load_settings(cli.config).database.url)
    with session_scope(engine) as s:
        task = s.exec(select(Task).where(Task.ref == "25")).one()
        lead = s.exec(select(Task).where(Task.ref == "12")).one()
        for t in (task, lead):
            unit = repo.roles_for_task(session=s, task_id=t.id)[0][1]
            record_report(session=s, task=t, unit_id=unit.id, status="done", percent=100, note="办结报告",
                          reporter="t", now=at(2021, 8, 23), closure="review")
    engine.dispose()
    code, out, _ = cli("review", "--pending")
    assert code == 0 and "第12项" in out and "第25项" in out
    code, _, err = cli("review", "return", "25")
    assert code == 1 and "须写明原因" in err
    code, out, _ = cli("review", "return", "25", "--reason", "照片不清楚")
    assert code == 0 and "已退回第25项" in out
    code, out, _ = cli("review", "pass", "12")
    assert code == 0 and "已通过第12项" in out
    code, _, err = cli("review", "pass", "12")
    assert code == 1 and "没有待审核的办结申请" in err
    code, out, _ = cli("review", "--json")
    assert json.loads(out) == []



async def test_the_record_ledger_and_bulletin_show_the_loop(chat):
    import io

    from openpyxl import load_workbook

    from bot.render.bulletin_docx import bulletin_docx
    from bot.render.ledger_xlsx import ledger_xlsx
    from bot.services.bulletin import build_bulletin, parse_period
    from bot.services.ledger import build_ledger
    from bot.services.receipts import request_receipts

    with session_scope(chat.engine) as s:
        request_receipts(session=s, task_ids=[s.exec(select(Task.id).where(Task.ref == "25")).one()], now=chat.now)
    await chat.say("/report 25 已完成 第一次")
    chat.now += timedelta(hours=1)
    await chat.say("/review return 25 证据不足", chat="-300")
    chat.now += timedelta(hours=1)
    await chat.say("/report 25 已完成 第二次")
    record = await chat.say("/task 25")
    assert "办结：待审核（已申请办结），被退回1次" in record
    assert "申请办结 安全办：第一次" in record and "审核退回：证据不足" in record and "交办待签收 安全办" in record

    settings = chat.service.settings
    with session_scope(chat.engine) as s:
        ledger = build_ledger(session=s, now=chat.now, settings=settings, calendar=CAL)
        bulletin = build_bulletin(session=s, period=parse_period("2021-08"), now=chat.now, settings=settings,
                                  calendar=CAL)
    wb = load_workbook(io.BytesIO(ledger_xlsx(ledger, tz=settings.app.tz)))
    assert wb.sheetnames == ["任务总览", "分单位台账", "反馈记录", "办结情况", "办结记录"]
    ws = wb["办结情况"]
    header = [c.value for c in ws[2]]
    row = next(dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=3, values_only=True) if r[0] == "25")
    assert row["退回次数"] == 1 and row["签收时间"] is None and row["销号时间"] is None
    assert row["申请办结时间"] == chat.now.astimezone(settings.app.tz).replace(tzinfo=None) and row["状态灯"] == "待审核"
    kinds = [r[2] for r in wb["办结记录"].iter_rows(min_row=3, values_only=True)]
    assert kinds == ["交办待签收", "申请办结", "审核退回", "申请办结"]
    (standing,) = bulletin.by_closure
    assert (standing.unit, standing.returns, standing.unsigned) == ("安全办", 1, 1)
    assert "安全办" not in bulletin.commended
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(bulletin_docx(bulletin))).paragraphs)
    assert "办结退回、未签收排名" in text and "安全办：办结申请被退回1次，未签收事项1项。" in text
