"""`/export` in the console: the workbook is written to the export directory and its path printed."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook

from bot.app import App
from bot.config import Settings
from bot.console import ConsoleSender, run_console
from tests.helpers import at


async def test_console_export_writes_the_file_and_says_where(tmp_path):
    out = io.StringIO()
    console = ConsoleSender(out=out)  # no directory given: taken from the chat service's settings
    settings = Settings(database={"url": f"sqlite:///{tmp_path / 'duban.db'}"},
                        console={"export_dir": str(tmp_path / "导出")})
    service = App(settings, clock=lambda: at(2021, 9, 2, 10, 0), extra_senders=[console])
    service.load_sample_if_empty()
    lines = iter(["/export\n", "/export\n"])
    try:
        await run_console(service.chat, console, read=lambda: next(lines, ""))
    finally:
        await service.stop()
        service.close()
    text = out.getvalue()
    first = tmp_path / "导出" / "督办台账_2021-09-02.xlsx"
    second = tmp_path / "导出" / "督办台账_2021-09-02_2.xlsx"  # the same name again never overwrites
    assert f"[附件] 已保存到 {first}" in text and f"[附件] 已保存到 {second}" in text
    wb = load_workbook(first)
    assert wb.sheetnames == ["任务总览", "分单位台账", "反馈记录"] and wb.active.max_row == 27


def test_default_directory_is_exports_under_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sender = ConsoleSender(out=io.StringIO())
    path = sender.save_document("../逃逸/台账.xlsx", b"x")  # a name never leaves the directory
    assert path == (tmp_path / "exports" / "台账.xlsx").resolve() and Path(path).read_bytes() == b"x"


def test_unwritable_directory_is_said_not_raised(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    out = io.StringIO()
    from bot.notify import OutboundMessage

    ConsoleSender(out=out, export_dir=blocker / "sub").show(OutboundMessage(text="台账", document=("a.xlsx", b"1")))
    assert "未能保存" in out.getvalue()
