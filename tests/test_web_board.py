"""The web board over HTTP: who sees what, downloads, evidence, the WeCom workbench login, the CLI, /web, the
/board picture, the leader's 周报 link, and the revocation table on both stores."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from openpyxl import load_workbook
from PIL import Image, ImageFont
from sqlmodel import select

from bot.config import Settings
from bot.render.board_png import FONT
from bot.services.binding import bind_directly
from bot.services.importer import apply_plan
from bot.services.weblinks import open_token, revoke_named, web_key
from bot.web.oauth import WeComLogin, add_wecom_login
from bot.wecom.client import WeComClient
from bot.workdays import WorkCalendar
from jobs.digest import weekly_digests
from storage import repo
from storage import web as store
from storage.db import session_scope
from storage.models import Outbox
from tests.chat_harness import Chat
from tests.fake_wecom import FakeWeCom
from tests.helpers import at
from tests.web_fixture import NOW, start_office

LEADERS_PLAN = Path(__file__).parent / "fixtures" / "plans" / "leaders.txt"


MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")  # one office for the module: building a store is slow


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def office(tmp_path_factory):
    o = await start_office(tmp_path_factory.mktemp("office"))
    yield o
    await o.server.close()
    o.app.close()


async def _get(url: str, **kw) -> httpx.Response:
    async with httpx.AsyncClient() as c:
        return await c.get(url, **kw)


@MODULE_LOOP
async def test_a_unit_link_stays_within_the_unit(office):
    link = office.link("unit", "应急办")
    item = await _get(f"{link}item/{office.tasks['1']}")
    assert item.status_code == 200
    assert "应急办的内部说明" in item.text and "安全办推进中" not in item.text
    assert (await _get(f"{link}item/{office.tasks['2']}")).status_code == 403  # not its item
    ids = sorted(set(re.findall(r'href="\.\./evidence/(\d+)', item.text)))
    assert len(ids) == 1 and (await _get(f"{link}evidence/{ids[0]}")).status_code == 200  # its own photo
    with session_scope(office.app.engine) as s:
        other = repo.unit_named(session=s, office_id=repo.offices(session=s)[0].id, name="安全办").id
    for path in ("ledger.xlsx", "bulletin.docx", f"unit/{other}"):
        answer = await _get(link + path)
        assert answer.status_code in (403, 404) and "看板" in answer.text, path

    theirs = office.link("unit", "安全办")
    assert (await _get(f"{theirs}evidence/{ids[0]}")).status_code == 403  # 应急办's photo, not 安全办's
    item = await _get(f"{theirs}item/{office.tasks['1']}")
    assert "安全办推进中" in item.text and "应急办的内部说明" not in item.text and "现场照片" not in item.text


@MODULE_LOOP
async def test_the_office_may_let_units_see_each_other(tmp_path):
    office = await start_office(tmp_path, units_see_others=True)
    try:
        item = await _get(f"{office.link('unit', '安全办')}item/{office.tasks['1']}")
        assert "应急办的内部说明" in item.text and "现场照片.png" in item.text
    finally:
        await office.server.close()
        office.app.close()


@MODULE_LOOP
async def test_a_leader_downloads_the_ledger_and_the_bulletin_and_sees_the_photo(office):
    link = office.link("leader", "张副局长")
    ledger = await _get(link + "ledger.xlsx")
    assert ledger.status_code == 200 and "attachment" in ledger.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(ledger.content)).worksheets[0]
    assert any("任务1" in str(c.value) for row in sheet.iter_rows() for c in row)
    bulletin = await _get(link + "bulletin.docx")
    assert bulletin.status_code == 200 and bulletin.content[:2] == b"PK"
    item = await _get(f"{link}item/{office.tasks['1']}")
    (eid,) = re.findall(r'<img src="\.\./evidence/(\d+)"', item.text)
    photo = await _get(f"{link}evidence/{eid}")
    assert photo.headers["content-type"] == "image/png" and Image.open(io.BytesIO(photo.content)).size == (40, 30)
    assert "default-src 'none'" in item.headers["content-security-policy"]
    assert item.headers["referrer-policy"] == "no-referrer"


@MODULE_LOOP
async def test_static_files_are_ours_and_nothing_else_is_served(office):
    base = str(office.server.make_url("/web/static/"))
    font = await _get(base + "DubanSans.ttf")
    assert font.status_code == 200 and font.content == FONT.read_bytes()
    assert (await _get(base + "board.css")).status_code == 200
    assert (await _get(base + "..%2F..%2Fapp.py")).status_code == 404


@MODULE_LOOP
async def test_a_token_names_its_holder_and_its_term(office):
    # Issued and revoked an hour back, so the links other tests issue at NOW are not touched.
    early = NOW - timedelta(hours=2)
    link = office.link("leader", "张副局长", now=early)
    token = link.rstrip("/").rsplit("/", 1)[1]
    with session_scope(office.app.engine) as s:
        key = web_key(session=s, now=NOW)
        assert open_token(session=s, key=key, token=token, now=NOW).viewer.name == "张副局长"
        late = early + timedelta(days=office.app.settings.web.link_days)
        assert open_token(session=s, key=key, token=token, now=late).refused == "expired"
        forged = token.replace(".", ".9", 1)  # another issue time under the same signature
        assert open_token(session=s, key=key, token=forged, now=NOW).refused == "forged"
        revoke_named(session=s, name="张副局长", now=NOW - timedelta(hours=1))
    with session_scope(office.app.engine) as s:
        assert open_token(session=s, key=key, token=token, now=NOW).refused == "revoked"
    assert (await _get(link)).status_code == 403
    assert (await _get(office.link("leader", "张副局长"))).status_code == 200  # a link issued since works


@MODULE_LOOP
async def test_the_wecom_workbench_opens_the_board_with_no_link(office):
    async with FakeWeCom() as fake:
        fake.oauth_codes.update({"c-zhang": "zhangfu", "c-stranger": "nobody"})
        client = WeComClient(fake.base_url, fake.corp_id, fake.secret, 1000002)
        http = web.Application()
        add_wecom_login(http, WeComLogin(office.app_board(), corp_id=fake.corp_id, agent_id=1000002,
                                         userid_of_code=client.user_id_of_code))
        server = TestServer(http, host="127.0.0.1")
        await server.start_server()
        try:
            start = await _get(str(server.make_url("/web/wecom")), follow_redirects=False)
            assert start.status_code == 302
            assert start.headers["location"].startswith("https://open.weixin.qq.com/connect/oauth2/authorize?")
            assert "scope=snsapi_base" in start.headers["location"] and "%2Fweb%2Fwecom%2Fback" in start.headers["location"]
            back = await _get(str(server.make_url("/web/wecom/back?code=c-zhang")), follow_redirects=False)
            assert back.status_code == 302
            token = back.headers["location"].strip("./")
            page = await _get(f"{str(office.server.make_url('/web/'))}{token}/")
            assert page.status_code == 200 and "张副局长" in page.text and 'id="units"' in page.text
            unbound = await _get(str(server.make_url("/web/wecom/back?code=c-stranger")))
            assert unbound.status_code == 403 and "尚未绑定" in unbound.text
            reused = await _get(str(server.make_url("/web/wecom/back?code=c-zhang")))  # a code is good once
            assert reused.status_code == 403 and "登录未完成" in reused.text
            assert [r.query["code"] for r in fake.requests if r.path == "/cgi-bin/auth/getuserinfo"] == \
                ["c-zhang", "c-stranger", "c-zhang"]
        finally:
            await server.close()
            await client.aclose()


def test_the_cli_prints_a_link_and_revokes_it(cli, tmp_path):
    cli.config.write_text(cli.config.read_text(encoding="utf-8") + '[web]\nenabled = true\n'
                          'base_url = "https://duban.example.gov.cn/"\nlink_days = 3\n', encoding="utf-8")
    assert cli("bind", "张副局长", "wecom:zhangfu", "--leader")[0] == 0
    code, out, _ = cli("web", "link", "--leader", "张副局长", "--json")
    assert code == 0
    import json

    data = json.loads(out)
    assert data["url"].startswith("https://duban.example.gov.cn/web/l") and data["holder"].startswith("leader:")
    code, out, err = cli("web", "link", "--unit", "没有这个单位")
    assert code != 0 and "没有名为“没有这个单位”的单位" in out + err
    code, out, _ = cli("web", "revoke", "张副局长")
    assert code == 0 and "已停用“张副局长”" in out
    from storage.db import open_store

    engine = open_store(f"sqlite:///{tmp_path / 'duban.db'}")
    with session_scope(engine) as s:
        token = data["url"].rstrip("/").rsplit("/", 1)[1]
        from datetime import datetime

        now = datetime.fromisoformat(data["expires_at"]) - timedelta(days=1)
        assert open_token(session=s, key=web_key(session=s, now=now), token=token, now=now).refused == "revoked"
    engine.dispose()


@MODULE_LOOP
async def test_web_in_chat_gives_each_person_their_own_view(memory_engine, seed_path):
    settings = Settings(telegram={"admins": [1]}, web={"enabled": True, "base_url": "https://db.example.gov.cn"})
    chat = Chat(memory_engine, seed_path, settings=settings)
    unit = await chat.say("/web")
    assert "安全办的督办看板" in unit and "https://db.example.gov.cn/web/u" in unit
    admin = await chat.say("/web", user="1", chat="1", group=False)
    assert "管理员的督办看板" in admin and "/web/a" in admin
    off = Chat(memory_engine, seed_path, settings=Settings(telegram={"admins": [1]}))
    assert "网页看板未启用" in await off.say("/web")


@MODULE_LOOP
async def test_board_in_chat_carries_the_picture(memory_engine, seed_path):
    chat = Chat(memory_engine, seed_path)
    text, picture = await chat.send("/board")
    assert "逾期" in text.text and text.document is None  # the text stays whole, for screen readers
    name, png = picture.document
    assert name.endswith(".png")
    assert Image.open(io.BytesIO(png)).size[0] == 800


def test_the_picture_font_draws_chinese():
    font = ImageFont.truetype(str(FONT), 20)
    tofu = bytes(font.getmask("\U0010fffd"))
    for ch in "逾期临近未反馈正常已完成安全办督导室2026年":
        assert bytes(font.getmask(ch)) != tofu, ch


def test_a_leaders_week_links_to_their_board(memory_engine):
    with session_scope(memory_engine) as s:
        from bot.services import planfile

        apply_plan(session=s, parsed=planfile.parse(LEADERS_PLAN), now=at(2021, 7, 1))
        bind_directly(session=s, unit_name="张副局长", platform="telegram", address="77", now=at(2021, 7, 1),
                      actor="t", leader=True)
    settings = Settings(web={"enabled": True, "base_url": "https://db.example.gov.cn"})
    with session_scope(memory_engine) as s:
        assert weekly_digests(session=s, now=at(2021, 8, 6, 15, 30), settings=settings, calendar=WorkCalendar()) == 1
        (row,) = s.exec(select(Outbox)).all()
    assert "网页看板" in row.payload and "https://db.example.gov.cn/web/l" in row.payload


def test_revocations_keep_the_latest_instant(engine):
    with session_scope(engine) as s:
        store.revoke(session=s, holder="leader:1", now=NOW)
    with session_scope(engine) as s:
        store.revoke(session=s, holder="leader:1", now=NOW + timedelta(hours=1))
    with session_scope(engine) as s:
        assert store.revoked_at(session=s, holder="leader:1") == NOW + timedelta(hours=1)
        assert store.revoked_at(session=s, holder="unit:1") is None




@MODULE_LOOP
async def test_after_a_change_the_last_board_is_served_while_the_new_one_is_worked_out(tmp_path):
    from bot.services.boardcache import refreshing
    from bot.services.reports import record_report
    from storage.models import ReportStatus, Task

    office = await start_office(tmp_path)
    try:
        link = office.link("leader", "张副局长")
        done = re.compile(r'data-light="done"[^>]*><b>(\d+)</b>')
        assert done.search((await _get(link)).text).group(1) == "1"
        with session_scope(office.app.engine) as s:
            unit = repo.unit_named(session=s, office_id=repo.offices(session=s)[0].id, name="安全办")
            record_report(session=s, task=s.get(Task, office.tasks["3"]), unit_id=unit.id, status=ReportStatus.DONE,
                          percent=100, note="", reporter="t", now=NOW)
        assert done.search((await _get(link)).text).group(1) == "1"  # at once, from the board last worked out
        refreshing(engine=office.app.engine, office_id=repo_office(office)).join(timeout=30)
        assert done.search((await _get(link)).text).group(1) == "2"
    finally:
        await office.server.close()
        office.app.close()


def repo_office(office) -> int:
    with session_scope(office.app.engine) as s:
        return repo.offices(session=s)[0].id


@MODULE_LOOP
async def test_duban_run_serves_the_board_on_its_http_server(tmp_path):
    from bot.app import App

    settings = Settings(database={"url": f"sqlite:///{tmp_path / 'run.db'}"}, app={"load_sample_plan": False},
                        server={"port": 0}, web={"enabled": True})
    app = App(settings, clock=lambda: NOW)
    await app.start()
    try:
        host, port = app.web_runner.addresses[0][:2]
        css = await _get(f"http://{host}:{port}/web/static/board.css")
        assert css.status_code == 200 and "DubanSans" in css.text
        refused = await _get(f"http://{host}:{port}/web/not-a-token/")
        assert refused.status_code == 403 and "链接无效" in refused.text
    finally:
        await app.stop()
