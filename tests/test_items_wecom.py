"""督办 items from chat on WeCom, end to end: encrypted callbacks into the wecom service, cards on the fake server."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.wecom.quote import split_quote
from storage.db import session_scope
from storage.models import ItemInfo, Task, Unit
from tests.test_wecom_e2e import USER, card_event_xml, fake, running

ADMIN = "admin1"


E2E_FIXTURES = (fake, running)  # the WeCom service's fixtures, found by pytest in this module


@pytest.fixture
async def wecom(running):
    """The WeCom service as tests/test_wecom_e2e.py runs it (安全办 bound to USER)."""
    yield running
DASHES = "- - - - - - - - - - - - - - -"


def _items(engine) -> list[tuple[str, str, str]]:
    with session_scope(engine) as session:
        rows = session.exec(select(Task.title, ItemInfo.source, ItemInfo.instructed_by)
                            .join(ItemInfo, ItemInfo.task_id == Task.id)).all()
    return [tuple(r) for r in rows]


def _card(wecom, user: str = ADMIN) -> dict:
    sent = wecom.replies(user)[-1]
    assert sent["msgtype"] == "template_card", sent
    return sent["template_card"]


def _text_of(card: dict) -> str:
    return card["main_title"].get("title", "") + card.get("sub_title_text", "") + "".join(
        i.get("keyname", "") + i.get("value", "") for i in card.get("horizontal_content_list", []))


def _everything(wecom) -> str:
    """All the fake server got: messages sent and cards updated (an edit of the card updates it)."""
    return str(wecom.fake.sent()) + str(wecom.fake.sent("/cgi-bin/message/update_template_card"))


async def _tap(wecom, card: dict, label: str, user: str = ADMIN) -> None:
    key = next(b["key"] for b in card["button_list"] if b["text"] == label)
    await wecom.post(card_event_xml(wecom.settings, key=key, task_id=card["task_id"], code="rc-1", user=user))


def test_split_quote_reads_wecoms_quote_layout():
    assert split_quote(f"「王局长：请安全办牵头，抓紧」\n{DASHES}\n交办") == ("交办", "请安全办牵头，抓紧", "王局长")
    assert split_quote(f"「请安全办牵头」\n{DASHES}\n") == ("", "请安全办牵头", None)
    assert split_quote("交办：x") == ("交办：x", None, None)


async def test_admin_words_on_wecom_make_a_card_and_confirm_creates(wecom):
    await wecom.say("会议决定：9月30日前完成课后服务全覆盖，基教股牵头，财务股配合", user=ADMIN)
    card = _card(wecom)
    assert [b["text"] for b in card["button_list"]] == ["确认", "修改", "取消"]
    await _tap(wecom, card, "确认")
    assert "已创建督办事项 会议1：完成课后服务全覆盖" in _everything(wecom)
    assert _items(wecom.service.engine) == [("完成课后服务全覆盖", "会议议定", "")]


async def test_a_unit_on_wecom_gets_one_line(wecom):
    await wecom.say("交办：10月底前完成校舍安全排查，安全办牵头")
    assert wecom.replies(USER)[-1]["text"]["content"] == "只有管理员或已绑定的领导可以交办督办事项。"
    assert _items(wecom.service.engine) == []


async def test_an_admins_quote_becomes_a_draft(wecom):
    await wecom.say(f"「王局长：请安全办牵头，10月15日前完成全县校车安全检查」\n{DASHES}\n请办理", user=ADMIN)
    card = _card(wecom)
    assert "交办人：王局长" in _everything(wecom) and "完成全县校车安全检查" in _everything(wecom)
    await _tap(wecom, card, "确认")
    assert _items(wecom.service.engine) == [("完成全县校车安全检查", "上级交办", "王局长")]


async def test_unknown_units_on_wecom_are_asked_about(wecom):
    await wecom.say("局长批示：9月底前完成宣传片拍摄，宣传部牵头", user=ADMIN)
    card = _card(wecom)
    assert [b["text"] for b in card["button_list"]] == ["修改", "取消"]
    assert "“宣传部”不是本办公室的单位" in _everything(wecom)
    with session_scope(wecom.service.engine) as session:
        assert session.exec(select(Unit).where(Unit.name == "宣传部")).first() is None
