"""WeCom end to end: the real Service, ChatService and store against the fake WeCom server.

Callbacks are encrypted and signed with wechatpy exactly as WeCom does; replies and reminders are
asserted on what the fake server recorded. Time is a fixed clock in Asia/Shanghai.
"""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import time
import xml.etree.ElementTree as ET
from datetime import date, datetime
from itertools import count

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select
from wechatpy.enterprise.crypto import PrpCrypto, WeChatCrypto

from bot.app import App
from bot.chat.service import ChatService
from bot.config import Settings
from bot.notify import OutboundMessage, Recipient, SendStatus
from bot.ratelimit import SlidingWindowLimiter
from bot.services.binding import bind_directly, create_invite
from bot.services.importer import apply_plan
from bot.services.reports import set_deadline
from bot.services.tasks import require_task
from bot.wecom.callback import WECOM_CALLBACK, add_wecom_routes
from bot.wecom.cards import label_says_all, replace_name
from bot.wecom.client import WeComClient
from bot.wecom.crypto import signature
from bot.wecom.limits import MEMBER_RULES
from storage.db import session_scope
from storage.models import ChatIdentity, Deadline, Outbox, StatusReport, Task
from tests.conftest import SH
from tests.fake_wecom import FakeWeCom, send_raw
from tests.helpers import parsed_plan
from tests.test_ratelimit import FakeTime, max_in_window

NOW = datetime(2021, 8, 11, 9, 30, tzinfo=SH)  # a Wednesday in the seed plan's year, office hours
DUE_25 = date(2021, 8, 16)  # three working days ahead: the lead's ladder step 3
AGENT_ID = 1000002
PATH = "/wecom/callback"
USER = "zhangsan"  # bound to 安全办
_msg_ids = count(7_000_000_001)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wecom_settings(fake: FakeWeCom, tmp_path, **extra) -> Settings:
    return Settings(
        database={"url": f"sqlite:///{tmp_path / 'duban.db'}"},
        app={"load_sample_plan": False},
        wecom={
            "corp_id": fake.corp_id,
            "agent_id": AGENT_ID,
            "secret": fake.secret,
            "token": "callback-token",
            "encoding_aes_key": base64.b64encode(os.urandom(32)).decode().rstrip("="),
            "api_base_url": fake.base_url,
            "admins": ["admin1"],
        },
        server={"host": "127.0.0.1", "port": free_port()},
        **extra,
    )


def seed_store(engine, seed_path, *, bind: dict[str, str] | None = None) -> None:
    """Import the seed plan, give task 25 a date three working days ahead, bind WeCom users."""
    with session_scope(engine) as session:
        apply_plan(session=session, parsed=parsed_plan(seed_path), now=NOW, source_name=seed_path.name)
        task = require_task(session=session, ref="25")
        set_deadline(session=session, task=task, when=DUE_25, label="", now=NOW, actor="test")
        for userid, unit in (bind or {}).items():
            bind_directly(
                session=session, unit_name=unit, platform="wecom", address=userid, now=NOW, actor="test"
            )


# -- WeCom's side of the callback ---------------------------------------------------------------


def text_xml(settings: Settings, content: str, *, user: str = USER, msg_id: int | None = None) -> str:
    msg_id = next(_msg_ids) if msg_id is None else msg_id
    return (
        f"<xml><ToUserName><![CDATA[{settings.wecom.corp_id}]]></ToUserName>"
        f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id}</MsgId><AgentID>{AGENT_ID}</AgentID></xml>"
    )


def card_event_xml(settings: Settings, *, key: str, task_id: str, code: str, user: str = USER) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{settings.wecom.corp_id}]]></ToUserName>"
        f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{int(time.time())}</CreateTime>"
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>"
        f"<EventKey><![CDATA[{key}]]></EventKey><TaskId><![CDATA[{task_id}]]></TaskId>"
        f"<CardType><![CDATA[button_interaction]]></CardType><ResponseCode><![CDATA[{code}]]></ResponseCode>"
        f"<AgentID>{AGENT_ID}</AgentID></xml>"
    )


def encrypt(settings: Settings, plain_xml: str, *, nonce: str | None = None) -> tuple[dict, bytes]:
    """Encrypt and sign a callback as WeCom does; return (query, body)."""
    w = settings.wecom
    timestamp = str(int(time.time()))  # the endpoint checks the wall clock's replay window
    nonce = nonce or os.urandom(6).hex()
    envelope = ET.fromstring(
        WeChatCrypto(w.token, w.encoding_aes_key, w.corp_id).encrypt_message(plain_xml, nonce, timestamp)
    )
    query = {"msg_signature": envelope.findtext("MsgSignature"), "timestamp": timestamp, "nonce": nonce}
    body = (
        f"<xml><ToUserName><![CDATA[{w.corp_id}]]></ToUserName><AgentID><![CDATA[{AGENT_ID}]]></AgentID>"
        f"<Encrypt><![CDATA[{envelope.findtext('Encrypt')}]]></Encrypt></xml>"
    )
    return query, body.encode()


# -- the running service ------------------------------------------------------------------------


@pytest.fixture
async def fake():
    async with FakeWeCom(corp_id="ww_duban_test", secret="app-secret") as server:
        yield server


class Running:
    """`duban run` with a [wecom] section, serving the callback on a loopback port."""

    def __init__(self, service: App, fake: FakeWeCom) -> None:
        self.service, self.fake, self.settings = service, fake, service.settings
        self.url = f"http://127.0.0.1:{service.settings.server.port}{PATH}"
        self.http = httpx.AsyncClient()

    async def post(
        self, plain_xml: str, *, nonce: str | None = None, query: dict | None = None
    ) -> httpx.Response:
        q, body = encrypt(self.settings, plain_xml, nonce=nonce)
        resp = await self.http.post(self.url, params={**q, **(query or {})}, content=body)
        await self.settle()
        return resp

    async def say(self, content: str, *, user: str = USER) -> httpx.Response:
        return await self.post(text_xml(self.settings, content, user=user))

    async def settle(self) -> None:
        """Wait for the callback's background handling and any dispatch it kicked off."""
        assert self.service.web_runner is not None
        await self.service.web_runner.app[WECOM_CALLBACK].drain()
        while self.service._tasks:
            await asyncio.gather(*list(self.service._tasks))

    def replies(self, user: str = USER) -> list[dict]:
        return [b for b in self.fake.sent() if b.get("touser") == user]


@pytest.fixture
async def running(fake, tmp_path, seed_path):
    settings = wecom_settings(fake, tmp_path)
    service = App(settings, clock=lambda: NOW)
    seed_store(service.engine, seed_path, bind={USER: "安全办"})
    await service.start()
    # The scheduler would sweep at once; these tests sweep by hand at the fixed instant.
    assert service.scheduler is not None
    service.scheduler.pause()
    run = Running(service, fake)
    yield run
    await run.http.aclose()
    await service.stop()


def reports(engine) -> list[StatusReport]:
    with session_scope(engine) as session:
        return list(session.exec(select(StatusReport)).all())


# -- the tests ----------------------------------------------------------------------------------


async def test_url_verification_handshake(running):
    w = running.settings.wecom
    echo = "5927782489442352469"
    key = base64.b64decode(w.encoding_aes_key + "=")
    echostr = PrpCrypto(key).encrypt(echo, w.corp_id).decode()
    ts = str(int(time.time()))
    query = {
        "msg_signature": signature(w.token, ts, "nonce1", echostr),
        "timestamp": ts,
        "nonce": "nonce1",
        "echostr": echostr,
    }
    resp = await running.http.get(running.url, params=query)
    assert (resp.status_code, resp.text) == (200, echo)
    resp = await running.http.get(running.url, params={**query, "msg_signature": "0" * 40})
    assert resp.status_code == 403 and resp.text == ""


async def test_bound_user_asks_what_the_unit_owns(running):
    resp = await running.say("安全办负责什么")
    assert resp.status_code == 200 and resp.content == b""
    (answer,) = running.replies()
    assert answer["msgtype"] == "text" and answer["agentid"] == AGENT_ID
    text = answer["text"]["content"]
    lead, _, co = text.partition("配合")
    assert "第25项" in lead and "第25项" not in co
    assert "第7项" in co and "第7项" not in lead


async def test_invite_code_binds_a_new_user(running):
    with session_scope(running.service.engine) as session:
        code = create_invite(session=session, unit_name="安全办", now=NOW, created_by="test").code
    await running.say(f"/start {code}", user="lisi")
    await running.say("/mine", user="lisi")
    bound, mine = (b["text"]["content"] for b in running.replies("lisi"))
    assert "绑定成功" in bound and "安全办" in bound
    assert "第25项" in mine and "第7项" in mine
    with session_scope(running.service.engine) as session:
        ident = session.exec(select(ChatIdentity).where(ChatIdentity.address == "lisi")).one()
        assert (ident.platform, ident.user_id) == ("wecom", "lisi")


async def test_unbound_user_gets_onboarding_only(running):
    await running.say("安全办负责什么", user="stranger")
    await running.say("/report 25 已完成", user="stranger")
    answers = [b["text"]["content"] for b in running.replies("stranger")]
    assert len(answers) == 2
    assert all("还没有绑定单位" in a and "/start 邀请码" in a for a in answers)
    assert all("第25项" not in a for a in answers)
    assert reports(running.service.engine) == []


async def test_reminder_card_and_a_tap_on_it(running):
    service, fake = running.service, running.fake
    result = service.sweep()
    assert result.written == 1, result
    stats = await service.dispatch()
    assert stats.sent == 1
    (sent,) = fake.sent()
    assert sent["touser"] == USER and sent["msgtype"] == "template_card"
    card = sent["template_card"]
    assert card["card_type"] == "button_interaction"
    assert [b["text"] for b in card["button_list"]] == ["已完成", "推进中", "有困难", "申请延期", "稍后提醒"]
    assert "第25项" in card["main_title"]["title"] + card.get("sub_title_text", "")
    assert "还有 3 个工作日" in card["sub_title_text"]

    doing = next(b["key"] for b in card["button_list"] if b["text"] == "推进中")
    # WeCom's retry of a callback carries the same CreateTime, so the very same XML is posted twice below.
    tap = card_event_xml(running.settings, key=doing, task_id=card["task_id"], code="rc-from-tap")
    resp = await running.post(tap)
    assert resp.status_code == 200
    (report,) = reports(service.engine)
    assert (report.status, report.reporter) == ("in_progress", f"wecom:{USER}")
    with session_scope(service.engine) as session:
        assert session.get(Task, report.task_id).ref == "25"
    (update,) = fake.sent("/cgi-bin/message/update_template_card")
    assert update["response_code"] == "rc-from-tap" and update["userids"] == [USER]
    assert update["agentid"] == AGENT_ID
    assert update["button"]["replace_name"] == "已记录：推进中"
    # The card shows the status; nothing else needed saying.
    assert len(fake.sent()) == 1

    # The same instant again, and the tap again (WeCom's retry): nothing more.
    assert service.sweep().written == 0
    assert (await service.dispatch()).sent == 0
    await running.post(tap)
    assert len(reports(service.engine)) == 1
    assert len(fake.sent("/cgi-bin/message/update_template_card")) == 1


async def test_a_report_whose_body_arrives_in_two_segments_is_recorded(running):
    # A long note makes a ~2 KB body; it goes out in two writes 50 ms apart, cut inside the CDATA.
    note = "已完成隐患排查" * 40
    query, body = encrypt(running.settings, text_xml(running.settings, f"/report 25 推进中 60% {note}"))
    assert len(body) > 1500
    cut = body.index(b"<Encrypt>") + 300
    port = running.settings.server.port
    status, _ = await send_raw(port, PATH, query, [body[:cut], body[cut:]], pause=0.05)
    await running.settle()
    assert status == 200
    (report,) = reports(running.service.engine)
    assert (report.percent, report.note) == (60, note)
    (answer,) = running.replies()
    assert "已记录" in answer["text"]["content"]


async def test_forged_signature_is_rejected_and_changes_nothing(running):
    q, body = encrypt(running.settings, text_xml(running.settings, "/report 25 已完成"))
    resp = await running.http.post(running.url, params={**q, "msg_signature": "f" * 40}, content=body)
    await running.settle()
    assert resp.status_code == 403
    # A tap on a button whose key was tampered with is refused by the chat layer.
    forged = running.settings.model_copy(deep=True)
    forged.wecom.token = "guessed"
    q, body = encrypt(forged, text_xml(running.settings, "/report 25 已完成"))
    resp = await running.http.post(running.url, params=q, content=body)
    await running.settle()
    assert resp.status_code == 403
    assert reports(running.service.engine) == []
    assert running.fake.requests == []


async def test_replayed_msgid_is_handled_once(running):
    plain = text_xml(running.settings, "/report 25 推进中 60% 已完成隐患排查", msg_id=424242)
    first = await running.post(plain, nonce="first")
    again = await running.post(plain, nonce="first")
    retry = await running.post(plain, nonce="second")  # WeCom's retry: same message, new envelope
    assert [r.status_code for r in (first, again, retry)] == [200, 200, 200]
    (report,) = reports(running.service.engine)
    assert (report.status, report.percent, report.note) == ("in_progress", 60, "已完成隐患排查")
    (answer,) = running.replies()
    assert "已记录" in answer["text"]["content"]


async def test_token_fetched_once_across_sends_and_again_after_42001(running):
    fake = running.fake
    await running.say("安全办负责什么")
    running.service.sweep()
    await running.service.dispatch()
    results = await asyncio.gather(
        *(
            running.service.notifier.send(Recipient("wecom", f"user{i}"), OutboundMessage(text=f"提醒{i}"))
            for i in range(20)
        )
    )
    assert all(r.status is SendStatus.SENT for r in results)
    assert len(fake.sent()) == 22
    assert fake.tokens_issued == 1
    assert len([r for r in fake.requests if r.path == "/cgi-bin/gettoken"]) == 1

    fake.expire_tokens()  # the next call answers 42001
    await running.say("第25项谁负责")
    assert fake.tokens_issued == 2
    assert running.replies()[-1]["text"]["content"]
    rejected = [
        r for r in fake.requests if r.path == "/cgi-bin/message/send" and r.query["access_token"] == "token-1"
    ]
    assert len(rejected) == 23  # 22 accepted, then the one answered 42001 and sent again with token-2


async def test_per_member_rate_limit_holds_under_a_burst(fake, tmp_path, seed_path):
    """40 questions from one member in a moment: 40 answers, never more than 30 in any minute."""
    fake_time = FakeTime()
    fake.clock = fake_time.clock
    settings = wecom_settings(fake, tmp_path)
    service = App(settings, clock=lambda: NOW)  # the store, calendar and ChatService only
    seed_store(service.engine, seed_path, bind={USER: "安全办", "wangwu": "安全办"})
    chat = ChatService(engine=service.engine, settings=settings, calendar=service.calendar, clock=lambda: NOW)
    limiter = SlidingWindowLimiter(MEMBER_RULES, clock=fake_time.clock, sleep=fake_time.sleep)
    async with httpx.AsyncClient() as http:
        client = WeComClient.from_settings(settings.wecom, http=http, limiter=limiter)
        app = web.Application()
        add_wecom_routes(app, path=PATH, settings=settings.wecom, handler=chat, client=client)
        async with TestClient(TestServer(app, host="127.0.0.1")) as cb:
            for _ in range(40):
                q, body = encrypt(settings, text_xml(settings, "第25项谁负责"))
                assert (await cb.post(PATH, params=q, data=body)).status == 200
            q, body = encrypt(settings, text_xml(settings, "第7项谁负责", user="wangwu"))
            await cb.post(PATH, params=q, data=body)
            await app[WECOM_CALLBACK].drain()
    service.engine.dispose()
    sent = [r for r in fake.requests if r.path == "/cgi-bin/message/send"]
    mine = [r.at for r in sent if r.json["touser"] == USER]
    assert len(mine) == 40
    assert max_in_window(mine, 60.0) == 30
    assert mine[30] - mine[0] >= 60.0
    assert fake_time.sleeps  # it waited rather than dropped
    # Another member was not held back behind zhangsan's queue.
    (other,) = [r.at for r in sent if r.json["touser"] == "wangwu"]
    assert other < mine[30]


async def test_deferral_tap_reaches_the_admin_and_approval_moves_the_date(running):
    service, fake = running.service, running.fake
    service.sweep()
    await service.dispatch()
    (sent,) = fake.sent()
    card = sent["template_card"]
    defer = next(b["key"] for b in card["button_list"] if b["text"] == "申请延期")
    await running.post(card_event_xml(running.settings, key=defer, task_id=card["task_id"], code="rc-1"))
    (update,) = fake.sent("/cgi-bin/message/update_template_card")
    assert update["button"]["replace_name"] == "申请延期：请回复希望延期到的日期"
    ask = running.replies()[-1]["text"]["content"]
    assert "希望延期到的日期" in ask

    await running.say("2021-09-30 材料未齐")
    assert "已提交管理员审批" in running.replies()[-1]["text"]["content"]
    # The request was queued for the admin and sent at once (the chat action kicked the dispatcher).
    (request,) = running.replies("admin1")  # one card: the long line shows whole under its cut title
    assert request["msgtype"] == "template_card"
    assert request["template_card"]["sub_title_text"].endswith("延期至2021-09-30，理由：材料未齐。")
    approve = next(b["key"] for b in request["template_card"]["button_list"] if b["text"] == "批准")
    await running.post(
        card_event_xml(
            running.settings,
            key=approve,
            task_id=request["template_card"]["task_id"],
            code="rc-2",
            user="admin1",
        )
    )
    with session_scope(service.engine) as session:
        task = require_task(session=session, ref="25")
        active = session.exec(select(Deadline).where(Deadline.task_id == task.id, Deadline.active)).all()
        assert [d.due_date for d in active] == [date(2021, 9, 30)]
    with session_scope(service.engine) as session:
        assert all(r.state == "sent" for r in session.exec(select(Outbox)).all())


async def test_snooze_tap_queues_one_reminder_for_the_next_working_day(running):
    service, fake = running.service, running.fake
    service.sweep()
    await service.dispatch()
    card = fake.sent()[0]["template_card"]
    later = next(b["key"] for b in card["button_list"] if b["text"] == "稍后提醒")
    await running.post(card_event_xml(running.settings, key=later, task_id=card["task_id"], code="rc-1"))
    (update,) = fake.sent("/cgi-bin/message/update_template_card")
    assert update["button"]["replace_name"].startswith("好的，08月12日")
    assert len(fake.sent()) == 2  # the card, then the whole snooze line the label cut short
    assert fake.sent()[-1]["text"]["content"] == "⏰ 好的，08月12日 09:00再提醒。"
    with session_scope(service.engine) as session:
        (queued,) = session.exec(select(Outbox).where(Outbox.kind == "snooze")).all()
        assert queued.state == "pending" and queued.recipient == f"wecom:{USER}"


@pytest.mark.parametrize(
    ("text", "label", "says_all"),
    [
        ("已记录：推进中", "已记录：推进中", True),
        ("【督办提醒】第25项\n\n✅ 已记录：推进中（安全办 08-11 09:30）", "已记录：推进中", True),
        ("第25项「守牢教育安全稳定底线」\n\n⏰ 好的，08月12日 09:00再提醒。", "好的，08月12日 09:00…", False),
    ],
)
def test_the_tapped_card_shows_the_status_line(text, label, says_all):
    message = OutboundMessage(text=text)
    assert replace_name(message) == label
    assert label_says_all(message) is says_all


def image_xml(settings: Settings, media_id: str, *, user: str = USER) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{settings.wecom.corp_id}]]></ToUserName>"
        f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://127.0.0.1/p.jpg]]></PicUrl>"
        f"<MediaId><![CDATA[{media_id}]]></MediaId><MsgId>{next(_msg_ids)}</MsgId><AgentID>{AGENT_ID}</AgentID></xml>"
    )


async def test_an_image_sent_in_wecom_is_kept_as_evidence_of_the_latest_reminder(running, tmp_path):
    from storage.models import Evidence, Outbox, Task

    running.settings.app.data_dir = str(tmp_path / "data")
    running.fake.media["m-1"] = b"\xff\xd8\xff" + b"img" * 100
    assert (await running.post(image_xml(running.settings, "m-1"))).status_code == 200
    # No reminder to go by and no caption possible: the unit is told how to name the task; nothing is kept.
    assert "请注明这是哪项任务的佐证材料" in running.replies()[-1]["text"]["content"]
    with session_scope(running.service.engine) as session:
        assert session.exec(select(Evidence)).all() == []
        task = session.exec(select(Task).where(Task.ref == "25")).one()
        session.add(Outbox(key="w|1", task_id=task.id, recipient=f"wecom:{USER}", kind="upcoming",
                           occurrence="2021-08-23", payload="{}", state="sent", message_id="t-1", created_at=NOW,
                           next_attempt_at=NOW))
    running.fake.media["m-2"] = b"\xff\xd8\xff" + b"img2" * 100
    assert (await running.post(image_xml(running.settings, "m-2"))).status_code == 200
    answer = running.replies()[-1]["text"]["content"]
    assert "已收到第25项的佐证材料" in answer and "按最近一次提醒归入第25项" in answer
    # An unknown media id is a failed download, said so, never a traceback.
    assert (await running.post(image_xml(running.settings, "missing"))).status_code == 200
    assert "没有收到文件内容" in running.replies()[-1]["text"]["content"]
