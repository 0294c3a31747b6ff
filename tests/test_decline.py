"""退回 (不属于本单位): within the window a lead unit returns an item with a reason; the office reassigns it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.config import Settings
from bot.notify import from_payload
from bot.services.binding import bind_directly
from storage import repo
from storage.db import session_scope
from storage.models import Outbox, Task, TaskEvent
from tests.chat_harness import Chat, button


@pytest.fixture
def chat(memory_engine, seed_path):
    c = Chat(memory_engine, seed_path, settings=Settings(telegram={"admins": [1]}))
    with session_scope(memory_engine) as s:
        for unit, address in (("督导室", "-300"), ("信访办", "-400")):
            bind_directly(session=s, unit_name=unit, platform="telegram", address=address, now=c.now, actor="t",
                          is_group=True)
    return c


def _owners(chat) -> dict[str, str]:
    with session_scope(chat.engine) as s:
        t = s.exec(select(Task).where(Task.ref == "25")).one()
        return {u.name: tu.role for tu, u in repo.roles_for_task(session=s, task_id=t.id)}


def _to(chat, recipient: str) -> list:
    with session_scope(chat.engine) as s:
        return [from_payload(r.payload) for r in
                s.exec(select(Outbox).where(Outbox.recipient == recipient).order_by(Outbox.id)).all()]


async def test_lead_returns_within_the_window_and_the_office_reassigns(chat):
    assert "配合单位不能退回第25项" in await chat.say("/decline 25 不归我们", chat="-400")
    assert "须写明理由" in await chat.say("/decline 25")
    assert _owners(chat)["安全办"] == "lead"
    chat.now += timedelta(days=2)
    assert "已将第25项退回办公室" in await chat.say("/decline 25 信访维稳由信访办牵头")
    assert "安全办" not in _owners(chat)  # its reminders stop with its part
    (notice,) = _to(chat, "telegram:-300")
    assert "被安全办以“不属于本单位”退回" in notice.text and "信访维稳由信访办牵头" in notice.text
    assert "只有管理员或督导室" in (await chat.tap(button([notice], "信访办")))[0].text  # a unit cannot reassign
    done = await chat.tap(button([notice], "信访办"), chat="-300")
    assert "已重新交办第25项（牵头：信访办）" in done[0].text
    owners = _owners(chat)
    assert [n for n, r in owners.items() if r == "lead"] == ["信访办"] and "法宣股" in owners  # co-units kept
    assert any("重新交办" in m.text for m in _to(chat, "telegram:-200"))  # the returning unit is told
    assert any("重新交办" in m.text for m in _to(chat, "telegram:-400"))  # and the new lead
    with session_scope(chat.engine) as s:
        kinds = [e.kind for e in s.exec(select(TaskEvent).order_by(TaskEvent.id)).all()]
    assert kinds == ["decline", "reassign", "ask_sign"]  # the new lead is asked to sign (receipt = "items")


async def test_after_the_window_the_answer_says_why(chat):
    chat.now += timedelta(days=10)
    answer = await chat.say("/decline 25 不归我们")
    assert "已超过5个工作日" in answer and _owners(chat)["安全办"] == "lead"


def test_cli_task_reassign(cli, seed_path):
    cli("plan", "import", str(seed_path))
    code, out, _ = cli("task", "reassign", "25", "--lead", "信访办", "--co", "法宣股")
    assert code == 0 and "已重新交办第25项（牵头：信访办；配合：法宣股）" in out
    rec = json.loads(cli("task", "25", "--json")[1])
    assert rec["lead"] == ["信访办"] and rec["co"] == ["法宣股"]
    code, _, err = cli("task", "reassign", "25", "--lead", "不存在的股")
    assert code == 1 and "没有找到单位" in err
