import asyncio

import httpx
import pytest

from bot.notify import Button, OutboundMessage, Recipient, SendStatus
from bot.ratelimit import SlidingWindowLimiter
from bot.textsplit import utf8_len
from bot.wecom.client import WeComClient
from bot.wecom.limits import MEMBER_RULES
from bot.wecom.sender import WeComSender
from tests.fake_wecom import FakeWeCom
from tests.test_ratelimit import FakeTime, max_in_window

STATUS_BUTTONS = [
    [Button("已完成", "st:42:done"), Button("推进中", "st:42:doing"), Button("有困难", "st:42:stuck")],
    [Button("申请延期", "st:42:delay"), Button("稍后提醒", "st:42:later")],
]


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
async def fake(fake_time):
    async with FakeWeCom(clock=fake_time.clock) as server:
        yield server


@pytest.fixture
async def client(fake, fake_time):
    async with httpx.AsyncClient() as http:
        limiter = SlidingWindowLimiter(MEMBER_RULES, clock=fake_time.clock, sleep=fake_time.sleep)
        yield WeComClient(fake.base_url, fake.corp_id, fake.secret, 1000002, http=http, limiter=limiter)


def wecom(address: str) -> Recipient:
    return Recipient("wecom", address)


async def test_token_fetched_once_across_50_sends_and_once_more_after_expiry(fake, client):
    sender = WeComSender(client)
    results = await asyncio.gather(
        *(sender.send(wecom(f"user{i}"), OutboundMessage(text=f"提醒{i}")) for i in range(50))
    )
    assert all(r.status is SendStatus.SENT for r in results)
    assert fake.tokens_issued == 1
    assert len(fake.sent()) == 50

    fake.expire_tokens()
    results = await asyncio.gather(
        *(sender.send(wecom("user1"), OutboundMessage(text="再提醒")) for _ in range(5))
    )
    assert all(r.status is SendStatus.SENT for r in results)
    assert fake.tokens_issued == 2
    assert client.tokens_fetched == 2


async def test_token_refreshed_before_it_expires(fake, client):
    now = [0.0]
    client._clock = lambda: now[0]
    await client.send_text(touser="u", content="一")
    now[0] = 7200 - 299  # inside the early-refresh margin
    await client.send_text(touser="u", content="二")
    assert fake.tokens_issued == 2


async def test_burst_of_40_to_one_member_is_held_to_30_a_minute(fake, client, fake_time):
    sender = WeComSender(client)
    results = [await sender.send(wecom("lisi"), OutboundMessage(text=f"第{i}条")) for i in range(40)]
    assert all(r.status is SendStatus.SENT for r in results)
    sent = [r for r in fake.requests if r.path == "/cgi-bin/message/send"]
    assert [r.json["text"]["content"] for r in sent] == [f"第{i}条" for i in range(40)]
    stamps = [r.at for r in sent]
    assert max_in_window(stamps, 60.0) == 30
    assert stamps[30] - stamps[0] >= 60.0
    assert fake_time.sleeps  # it waited rather than dropped


async def test_long_text_is_split_with_nothing_lost(fake, client):
    text = "\n".join(f"{i:03d}. 县政府年度重点工作任务第{i}项，请于本月底前报送进展。" for i in range(150))
    result = await WeComSender(client).send(wecom("wangwu"), OutboundMessage(text=text))
    assert result.status is SendStatus.SENT
    contents = [body["text"]["content"] for body in fake.sent()]
    assert len(contents) > 1
    assert all(utf8_len(c) <= 2048 for c in contents)
    assert "\n".join(contents) == text


async def test_markdown_and_department_addresses(fake, client):
    sender = WeComSender(client)
    await sender.send(wecom("dept:7"), OutboundMessage(text="周报", markdown="**周报**"))
    body = fake.sent()[-1]
    assert body["toparty"] == "7" and "touser" not in body
    assert body["msgtype"] == "markdown" and body["markdown"]["content"] == "**周报**"
    assert body["agentid"] == 1000002


async def test_buttons_become_a_card_and_a_tap_reply_updates_it(fake, client):
    sender = WeComSender(client)
    message = OutboundMessage(text="【督办】乡村道路硬化\n截止：6月30日", buttons=STATUS_BUTTONS)
    first = await sender.send(wecom("zhaoliu"), message)
    second = await sender.send(wecom("zhaoliu"), message)
    cards = [b["template_card"] for b in fake.sent()]
    assert cards[0]["card_type"] == "button_interaction"
    assert [b["key"] for b in cards[0]["button_list"]] == [b.data for row in STATUS_BUTTONS for b in row]
    assert [b["text"] for b in cards[0]["button_list"]] == [
        "已完成",
        "推进中",
        "有困难",
        "申请延期",
        "稍后提醒",
    ]
    assert cards[0]["main_title"]["title"] == "【督办】乡村道路硬化"
    assert cards[0]["task_id"] != cards[1]["task_id"]
    assert first.message_id == cards[0]["task_id"]
    assert second.message_id == cards[1]["task_id"]

    reply = OutboundMessage(text="已记录：推进中", edit_message_id=first.message_id)
    result = await sender.send(wecom("zhaoliu"), reply)
    assert result.status is SendStatus.SENT
    (update,) = fake.sent("/cgi-bin/message/update_template_card")
    assert update["response_code"] == f"rc-{first.message_id}"
    assert update["userids"] == ["zhaoliu"]
    assert update["button"] == {"replace_name": "已记录：推进中"}
    assert len(fake.sent()) == 2  # nothing more was needed

    # The code is used up: a second edit of the same card falls back to a new message.
    await sender.send(wecom("zhaoliu"), reply)
    assert fake.sent()[-1]["text"]["content"] == "已记录：推进中"


async def test_long_card_text_goes_first_as_text(fake, client):
    body = "\n".join(f"进展{i}：已完成第{i}阶段工作。" for i in range(20))
    message = OutboundMessage(text=f"本周任务\n{body}", buttons=STATUS_BUTTONS)
    result = await WeComSender(client).send(wecom("u"), message)
    assert result.status is SendStatus.SENT
    text_msg, card_msg = fake.sent()
    assert text_msg["text"]["content"] == message.text
    assert "sub_title_text" not in card_msg["template_card"]


@pytest.mark.parametrize(
    ("errcode", "status", "retry_after"),
    [
        (-1, SendStatus.RETRY, 2.0),
        (45009, SendStatus.RETRY, 60.0),
        (81013, SendStatus.INACTIVE, None),
        (60111, SendStatus.INACTIVE, None),
        (40003, SendStatus.FAILED, None),
    ],
)
async def test_api_errors_map_to_send_results(fake, client, errcode, status, retry_after):
    fake.fail(1, errcode=errcode, errmsg=f"message for {errcode}")
    result = await client.send_text(touser="u", content="x")
    assert result.status is status
    assert result.retry_after == retry_after
    if status is SendStatus.FAILED:
        assert f"message for {errcode}" in result.detail


async def test_server_error_is_retry(fake, client):
    fake.fail(1, status=502)
    result = await client.send_text(touser="u", content="x")
    assert result.status is SendStatus.RETRY and result.retry_after


async def test_invalid_user_in_a_success_answer_is_inactive(fake, client):
    fake.invalid_users.add("ghost")
    result = await client.send_text(touser="ghost", content="x")
    assert result.status is SendStatus.INACTIVE


async def test_bad_secret_fails_with_the_reason(fake):
    async with httpx.AsyncClient() as http:
        client = WeComClient(fake.base_url, fake.corp_id, "wrong", 1, http=http)
        result = await client.send_text(touser="u", content="x")
    assert result.status is SendStatus.FAILED
    assert "40001" in result.detail


def _raising_transport(exc_type: type[Exception]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cgi-bin/gettoken":
            return httpx.Response(200, json={"errcode": 0, "access_token": "t", "expires_in": 7200})
        raise exc_type("boom", request=request)

    return httpx.MockTransport(handle)


@pytest.mark.parametrize(
    ("exc_type", "status"),
    [
        (httpx.ConnectError, SendStatus.RETRY),
        (httpx.ConnectTimeout, SendStatus.RETRY),
        (httpx.ReadTimeout, SendStatus.UNKNOWN),
        (httpx.RemoteProtocolError, SendStatus.UNKNOWN),
    ],
)
async def test_network_errors(exc_type, status):
    async with httpx.AsyncClient(transport=_raising_transport(exc_type)) as http:
        client = WeComClient("http://wecom.test", "corp", "s", 1, http=http)
        result = await client.send_text(touser="u", content="x")
    assert result.status is status


async def test_document_is_uploaded_then_sent_after_the_text(fake, client):
    data = "单位,任务,状态\n交通局,道路硬化,推进中\n".encode()
    message = OutboundMessage(text="台账已导出", document=("台账.csv", data))
    result = await WeComSender(client).send(wecom("zhangsan"), message)
    assert result.status is SendStatus.SENT
    (upload,) = [r for r in fake.requests if r.path == "/cgi-bin/media/upload"]
    assert upload.query["type"] == "file"
    assert upload.json == {"media": {"filename": "台账.csv", "size": len(data)}}
    text_msg, file_msg = fake.sent()
    assert text_msg["text"]["content"] == "台账已导出"
    assert file_msg["msgtype"] == "file" and file_msg["file"]["media_id"].startswith("media-")
