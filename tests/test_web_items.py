"""The item page's 批示 and closing-loop record, the 退回 and 批示 columns of the office's unit table, returned
items marked on a unit's page, and the 督办单 / 催办单 downloads with their refusals, over HTTP."""

from __future__ import annotations

import io
import re

import httpx
import pytest
import pytest_asyncio
from docx import Document

from bot.services import closure, instructions
from bot.services.boardcache import store_version
from bot.services.reports import record_report
from bot.workdays import WorkCalendar
from storage import repo
from storage.db import session_scope
from storage.models import ReportStatus, Task
from tests.web_fixture import NOW, add_story, start_office

MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def office(tmp_path_factory):
    o = await start_office(tmp_path_factory.mktemp("items"))
    try:
        o.tasks.update(add_story(o))
        yield o
    finally:
        await o.server.close()
        o.app.close()


async def _get(url: str) -> httpx.Response:
    async with httpx.AsyncClient() as c:
        return await c.get(url)


def _section(html: str, ident: str) -> str:
    return html.split(f'id="{ident}"', 1)[1].split("</section>", 1)[0]


@MODULE_LOOP
async def test_the_item_page_shows_the_leaders_instructions(office):
    page = (await _get(f"{office.link('leader', '张副局长')}item/{office.tasks['4']}")).text
    said = _section(page, "instructions")
    assert "张副局长" in said and "10月15日前完成验收" in said and "定时限 2021-10-15" in said
    assert "批示：10月15日前" in page  # the time limit it set is one of the item's deadlines
    item = (await _get(f"{office.link('admin')}item/{office.tasks['signed']}")).text
    assert "领导批示 · 局长 · 2021-09-14 交办：立即组织全面检查" in _section(item, "instructions")
    assert "尚无领导批示" in _section(item, "instructions")


@MODULE_LOOP
async def test_the_item_page_shows_receipt_return_and_review(office):
    link = office.link("leader", "张副局长")
    record = _section((await _get(f"{link}item/{office.tasks['3']}")).text, "closure")
    assert "办结申请被退回 1 次" in record
    assert re.search(r"申请办结 · 安全办</div><p>办结报告：整改已完成", record)
    assert re.search(r"审核退回</div><p>退回原因：缺少验收材料", record)
    assert record.index("审核退回") < record.index("申请办结")  # newest first
    signed = _section((await _get(f"{link}item/{office.tasks['signed']}")).text, "closure")
    assert "交办待签收 · 应急办" in signed and "签收 · 应急办" in signed
    moved = _section((await _get(f"{link}item/{office.tasks['moved']}")).text, "closure")
    assert re.search(r"退回（不属于本单位） · 安全办</div><p>原因：属于交通部门职责", moved)
    assert "重新交办 · 应急办" in moved
    plain = _section((await _get(f"{link}item/{office.tasks['4']}")).text, "closure")
    assert "尚无签收或办结记录" in plain


@MODULE_LOOP
async def test_a_unit_sees_its_own_steps_and_the_offices_decisions_only(office):
    mine = _section((await _get(f"{office.link('unit', '安全办')}item/{office.tasks['3']}")).text, "closure")
    assert "申请办结 · 安全办" in mine and "审核退回" in mine
    page = (await _get(f"{office.link('unit', '安全办')}item/{office.tasks['signed']}")).text  # a co-unit
    assert "签收 · 应急办" not in _section(page, "closure") and "不在您的查看范围内" in page
    assert "立即组织全面检查" in _section(page, "instructions")  # the instruction went to every unit of the item


@MODULE_LOOP
async def test_the_unit_table_counts_returns_and_instructions_and_the_unit_page_marks_returned_items(office):
    link = office.link("leader", "张副局长")
    page = (await _get(link)).text
    head = _section(page, "units").split("</thead>")[0]
    assert re.findall(r"<th[^>]*>([^<]+)</th>", head) == ["单位", "牵头", "完成", "逾期", "迟报", "漏报", "退回", "退办", "批示"]
    rows = {m[0]: re.findall(r"<td[^>]*>(?:<a[^>]*>)?([^<]*)", m[1])
            for m in re.findall(r'<tr data-unit="([^"]+)">(.*?)</tr>', page, re.S)}
    # 第3项's return; 校车安全排查 handed back (now 应急办's); 张副局长's words on 第1项 and 第4项
    assert rows["安全办"][6:9] == ["1", "1", "2"]
    assert rows["应急办"][6:9] == ["0", "0", "0"]
    with session_scope(office.app.engine) as s:
        unit = repo.unit_named(session=s, office_id=repo.offices(session=s)[0].id, name="安全办").id
    mine = (await _get(f"{link}unit/{unit}")).text
    returned = re.findall(r'<tr data-light="[a-z]+" data-returned="(\d+)">\s*<td><a href="(?:\.\./)?item/(\d+)"', mine)
    assert returned == [("1", str(office.tasks["3"]))] and "退回1次" in mine


@MODULE_LOOP
async def test_a_leader_downloads_the_items_sheet_and_an_overdue_items_reminder_sheet(office):
    link = office.link("leader", "张副局长")
    page = (await _get(f"{link}item/{office.tasks['1']}")).text
    assert f'href="{office.tasks["1"]}/sheet.docx"' in page and f'href="{office.tasks["1"]}/urge.docx"' in page
    for name, title, state in (("sheet.docx", "督办单", "已逾期"), ("urge.docx", "催办单", "已逾期")):
        answer = await _get(f"{link}item/{office.tasks['1']}/{name}")
        assert answer.status_code == 200 and answer.headers["content-type"] == DOCX
        assert "attachment" in answer.headers["content-disposition"]
        doc = Document(io.BytesIO(answer.content))
        cells = {r.cells[0].text.replace(" ", ""): r.cells[1].text for r in doc.tables[0].rows}
        assert doc.paragraphs[0].text == title and cells["督办事项"] == "任务1"
        assert cells["当前状态"].startswith(state) and "张副局长批示：抓紧推进" in cells["办理情况"]
    green = (await _get(f"{link}item/{office.tasks['4']}")).text
    assert "sheet.docx" in green and "urge.docx" not in green  # no 催办单 for an item on time
    assert (await _get(f"{link}item/{office.tasks['4']}/urge.docx")).status_code == 403
    item = await _get(f"{office.link('admin')}item/{office.tasks['signed']}/sheet.docx")
    assert "食堂专项检查" in Document(io.BytesIO(item.content)).tables[0].rows[0].cells[1].text


@MODULE_LOOP
async def test_a_unit_gets_no_sheet_that_would_show_other_units_notes(office):
    link = office.link("unit", "应急办")
    own = await _get(f"{link}item/{office.tasks['1']}")  # its item, but the sheet carries 安全办's notes
    assert own.status_code == 200 and "sheet.docx" not in own.text
    for ref in ("1", "2"):
        refused = await _get(f"{link}item/{office.tasks[ref]}/sheet.docx")
        assert refused.status_code == 403 and "无权查看" in refused.text and "任务" not in refused.text
    assert (await _get(f"{office.link('admin')[:-3]}xx/item/{office.tasks['1']}/sheet.docx")).status_code == 403


@MODULE_LOOP
async def test_where_units_see_each_other_a_unit_downloads_its_own_items_sheet_only(tmp_path):
    office = await start_office(tmp_path, units_see_others=True)
    try:
        link = office.link("unit", "应急办")
        own = await _get(f"{link}item/{office.tasks['1']}/sheet.docx")
        assert own.status_code == 200 and Document(io.BytesIO(own.content)).paragraphs[0].text == "督办单"
        assert (await _get(f"{link}item/{office.tasks['2']}/sheet.docx")).status_code == 403  # 安全办's alone
    finally:
        await office.server.close()
        office.app.close()


@MODULE_LOOP
async def test_a_review_decision_or_an_instruction_moves_the_boards_version(tmp_path):
    office = await start_office(tmp_path)
    try:
        with session_scope(office.app.engine) as s:
            task = s.get(Task, office.tasks["4"])
            unit = repo.unit_named(session=s, office_id=repo.offices(session=s)[0].id, name="安全办")
            record_report(session=s, task=task, unit_id=unit.id, status=ReportStatus.DONE, percent=100, note="",
                          reporter="t", now=NOW, closure="review")
        with session_scope(office.app.engine) as s:
            before = store_version(s)
            closure.decide_pass(session=s, task=s.get(Task, office.tasks["4"]), actor="t", now=NOW)
        with session_scope(office.app.engine) as s:
            after = store_version(s)
            leader = repo.unit_named(session=s, office_id=repo.offices(session=s)[0].id, name="张副局长")
            instructions.give(session=s, task=s.get(Task, office.tasks["2"]), leader=leader, words="阅", today=NOW.date(),
                              now=NOW, calendar=WorkCalendar(), actor="t")
        with session_scope(office.app.engine) as s:
            assert before != after != store_version(s)
    finally:
        await office.server.close()
        office.app.close()
