"""Only a task's lead and co-units report on it; an admin sets a status in a unit's name, named and logged."""

from __future__ import annotations

import json

from sqlmodel import select

from bot.services.binding import bind_directly
from storage.db import session_scope
from storage.models import AuditLog, StatusReport, Task, Unit
from tests.chat_harness import Chat
from tests.conftest import SAMPLE

ADMIN = {"user": "1", "chat": "900", "group": False}


def reports_on(engine, ref: str) -> list[tuple[str | None, str, str]]:
    """(unit name, status, reporter) of the reports on task `ref`, oldest first."""
    with session_scope(engine) as s:
        task = s.exec(select(Task).where(Task.ref == ref)).one()
        rows = s.exec(select(StatusReport).where(StatusReport.task_id == task.id).order_by(StatusReport.id)).all()
        names = {u.id: u.name for u in s.exec(select(Unit)).all()}
        return [(names.get(r.unit_id), r.status, r.reporter) for r in rows]


async def test_admin_bound_to_another_unit_is_told_how_to_set_a_status(memory_engine, seed_path):
    chat = Chat(memory_engine, seed_path)
    with session_scope(memory_engine) as s:  # the clerk's own chat is bound to 督导室, which is not on 第25项
        bind_directly(session=s, unit_name="督导室", platform="telegram", address="900", now=chat.now, actor="t",
                      is_group=False)
    for text in ("第25项不算完成", "第25项已完成", "/report 25 已完成"):
        said = await chat.say(text, **ADMIN)
        assert "督导室不是第25项的牵头或配合单位" in said and "/setstatus 25" in said, text
    assert reports_on(memory_engine, "25") == []
    said = await chat.say("/setstatus 25 安全办 已完成 验收已通过", **ADMIN)
    assert "管理员代安全办设置" in said and "已完成" in said
    assert reports_on(memory_engine, "25") == [("安全办", "done", "telegram:1")]
    with session_scope(memory_engine) as s:
        log = s.exec(select(AuditLog).where(AuditLog.action == "report.on_behalf")).one()
        assert log.actor == "telegram:1" and "代安全办" in log.detail


async def test_unbound_admin_is_refused_too_and_units_off_the_task_cannot_be_named(memory_engine, seed_path):
    chat = Chat(memory_engine, seed_path)
    said = await chat.say("第25项已完成", **ADMIN)
    assert "不是第25项的牵头或配合单位" in said and "/setstatus" in said
    said = await chat.say("/setstatus 25 督导室 已完成", **ADMIN)
    assert "督导室不是第25项的牵头或配合单位" in said
    said = await chat.say("/setstatus 25 安全办 基本完成了", **ADMIN)
    assert reports_on(memory_engine, "25") == []  # "基本完成了" is not a status word on its own
    assert "不认识的状态" in said
    said = await chat.say("/setstatus 25 安全办 推进中 基本完成", **ADMIN)
    assert reports_on(memory_engine, "25") == [("安全办", "in_progress", "telegram:1")]


async def test_a_unit_that_is_not_admin_cannot_setstatus_and_owners_still_report(memory_engine, seed_path):
    chat = Chat(memory_engine, seed_path)
    said = await chat.say("/setstatus 25 安全办 已完成")  # 安全办's own group, not an admin
    assert reports_on(memory_engine, "25") == [] and "管理员" in said
    await chat.say("第25项完成了一半")
    assert reports_on(memory_engine, "25") == [("安全办", "in_progress", "telegram:7")]


def test_cli_report_in_a_units_name(cli):
    assert cli("plan", "import", str(SAMPLE))[0] == 0
    code, out, err = cli("report", "25", "--unit", "安全办", "--status", "推进中", "--percent", "60",
                         "--note", "排查完毕", "--json")
    assert code == 0, err
    assert json.loads(out) == {"task": "25", "unit": "安全办", "status": "in_progress", "percent": 60,
                               "note": "排查完毕", "on_behalf": True}
    code, out, err = cli("report", "25", "--unit", "督导室", "--status", "已完成")
    assert code == 1 and "督导室不是第25项的牵头或配合单位" in err and len(err.strip().splitlines()) == 1
    code, out, err = cli("report", "25", "--unit", "安全办", "--status", "已完成")
    assert code == 0 and "管理员代安全办设置" in out
