"""The web board kept in the store: worked out by the sweep's tick ahead of a day's first look, read back whole,
never served for another day or from a row of another shape."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from bot.services import boardcache
from bot.services.webboard import Scope, build_office
from storage import repo
from storage import web as store
from storage.db import session_scope
from tests.web_fixture import NOW, add_story, start_office

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _read_at(link: str) -> str:
    async with httpx.AsyncClient() as c:
        page = await c.get(link)
    assert page.status_code == 200
    return page.text.split("数据读取于 ", 1)[1][:16]


def _office_id(office) -> int:
    with session_scope(office.app.engine) as s:
        return repo.offices(session=s)[0].id


async def test_the_sweeps_tick_works_the_board_out_and_the_days_first_look_reads_it(tmp_path):
    office = await start_office(tmp_path)
    try:
        office.app.now_override = NOW.replace(hour=7, minute=5)  # before office hours: no reminder, yet the board
        office.app.sweep()
        assert office.app.prepare_boards() == 0  # once a day
        office.app.now_override = None
        with session_scope(office.app.engine) as s:
            row = store.snapshot_of(session=s, office_key=_office_id(office))
            assert row.day == NOW.date() and row.built_at == NOW.replace(hour=7, minute=5)
        boardcache.forget()  # as another process, or this one restarted, would start
        assert await _read_at(office.link("leader", "张副局长")) == "2021-09-15 07:05"
    finally:
        await office.server.close()
        office.app.close()


async def test_yesterdays_board_is_never_todays_and_an_unreadable_row_is_worked_out_again(tmp_path):
    office = await start_office(tmp_path)
    try:
        office.app.now_override = NOW - timedelta(days=1)
        assert office.app.prepare_boards() == 1
        office.app.now_override = None
        boardcache.forget()
        link = office.link("leader", "张副局长")
        assert await _read_at(link) == "2021-09-15 10:00"  # worked out for today at the look
        with session_scope(office.app.engine) as s:
            assert store.snapshot_of(session=s, office_key=_office_id(office)).day == NOW.date()
            store.keep_snapshot(session=s, office_key=_office_id(office), day=NOW.date(), version="[1,[]]",
                                data="{}", now=NOW - timedelta(hours=1))
        boardcache.forget()
        assert await _read_at(link) == "2021-09-15 10:00"
        with session_scope(office.app.engine) as s:  # the code upgraded on the day: the tick works it out again
            store.keep_snapshot(session=s, office_key=_office_id(office), day=NOW.date(), version="[1,[]]",
                                data="{}", now=NOW - timedelta(hours=1))
        assert office.app.prepare_boards() == 1
    finally:
        await office.server.close()
        office.app.close()


async def test_a_board_reads_back_from_the_store_as_it_was_worked_out(tmp_path):
    office = await start_office(tmp_path)
    try:
        with session_scope(office.app.engine) as s:
            scope = Scope(s, NOW, office.app.settings, office.app.calendar)
            board = build_office(scope, _office_id(office))
        assert board.sections[0].worst and board.units and board.changes and board.trend
        assert boardcache.decode(boardcache.encode(board)) == board
    finally:
        await office.server.close()
        office.app.close()


async def test_on_both_stores_the_board_is_kept_read_back_and_counts_returns_and_instructions(tmp_path, store_url):
    office = await start_office(tmp_path, db_url=store_url)
    try:
        office.tasks.update(add_story(office))
        assert office.app.prepare_boards() == 1
        boardcache.forget()
        with session_scope(office.app.engine) as s:
            kept = boardcache.office_board(Scope(s, NOW, office.app.settings, office.app.calendar), _office_id(office))
            fresh = build_office(Scope(s, NOW, office.app.settings, office.app.calendar), _office_id(office))
            version = boardcache.store_version(s)
        assert kept == fresh
        rows = {u.name: (u.returned, u.instructions) for u in kept.units}
        assert rows == {"安全办": (1, 2), "应急办": (0, 0)}
        with session_scope(office.app.engine) as s:
            store.keep_snapshot(session=s, office_key=_office_id(office), day=NOW.date(), version=version,
                                data=boardcache.encode(kept), now=NOW + timedelta(minutes=1))  # a second writer
            assert store.snapshot_of(session=s, office_key=_office_id(office)).built_at == NOW + timedelta(minutes=1)
    finally:
        await office.server.close()
        office.app.close()
