"""The board's routes on the HTTP server duban already runs: /web/<token>/… pages, downloads, static files.

Every page is worked out from the token in its path: no session, no cookie, nothing to log in to. Database
work runs off the event loop (as the sweep does), so a large office's page never holds up WeCom's callback.
"""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from bot.config import Settings
from bot.render import web_text
from bot.render.board_png import FONT
from bot.render.bulletin_docx import bulletin_docx
from bot.render.ledger_xlsx import ledger_xlsx
from bot.render.sheet_docx import sheet_docx
from bot.services.boardcache import office_board
from bot.services.bulletin import build_bulletin, month_of
from bot.services.errors import UserError
from bot.services.ledger import build_ledger
from bot.services.webboard import Scope
from bot.services.weblinks import Viewer, open_token, web_key
from bot.services.webpages import (
    for_viewer,
    item_page,
    item_sheet,
    may_open_item,
    may_open_unit,
    sheet_kinds,
    unit_page,
)
from bot.web import pages
from bot.workdays import WorkCalendar
from storage.db import session_scope
from storage.models import Evidence

STATIC = Path(__file__).parent / "static"
SHEETS = {"sheet.docx": "督办", "urge.docx": "催办"}  # the item's downloads: 督办单, 催办单
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STATIC_FILES = {"board.css": STATIC / "board.css", "DubanSans.ttf": FONT}
HEADERS = {
    # Nothing but our own styles, fonts and images; no script at all; never framed; the link never leaks. The
    # templates colour a light's dot in a style attribute (the colours live in one list), hence 'unsafe-inline'
    # for styles only.
    "Content-Security-Policy": "default-src 'none'; style-src 'self' 'unsafe-inline'; font-src 'self'; "
                               "img-src 'self' data:; "
                               "frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


class Board:
    """The board's handlers and what they read with; built once by the composition root."""

    def __init__(self, *, engine: Engine, settings: Settings, calendar: WorkCalendar,
                 clock: Callable[[], datetime]) -> None:
        self.engine, self.settings, self.calendar, self.clock = engine, settings, calendar, clock
        # The office page as last rendered for each holder, with the board it was rendered from: a reload
        # while the board stands is a lookup.
        self._pages: dict[tuple, tuple[object, str]] = {}

    async def run(self, work: Callable):
        """`work(scope)` in one session, off the loop unless the store is the tests' single in-memory one."""
        def job():
            with session_scope(self.engine) as session:
                return work(Scope(session, self.clock(), self.settings, self.calendar))
        if isinstance(self.engine.pool, StaticPool):
            return job()
        return await asyncio.to_thread(job)

    def html(self, body: str, status: int = 200) -> web.Response:
        return web.Response(text=body, content_type="text/html", charset="utf-8", status=status, headers=HEADERS)

    def refuse(self, reason: str, depth: int = 0, status: int = 403) -> web.Response:
        body = pages.refused_page(reason, depth=depth, as_of=self.clock(), tz=self.settings.app.tz)
        return self.html(body, status)

    def viewer(self, scope: Scope, token: str) -> Viewer | str:
        """The token's viewer, or the reason it is refused."""
        opened = open_token(session=scope.session, key=web_key(session=scope.session, now=scope.now), token=token,
                            now=scope.now)
        return opened.viewer or opened.refused

    # --- pages -------------------------------------------------------------------------------------------
    async def home(self, request: web.Request) -> web.Response:
        tz = self.settings.app.tz

        def work(scope: Scope):
            who = self.viewer(scope, request.match_info["token"])
            if isinstance(who, str):
                return who
            board = office_board(scope, who.office_id)
            if who.sees_office:
                mine = (who.holder, who.name)
                kept = self._pages.get(mine)
                if kept is None or kept[0] is not board:
                    kept = self._pages[mine] = (board, pages.office_page(board, viewer=who, tz=tz, downloads=True))
                return kept[1]
            page = unit_page(scope, who.unit_id)
            return pages.unit_page(page, viewer=who, tz=tz, as_of=scope.today, depth=0, office_counts=board.counts)
        return self._answer(await self.run(work), depth=0)

    async def unit(self, request: web.Request) -> web.Response:
        def work(scope: Scope):
            who = self.viewer(scope, request.match_info["token"])
            if isinstance(who, str):
                return who
            unit_id = int(request.match_info["unit"])
            if not may_open_unit(who, unit_id):
                return "hidden"
            page = unit_page(scope, unit_id)
            if page is None:
                return "missing"
            return pages.unit_page(page, viewer=who, tz=self.settings.app.tz, as_of=scope.today, depth=1)
        return self._answer(await self.run(work), depth=1)

    def _item_of(self, scope: Scope, request: web.Request):
        """(viewer, item page) the link and path name, or why not ("missing", a refusal's word)."""
        who = self.viewer(scope, request.match_info["token"])
        if isinstance(who, str):
            return who
        page = item_page(scope, int(request.match_info["item"]))
        return "missing" if page is None else (who, page)

    async def item(self, request: web.Request) -> web.Response:
        def work(scope: Scope):
            found = self._item_of(scope, request)
            if isinstance(found, str):
                return found
            who, page = found
            if not may_open_item(who, page):
                return "hidden"
            others = self.settings.web.units_see_others
            sheets = sheet_kinds(who, page, units_see_others=others)
            page = for_viewer(page, who, units_see_others=others)
            return pages.item_page(page, viewer=who, tz=self.settings.app.tz, as_of=scope.today, sheets=sheets)
        return self._answer(await self.run(work), depth=1)

    def _answer(self, result: str, *, depth: int) -> web.Response:
        if result in web_text.REFUSED:
            return self.refuse(result, depth, status=404 if result == "missing" else 403)
        return self.html(result)

    # --- files -------------------------------------------------------------------------------------------
    async def evidence(self, request: web.Request) -> web.StreamResponse:
        def work(scope: Scope):
            who = self.viewer(scope, request.match_info["token"])
            if isinstance(who, str):
                return who
            row = scope.session.get(Evidence, int(request.match_info["id"]))
            page = item_page(scope, row.task_id) if row else None
            if page is None or row is None:
                return "missing"
            seen = for_viewer(page, who, units_see_others=self.settings.web.units_see_others)
            if not may_open_item(who, page) or row.id not in {e.id for e in seen.evidence}:
                return "hidden"
            return row.name, row.mime, row.path
        found = await self.run(work)
        if isinstance(found, str):
            return self._answer(found, depth=1)
        name, mime, path = found
        target = Path(self.settings.app.data_dir) / path
        if not target.is_file():
            return self.refuse("missing", 1, status=404)
        inline = mime.startswith("image/") and mime != "image/svg+xml" and "download" not in request.query
        how = "inline" if inline else "attachment"
        return web.Response(body=target.read_bytes(), content_type=mime if inline else "application/octet-stream",
                            headers={**HEADERS, "Content-Disposition": f"{how}; filename*=UTF-8''{quote(name)}"})

    async def download(self, request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        tz = self.settings.app.tz

        def work(scope: Scope):
            who = self.viewer(scope, request.match_info["token"])
            if isinstance(who, str):
                return who
            if not who.sees_office:
                return "hidden"
            args = {"session": scope.session, "now": scope.now, "settings": self.settings, "calendar": self.calendar}
            try:
                if kind == "ledger.xlsx":
                    return ledger_xlsx(build_ledger(**args), tz=tz)
                return bulletin_docx(build_bulletin(period=month_of(scope.today), office_id=who.office_id, **args))
            except UserError:
                return "missing"
        found = await self.run(work)
        if isinstance(found, str):
            return self._answer(found, depth=0)
        name = {"ledger.xlsx": "督办台账.xlsx", "bulletin.docx": "督办通报.docx"}[kind]
        mime = mimetypes.guess_type(kind)[0] or "application/octet-stream"
        return web.Response(body=found, content_type=mime,
                            headers={**HEADERS, "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})

    async def sheet(self, request: web.Request) -> web.Response:
        """The item's 督办单 (sheet.docx) or 催办单 (urge.docx), for those its page offers it to."""
        kind = SHEETS[request.match_info["kind"]]

        def work(scope: Scope):
            found = self._item_of(scope, request)
            if isinstance(found, str):
                return found
            who, page = found
            if kind not in sheet_kinds(who, page, units_see_others=self.settings.web.units_see_others):
                return "hidden"
            try:
                sheet = item_sheet(scope, page.task_id, kind)
            except UserError:  # done since its page was shown: no 催办单 for it
                return "missing"
            return f"{kind}单_{sheet.ref}.docx", sheet_docx(sheet, tz=self.settings.app.tz)
        found = await self.run(work)
        if isinstance(found, str):
            return self._answer(found, depth=2)
        name, body = found
        return web.Response(body=body, content_type=DOCX, headers={
            **HEADERS, "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})

    async def static(self, request: web.Request) -> web.StreamResponse:
        path = STATIC_FILES.get(request.match_info["name"])
        if path is None:
            raise web.HTTPNotFound()
        # Fonts and styles change only with a release: let the phone keep them for a day.
        return web.FileResponse(path, headers={"Cache-Control": "public, max-age=86400",
                                               "X-Content-Type-Options": "nosniff"})


def add_web_routes(app: web.Application, board: Board) -> None:
    """Mount the board under /web on the server duban runs for WeCom and webhooks."""
    app.router.add_get("/web/static/{name}", board.static)
    app.router.add_get("/web/{token}/", board.home)
    app.router.add_get("/web/{token}/unit/{unit:\\d+}", board.unit)
    app.router.add_get("/web/{token}/item/{item:\\d+}", board.item)
    app.router.add_get("/web/{token}/evidence/{id:\\d+}", board.evidence)
    app.router.add_get("/web/{token}/item/{item:\\d+}/{kind:sheet\\.docx|urge\\.docx}", board.sheet)
    app.router.add_get("/web/{token}/{kind:ledger\\.xlsx|bulletin\\.docx}", board.download)
