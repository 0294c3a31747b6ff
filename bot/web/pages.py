"""The board's HTML, rendered by Jinja2 from bot/web/templates with autoescaping on."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.render import web_text
from bot.services.webboard import OfficeBoard
from bot.services.weblinks import Viewer
from bot.services.webpages import ItemPage, UnitPage
from bot.web import svg

TEMPLATES = Path(__file__).parent / "templates"

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True,
                   lstrip_blocks=True)
_env.globals.update(states=web_text.STATES, state=web_text.state, what=web_text.WHAT,
                    deferral=web_text.DEFERRAL, reminder=web_text.REMINDER, sent=web_text.SENT,
                    event=web_text.EVENT, event_note=web_text.EVENT_NOTE)


def _page(name: str, *, depth: int, viewer: Viewer | None, as_of: date, tz: tzinfo, **values) -> str:
    """One page; `depth` is how far below the link's root it sits, so every link stays relative (a proxy's
    path prefix keeps working)."""
    up = "../" * depth
    return _env.get_template(name).render(static=f"{up}../static/", home=up or "./", item_base=up, viewer=viewer,
                                          as_of=as_of, local=lambda at: web_text.local(at, tz), **values)


def office_page(board: OfficeBoard, *, viewer: Viewer, tz: tzinfo, downloads: bool) -> str:
    units = [(u.name, u.counts) for u in board.units if u.lead]
    return _page("office.html", depth=0, viewer=viewer, as_of=board.as_of, tz=tz, board=board, downloads=downloads,
                 lights_bar=svg.lights_bar(board.counts), units_chart=svg.units_chart(units),
                 trend_chart=svg.trend_chart(board.trend), done_colour=web_text.state("done").colour,
                 section_bars=[svg.lights_bar(s.counts) for s in board.sections])


def unit_page(page: UnitPage, *, viewer: Viewer, tz: tzinfo, as_of: date, depth: int,
              office_counts: dict[str, int] | None = None) -> str:
    return _page("unit.html", depth=depth, viewer=viewer, as_of=as_of, tz=tz, page=page,
                 unit_bar=svg.lights_bar(page.counts), office_counts=office_counts,
                 office_bar=svg.lights_bar(office_counts) if office_counts is not None else None)


def item_page(page: ItemPage, *, viewer: Viewer, tz: tzinfo, as_of: date, sheets: list[str] | None = None) -> str:
    return _page("item.html", depth=1, viewer=viewer, as_of=as_of, tz=tz, page=page, r=page.record,
                 sheets=sheets or [])


def refused_page(reason: str, *, depth: int, as_of: date | datetime, tz: tzinfo) -> str:
    heading, text = web_text.REFUSED[reason]
    day = as_of.astimezone(tz).date() if isinstance(as_of, datetime) else as_of
    return _page("refused.html", depth=depth, viewer=None, as_of=day, tz=tz, heading=heading, text=text)
