"""The closing loop end to end on WeCom: encrypted callbacks into the real service, cards out to the fake server.

签收 on its card; 已完成 on a reminder becomes a 申请办结 whose card reaches the admin; 退回 asks the reason,
`/review return` sends it back to 推进中 (the unit told); a second 已完成 and the admin's 通过 close it (已销号).
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.services.receipts import request_receipts
from bot.services.tasks import require_task
from storage.db import session_scope
from storage.models import Task, TaskEvent
from tests.test_wecom_e2e import USER, card_event_xml, fake, running  # noqa: F401  (fixtures)

pytestmark = pytest.mark.review


def _task(service) -> Task:
    with session_scope(service.engine) as s:
        t = require_task(session=s, ref="25")
        s.expunge(t)
        return t


def _card(sent: dict, label: str) -> tuple[str, str]:
    card = sent["template_card"]
    return next(b["key"] for b in card["button_list"] if b["text"] == label), card["task_id"]


async def test_sign_apply_return_apply_pass(running):  # noqa: F811  (the fixture imported above)
    service = running.service
    with session_scope(service.engine) as s:
        request_receipts(session=s, task_ids=[require_task(session=s, ref="25").id], now=service.clock())
    service.sweep()  # the 签收 card and task 25's reminder
    await service.dispatch()
    cards = [b for b in running.replies() if b["msgtype"] == "template_card"]
    sign_card = next(c for c in cards if "签收" in [b["text"] for b in c["template_card"]["button_list"]])
    reminder = next(c for c in cards if "已完成" in [b["text"] for b in c["template_card"]["button_list"]])
    key, task_id = _card(sign_card, "签收")
    await running.post(card_event_xml(running.settings, key=key, task_id=task_id, code="rc-sign"))
    assert _task(service).signed_at is not None

    key, task_id = _card(reminder, "已完成")
    await running.post(card_event_xml(running.settings, key=key, task_id=task_id, code="rc-done"))
    assert _task(service).review_pending and not _task(service).done
    (review,) = [b for b in running.replies("admin1") if b["msgtype"] == "template_card"]
    assert "办结审核" in review["template_card"]["main_title"]["title"] + review["template_card"].get(
        "sub_title_text", "")
    key, task_id = _card(review, "退回")
    await running.post(card_event_xml(running.settings, key=key, task_id=task_id, code="rc-ret", user="admin1"))
    assert "/review return 25" in running.replies("admin1")[-1]["text"]["content"]
    await running.say("/review return 25 缺少验收照片", user="admin1")
    assert "已退回第25项" in running.replies("admin1")[-1]["text"]["content"]
    assert any("缺少验收照片" in b.get("text", {}).get("content", "") for b in running.replies())
    assert _task(service).returns == 1 and not _task(service).review_pending

    await running.say("/report 25 已完成 照片已补充")
    assert "已提交办结申请" in running.replies()[-1]["text"]["content"]
    second = [b for b in running.replies("admin1") if b["msgtype"] == "template_card"][-1]
    key, task_id = _card(second, "通过")
    await running.post(card_event_xml(running.settings, key=key, task_id=task_id, code="rc-pass", user="admin1"))
    assert _task(service).done and _task(service).closed_at is not None
    assert any("已销号" in b.get("text", {}).get("content", "") for b in running.replies())
    await running.post(card_event_xml(running.settings, key=key, task_id=task_id, code="rc-pass2", user="admin1"))
    with session_scope(service.engine) as s:  # the second tap decided nothing more
        kinds = [e.kind for e in s.exec(select(TaskEvent).order_by(TaskEvent.id)).all()]
    assert kinds == ["ask_sign", "sign", "apply", "return", "apply", "pass"]
