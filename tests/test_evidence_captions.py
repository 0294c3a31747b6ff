"""Evidence with any caption form that names a task is attached; a /report caption is recorded as the report too."""

from __future__ import annotations

from sqlmodel import select

from storage.db import session_scope
from storage.models import Evidence, ReportStatus, StatusReport
from tests.test_evidence import JPEG, _chat, upload


async def test_a_report_caption_records_the_report_and_keeps_the_photo(memory_engine, seed_path, tmp_path):
    chat = _chat(memory_engine, seed_path, tmp_path)
    answer = await upload(chat, "/report 25 推进中 60% 已排查", file_name="p.jpg", file_bytes=JPEG,
                          file_mime="image/jpeg")
    assert "第25项的佐证材料“p.jpg”" in answer and "请注明" not in answer
    with session_scope(memory_engine) as s:
        (report,) = s.exec(select(StatusReport)).all()
        assert (report.status, report.percent, report.note) == (ReportStatus.IN_PROGRESS, 60, "已排查")
        (row,) = s.exec(select(Evidence)).all()
        assert row.report_id == report.id


async def test_a_caption_with_the_number_run_into_the_words_is_read(memory_engine, seed_path, tmp_path):
    chat = _chat(memory_engine, seed_path, tmp_path)
    answer = await upload(chat, "第25项排查现场", file_name="q.jpg", file_bytes=JPEG, file_mime="image/jpeg")
    assert "第25项的佐证材料“q.jpg”" in answer
    with session_scope(memory_engine) as s:
        (report,) = s.exec(select(StatusReport)).all()
        assert report.note == "排查现场"
