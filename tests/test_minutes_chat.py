"""Minutes (会议纪要) uploaded in chat by an admin, end to end: on the fake Bot API (the real PTB Application) and on
WeCom (encrypted callbacks, the fake server). What the minutes would become is shown with 确认 / 取消 and nothing
is created before 确认; units the office lacks are listed, never invented; a unit's upload changes nothing."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from docx import Document
from sqlmodel import select

from storage.db import session_scope
from storage.models import ItemInfo, PlanDraft, Task, Unit
from tests.fake_bot_api import document_update
from tests.test_tg_e2e import ADMIN, SAFETY, World
from tests.test_wecom_e2e import AGENT_ID, USER, _msg_ids, card_event_xml, fake, running

MINUTES = Path(__file__).parent / "fixtures" / "minutes" / "jiwu_2021_09.txt"
TEXT = MINUTES.read_text(encoding="utf-8")


def _docx(text: str) -> bytes:
    doc = Document()
    for line in text.splitlines():
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _items(engine) -> list[tuple[str, str, str]]:
    with session_scope(engine) as session:
        rows = session.exec(select(Task.ref, Task.title, ItemInfo.instructed_by)
                            .join(ItemInfo, ItemInfo.task_id == Task.id).order_by(Task.id)).all()
    return [tuple(r) for r in rows]


# --- Telegram ------------------------------------------------------------------------------------------------


@pytest.fixture
async def world(api, tmp_path, seed_path):
    w = World(api, tmp_path, seed_path)
    w.bind("安全办", SAFETY)
    await w.app.initialize()
    yield w
    await w.app.shutdown()
    w.engine.dispose()


async def _upload(world, data: bytes, name: str, *, chat: int = ADMIN, caption: str | None = None) -> str:
    file_id = f"m-{chat}-{len(world.api.calls)}"
    world.api.add_file(file_id, data, path=f"documents/{file_id}")
    before = len(world.api.calls)
    await world.feed(document_update(file_id, name, len(data), caption=caption, chat_id=chat, user_id=chat))
    return world.out_since(before)


def _buttons(world) -> dict[str, str]:
    markup = world.api.requests("sendMessage")[-1].get("reply_markup") or {"inline_keyboard": []}
    return {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}


async def test_an_admins_minutes_are_shown_as_items_and_created_on_confirm(world):
    card = await _upload(world, _docx(TEXT), "局务会.docx")  # no caption: its title says 纪要
    assert "会议纪要《县教育局局务会议纪要（2021年第9次）》" in card and "来源“会议议定”" in card
    assert "解析把握 100%" in card and "新增 8 项" in card
    assert "1. 校舍安全隐患排查（安全办牵头，基教股、财务股配合；时限2021年9月30日）" in card
    assert "8. 电教设备维护（电教馆牵头，仪器站配合；时限2021年10月20日）" in card
    assert list(_buttons(world)) == ["确认", "取消"]
    assert _items(world.engine) == []  # nothing before 确认
    done = await world.tap(_buttons(world)["确认"], chat=ADMIN, message_id=8101)
    assert "导入会议议定事项 8 项" in done and "会议1 校舍安全隐患排查" in done
    items = _items(world.engine)
    assert len(items) == 8 and {i[2] for i in items} == {"县教育局局务会议纪要（2021年第9次）"}
    shown = await world.say("/task 会议8", chat=ADMIN)
    assert "电教设备维护" in shown and "牵头：电教馆" in shown and "2021-10-20" in shown
    # The same minutes again: nothing new, nothing to confirm.
    again = await _upload(world, TEXT.encode("gb18030"), "纪要.txt")
    assert "已导入过、不变 8 项" in again and "没有要创建或修改的督办事项" in again and _buttons(world) == {}
    assert len(_items(world.engine)) == 8


async def test_a_caption_says_minutes_when_the_title_does_not(world):
    text = TEXT.replace("县教育局局务会议纪要", "县教育局2021年第9次局务会议").replace("现将会议议定事项纪要如下：", "")
    card = await _upload(world, text.encode(), "0906.txt", caption="纪要")
    assert "新增 8 项" in card and "确认" in _buttons(world)
    assert "已取消" in await world.tap(_buttons(world)["取消"], chat=ADMIN, message_id=8102)
    assert _items(world.engine) == []
    with session_scope(world.engine) as s:
        assert s.exec(select(PlanDraft)).all() == []


async def test_units_the_office_lacks_are_listed_and_nothing_can_be_confirmed(world):
    text = TEXT.replace("牵头单位：电教馆；配合单位：仪器站", "牵头单位：宣传部；配合单位：网信办")
    card = await _upload(world, text.encode(), "纪要.txt")
    assert "纪要中的“宣传部”、“网信办”不是本办公室的单位，未创建任何督办事项" in card and "不会新建单位" in card
    assert _buttons(world) == {}
    with session_scope(world.engine) as s:
        assert s.exec(select(Unit).where(Unit.name == "宣传部")).first() is None
    assert _items(world.engine) == []


async def test_a_past_time_limit_is_named_and_nothing_created(world):
    world.now = world.now.replace(month=10, day=8)
    card = await _upload(world, TEXT.encode(), "纪要.txt")
    assert "议定事项1（校舍安全隐患排查）：办理时限 2021-09-30 已经过去" in card and _buttons(world) == {}


async def test_a_units_upload_changes_nothing(world):
    answer = await _upload(world, TEXT.encode(), "局务会纪要.txt", chat=SAFETY)
    assert answer == "只有管理员可以导入会议纪要，未做任何改动。"
    answer = await _upload(world, TEXT.encode(), "0906.txt", chat=SAFETY)  # named as nothing: the plan line
    assert "只有管理员可以导入计划文件" in answer and "\n" not in answer
    assert _items(world.engine) == []


async def test_a_plan_upload_is_still_a_plan(world, seed_path):
    text = seed_path.read_text(encoding="utf-8").replace("安全办、信访办", "信访办、安全办", 1)
    answer = await _upload(world, text.encode(), "工作要点.txt")
    assert "会议纪要" not in answer and answer.endswith("确认导入吗？")


# --- WeCom ---------------------------------------------------------------------------------------------------
WECOM_ADMIN = "admin1"


def file_xml(settings, media_id: str, name: str, *, user: str) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{settings.wecom.corp_id}]]></ToUserName>"
        f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[file]]></MsgType><MediaId><![CDATA[{media_id}]]></MediaId>"
        f"<FileName><![CDATA[{name}]]></FileName>"
        f"<MsgId>{next(_msg_ids)}</MsgId><AgentID>{AGENT_ID}</AgentID></xml>"
    )


E2E_FIXTURES = (fake, running)  # the WeCom service's fixtures, found by pytest in this module


@pytest.fixture
async def wecom(running):
    """The WeCom service as tests/test_wecom_e2e.py runs it (安全办 bound to USER)."""
    yield running


async def test_minutes_on_wecom_make_a_card_and_confirm_creates(wecom):
    wecom.fake.media["mm-1"] = _docx(TEXT)
    await wecom.post(file_xml(wecom.settings, "mm-1", "局务会议纪要.docx", user=WECOM_ADMIN))
    card = wecom.replies(WECOM_ADMIN)[-1]["template_card"]
    shown = str(wecom.replies(WECOM_ADMIN)[-2:])  # the long text first, then the card that asks
    assert "会议议定" in shown and "解析把握 100%" in shown and "校舍安全隐患排查" in shown
    assert [b["text"] for b in card["button_list"]] == ["确认", "取消"]
    assert _items(wecom.service.engine) == []
    key = next(b["key"] for b in card["button_list"] if b["text"] == "确认")
    await wecom.post(card_event_xml(wecom.settings, key=key, task_id=card["task_id"], code="rc-m", user=WECOM_ADMIN))
    assert len(_items(wecom.service.engine)) == 8
    assert "导入会议议定事项 8 项" in str(wecom.fake.sent()) + str(
        wecom.fake.sent("/cgi-bin/message/update_template_card"))


async def test_a_units_minutes_on_wecom_get_one_line(wecom):
    wecom.fake.media["mm-2"] = TEXT.encode()
    await wecom.post(file_xml(wecom.settings, "mm-2", "局务会议纪要.txt", user=USER))
    assert wecom.replies(USER)[-1]["text"]["content"] == "只有管理员可以导入会议纪要，未做任何改动。"
    assert _items(wecom.service.engine) == []
