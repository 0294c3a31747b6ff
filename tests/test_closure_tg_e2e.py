"""The closing loop end to end on Telegram: the real PTB Application and ChatService against the fake Bot API.

签收 from the card, then a reminder's 已完成 → 申请办结 (card to the admin and the 督导室 group) → 退回 with a
reason → 推进中 → /report 已完成 → 申请办结 → 通过 → 已销号; a second tap decides nothing.
"""

from __future__ import annotations

import pytest

from bot.services.receipts import request_receipts
from storage.db import session_scope
from storage.models import Outbox, Task
from tests.test_tg_e2e import ADMIN, SAFETY, World, button, labels, remind

pytestmark = pytest.mark.review
SUPERVISION = -100300  # 督导室's group chat


@pytest.fixture
async def world(api, tmp_path, seed_path):
    w = World(api, tmp_path, seed_path)
    await w.app.initialize()
    yield w
    await w.app.shutdown()
    w.engine.dispose()


def _last_to(world: World, chat: int) -> Outbox:
    return world.rows(Outbox, Outbox.recipient == f"telegram:{chat}")[-1]


def _task(world: World) -> Task:
    (t,) = world.rows(Task, Task.ref == "25")
    return t


async def test_sign_then_apply_return_apply_pass(world):
    world.bind("督导室", SUPERVISION, group=True)
    row = await remind(world)  # binds 安全办 and sends its reminder for task 25
    with session_scope(world.engine) as s:
        request_receipts(session=s, task_ids=[world.task_id("25")], now=world.now)
    assert world.service.sweep().written == 1
    await world.service.dispatch()
    card = _last_to(world, SAFETY)
    sent = world.api.requests("sendMessage")[-1]
    assert sent["chat_id"] == SAFETY and labels(sent) == [["签收", "不属于本单位"]]
    assert "✅ 已签收：第25项" in await world.tap(button(card, "签收"), chat=SAFETY, message_id=int(card.message_id))
    assert _task(world).signed_at is not None

    edited = await world.tap(button(row, "已完成"), chat=SAFETY, message_id=int(row.message_id))
    assert "已提交办结申请" in edited and not _task(world).done and _task(world).review_pending
    assert (await world.service.dispatch()).sent == 2  # the admin and the 督导室 group
    review = _last_to(world, SUPERVISION)
    assert "【办结审核】第25项" in world.api.requests("sendMessage")[-1]["text"]
    assert "/review return 25" in await world.tap(button(review, "退回"), chat=ADMIN,
                                                   message_id=int(review.message_id))
    assert "已退回第25项" in await world.say("/review return 25 缺少整改照片", chat=ADMIN)
    await world.service.dispatch()
    told = [p["text"] for p in world.api.requests("sendMessage") if p["chat_id"] == SAFETY]
    assert "缺少整改照片" in told[-1] and _task(world).returns == 1

    assert "已提交办结申请" in await world.say("/report 25 已完成 照片已补充")
    await world.service.dispatch()
    second = _last_to(world, SUPERVISION)
    assert "照片已补充" in world.api.requests("sendMessage")[-1]["text"]
    passed = await world.tap(button(second, "通过"), chat=SUPERVISION, user=7, message_id=int(second.message_id))
    assert "已销号" in passed and _task(world).done
    again = await world.tap(button(second, "通过"), chat=ADMIN, message_id=int(second.message_id))
    assert "没有待审核的办结申请" in again
    await world.service.dispatch()
    told = [p["text"] for p in world.api.requests("sendMessage") if p["chat_id"] == SAFETY]
    assert "已销号" in told[-1]
    assert world.service.sweep().written == 0  # reminders ended
