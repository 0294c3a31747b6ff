import asyncio

import pytest

from bot.ratelimit import SlidingWindowLimiter


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
