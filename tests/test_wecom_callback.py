import base64
import os
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from wechatpy.enterprise.crypto import PrpCrypto, WeChatCrypto

from bot.chat.events import ChatEvent
from bot.notify import OutboundMessage
from bot.wecom.callback import MAX_BODY_BYTES, WECOM_CALLBACK, add_wecom_routes
from bot.wecom.client import WeComClient
from bot.wecom.crypto import signature
from tests.fake_wecom import FakeWeCom, send_raw

NOW = 1_750_000_000
AGENT_ID = 1000002
PATH = "/wecom/callback"


class RecordingHandler:
    """Answers a text with an echo, and a button tap with the status it recorded."""

    def __init__(self) -> None:
        self.events: list[ChatEvent] = []

    async def handle(self, event: ChatEvent) -> list[OutboundMessage]:
        self.events.append(event)
        if event.callback_data:
            return [OutboundMessage(text="已记录：推进中", edit_message_id=event.callback_message_id)]
        return [OutboundMessage(text=f"收到：{event.text}")]


@pytest.fixture
def settings():
    return SimpleNamespace(
        corp_id="ww_fake_corp",
        agent_id=AGENT_ID,
        secret="app-secret",
        token="cb-token",
        encoding_aes_key=base64.b64encode(os.urandom(32)).decode().rstrip("="),
        api_base_url="",
        callback_path=PATH,
    )


@pytest.fixture
async def fake(settings):
    async with FakeWeCom(corp_id=settings.corp_id, secret=settings.secret) as server:
        yield server


@pytest.fixture
def handler():
    return RecordingHandler()


@pytest.fixture
async def bot(settings, fake, handler):
    async with httpx.AsyncClient() as http:
        settings.api_base_url = fake.base_url
        client = WeComClient.from_settings(settings, http=http)
        app = web.Application()
        add_wecom_routes(app, path=PATH, settings=settings, handler=handler, client=client, clock=lambda: NOW)
        async with TestClient(TestServer(app, host="127.0.0.1")) as http_client:
            yield http_client


def text_xml(*, corp_id="ww_fake_corp", content="进展正常", msg_id="7000000001", user="zhangsan") -> str:
    return (
        f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
        f"<CreateTime>{NOW}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId><AgentID>{AGENT_ID}</AgentID></xml>"
    )


def card_event_xml(*, key="st:42:doing", task_id="duban-abc", code="rc-from-tap") -> str:
    return (
        "<xml><ToUserName><![CDATA[ww_fake_corp]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName>"
        f"<CreateTime>{NOW}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[template_card_event]]></Event>"
        f"<EventKey><![CDATA[{key}]]></EventKey><TaskId><![CDATA[{task_id}]]></TaskId>"
        "<CardType><![CDATA[button_interaction]]></CardType>"
        f"<ResponseCode><![CDATA[{code}]]></ResponseCode><AgentID>{AGENT_ID}</AgentID></xml>"
    )


def encrypt_as_wecom(settings, plain_xml: str, *, timestamp=NOW, nonce="n0nce", corp_id=None):
    """Encrypt and sign a callback the way WeCom does; return (query, body)."""
    crypto = WeChatCrypto(settings.token, settings.encoding_aes_key, corp_id or settings.corp_id)
    envelope = ET.fromstring(crypto.encrypt_message(plain_xml, nonce, str(timestamp)))
    encrypted = envelope.findtext("Encrypt")
    query = {"msg_signature": envelope.findtext("MsgSignature"), "timestamp": str(timestamp), "nonce": nonce}
    body = (
        f"<xml><ToUserName><![CDATA[{settings.corp_id}]]></ToUserName>"
        f"<AgentID><![CDATA[{AGENT_ID}]]></AgentID><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    )
    return query, body


async def post(bot, query, body):
    resp = await bot.post(PATH, params=query, data=body.encode())
    await bot.server.app[WECOM_CALLBACK].drain()
    return resp


async def test_url_verification_returns_the_decrypted_echostr(bot, settings):
    echo_plain = "1616140317555161061"
    echostr = PrpCrypto(base64.b64decode(settings.encoding_aes_key + "=")).encrypt(
        echo_plain, settings.corp_id
    )
    echostr = echostr.decode()
    query = {
        "msg_signature": signature(settings.token, str(NOW), "abc", echostr),
        "timestamp": str(NOW),
        "nonce": "abc",
        "echostr": echostr,
    }
    resp = await bot.get(PATH, params=query)
    assert resp.status == 200
    assert await resp.text() == echo_plain

    resp = await bot.get(PATH, params={**query, "msg_signature": "0" * 40})
    assert resp.status == 403


async def test_text_message_reaches_the_handler_and_the_reply_is_sent(bot, settings, handler, fake):
    resp = await post(bot, *encrypt_as_wecom(settings, text_xml(content="道路工程已完成七成")))
    assert resp.status == 200
    assert await resp.read() == b""
    (event,) = handler.events
    assert event == ChatEvent(
        platform="wecom",
        chat_id="zhangsan",
        user_id="zhangsan",
        text="道路工程已完成七成",
        message_id="7000000001",
    )
    (sent,) = fake.sent()
    assert sent["touser"] == "zhangsan"
    assert sent["text"]["content"] == "收到：道路工程已完成七成"


async def test_card_button_tap_becomes_callback_data_and_updates_the_card(bot, settings, handler, fake):
    resp = await post(bot, *encrypt_as_wecom(settings, card_event_xml()))
    assert resp.status == 200
    (event,) = handler.events
    assert event.callback_data == "st:42:doing"
    assert event.callback_message_id == "duban-abc"
    assert event.user_id == "zhangsan" and event.text is None
    (update,) = fake.sent("/cgi-bin/message/update_template_card")
    assert update["response_code"] == "rc-from-tap"
    assert update["button"] == {"replace_name": "已记录：推进中"}
    assert fake.sent() == []


async def test_forged_signature_is_rejected(bot, settings, handler, fake):
    query, body = encrypt_as_wecom(settings, text_xml())
    resp = await post(bot, {**query, "msg_signature": "f" * 40}, body)
    assert resp.status == 403
    # A payload encrypted with someone else's key, signed with someone else's token.
    other = SimpleNamespace(**{**vars(settings), "token": "guess"})
    resp = await post(bot, *encrypt_as_wecom(other, text_xml()))
    assert resp.status == 403
    assert handler.events == [] and fake.requests == []


async def test_replayed_message_is_handled_once(bot, settings, handler, fake):
    query, body = encrypt_as_wecom(settings, text_xml(msg_id="42"))
    first = await post(bot, query, body)
    again = await post(bot, query, body)
    # WeCom's own retry re-encrypts the same message with a fresh nonce.
    retry = await post(bot, *encrypt_as_wecom(settings, text_xml(msg_id="42"), nonce="other"))
    assert (first.status, again.status, retry.status) == (200, 200, 200)
    assert len(handler.events) == 1
    assert len(fake.sent()) == 1


async def test_repeated_card_tap_event_is_handled_once(bot, settings, handler):
    await post(bot, *encrypt_as_wecom(settings, card_event_xml(), nonce="a"))
    await post(bot, *encrypt_as_wecom(settings, card_event_xml(), nonce="b"))
    assert len(handler.events) == 1


async def test_stale_timestamp_is_rejected(bot, settings, handler):
    resp = await post(bot, *encrypt_as_wecom(settings, text_xml(), timestamp=NOW - 301))
    assert resp.status == 403
    resp = await post(bot, *encrypt_as_wecom(settings, text_xml(), timestamp=NOW + 301))
    assert resp.status == 403
    assert handler.events == []


async def test_wrong_corp_id_is_rejected(bot, settings, handler):
    # Encrypted for another corp (the receive id inside the ciphertext differs).
    resp = await post(bot, *encrypt_as_wecom(settings, text_xml(), corp_id="ww_other"))
    assert resp.status == 403
    # Right receive id, but the message says it is for another corp.
    resp = await post(bot, *encrypt_as_wecom(settings, text_xml(corp_id="ww_other")))
    assert resp.status == 403
    assert handler.events == []


async def test_garbage_is_rejected(bot, settings, handler):
    encrypted = base64.b64encode(os.urandom(64)).decode()
    query = {
        "msg_signature": signature(settings.token, str(NOW), "n", encrypted),
        "timestamp": str(NOW),
        "nonce": "n",
    }
    resp = await post(bot, query, f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
    assert resp.status == 400
    resp = await post(bot, query, "<xml><Encrypt>")
    assert resp.status == 400
    resp = await post(bot, {"timestamp": str(NOW)}, "<xml/>")
    assert resp.status == 400
    assert handler.events == []


async def test_a_failing_handler_does_not_break_the_endpoint(bot, settings, handler, fake):
    async def boom(event):
        raise RuntimeError("db down")

    handler.handle = boom
    resp = await post(bot, *encrypt_as_wecom(settings, text_xml()))
    assert resp.status == 200
    assert fake.sent() == []


# -- the body as it arrives over TCP ------------------------------------------------------------


async def test_a_body_split_across_two_writes_is_read_whole(bot, settings, handler, fake):
    content = "道路工程已完成七成，" * 40
    query, body = encrypt_as_wecom(settings, text_xml(content=content))
    raw = body.encode()
    assert len(raw) > 1500
    cut = raw.index(b"<Encrypt>") + 200  # inside the CDATA section
    status, _ = await send_raw(bot.server.port, PATH, query, [raw[:cut], raw[cut:]], pause=0.05)
    await bot.server.app[WECOM_CALLBACK].drain()
    assert status == 200
    (event,) = handler.events
    assert event.text == content
    (sent,) = fake.sent()
    assert sent["text"]["content"] == f"收到：{content}"


async def test_an_oversized_body_is_refused_at_once(bot, settings, handler):
    query, _ = encrypt_as_wecom(settings, text_xml())
    # Declared too large: refused from the headers alone, without waiting for a body never sent.
    too_big = str(MAX_BODY_BYTES + 1)
    status, _ = await send_raw(bot.server.port, PATH, query, [], headers={"Content-Length": too_big})
    assert status == 413
    # Chunked, so no length up front: refused once more than the limit has arrived.
    chunked = {"Transfer-Encoding": "chunked"}
    status, _ = await send_raw(bot.server.port, PATH, query, [b"<" * (MAX_BODY_BYTES + 1)], headers=chunked)
    assert status == 413
    assert handler.events == []


async def test_a_body_that_never_finishes_is_refused(bot, settings, handler, monkeypatch):
    monkeypatch.setattr("bot.wecom.callback.BODY_TIMEOUT", 0.1)
    query, body = encrypt_as_wecom(settings, text_xml())
    declared = {"Content-Length": str(len(body) + 10)}  # ten bytes promised and never sent
    status, _ = await send_raw(bot.server.port, PATH, query, [body.encode()], headers=declared)
    assert status == 408
    assert handler.events == []
