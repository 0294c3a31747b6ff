"""TelegramSender against the fake Bot API: error mapping, splitting and rate limits."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.notify import Button, OutboundMessage, Recipient, SendStatus
from bot.textsplit import split, utf16_len
from bot.tg.limits import MAX_MESSAGE, PER_CHAT, TelegramLimits
from bot.tg.sender import TelegramSender

# PTB's own RetryAfter.__init__ reads its deprecated int-valued `retry_after` (PTB 22.2+); the
# sender copes with either type (see test_retry_after_with_timedelta_opt_in).
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*attribute `retry_after` will be of type:telegram.warnings.PTBDeprecationWarning"
)


class FakeClock:
    """A monotonic clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now = max(self.now, self.now + seconds)
        await asyncio.sleep(0)



@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def bot(api):
    # A short read timeout so the "delay" fault outlasts it quickly.
    async with Bot(api.token, base_url=api.base_url, request=HTTPXRequest(read_timeout=0.3)) as b:
        yield b


@pytest.fixture
def sender(bot, clock) -> TelegramSender:
    return TelegramSender(bot, clock=clock, sleep=clock.sleep)


def to(chat_id: int | str) -> Recipient:
    return Recipient("telegram", str(chat_id))


async def test_plain_send_returns_message_id(api, sender):
    result = await sender.send(to(111), OutboundMessage(text="【提醒】第3项将于周五到期"))

    assert result.status is SendStatus.SENT
    (sent,) = api.requests("sendMessage")
    assert sent["text"] == "【提醒】第3项将于周五到期"
    assert result.message_id is not None


async def test_buttons_become_inline_keyboard(api, sender):
    message = OutboundMessage(
        text="请确认", buttons=[[Button("已完成", "done:3")], [Button("申请延期", "delay:3")]]
    )
    await sender.send(to(111), message)

    assert api.requests("sendMessage")[0]["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "已完成", "callback_data": "done:3"}],
            [{"text": "申请延期", "callback_data": "delay:3"}],
        ]
    }


async def test_retry_after_pauses_all_sending(api, sender, clock):
    api.fail_next("sendMessage", 111, "retry_after", 7)

    result = await sender.send(to(111), OutboundMessage(text="a"))

    assert result.status is SendStatus.RETRY
    assert result.retry_after == 7
    assert sender.paused_for == pytest.approx(7)
    assert clock.sleeps == []  # the dispatcher decides when to resend; we do not block it

    other = await sender.send(to(222), OutboundMessage(text="b"))
    assert other.status is SendStatus.SENT
    assert clock.sleeps == [pytest.approx(7)]  # another chat still waited out the flood pause
    assert clock.now >= 7


async def test_retry_after_with_timedelta_opt_in(api, sender, monkeypatch):
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    api.fail_next("sendMessage", 111, "retry_after", 3)

    result = await sender.send(to(111), OutboundMessage(text="a"))

    assert (result.status, result.retry_after) == (SendStatus.RETRY, 3.0)


async def test_flood_wait_on_later_part_is_absorbed(api, sender, clock):
    # Part 1 already went out; resending the whole message would duplicate it.
    text = "一" * 4096 + "二" * 10
    api.fail_next("sendMessage", 111, "delay", 0)  # part 1: answered normally after no delay
    api.fail_next("sendMessage", 111, "retry_after", 2)  # part 2: flood control
    result = await sender.send(to(111), OutboundMessage(text=text))

    assert result.status is SendStatus.SENT
    texts = [p["text"] for p in api.requests("sendMessage")]
    assert texts == ["一" * 4096, "二" * 10, "二" * 10]  # the second part was retried, not the first
    assert sum(clock.sleeps) >= 2


async def test_forbidden_is_inactive_and_other_chats_unaffected(api, sender, clock):
    api.fail_next("sendMessage", 111, "forbidden")

    blocked = await sender.send(to(111), OutboundMessage(text="a"))
    other = await sender.send(to(222), OutboundMessage(text="b"))

    assert blocked.status is SendStatus.INACTIVE
    assert "blocked" in blocked.detail
    assert other.status is SendStatus.SENT
    assert sum(clock.sleeps) < 0.1  # no flood wait: only the overall spacing between two sends


async def test_migrated_group_gives_new_address(api, sender):
    api.fail_next("sendMessage", -200, "migrated", -1001234567890)

    result = await sender.send(to(-200), OutboundMessage(text="群提醒"))

    assert result.status is SendStatus.RETRY
    assert result.new_address == "-1001234567890"
    again = await sender.send(to(result.new_address), OutboundMessage(text="群提醒"))
    assert again.status is SendStatus.SENT


async def test_timeout_is_unknown(api, sender):
    api.fail_next("sendMessage", 111, "delay", 2.0)

    result = await sender.send(to(111), OutboundMessage(text="慢"))

    assert result.status is SendStatus.UNKNOWN
    assert len(api.requests("sendMessage")) == 1  # the request did reach the server


async def test_bad_request_is_failed(api, sender):
    api.fail_next("sendMessage", 111, "bad_request", "chat not found")

    result = await sender.send(to(111), OutboundMessage(text="x"))

    assert result.status is SendStatus.FAILED
    assert "chat not found" in result.detail.lower()


async def test_invalid_address_is_failed_without_request(api, sender):
    result = await sender.send(to("not-a-chat"), OutboundMessage(text="x"))

    assert result.status is SendStatus.FAILED
    assert api.requests("sendMessage") == []


async def test_long_text_is_split_without_loss(api, sender):
    lines = [f"{i:03d}. 县发改局牵头推进重点项目第{i}项，按月报送进展。" for i in range(200)]
    text = "\n".join(lines)
    assert 4096 < len(text) < 8192
    message = OutboundMessage(text=text, buttons=[[Button("已阅", "ack")]])

    result = await sender.send(to(111), message)

    sent = api.requests("sendMessage")
    assert len(sent) >= 2
    assert "".join(p["text"] for p in sent) == text
    assert all(utf16_len(p["text"]) <= 4096 for p in sent)
    assert [("reply_markup" in p) for p in sent] == [False] * (len(sent) - 1) + [True]
    assert result.status is SendStatus.SENT
    assert result.message_id == str(len(sent))  # the fake numbers messages 1, 2, ...


async def test_5000_chars_single_line_hard_split(api, sender):
    text = "督" * 5000

    await sender.send(to(111), OutboundMessage(text=text))

    parts = [p["text"] for p in api.requests("sendMessage")]
    assert [len(p) for p in parts] == [4096, 904]
    assert "".join(parts) == text


async def test_edit_uses_edit_message_text(api, sender):
    result = await sender.send(to(111), OutboundMessage(text="已更新", edit_message_id="77"))

    (edit,) = api.requests("editMessageText")
    assert (edit["chat_id"], edit["message_id"], edit["text"]) == (111, 77, "已更新")
    assert api.requests("sendMessage") == []
    assert result.message_id == "77"


async def test_document_is_uploaded(api, sender):
    data = b"PK\x03\x04 fake xlsx"
    result = await sender.send(to(111), OutboundMessage(text="台账导出", document=("台账.xlsx", data)))

    (doc,) = api.requests("sendDocument")
    assert doc["document"] == {"file_name": "台账.xlsx", "bytes": data}
    assert doc["caption"] == "台账导出"
    assert result.status is SendStatus.SENT


class RecordingLimits(TelegramLimits):
    """Notes which chat was let through when, by the fake clock."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(clock=clock, sleep=clock.sleep)
        self.clock = clock
        self.granted: list[tuple[str, float]] = []

    @contextlib.asynccontextmanager
    async def slot(self, chat_id: str, *, ticket: int | None = None):
        async with super().slot(chat_id, ticket=ticket) as go:
            async def recorded() -> float:
                at = await go()
                self.granted.append((chat_id, self.clock.now))
                return at

            yield recorded


async def test_per_chat_limit_holds_under_burst(api, bot, clock):
    limiter = RecordingLimits(clock)
    sender = TelegramSender(bot, clock=clock, sleep=clock.sleep, limits=limiter)

    burst = [sender.send(to(111), OutboundMessage(text=f"p{i}")) for i in range(5)]
    results = await asyncio.gather(*burst, sender.send(to(222), OutboundMessage(text="other")))

    assert all(r.status is SendStatus.SENT for r in results)
    assert len(api.requests("sendMessage")) == 6
    times = [t for chat, t in limiter.granted if chat == "111"]
    assert len(times) == 5
    assert all(later - earlier >= 1.0 for earlier, later in zip(times, times[1:], strict=False))
    (other,) = [t for chat, t in limiter.granted if chat == "222"]
    assert other < times[-1]  # another chat is not queued behind the burst


async def test_group_limit_is_20_per_minute(api, bot, clock):
    sender = TelegramSender(bot, clock=clock, sleep=clock.sleep)

    for i in range(21):
        await sender.send(to(-300), OutboundMessage(text=f"g{i}"))

    assert len(api.requests("sendMessage")) == 21
    assert clock.now >= 60.0  # the 21st had to wait for the first to leave the minute window


async def test_private_chat_has_no_minute_cap(clock):
    limits = TelegramLimits(clock=clock, sleep=clock.sleep)

    for _ in range(30):
        await limits.acquire("111")

    assert clock.now == pytest.approx(29 * PER_CHAT[1])  # one a second (and a hair), no 20-a-minute cap


async def test_limits_take_other_rules_for_a_bench(clock):
    limits = TelegramLimits(clock=clock, sleep=clock.sleep, per_chat=(2, 1.0), spread=0.001)

    for _ in range(4):
        await limits.acquire("111")

    assert clock.now == pytest.approx(1.0)  # two a second in one chat, then the window's second pair


def test_split_keeps_every_character_and_surrogates():
    text = ("😀" * 3000) + "\n" + ("短行\n" * 10)
    parts = split(text, MAX_MESSAGE)

    assert "".join(parts) == text
    assert all(utf16_len(p) <= 4096 for p in parts)
    assert split("short", MAX_MESSAGE) == ["short"]


async def test_edit_to_identical_text_counts_as_sent(api, sender):
    api.fail_next(
        "editMessageText",
        111,
        "bad_request",
        "message is not modified: specified new message content and reply markup are exactly the same",
    )

    result = await sender.send(to(111), OutboundMessage(text="同样", edit_message_id="77"))

    assert (result.status, result.message_id) == (SendStatus.SENT, "77")
