"""The Telegram Application over real HTTP against the fake Bot API."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from telegram import Update

from bot.chat.events import ChatEvent
from bot.config import TelegramSettings
from bot.notify import Button, OutboundMessage
from bot.tg import add_webhook_route, build_application, get_sender, start_application, stop_application
from bot.tg.sender import TelegramSender
from tests.fake_bot_api import (
    FakeBotApi,
    bot_message_dict,
    callback_update,
    document_update,
    reply_update,
    text_update,
)

COMMANDS = [("mine", "我负责的任务"), ("report", "报送进展")]
SECRET = "s3cret-token_1"


class EchoHandler:
    """A stand-in command layer: echoes text, offers buttons, edits on a tap, acknowledges files."""

    def __init__(self) -> None:
        self.events: list[ChatEvent] = []
        self.seen = asyncio.Event()

    async def handle(self, event: ChatEvent) -> list[OutboundMessage]:
        self.events.append(event)
        self.seen.set()
        if event.callback_data:
            return [
                OutboundMessage(
                    text=f"已选择 {event.callback_data}", edit_message_id=event.callback_message_id
                )
            ]
        if event.file_name:
            size = len(event.file_bytes) if event.file_bytes is not None else -1
            return [OutboundMessage(text=f"收到 {event.file_name}（{size} 字节）")]
        if event.text == "/buttons":
            return [
                OutboundMessage(
                    text="请选择", buttons=[[Button("完成", "done:1"), Button("延期", "delay:1")]]
                )
            ]
        return [OutboundMessage(text=f"echo: {event.text}", reply_to_message_id=event.message_id)]



def make_settings(api: FakeBotApi, **overrides) -> TelegramSettings:
    return TelegramSettings(
        token=api.token, base_url=api.base_url, base_file_url=api.base_file_url, admins=[111], **overrides
    )


@pytest.fixture
def handler() -> EchoHandler:
    return EchoHandler()


@pytest.fixture
async def application(api, handler):
    app = build_application(make_settings(api), handler, commands=COMMANDS)
    await app.initialize()
    yield app
    await app.shutdown()


async def feed(application, update: dict) -> None:
    await application.process_update(Update.de_json(update, application.bot))


async def test_text_becomes_event_and_reply_is_sent(api, application, handler):
    await feed(application, text_update("进展顺利", chat_id=111, user_id=111, name="张三", message_id=5))

    (event,) = handler.events
    assert event == ChatEvent(
        platform="telegram",
        chat_id="111",
        user_id="111",
        text="进展顺利",
        user_name="张三",
        is_group=False,
        message_id="5",
    )
    (sent,) = api.requests("sendMessage")
    assert sent["chat_id"] == 111
    assert sent["text"] == "echo: 进展顺利"
    assert sent["reply_parameters"]["message_id"] == 5


async def test_group_message_is_marked_as_group(api, application, handler):
    await feed(application, text_update("/mine@duban_test_bot", chat_id=-100200, user_id=7))

    (event,) = handler.events
    assert event.is_group is True
    assert event.chat_id == "-100200"
    assert event.user_id == "7"
    assert event.text == "/mine"  # our own @username is stripped
    assert api.requests("sendMessage")[0]["chat_id"] == -100200


async def test_command_for_another_bot_is_ignored(api, application, handler):
    await feed(application, text_update("/mine@other_bot", chat_id=-100200))

    assert handler.events == []
    assert api.requests("sendMessage") == []


async def test_start_deep_link_keeps_payload(application, handler):
    await feed(application, text_update("/start bind-AB12CD"))

    assert handler.events[0].text == "/start bind-AB12CD"


async def test_callback_is_answered_and_message_edited(api, application, handler):
    await feed(application, text_update("/buttons"))
    (offer,) = api.requests("sendMessage")
    assert offer["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "完成", "callback_data": "done:1"}, {"text": "延期", "callback_data": "delay:1"}]
        ]
    }

    tapped = bot_message_dict("请选择", chat_id=111, message_id=77)
    update = callback_update("done:1", message=tapped, user_id=111)
    await feed(application, update)

    event = handler.events[-1]
    assert event.callback_data == "done:1"
    assert event.callback_message_id == "77"
    assert event.user_id == "111"
    assert event.text is None
    (answer,) = api.requests("answerCallbackQuery")
    assert answer["callback_query_id"] == update["callback_query"]["id"]
    (edit,) = api.requests("editMessageText")
    assert edit["chat_id"] == 111
    assert edit["message_id"] == 77
    assert edit["text"] == "已选择 done:1"
    assert len(api.requests("sendMessage")) == 1  # edited in place, nothing new sent


async def test_reply_carries_replied_message(application, handler):
    reminder = bot_message_dict("【提醒】请报送第3项进展", chat_id=111, message_id=88)
    await feed(application, reply_update("已完成80%", reminder, chat_id=111))

    event = handler.events[0]
    assert event.reply_to_message_id == "88"
    assert event.reply_to_text == "【提醒】请报送第3项进展"
    assert event.text == "已完成80%"


async def test_document_is_downloaded_for_handler(api, application, handler):
    content = "任务,单位\n招商引资,商务局\n".encode()
    api.add_file("doc-1", content, path="documents/file_1.csv")
    await feed(application, document_update("doc-1", "进展.csv", len(content), caption="三月进展"))

    event = handler.events[0]
    assert event.file_name == "进展.csv"
    assert event.file_bytes == content
    assert event.text == "三月进展"
    assert api.requests("getFile")[0]["file_id"] == "doc-1"
    assert api.requests("<download>") == [{"path": "documents/file_1.csv"}]
    assert api.requests("sendMessage")[0]["text"] == f"收到 进展.csv（{len(content)} 字节）"


async def test_sender_is_shared_with_pushes(application):
    assert isinstance(get_sender(application), TelegramSender)
    assert get_sender(application).bot is application.bot


async def wait_for(predicate, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


async def test_polling_registers_commands_and_handles_update(api, handler):
    settings = make_settings(api)
    app = build_application(settings, handler, commands=COMMANDS)
    await start_application(app, settings)
    try:
        assert api.requests("setMyCommands") == [
            {
                "commands": [
                    {"command": "mine", "description": "我负责的任务"},
                    {"command": "report", "description": "报送进展"},
                ]
            }
        ]
        api.add_update(text_update("/mine", chat_id=222, user_id=222))
        await wait_for(lambda: api.requests("sendMessage"))
    finally:
        await stop_application(app)

    assert handler.events[0].text == "/mine"
    assert api.requests("sendMessage")[0]["text"] == "echo: /mine"
    assert api.requests("deleteWebhook")
    assert api.requests("getUpdates")[0]["allowed_updates"] == ["message", "callback_query"]


async def test_webhook_route_checks_secret_and_feeds_application(api, handler):
    settings = make_settings(
        api, mode="webhook", webhook_url="https://duban.example.gov.cn", webhook_secret=SECRET
    )
    app = build_application(settings, handler)
    web_app = web.Application()
    add_webhook_route(web_app, app, path=settings.webhook_path, secret_token=SECRET)
    await start_application(app, settings)
    try:
        (hook,) = api.requests("setWebhook")
        assert hook["url"] == "https://duban.example.gov.cn/telegram/webhook"
        assert hook["secret_token"] == SECRET
        async with TestClient(TestServer(web_app)) as client:
            forged = await client.post("/telegram/webhook", json=text_update("伪造"))
            assert forged.status == 403
            missing = await client.post("/telegram/webhook", json=text_update("无密钥"), headers={})
            assert missing.status == 403
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            bad = await client.post("/telegram/webhook", data=b"not json", headers=headers)
            assert bad.status == 400
            ok = await client.post(
                "/telegram/webhook", json=text_update("真的", chat_id=333), headers=headers
            )
            assert ok.status == 200
            await wait_for(lambda: api.requests("sendMessage"))
    finally:
        await stop_application(app)

    assert [e.text for e in handler.events] == ["真的"]
    assert api.requests("sendMessage")[0]["chat_id"] == 333


def test_webhook_route_refuses_empty_secret(api, handler):
    app = build_application(make_settings(api, mode="webhook"), handler)
    with pytest.raises(ValueError, match="webhook_secret"):
        add_webhook_route(web.Application(), app, path="/telegram/webhook", secret_token="")
