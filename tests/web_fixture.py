"""A small office for the web board's tests: two units, a leader, lights of every colour, reports and a photo;
`add_story` adds leaders' instructions, a returned 申请办结, an item signed for and one returned and reassigned."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestServer
from PIL import Image

from bot.app import App
from bot.config import Settings
from bot.services import assignment, closure, instructions, receipts
from bot.services.binding import bind_directly
from bot.services.evidence import attach
from bot.services.items import ItemSpec, create_item
from bot.services.leaders import set_task_leaders
from bot.services.reports import record_report
from bot.services.weblinks import link_for, viewer_named
from bot.workdays import WorkCalendar
from storage import repo
from storage.db import session_scope
from storage.models import ReportStatus, Task
from tests.helpers import at, load, plan, task

NOW = at(2021, 9, 15, 10, 0)


@dataclass
class Office:
    app: App
    server: TestServer
    tasks: dict[str, int]  # ref → task id

    def app_board(self):
        from bot.web import Board

        return Board(engine=self.app.engine, settings=self.app.settings, calendar=self.app.calendar,
                     clock=self.app.now)

    def link(self, kind: str, name: str = "", *, now: datetime = NOW) -> str:
        """A personal link, as `duban web link` prints it, pointing at the test server."""
        with session_scope(self.app.engine) as s:
            viewer = viewer_named(session=s, kind=kind, name=name)
            url, _ = link_for(session=s, viewer=viewer, now=now, base_url=str(self.server.make_url("")).rstrip("/"),
                              days=self.app.settings.web.link_days)
        return url


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "#4a8").save(out, format="PNG")
    return out.getvalue()


def build_store(app: App, data_dir: Path) -> dict[str, int]:
    """Eight tasks: 安全办 leads five (two overdue), 应急办 leads three; 张副局长 leads two; reports and a photo."""
    today = NOW.date()
    parsed = plan(
        task("1", ["安全办"], ["应急办"], today - timedelta(days=20)),  # red
        task("2", ["安全办"], [], today - timedelta(days=3)),  # red
        task("3", ["安全办"], [], today + timedelta(days=2)),  # yellow
        task("4", ["安全办"], [], date(2021, 12, 20)),  # green
        task("5", ["安全办"], [], date(2021, 11, 30)),  # done below
        task("6", ["应急办"], ["安全办"], date(2021, 12, 10)),  # green
        task("7", ["应急办"], [], today - timedelta(days=40)),  # red
        task("8", ["应急办"], [], date(2021, 10, 29)),  # green
    )
    load(app.engine, parsed, NOW - timedelta(days=60))
    with session_scope(app.engine) as s:
        plan_id = repo.active_plans(session=s)[0].id
        ids = {t.ref: t.id for t in repo.active_tasks(session=s, plan_id=plan_id)}
        for ref in ("1", "2"):
            set_task_leaders(session=s, task=s.get(Task, ids[ref]), add=["张副局长"], remove=[], now=NOW, actor="t")
        bind_directly(session=s, unit_name="张副局长", platform="wecom", address="zhangfu", now=NOW, actor="t",
                      leader=True)
        bind_directly(session=s, unit_name="应急办", platform="wecom", address="yingji", now=NOW, actor="t")
        bind_directly(session=s, unit_name="安全办", platform="telegram", address="-200", now=NOW, actor="t",
                      is_group=True)
        names = {u.name: u.id for u in _units(s)}
        record_report(session=s, task=s.get(Task, ids["5"]), unit_id=names["安全办"], status=ReportStatus.DONE,
                      percent=100, note="已全部完成验收", reporter="telegram:7", now=NOW - timedelta(days=2))
        record_report(session=s, task=s.get(Task, ids["1"]), unit_id=names["应急办"], status=ReportStatus.NOTE,
                      percent=None, note="应急办的内部说明：物资已到位", reporter="wecom:yingji",
                      now=NOW - timedelta(days=1))
        record_report(session=s, task=s.get(Task, ids["1"]), unit_id=names["安全办"],
                      status=ReportStatus.IN_PROGRESS, percent=60, note="安全办推进中", reporter="telegram:7",
                      now=NOW - timedelta(hours=3))
        attach(session=s, task=s.get(Task, ids["1"]), unit_id=names["应急办"], reporter="wecom:yingji",
               name="现场照片.png", data=photo(), mime="image/png", now=NOW - timedelta(hours=2), data_dir=data_dir,
               max_bytes=10 << 20)
    return ids


def _units(session):
    return [u for o in [None, *(o.id for o in repo.offices(session=session))]
            for u in repo.units_of_kind(session=session, office_id=o, kind="unit")]


async def start_office(tmp_path: Path, *, db_url: str | None = None, **web_settings) -> Office:
    """The office in a store, and duban's HTTP server with only the board mounted, on loopback."""
    data_dir = tmp_path / "data"
    settings = Settings(database={"url": db_url or f"sqlite:///{tmp_path / 'duban.db'}"},
                        app={"load_sample_plan": False, "data_dir": str(data_dir)},
                        web={"enabled": True, **web_settings}, wecom={"admins": ["boss"]})
    app = App(settings, clock=lambda: NOW)
    ids = build_store(app, data_dir)
    http = web.Application()
    app.mount_web(http)
    server = TestServer(http, host="127.0.0.1")
    await server.start_server()
    return Office(app, server, ids)


def add_story(office) -> dict[str, int]:
    """On the fixture's office: a leader's 批示 on 第1项 and 第4项 (a time limit), 第3项's 申请办结 returned by the review, an item signed for,
    and an item its lead returned as not its own and the office gave to another unit."""
    app, ids = office.app, office.tasks
    with session_scope(app.engine) as s:
        office_id = repo.offices(session=s)[0].id
        units = {n: repo.unit_named(session=s, office_id=office_id, name=n) for n in ("安全办", "应急办", "张副局长")}
        for ref, words in (("1", "抓紧推进，尽快报送进展"), ("4", "10月15日前完成验收")):
            instructions.give(session=s, task=s.get(Task, ids[ref]), leader=units["张副局长"], words=words,
                              today=NOW.date(), now=NOW - timedelta(hours=5), calendar=WorkCalendar(),
                              actor="t")
        task3 = s.get(Task, ids["3"])
        record_report(session=s, task=task3, unit_id=units["安全办"].id, status=ReportStatus.DONE, percent=100,
                      note="整改已完成", reporter="t", now=NOW - timedelta(hours=4), closure="review")
        closure.decide_return(session=s, task=task3, actor="t", reason="缺少验收材料", now=NOW - timedelta(hours=3))
        signed = create_item(session=s, spec=ItemSpec(title="食堂专项检查", source="领导批示", lead=("应急办",),
                                                      co=("安全办",), due=NOW.date() + timedelta(days=10),
                                                      instructed_by="局长", instruction="立即组织全面检查"),
                             office_id=office_id, settings=app.settings.items, calendar=app.calendar,
                             now=NOW - timedelta(days=1), actor="t", receipts=True)
        receipts.sign_for(session=s, task=s.get(Task, signed.task_id), unit_id=units["应急办"].id, actor="t",
                          now=NOW - timedelta(hours=6))
        moved = create_item(session=s, spec=ItemSpec(title="校车安全排查", source="领导批示", lead=("安全办",),
                                                     due=NOW.date() + timedelta(days=10)),
                            office_id=office_id, settings=app.settings.items, calendar=app.calendar,
                            now=NOW - timedelta(days=1), actor="t", receipts=True)
        task = s.get(Task, moved.task_id)
        assignment.decline(session=s, settings=app.settings, calendar=app.calendar, task=task,
                           unit_id=units["安全办"].id, reason="属于交通部门职责", actor="t", now=NOW - timedelta(hours=2))
        assignment.reassign(session=s, settings=app.settings, task=task, lead=units["应急办"], co=None, actor="t",
                            now=NOW - timedelta(hours=1))
    return {"signed": signed.task_id, "moved": moved.task_id}
