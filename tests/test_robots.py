import httpx
import pytest

from bot.config import RobotSettings
from bot.notify import OutboundMessage, Recipient, SendStatus
from bot.ratelimit import SlidingWindowLimiter
from bot.robots import ROBOT_RULES, RobotSender, parse_robot_address, robot_address
from tests.fake_wecom import FakeWeCom
from tests.test_ratelimit import FakeTime, max_in_window

WALL = 1_750_000_000.0


@pytest.fixture
def fake_time():
    return FakeTime(start=WALL)


@pytest.fixture
async def fake(fake_time):
    secrets = {"ding-token": "SECdingsecret", "feishu-hook": "feishu-secret"}
    async with FakeWeCom(clock=fake_time.clock, robot_secrets=secrets) as server:
        yield server


@pytest.fixture
async def sender(fake, fake_time):
    robots = {
        "office": RobotSettings(kind="wecom", url=f"{fake.base_url}/cgi-bin/webhook/send?key=wk"),
        "ding": RobotSettings(
            kind="dingtalk", url=f"{fake.base_url}/robot/send?access_token=ding-token", secret="SECdingsecret"
        ),
        "fei": RobotSettings(kind="feishu", url=f"{fake.base_url}/open-apis/bot/v2/hook/feishu-hook",
                             secret="feishu-secret"),
        "ding-bad": RobotSettings(kind="dingtalk", url=f"{fake.base_url}/robot/send?access_token=ding-token",
                                  secret="wrong"),
    }
    limiter = SlidingWindowLimiter(ROBOT_RULES, clock=fake_time.clock, sleep=fake_time.sleep)
    async with httpx.AsyncClient() as http:
        yield RobotSender(robots, http=http, limiter=limiter, clock=fake_time.clock)


def robot(address: str) -> Recipient:
    return Recipient("robot", address)


def test_address_round_trip():
    address = robot_address("office", at=["zhangsan", "lisi"], mobiles=["13800000000"], at_all=True)
    assert address == "office?at=zhangsan,lisi&mobile=13800000000&all=1"
    target = parse_robot_address(address)
    assert target.name == "office"
    assert target.at == ("zhangsan", "lisi") and target.mobiles == ("13800000000",) and target.at_all
    assert parse_robot_address("office") == parse_robot_address(robot_address("office"))


async def test_wecom_robot_markdown_with_mentions(fake, sender):
    message = OutboundMessage(text="本周逾期 3 项", markdown="**本周逾期 3 项**")
    result = await sender.send(robot("office?at=zhangsan"), message)
    assert result.status is SendStatus.SENT
    (req,) = fake.requests
    assert req.path == "/cgi-bin/webhook/send" and req.query == {"key": "wk"}
    assert req.json == {"msgtype": "markdown", "markdown": {"content": "**本周逾期 3 项**\n<@zhangsan>"}}


async def test_wecom_robot_mobile_mentions_use_text(fake, sender):
    await sender.send(
        robot("office?mobile=13800000000&all=1"), OutboundMessage(text="请报送", markdown="**请报送**")
    )
    body = fake.requests[0].json
    assert body["msgtype"] == "text"
    assert body["text"] == {
        "content": "请报送",
        "mentioned_list": ["@all"],
        "mentioned_mobile_list": ["13800000000"],
    }


async def test_dingtalk_robot_is_signed(fake, sender, fake_time):
    message = OutboundMessage(text="逾期提醒", markdown="### 逾期提醒\n- 道路硬化", title="逾期提醒")
    result = await sender.send(robot("ding?mobile=13800000000&at=uid9"), message)
    assert result.status is SendStatus.SENT, result.detail
    (req,) = fake.requests
    assert req.query["timestamp"] == str(int(WALL * 1000))
    assert req.json["msgtype"] == "markdown"
    assert req.json["markdown"]["title"] == "逾期提醒"
    assert req.json["markdown"]["text"].endswith("@13800000000 @uid9")
    assert req.json["at"] == {"atMobiles": ["13800000000"], "atUserIds": ["uid9"], "isAtAll": False}


async def test_dingtalk_bad_secret_fails(sender):
    result = await sender.send(robot("ding-bad"), OutboundMessage(text="x"))
    assert result.status is SendStatus.FAILED
    assert "310000" in result.detail


async def test_feishu_robot_is_signed(fake, sender):
    result = await sender.send(robot("fei?at=ou_123"), OutboundMessage(text="请报送进展"))
    assert result.status is SendStatus.SENT, result.detail
    body = fake.requests[0].json
    assert body["timestamp"] == str(int(WALL))
    assert body["msg_type"] == "text"
    assert body["content"]["text"] == '请报送进展\n<at user_id="ou_123"></at>'

    result = await sender.send(robot("fei"), OutboundMessage(text="周报", markdown="**周报**", title="周报"))
    assert result.status is SendStatus.SENT, result.detail
    card = fake.requests[1].json["card"]
    assert card["header"]["title"]["content"] == "周报"
    assert card["elements"] == [{"tag": "markdown", "content": "**周报**"}]


async def test_each_robot_stays_within_20_a_minute(fake, sender, fake_time):
    for i in range(45):
        result = await sender.send(robot("office"), OutboundMessage(text=f"第{i}条"))
        assert result.status is SendStatus.SENT
    assert [r.json["text"]["content"] for r in fake.requests] == [f"第{i}条" for i in range(45)]
    stamps = [r.at for r in fake.requests]
    assert max_in_window(stamps, 60.0) == 20
    assert stamps[20] - stamps[0] >= 60.0
    # Another robot is not held back by this one.
    before = fake_time.now
    await sender.send(robot("fei"), OutboundMessage(text="x"))
    assert fake_time.now == before


async def test_unknown_robot_fails(sender):
    result = await sender.send(robot("nobody"), OutboundMessage(text="x"))
    assert result.status is SendStatus.FAILED


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        RobotSender({"x": RobotSettings(kind="slack", url="http://x")})
