"""WeCom userids are unique ignoring case: `WangWu` and `wangwu` are one member."""

from __future__ import annotations

import pytest

from tests import test_wecom_e2e as e2e
from tests.fake_wecom import FakeWeCom


@pytest.fixture
async def fake():
    async with FakeWeCom(corp_id="ww_duban_test", secret="app-secret") as server:
        yield server


@pytest.fixture
async def running(fake, tmp_path, seed_path):
    settings = e2e.wecom_settings(fake, tmp_path)  # [wecom] admins = ["admin1"]
    service = e2e.App(settings, clock=lambda: e2e.NOW)
    e2e.seed_store(service.engine, seed_path, bind={"wangwu": "安全办"})
    await service.start()
    assert service.scheduler is not None
    service.scheduler.pause()
    run = e2e.Running(service, fake)
    yield run
    await run.http.aclose()
    await service.stop()


async def test_a_config_admin_is_recognised_in_any_case(running):
    await running.say("/invite 安全办", user="Admin1")
    await running.say("/invite 安全办", user="stranger")
    (admin,) = (r["text"]["content"] for r in running.replies("Admin1"))
    (other,) = (r["text"]["content"] for r in running.replies("stranger"))
    assert "安全办的邀请码：" in admin  # the admin command ran for "Admin1" (configured as "admin1")
    assert "邀请码：" not in other


async def test_a_member_bound_in_lower_case_is_known_when_wecom_sends_mixed_case(running):
    await running.say("安全办负责什么", user="WangWu")
    (answer,) = (r["text"]["content"] for r in running.replies("WangWu"))
    assert "还没有绑定单位" not in answer
    assert "第25项" in answer
