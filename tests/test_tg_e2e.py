"""Telegram end to end: the real PTB Application and ChatService over HTTP against the fake Bot API.

Store on SQLite (tmp_path) with the seed plan, a fixed clock (2021-08-23 09:30 Asia/Shanghai, a
Monday), and a fake monotonic clock for Telegram's rate limits, so nothing here waits for real time.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import io
import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select
from telegram import Update
from typer.testing import CliRunner

from bot.app import App
from bot.services import buttons, planfile
from bot.services.binding import bind_directly, create_invite
from bot.services.importer import apply_plan
from bot.services.reports import set_deadline
from bot.services.tasks import require_task
from bot.tg import build_application, get_sender
from storage.db import open_store, session_scope
from storage.models import ChatIdentity, Deferral, Outbox, Person, StatusReport
from tests.conftest import SH, telegram_settings
from tests.fake_bot_api import (
    FakeBotApi,
    bot_message_dict,
    callback_update,
    document_update,
    message_dict,
    reply_update,
    text_update,
)

NOW = datetime(2021, 8, 23, 9, 30, tzinfo=SH)
ADMIN = 999  # a Telegram admin's user id and private chat
SAFETY = 111  # 安全办 staff, private chat
VOCATIONAL_GROUP = -100200  # 职教办's group chat
STRANGER = 555
BUTTONS = [["已完成", "推进中", "有困难"], ["申请延期", "稍后提醒"]]


@functools.cache
def _parsed(path) -> dict:
    return planfile.parse(path)


def parsed_seed(path) -> dict:
    """The seed plan, parsed once per run (parsing dominates set-up time)."""
    return copy.deepcopy(_parsed(path))


class Mono:
    """A monotonic clock whose sleep() only moves the clock forward."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += max(0.0, seconds)


class World:
    """One installation: store, ChatService (via Service), Telegram Application, fake Bot API."""

    def __init__(self, api: FakeBotApi, tmp_path, seed_path) -> None:
        self.api = api
        self.now = NOW
        self.mono = Mono()
        self.db_url = f"sqlite:///{tmp_path / 'duban.db'}"
        self.settings = telegram_settings(api, self.db_url, admins=[ADMIN])
        self.service = App(self.settings, clock=lambda: self.now)
        # Pushes queued by chat actions are dispatched by the test, one step at a time.
        self.service.chat.on_outbox = None
        self.engine = self.service.engine
        with session_scope(self.engine) as session:
            apply_plan(
                session=session,
                parsed=parsed_seed(seed_path),
                now=NOW,
                source_name=seed_path.name,
                actor="test",
            )
        self.app = build_application(
            self.settings.telegram,
            self.service.chat,
            commands=self.service.chat.menu(),
            clock=self.mono,
            sleep=self.mono.sleep,
        )
        self.service.notifier.register(get_sender(self.app))

    async def feed(self, update: dict) -> None:
        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def say(self, text: str, *, chat: int = SAFETY, user: int | None = None, **kw) -> str:
        """Send `text` from a chat; return everything the bot sent back (new messages and edits)."""
        before = len(self.api.calls)
        await self.feed(text_update(text, chat_id=chat, user_id=user or abs(chat), **kw))
        return self.out_since(before)

    def out_since(self, index: int) -> str:
        sent = [c.params for c in self.api.calls[index:] if c.method in ("sendMessage", "editMessageText")]
        return "\n---\n".join(p["text"] for p in sent)

    async def tap(
        self, data: str, *, chat: int, message_id: int, user: int | None = None, text: str = "x"
    ) -> str:
        before = len(self.api.calls)
        message = bot_message_dict(text, chat_id=chat, message_id=message_id)
        await self.feed(callback_update(data, message=message, user_id=user or abs(chat)))
        return self.out_since(before)

    def bind(self, unit: str, address: int, *, group: bool = False) -> None:
        with session_scope(self.engine) as session:
            bind_directly(
                session=session,
                unit_name=unit,
                platform="telegram",
                address=str(address),
                now=NOW,
                actor="test",
                is_group=group,
            )

    def invite(self, unit: str, *, at: datetime = NOW) -> str:
        with session_scope(self.engine) as session:
            return create_invite(session=session, unit_name=unit, now=at, created_by="test").code

    def rows(self, model, *where):
        with session_scope(self.engine) as session:
            rows = session.exec(select(model).where(*where)).all()
            session.expunge_all()
            return rows

    def set_deadline(self, ref: str, when: date) -> None:
        with session_scope(self.engine) as session:
            task = require_task(session=session, ref=ref)
            set_deadline(session=session, task=task, when=when, label="", now=NOW, actor="test")

    def task_id(self, ref: str) -> int:
        with session_scope(self.engine) as session:
            return require_task(session=session, ref=ref).id

    def key(self) -> bytes:
        with session_scope(self.engine) as session:
            return buttons.signing_key(session=session, now=NOW)


@pytest.fixture
async def world(api, tmp_path, seed_path):
    w = World(api, tmp_path, seed_path)
    await w.app.initialize()
    yield w
    await w.app.shutdown()
    w.engine.dispose()


# --- binding -----------------------------------------------------------------------------------


async def test_invite_binds_private_and_group_chat(world):
    code = world.invite("安全办")
    answer = await world.say(f"/start {code}", chat=SAFETY)
    assert "绑定成功" in answer and "安全办" in answer

    group_code = world.invite("职教办")
    answer = await world.say(f"/start {group_code}", chat=VOCATIONAL_GROUP, user=222)
    assert "本群已绑定到职教办" in answer

    idents = {i.address: i for i in world.rows(ChatIdentity)}
    assert idents[str(SAFETY)].is_group is False
    assert idents[str(VOCATIONAL_GROUP)].is_group is True
    assert idents[str(VOCATIONAL_GROUP)].user_id == "222"
    # The person behind the private chat is kept with their name and unit; a group is no person.
    (person,) = world.rows(Person)
    assert (person.name, idents[str(SAFETY)].person_id, idents[str(VOCATIONAL_GROUP)].person_id) == (
        "张三",
        person.id,
        None,
    )
    # Bound now: questions get answers, not onboarding help.
    assert "职教办牵头的任务" in await world.say("/mine", chat=VOCATIONAL_GROUP, user=223)


async def test_bad_invite_codes_bind_nothing(world):
    expired = world.invite("安全办", at=NOW - timedelta(days=8))
    assert "邀请码已过期" in await world.say(f"/start {expired}", chat=301)

    used = world.invite("安全办")
    assert "绑定成功" in await world.say(f"/start {used}", chat=302)
    assert "邀请码已被使用" in await world.say(f"/start {used}", chat=303)
    assert "邀请码无效" in await world.say("/start NOPE2345", chat=304)

    bound = {i.address for i in world.rows(ChatIdentity)}
    assert bound == {"302"}


async def test_invite_guessing_is_rate_limited(world):
    for _ in range(5):
        assert "邀请码无效" in await world.say("/start WRONG234", chat=STRANGER)
    good = world.invite("安全办")
    answer = await world.say(f"/start {good}", chat=STRANGER)
    assert "输错次数过多" in answer
    assert world.rows(ChatIdentity) == []


# --- an unbound chat ----------------------------------------------------------------------------


async def test_unbound_chat_gets_onboarding_only(world):
    for text in (
        "安全办负责什么",
        "/task 25",
        "/board",
        "/mine",
        "第12项谁负责",
        "/report 25 推进中",
        "/help",
    ):
        answer = await world.say(text, chat=STRANGER)
        assert "还没有绑定单位" in answer, text
        assert "第25项" not in answer and "守牢" not in answer

    key = world.key()
    answer = await world.tap(
        buttons.sign(key, "st", world.task_id("25"), "done"), chat=STRANGER, message_id=5
    )
    assert "还没有绑定单位" in answer

    world.api.add_file("f1", "1.任务\n责任单位：安全办\n".encode(), path="documents/p.txt")
    before = len(world.api.calls)
    await world.feed(document_update("f1", "plan.txt", 20, chat_id=STRANGER, user_id=STRANGER))
    assert "还没有绑定单位" in world.out_since(before)
    assert world.rows(StatusReport) == []
    # An unbound group is not spammed for small talk.
    assert await world.say("大家好", chat=-100999, user=5) == ""


# --- questions ----------------------------------------------------------------------------------


def _lead_co(answer: str, unit: str) -> tuple[str, str]:
    lead, _, co = answer.partition(f"{unit}配合的任务")
    return lead, co


@pytest.mark.parametrize(
    "question",
    [
        "安全办负责什么",
        "what does 安全办 own",
        "安全办公室负责什么",
        "/owns 安全办",
        "安全办牵头哪些、配合哪些",
    ],
)
async def test_unit_questions(world, question):
    world.bind("安全办", SAFETY)
    answer = await world.say(question)
    lead, co = _lead_co(answer, "安全办")
    assert "安全办牵头的任务" in lead and "第25项" in lead
    assert "第7项" in co and "第7项" not in lead


async def test_unknown_unit_gets_suggestion(world):
    world.bind("安全办", SAFETY)
    answer = await world.say("安全股负责什么")
    assert "没有找到单位“安全股”" in answer
    assert "你是不是要找：" in answer and "安全办" in answer


async def test_task_questions_and_lists(world):
    world.bind("安全办", SAFETY)
    who = await world.say("第12项谁负责")
    assert "第12项「大力发展职业教育」" in who and "牵头：职教办" in who and "配合：" in who
    assert "尚未收到任何进展反馈" in await world.say("第12项进展如何")
    full = await world.say("/task 12")
    assert full.startswith("第12项 大力发展职业教育") and "牵头：职教办" in full
    for text in ("本月到期的", "/due"):
        assert "8月内" in await world.say(text)
    assert "目前没有逾期任务" in await world.say("逾期的")
    world.set_deadline("12", date(2021, 8, 16))  # a week ago, nobody reported
    for text in ("逾期的", "/overdue"):
        answer = await world.say(text)
        assert answer.startswith("逾期任务（1项）") and "第12项 大力发展职业教育" in answer
    assert "没有反馈" in await world.say("还没反馈的")
    assert "督办看板（2021年8月23日）：共 26 项" in await world.say("/board")
    mine = await world.say("/mine")
    assert "安全办牵头的任务" in mine and "第25项" in mine
    helped = await world.say("/help")
    assert "/report 编号 状态" in helped and "管理员命令" not in helped


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/report", "用法：/report 编号 状态"),
        ("/report 25", "请写明状态"),
        ("/report 25 随便", "不认识的状态“随便”"),
        ("/report 25 推进中 150%", "不能超过 100%"),
        ("/report 99 推进中", "没有第99项任务"),
        ("/report 12 推进中 50%", "安全办不是第12项的牵头或配合单位"),
    ],
)
async def test_malformed_or_foreign_reports_are_refused(world, text, expected):
    world.bind("安全办", SAFETY)
    assert expected in await world.say(text)
    assert world.rows(StatusReport) == []


async def test_report_shows_in_cli(world, tmp_path):
    world.bind("安全办", SAFETY)
    answer = await world.say("/report 25 推进中 60% 已完成隐患排查")
    assert "第25项「守牢教育安全稳定底线」" in answer and "✅ 已记录：推进中 60%，已完成隐患排查" in answer

    from bot.cli import app

    config = tmp_path / "duban.toml"
    config.write_text(
        f'[database]\nurl = "{world.db_url}"\n[app]\nload_sample_plan = false\n', encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["task", "25", "--json", "--config", str(config)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["latest"]["status"] == "in_progress" and record["latest"]["percent"] == 60
    assert record["reports"][-1]["note"] == "已完成隐患排查"
    assert record["reports"][-1]["reporter"] == f"telegram:{SAFETY}"


# --- reminders and their buttons ------------------------------------------------------------------


async def remind(world: World) -> Outbox:
    """Sweep and dispatch at NOW, owing 安全办 (task 25, due in 3 working days) and 职教办 (task 12)."""
    world.bind("安全办", SAFETY)
    world.bind("职教办", VOCATIONAL_GROUP, group=True)
    world.set_deadline("25", date(2021, 8, 26))
    result = world.service.sweep()
    assert result.written == 2
    stats = await world.service.dispatch()
    assert stats.sent == 2
    (row,) = world.rows(Outbox, Outbox.recipient == f"telegram:{SAFETY}")
    assert row.state == "sent" and row.message_id
    return row


def labels(params: dict) -> list[list[str]]:
    return [[b["text"] for b in r] for r in params["reply_markup"]["inline_keyboard"]]


def button(row: Outbox, label: str) -> str:
    return next(b["data"] for r in json.loads(row.payload)["buttons"] for b in r if b["label"] == label)


async def test_reminders_carry_five_buttons(world):
    await remind(world)
    sent = {p["chat_id"]: p for p in world.api.requests("sendMessage")}
    assert sent[SAFETY]["text"].startswith("【督办提醒】第25项「守牢教育安全稳定底线」\n贵单位（安全办）牵头")
    assert "还有 3 个工作日" in sent[SAFETY]["text"]
    assert sent[VOCATIONAL_GROUP]["text"].startswith("【督办提醒】第12项「大力发展职业教育」")
    assert labels(sent[SAFETY]) == BUTTONS and labels(sent[VOCATIONAL_GROUP]) == BUTTONS
    # A second sweep and dispatch at the same instant sends nothing again.
    assert world.service.sweep().written == 0
    assert (await world.service.dispatch()).sent == 0


@pytest.mark.parametrize(
    ("label", "status", "percent"),
    [("已完成", "done", 100), ("推进中", "in_progress", None), ("有困难", "blocked", None)],
)
async def test_status_buttons_record_and_edit(world, label, status, percent):
    row = await remind(world)
    await world.tap(button(row, label), chat=SAFETY, message_id=int(row.message_id))

    (report,) = world.rows(StatusReport)
    assert (report.task_id, report.status, report.percent) == (row.task_id, status, percent)
    assert report.reporter == f"telegram:{SAFETY}"
    (edit,) = world.api.requests("editMessageText")
    assert edit["chat_id"] == SAFETY and edit["message_id"] == int(row.message_id)
    assert (
        edit["text"].startswith("【督办提醒】第25项")
        and f"✅ 已记录：{label}（安全办 08-23 09:30）" in edit["text"]
    )
    assert len(world.api.requests("answerCallbackQuery")) == 1


async def test_snooze_queues_next_working_morning(world):
    row = await remind(world)
    await world.tap(button(row, "稍后提醒"), chat=SAFETY, message_id=int(row.message_id))

    (edit,) = world.api.requests("editMessageText")
    assert "⏰ 好的，08月24日 09:00再提醒" in edit["text"]
    (later,) = world.rows(Outbox, Outbox.kind == "snooze")
    assert later.recipient == f"telegram:{SAFETY}" and later.state == "pending"
    assert later.next_attempt_at.astimezone(SH) == datetime(2021, 8, 24, 9, 0, tzinfo=SH)
    assert (await world.service.dispatch()).sent == 0  # not yet

    world.now = datetime(2021, 8, 24, 9, 5, tzinfo=SH)
    assert (await world.service.dispatch()).sent == 1
    again = world.api.requests("sendMessage")[-1]
    assert again["chat_id"] == SAFETY and again["text"].startswith("【稍后提醒】【督办提醒】第25项")
    assert labels(again) == BUTTONS


async def _request_deferral(world: World) -> tuple[Outbox, Deferral]:
    row = await remind(world)
    asked = await world.tap(button(row, "申请延期"), chat=SAFETY, message_id=int(row.message_id))
    assert "⏳ 申请延期" in asked and "请回复第25项希望延期到的日期" in asked
    answer = await world.say("2021-10-15 汛期施工受阻")
    assert "第25项延期至2021-10-15的申请已提交管理员审批" in answer
    (deferral,) = world.rows(Deferral)
    assert (deferral.status, deferral.requested_date, deferral.reason) == (
        "pending",
        date(2021, 10, 15),
        "汛期施工受阻",
    )
    assert (await world.service.dispatch()).sent == 1
    push = world.api.requests("sendMessage")[-1]
    assert push["chat_id"] == ADMIN and push["text"].startswith("【延期申请】安全办申请将第25项")
    assert labels(push) == [["批准", "驳回"]]
    (admin_row,) = world.rows(Outbox, Outbox.recipient == f"telegram:{ADMIN}")
    return admin_row, deferral


async def test_deferral_approved(world):
    admin_row, deferral = await _request_deferral(world)
    verdict = await world.tap(button(admin_row, "批准"), chat=ADMIN, message_id=int(admin_row.message_id))
    assert "已批准：第25项延期至2021-10-15" in verdict
    assert world.rows(Deferral)[0].status == "approved"

    runner = await world.say("/task 25", chat=ADMIN)
    assert "时限：2021-10-15 延期至2021-10-15（已批准）" in runner
    with session_scope(world.engine) as session:
        from bot.services.tasks import task_record

        record = task_record(session=session, task=require_task(session=session, ref="25")).to_dict()
    manual = [d for d in record["deadlines"] if d["source"] == "manual"]
    assert [d["date"] for d in manual] == ["2021-10-15"]

    assert (await world.service.dispatch()).sent == 1
    told = world.api.requests("sendMessage")[-1]
    assert told["chat_id"] == SAFETY and told["text"] == "【延期申请结果】已批准：第25项延期至2021-10-15。"
    # Tapping again changes nothing.
    assert "该延期申请已处理" in await world.tap(
        button(admin_row, "驳回"), chat=ADMIN, message_id=int(admin_row.message_id)
    )


async def test_deferral_rejected(world):
    admin_row, _ = await _request_deferral(world)
    verdict = await world.tap(button(admin_row, "驳回"), chat=ADMIN, message_id=int(admin_row.message_id))
    assert "已驳回第25项延期至2021-10-15的申请，原时限不变" in verdict
    assert world.rows(Deferral)[0].status == "rejected"
    assert "时限：2021-08-26" in await world.say("/task 25", chat=ADMIN)
    await world.service.dispatch()
    assert world.api.requests("sendMessage")[-1]["text"].startswith("【延期申请结果】已驳回")


async def test_non_admin_cannot_decide_deferral(world):
    admin_row, _ = await _request_deferral(world)
    answer = await world.tap(button(admin_row, "批准"), chat=SAFETY, message_id=int(admin_row.message_id))
    assert "只有管理员" in answer
    assert world.rows(Deferral)[0].status == "pending"


async def test_forged_button_changes_nothing(world):
    row = await remind(world)
    data = button(row, "已完成")
    forged = data[:-1] + ("0" if data[-1] != "0" else "1")
    answer = await world.tap(forged, chat=SAFETY, message_id=int(row.message_id))
    assert "按钮无效" in answer
    # Re-signing for another task with the wrong key is just as useless.
    answer = await world.tap(f"st:{world.task_id('12')}:done:0123456789", chat=SAFETY, message_id=1)
    assert "按钮无效" in answer
    assert world.rows(StatusReport) == []
    assert world.api.requests("editMessageText") == []


async def test_reply_to_reminder_records_note(world):
    row = await remind(world)
    reminder = bot_message_dict("【督办提醒】第25项", chat_id=SAFETY, message_id=int(row.message_id))
    before = len(world.api.calls)
    await world.feed(reply_update("已完成隐患排查，正在整改", reminder, chat_id=SAFETY, user_id=SAFETY))
    assert "已记录第25项的进展说明：已完成隐患排查，正在整改" in world.out_since(before)
    (report,) = world.rows(StatusReport)
    assert (report.task_id, report.status, report.note) == (row.task_id, "note", "已完成隐患排查，正在整改")


# --- admin: plan upload and export -------------------------------------------------------------


async def _upload(world: World, data: bytes, *, chat: int) -> str:
    world.api.add_file(f"plan-{chat}", data, path=f"documents/plan-{chat}.txt")
    before = len(world.api.calls)
    await world.feed(document_update(f"plan-{chat}", "工作要点.txt", len(data), chat_id=chat, user_id=chat))
    return world.out_since(before)


def _revised(seed_path) -> bytes:
    text = seed_path.read_text(encoding="utf-8")
    old = "责任股室(单位):安全办、信访办、法宣股、体卫艺股、仪器站"
    assert text.count(old) == 1
    return text.replace(old, "责任股室(单位):信访办、安全办、法宣股、体卫艺股、仪器站").encode()


async def test_admin_uploads_plan_and_confirms(world, seed_path):
    answer = await _upload(world, _revised(seed_path), chat=ADMIN)
    assert "第25项" in answer and answer.endswith("确认导入吗？")
    offer = world.api.requests("sendMessage")[-1]
    assert labels(offer) == [["确认导入", "取消"]]
    confirm = offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

    applied = await world.tap(confirm, chat=ADMIN, message_id=42)
    assert world.api.requests("editMessageText")[-1]["message_id"] == 42
    assert applied
    who = await world.say("第25项谁负责", chat=ADMIN)
    assert "牵头：信访办" in who and "安全办" in who.split("配合：")[1]
    # The pending upload is gone: a second tap is refused.
    assert "已经处理过" in await world.tap(confirm, chat=ADMIN, message_id=42)


async def test_admin_cancels_upload(world, seed_path):
    await _upload(world, _revised(seed_path), chat=ADMIN)
    cancel = world.api.requests("sendMessage")[-1]["reply_markup"]["inline_keyboard"][0][1]["callback_data"]
    assert "已取消导入" in await world.tap(cancel, chat=ADMIN, message_id=42)
    assert "管理员命令" in await world.say("/help", chat=ADMIN)
    assert "牵头：安全办" in await world.say("第25项谁负责", chat=ADMIN)


async def test_non_admin_upload_refused(world, seed_path):
    world.bind("安全办", SAFETY)
    assert "只有管理员可以导入计划文件" in await _upload(world, _revised(seed_path), chat=SAFETY)
    assert "牵头：安全办" in await world.say("第25项谁负责")


async def test_export_sends_workbook(world):
    world.bind("安全办", SAFETY)
    await world.say("/report 25 推进中 60% 已完成隐患排查")
    assert "只有管理员可以使用这个命令" in await world.say("/export")
    assert world.api.requests("sendDocument") == []

    await world.say("/export", chat=ADMIN)
    (doc,) = world.api.requests("sendDocument")
    assert doc["chat_id"] == ADMIN and doc["document"]["file_name"] == "督办台账_2021-08-23.xlsx"
    assert doc["caption"] == "督办台账（2021-08-23）"
    ws = load_workbook(io.BytesIO(doc["document"]["bytes"])).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == [
        "序号",
        "工作任务",
        "牵头单位",
        "配合单位",
        "时限",
        "最新状态",
        "完成比例",
        "进展说明",
        "反馈时间",
        "状态灯",
    ]
    row25 = next(r for r in rows[1:] if r[0] == "25")
    assert row25[1] == "守牢教育安全稳定底线" and row25[2] == "安全办" and "信访办" in row25[3]
    assert row25[5:9] == ("推进中", "60%", "已完成隐患排查", "2021-08-23 09:30")
    assert len(rows) == 27


# --- platform errors through the real dispatcher -------------------------------------------------


# PTB's own RetryAfter.__init__ reads its deprecated int-valued retry_after (see test_tg_sender.py).
@pytest.mark.filterwarnings(
    "ignore:.*attribute `retry_after` will be of type:telegram.warnings.PTBDeprecationWarning"
)
async def test_flood_wait_retries_later_and_sends_once(world):
    world.bind("安全办", SAFETY)
    world.set_deadline("25", date(2021, 8, 26))
    world.api.fail_next("sendMessage", SAFETY, "retry_after", 5)
    world.service.sweep()
    stats = await world.service.dispatch()
    assert (stats.sent, stats.retry) == (0, 1)
    (row,) = world.rows(Outbox)
    assert row.state == "retry" and row.next_attempt_at.astimezone(SH) > NOW
    assert (await world.service.dispatch()).sent == 0  # not due again yet

    world.now = NOW + timedelta(minutes=1)
    assert (await world.service.dispatch()).sent == 1
    assert (await world.service.dispatch()).sent == 0
    (row,) = world.rows(Outbox)
    assert (row.state, row.attempts) == ("sent", 2)
    to_safety = [p for p in world.api.requests("sendMessage") if p["chat_id"] == SAFETY]
    assert len(to_safety) == 2  # the refused attempt and the one delivery


async def test_blocked_chat_is_deactivated_others_still_sent(world):
    world.bind("安全办", SAFETY)
    world.bind("安全办", -100300, group=True)
    world.bind("职教办", VOCATIONAL_GROUP, group=True)
    world.set_deadline("25", date(2021, 8, 26))
    world.api.fail_next("sendMessage", SAFETY, "forbidden")
    world.service.sweep()
    stats = await world.service.dispatch()
    assert (stats.sent, stats.inactive) == (3, 1)  # two reminders and the admin's notice
    assert stats.deactivated == [f"telegram:{SAFETY}"]
    idents = {i.address: i.active for i in world.rows(ChatIdentity)}
    assert idents == {str(SAFETY): False, "-100300": True, str(VOCATIONAL_GROUP): True}
    assert {p["chat_id"] for p in world.api.requests("sendMessage")} == {
        SAFETY,
        -100300,
        VOCATIONAL_GROUP,
        ADMIN,
    }
    # The next sweep no longer writes to the blocked chat.
    world.now = datetime(2021, 8, 25, 9, 30, tzinfo=SH)
    world.service.sweep()
    assert not world.rows(Outbox, Outbox.recipient == f"telegram:{SAFETY}", Outbox.state == "pending")


async def test_blocked_chat_is_reported_to_admin(world):
    world.bind("安全办", SAFETY)
    world.set_deadline("25", date(2021, 8, 26))
    world.api.fail_next("sendMessage", SAFETY, "forbidden")
    world.service.sweep()
    await world.service.dispatch()
    notices = [p for p in world.api.requests("sendMessage") if p["chat_id"] == ADMIN]
    assert len(notices) == 1 and "安全办" in notices[0]["text"] and "/invite 安全办" in notices[0]["text"]
    await world.service.dispatch()  # told once, not on every tick
    assert len([p for p in world.api.requests("sendMessage") if p["chat_id"] == ADMIN]) == 1


async def test_migrated_group_is_rekeyed_and_resent(world):
    world.bind("职教办", VOCATIONAL_GROUP, group=True)
    world.api.fail_next("sendMessage", VOCATIONAL_GROUP, "migrated", -1009999)
    world.service.sweep()
    stats = await world.service.dispatch()
    assert stats.migrated == 1
    (ident,) = world.rows(ChatIdentity)
    assert ident.address == "-1009999"
    # The same dispatch run resends it at the new address.
    (row,) = world.rows(Outbox)
    assert (row.recipient, row.state) == ("telegram:-1009999", "sent")
    sent = world.api.requests("sendMessage")
    assert [p["chat_id"] for p in sent] == [VOCATIONAL_GROUP, -1009999]
    assert sent[-1]["text"].startswith("【督办提醒】第12项") and labels(sent[-1]) == BUTTONS


async def test_supergroup_upgrade_notice_moves_the_binding(world):
    world.bind("职教办", VOCATIONAL_GROUP, group=True)
    update = {"update_id": 9001, "message": message_dict(None, chat_id=-1008888, user_id=111)}
    update["message"]["chat"]["type"] = "supergroup"
    update["message"]["migrate_from_chat_id"] = VOCATIONAL_GROUP
    await world.feed(update)
    (ident,) = world.rows(ChatIdentity)
    assert (ident.address, ident.active) == ("-1008888", True)
    # Questions from the new supergroup are answered as 职教办's.
    assert "职教办牵头的任务" in await world.say("/mine", chat=-1008888, user=111)


async def test_long_message_is_split_without_loss(world):
    world.bind("安全办", SAFETY)
    lines = [
        f"{i:03d}. 第{i}项任务的进展说明，内容较长，用于检验消息拆分是否完整无遗漏。" for i in range(200)
    ]
    text = "【督办汇总】\n" + "\n".join(lines)
    assert len(text) > 4096
    buttons = [[{"label": "已完成", "data": "x:1::0"}]]
    with session_scope(world.engine) as session:
        session.add(
            Outbox(
                key="long",
                recipient=f"telegram:{SAFETY}",
                kind="digest",
                occurrence="2021-08-23",
                payload=json.dumps({"text": text, "buttons": buttons}, ensure_ascii=False),
                created_at=NOW,
                next_attempt_at=NOW,
            )
        )
    assert (await world.service.dispatch()).sent == 1
    parts = world.api.requests("sendMessage")
    assert len(parts) >= 2 and all(len(p["text"]) <= 4096 for p in parts)
    assert "".join(p["text"] for p in parts) == text
    assert [("reply_markup" in p) for p in parts] == [False] * (len(parts) - 1) + [True]


# --- the whole service --------------------------------------------------------------------------


async def test_whole_service_polls_and_answers(api, tmp_path, seed_path):
    settings = telegram_settings(api, f"sqlite:///{tmp_path / 'svc.db'}", admins=[ADMIN])
    engine = open_store(settings.database.url)
    with session_scope(engine) as session:
        apply_plan(session=session, parsed=parsed_seed(seed_path), now=NOW, source_name="seed", actor="test")
        bind_directly(
            session=session,
            unit_name="安全办",
            platform="telegram",
            address=str(SAFETY),
            now=NOW,
            actor="test",
        )
    engine.dispose()

    service = App(settings, clock=lambda: NOW)
    await service.start()
    try:
        assert api.requests("setMyCommands") == [
            {"commands": [{"command": c, "description": d} for c, d in service.chat.menu()]}
        ]
        assert service.bot_username == "duban_test_bot" and settings.telegram.bot_username == ""
        api.add_update(text_update("安全办负责什么", chat_id=SAFETY, user_id=SAFETY))

        def answered():
            return [p for p in api.requests("sendMessage") if "安全办牵头的任务" in p["text"]]

        async with asyncio.timeout(5):
            while not answered():
                await asyncio.sleep(0.02)
    finally:
        await service.stop()
    (answer,) = answered()
    assert answer["chat_id"] == SAFETY
    lead, co = _lead_co(answer["text"], "安全办")
    assert "第25项 守牢教育安全稳定底线" in lead and "第7项 完善“五育并举”工作机制" in co
    assert api.requests("getUpdates")[0]["allowed_updates"] == ["message", "callback_query"]


async def test_deferral_from_group_is_answered_in_group(world):
    """A group member may never have opened a private chat with the bot: tell the group."""
    world.bind("职教办", VOCATIONAL_GROUP, group=True)
    world.service.sweep()
    await world.service.dispatch()
    (row,) = world.rows(Outbox)
    await world.tap(button(row, "申请延期"), chat=VOCATIONAL_GROUP, user=223, message_id=int(row.message_id))
    assert "已提交管理员审批" in await world.say("2021-09-30 场地未交付", chat=VOCATIONAL_GROUP, user=223)
    await world.service.dispatch()
    admin_row = world.rows(Outbox, Outbox.recipient == f"telegram:{ADMIN}")[0]
    await world.tap(button(admin_row, "批准"), chat=ADMIN, message_id=int(admin_row.message_id))
    await world.service.dispatch()
    told = world.api.requests("sendMessage")[-1]
    assert told["chat_id"] == VOCATIONAL_GROUP
    assert told["text"] == "【延期申请结果】已批准：第12项延期至2021-09-30。"


async def test_cli_invite_prints_deep_link_from_getme(api, tmp_path, seed_path, cli):
    import asyncio as _asyncio

    config = tmp_path / "c.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "i.db"}"\n[telegram]\ntoken = "{api.token}"\n'
        f'base_url = "{api.base_url}"\n',
        encoding="utf-8",
    )
    assert cli("plan", "import", str(seed_path), config_file=config)[0] == 0  # in-process: no getMe involved
    duban = str(Path(sys.executable).with_name("duban"))  # a process of its own: its getMe needs this loop free
    proc = await _asyncio.create_subprocess_exec(
        duban, "invite", "安全办", "--json", "--config", str(config), stdout=_asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    assert proc.returncode == 0
    data = json.loads(out)
    assert data["link"] == f"https://t.me/duban_test_bot?start={data['code']}"
