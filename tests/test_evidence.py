"""佐证材料: a unit sends a photo or a file for a task; it is kept by content hash and listed with the task."""

from __future__ import annotations

from sqlmodel import select

from bot.config import Settings
from bot.services.binding import bind_directly
from storage.db import session_scope
from storage.models import Evidence, Outbox, StatusReport, Task
from tests.chat_harness import Chat
from tests.fake_bot_api import photo_update
from tests.test_tg_e2e import SAFETY, World

JPEG = b"\xff\xd8\xff\xe0" + b"photo-bytes" * 50


async def upload(chat: Chat, caption: str | None, **kw) -> str:
    """Send a file (with an optional caption) from 安全办's group; return the replies."""
    return "\n".join(m.text for m in await chat.send(caption, **kw))


def _chat(engine, seed_path, tmp_path, **app) -> Chat:
    settings = Settings(telegram={"admins": [1]}, app={"data_dir": str(tmp_path / "data"), **app})
    return Chat(engine, seed_path, settings=settings)


async def test_a_captioned_photo_is_kept_on_the_units_latest_report(memory_engine, seed_path, tmp_path):
    chat = _chat(memory_engine, seed_path, tmp_path)
    await chat.say("/report 25 推进中 60% 已完成隐患排查")
    answer = await upload(chat, "第25项 排查现场", file_name="照片_1.jpg", file_bytes=JPEG, file_mime="image/jpeg")
    assert answer.startswith("📎 已收到第25项的佐证材料“照片_1.jpg”")
    # The same bytes again are one file on disk, two records.
    await upload(chat, "25", file_name="照片_2.jpg", file_bytes=JPEG, file_mime="image/jpeg")
    files = list((tmp_path / "data" / "evidence").rglob("*.jpg"))
    assert len(files) == 1 and files[0].read_bytes() == JPEG
    with session_scope(memory_engine) as s:
        rows = s.exec(select(Evidence)).all()
        assert len(rows) == 2 and rows[0].sha256 == rows[1].sha256
        first_report = s.get(StatusReport, rows[0].report_id)
        assert first_report.note == "排查现场"  # the caption became its note
        assert s.get(StatusReport, rows[1].report_id).note == "排查现场"  # attached to the latest report
    shown = await chat.say("/task 25")
    assert "佐证材料（2份）：照片_1.jpg" in shown


async def test_a_file_replying_to_a_reminder_needs_no_number(memory_engine, seed_path, tmp_path):
    chat = _chat(memory_engine, seed_path, tmp_path)
    with session_scope(memory_engine) as s:
        task = s.exec(select(Task).where(Task.ref == "25")).one()
        s.add(Outbox(key="t|1", task_id=task.id, recipient="telegram:-200", kind="upcoming", occurrence="2021-08-23",
                     payload="{}", state="sent", message_id="900", created_at=chat.now, next_attempt_at=chat.now))
    answer = await upload(chat, None, file_name="验收报告.pdf", file_bytes=b"%PDF-1.4 ...", reply_to_message_id="900")
    assert "第25项的佐证材料“验收报告.pdf”" in answer


async def test_bad_evidence_is_refused_in_chinese_and_nothing_is_kept(memory_engine, seed_path, tmp_path):
    chat = _chat(memory_engine, seed_path, tmp_path, evidence_max_mb=1)
    assert "请注明这是哪项任务的佐证材料" in await upload(chat, None, file_name="a.jpg", file_bytes=JPEG)
    assert "超过 1 MB 的上限" in await upload(chat, "25", file_name="big.jpg", file_bytes=b"x" * 2_000_000)
    assert "不支持把“run.exe”作为佐证材料" in await upload(chat, "25", file_name="run.exe", file_bytes=b"MZ")
    assert "不是第3项的牵头或配合单位" in await upload(chat, "3", file_name="a.jpg", file_bytes=JPEG)
    with session_scope(memory_engine) as s:
        assert s.exec(select(Evidence)).all() == []
    assert not (tmp_path / "data").exists()


async def test_an_admins_plan_document_is_still_a_plan_upload(memory_engine, seed_path, tmp_path):
    chat = _chat(memory_engine, seed_path, tmp_path)
    plan = "县教育局2021年安全生产工作要点\n一、安全\n1.校园安全排查。（责任股室：安全办）\n".encode()
    replies = await chat.send(user="1", chat="1", group=False, file_name="要点.txt", file_bytes=plan)
    assert any("确认导入吗？" in m.text for m in replies)


async def test_a_photo_on_telegram_becomes_evidence(api, tmp_path, seed_path):
    world = World(api, tmp_path, seed_path)
    world.settings.app.data_dir = str(tmp_path / "data")
    await world.app.initialize()
    try:
        with session_scope(world.engine) as s:
            bind_directly(session=s, unit_name="安全办", platform="telegram", address=str(SAFETY), now=world.now,
                          actor="test")
        world.api.add_file("p1", JPEG, path="photos/p1.jpg")
        before = len(world.api.calls)
        await world.feed(photo_update("p1", len(JPEG), caption="第25项 整改后", chat_id=SAFETY, user_id=SAFETY))
        assert "已收到第25项的佐证材料" in world.out_since(before)
        assert "佐证材料（1份）" in await world.say("/task 25")
    finally:
        await world.app.shutdown()
        world.engine.dispose()
