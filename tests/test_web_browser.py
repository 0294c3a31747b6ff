"""The web board in a real browser: Debian's Chromium, headless, driven by Playwright, at phone and desktop size."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
import pytest_asyncio

from bot.services.board import board
from storage.db import session_scope
from tests.web_fixture import NOW, add_story, start_office

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None)
try:
    from playwright.async_api import async_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    async_playwright = None

# One browser and one office for the module (starting Chromium and migrating a store are the slow parts).
pytestmark = [pytest.mark.skipif(CHROMIUM is None or async_playwright is None,
                                 reason="needs Chromium (apt-get install chromium) and playwright (pip install '.[test]')"),
              pytest.mark.asyncio(loop_scope="module")]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser():
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        await b.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def office(tmp_path_factory):
    o = await start_office(tmp_path_factory.mktemp("office"))
    yield o
    await o.server.close()
    o.app.close()


async def _page(browser, size):
    context = await browser.new_context(viewport=size, device_scale_factor=1, is_mobile=size is PHONE)
    page = await context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith("http://127.0.0.1") else None)
    return page, outside


async def _no_sideways_scroll(page) -> None:
    width = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]}px wide in a {width[1]}px window"


def _store_counts(office) -> dict[str, int]:
    with session_scope(office.app.engine) as s:
        lights = board(session=s, now=NOW, settings=office.app.settings, calendar=office.app.calendar)
    out: dict[str, int] = {}
    for t in lights:
        out[t.light] = out.get(t.light, 0) + 1
    return out


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
async def test_a_leader_reads_the_office_follows_a_unit_and_an_item(browser, office, size, tmp_path):
    page, outside = await _page(browser, size)
    await page.goto(office.link("leader", "张副局长"))
    name = "phone" if size is PHONE else "desktop"
    await page.screenshot(path=str(tmp_path / f"office-{name}.png"), full_page=True)

    # The lights counted on the page are the chat's /board lights, state by state.
    expected = _store_counts(office)
    assert expected == {"red": 3, "yellow": 1, "green": 3, "done": 1}
    for light, n in expected.items():
        assert await page.locator(f'.tiles .tile[data-light="{light}"] b').first.inner_text() == str(n)
    # The per-unit table: 牵头, 完成, 逾期 against the store.
    rows = {await r.get_attribute("data-unit"): [await c.inner_text() for c in await r.locator("td").all()]
            for r in await page.locator("#units tbody tr").all()}
    assert rows["安全办"][1:4] == ["5", "1", "2"]
    assert rows["应急办"][1:4] == ["3", "0", "1"]
    assert await page.locator('svg.chart').count() >= 3
    await _no_sideways_scroll(page)

    await page.get_by_role("link", name="安全办").first.click()
    await page.wait_for_selector("#lead-items")
    assert await page.locator("#lead-items tbody tr").count() == 5
    assert await page.locator("#co-items tbody tr").count() == 1
    await _no_sideways_scroll(page)
    await page.screenshot(path=str(tmp_path / f"unit-{name}.png"), full_page=True)

    await page.locator("#lead-items a", has_text="第1项").click()
    await page.wait_for_selector("#reports")
    text = await page.inner_text("main")
    assert "安全办推进中" in text and "应急办的内部说明" in text and "现场照片.png" in text
    # The picture loads lazily, as a person scrolling to it would see it: bring it into view, wait for it.
    picture = page.locator("ul.evidence img").first
    await picture.scroll_into_view_if_needed()
    await page.wait_for_function("() => { const i = document.querySelector('ul.evidence img'); return i.complete; }")
    shown = await picture.evaluate("i => i.naturalWidth")
    assert shown == 40  # the photo itself, served by duban
    await _no_sideways_scroll(page)
    await page.screenshot(path=str(tmp_path / f"item-{name}.png"), full_page=True)
    assert outside == []  # no CDN, no outside request of any kind


async def test_a_unit_sees_its_own_items_and_not_another_units_notes(browser, office, tmp_path):
    page, outside = await _page(browser, PHONE)
    await page.goto(office.link("unit", "应急办"))
    assert await page.locator("#lead-items tbody tr").count() == 3
    assert await page.locator("#units").count() == 0  # no other unit's standing
    await page.locator("#co-items a", has_text="第1项").click()
    await page.wait_for_selector("#reports")
    text = await page.inner_text("main")
    assert "应急办的内部说明" in text and "安全办推进中" not in text
    assert "不在您的查看范围内" in text
    await _no_sideways_scroll(page)
    await page.screenshot(path=str(tmp_path / "unit-view-item.png"), full_page=True)
    assert outside == []


@pytest.mark.parametrize("how, heading", [("expired", "链接已过期"), ("tampered", "链接无效"), ("revoked", "链接已停用")])
async def test_a_bad_link_is_refused_and_reveals_nothing(browser, office, how, heading, tmp_path):
    from bot.services.weblinks import revoke_named

    # The admin's links are revoked here, so the other tests' leader and unit links stay good.
    url = office.link("admin", now=NOW - timedelta(days=8) if how == "expired" else NOW - timedelta(hours=1))
    if how == "tampered":
        url = url[:-2] + ("0" if url[-2] != "0" else "1") + "/"
    if how == "revoked":
        with session_scope(office.app.engine) as s:
            revoke_named(session=s, name="admin", now=NOW)
    page, _ = await _page(browser, PHONE)
    answer = await page.goto(url)
    assert answer.status == 403
    text = await page.inner_text("body")
    assert heading in text
    assert await page.locator(".who").count() == 0  # not even whose link it was
    assert "安全办" not in text and "任务" not in text
    await _no_sideways_scroll(page)
    await page.screenshot(path=str(tmp_path / f"refused-{how}.png"), full_page=True)


async def test_instructions_the_closing_loop_and_the_sheets_fit_a_phone(browser, tmp_path):
    office = await start_office(tmp_path)
    try:
        office.tasks.update(add_story(office))
        page, outside = await _page(browser, PHONE)
        await page.goto(office.link("leader", "张副局长"))
        heads = [await h.inner_text() for h in await page.locator("#units thead th").all()]
        assert heads[-3:] == ["退回", "退办", "批示"]
        await _no_sideways_scroll(page)
        await page.screenshot(path=str(tmp_path / "office-story-phone.png"), full_page=True)

        await page.get_by_role("link", name="安全办").first.click()
        await page.wait_for_selector("#lead-items")
        assert await page.locator("#lead-items tr[data-returned] .tag").inner_text() == "退回1次"
        await _no_sideways_scroll(page)

        await page.locator("#lead-items a", has_text="第3项").click()
        await page.wait_for_selector("#closure")
        record = await page.inner_text("#closure")
        assert "审核退回" in record and "退回原因：缺少验收材料" in record and "办结报告：整改已完成" in record
        await _no_sideways_scroll(page)
        await page.screenshot(path=str(tmp_path / "item-closure-phone.png"), full_page=True)

        await page.goto(f"{office.link('leader', '张副局长')}item/{office.tasks['1']}")
        assert "抓紧推进，尽快报送进展" in await page.inner_text("#instructions")
        async with page.expect_download() as waiting:
            await page.get_by_role("link", name="催办单 (.docx)").click()
        download = await waiting.value
        assert download.suggested_filename == "催办单_第1项.docx"
        await _no_sideways_scroll(page)
        await page.screenshot(path=str(tmp_path / "item-instructions-phone.png"), full_page=True)
        assert outside == []
    finally:
        await office.server.close()
        office.app.close()
