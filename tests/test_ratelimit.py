import asyncio

import pytest

from bot.ratelimit import SlidingWindowLimiter, Spacing, settle_together


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def max_in_window(stamps: list[float], window: float) -> int:
    return max(sum(1 for t in stamps if start <= t < start + window) for start in stamps)


async def test_burst_waits_instead_of_exceeding_any_window():
    t = FakeTime()
    limiter = SlidingWindowLimiter([(30, 60.0), (1000, 3600.0)], clock=t.clock, sleep=t.sleep)
    stamps = []
    for _ in range(95):
        await limiter.acquire("zhangsan")
        stamps.append(t.now)
    assert len(stamps) == 95
    assert stamps[29] == stamps[0]  # the first 30 go at once
    assert stamps[30] == pytest.approx(stamps[0] + 60.0)
    assert max_in_window(stamps, 60.0) == 30


async def test_longer_window_holds_too():
    t = FakeTime()
    limiter = SlidingWindowLimiter([(3, 1.0), (5, 10.0)], clock=t.clock, sleep=t.sleep)
    stamps = []
    for _ in range(12):
        await limiter.acquire("k")
        stamps.append(t.now)
    assert max_in_window(stamps, 1.0) <= 3
    assert max_in_window(stamps, 10.0) == 5
    assert stamps[5] == pytest.approx(stamps[0] + 10.0)


async def test_keys_do_not_share_budgets():
    t = FakeTime()
    limiter = SlidingWindowLimiter([(2, 60.0)], clock=t.clock, sleep=t.sleep)
    for key in ("a", "a", "b", "b", "c"):
        await limiter.acquire(key)
    assert t.sleeps == []
    assert limiter.delay("a") == pytest.approx(60.0)
    assert limiter.delay("c") == 0.0


async def test_concurrent_waiters_all_get_through_in_order():
    t = FakeTime()
    limiter = SlidingWindowLimiter([(2, 10.0)], clock=t.clock, sleep=t.sleep)
    order: list[tuple[int, float]] = []

    async def one(i: int) -> None:
        await limiter.acquire("u")
        order.append((i, t.now))

    await asyncio.gather(*(one(i) for i in range(6)))
    assert [i for i, _ in order] == list(range(6))
    assert max_in_window([at for _, at in order], 10.0) == 2


def test_rules_are_checked():
    with pytest.raises(ValueError):
        SlidingWindowLimiter([])
    with pytest.raises(ValueError):
        SlidingWindowLimiter([(0, 60.0)])


async def test_idle_keys_are_forgotten():
    t = FakeTime()
    limiter = SlidingWindowLimiter([(5, 1.0)], clock=t.clock, sleep=t.sleep, max_idle_keys=3)
    for i in range(3):
        await limiter.acquire(f"k{i}")
    t.now += 5
    await limiter.acquire("k3")
    assert set(limiter._hits) == {"k3"}


async def test_a_request_counts_until_its_answer_is_back():
    t = FakeTime()
    limiter = SlidingWindowLimiter([(1, 1.0)], clock=t.clock, sleep=t.sleep)
    async with limiter.reserve("k") as first:
        assert await settle_together([first], clock=t.clock, sleep=t.sleep) == 1_000.0
        t.now += 5.0  # a slow answer: the request reached the far end at some point in these 5 s
    async with limiter.reserve("k") as second:
        left = await settle_together([second], clock=t.clock, sleep=t.sleep)
    assert left == pytest.approx(1_000.0 + 5.0 + 1.0)


async def test_a_request_in_flight_holds_its_slot_until_it_ends():
    t = FakeTime()
    limiter = SlidingWindowLimiter([(1, 1.0)], clock=t.clock, sleep=t.sleep)
    answered = asyncio.Event()
    order: list[str] = []

    async def slow() -> None:
        async with limiter.reserve("k") as r:
            await settle_together([r], clock=t.clock, sleep=t.sleep)
            order.append("slow left")
            await answered.wait()
            order.append("slow answered")

    async def next_one() -> None:
        async with limiter.reserve("k") as r:
            await settle_together([r], clock=t.clock, sleep=t.sleep)
            order.append("next left")

    first = asyncio.ensure_future(slow())
    second = asyncio.ensure_future(next_one())
    for _ in range(5):
        await asyncio.sleep(0)
    assert order == ["slow left"]  # no time passes on the fake clock, but the slot is still taken
    answered.set()
    await asyncio.gather(first, second)
    assert order == ["slow left", "slow answered", "next left"]
    assert t.now == pytest.approx(1_001.0)


async def test_a_reservation_never_sent_is_given_back():
    t = FakeTime()
    limiter = SlidingWindowLimiter([(1, 60.0)], clock=t.clock, sleep=t.sleep)
    async with limiter.reserve("k"):
        pass  # e.g. the dispatcher lost the row before its request left
    async with limiter.reserve("k") as r:
        await settle_together([r], clock=t.clock, sleep=t.sleep)
    assert t.sleeps == []


async def test_reserving_ahead_grants_early_and_the_departure_waits_out_the_rest():
    t = FakeTime()
    limiter = SlidingWindowLimiter([(1, 1.0)], clock=t.clock, sleep=t.sleep)
    await limiter.acquire("k")
    async with limiter.reserve("k", lookahead=0.25) as r:
        granted = t.now
        left = await settle_together([r], clock=t.clock, sleep=t.sleep)
    assert granted == pytest.approx(1_000.75)
    assert left == pytest.approx(1_001.0)


async def test_turns_go_by_order_and_a_callable_order_is_asked_at_each_handover():
    t = FakeTime()
    limiter = SlidingWindowLimiter([(1, 1.0)], clock=t.clock, sleep=t.sleep)
    rank = {"a": 3, "b": 2, "c": 1}
    served: list[str] = []
    answered = asyncio.Event()

    async def in_flight() -> None:
        async with limiter.reserve("*", order=0) as r:
            await settle_together([r], clock=t.clock, sleep=t.sleep)
            await answered.wait()

    async def one(name: str, order) -> None:
        async with limiter.reserve("*", order=order) as r:
            await settle_together([r], clock=t.clock, sleep=t.sleep)
            served.append(name)

    tasks = [asyncio.ensure_future(in_flight())]
    await asyncio.sleep(0)
    tasks += [asyncio.ensure_future(one(n, lambda n=n: rank[n])) for n in ("a", "b", "c")]
    for _ in range(3):
        await asyncio.sleep(0)
    rank["b"] = 0  # b's rank changes while it waits: asked again at the handover, b now goes before c
    answered.set()
    await asyncio.gather(*tasks)
    assert served == ["a", "b", "c"]  # a came first and held the turn; then by rank, not by arrival


async def test_spacing_lets_a_small_burst_through_then_spaces():
    t = FakeTime()
    spacing = Spacing(0.1, burst=3, clock=t.clock, sleep=t.sleep)
    stamps = []
    for _ in range(6):
        async with spacing.reserve() as r:
            stamps.append(await settle_together([r], clock=t.clock, sleep=t.sleep))
    assert stamps[:3] == [1_000.0] * 3
    assert stamps[3:] == pytest.approx([1_000.1, 1_000.2, 1_000.3])
